//! Indicators and dimensions as CTEs, in the framework's dependency order.
//!
//! In: the builder with the units written. Out, per indicator and level
//! it is reported at: `v{i}_{l}` (where it applies `_ap`, value `v`, `n`,
//! coverage `cov`, interval `lo`/`hi`) and `i{i}_{l}` (adding status
//! `st`, score `s`, and `sc`, the score where it counts); per dimension
//! and level: `d{d}_{l}` (`_ap`, `st`, `s`, `sc`, `cov`, `gated`: a gate
//! failed). The rules are those of the in-memory runner's `own`,
//! `rollup`, `normalize` and `dimension` modules.

use super::SqlError;
use super::build::{Builder, Ref, Rel};
use super::pass::AggCol;
use crate::ir::{
    AggFunc, Aggregate, Better, ChildRef, DimensionId, Expr, ExprKind, IndicatorId, LevelId,
    MapKey, Node, Normalize, Rollup, Type,
};

impl Builder<'_> {
    /// Every indicator and dimension, each after what it reads.
    pub fn items(&mut self) -> Result<(), SqlError> {
        let fw = self.fw;
        for node in &fw.order {
            match *node {
                Node::Let(_) => {}
                Node::Indicator(i) => self.indicator(i)?,
                Node::Dimension(d) => self.dimension(d)?,
            }
        }
        self.check_width()
    }

    /// PostgreSQL computes at most 1,664 columns in one SELECT; a level's
    /// chain carries its units' columns and those of every item computed
    /// there, so a level with a few hundred indicators would go past it.
    fn check_width(&self) -> Result<(), SqlError> {
        if self.d != super::Dialect::Postgres {
            return Ok(());
        }
        for (l, level) in self.fw.levels.iter_enumerated() {
            let width = self.width(l);
            if width > 1600 {
                let what = format!(
                    "level `{}` with {width} columns of values and scores (at most 1,600)",
                    level.id
                );
                return Err(self.unsupported(what, level.span));
            }
        }
        Ok(())
    }

    /// Where an item applies at the rel's level: its condition, or where
    /// it holds for any finer unit when it is written at a finer level.
    fn applies(&mut self, when: Option<&Expr>, rel: &mut Rel) -> Result<String, SqlError> {
        let Some(w) = when else {
            return Ok("TRUE".into());
        };
        let l = rel.level;
        let wl = w.level.unwrap_or(l);
        if wl <= l {
            return self.expr(w, rel);
        }
        let name = format!("w{}_{l}{}", w.id.0, rel.sfx);
        if !self.ctes.contains_key(&name) {
            let mut fine = self.rel(wl);
            let c = self.expr(w, &mut fine)?;
            let body = format!(
                "SELECT _g AS _k, {} AS v FROM (SELECT r._a{l} AS _g, {c} AS c {} WHERE r._a{l} IS NOT NULL) AS t GROUP BY _g",
                any_up("c"),
                fine.from()
            );
            self.cte(&name, body);
        }
        let a = rel.join(&name, l);
        Ok(format!("COALESCE({a}.v, FALSE)"))
    }

    fn indicator(&mut self, i: IndicatorId) -> Result<(), SqlError> {
        let ind = &self.fw.indicators[i];
        let at = ind.at;
        let mut rel = self.rel(at);
        // The condition's own aggregates are not the value's: their n
        // says only whether the condition may be shown.
        let before = rel.stats.len();
        let ap = self.applies(ind.when.as_ref(), &mut rel)?;
        let read: Vec<AggCol> = rel.stats.drain(before..).collect();
        let hw = self.opts.hidden.is_some().then(|| self.hidden_when(&read));
        self.measured(i, at, rel, ap, hw)?;
        self.scored(i, at, self.plan.respondents[i])?;
        for &c in ind.levels.iter().filter(|&&c| c < at) {
            self.applies_up(i, c);
            match &ind.rollup {
                Rollup::Pooled => {
                    let mut rel = self.rel(c);
                    let a = self.read(&mut rel, &format!("a{i}_{c}"), c);
                    let ap = format!("COALESCE({}, FALSE)", a.col("ap"));
                    rel.mask = Some((at, i));
                    self.measured(i, c, rel, ap, None)?;
                    self.scored(i, c, true)?;
                }
                r => {
                    self.unit_rollup(i, c, r)?;
                    self.scored(i, c, false)?;
                }
            }
        }
        self.breakdowns(i)
    }

    /// Where a condition reading the aggregates `read` cannot be shown:
    /// one of them has fewer rows than `min_group`.
    fn hidden_when(&self, read: &[AggCol]) -> String {
        let k = self.fw.min_group;
        if k <= 1 || read.is_empty() {
            return "FALSE".into();
        }
        let small: Vec<String> = read
            .iter()
            .map(|a| format!("COALESCE({}, 0) < {k}", a.col("n")))
            .collect();
        format!("({})", small.join(" OR "))
    }

    /// `v{i}_{l}` for a value computed from rows at level `l`: the value
    /// where it applies, n and coverage from the aggregates it read. With
    /// disclosure control, the value is blanked where grille hides it
    /// (`_hid`), `_p0` says whether there was one, and at the indicator's
    /// own level `hw` says where its condition cannot be shown (`_hw`).
    pub(super) fn measured(
        &mut self,
        i: IndicatorId,
        l: LevelId,
        mut rel: Rel,
        ap: String,
        hw: Option<String>,
    ) -> Result<(), SqlError> {
        let ind = &self.fw.indicators[i];
        let v = self.expr(&ind.value, &mut rel)?;
        let d = self.d;
        let dbl = d.double();
        // Per cell of a breakdown: `x{i}_{b}_{l}`, keyed by unit and cell.
        let name = match rel.split {
            Some(sp) => format!("x{i}_{}_{l}", sp.b),
            None => format!("v{i}_{l}"),
        };
        let p = self.prefix(&name, &rel);
        let mut inner = vec![(format!("{p}_ap"), ap), (format!("{p}_v"), v)];
        for (k, a) in rel.stats.iter().enumerate() {
            inner.push((format!("{p}_n{k}"), format!("COALESCE({}, 0)", a.col("n"))));
            inner.push((format!("{p}_m{k}"), format!("COALESCE({}, 0)", a.col("p"))));
        }
        let one_interval = rel.stats.len() == 1
            && matches!(&ind.value.kind, ExprKind::Agg(a) if matches!(a.func, AggFunc::Share | AggFunc::Mean));
        let (lo, hi) = match one_interval {
            true => (rel.stats[0].col("lo"), rel.stats[0].col("hi")),
            false => (self.null(Type::Number), self.null(Type::Number)),
        };
        inner.push((format!("{p}lo"), lo));
        inner.push((format!("{p}hi"), hi));
        let (n, cov) = if rel.stats.is_empty() {
            (
                format!("CASE WHEN {p}_v IS NOT NULL THEN 1 ELSE 0 END"),
                format!("CASE WHEN {p}_v IS NOT NULL THEN {} END", d.num(1.0)),
            )
        } else {
            let ns: Vec<String> = (0..rel.stats.len()).map(|k| format!("{p}_n{k}")).collect();
            let covs: Vec<String> = (0..rel.stats.len())
                .map(|k| {
                    format!("CASE WHEN {p}_m{k} > 0 THEN CAST({p}_n{k} AS {dbl}) / {p}_m{k} END")
                })
                .collect();
            (least(&ns), least(&covs))
        };
        let mut exported = vec!["_ap", "v", "n", "cov", "lo", "hi"];
        // Pooled at a coarser level: how many of its units have a value
        // and where it applies (for the record).
        if l != ind.at && rel.split.is_none() {
            let a = self.read(&mut rel, &format!("a{i}_{l}"), l);
            inner.push((
                format!("{p}_u1"),
                format!("COALESCE({}, 0)", a.col("units")),
            ));
            inner.push((
                format!("{p}_u2"),
                format!("COALESCE({}, 0)", a.col("total")),
            ));
            exported.extend(["_u1", "_u2"]);
        }
        if let Some(hw) = hw {
            inner.push((format!("{p}_hw"), hw));
            exported.push("_hw");
        }
        let mut outer = Vec::new();
        let masked = match &self.opts.hidden {
            Some(t) => {
                // The units hidden, grouped: DuckDB 2.0 folds comparisons
                // of sums over a LEFT JOIN to an empty table as if it had
                // no rows at all (grille_hidden is empty at the first run).
                let (cell, group, on) = match rel.split {
                    Some(sp) => (format!("b = {}", sp.b), ", c", " AND {h}.c = c._c"),
                    None => ("b = -1 AND c = 0".to_string(), "", ""),
                };
                let h = format!("h{name}");
                let on = on.replace("{h}", &h);
                rel.joins.insert(
                    h.clone(),
                    format!(
                        "LEFT JOIN (SELECT k{group} FROM {t} WHERE i = {i} AND l = {l} AND {cell} GROUP BY k{group}) AS {h} ON {h}.k = r._k{on}"
                    ),
                );
                inner.push((format!("{p}_hid"), format!("{h}.k IS NOT NULL")));
                outer.push((format!("{p}_p0"), format!("({p}_ap AND {p}_v IS NOT NULL)")));
                exported.extend(["_hid", "_p0"]);
                format!(" AND NOT {p}_hid")
            }
            None => String::new(),
        };
        outer.push((
            format!("{p}v"),
            format!("CASE WHEN {p}_ap{masked} THEN {p}_v END"),
        ));
        outer.push((format!("{p}n"), format!("CAST({n} AS BIGINT)")));
        outer.push((format!("{p}cov"), cov));
        self.unit(&name, rel, vec![inner, outer], &exported);
        Ok(())
    }

    /// `a{i}_{c}`: per unit of the coarser level `c`, whether the
    /// indicator applies to any of its units, how many do (`total`) and
    /// how many of those have a value (`units`).
    fn applies_up(&mut self, i: IndicatorId, c: LevelId) {
        let at = self.fw.indicators[i].at;
        // A pooled rollup counts the units before disclosure control (it
        // reads their rows, not their values); one over units counts the
        // values left shown.
        let pooled = matches!(self.fw.indicators[i].rollup, Rollup::Pooled);
        let mut rel = self.rel(at);
        let v = self.read(&mut rel, &format!("v{i}_{at}"), at);
        let has = match pooled && self.masked(i, at) {
            true => v.col("_p0"),
            false => format!("{} AND {} IS NOT NULL", v.col("_ap"), v.col("v")),
        };
        let cols = vec![
            ("ap".to_string(), any_up(&v.col("_ap"))),
            (
                "total".to_string(),
                format!("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", v.col("_ap")),
            ),
            (
                "units".to_string(),
                format!("SUM(CASE WHEN {has} THEN 1 ELSE 0 END)"),
            ),
        ];
        self.group(&format!("a{i}_{c}"), &rel, c, cols);
    }

    /// `v{i}_{c}` for a rollup over units: their values combined.
    fn unit_rollup(&mut self, i: IndicatorId, c: LevelId, r: &Rollup) -> Result<(), SqlError> {
        let ind = &self.fw.indicators[i];
        let at = ind.at;
        let d = self.d;
        let mut rel = self.rel(at);
        let own = self.read(&mut rel, &format!("v{i}_{at}"), at);
        let x = match r {
            // A tally reads the options themselves.
            Rollup::Distribution => own.col("v"),
            _ => numeric(d, &own.col("v"), ind.value.ty),
        };
        let w = match r {
            Rollup::MeanWeighted(w) => Some(self.expr(w, &mut rel)?),
            _ => None,
        };
        let mut keep = format!("{} AND {x} IS NOT NULL", own.col("_ap"));
        if let Some(w) = &w {
            keep.push_str(&format!(" AND {w} IS NOT NULL AND {w} >= 0"));
        }
        let w = w.unwrap_or_else(|| d.num(1.0));
        // Only the units kept count: their values and weights, the others
        // as missing (the aggregates share a GROUP BY with other rollups).
        let kx = format!("CASE WHEN {keep} THEN {x} END");
        let kw = format!("CASE WHEN {keep} THEN {w} END");
        let value = match r {
            Rollup::Sum => format!("SUM({kx})"),
            Rollup::Mean | Rollup::Share | Rollup::MeanWeighted(_) => {
                format!("CASE WHEN SUM({kw}) > 0 THEN SUM({kx} * {kw}) / SUM({kw}) END")
            }
            Rollup::Median => d.percentile(&kx, 0.5),
            Rollup::Min => format!("MIN({kx})"),
            Rollup::Max => format!("MAX({kx})"),
            Rollup::Distribution => self.tally(i, &x, &keep),
            Rollup::Pooled | Rollup::None => {
                return Err(self.unsupported(format!("`rollup {}` here", r.name()), ind.span));
            }
        };
        // No unit kept: no value (not a tally of zeros, nor a sum of none).
        let value =
            format!("CASE WHEN SUM(CASE WHEN {keep} THEN 1 ELSE 0 END) > 0 THEN {value} END");
        let u = format!("u{i}_{c}");
        self.group(&u, &rel, c, vec![("v".to_string(), value)]);
        let name = format!("v{i}_{c}");
        let mut rel = self.rel(c);
        let a = self.read(&mut rel, &format!("a{i}_{c}"), c);
        let u = self.read(&mut rel, &u, c);
        let p = self.prefix(&name, &rel);
        let (dbl, nul) = (d.double(), self.null(Type::Number));
        let (units, total) = (a.col("units"), a.col("total"));
        let cols = vec![
            (
                format!("{p}_ap"),
                format!("COALESCE({}, FALSE)", a.col("ap")),
            ),
            (format!("{p}v"), u.col("v")),
            (
                format!("{p}n"),
                format!("CAST(COALESCE({units}, 0) AS BIGINT)"),
            ),
            (
                format!("{p}cov"),
                format!("CASE WHEN {total} > 0 THEN CAST({units} AS {dbl}) / {total} END"),
            ),
            (format!("{p}lo"), nul.clone()),
            (format!("{p}hi"), nul),
            (format!("{p}_u1"), format!("COALESCE({units}, 0)")),
            (format!("{p}_u2"), format!("COALESCE({total}, 0)")),
        ];
        let exported = ["_ap", "v", "n", "cov", "lo", "hi", "_u1", "_u2"];
        self.unit(&name, rel, vec![cols], &exported);
        Ok(())
    }

    /// `i{i}_{l}`: status, score and counted score over `v{i}_{l}`.
    fn scored(&mut self, i: IndicatorId, l: LevelId, min_n_applies: bool) -> Result<(), SqlError> {
        let ind = &self.fw.indicators[i];
        let mut rel = self.rel(l);
        let v = self.read(&mut rel, &format!("v{i}_{l}"), l);
        let low_n = match (min_n_applies, ind.min_n) {
            (true, Some(m)) => format!(" WHEN {} < {m} THEN 'low_n'", v.col("n")),
            _ => String::new(),
        };
        let tally = l != ind.at && matches!(ind.rollup, Rollup::Distribution);
        let masked = self.masked(i, l);
        let (status, st0) = statuses(&v, &low_n, masked, tally);
        // A rollup over units gives numbers whatever the value's type.
        let ty = match (l == ind.at, &ind.rollup) {
            (false, r) if !matches!(r, Rollup::Pooled) => Type::Number,
            _ => ind.value.ty,
        };
        let score = self.score(i, &v.col("v"), ty, &mut rel)?;
        let name = format!("i{i}_{l}");
        let p = self.prefix(&name, &rel);
        let mut first = vec![(format!("{p}st"), status), (format!("{p}s"), score)];
        let mut exported = vec!["st", "s", "sc"];
        if let Some(st0) = st0 {
            first.push((format!("{p}st0"), st0));
            exported.push("st0");
            if l == ind.at {
                first.push((format!("{p}hw"), v.col("_hw")));
                exported.push("hw");
            }
        }
        let sc = format!("CASE WHEN {p}st IN ('ok', 'low_n') THEN {p}s END");
        self.unit(
            &name,
            rel,
            vec![first, vec![(format!("{p}sc"), sc)]],
            &exported,
        );
        Ok(())
    }

    /// The score of value `v` (of type `ty`) under the indicator's rule.
    pub(super) fn score(
        &mut self,
        i: IndicatorId,
        v: &str,
        ty: Type,
        rel: &mut Rel,
    ) -> Result<String, SqlError> {
        let ind = &self.fw.indicators[i];
        let d = self.d;
        let Some(norm) = &ind.normalize else {
            return Ok(self.null(Type::Number));
        };
        let x = numeric(d, v, ty);
        let hundred = d.num(100.0);
        let raw = match norm {
            Normalize::Goalposts { lo, hi } => format!(
                "LEAST(GREATEST(({x} - {}) / {}, {}), {}) * {hundred}",
                d.num(*lo),
                d.num(hi - lo),
                d.num(0.0),
                d.num(1.0)
            ),
            Normalize::Bool => format!("{x} * {hundred}"),
            Normalize::Target(t) => {
                let t = self.expr(t, rel)?;
                let s = match ind.better {
                    Better::Higher => format!(
                        "LEAST(GREATEST({x} / {t}, {}), {}) * {hundred}",
                        d.num(0.0),
                        d.num(1.0)
                    ),
                    Better::Lower => format!(
                        "CASE WHEN {x} <= {t} THEN {hundred} ELSE {t} / {x} * {hundred} END"
                    ),
                };
                return Ok(format!(
                    "(CASE WHEN {x} IS NULL OR {t} IS NULL OR {t} <= 0 THEN NULL ELSE {s} END)"
                ));
            }
            // Values equal to 12 significant digits are equal here, as in
            // memory (`eval::score::tie_key`).
            Normalize::MinMax => format!(
                "CASE WHEN {hi} > {lo} THEN ({x} - MIN({x}) OVER ()) / (MAX({x}) OVER () - MIN({x}) OVER ()) * {hundred} END",
                hi = d.tie_key(&format!("MAX({x}) OVER ()")),
                lo = d.tie_key(&format!("MIN({x}) OVER ()")),
            ),
            Normalize::Rank => format!(
                "CASE WHEN COUNT({x}) OVER () >= 2 THEN ((RANK() OVER (PARTITION BY CASE WHEN {x} IS NULL THEN 1 ELSE 0 END ORDER BY {k}) + (COUNT(*) OVER (PARTITION BY {k}) - 1) / {two}) - 1) / (COUNT({x}) OVER () - 1) * {hundred} END",
                k = d.tie_key(&x),
                two = d.num(2.0)
            ),
            Normalize::Map(entries) => {
                let mut s = String::from("(CASE");
                for (k, p) in entries {
                    let key = match (k, ty) {
                        (MapKey::Num(n), Type::Number) => d.num(*n),
                        (MapKey::Text(t), Type::Option(_) | Type::Text) => d.str(t),
                        _ => continue,
                    };
                    s.push_str(&format!(" WHEN {v} = {key} THEN {}", d.num(*p)));
                }
                return Ok(format!("{s} END)"));
            }
        };
        let raw = format!("(CASE WHEN {x} IS NULL THEN NULL ELSE {raw} END)");
        let mirrored = ind.better == Better::Lower
            && !matches!(norm, Normalize::Target(_) | Normalize::Map(_));
        Ok(match mirrored {
            true => format!("({hundred} - {raw})"),
            false => raw,
        })
    }

    fn dimension(&mut self, k: DimensionId) -> Result<(), SqlError> {
        let dim = &self.fw.dimensions[k];
        for &l in &dim.levels {
            self.dimension_at(k, l)?;
        }
        Ok(())
    }

    /// `d{k}_{l}`: the children's scores combined where the dimension applies.
    fn dimension_at(&mut self, k: DimensionId, l: LevelId) -> Result<(), SqlError> {
        let fw = self.fw;
        let dim = &fw.dimensions[k];
        let d = self.d;
        let mut rel = self.rel(l);
        let name = format!("d{k}_{l}");
        let p = format!("{name}_");
        let ap = self.applies(dim.when.as_ref(), &mut rel)?;
        let mut inner = vec![(format!("{p}_ap"), ap)];
        for (c, child) in dim.children.iter().enumerate() {
            let a = self.read(&mut rel, &child_cte(child.item, l), l);
            inner.push((format!("{p}st{c}"), a.col("st")));
            inner.push((format!("{p}s{c}"), a.col("sc")));
        }
        for g in 0..dim.gates.len() {
            let test = self.gate(k, g, &mut rel)?;
            inner.push((format!("{p}gate{g}"), test));
        }
        let n = dim.children.len();
        let applies = |c: usize| format!("{p}st{c} <> 'not_applicable'");
        let has = |c: usize| format!("({p}st{c} <> 'not_applicable' AND {p}s{c} IS NOT NULL)");
        let weight = |c: usize| d.num(dim.children[c].weight);
        let sum = |f: &dyn Fn(usize) -> String| sum_of(n, f);
        let zero = d.num(0.0);
        let total = sum(&|c| {
            format!(
                "CASE WHEN {} THEN {} ELSE {zero} END",
                applies(c),
                weight(c)
            )
        });
        let scored = sum(&|c| format!("CASE WHEN {} THEN {} ELSE {zero} END", has(c), weight(c)));
        let combined = self.combine(dim.aggregate, n, &p, &has, &weight);
        let gated = match dim.gates.is_empty() {
            true => "FALSE".to_string(),
            false => (0..dim.gates.len())
                .map(|g| format!("{p}gate{g}"))
                .collect::<Vec<_>>()
                .join(" OR "),
        };
        let mid = vec![
            (format!("{p}tw"), total),
            (format!("{p}sw"), scored),
            (format!("{p}comb"), combined),
            (format!("{p}gated"), gated),
        ];
        let status = format!(
            "CASE WHEN {p}_ap IS NULL THEN 'missing' WHEN NOT {p}_ap THEN 'not_applicable' WHEN {p}tw = 0 THEN 'not_applicable' WHEN {p}sw / {p}tw + {eps} < {req} THEN 'insufficient' WHEN {p}sw = 0 THEN 'missing' ELSE 'ok' END",
            eps = d.num(1e-12),
            req = d.num(dim.require)
        );
        let decided = vec![
            (format!("{p}st"), status),
            (
                format!("{p}cov"),
                format!("CASE WHEN {p}_ap AND {p}tw <> 0 THEN {p}sw / {p}tw END"),
            ),
        ];
        let shown = format!("CASE WHEN {p}st = 'ok' THEN {p}comb END");
        let outer = vec![(format!("{p}s"), shown.clone()), (format!("{p}sc"), shown)];
        // Each gate's column is kept, for the record of which failed.
        let gates: Vec<String> = (0..dim.gates.len()).map(|g| format!("gate{g}")).collect();
        let mut exported = vec!["_ap", "st", "cov", "gated", "s", "sc"];
        exported.extend(gates.iter().map(String::as_str));
        // The chain's prefix is the one the columns were named with.
        debug_assert_eq!(self.prefix(&name, &rel), p);
        self.unit(&name, rel, vec![inner, mid, decided, outer], &exported);
        Ok(())
    }

    /// Gate `g` of dimension `k` at the rel's level: true where it fails.
    /// A gate reading a child that does not apply is not tested there.
    fn gate(&mut self, k: DimensionId, g: usize, rel: &mut Rel) -> Result<String, SqlError> {
        let l = rel.level;
        let test = self.expr(&self.fw.dimensions[k].gates[g].expr, rel)?;
        let mut na = Vec::new();
        for &c in self.plan.gate(k, g) {
            let a = self.read(rel, &child_cte(c, l), l);
            na.push(format!("{} = 'not_applicable'", a.col("st")));
        }
        let na = match na.is_empty() {
            true => "FALSE".to_string(),
            false => na.join(" OR "),
        };
        Ok(format!(
            "CASE WHEN {na} THEN FALSE WHEN {test} THEN FALSE ELSE TRUE END"
        ))
    }

    /// The children's scores (columns `{p}s{c}`) combined by `agg`, over
    /// the children that apply and have a score (`has`).
    fn combine(
        &self,
        agg: Aggregate,
        n: usize,
        p: &str,
        has: &dyn Fn(usize) -> String,
        weight: &dyn Fn(usize) -> String,
    ) -> String {
        let d = self.d;
        let sum = |f: &dyn Fn(usize) -> String| sum_of(n, f);
        let zero = d.num(0.0);
        let s = |c: usize| format!("{p}s{c}");
        let sw = sum(&|c| format!("CASE WHEN {} THEN {} ELSE {zero} END", has(c), weight(c)));
        let nonpositive = (0..n)
            .map(|c| format!("({} AND {} <= 0)", has(c), s(c)))
            .collect::<Vec<_>>()
            .join(" OR ");
        match agg {
            Aggregate::Mean => format!(
                "({}) / NULLIF({sw}, 0)",
                sum(&|c| format!(
                    "CASE WHEN {} THEN {} * {} ELSE {zero} END",
                    has(c),
                    weight(c),
                    s(c)
                ))
            ),
            Aggregate::Geometric => format!(
                "CASE WHEN {nonpositive} THEN {zero} ELSE EXP(({}) / NULLIF({sw}, 0)) END",
                sum(&|c| format!(
                    "CASE WHEN {} AND {} > 0 THEN {} * LN({}) ELSE {zero} END",
                    has(c),
                    s(c),
                    weight(c),
                    s(c)
                ))
            ),
            Aggregate::Harmonic => format!(
                "CASE WHEN {nonpositive} THEN {zero} ELSE ({sw}) / NULLIF({}, 0) END",
                sum(&|c| format!(
                    "CASE WHEN {} AND {} > 0 THEN {} / {} ELSE {zero} END",
                    has(c),
                    s(c),
                    weight(c),
                    s(c)
                ))
            ),
            Aggregate::Min | Aggregate::Max => {
                let f = if agg == Aggregate::Min {
                    "LEAST"
                } else {
                    "GREATEST"
                };
                let xs: Vec<String> = (0..n)
                    .map(|c| format!("CASE WHEN {} THEN {} END", has(c), s(c)))
                    .collect();
                present_extreme(f, &xs)
            }
            Aggregate::Median => {
                // The lowest score whose children at or below it carry half the weight.
                let half = format!("(({sw}) / 2 - {} * ({sw}))", d.num(1e-12));
                let xs: Vec<String> = (0..n)
                    .map(|j| {
                        let below = sum(&|c| {
                            format!(
                                "CASE WHEN {} AND {} <= {} THEN {} ELSE {zero} END",
                                has(c),
                                s(c),
                                s(j),
                                weight(c)
                            )
                        });
                        format!(
                            "CASE WHEN {} AND ({below}) >= {half} THEN {} END",
                            has(j),
                            s(j)
                        )
                    })
                    .collect();
                present_extreme("LEAST", &xs)
            }
        }
    }
}

