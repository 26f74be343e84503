//! Stage 4, evaluation: framework + dataset → results.
//!
//! In: a checked [`ir::Framework`] and a linked [`Dataset`]. Out:
//! [`Results`]: for every reported level and unit, each indicator's value,
//! n, coverage, interval, score and status, each dimension's score,
//! coverage, gates and status, and the evidence; plus diagnostics (failed
//! data rules, divisions by zero, unusable weights, collapsed scales).
//! Items are computed in dependency order, each over whole columns.

mod agg;
mod expr;
pub mod score;

pub use agg::{Sum, percentile, wilson};

use crate::data::column::{NA_BOOL, NA_OPT, format_date};
use crate::data::{Column, Dataset};
use crate::diagnostic::{Code, Diag};
use crate::ir::{
    self, ChildRef, DimensionId, ExprKind, Framework, IndicatorId, LetId, LevelId, Node, Rollup,
};
use crate::source::{SourceMap, Span};
use expr::AggStat;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::Arc;

/// Problems met while evaluating.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EvalError {
    #[error("division by zero in {0} case(s); the result is missing there")]
    DivisionByZero(usize),
    #[error("{0} row(s) left out of a weighted aggregate: missing or negative weight")]
    BadWeight(usize),
    #[error("`{indicator}` cannot be scored by `{rule}` at level `{level}`: {why}")]
    DegenerateScale {
        indicator: String,
        rule: &'static str,
        level: String,
        why: &'static str,
    },
    #[error("rule `{rule}`: {message}")]
    RuleFailed { rule: String, message: String },
    #[error("value `{value}` of `{indicator}` has no points in its mapping; its score is missing")]
    Unmapped { indicator: String, value: String },
}

impl Code for EvalError {
    fn code(&self) -> &'static str {
        match self {
            EvalError::DivisionByZero(_) => "grille::eval::division_by_zero",
            EvalError::BadWeight(_) => "grille::eval::bad_weight",
            EvalError::DegenerateScale { .. } => "grille::eval::degenerate_scale",
            EvalError::RuleFailed { .. } => "grille::data::rule_failed",
            EvalError::Unmapped { .. } => "grille::eval::unmapped_value",
        }
    }
}

/// Per unit: n, coverage and interval of a value.
type ValueStats = (Vec<u32>, Vec<f64>, Vec<Option<(f64, f64)>>);

/// The status of a reported value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Missing,
    NotApplicable,
    LowN,
    Insufficient,
    Suppressed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Missing => "missing",
            Status::NotApplicable => "not_applicable",
            Status::LowN => "low_n",
            Status::Insufficient => "insufficient",
            Status::Suppressed => "suppressed",
        }
    }

    /// A score may be shown and used.
    pub fn scored(self) -> bool {
        matches!(self, Status::Ok | Status::LowN)
    }
}

/// An indicator at one level, column by column.
#[derive(Debug, Clone)]
pub struct IndLevel {
    pub value: Column,
    pub n: Vec<u32>,
    /// NaN where it does not apply.
    pub coverage: Vec<f64>,
    pub ci: Vec<Option<(f64, f64)>>,
    pub score: Vec<f64>,
    pub status: Vec<Status>,
    /// For rolled-up levels: finer units with a value, and where it applies.
    pub units: Option<(Vec<u32>, Vec<u32>)>,
    /// For `rollup distribution`: finer units per option.
    pub distribution: Option<Vec<Vec<u32>>>,
}

/// A dimension at one level.
#[derive(Debug, Clone)]
pub struct DimLevel {
    pub score: Vec<f64>,
    pub coverage: Vec<f64>,
    pub status: Vec<Status>,
    /// Per unit: indices of failed gates.
    pub failed_gates: Option<Vec<Vec<usize>>>,
}

/// Everything evaluated, by item and level.
#[derive(Debug, Clone)]
pub struct Results {
    pub indicators: HashMap<(IndicatorId, LevelId), IndLevel>,
    pub dimensions: HashMap<(DimensionId, LevelId), DimLevel>,
    /// Evidence per unit of its level (`None`: dropped by `min_group`).
    pub evidence: HashMap<ir::EvidenceId, Vec<Option<Vec<String>>>>,
    /// Levels that appear in results, coarsest first.
    pub levels: Vec<LevelId>,
}

