//! The record statement's rows turned back into [`Results`].
//!
//! In: the framework, the units of every level (a [`Dataset`], whose
//! columns are not read) and the rows of `record::select` as the
//! database returned them, as text. Out: the results an in-memory run
//! holds, so that every report reads them alike; what follows from the
//! database's numbers by the in-memory rules alone (ratings, parts, gate
//! reads, benchmarks) is completed by [`crate::eval::complete`].

use super::record::{COLUMNS, Fact};
use crate::data::Dataset;
use crate::data::column::{NA_BOOL, NA_DATE, NA_OPT, NA_SET, parse_date};
use crate::eval::{Cells, DimLevel, IndLevel, NotAsked, Plan, Results, RuleFailure, Status};
use crate::ir::{
    DimensionId, EvidenceId, Framework, IndicatorId, LevelId, QuestionId, Rollup, Type,
};
use std::collections::HashMap;
use std::sync::Arc;

/// A row of the record (from the database or a file of rows) that grille
/// cannot place.
#[derive(Debug, Clone, thiserror::Error)]
#[error("a row of the record cannot be read: {0}")]
pub struct RebuildError(pub String);

/// The record's rows as they arrive, each field as text (`None`: NULL),
/// in the order of `record::COLUMNS`: streamed, so that a large record is never
/// held whole.
pub type Rows<'a> = &'a mut dyn Iterator<Item = Result<Vec<Option<String>>, RebuildError>>;

/// One record row, its fields by name.
struct Rec<'r>(&'r [Option<String>]);

impl Rec<'_> {
    fn text(&self, c: &str) -> Option<&str> {
        let k = COLUMNS
            .iter()
            .position(|x| *x == c)
            .expect("a record column");
        self.0.get(k).and_then(|x| x.as_deref())
    }

    fn int(&self, c: &str) -> Result<i64, RebuildError> {
        let t = self.text(c).unwrap_or("0");
        t.parse()
            .map_err(|_| RebuildError(format!("`{c}` = `{t}`")))
    }

    fn num(&self, c: &str) -> f64 {
        self.text(c)
            .and_then(|t| t.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    }

    fn index(&self, c: &str) -> Result<usize, RebuildError> {
        usize::try_from(self.int(c)?).map_err(|_| RebuildError(format!("negative `{c}`")))
    }
}

/// What disclosure control decides from, where the query masked values:
/// each entry's status before masking, and where an indicator's condition
/// cannot be shown at its own level.
#[derive(Debug, Default)]
pub struct Unmasked {
    pub status: HashMap<(IndicatorId, LevelId), Vec<Status>>,
    /// Per indicator, level and breakdown.
    pub cells: HashMap<(IndicatorId, LevelId, usize), Vec<Status>>,
    pub hidden_when: HashMap<IndicatorId, Vec<bool>>,
}

/// The results held by `rows`, completed (for a framework without
/// disclosure control).
pub fn results(fw: &Framework, ds: &Dataset, rows: Rows) -> Result<Results, RebuildError> {
    let (mut r, _) = read(fw, ds, rows)?;
    crate::eval::complete(fw, ds, &mut r);
    Ok(r)
}