/// The CTE holding a child's status and counted score at level `l`.
fn child_cte(c: ChildRef, l: LevelId) -> String {
    match c {
        ChildRef::Indicator(i) => format!("i{i}_{l}"),
        ChildRef::Dimension(x) => format!("d{x}_{l}"),
    }
}

/// `f(0) + f(1) + …` over `n` children.
fn sum_of(n: usize, f: &dyn Fn(usize) -> String) -> String {
    (0..n).map(f).collect::<Vec<_>>().join(" + ")
}

impl Builder<'_> {
    /// `rollup distribution`: `code:count` for each option some unit gave
    /// (where `keep`), in the options' order, separated by spaces.
    pub(super) fn tally(&self, i: IndicatorId, x: &str, keep: &str) -> String {
        let d = self.d;
        let opts = match self.fw.indicators[i].value.ty {
            Type::Option(q) => self.fw.questions[q].ty.options(),
            _ => &[],
        };
        if opts.is_empty() {
            return d.str("");
        }
        let parts: Vec<String> = opts
            .iter()
            .map(|o| {
                let n = format!(
                    "SUM(CASE WHEN {keep} AND {x} = {} THEN 1 ELSE 0 END)",
                    d.str(&o.code)
                );
                let text = d.concat(&[&d.str(&format!("{}:", o.code)), &d.to_text(&n)]);
                format!("CASE WHEN {n} > 0 THEN {text} END")
            })
            .collect();
        format!("concat_ws(' ', {})", parts.join(", "))
    }
}

