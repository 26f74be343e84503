//! Stage 4, evaluation: framework + dataset → results.
//!
//! In: a checked [`ir::Framework`] and a linked [`Dataset`]. Out:
//! [`Results`]: for every reported level and unit, each indicator's value,
//! n, coverage, interval, score and status, each dimension's score,
//! coverage, gates and status, and the evidence; plus diagnostics (failed
//! data rules, divisions by zero, unusable weights, collapsed scales).
//! Items are computed in dependency order, each over whole columns.

mod agg;
mod asked;
pub mod benchmark;
mod cells;
mod dimension;
pub mod disclosure;
mod evidence;
mod expr;
mod funcs;
mod normalize;
mod ops;
mod own;
pub mod plan;
mod rollup;
mod rules;
pub mod score;

pub use agg::{Sum, Z, percentile, wilson};
pub use asked::NotAsked;
pub(crate) use expr::missing_of;

use crate::data::{Column, Dataset};
use crate::diagnostic::{Code, Diag};
use crate::ir::{
    self, DimensionId, ExprId, Framework, IndicatorId, LetId, LevelId, List, Node, QuestionId,
};
use crate::source::Span;
use expr::Scope;
use indexmap::IndexMap;
pub use plan::Plan;
pub use rules::RuleFailure;
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
    #[error("value `{value}` of `{indicator}` has no points in its mapping; its score is missing")]
    Unmapped { indicator: String, value: String },
}

impl Code for EvalError {
    fn code(&self) -> &'static str {
        match self {
            EvalError::DivisionByZero(_) => "grille::eval::division_by_zero",
            EvalError::BadWeight(_) => "grille::eval::bad_weight",
            EvalError::DegenerateScale { .. } => "grille::eval::degenerate_scale",
            EvalError::Unmapped { .. } => "grille::eval::unmapped_value",
        }
    }
}

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
    /// The step of the indicator's ratings its score reaches (index into
    /// the ratings' steps), where it has a score and ratings.
    pub rating: Vec<Option<u16>>,
    /// Why a value is suppressed, where its status is `suppressed`.
    pub suppression: Vec<Option<Suppression>>,
    /// A suppressed value's `n` gives it away (the value counts rows), so
    /// `n` is not shown where the value is suppressed.
    pub n_is_value: bool,
    /// Per breakdown of `by`: its cells at this level (`None` where the
    /// level is not coarser than the breakdown).
    pub by: Vec<Option<Cells>>,
}

/// Why a value is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suppression {
    /// It aggregates fewer rows than `min_group`.
    Primary,
    /// It would let a hidden value be worked out from shown ones.
    Complementary,
}

impl Suppression {
    pub fn as_str(self) -> &'static str {
        match self {
            Suppression::Primary => "primary",
            Suppression::Complementary => "complementary",
        }
    }
}

/// The cells of one breakdown at one level: for unit `u` and cell `k`
/// (the options in order, then the missing cell), entry `u * per_unit + k`.
#[derive(Debug, Clone)]
pub struct Cells {
    /// Options plus one for the missing cell.
    pub per_unit: usize,
    /// The cells' values, n, coverage, intervals, scores and statuses.
    pub lv: IndLevel,
    /// Rows (or units, for a rollup over units) that fall in each cell.
    pub rows: Vec<u32>,
}

impl Cells {
    /// The entry of cell `k` of unit `u`.
    pub fn at(&self, u: usize, k: usize) -> usize {
        u * self.per_unit + k
    }
}

/// A dimension at one level.
#[derive(Debug, Clone)]
pub struct DimLevel {
    pub score: Vec<f64>,
    pub coverage: Vec<f64>,
    pub status: Vec<Status>,
    /// Per unit: indices of failed gates.
    pub failed_gates: Option<Vec<Vec<usize>>>,
    /// The step of the dimension's ratings, where it has a score: the
    /// lowest one where a gate fails.
    pub rating: Vec<Option<u16>>,
    /// Per child, in the order written: its part of the score.
    pub parts: Vec<Part>,
    /// Per gate, in the order written: what it read, at every unit.
    pub gate_reads: Vec<Vec<GateRead>>,
}

/// One thing a gate read, at every unit of the level.
#[derive(Debug, Clone)]
pub struct GateRead {
    pub operand: GateOperand,
    /// Its values (an indicator's value, or a score) as the gate saw them.
    pub values: Column,
}

/// What a gate reads: a child indicator's value, or a child's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateOperand {
    Value(IndicatorId),
    Score(ir::ChildRef),
}

