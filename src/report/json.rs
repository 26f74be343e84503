//! The JSON result, schema `grille/result@1`.
//!
//! In: a report [`Context`] and the run's diagnostics. Out: JSON text in the
//! documented shape (`docs/result.schema.json`), streamed through serde
//! without building a tree: fields that do not exist for a value are
//! omitted, `status` is always present, maps keep the framework's order.

use super::{Context, Value, step_id, value_at};
use crate::diagnostic::Diag;
use crate::eval::Status;
use crate::ir::{DimensionId, IndicatorId};
use crate::source::SourceMap;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Writes the whole result document, indented when `pretty`.
pub fn result(cx: &Context<'_>, diags: &[Diag], sources: &SourceMap, pretty: bool) -> String {
    let mut out = Vec::with_capacity(1 << 16);
    write(cx, diags, sources, pretty, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Streams the result document into `out` as serde produces it (a
/// buffered writer is expected), ending with a newline. Compact output
/// serialises the units of large levels on every core.
///
/// # Errors
/// What writing to `out` fails with.
pub fn write(
    cx: &Context<'_>,
    diags: &[Diag],
    sources: &SourceMap,
    pretty: bool,
    mut out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    if !pretty {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        return write_compact(cx, diags, sources, threads, out);
    }
    let doc = Doc {
        cx,
        diags,
        sources,
        threads: 1,
    };
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"  ");
    doc.serialize(&mut serde_json::Serializer::with_formatter(&mut out, fmt))?;
    out.write_all(b"\n")
}

/// The compact document, with the units of a level serialised in runs on
/// `threads` threads (tests compare thread counts: the text never depends
/// on them).
///
/// # Errors
/// What writing to `out` fails with.
pub fn write_compact(
    cx: &Context<'_>,
    diags: &[Diag],
    sources: &SourceMap,
    threads: usize,
    mut out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let doc = Doc {
        cx,
        diags,
        sources,
        threads,
    };
    doc.serialize(&mut serde_json::Serializer::new(&mut out))?;
    out.write_all(b"\n")
}

/// Finite numbers as numbers, anything else as null.
struct Num(f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_finite() {
            s.serialize_f64(self.0)
        } else {
            s.serialize_none()
        }
    }
}

struct Doc<'a> {
    cx: &'a Context<'a>,
    diags: &'a [Diag],
    sources: &'a SourceMap,
    /// Threads serialising units; more than one only for compact output,
    /// where a unit's text does not depend on where it sits.
    threads: usize,
}

impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cx = self.cx;
        let fw = cx.fw;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("schema", "grille/result@1")?;
        m.serialize_entry("framework", &FrameworkView(cx))?;
        m.serialize_entry("engine", crate::ENGINE)?;
        if let Some(r) = cx.round {
            m.serialize_entry("round", r)?;
        }
        m.serialize_entry("definitions", &DefinitionsView(fw))?;
        m.serialize_entry("items", &ItemsView(cx))?;
        let levels: Vec<&str> = fw.levels.iter().map(|l| l.id.as_str()).collect();
        m.serialize_entry("levels", &levels)?;
        m.serialize_entry("data", cx.data)?;
        m.serialize_entry("results", &ResultsView(cx, self.threads))?;
        let private = self.cx.fw.min_group > 1;
        m.serialize_entry("diagnostics", &DiagsView(self.diags, self.sources, private))?;
        m.end()
    }
}

/// `"definitions": { "indicators": { ID: SHA-256 }, "dimensions": { … } }`.
struct DefinitionsView<'a>(&'a crate::ir::Framework);

impl Serialize for DefinitionsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fw = self.0;
        let d = crate::fingerprint::definitions(fw);
        let ids = |ids: Vec<(&str, &str)>| -> indexmap::IndexMap<String, String> {
            ids.into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let inds = ids(fw
            .indicators
            .iter()
            .map(|i| i.id.as_str())
            .zip(d.indicators.iter().map(String::as_str))
            .collect());
        let dims = ids(fw
            .dimensions
            .iter()
            .map(|i| i.id.as_str())
            .zip(d.dimensions.iter().map(String::as_str))
            .collect());
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("indicators", &inds)?;
        m.serialize_entry("dimensions", &dims)?;
        m.end()
    }
}

