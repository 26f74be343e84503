//! Human reports (`grille eval --format md|html|pdf`, `--split DIR`):
//! what the results say, unit by unit, in the chosen language.
//!
//! In: a report [`Context`] and the run's diagnostics. Out: [`Document`]s
//! of [`Block`]s, rendered by `page` as Markdown or HTML and by `pdf`.
//! A document opens with a cover (title, publisher, round, date); each
//! reported unit then has a summary box, the comparison of the finer
//! units it holds, a radar of its top dimensions against its peers'
//! medians, each dimension with its parts, benchmarks, charts and
//! evidence, and its portrait; a method page closes it. `--split` makes
//! one such document per unit, and an index.

mod cover;
mod lex;
mod method;
mod parts;
mod pool;
mod unit;

use super::page::{self, Block, Text};
use super::{Context, words};
use crate::diagnostic::Diag;
use crate::eval::benchmark::Stats;
use crate::ir::{ChildRef, DimensionId, LevelId, RatingsId};
use lex::T;
use std::io::{self, Write};

/// A report ready to render: its title and its blocks.
pub struct Document<'a> {
    pub title: String,
    pub blocks: Vec<Block<'a>>,
}

/// The report as Markdown.
pub fn markdown(cx: &Context<'_>, diags: &[Diag]) -> String {
    let mut out = Vec::new();
    let _ = write_markdown(cx, diags, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The report as one self-contained HTML page.
pub fn html(cx: &Context<'_>, diags: &[Diag]) -> String {
    let mut out = Vec::new();
    let _ = write_html(cx, diags, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the whole report as Markdown into `w` part by part (the cover,
/// then the units, a batch at a time, then the method), so that only a
/// few batches of text are held at once, whatever the number of units.
pub fn write_markdown(cx: &Context<'_>, diags: &[Diag], w: &mut dyn Write) -> io::Result<()> {
    write_report(cx, diags, w, false, threads())
}

/// Writes the whole report as one HTML page into `w`, part by part.
pub fn write_html(cx: &Context<'_>, diags: &[Diag], w: &mut dyn Write) -> io::Result<()> {
    write_report(cx, diags, w, true, threads())
}

/// Writes the whole report, as HTML or Markdown, building and rendering
/// its units on `threads` threads (tests compare thread counts: the text
/// never depends on them).
pub fn write_report(
    cx: &Context<'_>,
    diags: &[Diag],
    w: &mut dyn Write,
    html: bool,
    threads: usize,
) -> io::Result<()> {
    if !html {
        return write_parts(cx, diags, w, (threads, false), &page::markdown_into);
    }
    let mut s = String::new();
    page::html_open(&mut s, &title(cx), cx.lang);
    w.write_all(s.as_bytes())?;
    write_parts(cx, diags, w, (threads, true), &page::html_part)?;
    s.clear();
    page::html_close(&mut s);
    w.write_all(s.as_bytes())
}

/// Threads for rendering: every core, as evaluation uses.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How a part is written: appends its blocks' text to the string. Parts
/// are written apart from one another, so a renderer carries nothing
/// from one to the next.
type Render = dyn Fn(&mut String, &[Block<'_>]) + Sync;

/// A unit's peers: the words naming them and their figures.
struct Peers<'a> {
    words: &'a str,
    stats: Stats,
}

impl Peers<'_> {
    /// "même territoire (5)", appended to `out`.
    fn push_who(&self, out: &mut String) {
        out.push_str(self.words);
        out.push_str(" (");
        crate::report::push_digits(out, self.stats.n as u64);
        out.push(')');
    }

    fn who(&self) -> String {
        let mut out = String::new();
        self.push_who(&mut out);
        out
    }
}

/// Units rendered together: enough to make handing them to a thread
/// worth it, few enough that every thread gets many runs.
const RUN: usize = 32;

/// Writes the report into `w`: the cover, the units, the method. Units
/// are built and rendered in runs of [`RUN`] on `threads` threads (on this
/// one when there is a single run), and written in order, so the text is
/// the same as one thread's. `tooltips` says whether cells carry their
/// hover text.
fn write_parts(
    cx: &Context<'_>,
    diags: &[Diag],
    w: &mut dyn Write,
    (threads, tooltips): (usize, bool),
    render: &Render,
) -> io::Result<()> {
    let mut b = B::new(cx);
    b.tooltips = tooltips;
    let mut s = String::new();
    b.cover(None);
    b.nav();
    render(&mut s, &b.out);
    w.write_all(s.as_bytes())?;
    let units = report_units(cx);
    let runs: Vec<&[(LevelId, usize)]> = units.chunks(RUN).collect();
    if threads > 1 && runs.len() > 1 {
        pool::write_runs(&b, &runs, render, threads, w)?;
    } else {
        // Most reports have a few units: not worth a thread.
        for run in &runs {
            render_run(&mut b, run, render, &mut s);
            w.write_all(s.as_bytes())?;
        }
    }
    b.out.clear();
    b.method(example_unit(cx), diags);
    s.clear();
    render(&mut s, &b.out);
    w.write_all(s.as_bytes())
}

/// Builds and renders a run of units into `text` (emptied first).
fn render_run(b: &mut B<'_>, run: &[(LevelId, usize)], render: &Render, text: &mut String) {
    text.clear();
    for &(l, u) in run {
        b.out.clear();
        b.unit(l, u);
        render(text, &b.out);
    }
}

/// The reported units in document order: each reported level, its units
/// in data order.
fn report_units(cx: &Context<'_>) -> Vec<(LevelId, usize)> {
    cx.levels()
        .into_iter()
        .flat_map(|l| (0..cx.ds.levels[l].len()).map(move |u| (l, u)))
        .collect()
}

/// The whole report in one document: the same blocks, in the same order,
/// as the streamed writers render (the PDF is made from it).
pub fn whole<'a>(cx: &'a Context<'a>, diags: &[Diag]) -> Document<'a> {
    let mut b = B::new(cx);
    b.cover(None);
    b.nav();
    for (l, u) in report_units(cx) {
        b.unit(l, u);
    }
    b.method(example_unit(cx), diags);
    Document {
        title: title(cx),
        blocks: b.out,
    }
}

/// One document per unit of the reported levels, each named by a file
/// stem made from its level and id (distinct, safe on every system), and
/// first an `index` listing them, handed to `f` one at a time so that a
/// run over many units holds one document at once; the first error of
/// `f` stops it. Each unit's document holds its cover, its section (with
/// the comparison of the finer units it holds) and the method with its
/// own numbers. `ext` is the extension the index links to (`html`, `md`,
/// `pdf`).
pub fn split_each<'a, E>(
    cx: &'a Context<'a>,
    diags: &[Diag],
    ext: &str,
    mut f: impl FnMut(&str, Document<'a>) -> Result<(), E>,
) -> Result<(), E> {
    let stems = file_stems(cx);
    // One builder for all documents: what it precomputes (the units under
    // each unit) is read from every row, so it is built once, not per unit.
    let mut b = B::new(cx);
    b.cover(None);
    b.index(&stems, ext);
    let blocks = std::mem::take(&mut b.out);
    f(
        "index",
        Document {
            title: title(cx),
            blocks,
        },
    )?;
    for ((l, u), stem) in &stems {
        let (l, u) = (*l, *u);
        b.cover(Some((l, u)));
        b.unit(l, u);
        b.method(Some((l, u)), diags);
        let title = format!("{} — {}", title(cx), b.unit_title(l, u));
        let blocks = std::mem::take(&mut b.out);
        f(stem, Document { title, blocks })?;
    }
    Ok(())
}

/// The unit whose numbers illustrate the method of a whole report: the
/// first of the finest reported level.
fn example_unit(cx: &Context<'_>) -> Option<(LevelId, usize)> {
    let l = *cx.levels().last()?;
    (!cx.ds.levels[l].is_empty()).then_some((l, 0))
}

/// A file stem for every reported unit: `level-id` in lower-case ASCII
/// letters, digits, `-` and `_`, cut to 80 characters, made distinct with
/// `-2`, `-3`… where two units would share one (`E01` and `e01`).
fn file_stems(cx: &Context<'_>) -> Vec<((LevelId, usize), String)> {
    let mut seen = std::collections::HashSet::new();
    seen.insert("index".to_string());
    let mut out = Vec::new();
    for l in cx.levels() {
        for (u, id) in cx.ds.levels[l].ids.iter().enumerate() {
            let base = safe_stem(&format!("{}-{id}", cx.fw.levels[l].id));
            let mut stem = base.clone();
            let mut k = 1;
            while !seen.insert(stem.clone()) {
                k += 1;
                stem = format!("{base}-{k}");
            }
            out.push(((l, u), stem));
        }
    }
    out
}

/// `s` as a portable file name: accents dropped, other characters `-`.
pub fn safe_stem(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' | 'ì' => 'i',
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' | 'ø' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ÿ' | 'ý' => 'y',
            c if c.is_ascii_alphanumeric() || c == '_' => c,
            _ => '-',
        };
        if out.chars().count() < 80 {
            out.push(c);
        }
    }
    out
}

fn title(cx: &Context<'_>) -> String {
    let fw = cx.fw;
    let name = fw.title.get(cx.lang, fw.default_lang()).unwrap_or(&fw.id);
    format!("{} — {name}", lex::t(cx.lang).report)
}

/// The builder of one document's blocks.
struct B<'a> {
    cx: &'a Context<'a>,
    t: &'static T,
    out: Vec<Block<'a>>,
    /// Units of each level under each unit of the coarser level.
    children: std::sync::Arc<crate::ir::List<LevelId, Vec<Vec<usize>>>>,
    /// Indicators some dimension holds (the others form the portrait).
    in_dim: std::sync::Arc<crate::ir::List<crate::ir::IndicatorId, bool>>,
    /// Indicators whose value reads finer rows (an aggregate, directly or
    /// through a let or another indicator): their `n` says something.
    reads_rows: std::sync::Arc<crate::ir::List<crate::ir::IndicatorId, bool>>,
    /// "même territoire", per level: how peers under the same parent are
    /// named (made once, asked for every cell).
    peers_in: std::sync::Arc<crate::ir::List<LevelId, String>>,
    /// Whether cells carry what HTML shows on hover (Markdown has no use
    /// for it, and it is a good part of the work).
    tooltips: bool,
}

impl<'a> B<'a> {
    fn new(cx: &'a Context<'a>) -> B<'a> {
        let fw = cx.fw;
        let children = (fw.levels.keys())
            .map(|l| {
                if fw.is_finest(l) {
                    return Vec::new();
                }
                let mut v = vec![Vec::new(); cx.ds.levels[l].len()];
                for (k, &p) in cx.ds.levels[l + 1].parent.iter().enumerate() {
                    if let Some(x) = v.get_mut(p as usize) {
                        x.push(k);
                    }
                }
                v
            })
            .collect();
        let mut in_dim: crate::ir::List<_, _> = vec![false; fw.indicators.len()].into();
        for c in fw.dimensions.iter().flat_map(|d| d.children.iter()) {
            if let ChildRef::Indicator(i) = c.item {
                in_dim[i] = true;
            }
        }
        let reads_rows = (fw.indicators.iter())
            .map(|ind| parts::aggregates(fw, &ind.value, 0))
            .collect();
        let t = lex::t(cx.lang);
        let peers_in = (fw.levels.keys())
            .map(|l| match l {
                LevelId::TOP => String::new(),
                _ => {
                    let parent = fw.levels[l - 1]
                        .label
                        .get(cx.lang, fw.default_lang())
                        .unwrap_or(&fw.levels[l - 1].id);
                    t.peers_in.replace("{parent}", &parent.to_lowercase())
                }
            })
            .collect();
        B {
            cx,
            t,
            out: Vec::new(),
            children: std::sync::Arc::new(children),
            in_dim: std::sync::Arc::new(in_dim),
            reads_rows: std::sync::Arc::new(reads_rows),
            peers_in: std::sync::Arc::new(peers_in),
            tooltips: true,
        }
    }

    /// A builder sharing what this one precomputed, with no blocks yet.
    fn fork(&self) -> B<'a> {
        B {
            cx: self.cx,
            t: self.t,
            out: Vec::new(),
            children: self.children.clone(),
            in_dim: self.in_dim.clone(),
            reads_rows: self.reads_rows.clone(),
            peers_in: self.peers_in.clone(),
            tooltips: self.tooltips,
        }
    }

    fn label<'b>(&self, l: &'b crate::ir::Labels, id: &'b str) -> &'b str {
        l.get(self.cx.lang, self.cx.fw.default_lang()).unwrap_or(id)
    }

    fn level_label(&self, l: LevelId) -> &'a str {
        let lv = &self.cx.fw.levels[l];
        self.label(&lv.label, &lv.id)
    }

    fn dim_label(&self, d: DimensionId) -> &'a str {
        let dim = &self.cx.fw.dimensions[d];
        self.label(&dim.label, &dim.id)
    }

    /// "Entreprise E01 — La Ressourcerie".
    fn unit_title(&self, l: LevelId, u: usize) -> String {
        let lv = &self.cx.ds.levels[l];
        let mut s = format!("{} {}", self.level_label(l), &lv.ids[u]);
        if let Some(n) = lv.name(u) {
            s.push_str(&format!(" — {n}"));
        }
        s
    }

    /// "Entreprise E01 — La Ressourcerie (dans territoire lille)".
    fn unit_heading(&self, l: LevelId, u: usize) -> String {
        let mut s = self.unit_title(l, u);
        if let Some(p) = self.cx.parent(l, u) {
            let parent = self.level_label(l - 1).to_lowercase();
            s.push_str(&format!(" ({} {parent} {p})", self.t.within));
        }
        s
    }

    /// A unit by its name when it has one, else its id.
    fn unit_short(&self, l: LevelId, u: usize) -> Text<'a> {
        let lv = &self.cx.ds.levels[l];
        lv.name(u).unwrap_or(&lv.ids[u]).into()
    }

    fn anchor(&self, l: LevelId, u: usize) -> String {
        page::slug(&format!(
            "{}-{}",
            self.cx.fw.levels[l].id, &self.cx.ds.levels[l].ids[u]
        ))
    }

    /// Top dimensions reported at level `l`.
    fn tops(&self, l: LevelId) -> Vec<DimensionId> {
        (self.cx.fw.dimensions.keys())
            .filter(|&d| {
                self.cx.fw.dimensions[d].top && self.cx.results.dimensions.contains_key(&(d, l))
            })
            .collect()
    }

    /// A dimension's score at a unit and how it is shown: the score and
    /// its rating, or the status in words.
    fn dim_score(&self, d: DimensionId, l: LevelId, u: usize) -> (f64, Text<'a>) {
        match self.cx.results.dimensions.get(&(d, l)) {
            Some(x) if !x.score[u].is_nan() => {
                let rate = self.cx.fw.dimensions[d].rate;
                (
                    x.score[u],
                    self.rated_text(x.score[u], rate, x.rating[u]).into(),
                )
            }
            Some(x) => (
                f64::NAN,
                words::status_short(x.status[u], self.cx.lang).into(),
            ),
            None => (f64::NAN, "—".into()),
        }
    }

    /// The colour of a rating step, if the scale and step exist.
    fn step_color(&self, rate: Option<RatingsId>, step: Option<u16>) -> Option<Text<'a>> {
        let r = &self.cx.fw.ratings[rate?];
        Some(r.color(usize::from(step?)).into())
    }

    /// The bounds between a scale's steps, for the charts.
    fn step_bounds(&self, rate: Option<RatingsId>) -> std::borrow::Cow<'a, [f64]> {
        let fw = self.cx.fw;
        rate.map_or(&[][..], |r| &fw.ratings[r].bounds[..]).into()
    }

    /// The benchmark of an item at a unit: over the units of the same
    /// parent when there are enough, else over the whole level; with the
    /// words saying which. `value` asks for the values' benchmark.
    fn peers(&self, item: ChildRef, l: LevelId, u: usize, value: bool) -> Option<Peers<'_>> {
        let b = self.cx.results.benchmarks.get(&(item, l))?;
        let p = if value { b.value.as_ref()? } else { &b.score };
        if l > LevelId::TOP {
            let parent = self.cx.ds.levels[l].parent[u] as usize;
            if let Some(Some(s)) = p.by_parent.get(parent) {
                return Some(Peers {
                    words: &self.peers_in[l],
                    stats: *s,
                });
            }
        }
        p.all.map(|stats| Peers {
            words: self.t.peers_all,
            stats,
        })
    }
}