/// The results held by `rows` as the database computed them, not yet
/// completed, and what disclosure control decides from.
pub fn read(fw: &Framework, ds: &Dataset, rows: Rows) -> Result<(Results, Unmasked), RebuildError> {
    let plan = Plan::new(fw);
    let mut un = Unmasked::default();
    let units: Vec<HashMap<&str, usize>> = ds
        .levels
        .iter()
        .map(|lv| lv.ids.iter().enumerate().map(|(u, id)| (id, u)).collect())
        .collect();
    let mut r = empty(fw, ds, &plan);
    let mut texts: HashMap<(usize, usize), Vec<(i64, String)>> = HashMap::new();
    let mut passing: HashMap<(usize, usize), i64> = HashMap::new();
    for row in rows {
        let row = row?;
        let rec = Rec(&row);
        let l = rec.index("_l")?;
        let key = rec.text("_u").unwrap_or("");
        let Some(&u) = units.get(l).and_then(|m| m.get(key)) else {
            return Err(RebuildError(format!("unit `{key}` at level {l}")));
        };
        // Found among the levels' units: a level of the framework.
        let l = LevelId::from(l);
        let q = Fact::from_code(rec.int("_q")?)
            .ok_or_else(|| RebuildError(format!("fact {:?}", rec.text("_q"))))?;
        let item = rec.index("_i")?;
        if u32::try_from(item).is_err() {
            return Err(RebuildError(format!("item {item}")));
        }
        let (ind, dim) = (IndicatorId::from(item), DimensionId::from(item));
        match q {
            Fact::Indicator => {
                let lv = get(&mut r.indicators, (ind, l))?;
                fill(fw, ind, l, lv, u, &rec)?;
                let n = lv.status.len();
                if rec.text("s0").is_some() {
                    let pre = un
                        .status
                        .entry((ind, l))
                        .or_insert_with(|| lv.status.clone());
                    pre[u] = status(rec.text("s0"))?;
                }
                if rec.text("hw").is_some() {
                    let hw = un.hidden_when.entry(ind).or_insert_with(|| vec![false; n]);
                    hw[u] = rec.int("hw")? == 1;
                }
                if let Some((a, b)) = lv.units.as_mut() {
                    a[u] = rec.int("u1")? as u32;
                    b[u] = rec.int("u2")? as u32;
                }
            }
            Fact::Cell => {
                let lv = get(&mut r.indicators, (ind, l))?;
                let b = rec.index("_b")?;
                let Some(Some(cells)) = lv.by.get_mut(b) else {
                    return Err(RebuildError(format!("breakdown {b} of indicator {item}")));
                };
                let j = cells.at(u, rec.index("_c")?);
                cells.rows[j] = rec.int("u1")? as u32;
                fill(fw, ind, l, &mut cells.lv, j, &rec)?;
                if rec.text("s0").is_some() {
                    let pre = un
                        .cells
                        .entry((ind, l, b))
                        .or_insert_with(|| cells.lv.status.clone());
                    pre[j] = status(rec.text("s0"))?;
                }
                if let Some((a, t)) = cells.lv.units.as_mut() {
                    a[j] = cells.lv.n[j];
                    t[j] = cells.rows[j];
                }
            }
            Fact::Dimension => {
                let lv = get(&mut r.dimensions, (dim, l))?;
                lv.score[u] = rec.num("s");
                lv.coverage[u] = rec.num("cov");
                lv.status[u] = status(rec.text("st"))?;
            }
            Fact::FailedGate => {
                let lv = get(&mut r.dimensions, (dim, l))?;
                if let Some(f) = lv.failed_gates.as_mut() {
                    f[u].push(rec.index("_b")?);
                }
            }
            Fact::EvidenceText => {
                let t = rec.text("v").unwrap_or("").to_string();
                texts
                    .entry((item, u))
                    .or_default()
                    .push((rec.int("_b")?, t));
            }
            Fact::EvidenceRows => {
                passing.insert((item, u), rec.int("u1")?);
            }
            Fact::RuleFailed => r.rule_failures.push(RuleFailure {
                rule: item,
                level: l,
                unit: u as u32,
                questions: plan.rule_questions.get(item).cloned().unwrap_or_default(),
            }),
            Fact::NotAsked => not_asked(&mut r.not_asked, QuestionId::from(item), u, &rec)?,
        }
    }
    for f in r
        .dimensions
        .values_mut()
        .filter_map(|d| d.failed_gates.as_mut())
    {
        f.iter_mut().for_each(|g| g.sort_unstable());
    }
    r.rule_failures.sort_by_key(|f| (f.rule, f.unit));
    r.evidence = evidence(fw, ds, texts, &passing);
    Ok((r, un))
}

