//! The evaluation plan: what a framework asks of the data, worked out once.
//!
//! In: a checked [`Framework`] whose expressions are numbered
//! ([`Framework::number_exprs`]). Out: a [`Plan`]: which items each
//! expression reads, which questions a rule blanks when it fails, which
//! children each gate reads, in what order the questions asked only to
//! some are settled, the level each evidence is collected at, the
//! levels that appear in results, and the indicators that read no other
//! (so a runner may compute them in any order, on several threads). The
//! in-memory runner reads it; a SQL compiler can read the same facts.

use crate::ir::{
    ChildRef, DimensionId, EvidenceId, Expr, ExprId, ExprKind, Framework, IndicatorId, LetId,
    LevelId, List, Node, Normalize, QuestionId, Rollup,
};
use std::collections::HashMap;

/// What an expression reads directly (not through lets).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reads {
    pub questions: Vec<QuestionId>,
    pub lets: Vec<LetId>,
    pub indicators: Vec<IndicatorId>,
    /// Children read by `score(…)` or by name in a gate.
    pub children: Vec<ChildRef>,
}

impl Reads {
    /// Everything `e` and its sub-expressions read, each item once, in the
    /// order first met.
    pub fn of(e: &Expr) -> Reads {
        let mut r = Reads::default();
        e.walk(&mut |x| match x.kind {
            ExprKind::Question(q) => push_new(&mut r.questions, q),
            ExprKind::Let(l) => push_new(&mut r.lets, l),
            ExprKind::Indicator(i) => {
                push_new(&mut r.indicators, i);
                push_new(&mut r.children, ChildRef::Indicator(i));
            }
            ExprKind::Score(c) => push_new(&mut r.children, c),
            ExprKind::DimensionScore(d) => push_new(&mut r.children, ChildRef::Dimension(d)),
            _ => {}
        });
        r
    }
}

fn push_new<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// A framework's evaluation, planned.
#[derive(Debug, Clone)]
pub struct Plan {
    /// How many expression nodes the framework has (ids run from 1).
    pub exprs: u32,
    /// Per rule: the questions it reads; those of its level are blanked at
    /// a unit where a rule of severity `error` fails.
    pub rule_questions: Vec<Vec<QuestionId>>,
    /// Per dimension, per gate: the children the gate reads.
    pub gate_children: List<DimensionId, Vec<Vec<ChildRef>>>,
    /// Per evidence: the level its `collect` is read at.
    pub evidence_level: List<EvidenceId, LevelId>,
    /// Levels that appear in results, coarsest first.
    pub levels: Vec<LevelId>,
    /// Indicators that read no other indicator, directly or through lets,
    /// in the framework's order.
    pub independent: Vec<IndicatorId>,
    /// Per indicator: its value is one aggregate, whose sums a pooled
    /// rollup regroups.
    pub single_aggregate: List<IndicatorId, bool>,
    /// Per expression id: it holds an aggregate, directly or through a let.
    pub aggregated: Vec<bool>,
    /// Per indicator: its value aggregates rows (a respondent aggregate,
    /// which `min_group` protects).
    pub respondents: List<IndicatorId, bool>,
    /// Per indicator: its value counts rows, so its `n` tells the count.
    pub counts: List<IndicatorId, bool>,
    /// Questions asked only to some (`when`), in layers: the conditions of
    /// a layer read only answers settled by earlier layers.
    pub condition_layers: Vec<Vec<QuestionId>>,
    /// Per aggregate (by expression id) whose arguments read, directly or
    /// through lets, questions asked only to some: those questions. A row
    /// where one of them was not asked does not count against coverage.
    pub asked_by: HashMap<ExprId, Vec<QuestionId>>,
}

