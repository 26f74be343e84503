//! The cells of an indicator's breakdowns (`by`), at one level.
//!
//! In: an indicator, a level, and where it applies at its own level. Out:
//! per breakdown, its [`Cells`] at that level, or `None` where the level
//! is not coarser than the breakdown. A value computed from rows (the own
//! level, or a pooled rollup) is evaluated once with every aggregate
//! grouping its rows by unit *and* cell, so all options come out of one
//! pass over the rows; a rollup over units combines the finer entries of
//! each cell (the finer units' own cells, or the units themselves placed
//! in the cell of their breakdown value).

use super::expr::{Scope, Split, bools};
use super::own::{Extras, any_up, mask};
use super::rollup::Frame;
use super::{Cells, Evaluator, IndLevel};
use crate::data::Column;
use crate::data::column::{NA_BOOL, NA_OPT};
use crate::ir::{BySource, IndicatorId, LevelId, Rollup};
use std::sync::Arc;

impl Evaluator<'_> {
    /// The cells of each breakdown where the value is computed from rows
    /// at level `l` (its own level, or a pooled rollup).
    pub(super) fn cells_here(
        &mut self,
        i: IndicatorId,
        l: LevelId,
        appl_at: &[u8],
    ) -> Vec<Option<Cells>> {
        let ind = &self.fw.indicators[i];
        (0..ind.by.len())
            .map(|b| (ind.by[b].level > l).then(|| self.pooled_cells(i, b, l, appl_at)))
            .collect()
    }

    fn pooled_cells(&mut self, i: IndicatorId, b: usize, l: LevelId, appl_at: &[u8]) -> Cells {
        let fw = self.fw;
        let ind = &fw.indicators[i];
        let split = self.split_of(i, b);
        let k = split.k;
        let mut sc = match l < ind.at {
            true => Scope::masked(ind.at, appl_at),
            false => Scope::default(),
        };
        sc.split = Some(&split);
        let value = Arc::unwrap_or_clone(self.eval(&ind.value, l, &mut sc));
        let mut m = self.measure(&ind.value, value, &sc.stats);
        let appl = self.appl_at_level(ind.at, l, appl_at).repeat_each(k);
        let appl = bools(&appl).into_owned();
        mask(&mut m.value, &appl);
        let x = Extras {
            min_n_applies: self.plan.respondents[i],
            ..Extras::default()
        };
        let lv = self.finish_level(i, l, m, &appl, x);
        let rows = self.rows_per_cell(&split, l);
        Cells {
            per_unit: k,
            lv,
            rows,
        }
    }

    /// The cells of each breakdown at the coarser level `c` of a rollup
    /// over units.
    pub(super) fn cells_of_units(
        &mut self,
        i: IndicatorId,
        c: LevelId,
        appl_at: &[u8],
    ) -> Vec<Option<Cells>> {
        let ind = &self.fw.indicators[i];
        (0..ind.by.len())
            .map(|b| (ind.by[b].level > c).then(|| self.unit_cells(i, b, c, appl_at)))
            .collect()
    }

    fn unit_cells(&mut self, i: IndicatorId, b: usize, c: LevelId, appl_at: &[u8]) -> Cells {
        let fw = self.fw;
        let ind = &fw.indicators[i];
        let at = ind.at;
        let split = self.split_of(i, b);
        let k = split.k;
        let up_c = self.anc(at, c);
        let nc = self.n_units(c);
        let appl = bools(&self.appl_at_level(at, c, appl_at).repeat_each(k)).into_owned();
        // Units placed by their own breakdown value, when it is theirs or
        // an ancestor's.
        let to_q = (split.level <= at).then(|| self.anc(at, split.level));
        let own_lv = &self.ind[&(i, at)];
        let (up, own, appl_own, own_unit): (Vec<u32>, Column, Vec<u8>, Option<Vec<u32>>) =
            match own_lv.by[b].as_ref() {
                // The finer units have cells of their own: cell by cell.
                Some(cells) => {
                    let n = cells.lv.value.len();
                    let up = (0..n)
                        .map(|j| match up_c[j / k] {
                            u32::MAX => u32::MAX,
                            g => g * k as u32 + (j % k) as u32,
                        })
                        .collect();
                    let appl_own = (0..n).map(|j| appl_at[j / k]).collect();
                    let units = (0..n).map(|j| (j / k) as u32).collect();
                    (up, cells.lv.value.clone(), appl_own, Some(units))
                }
                // Each finer unit lies in one cell: its breakdown value's.
                None => {
                    let to_q = to_q.expect("a breakdown no finer than the units");
                    let up = up_c
                        .iter()
                        .zip(to_q.iter())
                        .map(|(&g, &q)| match (g, q) {
                            (u32::MAX, _) | (_, u32::MAX) => u32::MAX,
                            (g, q) => g * k as u32 + split.cell[q as usize],
                        })
                        .collect();
                    (up, own_lv.value.clone(), appl_at.to_vec(), None)
                }
            };
        let rows = cell_counts(&up, &appl_own, nc * k);
        let f = Frame::new(Arc::new(up), appl, own, appl_own, own_unit);
        let lv: IndLevel = match &ind.rollup {
            Rollup::Distribution => self.distribution(i, c, f),
            r => self.unit_rollup(i, c, r, f),
        };
        Cells {
            per_unit: k,
            lv,
            rows,
        }
    }

    /// Where the indicator applies at level `l`, from where it applies at
    /// its own level `at`.
    fn appl_at_level(&mut self, at: LevelId, l: LevelId, appl_at: &[u8]) -> Column {
        if l == at {
            return Column::Bool(appl_at.to_vec());
        }
        let up = self.anc(at, l);
        Column::Bool(any_up(appl_at, &up, self.n_units(l)))
    }

    /// Breakdown `b` of indicator `i` as evaluation reads it.
    fn split_of(&mut self, i: IndicatorId, b: usize) -> Split {
        let fw = self.fw;
        let bd = &fw.indicators[i].by[b];
        let k = bd.n_options(fw) + 1;
        let missing = (k - 1) as u32;
        let col: Arc<Column> = match bd.source {
            BySource::Question(q) => self.columns[q].clone(),
            BySource::Let(l) => self.eval(&fw.lets[l].expr, bd.level, &mut Scope::default()),
        };
        let cell = match &*col {
            Column::Opt(v) => v
                .iter()
                .map(|&o| if o == NA_OPT { missing } else { o })
                .collect(),
            // Yes first, then no.
            Column::Bool(v) => v
                .iter()
                .map(|&x| match x {
                    NA_BOOL => missing,
                    1 => 0,
                    _ => 1,
                })
                .collect(),
            other => vec![missing; other.len()],
        };
        Split {
            level: bd.level,
            cell,
            k,
        }
    }

    /// Units of the breakdown's level under each unit of `l`, per cell.
    fn rows_per_cell(&mut self, split: &Split, l: LevelId) -> Vec<u32> {
        let up = self.anc(split.level, l);
        let k = split.k as u32;
        let g: Vec<u32> = up
            .iter()
            .zip(&split.cell)
            .map(|(&u, &c)| if u == u32::MAX { u32::MAX } else { u * k + c })
            .collect();
        let all = vec![1u8; g.len()];
        cell_counts(&g, &all, self.n_units(l) * split.k)
    }
}

/// How many entries with `keep == 1` fall in each group.
fn cell_counts(groups: &[u32], keep: &[u8], n: usize) -> Vec<u32> {
    let mut out = vec![0u32; n];
    for (j, &g) in groups.iter().enumerate() {
        if g != u32::MAX && keep[j] == 1 {
            out[g as usize] += 1;
        }
    }
    out
}