/// `"items"`: what a reader of the result needs to present each item
/// without the framework: its label (in the result's language), unit and
/// direction. `grille compare` reads them.
struct ItemsView<'a>(&'a Context<'a>);

#[derive(serde::Serialize)]
struct ItemInfo<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    better: Option<&'static str>,
}

impl Serialize for ItemsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cx = self.0;
        let fw = cx.fw;
        let dl = fw.default_lang();
        let inds: indexmap::IndexMap<&str, ItemInfo<'_>> = fw
            .indicators
            .iter()
            .map(|i| {
                let better = match i.better {
                    crate::ir::Better::Lower => "lower",
                    crate::ir::Better::Higher => "higher",
                };
                let info = ItemInfo {
                    label: i.label.get(cx.lang, dl),
                    unit: i.unit.as_deref(),
                    better: Some(better),
                };
                (i.id.as_str(), info)
            })
            .collect();
        let dims: indexmap::IndexMap<&str, ItemInfo<'_>> = fw
            .dimensions
            .iter()
            .map(|d| {
                let info = ItemInfo {
                    label: d.label.get(cx.lang, dl),
                    unit: None,
                    better: None,
                };
                (d.id.as_str(), info)
            })
            .collect();
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("indicators", &inds)?;
        m.serialize_entry("dimensions", &dims)?;
        m.end()
    }
}

struct FrameworkView<'a>(&'a Context<'a>);

impl Serialize for FrameworkView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cx = self.0;
        let fw = cx.fw;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &fw.id)?;
        if let Some(v) = &fw.version {
            m.serialize_entry("version", v)?;
        }
        m.serialize_entry("lang", cx.lang)?;
        if let Some(t) = fw.title.get(cx.lang, fw.default_lang()) {
            m.serialize_entry("title", t)?;
        }
        if let Some(p) = fw.publisher.get(cx.lang, fw.default_lang()) {
            m.serialize_entry("publisher", p)?;
        }
        m.serialize_entry("extends", &fw.extends)?;
        m.serialize_entry("sha256", cx.framework_sha256)?;
        m.end()
    }
}

struct ResultsView<'a>(&'a Context<'a>, usize);

impl Serialize for ResultsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cx = self.0;
        let mut m = s.serialize_map(None)?;
        for l in cx.levels() {
            m.serialize_entry(&cx.fw.levels[l].id, &UnitsView(cx, l, self.1))?;
        }
        m.end()
    }
}

/// A level's units; the last field is the threads serialising them.
struct UnitsView<'a>(&'a Context<'a>, crate::ir::LevelId, usize);

/// The items reported at one level, looked up once for all its units.
struct LevelItems<'a> {
    inds: Vec<(IndicatorId, &'a crate::eval::IndLevel)>,
    dims: Vec<(DimensionId, &'a crate::eval::DimLevel)>,
}

impl Serialize for UnitsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, l) = (self.0, self.1);
        let items = LevelItems {
            inds: (cx.fw.indicators.keys())
                .filter_map(|i| cx.results.indicators.get(&(i, l)).map(|x| (i, x)))
                .collect(),
            dims: (cx.fw.dimensions.keys())
                .filter_map(|d| cx.results.dimensions.get(&(d, l)).map(|x| (d, x)))
                .collect(),
        };
        let n = cx.ds.levels[l].len();
        let mut seq = s.serialize_seq(Some(n))?;
        if self.2 > 1 && n >= 4 * MIN_RUN {
            units_on_threads(&mut seq, cx, l, &items, self.2)?;
        } else {
            for u in 0..n {
                seq.serialize_element(&UnitView(cx, l, u, &items))?;
            }
        }
        seq.end()
    }
}

/// Units serialised by a thread at a time: at most [`RUN`], and fewer for
/// a small level so that every thread gets several runs.
const RUN: usize = 128;
const MIN_RUN: usize = 16;