pub struct Evaluator<'a> {
    pub fw: &'a Framework,
    pub ds: &'a Dataset,
    pub columns: Vec<Arc<Column>>,
    anc_cache: HashMap<(LevelId, LevelId), Arc<Vec<u32>>>,
    let_cache: HashMap<(LetId, LevelId), Arc<Column>>,
    /// Inputs of aggregates at their row level, for the indicator being evaluated.
    row_cache: HashMap<(usize, LevelId), Arc<Column>>,
    pub ind: HashMap<(IndicatorId, LevelId), IndLevel>,
    pub dims: HashMap<(DimensionId, LevelId), DimLevel>,
    div_zero: IndexMap<Span, usize>,
    bad_weights: IndexMap<Span, usize>,
    mask: Option<(LevelId, Vec<u8>)>,
    stats: Option<Vec<AggStat>>,
    diags: Vec<Diag>,
}

/// Rows of the finest level from which indicators are evaluated on two threads.
const PARALLEL_ROWS: usize = 20_000;

/// Evaluates a framework over a dataset (on two threads for large data).
pub fn evaluate(
    fw: &Framework,
    ds: &Dataset,
    sources: &SourceMap,
    lang: &str,
) -> (Results, Vec<Diag>) {
    let rows = ds.levels.last().map(|l| l.len()).unwrap_or(0);
    evaluate_with(
        fw,
        ds,
        sources,
        lang,
        if rows >= PARALLEL_ROWS { 2 } else { 1 },
    )
}

/// Whether an expression reads an indicator, directly or through lets.
fn reads_indicator(fw: &Framework, e: &ir::Expr) -> bool {
    let mut found = false;
    e.walk(&mut |x| match x.kind {
        ExprKind::Indicator(_) => found = true,
        ExprKind::Let(l) => found |= reads_indicator(fw, &fw.lets[l].expr),
        _ => {}
    });
    found
}

/// Indicators that read no other indicator: they can be computed in any order.
fn independent(fw: &Framework, i: IndicatorId) -> bool {
    let ind = &fw.indicators[i];
    let mut exprs: Vec<&ir::Expr> = vec![&ind.value];
    exprs.extend(ind.when.iter());
    if let Some(ir::Normalize::Target(t)) = &ind.normalize {
        exprs.push(t);
    }
    if let Rollup::MeanWeighted(w) = &ind.rollup {
        exprs.push(w);
    }
    !exprs.into_iter().any(|e| reads_indicator(fw, e))
}