impl Plan {
    /// Plans the evaluation of `fw`.
    ///
    /// # Panics
    /// When the framework's expressions are not numbered: a framework
    /// comes from the checker, which numbers them.
    pub fn new(fw: &Framework) -> Plan {
        let exprs = max_id(fw);
        assert!(
            exprs > 0 || no_exprs(fw),
            "the checker numbers expressions before evaluation"
        );
        let rule_questions = fw
            .rules
            .iter()
            .map(|r| Reads::of(&r.check).questions)
            .collect();
        let gate_children = fw
            .dimensions
            .iter()
            .map(|d| {
                d.gates
                    .iter()
                    .map(|g| Reads::of(&g.expr).children)
                    .collect()
            })
            .collect();
        let evidence_level = fw
            .evidence
            .iter()
            .map(|e| e.collect.level.unwrap_or(e.at).max(e.at))
            .collect();
        let single_aggregate = fw
            .indicators
            .iter()
            .map(|i| matches!(i.value.kind, ExprKind::Agg(_)))
            .collect();
        let aggregated = aggregated(fw, exprs);
        let respondents = fw
            .indicators
            .iter()
            .map(|i| aggregated[i.value.id.0 as usize])
            .collect();
        let counts = fw.indicators.iter().map(|i| counts(&i.value)).collect();
        let let_questions = let_questions(fw);
        Plan {
            condition_layers: condition_layers(fw, &let_questions),
            asked_by: asked_by(fw, &let_questions),
            exprs,
            aggregated,
            respondents,
            counts,
            rule_questions,
            gate_children,
            evidence_level,
            levels: reported_levels(fw),
            independent: independent(fw),
            single_aggregate,
        }
    }

    /// The children of dimension `d`'s gate `g`.
    pub fn gate(&self, d: DimensionId, g: usize) -> &[ChildRef] {
        &self.gate_children[d][g]
    }
}

/// Per expression id, whether the node holds an aggregate, directly or
/// through a let. Lets are visited in dependency order and each tree's
/// nodes children first, so nothing recurses.
fn aggregated(fw: &Framework, exprs: u32) -> Vec<bool> {
    let mut out = vec![false; exprs as usize + 1];
    let mut let_agg: List<LetId, bool> = vec![false; fw.lets.len()].into();
    let mark = |e: &Expr, let_agg: &List<LetId, bool>, out: &mut Vec<bool>| {
        let mut nodes = Vec::new();
        e.walk(&mut |x| nodes.push(x));
        for x in nodes.into_iter().rev() {
            let own = match x.kind {
                ExprKind::Agg(_) => true,
                ExprKind::Let(l) => let_agg[l],
                _ => false,
            };
            let kids = x.children().iter().any(|c| out[c.id.0 as usize]);
            out[x.id.0 as usize] = own || kids;
        }
    };
    for node in &fw.order {
        if let Node::Let(l) = *node {
            mark(&fw.lets[l].expr, &let_agg, &mut out);
            let_agg[l] = out[fw.lets[l].expr.id.0 as usize];
        }
    }
    for e in fw.exprs() {
        mark(e, &let_agg, &mut out);
    }
    out
}

/// Per let: the questions it reads, directly or through other lets
/// (visited in dependency order, so each let's list is ready when read).
fn let_questions(fw: &Framework) -> List<LetId, Vec<QuestionId>> {
    let mut out: List<LetId, Vec<QuestionId>> = vec![Vec::new(); fw.lets.len()].into();
    for node in &fw.order {
        if let Node::Let(l) = *node {
            out[l] = questions_in(&fw.lets[l].expr, &out);
        }
    }
    out
}

/// The questions `e` reads, directly or through lets.
fn questions_in(e: &Expr, lets: &List<LetId, Vec<QuestionId>>) -> Vec<QuestionId> {
    let r = Reads::of(e);
    let mut qs = r.questions;
    for l in r.lets {
        for &q in &lets[l] {
            push_new(&mut qs, q);
        }
    }
    qs
}