/// Serialises the units of level `l` in runs, one run per thread at a
/// time, each unit into its own compact text; the texts of a round are
/// written in order while the next round is made. Through a
/// `&mut dyn Write`, serde made a call per key and per comma: most of the
/// time of a large result went there, on one core.
fn units_on_threads<Q: SerializeSeq>(
    seq: &mut Q,
    cx: &Context<'_>,
    l: crate::ir::LevelId,
    items: &LevelItems<'_>,
    threads: usize,
) -> Result<(), Q::Error> {
    use serde::ser::Error;
    type Texts = Vec<Box<serde_json::value::RawValue>>;
    let run = |units: std::ops::Range<usize>| -> serde_json::Result<Texts> {
        units
            .map(|u| serde_json::value::to_raw_value(&UnitView(cx, l, u, items)))
            .collect()
    };
    let n = cx.ds.levels[l].len();
    let size = (n / (threads * 4)).clamp(MIN_RUN, RUN);
    let mut done: Vec<Texts> = Vec::new();
    for first in (0..n).step_by(size * threads) {
        let end = (first + size * threads).min(n);
        let made = std::thread::scope(|sc| -> Result<Vec<Texts>, Q::Error> {
            let handles: Vec<_> = (first..end)
                .step_by(size)
                .map(|a| sc.spawn(move || run(a..(a + size).min(end))))
                .collect();
            for text in done.iter().flatten() {
                seq.serialize_element(&**text)?;
            }
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|e| std::panic::resume_unwind(e))
                        .map_err(Q::Error::custom)
                })
                .collect()
        })?;
        done = made;
    }
    for text in done.iter().flatten() {
        seq.serialize_element(&**text)?;
    }
    Ok(())
}

struct UnitView<'a>(
    &'a Context<'a>,
    crate::ir::LevelId,
    usize,
    &'a LevelItems<'a>,
);

impl Serialize for UnitView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, l, u, items) = (self.0, self.1, self.2, self.3);
        let fw = cx.fw;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("unit", &cx.ds.levels[l].ids[u])?;
        if let Some(n) = cx.ds.levels[l].name(u) {
            m.serialize_entry("name", n)?;
        }
        if let Some(p) = cx.parent(l, u) {
            m.serialize_entry("parent", p)?;
        }
        m.serialize_entry("indicators", &IndicatorsView(cx, l, u, items))?;
        m.serialize_entry("dimensions", &DimensionsView(cx, u, items))?;
        let has_evidence = fw.evidence.iter_enumerated().any(|(e, ev)| {
            ev.at == l
                && cx
                    .results
                    .evidence
                    .get(&e)
                    .and_then(|v| v.get(u))
                    .is_some_and(Option::is_some)
        });
        if has_evidence {
            m.serialize_entry("evidence", &EvidenceView(cx, l, u))?;
        }
        m.end()
    }
}

struct IndicatorsView<'a>(
    &'a Context<'a>,
    crate::ir::LevelId,
    usize,
    &'a LevelItems<'a>,
);

impl Serialize for IndicatorsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, l, u, items) = (self.0, self.1, self.2, self.3);
        let mut m = s.serialize_map(Some(items.inds.len()))?;
        for &(i, lv) in &items.inds {
            m.serialize_entry(&cx.fw.indicators[i].id, &IndicatorView(cx, i, l, u, lv))?;
        }
        m.end()
    }
}

struct ValueView<'a>(&'a Value);

impl Serialize for ValueView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Num(x) => Num(*x).serialize(s),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Text(t) => s.serialize_str(t),
            Value::Distribution(d) => {
                let mut m = s.serialize_map(Some(d.len()))?;
                for (k, c) in d {
                    m.serialize_entry(k, c)?;
                }
                m.end()
            }
        }
    }
}

struct IndicatorView<'a>(
    &'a Context<'a>,
    IndicatorId,
    crate::ir::LevelId,
    usize,
    &'a crate::eval::IndLevel,
);

