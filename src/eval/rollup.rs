//! An indicator at a coarser level, by its rollup: one function per kind.
//!
//! In: an indicator already evaluated at its own level, where it applies
//! there, and the sums of its value when it is one additive aggregate.
//! Out: its [`IndLevel`] at the coarser level. `pooled` regroups those
//! sums (or, failing them, evaluates the value again over the coarser
//! units' rows, counting only units where it applies); `distribution`
//! counts units per option; the unit rollups (`sum`, `mean`, `median`,
//! `min`, `max`, weighted mean) combine the units' values.

use super::agg::{self, Sum};
use super::expr::{AggStat, Scope, nums};
use super::own::{Extras, Measured, any_up, mask};
use super::{Evaluator, IndLevel};
use crate::data::Column;
use crate::data::column::{NA_BOOL, NA_OPT};
use crate::ir::{self, IndicatorId, LevelId, Rollup};
use std::sync::Arc;

/// What every rollup of one indicator to one level starts from. For the
/// cells of a breakdown, the "units" are cells: each finer entry (a unit,
/// or a unit's cell) goes to one coarser cell.
pub(super) struct Frame {
    /// Each finer entry's group at the coarser level.
    pub up: Arc<Vec<u32>>,
    /// Where the indicator applies at the coarser level.
    pub appl: Vec<u8>,
    /// The finer values.
    pub own: Column,
    /// Where it applies, per finer entry.
    pub appl_own: Vec<u8>,
    /// Each finer entry's unit of the own level (for weights), when the
    /// entries are not the units themselves.
    pub own_unit: Option<Vec<u32>>,
    /// Per coarser entry: finer entries with a value, and where it applies.
    pub units: Vec<u32>,
    pub total: Vec<u32>,
}

impl Frame {
    pub(super) fn new(
        up: Arc<Vec<u32>>,
        appl: Vec<u8>,
        own: Column,
        appl_own: Vec<u8>,
        own_unit: Option<Vec<u32>>,
    ) -> Frame {
        let nc = appl.len();
        let mut units = vec![0u32; nc];
        let mut total = vec![0u32; nc];
        for (u, &g) in up.iter().enumerate() {
            if g == u32::MAX || appl_own[u] != 1 {
                continue;
            }
            total[g as usize] += 1;
            if own.present(u) {
                units[g as usize] += 1;
            }
        }
        Frame {
            up,
            appl,
            own,
            appl_own,
            own_unit,
            units,
            total,
        }
    }

    fn counts(&self) -> Option<(Vec<u32>, Vec<u32>)> {
        Some((self.units.clone(), self.total.clone()))
    }

    /// Share of the applicable finer units that have a value.
    fn unit_coverage(&self) -> Vec<f64> {
        let ratio = |(&a, &b): (&u32, &u32)| if b > 0 { a as f64 / b as f64 } else { f64::NAN };
        self.units.iter().zip(&self.total).map(ratio).collect()
    }
}

