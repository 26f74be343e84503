//! An indicator at its own level, and the steps every level shares.
//!
//! In: an indicator. Out: its [`IndLevel`] at its own level (value, n,
//! coverage, interval, score, status), then its rolled-up levels (see
//! `rollup`), then `min_group` applied to pooled values. Also where an
//! item applies (`when`), and the n / coverage / interval of a value
//! from the statistics of the aggregates it used.

use super::expr::{AggStat, Scope, bools};
use super::{Evaluator, IndLevel, Status};
use crate::data::Column;
use crate::data::column::NA_BOOL;
use crate::ir::{self, ExprKind, IndicatorId, LevelId, RatingsId, Rollup};
use std::sync::Arc;

/// A value measured at one level, before it is scored.
pub(super) struct Measured {
    pub value: Column,
    pub n: Vec<u32>,
    pub coverage: Vec<f64>,
    pub ci: Vec<Option<(f64, f64)>>,
}

/// What a level adds to its measure.
#[derive(Default)]
pub(super) struct Extras {
    /// `min_n` is tested (values from rows, not from units).
    pub min_n_applies: bool,
    /// For rolled-up levels: finer units with a value, and where it applies.
    pub units: Option<(Vec<u32>, Vec<u32>)>,
    /// For `rollup distribution`: finer units per option.
    pub distribution: Option<Vec<Vec<u32>>>,
}

impl Evaluator<'_> {
    /// Where an item applies at level `l`: 1, 0, or missing. A condition
    /// written at a finer level applies to a unit when it holds for any
    /// finer unit.
    pub(super) fn applicability(&mut self, when: Option<&ir::Expr>, l: LevelId) -> Vec<u8> {
        let n = self.n_units(l);
        let Some(w) = when else { return vec![1; n] };
        let wl = w.level.unwrap_or(l);
        let sc = &mut Scope::default();
        if wl <= l {
            return bools(&self.eval(w, l, sc)).into_owned();
        }
        let fine = bools(&self.eval(w, wl, sc)).into_owned();
        let up = self.anc(wl, l);
        any_up(&fine, &up, n)
    }

    /// n, coverage and interval of a value from the aggregates it used.
    pub(super) fn measure(&self, e: &ir::Expr, value: Column, stats: &[AggStat]) -> Measured {
        let n = value.len();
        if stats.is_empty() {
            let nn = (0..n).map(|r| value.present(r) as u32).collect();
            let cov = (0..n)
                .map(|r| if value.present(r) { 1.0 } else { f64::NAN })
                .collect();
            return Measured {
                value,
                n: nn,
                coverage: cov,
                ci: vec![None; n],
            };
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
            e.kind,
            ExprKind::Agg(crate::ir::Agg {
                func: ir::AggFunc::Share | ir::AggFunc::Mean,
                ..
            })
        );
        let ci = match (&stats[0].ci, top_agg && stats.len() == 1) {
            (Some(c), true) => c.clone(),
            _ => vec![None; n],
        };
        Measured {
            value,
            n: nn,
            coverage: cov,
            ci,
        }
    }

    /// An indicator at every level it is reported at, with its cells,
    /// then disclosure control, then scores (relative scales are read over
    /// the values left shown).
    pub(super) fn indicator(&mut self, i: IndicatorId) {
        let fw = self.fw;
        let ind = &fw.indicators[i];
        let at = ind.at;
        let (appl, hidden) = self.applicability_hidden(ind.when.as_ref(), at);
        let mut sc = Scope::default();
        let value = Arc::unwrap_or_clone(self.eval(&ind.value, at, &mut sc));
        let mut stats = sc.stats;
        let mut m = self.measure(&ind.value, value, &stats);
        // A value that is one additive aggregate pools from its sums.
        let own_acc = match (self.plan.single_aggregate[i], stats.len()) {
            (true, 1) => stats.pop().and_then(|s| s.acc),
            _ => None,
        };
        mask(&mut m.value, &appl);
        let extras = Extras {
            min_n_applies: self.plan.respondents[i],
            ..Extras::default()
        };
        let mut own = self.finish_level(i, at, m, &appl, extras);
        own.by = self.cells_here(i, at, &appl);
        self.ind.insert((i, at), own);
        let mut hidden_at = vec![(at, hidden)];
        // Rollups over units read the finer values left shown.
        let pooled = matches!(ind.rollup, Rollup::Pooled);
        if !pooled {
            self.disclose(i, &hidden_at);
        }
        for &c in ind.levels.iter().filter(|&&c| c < at) {
            let mut lv = self.rollup(i, c, &appl, own_acc.as_ref());
            lv.by = match pooled {
                true => self.cells_here(i, c, &appl),
                false => self.cells_of_units(i, c, &appl),
            };
            let up = self.anc(at, c);
            hidden_at.push((c, hidden_up(&hidden_at[0].1, &up, &lv.status)));
            self.ind.insert((i, c), lv);
        }
        self.row_cache.clear();
        if pooled {
            self.disclose(i, &hidden_at);
        }
        self.score_levels(i);
    }

    /// Where an item applies at level `l`, and where that cannot be shown
    /// because its condition reads an aggregate of fewer rows than
    /// `min_group` (its status is then `suppressed`).
    fn applicability_hidden(
        &mut self,
        when: Option<&ir::Expr>,
        l: LevelId,
    ) -> (Vec<u8>, Vec<bool>) {
        let n = self.n_units(l);
        let Some(w) = when else {
            return (vec![1; n], vec![false; n]);
        };
        let k = self.fw.min_group;
        let wl = w.level.unwrap_or(l).max(l);
        let mut sc = Scope::default();
        let fine = bools(&self.eval(w, wl, &mut sc)).into_owned();
        let small: Vec<bool> = (0..self.n_units(wl))
            .map(|u| k > 1 && sc.stats.iter().any(|s| s.n.get(u).is_some_and(|&x| x < k)))
            .collect();
        if wl == l {
            return (fine, small);
        }
        let up = self.anc(wl, l);
        let mut hidden = vec![false; n];
        for (u, &g) in up.iter().enumerate() {
            if g != u32::MAX && small[u] {
                hidden[g as usize] = true;
            }
        }
        (any_up(&fine, &up, n), hidden)
    }

    /// Scores and ratings of every level of an indicator and of its cells,
    /// once disclosure control has blanked what it hides.
    fn score_levels(&mut self, i: IndicatorId) {
        let fw = self.fw;
        let ind = &fw.indicators[i];
        let relative = matches!(
            ind.normalize,
            Some(ir::Normalize::MinMax | ir::Normalize::Rank)
        );
        for &l in &ind.levels {
            let Some(mut lv) = self.ind.remove(&(i, l)) else {
                continue;
            };
            if lv.distribution.is_none() {
                lv.score = self.score(i, l, &lv.value, 1);
                lv.rating = ratings(fw, ind.rate, &lv.score, None);
            }
            for cells in lv.by.iter_mut().flatten() {
                // Relative scales compare units, not cells: cells get none.
                if !relative && cells.lv.distribution.is_none() {
                    cells.lv.score = self.score(i, l, &cells.lv.value, cells.per_unit);
                }
            }
            self.ind.insert((i, l), lv);
        }
    }

    /// Statuses of one level of an indicator (scores come later).
    pub(super) fn finish_level(
        &mut self,
        i: IndicatorId,
        _l: LevelId,
        m: Measured,
        appl: &[u8],
        x: Extras,
    ) -> IndLevel {
        let ind = &self.fw.indicators[i];
        let Measured {
            value,
            n,
            coverage,
            ci,
        } = m;
        let len = value.len();
        let status = (0..len)
            .map(|u| match appl[u] {
                0 => Status::NotApplicable,
                NA_BOOL => Status::Missing,
                _ if x.distribution.is_none() && !value.present(u) => Status::Missing,
                _ if x.min_n_applies && ind.min_n.is_some_and(|m| n[u] < m) => Status::LowN,
                _ => Status::Ok,
            })
            .collect();
        IndLevel {
            value,
            n,
            coverage,
            ci,
            score: vec![f64::NAN; len],
            status,
            units: x.units,
            distribution: x.distribution,
            rating: vec![None; len],
            suppression: vec![None; len],
            n_is_value: self.plan.counts[i],
            by: Vec::new(),
        }
    }
}