/// The conditioned questions by layer: a condition that reads another
/// conditioned question comes in a later layer than it (the checker
/// refused cycles).
fn condition_layers(fw: &Framework, lets: &List<LetId, Vec<QuestionId>>) -> Vec<Vec<QuestionId>> {
    let reads: List<QuestionId, Vec<QuestionId>> = fw
        .questions
        .iter()
        .map(|q| {
            q.when
                .as_ref()
                .map_or(Vec::new(), |w| questions_in(w, lets))
        })
        .collect();
    let mut layer: List<QuestionId, Option<usize>> = vec![None; fw.questions.len()].into();
    let mut out: Vec<Vec<QuestionId>> = Vec::new();
    let mut left: Vec<QuestionId> = (fw.questions.keys())
        .filter(|&q| fw.questions[q].when.is_some())
        .collect();
    while !left.is_empty() {
        let depth = out.len();
        let ready: Vec<QuestionId> = left
            .iter()
            .copied()
            .filter(|&q| {
                reads[q]
                    .iter()
                    .all(|&r| fw.questions[r].when.is_none() || layer[r].is_some_and(|d| d < depth))
            })
            .collect();
        if ready.is_empty() {
            // A cycle the checker let through: ask these questions of
            // everyone rather than loop.
            break;
        }
        for &q in &ready {
            layer[q] = Some(depth);
        }
        left.retain(|q| !ready.contains(q));
        out.push(ready);
    }
    out
}

/// The conditioned questions behind each aggregate's arguments.
fn asked_by(
    fw: &Framework,
    lets: &List<LetId, Vec<QuestionId>>,
) -> HashMap<ExprId, Vec<QuestionId>> {
    let mut out = HashMap::new();
    if fw.questions.iter().all(|q| q.when.is_none()) {
        return out;
    }
    let mut aggs = Vec::new();
    for e in fw.exprs() {
        e.walk(&mut |x| {
            if let ExprKind::Agg(a) = &x.kind {
                aggs.push((x.id, a));
            }
        });
    }
    for (id, a) in aggs {
        let mut qs = Vec::new();
        for arg in &a.args {
            for q in questions_in(arg, lets) {
                if fw.questions[q].when.is_some() {
                    push_new(&mut qs, q);
                }
            }
        }
        if !qs.is_empty() {
            out.insert(id, qs);
        }
    }
    out
}

/// Whether a value is a count of rows (`count(…)`).
fn counts(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Agg(crate::ir::Agg {
            func: crate::ir::AggFunc::Count | crate::ir::AggFunc::CountRows,
            ..
        })
    )
}

fn max_id(fw: &Framework) -> u32 {
    let mut top = 0;
    for e in fw.exprs() {
        e.walk(&mut |x| top = top.max(x.id.0));
    }
    top
}

fn no_exprs(fw: &Framework) -> bool {
    fw.exprs().is_empty()
}

/// Levels at which an indicator, a dimension or evidence is reported.
fn reported_levels(fw: &Framework) -> Vec<LevelId> {
    (fw.levels.keys())
        .filter(|&l| {
            fw.indicators.iter().any(|i| i.levels.contains(&l))
                || fw.dimensions.iter().any(|d| d.levels.contains(&l))
                || fw.evidence.iter().any(|e| e.at == l)
        })
        .collect()
}

/// Indicators that read no indicator, directly or through lets. Lets are
/// visited in dependency order, so a chain of lets costs no recursion.
fn independent(fw: &Framework) -> Vec<IndicatorId> {
    let mut let_reads: List<LetId, bool> = vec![false; fw.lets.len()].into();
    let reads_any = |e: &Expr, let_reads: &List<LetId, bool>| {
        let r = Reads::of(e);
        !r.indicators.is_empty() || r.lets.iter().any(|&l| let_reads[l])
    };
    for node in &fw.order {
        if let Node::Let(l) = *node {
            let_reads[l] = reads_any(&fw.lets[l].expr, &let_reads);
        }
    }
    fw.order
        .iter()
        .filter_map(|n| match *n {
            Node::Indicator(i) => Some(i),
            _ => None,
        })
        .filter(|&i| {
            let ind = &fw.indicators[i];
            let mut exprs: Vec<&Expr> = vec![&ind.value];
            exprs.extend(ind.when.iter());
            if let Some(Normalize::Target(t)) = &ind.normalize {
                exprs.push(t);
            }
            if let Rollup::MeanWeighted(w) = &ind.rollup {
                exprs.push(w);
            }
            !exprs.into_iter().any(|e| reads_any(e, &let_reads))
        })
        .collect()
}
