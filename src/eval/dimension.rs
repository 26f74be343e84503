//! Dimensions: the scores of their children combined, and their gates.
//!
//! In: a dimension whose children are evaluated. Out: its [`DimLevel`] at
//! every level it is reported at: score, coverage (the weight of scored
//! children over the weight of applicable ones), status, and the gates
//! that failed at each unit.

use super::expr::{Scope, bools};
use super::own::ratings;
use super::{DimLevel, Evaluator, GateOperand, GateRead, Part, Status, score};
use crate::data::Column;
use crate::data::column::NA_BOOL;
use crate::ir::{Aggregate, ChildRef, DimensionId, ExprKind, LevelId};

/// One child at one level: its weight, scores and statuses.
type ChildColumns = (f64, Vec<f64>, Vec<Status>);

impl Evaluator<'_> {
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

    /// Each child of dimension `d` at level `l`: weight, scores, statuses.
    fn children_at(&self, d: DimensionId, l: LevelId) -> Vec<ChildColumns> {
        self.fw.dimensions[d]
            .children
            .iter()
            .map(|c| {
                (
                    c.weight,
                    self.child_scores(c.item, l),
                    self.child_status(c.item, l),
                )
            })
            .collect()
    }

    /// Dimension `d` at every level it is reported at.
    pub(super) fn dimension(&mut self, d: DimensionId) {
        let fw = self.fw;
        for &l in &fw.dimensions[d].levels {
            let lv = self.dimension_at(d, l);
            self.dims.insert((d, l), lv);
        }
    }

    fn dimension_at(&mut self, d: DimensionId, l: LevelId) -> DimLevel {
        let dim = &self.fw.dimensions[d];
        let n = self.n_units(l);
        let appl = self.applicability(dim.when.as_ref(), l);
        let children = self.children_at(d, l);
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
            let Some(total) = scored_parts(&children, u, &mut parts) else {
                status[u] = Status::NotApplicable;
                continue;
            };
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
        let failed_gates = (!dim.gates.is_empty()).then(|| self.gates(d, l));
        let gate_reads = (0..dim.gates.len())
            .map(|g| self.gate_reads(d, g, l))
            .collect();
        let rating = ratings(self.fw, dim.rate, &score, failed_gates.as_deref());
        let parts = part_columns(&children, dim.aggregate == Aggregate::Mean);
        DimLevel {
            score,
            coverage,
            status,
            failed_gates,
            rating,
            parts,
            gate_reads,
        }
    }

    /// What gate `g` of `d` reads at level `l`, each operand once, in the
    /// order written.
    fn gate_reads(&mut self, d: DimensionId, g: usize, l: LevelId) -> Vec<GateRead> {
        let mut operands: Vec<GateOperand> = Vec::new();
        self.fw.dimensions[d].gates[g].expr.walk(&mut |e| {
            let op = match e.kind {
                ExprKind::Indicator(i) => GateOperand::Value(i),
                ExprKind::Score(c) => GateOperand::Score(c),
                ExprKind::DimensionScore(k) => GateOperand::Score(ChildRef::Dimension(k)),
                _ => return,
            };
            if !operands.contains(&op) {
                operands.push(op);
            }
        });
        operands
            .into_iter()
            .map(|operand| {
                let values = match operand {
                    GateOperand::Value(i) => self.indicator_value(i, l),
                    GateOperand::Score(c) => Column::Num(self.child_scores(c, l)),
                };
                GateRead { operand, values }
            })
            .collect()
    }

    /// Per unit of `l`: the indices of the gates of `d` that fail. A gate
    /// reading a child that does not apply at a unit is not tested there.
    fn gates(&mut self, d: DimensionId, l: LevelId) -> Vec<Vec<usize>> {
        let dim = &self.fw.dimensions[d];
        let n = self.n_units(l);
        let mut failed = vec![Vec::new(); n];
        for (gi, g) in dim.gates.iter().enumerate() {
            let statuses: Vec<Vec<Status>> = (self.plan.gate(d, gi).iter())
                .map(|c| self.child_status(*c, l))
                .collect();
            let col = bools(&self.eval(&g.expr, l, &mut Scope::default())).into_owned();
            for u in 0..n {
                let not_applicable = statuses.iter().any(|s| s[u] == Status::NotApplicable);
                if !not_applicable && col[u] != 1 {
                    failed[u].push(gi);
                }
            }
        }
        failed
    }
}

/// The (weight, score) of the scored children at unit `u`, into `parts`;
/// returns the total weight of the children that apply there, `None`
/// when none does.
fn scored_parts(children: &[ChildColumns], u: usize, parts: &mut Vec<(f64, f64)>) -> Option<f64> {
    parts.clear();
    let mut total = 0.0;
    for (w, s, st) in children {
        if st[u] == Status::NotApplicable {
            continue;
        }
        total += w;
        if !s[u].is_nan() {
            parts.push((*w, s[u]));
        }
    }
    (total != 0.0).then_some(total)
}

/// Each child's weight after reweighting over the scored children that
/// apply, and its contribution (weight × score) to a weighted mean, at
/// every unit (whether or not the dimension applies there, so that a
/// trace can show them).
fn part_columns(children: &[ChildColumns], mean: bool) -> Vec<Part> {
    let n = children.first().map_or(0, |c| c.1.len());
    let has = |c: &ChildColumns, u: usize| c.2[u] != Status::NotApplicable && !c.1[u].is_nan();
    let scored: Vec<f64> = (0..n)
        .map(|u| children.iter().filter(|c| has(c, u)).map(|c| c.0).sum())
        .collect();
    children
        .iter()
        .map(|c| {
            let weight: Vec<f64> = (0..n)
                .map(|u| match has(c, u) && scored[u] > 0.0 {
                    true => c.0 / scored[u],
                    false => f64::NAN,
                })
                .collect();
            let contribution = (0..n)
                .map(|u| match mean && has(c, u) {
                    true => weight[u] * c.1[u],
                    false => f64::NAN,
                })
                .collect();
            Part {
                weight,
                contribution,
            }
        })
        .collect()
}

impl Evaluator<'_> {
    /// A dimension's parts and gate reads at level `l`, from its children
    /// as they stand: for results whose scores another runner computed.
    pub(super) fn parts_and_reads(
        &mut self,
        d: DimensionId,
        l: LevelId,
    ) -> (Vec<Part>, Vec<Vec<GateRead>>) {
        let dim = &self.fw.dimensions[d];
        let children = self.children_at(d, l);
        let parts = part_columns(&children, dim.aggregate == Aggregate::Mean);
        let reads = (0..dim.gates.len())
            .map(|g| self.gate_reads(d, g, l))
            .collect();
        (parts, reads)
    }
}
