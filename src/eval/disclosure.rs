//! Disclosure control: `min_group` and what keeps it from being undone.
//!
//! In: one indicator's levels and cells, evaluated. Out: the same, with
//! values hidden (status `suppressed`, and why). Primary suppression hides
//! a value aggregated from fewer than `min_group` rows, and the values at
//! units whose `when` reads such an aggregate. Complementary suppression
//! then hides more, so that no hidden value is the difference between a
//! shown total and shown parts. A *partition* is a total and the values
//! whose rows make it up exactly: a pooled value and the same value at the
//! unit's children; a value and its cells for one breakdown; a cell and
//! the same cell at the unit's children. A partition whose total is shown
//! is safe when none of its parts is hidden, or when at least two are and
//! they hold at least `min_group` rows together; until it is, the shown
//! part with the fewest rows is hidden (the first in unit or option order
//! on a tie), or the total when no part is left. A hidden total hides its
//! parts. Passes run until nothing changes, in a fixed order (finest
//! level first, unit by unit: the unit's own breakdowns, then the unit as
//! the total of its children), which decides what is hidden when several
//! choices would do.
//!
//! Only values aggregated from respondents take part: a unit's own
//! records and rollups over units are neither suppressed nor parts.

use super::{Evaluator, IndLevel, Status, Suppression};
use crate::ir::{IndicatorId, LevelId, List, Rollup};

/// One value of an indicator: a unit's total, or one of its cells.
#[derive(Debug, Clone, Copy)]
enum At {
    Total(LevelId, usize),
    /// Level, breakdown, entry in the cells.
    Cell(LevelId, usize, usize),
}

/// Where a value stands for disclosure control.
#[derive(PartialEq)]
enum State {
    Shown,
    Hidden,
    /// No value (not applicable, missing, no rows): not part of a partition.
    Out,
}

/// An indicator's levels, taken out of the results while they are worked on.
struct Levels {
    lv: List<LevelId, Option<IndLevel>>,
    k: u32,
}

impl Levels {
    fn get(&self, at: At) -> (&IndLevel, usize) {
        match at {
            At::Total(l, u) => (self.lv[l].as_ref().expect("a level of the indicator"), u),
            At::Cell(l, b, j) => {
                let lv = self.lv[l].as_ref().expect("a level of the indicator");
                (&lv.by[b].as_ref().expect("cells at this level").lv, j)
            }
        }
    }

    fn get_mut(&mut self, at: At) -> (&mut IndLevel, usize) {
        match at {
            At::Total(l, u) => (self.lv[l].as_mut().expect("a level of the indicator"), u),
            At::Cell(l, b, j) => {
                let lv = self.lv[l].as_mut().expect("a level of the indicator");
                (&mut lv.by[b].as_mut().expect("cells at this level").lv, j)
            }
        }
    }

    fn n(&self, at: At) -> u32 {
        let (lv, u) = self.get(at);
        lv.n[u]
    }

    fn state(&self, at: At) -> State {
        let (lv, u) = self.get(at);
        match lv.status[u] {
            Status::Suppressed => State::Hidden,
            Status::Ok | Status::LowN if lv.n[u] > 0 => State::Shown,
            _ => State::Out,
        }
    }

    fn hide(&mut self, at: At, why: Suppression) {
        let (lv, u) = self.get_mut(at);
        hide(lv, u, why);
    }

    /// Makes one partition safe; whether anything changed.
    fn partition(&mut self, total: At, parts: &[At]) -> bool {
        match self.state(total) {
            State::Out => false,
            State::Hidden => {
                let shown: Vec<At> = parts
                    .iter()
                    .copied()
                    .filter(|&p| self.state(p) == State::Shown)
                    .collect();
                for &p in &shown {
                    self.hide(p, Suppression::Complementary);
                }
                !shown.is_empty()
            }
            State::Shown => {
                let mut changed = false;
                loop {
                    let hidden: Vec<u32> = parts
                        .iter()
                        .filter(|&&p| self.state(p) == State::Hidden)
                        .map(|&p| self.n(p))
                        .collect();
                    let rows: u64 = hidden.iter().map(|&n| n as u64).sum();
                    if hidden.is_empty() || hidden.len() >= 2 && rows >= self.k as u64 {
                        return changed;
                    }
                    changed = true;
                    let smallest = parts
                        .iter()
                        .copied()
                        .filter(|&p| self.state(p) == State::Shown)
                        .min_by_key(|&p| self.n(p));
                    match smallest {
                        Some(p) => self.hide(p, Suppression::Complementary),
                        None => {
                            self.hide(total, Suppression::Complementary);
                            return true;
                        }
                    }
                }
            }
        }
    }
}