/// One child's part of a dimension's score, per unit.
#[derive(Debug, Clone)]
pub struct Part {
    /// Its weight over the weight of the scored children that apply
    /// (missing where it has no score or does not apply).
    pub weight: Vec<f64>,
    /// Weight × score, for a dimension that takes the weighted mean.
    pub contribution: Vec<f64>,
}

/// Results by item and level. Reports look them up for every cell of
/// every unit, and a plain hash of two small numbers is enough: the keys
/// come from the framework, not from data.
pub type ByLevel<K, V> = rustc_hash::FxHashMap<(K, LevelId), V>;

/// Everything evaluated, by item and level.
#[derive(Debug, Clone)]
pub struct Results {
    pub indicators: ByLevel<IndicatorId, IndLevel>,
    pub dimensions: ByLevel<DimensionId, DimLevel>,
    /// Evidence per unit of its level (`None`: dropped by `min_group`).
    pub evidence: HashMap<ir::EvidenceId, Vec<Option<Vec<String>>>>,
    /// Levels that appear in results, coarsest first.
    pub levels: Vec<LevelId>,
    /// Units where a data rule failed, in rule order then unit order.
    pub rule_failures: Vec<RuleFailure>,
    /// Per question asked only to some: where it was not asked.
    pub not_asked: Vec<NotAsked>,
    /// Where each unit stands among its peers, per item and level.
    pub benchmarks: ByLevel<ir::ChildRef, benchmark::Benchmark>,
}

/// The in-memory runner: evaluates a plan over whole columns.
pub struct Evaluator<'a> {
    pub fw: &'a Framework,
    plan: &'a Plan,
    pub ds: &'a Dataset,
    /// The answers, with those blanked by failed rules and those given
    /// where the question was not asked.
    pub columns: List<QuestionId, Arc<Column>>,
    /// Per question asked only to some: the units where it was not.
    not_asked: List<QuestionId, Option<Arc<Vec<bool>>>>,
    anc_cache: HashMap<(LevelId, LevelId), Arc<Vec<u32>>>,
    let_cache: HashMap<(LetId, LevelId), Arc<Column>>,
    /// Inputs of aggregates at their row level, for the indicator being
    /// evaluated, so its rollups regroup the same rows.
    row_cache: HashMap<(ExprId, LevelId), Arc<Column>>,
    pub ind: ByLevel<IndicatorId, IndLevel>,
    pub dims: ByLevel<DimensionId, DimLevel>,
    div_zero: IndexMap<Span, usize>,
    bad_weights: IndexMap<Span, usize>,
    diags: Vec<Diag>,
}

/// Rows of the finest level from which indicators are evaluated on two threads.
const PARALLEL_ROWS: usize = 20_000;

/// Evaluates a framework over a dataset (on two threads for large data).
pub fn evaluate(fw: &Framework, ds: &Dataset) -> (Results, Vec<Diag>) {
    let rows = ds.levels.last().map(|l| l.len()).unwrap_or(0);
    evaluate_with(fw, ds, if rows >= PARALLEL_ROWS { 2 } else { 1 })
}

/// Evaluates with `threads` threads for the indicators that read no other.
pub fn evaluate_with(fw: &Framework, ds: &Dataset, threads: usize) -> (Results, Vec<Diag>) {
    let plan = Plan::new(fw);
    let mut ev = Evaluator::new(
        fw,
        &plan,
        ds,
        // The dataset's own columns, shared: a rule or a condition that
        // blanks answers copies that one column (`Arc::make_mut`).
        ds.columns.clone(),
    );
    ev.warm_lets();
    let not_asked = ev.conditions();
    if !not_asked.is_empty() {
        ev.warm_lets();
    }
    let rule_failures = ev.rules();
    ev.warm_lets();
    let free: &[IndicatorId] = if threads > 1 { &plan.independent } else { &[] };
    if !free.is_empty() {
        ev.in_threads(free, threads);
    }
    for node in &fw.order {
        match *node {
            Node::Let(_) => {}
            Node::Indicator(i) if !free.contains(&i) => ev.indicator(i),
            Node::Indicator(_) => {}
            Node::Dimension(d) => ev.dimension(d),
        }
    }
    let evidence = fw.evidence.keys().map(|e| (e, ev.evidence(e))).collect();
    let diags = ev.finish_diags();
    let benchmarks = benchmark::all(fw, ds, &ev.ind, &ev.dims);
    let results = Results {
        benchmarks,
        indicators: ev.ind,
        dimensions: ev.dims,
        evidence,
        levels: plan.levels.clone(),
        rule_failures,
        not_asked,
    };
    (results, diags)
}