impl Serialize for IndicatorView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, i, _l, u, lv) = (self.0, self.1, self.2, self.3, self.4);
        let ind = &cx.fw.indicators[i];
        let mut m = s.serialize_map(None)?;
        entry_fields(&mut m, cx, i, lv, u)?;
        let st = lv.status[u];
        let shown = !matches!(st, Status::NotApplicable | Status::Suppressed);
        if shown && let Some(rt) = step_id(cx.fw, ind.rate, lv.rating[u]) {
            m.serialize_entry("rating", &rt)?;
        }
        m.serialize_entry("status", st.as_str())?;
        if let Some(why) = lv.suppression[u] {
            m.serialize_entry("suppression", why.as_str())?;
        }
        if let Some((a, b)) = &lv.units {
            m.serialize_entry("units", &a[u])?;
            m.serialize_entry("units_total", &b[u])?;
        }
        if !ind.tags.is_empty() {
            m.serialize_entry("tags", &ind.tags)?;
        }
        if lv.by.iter().any(Option::is_some) {
            m.serialize_entry("by", &ByView(cx, i, lv, u))?;
        }
        m.end()
    }
}

/// Value, score, n, coverage and interval of one entry (a unit's total or
/// a cell), as far as its status lets them be shown.
fn entry_fields<M: SerializeMap>(
    m: &mut M,
    cx: &Context<'_>,
    i: IndicatorId,
    lv: &crate::eval::IndLevel,
    u: usize,
) -> Result<(), M::Error> {
    let st = lv.status[u];
    let shown = !matches!(st, Status::NotApplicable | Status::Suppressed);
    if let Some(v) = value_at(cx, i, lv, u) {
        m.serialize_entry("value", &ValueView(&v))?;
    }
    if shown && !lv.score[u].is_nan() {
        m.serialize_entry("score", &Num(lv.score[u]))?;
    }
    // A hidden count's n is the count itself.
    let n_hidden = st == Status::Suppressed && lv.n_is_value;
    if st != Status::NotApplicable && !n_hidden {
        m.serialize_entry("n", &lv.n[u])?;
        if !lv.coverage[u].is_nan() {
            m.serialize_entry("coverage", &Num(lv.coverage[u]))?;
        }
    }
    if let (true, Some((a, b))) = (shown, lv.ci[u]) {
        m.serialize_entry("ci", &[Num(a), Num(b)])?;
    }
    Ok(())
}

/// `"by": { BREAKDOWN: [cell, …] }` of one unit.
struct ByView<'a>(
    &'a Context<'a>,
    IndicatorId,
    &'a crate::eval::IndLevel,
    usize,
);

impl Serialize for ByView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, i, lv, u) = (self.0, self.1, self.2, self.3);
        let ind = &cx.fw.indicators[i];
        let mut m = s.serialize_map(None)?;
        for (b, cells) in lv.by.iter().enumerate() {
            if let Some(cells) = cells {
                m.serialize_entry(&ind.by[b].id, &CellsView(cx, i, b, cells, u))?;
            }
        }
        m.end()
    }
}

struct CellsView<'a>(
    &'a Context<'a>,
    IndicatorId,
    usize,
    &'a crate::eval::Cells,
    usize,
);

impl Serialize for CellsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, i, b, cells, u) = (self.0, self.1, self.2, self.3, self.4);
        let bd = &cx.fw.indicators[i].by[b];
        let mut seq = s.serialize_seq(None)?;
        for k in crate::report::shown_cells(cells, u) {
            seq.serialize_element(&CellView(cx, i, cells, u, k, bd.option_code(cx.fw, k)))?;
        }
        seq.end()
    }
}

struct CellView<'a>(
    &'a Context<'a>,
    IndicatorId,
    &'a crate::eval::Cells,
    usize,
    usize,
    Option<String>,
);