impl Evaluator<'_> {
    /// Indicator `i` at the coarser level `c`.
    pub(super) fn rollup(
        &mut self,
        i: IndicatorId,
        c: LevelId,
        appl_at: &[u8],
        own_acc: Option<&agg::Acc>,
    ) -> IndLevel {
        let f = self.frame(i, c, appl_at);
        let fw = self.fw;
        match (&fw.indicators[i].rollup, own_acc) {
            (Rollup::Pooled, Some(acc)) => self.pooled_sums(i, c, appl_at, acc, f),
            (Rollup::Pooled, None) => self.pooled_rows(i, c, appl_at, f),
            (Rollup::Distribution, _) => self.distribution(i, c, f),
            (r, _) => self.unit_rollup(i, c, r, f),
        }
    }

    fn frame(&mut self, i: IndicatorId, c: LevelId, appl_at: &[u8]) -> Frame {
        let at = self.fw.indicators[i].at;
        let nc = self.n_units(c);
        let up = self.anc(at, c);
        let appl = any_up(appl_at, &up, nc);
        let own = self.ind[&(i, at)].value.clone();
        Frame::new(up, appl, own, appl_at.to_vec(), None)
    }

    /// A pooled value from the regrouped sums of its one aggregate.
    fn pooled_sums(
        &mut self,
        i: IndicatorId,
        c: LevelId,
        appl_at: &[u8],
        acc: &agg::Acc,
        f: Frame,
    ) -> IndLevel {
        let ind = &self.fw.indicators[i];
        let out = agg::finalize(acc.regroup(&f.up, appl_at, f.appl.len()));
        if out.div_zero > 0 {
            *self.div_zero.entry(ind.value.span).or_insert(0) += out.div_zero;
        }
        let stat = AggStat {
            n: out.n,
            passed: out.passed,
            ci: out.ci,
            acc: None,
        };
        let mut m = self.measure(&ind.value, Column::Num(out.values), &[stat]);
        mask(&mut m.value, &f.appl);
        let x = pooled_extras(&f);
        self.finish_level(i, c, m, &f.appl, x)
    }

    /// A pooled value evaluated again over the coarser units' rows.
    fn pooled_rows(&mut self, i: IndicatorId, c: LevelId, appl_at: &[u8], f: Frame) -> IndLevel {
        let ind = &self.fw.indicators[i];
        let mut sc = Scope::masked(ind.at, appl_at);
        let value = Arc::unwrap_or_clone(self.eval(&ind.value, c, &mut sc));
        let mut m = self.measure(&ind.value, value, &sc.stats);
        mask(&mut m.value, &f.appl);
        let x = pooled_extras(&f);
        self.finish_level(i, c, m, &f.appl, x)
    }

    /// How many applicable finer units give each option.
    pub(super) fn distribution(&mut self, i: IndicatorId, c: LevelId, f: Frame) -> IndLevel {
        let fw = self.fw;
        let k = match &fw.indicators[i].value.ty {
            ir::Type::Option(q) => fw.questions[*q].ty.options().len(),
            _ => 0,
        };
        let nc = f.appl.len();
        let mut dist = vec![vec![0u32; k]; nc];
        if let Column::Opt(v) = &f.own {
            for (u, &g) in f.up.iter().enumerate() {
                if g != u32::MAX && f.appl_own[u] == 1 && v[u] != NA_OPT {
                    dist[g as usize][v[u] as usize] += 1;
                }
            }
        }
        self.level_of_units(i, c, f, vec![f64::NAN; nc], Some(dist))
    }

    /// The units' values combined: sum, mean, weighted mean, median, min, max.
    pub(super) fn unit_rollup(
        &mut self,
        i: IndicatorId,
        c: LevelId,
        r: &Rollup,
        f: Frame,
    ) -> IndLevel {
        let at = self.fw.indicators[i].at;
        let vals: Vec<f64> = match &f.own {
            Column::Num(v) => v.clone(),
            Column::Bool(v) => v
                .iter()
                .map(|&b| if b == NA_BOOL { f64::NAN } else { b as f64 })
                .collect(),
            _ => vec![f64::NAN; f.own.len()],
        };
        let weights: Option<Vec<f64>> = match r {
            Rollup::MeanWeighted(w) => {
                let w = self.eval(w, at, &mut Scope::default());
                let w = match &f.own_unit {
                    Some(idx) => Arc::new(w.gather(idx)),
                    None => w,
                };
                Some(nums(&w).into_owned())
            }
            _ => None,
        };
        let nc = f.appl.len();
        let mut groups: Vec<Vec<(f64, f64)>> = vec![Vec::new(); nc];
        for (u, &g) in f.up.iter().enumerate() {
            if g == u32::MAX || f.appl_own[u] != 1 || vals[u].is_nan() {
                continue;
            }
            let w = weights.as_ref().map(|w| w[u]).unwrap_or(1.0);
            if w.is_nan() || w < 0.0 {
                continue;
            }
            groups[g as usize].push((vals[u], w));
        }
        let value: Vec<f64> = groups.iter_mut().map(|g| combine_units(r, g)).collect();
        self.level_of_units(i, c, f, value, None)
    }

    /// A level made from the finer units' values: n is the units with a
    /// value, coverage their share of the units where it applies.
    fn level_of_units(
        &mut self,
        i: IndicatorId,
        c: LevelId,
        f: Frame,
        value: Vec<f64>,
        distribution: Option<Vec<Vec<u32>>>,
    ) -> IndLevel {
        let m = Measured {
            n: f.units.clone(),
            coverage: f.unit_coverage(),
            ci: vec![None; value.len()],
            value: Column::Num(value),
        };
        let x = Extras {
            min_n_applies: false,
            units: f.counts(),
            distribution,
        };
        self.finish_level(i, c, m, &f.appl, x)
    }
}

fn pooled_extras(f: &Frame) -> Extras {
    Extras {
        min_n_applies: true,
        units: f.counts(),
        distribution: None,
    }
}

/// One coarser unit's value from its units' (value, weight) pairs.
fn combine_units(r: &Rollup, g: &mut [(f64, f64)]) -> f64 {
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
            let sorted: Vec<f64> = g.iter().map(|p| p.0).collect();
            super::agg::percentile(&sorted, 50.0)
        }
        Rollup::Min => g[0].0,
        Rollup::Max => g[g.len() - 1].0,
        _ => f64::NAN,
    }
}