/// Evaluates with `threads` threads for the indicators that read no other.
pub fn evaluate_with(
    fw: &Framework,
    ds: &Dataset,
    sources: &SourceMap,
    lang: &str,
    threads: usize,
) -> (Results, Vec<Diag>) {
    let mut ev = Evaluator::new(fw, ds, ds.columns.iter().cloned().map(Arc::new).collect());
    ev.warm_lets();
    ev.rules(sources, lang);
    ev.warm_lets();
    let free: Vec<IndicatorId> = if threads > 1 {
        fw.order
            .iter()
            .filter_map(|n| match n {
                Node::Indicator(i) if independent(fw, *i) => Some(*i),
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    if !free.is_empty() {
        let columns = ev.columns.clone();
        let lets = ev.let_cache.clone();
        let parts: Vec<Vec<IndicatorId>> = (0..threads)
            .map(|t| free.iter().copied().skip(t).step_by(threads).collect())
            .collect();
        let done = std::thread::scope(|s| {
            let handles: Vec<_> = parts
                .iter()
                .map(|part| {
                    let columns = columns.clone();
                    let lets = lets.clone();
                    s.spawn(move || {
                        let mut w = Evaluator::new(fw, ds, columns);
                        w.let_cache = lets;
                        for &i in part {
                            w.indicator(i);
                        }
                        (w.ind, w.diags, w.div_zero, w.bad_weights)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("an evaluation thread does not panic"))
                .collect::<Vec<_>>()
        });
        for (ind, diags, div_zero, bad_weights) in done {
            ev.ind.extend(ind);
            ev.diags.extend(diags);
            for (k, v) in div_zero {
                *ev.div_zero.entry(k).or_insert(0) += v;
            }
            for (k, v) in bad_weights {
                *ev.bad_weights.entry(k).or_insert(0) += v;
            }
        }
    }
    for node in &fw.order {
        match *node {
            Node::Let(_) => {}
            Node::Indicator(i) if !free.contains(&i) => ev.indicator(i),
            Node::Indicator(_) => {}
            Node::Dimension(d) => ev.dimension(d),
        }
    }
    let evidence = (0..fw.evidence.len())
        .map(|e| (e, ev.evidence(e)))
        .collect();
    for (span, n) in std::mem::take(&mut ev.div_zero) {
        ev.diags.push(
            Diag::warning(EvalError::DivisionByZero(n), span, "divides by zero")
                .help("guard the denominator, e.g. `if d > 0 then n / d else 0`, if a value is expected there"),
        );
    }
    for (span, n) in std::mem::take(&mut ev.bad_weights) {
        ev.diags
            .push(Diag::warning(EvalError::BadWeight(n), span, "this weight"));
    }
    let mut levels: Vec<LevelId> = (0..fw.levels.len())
        .filter(|&l| {
            fw.indicators.iter().any(|i| i.levels.contains(&l))
                || fw.dimensions.iter().any(|d| d.levels.contains(&l))
                || fw.evidence.iter().any(|e| e.at == l)
        })
        .collect();
    levels.sort_unstable();
    // The same order whatever the number of threads.
    ev.diags
        .sort_by_key(|d| (d.primary.span.src, d.primary.span.start));
    let results = Results {
        indicators: ev.ind,
        dimensions: ev.dims,
        evidence,
        levels,
    };
    (results, ev.diags)
}

impl<'a> Evaluator<'a> {
    fn new(fw: &'a Framework, ds: &'a Dataset, columns: Vec<Arc<Column>>) -> Evaluator<'a> {
        Evaluator {
            fw,
            ds,
            columns,
            anc_cache: HashMap::new(),
            let_cache: HashMap::new(),
            row_cache: HashMap::new(),
            ind: HashMap::new(),
            dims: HashMap::new(),
            div_zero: IndexMap::new(),
            bad_weights: IndexMap::new(),
            mask: None,
            stats: None,
            diags: Vec::new(),
        }
    }

    /// Evaluates every let in dependency order, at its own level (a
    /// constant one at every level), so that reading a let is one cache
    /// lookup: a chain of 10,000 lets costs no stack.
    fn warm_lets(&mut self) {
        let fw = self.fw;
        self.let_cache.clear();
        for node in &fw.order {
            let Node::Let(i) = *node else { continue };
            let e = &fw.lets[i].expr;
            let levels = match e.level {
                Some(x) => x..x + 1,
                None => 0..fw.levels.len(),
            };
            for l in levels {
                let c = self.eval(e, l);
                self.let_cache.insert((i, l), c);
            }
        }
    }

    /// Data rules: each failing row is reported; `severity error` blanks the answers it names.
    fn rules(&mut self, sources: &SourceMap, lang: &str) {
        let fw = self.fw;
        for rule in &fw.rules {
            let l = rule.at;
            let check = self.eval(&rule.check, l);
            let Column::Bool(ok) = &*check else { continue };
            let mut qs: Vec<ir::QuestionId> = Vec::new();
            rule.check.walk(&mut |e| {
                if let ExprKind::Question(q) = e.kind
                    && !qs.contains(&q)
                {
                    qs.push(q);
                }
            });
            let message = rule
                .message
                .get(lang, fw.default_lang())
                .unwrap_or(&rule.id)
                .to_string();
            let units = &self.ds.levels[l];
            for (u, &b) in ok.iter().enumerate() {
                if b != 0 {
                    continue;
                }
                let err = EvalError::RuleFailed {
                    rule: rule.id.clone(),
                    message: message.clone(),
                };
                let severity = if rule.severity == ir::RuleSeverity::Error {
                    crate::diagnostic::Severity::Error
                } else {
                    crate::diagnostic::Severity::Warning
                };
                let first_q = qs.iter().find(|&&q| fw.questions[q].level == l).copied();
                let d = match (units.table, first_q) {
                    (Some(t), Some(q)) if !units.offsets.is_empty() => {
                        let table = &self.ds.tables[t];
                        let text = &sources.get(table.src).text;
                        let field = self.ds.fields[q].unwrap_or(0);
                        let (a, b) = crate::data::cell_span_pub(
                            text,
                            units.offsets[u] as usize,
                            field,
                            table.delimiter,
                        );
                        let cols: Vec<String> =
                            qs.iter().map(|&q| fw.questions[q].column.clone()).collect();
                        Diag::new(
                            severity,
                            err,
                            Span::new(table.src, a, b),
                            format!("{} is {}", fw.questions[q].id, text.get(a..b).unwrap_or("")),
                        )
                        .cell(units.lines[u] as usize, Some(&cols.join(", ")))
                        .related(rule.span, "rule declared here")
                    }
                    _ => Diag::new(
                        severity,
                        err,
                        rule.span,
                        format!("fails for `{}`", units.ids[u]),
                    ),
                };
                self.diags.push(d);
                if rule.severity == ir::RuleSeverity::Error {
                    for &q in &qs {
                        if fw.questions[q].level == l {
                            Arc::make_mut(&mut self.columns[q]).set_missing(u);
                        }
                    }
                }
            }
        }
    }

    fn applicability(&mut self, when: Option<&ir::Expr>, l: LevelId) -> Vec<u8> {
        let n = self.n_units(l);
        let Some(w) = when else { return vec![1; n] };
        let wl = w.level.unwrap_or(l);
        if wl <= l {
            return expr::bools(&self.eval(w, l)).into_owned();
        }
        let fine = expr::bools(&self.eval(w, wl)).into_owned();
        let up = self.anc(wl, l);
        any_up(&fine, &up, n)
    }

    /// n, coverage and interval of a value from the aggregates it used.
    fn stats_of(&self, value: &ir::Expr, col: &Column, stats: &[AggStat]) -> ValueStats {
        let n = col.len();
        if stats.is_empty() {
            let nn = (0..n).map(|r| col.present(r) as u32).collect();
            let cov = (0..n)
                .map(|r| if col.present(r) { 1.0 } else { f64::NAN })
                .collect();
            return (nn, cov, vec![None; n]);
        }
        let mut nn = vec![u32::MAX; n];
        let mut cov = vec![f64::NAN; n];
        for s in stats {
            for r in 0..n {
                nn[r] = nn[r].min(s.n[r]);
                if s.passed[r] > 0 {
                    let c = s.n[r] as f64 / s.passed[r] as f64;
                    cov[r] = if cov[r].is_nan() { c } else { cov[r].min(c) };
                }
            }
        }
        let top_agg = matches!(
            value.kind,
            ExprKind::Agg {
                func: ir::AggFunc::Share | ir::AggFunc::Mean,
                ..
            }
        );
        let ci = match (&stats[0].ci, top_agg && stats.len() == 1) {
            (Some(c), true) => c.clone(),
            _ => vec![None; n],
        };
        (nn, cov, ci)
    }

    fn indicator(&mut self, i: IndicatorId) {
        let fw = self.fw;
        let ind = &fw.indicators[i];
        let at = ind.at;
        let appl = self.applicability(ind.when.as_ref(), at);
        self.stats = Some(Vec::new());
        let mut value = Arc::unwrap_or_clone(self.eval(&ind.value, at));
        let mut stats = self.stats.take().unwrap_or_default();
        let (n, coverage, ci) = self.stats_of(&ind.value, &value, &stats);
        // A value that is one additive aggregate pools from its sums.
        let own_acc = match (&ind.value.kind, stats.len()) {
            (ExprKind::Agg { .. }, 1) => stats.pop().and_then(|s| s.acc),
            _ => None,
        };
        for (u, a) in appl.iter().enumerate() {
            if *a != 1 {
                value.set_missing(u);
            }
        }
        let aggregated = ind.value.has_aggregate();
        let own = self.finish_level(i, at, value, n, coverage, ci, &appl, aggregated, None, None);
        self.ind.insert((i, at), own);
        for &c in ind.levels.iter().filter(|&&c| c < at) {
            let lv = self.rollup(i, c, &appl, own_acc.as_ref());
            self.ind.insert((i, c), lv);
        }
        self.row_cache.clear();
        // Privacy is applied once everything is rolled up.
        if fw.min_group > 1 {
            for &l in &ind.levels {
                let pooled =
                    l == at && aggregated || l < at && matches!(ind.rollup, Rollup::Pooled);
                if !pooled {
                    continue;
                }
                let lv = self.ind.get_mut(&(i, l)).expect("computed above");
                for u in 0..lv.status.len() {
                    if lv.value.present(u)
                        && lv.n[u] < fw.min_group
                        && lv.status[u] != Status::NotApplicable
                    {
                        lv.status[u] = Status::Suppressed;
                        lv.value.set_missing(u);
                        lv.score[u] = f64::NAN;
                        lv.ci[u] = None;
                    }
                }
            }
        }
    }

    /// Scores and statuses of one level of an indicator.
    #[allow(clippy::too_many_arguments)]
    fn finish_level(
        &mut self,
        i: IndicatorId,
        l: LevelId,
        value: Column,
        n: Vec<u32>,
        coverage: Vec<f64>,
        ci: Vec<Option<(f64, f64)>>,
        appl: &[u8],
        min_n_applies: bool,
        units: Option<(Vec<u32>, Vec<u32>)>,
        distribution: Option<Vec<Vec<u32>>>,
    ) -> IndLevel {
        let ind = &self.fw.indicators[i];
        let score = if distribution.is_some() {
            vec![f64::NAN; value.len()]
        } else {
            self.score(i, l, &value)
        };
        let status = (0..value.len())
            .map(|u| match appl[u] {
                0 => Status::NotApplicable,
                NA_BOOL => Status::Missing,
                _ if distribution.is_none() && !value.present(u) => Status::Missing,
                _ if min_n_applies && ind.min_n.is_some_and(|m| n[u] < m) => Status::LowN,
                _ => Status::Ok,
            })
            .collect();
        IndLevel {
            value,
            n,
            coverage,
            ci,
            score,
            status,
            units,
            distribution,
        }
    }

    fn score(&mut self, i: IndicatorId, l: LevelId, value: &Column) -> Vec<f64> {
        let ind = &self.fw.indicators[i];
        let len = value.len();
        let Some(norm) = &ind.normalize else {
            return vec![f64::NAN; len];
        };
        let nums: Vec<f64> = match value {
            Column::Num(v) => v.clone(),
            Column::Bool(v) => v
                .iter()
                .map(|&b| if b == NA_BOOL { f64::NAN } else { b as f64 })
                .collect(),
            _ => vec![f64::NAN; len],
        };
        let degenerate = |s: &mut Self, rule: &'static str, why: &'static str| {
            s.diags.push(
                Diag::warning(
                    EvalError::DegenerateScale {
                        indicator: ind.id.clone(),
                        rule,
                        level: s.fw.levels[l].id.clone(),
                        why,
                    },
                    ind.span,
                    "its scores are missing here",
                )
                .help("a scale relative to the other units needs at least two different values"),
            );
        };
        let raw: Vec<f64> = match norm {
            ir::Normalize::Goalposts { lo, hi } => nums
                .iter()
                .map(|&v| {
                    if v.is_nan() {
                        v
                    } else {
                        score::goalposts(v, *lo, *hi)
                    }
                })
                .collect(),
            ir::Normalize::Bool => nums.iter().map(|&v| v * 100.0).collect(),
            ir::Normalize::Target(t) => {
                let tcol = self.eval(t, l);
                let tc = expr::nums(&tcol);
                return nums
                    .iter()
                    .zip(tc.iter())
                    .map(|(&v, &t)| score::target(v, t, ind.better))
                    .collect();
            }
            ir::Normalize::MinMax => match score::minmax(&nums) {
                Some(s) => s,
                None => {
                    if nums.iter().any(|v| !v.is_nan()) {
                        degenerate(self, "minmax", "every unit has the same value");
                    }
                    vec![f64::NAN; len]
                }
            },
            ir::Normalize::Rank => match score::rank(&nums) {
                Some(s) => s,
                None => {
                    if nums.iter().any(|v| !v.is_nan()) {
                        degenerate(self, "rank", "only one unit has a value");
                    }
                    vec![f64::NAN; len]
                }
            },
            ir::Normalize::Map(entries) => {
                let mut unmapped: Vec<String> = Vec::new();
                let out = (0..len)
                    .map(|u| {
                        let key = match value {
                            Column::Opt(v) if v[u] != NA_OPT => match &ind.value.ty {
                                ir::Type::Option(q) => ir::MapKey::Text(
                                    self.fw.questions[*q].ty.options()[v[u] as usize]
                                        .code
                                        .clone(),
                                ),
                                _ => return f64::NAN,
                            },
                            Column::Num(v) if !v[u].is_nan() => ir::MapKey::Num(v[u]),
                            Column::Text(v) => match &v[u] {
                                Some(t) => ir::MapKey::Text(t.to_string()),
                                None => return f64::NAN,
                            },
                            _ => return f64::NAN,
                        };
                        match score::map_points(entries, &key) {
                            Some(p) => p,
                            None => {
                                let t = match &key {
                                    ir::MapKey::Num(x) => crate::fmt::number(*x),
                                    ir::MapKey::Text(t) => t.clone(),
                                };
                                if !unmapped.contains(&t) {
                                    unmapped.push(t);
                                }
                                f64::NAN
                            }
                        }
                    })
                    .collect();
                for v in unmapped {
                    self.diags.push(Diag::warning(
                        EvalError::Unmapped {
                            indicator: ind.id.clone(),
                            value: v,
                        },
                        ind.span,
                        "mapping incomplete",
                    ));
                }
                return out;
            }
        };
        if score::mirrors(norm) {
            raw.into_iter()
                .map(|s| score::mirror(s, ind.better))
                .collect()
        } else {
            raw
        }
    }

    /// An indicator at a coarser level `c`, by its rollup.
    fn rollup(
        &mut self,
        i: IndicatorId,
        c: LevelId,
        appl_at: &[u8],
        own_acc: Option<&agg::Acc>,
    ) -> IndLevel {
        let fw = self.fw;
        let ind = &fw.indicators[i];
        let at = ind.at;
        let nc = self.n_units(c);
        let up = self.anc(at, c);
        let appl = any_up(appl_at, &up, nc);
        let own = self
            .ind
            .get(&(i, at))
            .expect("own level first")
            .value
            .clone();
        let mut units = vec![0u32; nc];
        let mut total = vec![0u32; nc];
        for (u, &g) in up.iter().enumerate() {
            if g == u32::MAX || appl_at[u] != 1 {
                continue;
            }
            total[g as usize] += 1;
            if own.present(u) {
                units[g as usize] += 1;
            }
        }
        let counts = Some((units.clone(), total.clone()));
        let cov_units: Vec<f64> = units
            .iter()
            .zip(&total)
            .map(|(&a, &b)| if b > 0 { a as f64 / b as f64 } else { f64::NAN })
            .collect();
        match &ind.rollup {
            Rollup::Pooled if own_acc.is_some() => {
                let acc = own_acc.expect("matched above").regroup(&up, appl_at, nc);
                let out = agg::finalize(acc);
                if out.div_zero > 0 {
                    *self.div_zero.entry(ind.value.span).or_insert(0) += out.div_zero;
                }
                let mut value = Column::Num(out.values);
                let stat = AggStat {
                    n: out.n,
                    passed: out.passed,
                    ci: out.ci,
                    acc: None,
                };
                let (n, coverage, ci) =
                    self.stats_of(&ind.value, &value, std::slice::from_ref(&stat));
                for (u, a) in appl.iter().enumerate() {
                    if *a != 1 {
                        value.set_missing(u);
                    }
                }
                self.finish_level(i, c, value, n, coverage, ci, &appl, true, counts, None)
            }
            Rollup::Pooled => {
                self.mask = Some((at, appl_at.to_vec()));
                self.stats = Some(Vec::new());
                let mut value = Arc::unwrap_or_clone(self.eval(&ind.value, c));
                let stats = self.stats.take().unwrap_or_default();
                self.mask = None;
                let (n, coverage, ci) = self.stats_of(&ind.value, &value, &stats);
                for (u, a) in appl.iter().enumerate() {
                    if *a != 1 {
                        value.set_missing(u);
                    }
                }
                self.finish_level(i, c, value, n, coverage, ci, &appl, true, counts, None)
            }
            Rollup::Distribution => {
                let k = match &ind.value.ty {
                    ir::Type::Option(q) => fw.questions[*q].ty.options().len(),
                    _ => 0,
                };
                let mut dist = vec![vec![0u32; k]; nc];
                if let Column::Opt(v) = &own {
                    for (u, &g) in up.iter().enumerate() {
                        if g != u32::MAX && appl_at[u] == 1 && v[u] != NA_OPT {
                            dist[g as usize][v[u] as usize] += 1;
                        }
                    }
                }
                let value = Column::Num(vec![f64::NAN; nc]);
                let n = units.clone();
                self.finish_level(
                    i,
                    c,
                    value,
                    n,
                    cov_units,
                    vec![None; nc],
                    &appl,
                    false,
                    counts,
                    Some(dist),
                )
            }
            r => {
                let vals: Vec<f64> = match &own {
                    Column::Num(v) => v.clone(),
                    Column::Bool(v) => v
                        .iter()
                        .map(|&b| if b == NA_BOOL { f64::NAN } else { b as f64 })
                        .collect(),
                    _ => vec![f64::NAN; own.len()],
                };
                let weights: Option<Vec<f64>> = match r {
                    Rollup::MeanWeighted(w) => Some(expr::nums(&self.eval(w, at)).into_owned()),
                    _ => None,
                };
                let mut groups: Vec<Vec<(f64, f64)>> = vec![Vec::new(); nc];
                for (u, &g) in up.iter().enumerate() {
                    if g == u32::MAX || appl_at[u] != 1 || vals[u].is_nan() {
                        continue;
                    }
                    let w = weights.as_ref().map(|w| w[u]).unwrap_or(1.0);
                    if w.is_nan() || w < 0.0 {
                        continue;
                    }
                    groups[g as usize].push((vals[u], w));
                }
                let value: Vec<f64> = groups
                    .iter_mut()
                    .map(|g| {
                        if g.is_empty() {
                            return f64::NAN;
                        }
                        g.sort_by(|a, b| a.0.total_cmp(&b.0));
                        let mut s = Sum::default();
                        let mut sw = Sum::default();
                        for (v, w) in g.iter() {
                            s.add(v * w);
                            sw.add(*w);
                        }
                        match r {
                            Rollup::Sum => s.value(),
                            Rollup::Mean | Rollup::Share | Rollup::MeanWeighted(_) => {
                                if sw.value() > 0.0 {
                                    s.value() / sw.value()
                                } else {
                                    f64::NAN
                                }
                            }
                            Rollup::Median => {
                                let m = g.len();
                                if m % 2 == 1 {
                                    g[m / 2].0
                                } else {
                                    (g[m / 2 - 1].0 + g[m / 2].0) / 2.0
                                }
                            }
                            Rollup::Min => g[0].0,
                            Rollup::Max => g[g.len() - 1].0,
                            _ => f64::NAN,
                        }
                    })
                    .collect();
                let n = units.clone();
                self.finish_level(
                    i,
                    c,
                    Column::Num(value),
                    n,
                    cov_units,
                    vec![None; nc],
                    &appl,
                    false,
                    counts,
                    None,
                )
            }
        }
    }

    /// Scores of a dimension's child at level `l` (missing unless ok or low_n).
    pub fn child_scores(&self, c: ChildRef, l: LevelId) -> Vec<f64> {
        let n = self.n_units(l);
        match c {
            ChildRef::Indicator(i) => match self.ind.get(&(i, l)) {
                Some(lv) => lv
                    .score
                    .iter()
                    .zip(&lv.status)
                    .map(|(&s, st)| if st.scored() { s } else { f64::NAN })
                    .collect(),
                None => vec![f64::NAN; n],
            },
            ChildRef::Dimension(d) => match self.dims.get(&(d, l)) {
                Some(lv) => lv.score.clone(),
                None => vec![f64::NAN; n],
            },
        }
    }

    fn child_status(&self, c: ChildRef, l: LevelId) -> Vec<Status> {
        let n = self.n_units(l);
        match c {
            ChildRef::Indicator(i) => self.ind.get(&(i, l)).map(|x| x.status.clone()),
            ChildRef::Dimension(d) => self.dims.get(&(d, l)).map(|x| x.status.clone()),
        }
        .unwrap_or_else(|| vec![Status::Missing; n])
    }

    fn dimension(&mut self, d: DimensionId) {
        let fw = self.fw;
        let dim = &fw.dimensions[d];
        for &l in &dim.levels {
            let n = self.n_units(l);
            let appl = self.applicability(dim.when.as_ref(), l);
            let children: Vec<(f64, Vec<f64>, Vec<Status>)> = dim
                .children
                .iter()
                .map(|c| {
                    (
                        c.weight,
                        self.child_scores(c.item, l),
                        self.child_status(c.item, l),
                    )
                })
                .collect();
            let mut score = vec![f64::NAN; n];
            let mut coverage = vec![f64::NAN; n];
            let mut status = vec![Status::Missing; n];
            let mut parts: Vec<(f64, f64)> = Vec::with_capacity(children.len());
            for u in 0..n {
                match appl[u] {
                    0 => {
                        status[u] = Status::NotApplicable;
                        continue;
                    }
                    NA_BOOL => continue,
                    _ => {}
                }
                parts.clear();
                let mut total = 0.0;
                for (w, s, st) in &children {
                    if st[u] == Status::NotApplicable {
                        continue;
                    }
                    total += w;
                    if !s[u].is_nan() {
                        parts.push((*w, s[u]));
                    }
                }
                if total == 0.0 {
                    status[u] = Status::NotApplicable;
                    continue;
                }
                let scored = parts.iter().fold(0.0, |a, p| a + p.0);
                coverage[u] = scored / total;
                if coverage[u] + 1e-12 < dim.require {
                    status[u] = Status::Insufficient;
                } else if parts.is_empty() {
                    status[u] = Status::Missing;
                } else {
                    score[u] = score::combine(dim.aggregate, &parts);
                    status[u] = Status::Ok;
                }
            }
            let failed_gates = if dim.gates.is_empty() {
                None
            } else {
                let mut failed = vec![Vec::new(); n];
                for (gi, g) in dim.gates.iter().enumerate() {
                    let mut refs: Vec<ChildRef> = Vec::new();
                    g.expr.walk(&mut |e| match e.kind {
                        ExprKind::Score(c) => refs.push(c),
                        ExprKind::Indicator(i) => refs.push(ChildRef::Indicator(i)),
                        ExprKind::DimensionScore(x) => refs.push(ChildRef::Dimension(x)),
                        _ => {}
                    });
                    let statuses: Vec<Vec<Status>> =
                        refs.iter().map(|c| self.child_status(*c, l)).collect();
                    let col = expr::bools(&self.eval(&g.expr, l)).into_owned();
                    for u in 0..n {
                        let not_applicable = statuses.iter().any(|s| s[u] == Status::NotApplicable);
                        if !not_applicable && col[u] != 1 {
                            failed[u].push(gi);
                        }
                    }
                }
                Some(failed)
            };
            self.dims.insert(
                (d, l),
                DimLevel {
                    score,
                    coverage,
                    status,
                    failed_gates,
                },
            );
        }
    }

    fn evidence(&mut self, e: ir::EvidenceId) -> Vec<Option<Vec<String>>> {
        let fw = self.fw;
        let ev = &fw.evidence[e];
        let at = ev.at;
        let n = self.n_units(at);
        let cl = ev.collect.level.unwrap_or(at).max(at);
        let col = self.eval(&ev.collect, cl);
        let pass: Vec<bool> = match &ev.filter {
            Some(f) => expr::bools(&self.eval(f, cl))
                .iter()
                .map(|&b| b == 1)
                .collect(),
            None => vec![true; col.len()],
        };
        let up = self.anc(cl, at);
        let mut out: Vec<Vec<String>> = vec![Vec::new(); n];
        let mut rows = vec![0u32; n];
        for r in 0..col.len() {
            let g = up[r];
            if g == u32::MAX {
                continue;
            }
            rows[g as usize] += 1;
            if !pass[r] || !col.present(r) {
                continue;
            }
            let list = &mut out[g as usize];
            if ev.keep.is_some_and(|k| list.len() >= k) {
                continue;
            }
            list.push(text_of(fw, &ev.collect, &col, r));
        }
        out.into_iter()
            .zip(rows)
            .map(|(v, r)| {
                if fw.min_group > 1 && r < fw.min_group {
                    None
                } else {
                    Some(v)
                }
            })
            .collect()
    }
}

/// Per coarser unit: 1 if any finer unit is 1, else missing if any is missing, else 0.
fn any_up(fine: &[u8], up: &[u32], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    let mut miss = vec![false; n];
    for (u, &g) in up.iter().enumerate() {
        if g == u32::MAX {
            continue;
        }
        match fine[u] {
            1 => out[g as usize] = 1,
            NA_BOOL => miss[g as usize] = true,
            _ => {}
        }
    }
    for k in 0..n {
        if out[k] == 0 && miss[k] {
            out[k] = NA_BOOL;
        }
    }
    out
}

/// A value as text, for evidence.
fn text_of(fw: &Framework, e: &ir::Expr, col: &Column, r: usize) -> String {
    match col {
        Column::Text(v) => v[r].as_deref().unwrap_or("").to_string(),
        Column::Num(v) => crate::fmt::number(v[r]),
        Column::Bool(v) => (v[r] == 1).to_string(),
        Column::Date(v) => format_date(v[r]),
        Column::Opt(v) => match e.ty {
            ir::Type::Option(q) => fw.questions[q].ty.options()[v[r] as usize].code.clone(),
            _ => v[r].to_string(),
        },
        Column::Set(v) => match e.ty {
            ir::Type::Set(q) => fw.questions[q]
                .ty
                .options()
                .iter()
                .enumerate()
                .filter(|(i, _)| v[r] & (1 << i) != 0)
                .map(|(_, o)| o.code.clone())
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        },
    }
}