/// What disclosure control hides, decided over the values before the
/// query masked them, indicator by indicator.
pub fn disclosed(
    fw: &Framework,
    ds: &Dataset,
    r: &Results,
    un: &Unmasked,
) -> Vec<(IndicatorId, crate::eval::disclosure::Hidden)> {
    let plan = Plan::new(fw);
    let mut out = Vec::new();
    for (i, ind) in fw.indicators.iter_enumerated() {
        let pooled = matches!(ind.rollup, Rollup::Pooled);
        let levels: Vec<(LevelId, IndLevel)> = ind
            .levels
            .iter()
            .filter(|&&l| l == ind.at || pooled)
            .filter_map(|&l| Some((l, unmasked(r.indicators.get(&(i, l))?, un, i, l))))
            .collect();
        let n = ds.levels[ind.at].len();
        let hw = un
            .hidden_when
            .get(&i)
            .cloned()
            .unwrap_or_else(|| vec![false; n]);
        let hidden = crate::eval::disclosure::decide(fw, &plan, ds, i, levels, hw);
        out.extend(hidden.into_iter().map(|h| (i, h)));
    }
    out
}

/// A level as it was before the query masked it: statuses as they were,
/// and a value present wherever there was one (its number does not
/// matter to disclosure control, only that it is there).
fn unmasked(lv: &IndLevel, un: &Unmasked, i: IndicatorId, l: LevelId) -> IndLevel {
    let mut lv = lv.clone();
    let restore = |x: &mut IndLevel, pre: Option<&Vec<Status>>| {
        let Some(pre) = pre else { return };
        for (j, &st) in pre.iter().enumerate() {
            x.status[j] = st;
            if st.scored() && !x.value.present(j) {
                placeholder(&mut x.value, j);
            }
        }
    };
    restore(&mut lv, un.status.get(&(i, l)));
    for (b, cells) in lv.by.iter_mut().enumerate() {
        if let Some(cells) = cells {
            restore(&mut cells.lv, un.cells.get(&(i, l, b)));
        }
    }
    lv
}

fn get<K: std::hash::Hash + Eq + std::fmt::Debug + Copy, V>(
    m: &mut rustc_hash::FxHashMap<K, V>,
    k: K,
) -> Result<&mut V, RebuildError> {
    m.get_mut(&k)
        .ok_or_else(|| RebuildError(format!("no item {k:?}")))
}

/// Results with every item at every level present and nothing known yet.
fn empty(fw: &Framework, ds: &Dataset, plan: &Plan) -> Results {
    let mut indicators = crate::eval::ByLevel::default();
    for (i, ind) in fw.indicators.iter_enumerated() {
        for &l in &ind.levels {
            let n = ds.levels[l].len();
            let mut lv = blank(fw, i, l, n, plan);
            lv.by = ind
                .by
                .iter()
                .map(|bd| {
                    (bd.level > l).then(|| {
                        let k = bd.n_options(fw) + 1;
                        let mut cl = blank(fw, i, l, n * k, plan);
                        // Pooled cells come from rows: no unit counts.
                        if l != ind.at && matches!(ind.rollup, Rollup::Pooled) {
                            cl.units = None;
                        }
                        Cells {
                            per_unit: k,
                            lv: cl,
                            rows: vec![0; n * k],
                        }
                    })
                })
                .collect();
            indicators.insert((i, l), lv);
        }
    }
    let mut dimensions = crate::eval::ByLevel::default();
    for (d, dim) in fw.dimensions.iter_enumerated() {
        for &l in &dim.levels {
            let n = ds.levels[l].len();
            dimensions.insert(
                (d, l),
                DimLevel {
                    score: vec![f64::NAN; n],
                    coverage: vec![f64::NAN; n],
                    status: vec![Status::Missing; n],
                    failed_gates: (!dim.gates.is_empty()).then(|| vec![Vec::new(); n]),
                    rating: vec![None; n],
                    parts: Vec::new(),
                    gate_reads: Vec::new(),
                },
            );
        }
    }
    let not_asked = plan
        .condition_layers
        .iter()
        .flatten()
        .map(|&q| NotAsked {
            question: q,
            mask: Arc::new(vec![false; ds.levels[fw.questions[q].level].len()]),
            answered: Vec::new(),
            unanswered: Vec::new(),
        })
        .collect();
    Results {
        indicators,
        dimensions,
        evidence: HashMap::new(),
        levels: plan.levels.clone(),
        rule_failures: Vec::new(),
        not_asked,
        benchmarks: crate::eval::ByLevel::default(),
    }
}

