//! The cells of an indicator's breakdowns (`by`), as the in-memory
//! runner's `cells` module computes them.
//!
//! In: an indicator whose levels are written. Out, per breakdown and level
//! coarser than the breakdown: `y{i}_{b}_{l}`, keyed by unit `_k` and cell
//! `_c` (options in order, yes before no, then the missing cell), with
//! `_ap`, `v`, `n`, `cov`, `lo`, `hi`, status `st`, score `s` and `rows`,
//! the entries that fall in the cell (the missing cell is shown only when
//! some do). A value computed from rows (own level, pooled rollup) groups
//! every aggregate by unit and cell; a rollup over units combines the
//! finer units' cells, or places each finer unit in its own cell.

use super::SqlError;
use super::build::{Builder, Ref, Rel, Split};
use super::items::numeric;
use crate::ir::{IndicatorId, LevelId, Normalize, Rollup, Type};

impl Builder<'_> {
    /// Every breakdown of indicator `i` at every level it has cells.
    pub(super) fn breakdowns(&mut self, i: IndicatorId) -> Result<(), SqlError> {
        let ind = &self.fw.indicators[i];
        for (b, bd) in ind.by.iter().enumerate() {
            let sp = Split {
                i,
                b,
                k: bd.n_options(self.fw) + 1,
            };
            for &l in ind.levels.iter().filter(|&&l| l < bd.level) {
                let from_rows = l == ind.at || matches!(ind.rollup, Rollup::Pooled);
                if from_rows {
                    self.cells_from_rows(sp, l)?;
                } else {
                    self.cells_of_units(sp, l)?;
                }
                self.scored_cells(sp, l, from_rows && self.plan.respondents[i])?;
            }
        }
        Ok(())
    }

    /// Cells where the value is computed from rows at level `l`.
    fn cells_from_rows(&mut self, sp: Split, l: LevelId) -> Result<(), SqlError> {
        let fw = self.fw;
        let ind = &fw.indicators[sp.i];
        let mut rel = self.rel(l);
        rel.split = Some(sp);
        if l < ind.at {
            rel.mask = Some((ind.at, sp.i));
        }
        // Where it applies is the unit's, in each of its cells.
        let v = self.read(&mut rel, &format!("v{}_{l}", sp.i), l);
        self.measured(sp.i, l, rel, v.col("_ap"), None)?;
        // The rows of each unit in each cell.
        let bl = fw.indicators[sp.i].by[sp.b].level;
        let mut rows = Rel::new(bl);
        let cell = self.cell_of(sp, &mut rows)?;
        self.cte(
            &format!("r{}_{}_{l}", sp.i, sp.b),
            format!(
                "SELECT r._a{l} AS _k, {cell} AS _c, COUNT(*) AS rows {} WHERE r._a{l} IS NOT NULL GROUP BY r._a{l}, {cell}",
                rows.from()
            ),
        );
        Ok(())
    }

    /// Cells at the coarser level `c` of a rollup over units.
    fn cells_of_units(&mut self, sp: Split, c: LevelId) -> Result<(), SqlError> {
        let fw = self.fw;
        let ind = &fw.indicators[sp.i];
        let (at, d) = (ind.at, self.d);
        let bl = ind.by[sp.b].level;
        let mut rel = self.rel(at);
        // The finer entries: the own level's cells, or its units each in
        // the cell of its own breakdown value.
        let tally = matches!(ind.rollup, Rollup::Distribution);
        let as_value = |v: String| match tally {
            true => v,
            false => numeric(d, &v, ind.value.ty),
        };
        let (ap, x, cell) = if bl > at {
            let y = rel.join(&format!("y{}_{}_{at}", sp.i, sp.b), at);
            (
                format!("{y}._ap"),
                as_value(format!("{y}.v")),
                format!("{y}._c"),
            )
        } else {
            let v = self.read(&mut rel, &format!("v{}_{at}", sp.i), at);
            let cell = self.cell_of(sp, &mut rel)?;
            (v.col("_ap"), as_value(v.col("v")), cell)
        };
        let w = match &ind.rollup {
            Rollup::MeanWeighted(w) => Some(self.expr(w, &mut rel)?),
            _ => None,
        };
        // With own cells, the join gives one row per own unit and cell.
        let from = rel.from();
        let mut keep = "ap AND x IS NOT NULL".to_string();
        if w.is_some() {
            keep.push_str(" AND w IS NOT NULL AND w >= 0");
        }
        let w = w.unwrap_or_else(|| d.num(1.0));
        let value = self.cell_value(sp.i, &keep)?;
        let entries = format!(
            "SELECT r._a{c} AS _g, {cell} AS _c, {ap} AS ap, {x} AS x, {w} AS w {from} WHERE r._a{c} IS NOT NULL"
        );
        let (i, b) = (sp.i, sp.b);
        let u = format!("u{i}_{b}_{c}");
        self.cte(
            &u,
            format!(
                "SELECT _g AS _k, _c, SUM(CASE WHEN ap THEN 1 ELSE 0 END) AS total, SUM(CASE WHEN ap AND x IS NOT NULL THEN 1 ELSE 0 END) AS units, {value} AS v FROM ({entries}) AS e GROUP BY _g, _c"
            ),
        );
        self.cte(
            &format!("r{i}_{b}_{c}"),
            format!("SELECT _k, _c, total AS rows FROM {u}"),
        );
        let mut rel = self.rel(c);
        rel.split = Some(sp);
        let a = self.read(&mut rel, &format!("a{i}_{c}"), c);
        let body = format!(
            "SELECT r._k AS _k, c._c AS _c, COALESCE({}, FALSE) AS _ap, u.v AS v, CAST(COALESCE(u.units, 0) AS BIGINT) AS n, CASE WHEN u.total > 0 THEN CAST(u.units AS {dbl}) / u.total END AS cov, {nul} AS lo, {nul} AS hi {} LEFT JOIN {u} AS u ON u._k = r._k AND u._c = c._c",
            a.col("ap"),
            rel.from(),
            dbl = d.double(),
            nul = self.null(Type::Number),
        );
        self.cte(&format!("x{i}_{b}_{c}"), body);
        Ok(())
    }

    /// The rollup of the entries `x` (weights `w`) kept by `keep`.
    fn cell_value(&self, i: IndicatorId, keep: &str) -> Result<String, SqlError> {
        let ind = &self.fw.indicators[i];
        let kx = format!("CASE WHEN {keep} THEN x END");
        let kw = format!("CASE WHEN {keep} THEN w END");
        Ok(match &ind.rollup {
            Rollup::Sum => format!("SUM({kx})"),
            Rollup::Mean | Rollup::Share | Rollup::MeanWeighted(_) => {
                format!("CASE WHEN SUM({kw}) > 0 THEN SUM({kx} * {kw}) / SUM({kw}) END")
            }
            Rollup::Median => self.d.percentile(&kx, 0.5),
            Rollup::Min => format!("MIN({kx})"),
            Rollup::Max => format!("MAX({kx})"),
            Rollup::Distribution => self.tally(i, "x", keep),
            r => {
                let what = format!("`rollup {}` with a breakdown", r.name());
                return Err(self.unsupported(what, ind.span));
            }
        })
    }

    /// `y{i}_{b}_{l}`: status and score of each cell. Scales relative to
    /// the other units (`minmax`, `rank`) give cells no score.
    fn scored_cells(&mut self, sp: Split, l: LevelId, min_n_applies: bool) -> Result<(), SqlError> {
        let ind = &self.fw.indicators[sp.i];
        let (i, b) = (sp.i, sp.b);
        let low_n = match (min_n_applies, ind.min_n) {
            (true, Some(m)) => format!(" WHEN x.n < {m} THEN 'low_n'"),
            _ => String::new(),
        };
        let from_rows = l == ind.at || matches!(ind.rollup, Rollup::Pooled);
        let tally = !from_rows && matches!(ind.rollup, Rollup::Distribution);
        let masked = from_rows && self.masked(i, l);
        let (status, st0) = super::items::statuses(&Ref::alias("x"), &low_n, masked, tally);
        let st0 = st0.map(|s| format!(", {s} AS st0")).unwrap_or_default();
        let ty = match (l == ind.at, &ind.rollup) {
            (false, r) if !matches!(r, Rollup::Pooled) => Type::Number,
            _ => ind.value.ty,
        };
        let mut rel = self.rel(l);
        let relative = matches!(ind.normalize, Some(Normalize::MinMax | Normalize::Rank));
        let score = match relative {
            true => self.null(Type::Number),
            false => self.score(i, "x.v", ty, &mut rel)?,
        };
        let body = format!(
            "SELECT x._k AS _k, x._c AS _c, x._ap AS _ap, x.v AS v, x.n AS n, x.cov AS cov, x.lo AS lo, x.hi AS hi, {status} AS st, {score} AS s, COALESCE(rc.rows, 0) AS rows{st0} {} JOIN x{i}_{b}_{l} AS x ON x._k = r._k LEFT JOIN r{i}_{b}_{l} AS rc ON rc._k = x._k AND rc._c = x._c",
            rel.from()
        );
        self.cte(&format!("y{i}_{b}_{l}"), body);
        Ok(())
    }
}