impl Builder<'_> {
    /// Whether indicator `i`'s value at level `l` is computed from rows
    /// and masked where disclosure control hides it.
    pub(super) fn masked(&self, i: IndicatorId, l: LevelId) -> bool {
        let ind = &self.fw.indicators[i];
        self.opts.hidden.is_some() && (l == ind.at || matches!(ind.rollup, Rollup::Pooled))
    }
}

/// The status of a value read from alias `v` (`suppressed` where it is
/// masked; a `tally` is never missing where it applies), and, when masked, the columns `st0` (the status it would
/// have unmasked: what disclosure control decides from) and `hw`.
pub(super) fn statuses(
    v: &Ref,
    low_n: &str,
    masked: bool,
    tally: bool,
) -> (String, Option<String>) {
    let (ap, value) = (v.col("_ap"), v.col("v"));
    // A tally with no unit counted is a tally of zeros, not a missing value.
    let none = |missing: &str| match tally {
        true => String::new(),
        false => format!(" WHEN {missing} THEN 'missing'"),
    };
    let rest = |missing: &str| {
        format!(
            "WHEN {ap} IS NULL THEN 'missing' WHEN NOT {ap} THEN 'not_applicable'{}{low_n} ELSE 'ok' END",
            none(missing)
        )
    };
    let shown = rest(&format!("{value} IS NULL"));
    if !masked {
        return (format!("CASE {shown}"), None);
    }
    let unmasked = rest(&format!("NOT {}", v.col("_p0")));
    (
        format!("CASE WHEN {} THEN 'suppressed' {shown}", v.col("_hid")),
        Some(format!("CASE {unmasked}")),
    )
}