/// What the value of indicator `i` holds at level `l`.
enum Held {
    Value(Type),
    /// `rollup distribution`: units per option.
    Tally,
}

fn held(fw: &Framework, i: IndicatorId, l: LevelId) -> Held {
    let ind = &fw.indicators[i];
    match (l == ind.at, &ind.rollup) {
        (true, _) | (false, Rollup::Pooled) => Held::Value(ind.value.ty),
        (false, Rollup::Distribution) => Held::Tally,
        (false, _) => Held::Value(Type::Number),
    }
}

/// Indicator `i` at level `l` over `n` entries, nothing known.
fn blank(fw: &Framework, i: IndicatorId, l: LevelId, n: usize, plan: &Plan) -> IndLevel {
    let at = fw.indicators[i].at;
    let (value, distribution) = match held(fw, i, l) {
        Held::Value(ty) => (crate::eval::missing_of(ty, n), None),
        Held::Tally => (
            crate::data::Column::Num(vec![f64::NAN; n]),
            Some(vec![vec![0; options(fw, i).len()]; n]),
        ),
    };
    IndLevel {
        value,
        n: vec![0; n],
        coverage: vec![f64::NAN; n],
        ci: vec![None; n],
        score: vec![f64::NAN; n],
        status: vec![Status::Missing; n],
        units: (l != at).then(|| (vec![0; n], vec![0; n])),
        distribution,
        rating: vec![None; n],
        suppression: vec![None; n],
        n_is_value: plan.counts[i],
        by: Vec::new(),
    }
}

/// The options of an indicator whose value is a choice.
fn options(fw: &Framework, i: IndicatorId) -> &[crate::ir::OptionDef] {
    match fw.indicators[i].value.ty {
        Type::Option(q) | Type::Set(q) => fw.questions[q].ty.options(),
        _ => &[],
    }
}

/// Entry `j` of an indicator level from a record row.
fn fill(
    fw: &Framework,
    i: IndicatorId,
    l: LevelId,
    lv: &mut IndLevel,
    j: usize,
    rec: &Rec<'_>,
) -> Result<(), RebuildError> {
    lv.n[j] = rec.int("n").unwrap_or(0) as u32;
    lv.coverage[j] = rec.num("cov");
    let (lo, hi) = (rec.num("lo"), rec.num("hi"));
    lv.ci[j] = (!lo.is_nan() && !hi.is_nan()).then_some((lo, hi));
    lv.score[j] = rec.num("s");
    lv.status[j] = status(rec.text("st"))?;
    let Some(v) = rec.text("v") else {
        return Ok(());
    };
    match held(fw, i, l) {
        Held::Tally => {
            let opts = options(fw, i);
            let dist = lv.distribution.as_mut().expect("a tally level");
            for pair in v.split_whitespace() {
                let (code, count) = pair.rsplit_once(':').unwrap_or((pair, "0"));
                if let Some(k) = opts.iter().position(|o| o.code == code) {
                    dist[j][k] = count.parse().unwrap_or(0);
                }
            }
        }
        Held::Value(ty) => set_value(fw, &mut lv.value, j, ty, v)?,
    }
    Ok(())
}

/// Entry `j` of a value column from the database's text.
fn set_value(
    fw: &Framework,
    col: &mut crate::data::Column,
    j: usize,
    ty: Type,
    v: &str,
) -> Result<(), RebuildError> {
    use crate::data::Column::*;
    let bad = || RebuildError(format!("value `{v}`"));
    let codes = |q: QuestionId| fw.questions[q].ty.options();
    match col {
        Num(c) => c[j] = v.parse().map_err(|_| bad())?,
        Bool(c) => {
            c[j] = match v {
                "true" | "t" => 1,
                "false" | "f" => 0,
                _ => NA_BOOL,
            }
        }
        Opt(c) => {
            let Type::Option(q) = ty else {
                return Err(bad());
            };
            c[j] = codes(q)
                .iter()
                .position(|o| o.code == v)
                .map_or(NA_OPT, |k| k as u32);
        }
        Set(c) => {
            let Type::Set(q) = ty else { return Err(bad()) };
            c[j] = v.split_whitespace().try_fold(0u64, |acc, code| {
                match codes(q).iter().position(|o| o.code == code) {
                    Some(k) => Ok(acc | 1 << k),
                    None => Err(bad()),
                }
            })?;
            if c[j] == NA_SET {
                return Err(bad());
            }
        }
        Date(c) => c[j] = parse_date(v).unwrap_or(NA_DATE),
        Text(c) => c[j] = Some(v.into()),
    }
    Ok(())
}