/// Per coarser unit: its condition cannot be shown when no finer unit is
/// known to apply and one of them has a hidden condition.
pub(super) fn hidden_up(fine: &[bool], up: &[u32], status: &[Status]) -> Vec<bool> {
    let mut out = vec![false; status.len()];
    for (u, &g) in up.iter().enumerate() {
        if g != u32::MAX && fine[u] {
            out[g as usize] = true;
        }
    }
    for (g, o) in out.iter_mut().enumerate() {
        *o &= matches!(status[g], Status::NotApplicable | Status::Missing);
    }
    out
}

/// The rating step of each score (`None` without ratings or score); the
/// lowest step where `failed_gates` lists a failed gate.
pub(super) fn ratings(
    fw: &ir::Framework,
    rate: Option<RatingsId>,
    score: &[f64],
    failed_gates: Option<&[Vec<usize>]>,
) -> Vec<Option<u16>> {
    let Some(r) = rate.map(|r| &fw.ratings[r]) else {
        return vec![None; score.len()];
    };
    (0..score.len())
        .map(|u| {
            let capped = failed_gates.is_some_and(|f| !f[u].is_empty());
            match score[u] {
                s if s.is_nan() => None,
                _ if capped => Some(0),
                s => Some(r.step_of(s) as u16),
            }
        })
        .collect()
}

/// Blanks a value where the item does not apply (or may not).
pub(super) fn mask(value: &mut Column, appl: &[u8]) {
    for (u, a) in appl.iter().enumerate() {
        if *a != 1 {
            value.set_missing(u);
        }
    }
}

/// Per coarser unit: 1 if any finer unit is 1, else missing if any is missing, else 0.
pub(super) fn any_up(fine: &[u8], up: &[u32], n: usize) -> Vec<u8> {
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