/// 1 when any row is true, else missing when any is, else 0.
fn any_up(c: &str) -> String {
    format!(
        "CASE WHEN SUM(CASE WHEN {c} THEN 1 ELSE 0 END) > 0 THEN TRUE WHEN SUM(CASE WHEN {c} IS NULL THEN 1 ELSE 0 END) > 0 THEN NULL ELSE FALSE END"
    )
}

/// A value as a number: yes/no as 1/0, other types missing.
pub(super) fn numeric(d: super::Dialect, v: &str, ty: Type) -> String {
    match ty {
        Type::Number => v.to_string(),
        Type::Bool => format!(
            "(CASE WHEN {v} THEN {} WHEN NOT {v} THEN {} END)",
            d.num(1.0),
            d.num(0.0)
        ),
        _ => format!("CAST(NULL AS {})", d.double()),
    }
}

/// The least of the values that are present (missing when none is),
/// whichever way an engine's `LEAST` treats NULL.
pub fn least(xs: &[String]) -> String {
    present_extreme("LEAST", xs)
}

/// `LEAST` or `GREATEST` over the present values of `xs`.
pub fn present_extreme(f: &str, xs: &[String]) -> String {
    if xs.len() == 1 {
        return xs[0].clone();
    }
    let all = xs.join(", ");
    let picks: Vec<String> = xs.iter().map(|x| format!("COALESCE({x}, {all})")).collect();
    format!("{f}({})", picks.join(", "))
}