fn status(s: Option<&str>) -> Result<Status, RebuildError> {
    Ok(match s {
        Some("ok") => Status::Ok,
        Some("missing") | None => Status::Missing,
        Some("not_applicable") => Status::NotApplicable,
        Some("low_n") => Status::LowN,
        Some("insufficient") => Status::Insufficient,
        Some("suppressed") => Status::Suppressed,
        Some(x) => return Err(RebuildError(format!("status `{x}`"))),
    })
}

/// Some value at entry `j`, where only its presence is read.
fn placeholder(col: &mut crate::data::Column, j: usize) {
    use crate::data::Column::*;
    match col {
        Num(c) => c[j] = 0.0,
        Bool(c) => c[j] = 1,
        Opt(c) => c[j] = 0,
        Set(c) => c[j] = 0,
        Date(c) => c[j] = 0,
        Text(c) => c[j] = Some("".into()),
    }
}

/// One not-asked row into its question's entry.
fn not_asked(
    all: &mut [NotAsked],
    q: QuestionId,
    u: usize,
    rec: &Rec<'_>,
) -> Result<(), RebuildError> {
    let Some(na) = all.iter_mut().find(|x| x.question == q) else {
        return Err(RebuildError(format!("question {q} is not conditioned")));
    };
    if rec.int("_b")? == 1 {
        Arc::make_mut(&mut na.mask)[u] = true;
        if rec.int("_c")? == 1 {
            na.answered.push(u as u32);
            na.answered.sort_unstable();
        }
    } else {
        na.unanswered.push(u as u32);
        na.unanswered.sort_unstable();
    }
    Ok(())
}

/// Each evidence item's texts per unit, in row order (none where fewer
/// rows than `min_group` pass its filter).
fn evidence(
    fw: &Framework,
    ds: &Dataset,
    mut texts: HashMap<(usize, usize), Vec<(i64, String)>>,
    passing: &HashMap<(usize, usize), i64>,
) -> HashMap<EvidenceId, Vec<Option<Vec<String>>>> {
    let mut out = HashMap::new();
    for (e, ev) in fw.evidence.iter_enumerated() {
        let n = ds.levels[ev.at].len();
        let per_unit = (0..n)
            .map(|u| {
                let rows = passing.get(&(e.index(), u)).copied().unwrap_or(0);
                if fw.min_group > 1 && rows < fw.min_group as i64 {
                    return None;
                }
                let mut list = texts.remove(&(e.index(), u)).unwrap_or_default();
                list.sort_by_key(|(rank, _)| *rank);
                Some(
                    list.into_iter()
                        .map(|(_, t)| evidence_text(fw, ev.collect.ty, t))
                        .collect(),
                )
            })
            .collect();
        out.insert(e, per_unit);
    }
    out
}

/// An evidence text as the in-memory runner writes it.
fn evidence_text(fw: &Framework, ty: Type, t: String) -> String {
    match ty {
        Type::Number => t.parse::<f64>().map(crate::text::number).unwrap_or(t),
        Type::Bool => match t.as_str() {
            "t" | "true" => "true".into(),
            "f" | "false" => "false".into(),
            _ => t,
        },
        // Ticked options in the options' order.
        Type::Set(q) => fw.questions[q]
            .ty
            .options()
            .iter()
            .filter(|o| t.split_whitespace().any(|c| c == o.code))
            .map(|o| o.code.clone())
            .collect::<Vec<_>>()
            .join(" "),
        _ => t,
    }
}