/// Hides entry `u` of a level.
fn hide(lv: &mut IndLevel, u: usize, why: Suppression) {
    lv.status[u] = Status::Suppressed;
    lv.suppression[u] = Some(why);
    lv.value.set_missing(u);
    lv.score[u] = f64::NAN;
    lv.ci[u] = None;
    lv.rating[u] = None;
    if let Some(d) = lv.distribution.as_mut() {
        d[u].iter_mut().for_each(|c| *c = 0);
    }
}

impl Evaluator<'_> {
    /// Applies disclosure control to indicator `i` at the levels already
    /// evaluated; `hidden` lists, per level, the units whose `when` reads
    /// too small an aggregate.
    pub(super) fn disclose(&mut self, i: IndicatorId, hidden: &[(LevelId, Vec<bool>)]) {
        let fw = self.fw;
        if fw.min_group <= 1 {
            return;
        }
        let ind = &fw.indicators[i];
        let pooled = matches!(ind.rollup, Rollup::Pooled);
        let respondents = |l: LevelId| self.plan.respondents[i] && (l == ind.at || pooled);
        let mut lv: List<LevelId, Option<IndLevel>> = (fw.levels.keys())
            .map(|l| self.ind.remove(&(i, l)))
            .collect();
        let levels: Vec<LevelId> = (fw.levels.keys())
            .rev()
            .filter(|&l| lv[l].is_some())
            .collect();
        for &l in &levels {
            let level = lv[l].as_mut().expect("listed above");
            let small = hidden.iter().find(|(x, _)| *x == l).map(|(_, h)| h);
            primary(level, respondents(l), fw.min_group, small);
        }
        let mut all = Levels {
            lv,
            k: fw.min_group,
        };
        let partitioned: Vec<LevelId> =
            levels.iter().copied().filter(|&l| respondents(l)).collect();
        // Children lists, only for the levels whose units are totals of
        // partitioned children.
        let kids: List<LevelId, Vec<Vec<usize>>> = (fw.levels.keys())
            .map(
                |l| match partitioned.contains(&l) && partitioned.contains(&(l + 1)) {
                    true => children(&self.ds.levels[l + 1].parent, self.n_units(l)),
                    false => Vec::new(),
                },
            )
            .collect();
        while pass(&mut all, &partitioned, &kids, ind.by.len()) {}
        for (l, x) in all.lv.into_iter_enumerated() {
            if let Some(x) = x {
                self.ind.insert((i, l), x);
            }
        }
    }
}

/// Each unit's children, from the children's parent indices.
fn children(parent: &[u32], n: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); n];
    for (c, &p) in parent.iter().enumerate() {
        if p != u32::MAX {
            out[p as usize].push(c);
        }
    }
    out
}

/// Primary suppression at one level and its cells.
fn primary(lv: &mut IndLevel, respondents: bool, k: u32, small: Option<&Vec<bool>>) {
    let too_few = |lv: &IndLevel, u: usize| {
        respondents && lv.value.present(u) && lv.n[u] < k && lv.status[u] != Status::NotApplicable
    };
    let units = lv.status.len();
    for u in 0..units {
        let hidden_when = small.is_some_and(|s| s[u]);
        if too_few(lv, u) || hidden_when {
            hide(lv, u, Suppression::Primary);
        }
        for cells in lv.by.iter_mut().flatten() {
            for c in 0..cells.per_unit {
                let j = cells.at(u, c);
                if too_few(&cells.lv, j) || hidden_when {
                    hide(&mut cells.lv, j, Suppression::Primary);
                }
            }
        }
    }
}

