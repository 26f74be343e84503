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
use super::build::{Builder, Rel};
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
            let ap = format!("COALESCE({}.ap, FALSE)", format_args!("a{i}_{c}"));
            match &ind.rollup {
                Rollup::Pooled => {
                    let mut rel = self.rel(c);
                    rel.join(&format!("a{i}_{c}"), c);
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
        let mut cols = vec![
            format!("r._k AS _k"),
            format!("{ap} AS _ap"),
            format!("{v} AS _v"),
        ];
        // Per cell of a breakdown: `x{i}_{b}_{l}`, keyed by unit and cell.
        let (name, cell) = match rel.split {
            Some(sp) => {
                cols.push("c._c AS _c".into());
                (format!("x{i}_{}_{l}", sp.b), "_c, ")
            }
            None => (format!("v{i}_{l}"), ""),
        };
        for (k, a) in rel.stats.iter().enumerate() {
            cols.push(format!(
                "COALESCE({}, 0) AS _n{k}, COALESCE({}, 0) AS _p{k}",
                a.col("n"),
                a.col("p")
            ));
        }
        let one_interval = rel.stats.len() == 1
            && matches!(&ind.value.kind, ExprKind::Agg(a) if matches!(a.func, AggFunc::Share | AggFunc::Mean));
        let (lo, hi) = match one_interval {
            true => (rel.stats[0].col("lo"), rel.stats[0].col("hi")),
            false => (self.null(Type::Number), self.null(Type::Number)),
        };
        cols.push(format!("{lo} AS lo, {hi} AS hi"));
        let (n, cov) = if rel.stats.is_empty() {
            (
                "CASE WHEN _v IS NOT NULL THEN 1 ELSE 0 END".to_string(),
                format!("CASE WHEN _v IS NOT NULL THEN {} END", d.num(1.0)),
            )
        } else {
            let ns: Vec<String> = (0..rel.stats.len()).map(|k| format!("_n{k}")).collect();
            let covs: Vec<String> = (0..rel.stats.len())
                .map(|k| format!("CASE WHEN _p{k} > 0 THEN CAST(_n{k} AS {dbl}) / _p{k} END"))
                .collect();
            (least(&ns), least(&covs))
        };
        if let Some(hw) = &hw {
            cols.push(format!("{hw} AS _hw"));
        }
        let (masked, extra, join) = match &self.opts.hidden {
            Some(t) => {
                let (b, c) = match rel.split {
                    Some(sp) => (sp.b.to_string(), "c._c".to_string()),
                    None => ("-1".to_string(), "0".to_string()),
                };
                cols.push("h.k IS NOT NULL AS _hid".into());
                let hw = if hw.is_some() { ", _hw" } else { "" };
                (
                    " AND NOT _hid",
                    format!(", _hid, (_ap AND _v IS NOT NULL) AS _p0{hw}"),
                    format!(
                        " LEFT JOIN {t} AS h ON h.i = {i} AND h.l = {l} AND h.b = {b} AND h.c = {c} AND h.k = r._k"
                    ),
                )
            }
            None => ("", String::new(), String::new()),
        };
        let body = format!(
            "SELECT _k, {cell}_ap, CASE WHEN _ap{masked} THEN _v END AS v, CAST({n} AS BIGINT) AS n, {cov} AS cov, lo, hi{extra} FROM (SELECT {} {}{join}) AS t",
            cols.join(", "),
            rel.from()
        );
        self.cte(&name, body);
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
        let has = match pooled && self.masked(i, at) {
            true => "v._p0",
            false => "v._ap AND v.v IS NOT NULL",
        };
        let body = format!(
            "SELECT r._a{c} AS _k, {} AS ap, SUM(CASE WHEN v._ap THEN 1 ELSE 0 END) AS total, SUM(CASE WHEN {has} THEN 1 ELSE 0 END) AS units FROM b{at} AS r JOIN v{i}_{at} AS v ON v._k = r._k WHERE r._a{c} IS NOT NULL GROUP BY r._a{c}",
            any_up("v._ap")
        );
        self.cte(&format!("a{i}_{c}"), body);
    }

    /// `v{i}_{c}` for a rollup over units: their values combined.
    fn unit_rollup(&mut self, i: IndicatorId, c: LevelId, r: &Rollup) -> Result<(), SqlError> {
        let ind = &self.fw.indicators[i];
        let at = ind.at;
        let d = self.d;
        let mut rel = self.rel(at);
        let own = rel.join(&format!("v{i}_{at}"), at);
        let x = match r {
            // A tally reads the options themselves.
            Rollup::Distribution => format!("{own}.v"),
            _ => numeric(d, &format!("{own}.v"), ind.value.ty),
        };
        let w = match r {
            Rollup::MeanWeighted(w) => Some(self.expr(w, &mut rel)?),
            _ => None,
        };
        let mut keep = format!("{own}._ap AND {x} IS NOT NULL");
        if let Some(w) = &w {
            keep.push_str(&format!(" AND {w} IS NOT NULL AND {w} >= 0"));
        }
        let w = w.unwrap_or_else(|| d.num(1.0));
        let value = match r {
            Rollup::Sum => format!("SUM({x})"),
            Rollup::Mean | Rollup::Share | Rollup::MeanWeighted(_) => {
                format!("CASE WHEN SUM({w}) > 0 THEN SUM({x} * {w}) / SUM({w}) END")
            }
            Rollup::Median => d.percentile(&x, 0.5),
            Rollup::Min => format!("MIN({x})"),
            Rollup::Max => format!("MAX({x})"),
            Rollup::Distribution => self.tally(i, &x, "TRUE"),
            Rollup::Pooled | Rollup::None => {
                return Err(self.unsupported(format!("`rollup {}` here", r.name()), ind.span));
            }
        };
        let u = format!("u{i}_{c}");
        self.cte(
            &u,
            format!(
                "SELECT r._a{c} AS _k, {value} AS v {} WHERE r._a{c} IS NOT NULL AND {keep} GROUP BY r._a{c}",
                rel.from()
            ),
        );
        let body = format!(
            "SELECT r._k AS _k, COALESCE(a.ap, FALSE) AS _ap, u.v AS v, CAST(COALESCE(a.units, 0) AS BIGINT) AS n, CASE WHEN a.total > 0 THEN CAST(a.units AS {dbl}) / a.total END AS cov, {nul} AS lo, {nul} AS hi FROM b{c} AS r LEFT JOIN a{i}_{c} AS a ON a._k = r._k LEFT JOIN {u} AS u ON u._k = r._k",
            dbl = d.double(),
            nul = self.null(Type::Number)
        );
        self.cte(&format!("v{i}_{c}"), body);
        Ok(())
    }

    /// `i{i}_{l}`: status, score and counted score over `v{i}_{l}`.
    fn scored(&mut self, i: IndicatorId, l: LevelId, min_n_applies: bool) -> Result<(), SqlError> {
        let ind = &self.fw.indicators[i];
        let mut rel = self.rel(l);
        let v = rel.join(&format!("v{i}_{l}"), l);
        let low_n = match (min_n_applies, ind.min_n) {
            (true, Some(m)) => format!(" WHEN {v}.n < {m} THEN 'low_n'"),
            _ => String::new(),
        };
        let tally = l != ind.at && matches!(ind.rollup, Rollup::Distribution);
        let (status, mut st0) = statuses(&v, &low_n, self.masked(i, l), tally);
        if self.masked(i, l) && l == ind.at {
            st0.push_str(&format!(", {v}._hw AS hw"));
        }
        // A rollup over units gives numbers whatever the value's type.
        let ty = match (l == ind.at, &ind.rollup) {
            (false, r) if !matches!(r, Rollup::Pooled) => Type::Number,
            _ => ind.value.ty,
        };
        let score = self.score(i, &format!("{v}.v"), ty, &mut rel)?;
        let body = format!(
            "SELECT t.*, CASE WHEN st IN ('ok', 'low_n') THEN s END AS sc FROM (SELECT r._k AS _k, {v}._ap AS _ap, {v}.v AS v, {v}.n AS n, {v}.cov AS cov, {v}.lo AS lo, {v}.hi AS hi, {status} AS st, {score} AS s{st0} {}) AS t",
            rel.from()
        );
        self.cte(&format!("i{i}_{l}"), body);
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
            Normalize::MinMax => format!(
                "CASE WHEN MAX({x}) OVER () > MIN({x}) OVER () THEN ({x} - MIN({x}) OVER ()) / (MAX({x}) OVER () - MIN({x}) OVER ()) * {hundred} END"
            ),
            Normalize::Rank => format!(
                "CASE WHEN COUNT({x}) OVER () >= 2 THEN ((RANK() OVER (PARTITION BY CASE WHEN {x} IS NULL THEN 1 ELSE 0 END ORDER BY {x}) + (COUNT(*) OVER (PARTITION BY {x}) - 1) / {two}) - 1) / (COUNT({x}) OVER () - 1) * {hundred} END",
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
        let ap = self.applies(dim.when.as_ref(), &mut rel)?;
        let mut cols = vec!["r._k AS _k".to_string(), format!("{ap} AS _ap")];
        for (c, child) in dim.children.iter().enumerate() {
            let a = rel.join(&child_cte(child.item, l), l);
            cols.push(format!("{a}.st AS st{c}, {a}.sc AS s{c}"));
        }
        for g in 0..dim.gates.len() {
            cols.push(self.gate(k, g, &mut rel)?);
        }
        let n = dim.children.len();
        let applies = |c: usize| format!("st{c} <> 'not_applicable'");
        let has = |c: usize| format!("(st{c} <> 'not_applicable' AND s{c} IS NOT NULL)");
        let weight = |c: usize| d.num(dim.children[c].weight);
        let sum = |f: &dyn Fn(usize) -> String| sum_of(n, f);
        let total = sum(&|c| {
            format!(
                "CASE WHEN {} THEN {} ELSE {} END",
                applies(c),
                weight(c),
                d.num(0.0)
            )
        });
        let scored = sum(&|c| {
            format!(
                "CASE WHEN {} THEN {} ELSE {} END",
                has(c),
                weight(c),
                d.num(0.0)
            )
        });
        let combined = self.combine(dim.aggregate, n, &has, &weight);
        let gated = if dim.gates.is_empty() {
            "FALSE".to_string()
        } else {
            (0..dim.gates.len())
                .map(|g| format!("gate{g}"))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let inner = format!("SELECT {} {}", cols.join(", "), rel.from());
        // Each gate's column is kept, for the record of which failed.
        let each: String = (0..dim.gates.len()).map(|g| format!(", gate{g}")).collect();
        let mid = format!(
            "SELECT _k, _ap, {total} AS tw, {scored} AS sw, {combined} AS comb, {gated} AS gated{each} FROM ({inner}) AS t"
        );
        let status = format!(
            "CASE WHEN _ap IS NULL THEN 'missing' WHEN NOT _ap THEN 'not_applicable' WHEN tw = 0 THEN 'not_applicable' WHEN sw / tw + {eps} < {req} THEN 'insufficient' WHEN sw = 0 THEN 'missing' ELSE 'ok' END",
            eps = d.num(1e-12),
            req = d.num(dim.require)
        );
        let outer = format!(
            "SELECT _k, _ap, st, cov, gated{each}, CASE WHEN st = 'ok' THEN comb END AS s, CASE WHEN st = 'ok' THEN comb END AS sc FROM (SELECT _k, _ap, gated{each}, comb, {status} AS st, CASE WHEN _ap AND tw <> 0 THEN sw / tw END AS cov FROM ({mid}) AS m) AS o"
        );
        self.cte(&format!("d{k}_{l}"), outer);
        Ok(())
    }

    /// Gate `g` of dimension `k` at the rel's level, as column `gate{g}`:
    /// true where it fails. A gate reading a child that does not apply
    /// is not tested there.
    fn gate(&mut self, k: DimensionId, g: usize, rel: &mut Rel) -> Result<String, SqlError> {
        let l = rel.level;
        let test = self.expr(&self.fw.dimensions[k].gates[g].expr, rel)?;
        let na: Vec<String> = (self.plan.gate(k, g).iter())
            .map(|&c| {
                let a = rel.join(&child_cte(c, l), l);
                format!("{a}.st = 'not_applicable'")
            })
            .collect();
        let na = match na.is_empty() {
            true => "FALSE".to_string(),
            false => na.join(" OR "),
        };
        Ok(format!(
            "CASE WHEN {na} THEN FALSE WHEN {test} THEN FALSE ELSE TRUE END AS gate{g}"
        ))
    }

    /// The children's scores combined by `agg`, over the children that
    /// apply and have a score (`has`).
    fn combine(
        &self,
        agg: Aggregate,
        n: usize,
        has: &dyn Fn(usize) -> String,
        weight: &dyn Fn(usize) -> String,
    ) -> String {
        let d = self.d;
        let sum = |f: &dyn Fn(usize) -> String| sum_of(n, f);
        let zero = d.num(0.0);
        let sw = sum(&|c| format!("CASE WHEN {} THEN {} ELSE {zero} END", has(c), weight(c)));
        let nonpositive = (0..n)
            .map(|c| format!("({} AND s{c} <= 0)", has(c)))
            .collect::<Vec<_>>()
            .join(" OR ");
        match agg {
            Aggregate::Mean => format!(
                "({}) / NULLIF({sw}, 0)",
                sum(&|c| format!(
                    "CASE WHEN {} THEN {} * s{c} ELSE {zero} END",
                    has(c),
                    weight(c)
                ))
            ),
            Aggregate::Geometric => format!(
                "CASE WHEN {nonpositive} THEN {zero} ELSE EXP(({}) / NULLIF({sw}, 0)) END",
                sum(&|c| format!(
                    "CASE WHEN {} AND s{c} > 0 THEN {} * LN(s{c}) ELSE {zero} END",
                    has(c),
                    weight(c)
                ))
            ),
            Aggregate::Harmonic => format!(
                "CASE WHEN {nonpositive} THEN {zero} ELSE ({sw}) / NULLIF({}, 0) END",
                sum(&|c| format!(
                    "CASE WHEN {} AND s{c} > 0 THEN {} / s{c} ELSE {zero} END",
                    has(c),
                    weight(c)
                ))
            ),
            Aggregate::Min | Aggregate::Max => {
                let f = if agg == Aggregate::Min {
                    "LEAST"
                } else {
                    "GREATEST"
                };
                let xs: Vec<String> = (0..n)
                    .map(|c| format!("CASE WHEN {} THEN s{c} END", has(c)))
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
                                "CASE WHEN {} AND s{c} <= s{j} THEN {} ELSE {zero} END",
                                has(c),
                                weight(c)
                            )
                        });
                        format!("CASE WHEN {} AND ({below}) >= {half} THEN s{j} END", has(j))
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
pub(super) fn statuses(v: &str, low_n: &str, masked: bool, tally: bool) -> (String, String) {
    // A tally with no unit counted is a tally of zeros, not a missing value.
    let none = match tally {
        true => String::new(),
        false => format!(" WHEN {v}.v IS NULL THEN 'missing'"),
    };
    let rest = format!(
        "WHEN {v}._ap IS NULL THEN 'missing' WHEN NOT {v}._ap THEN 'not_applicable'{none}{low_n} ELSE 'ok' END"
    );
    if !masked {
        return (format!("CASE {rest}"), String::new());
    }
    let unmasked = rest.replace(&format!("WHEN {v}.v IS NULL"), &format!("WHEN NOT {v}._p0"));
    (
        format!("CASE WHEN {v}._hid THEN 'suppressed' {rest}"),
        format!(", CASE {unmasked} AS st0"),
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