impl Serialize for CellView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, i, cells, u, k) = (self.0, self.1, self.2, self.3, self.4);
        let j = cells.at(u, k);
        let lv = &cells.lv;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("option", &self.5)?;
        entry_fields(&mut m, cx, i, lv, j)?;
        m.serialize_entry("status", lv.status[j].as_str())?;
        if let Some(why) = lv.suppression[j] {
            m.serialize_entry("suppression", why.as_str())?;
        }
        if let Some((a, b)) = &lv.units {
            m.serialize_entry("units", &a[j])?;
            m.serialize_entry("units_total", &b[j])?;
        }
        m.end()
    }
}

struct DimensionsView<'a>(&'a Context<'a>, usize, &'a LevelItems<'a>);

impl Serialize for DimensionsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, u, items) = (self.0, self.1, self.2);
        let mut m = s.serialize_map(Some(items.dims.len()))?;
        for &(d, lv) in &items.dims {
            m.serialize_entry(&cx.fw.dimensions[d].id, &DimensionView(cx, d, lv, u))?;
        }
        m.end()
    }
}

struct DimensionView<'a>(
    &'a Context<'a>,
    DimensionId,
    &'a crate::eval::DimLevel,
    usize,
);

impl Serialize for DimensionView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, d, lv, u) = (self.0, self.1, self.2, self.3);
        let dim = &cx.fw.dimensions[d];
        let mut m = s.serialize_map(None)?;
        if !lv.score[u].is_nan() {
            m.serialize_entry("score", &Num(lv.score[u]))?;
        }
        if !lv.coverage[u].is_nan() {
            m.serialize_entry("coverage", &Num(lv.coverage[u]))?;
        }
        if let Some(rt) = step_id(cx.fw, dim.rate, lv.rating[u]) {
            m.serialize_entry("rating", &rt)?;
        }
        m.serialize_entry("status", lv.status[u].as_str())?;
        if let Some(f) = lv.failed_gates.as_ref().map(|f| &f[u]) {
            let texts: Vec<&str> = f.iter().map(|&g| dim.gates[g].text.as_str()).collect();
            m.serialize_entry(
                "gates",
                &Gates {
                    passed: f.is_empty(),
                    failed: texts,
                },
            )?;
        }
        m.end()
    }
}

#[derive(serde::Serialize)]
struct Gates<'a> {
    passed: bool,
    failed: Vec<&'a str>,
}

struct EvidenceView<'a>(&'a Context<'a>, crate::ir::LevelId, usize);

impl Serialize for EvidenceView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (cx, l, u) = (self.0, self.1, self.2);
        let mut m = s.serialize_map(None)?;
        for (e, ev) in cx.fw.evidence.iter_enumerated() {
            if ev.at != l {
                continue;
            }
            if let Some(Some(list)) = cx.results.evidence.get(&e).and_then(|v| v.get(u)) {
                m.serialize_entry(&ev.id, list)?;
            }
        }
        m.end()
    }
}

/// The diagnostics written into a result; with `min_group` above 1
/// (the third field), messages do not quote respondents' answers.
struct DiagsView<'a>(&'a [Diag], &'a SourceMap, bool);

impl Serialize for DiagsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for d in self.0 {
            seq.serialize_element(&DiagView(d, self.1, self.2))?;
        }
        seq.end()
    }
}

/// A diagnostic in the result's `diagnostics` list (the answer it quotes
/// left out when the third field says so).
struct DiagView<'a>(&'a Diag, &'a SourceMap, bool);

impl Serialize for DiagView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (d, sources) = (self.0, self.1);
        let f = sources.get(d.primary.span.src);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("severity", &d.severity)?;
        m.serialize_entry("code", d.code)?;
        let redacted = d.redacted.as_ref().filter(|_| self.2);
        m.serialize_entry("message", redacted.unwrap_or(&d.message))?;
        m.serialize_entry("file", &f.name)?;
        match d.row {
            Some(r) => m.serialize_entry("row", &r)?,
            None => m.serialize_entry("line", &f.line_col(d.primary.span.start as usize).0)?,
        }
        if let Some(c) = &d.column {
            m.serialize_entry("column", c)?;
        }
        // A help line may quote the answer too.
        if let (Some(h), None) = (&d.help, redacted) {
            m.serialize_entry("help", h)?;
        }
        m.end()
    }
}