/// Completes results whose values, scores and statuses another runner (a
/// database) computed: ratings, each dimension's parts and gate reads,
/// and the benchmarks, by the rules the in-memory runner applies.
pub fn complete(fw: &Framework, ds: &Dataset, results: &mut Results) {
    use own::ratings;
    for ((i, _), lv) in results.indicators.iter_mut() {
        if lv.distribution.is_none() {
            lv.rating = ratings(fw, fw.indicators[*i].rate, &lv.score, None);
        }
    }
    for ((d, _), lv) in results.dimensions.iter_mut() {
        lv.rating = ratings(
            fw,
            fw.dimensions[*d].rate,
            &lv.score,
            lv.failed_gates.as_deref(),
        );
    }
    let plan = Plan::new(fw);
    let mut ev = Evaluator::new(fw, &plan, ds, List::new());
    ev.ind = std::mem::take(&mut results.indicators);
    ev.dims = std::mem::take(&mut results.dimensions);
    let keys: Vec<(DimensionId, LevelId)> = ev.dims.keys().copied().collect();
    for (d, l) in keys {
        let (parts, reads) = ev.parts_and_reads(d, l);
        let lv = ev.dims.get_mut(&(d, l)).expect("listed above");
        lv.parts = parts;
        lv.gate_reads = reads;
    }
    results.benchmarks = benchmark::all(fw, ds, &ev.ind, &ev.dims);
    results.indicators = ev.ind;
    results.dimensions = ev.dims;
}

impl<'a> Evaluator<'a> {
    fn new(
        fw: &'a Framework,
        plan: &'a Plan,
        ds: &'a Dataset,
        columns: List<QuestionId, Arc<Column>>,
    ) -> Evaluator<'a> {
        Evaluator {
            fw,
            plan,
            ds,
            columns,
            not_asked: vec![None; fw.questions.len()].into(),
            anc_cache: HashMap::new(),
            let_cache: HashMap::new(),
            row_cache: HashMap::new(),
            ind: ByLevel::default(),
            dims: ByLevel::default(),
            div_zero: IndexMap::new(),
            bad_weights: IndexMap::new(),
            diags: Vec::new(),
        }
    }

    /// Evaluates the indicators `free` (which read no other) on `threads`
    /// threads, each with its own runner over the same columns and lets.
    fn in_threads(&mut self, free: &[IndicatorId], threads: usize) {
        let (fw, plan, ds) = (self.fw, self.plan, self.ds);
        let parts: Vec<Vec<IndicatorId>> = (0..threads)
            .map(|t| free.iter().copied().skip(t).step_by(threads).collect())
            .collect();
        let (columns, lets, not_asked) = (&self.columns, &self.let_cache, &self.not_asked);
        let done = std::thread::scope(|s| {
            let handles: Vec<_> = parts
                .iter()
                .map(|part| {
                    s.spawn(move || {
                        let mut w = Evaluator::new(fw, plan, ds, columns.clone());
                        w.let_cache = lets.clone();
                        w.not_asked = not_asked.clone();
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
            self.ind.extend(ind);
            self.diags.extend(diags);
            for (k, v) in div_zero {
                *self.div_zero.entry(k).or_insert(0) += v;
            }
            for (k, v) in bad_weights {
                *self.bad_weights.entry(k).or_insert(0) += v;
            }
        }
    }

    /// The diagnostics of the run, counted ones added, in the same order
    /// whatever the number of threads.
    fn finish_diags(&mut self) -> Vec<Diag> {
        let mut diags = std::mem::take(&mut self.diags);
        for (span, n) in std::mem::take(&mut self.div_zero) {
            diags.push(
                Diag::warning(EvalError::DivisionByZero(n), span, "divides by zero")
                    .help("guard the denominator, e.g. `if d > 0 then n / d else 0`, if a value is expected there"),
            );
        }
        for (span, n) in std::mem::take(&mut self.bad_weights) {
            diags.push(Diag::warning(EvalError::BadWeight(n), span, "this weight"));
        }
        diags.sort_by_key(|d| (d.primary.span.src, d.primary.span.start));
        diags
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
                Some(x) => x.index()..x.index() + 1,
                None => 0..fw.levels.len(),
            };
            let levels = levels.map(LevelId::from);
            for l in levels {
                let c = self.eval(e, l, &mut Scope::default());
                self.let_cache.insert((i, l), c);
            }
        }
    }
}