/// One pass over every partition, in the defined order; whether anything
/// changed.
fn pass(
    all: &mut Levels,
    levels: &[LevelId],
    kids: &List<LevelId, Vec<Vec<usize>>>,
    n_by: usize,
) -> bool {
    let mut changed = false;
    for &l in levels {
        let finer_shown = levels.contains(&(l + 1));
        let units = all.lv[l].as_ref().map_or(0, |x| x.status.len());
        for u in 0..units {
            let total = At::Total(l, u);
            for b in 0..n_by {
                let Some(k) = per_unit(all, l, b) else {
                    continue;
                };
                let parts: Vec<At> = (0..k).map(|c| At::Cell(l, b, u * k + c)).collect();
                changed |= all.partition(total, &parts);
            }
            if !finer_shown {
                continue;
            }
            let children = &kids[l][u];
            let parts: Vec<At> = children.iter().map(|&c| At::Total(l + 1, c)).collect();
            changed |= all.partition(total, &parts);
            for b in 0..n_by {
                let (Some(k), Some(kf)) = (per_unit(all, l, b), per_unit(all, l + 1, b)) else {
                    continue;
                };
                debug_assert_eq!(k, kf);
                for c in 0..k {
                    let parts: Vec<At> = children
                        .iter()
                        .map(|&ch| At::Cell(l + 1, b, ch * k + c))
                        .collect();
                    changed |= all.partition(At::Cell(l, b, u * k + c), &parts);
                }
            }
        }
    }
    changed
}

/// Cells per unit of breakdown `b` at level `l`, if it has cells there.
fn per_unit(all: &Levels, l: LevelId, b: usize) -> Option<usize> {
    all.lv[l].as_ref()?.by.get(b)?.as_ref().map(|c| c.per_unit)
}

/// One value disclosure control hides: level, unit, the cell (breakdown
/// and entry) or the total, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hidden {
    pub level: LevelId,
    pub unit: usize,
    /// Breakdown and cell, for a cell.
    pub cell: Option<(usize, usize)>,
    pub why: Suppression,
}

impl PartialOrd for Suppression {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Suppression {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

/// Disclosure control over indicator `i`'s values as another runner (a
/// database) computed them before disclosure: `levels` holds the levels
/// it partitions (its own, and every level of a pooled rollup),
/// `hidden_own` the units of its own level whose condition cannot be
/// shown. Returns what it hides, decided exactly as in memory.
pub fn decide(
    fw: &crate::ir::Framework,
    plan: &super::Plan,
    ds: &crate::data::Dataset,
    i: IndicatorId,
    levels: Vec<(LevelId, IndLevel)>,
    hidden_own: Vec<bool>,
) -> Vec<Hidden> {
    let at = fw.indicators[i].at;
    let mut ev = Evaluator::new(fw, plan, ds, List::new());
    let mut hidden_at = vec![(at, hidden_own)];
    for (l, lv) in &levels {
        if *l != at {
            let up = ev.anc(at, *l);
            hidden_at.push((*l, super::own::hidden_up(&hidden_at[0].1, &up, &lv.status)));
        }
    }
    ev.ind
        .extend(levels.into_iter().map(|(l, lv)| ((i, l), lv)));
    ev.disclose(i, &hidden_at);
    let mut out = Vec::new();
    for ((_, l), lv) in ev.ind {
        let mut push = |unit, cell, why: Option<Suppression>| {
            if let Some(why) = why {
                out.push(Hidden {
                    level: l,
                    unit,
                    cell,
                    why,
                });
            }
        };
        for (u, why) in lv.suppression.iter().enumerate() {
            push(u, None, *why);
        }
        for (b, cells) in lv.by.iter().enumerate() {
            let Some(cells) = cells else { continue };
            for (j, why) in cells.lv.suppression.iter().enumerate() {
                push(j / cells.per_unit, Some((b, j % cells.per_unit)), *why);
            }
        }
    }
    out.sort();
    out
}

/// Hides one value of results another runner computed, as disclosure
/// control hides it in memory.
pub fn hide_in(results: &mut super::Results, i: IndicatorId, h: Hidden) {
    let Some(lv) = results.indicators.get_mut(&(i, h.level)) else {
        return;
    };
    match h.cell {
        None => hide(lv, h.unit, h.why),
        Some((b, c)) => {
            if let Some(Some(cells)) = lv.by.get_mut(b) {
                let j = cells.at(h.unit, c);
                hide(&mut cells.lv, j, h.why);
            }
        }
    }
}
