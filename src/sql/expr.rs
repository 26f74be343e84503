//! Expressions and aggregates as SQL.
//!
//! In: an IR expression and the [`Rel`] of the level it is read at. Out:
//! a SQL expression over `r` and the CTEs the rel joins, with the same
//! three-valued logic as the in-memory runner: SQL's NULL is a missing
//! value, `AND`/`OR`/`NOT`/`IN` already decide as grille does, and what
//! SQL would raise an error on (a division by zero, the square root of a
//! negative number) is written to be missing instead.

use super::SqlError;
use super::build::{Builder, Rel};
use crate::ir::{AggFunc, BinOp, ChildRef, Expr, ExprKind, Func, LevelId, Type, UnOp};

/// z for a 95 % interval, as the in-memory runner uses it.
const Z: f64 = crate::eval::Z;

/// Whether a row enters an aggregate: it passed, its arguments are
/// there, and (for those that weigh rows) its weight is usable.
fn entered(f: AggFunc, weighted: bool) -> String {
    let mut ent = String::from("_p");
    if f != AggFunc::CountRows {
        ent.push_str(" AND _x IS NOT NULL");
    }
    if f == AggFunc::Ratio {
        ent.push_str(" AND _y IS NOT NULL");
    }
    let weighs = matches!(
        f,
        AggFunc::Sum | AggFunc::Mean | AggFunc::Share | AggFunc::Stddev | AggFunc::Ratio
    );
    if weighted && weighs {
        ent.push_str(" AND _w IS NOT NULL AND _w >= 0");
    }
    ent
}

impl Builder<'_> {
    /// A NULL of the SQL type of `ty`.
    pub fn null(&self, ty: Type) -> String {
        let t = match ty {
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
            Type::Text | Type::Option(_) | Type::Set(_) | Type::Level(_) => self.d.text(),
            _ => self.d.double(),
        };
        format!("CAST(NULL AS {t})")
    }

    /// `e` read at `rel`'s level.
    pub fn expr(&mut self, e: &Expr, rel: &mut Rel) -> Result<String, SqlError> {
        let l = rel.level;
        if let Some(el) = e.level
            && el > l
            && !matches!(e.kind, ExprKind::Agg(_))
            && !self.reads_rolled_up(e, l)
        {
            return Ok(self.null(e.ty));
        }
        let d = self.d;
        Ok(match &e.kind {
            ExprKind::Num(x) => d.num(*x),
            ExprKind::Str(s) => d.str(s),
            ExprKind::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            ExprKind::Question(q) => {
                let ql = self.fw.questions[*q].level;
                if ql == l {
                    format!("r.q{q}")
                } else {
                    let a = rel.join(&format!("b{ql}{}", rel.sfx), ql);
                    format!("{a}.q{q}")
                }
            }
            ExprKind::Let(i) => self.let_value(*i, rel)?,
            ExprKind::Indicator(i) => self.indicator_value(*i, rel),
            ExprKind::Score(c) => self.child_score(*c, rel),
            ExprKind::DimensionScore(k) => self.child_score(ChildRef::Dimension(*k), rel),
            ExprKind::Unary(UnOp::Not, x) => format!("(NOT {})", self.expr(x, rel)?),
            ExprKind::Unary(UnOp::Neg, x) => format!("(-{})", self.expr(x, rel)?),
            ExprKind::Chain(first, rest) => self.chain(first, rest, rel)?,
            ExprKind::In(x, items) => {
                let x = self.expr(x, rel)?;
                let items = items
                    .iter()
                    .map(|it| self.expr(it, rel))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("({x} IN ({}))", items.join(", "))
            }
            ExprKind::If(arms, otherwise) => {
                let mut s = String::from("(CASE");
                for (c, a) in arms {
                    let c = self.expr(c, rel)?;
                    let a = self.expr(a, rel)?;
                    // A missing condition makes the value missing, where
                    // SQL would go on to the next arm.
                    s.push_str(&format!(
                        " WHEN {c} THEN {a} WHEN ({c}) IS NULL THEN {}",
                        self.null(e.ty)
                    ));
                }
                format!("{s} ELSE {} END)", self.expr(otherwise, rel)?)
            }
            ExprKind::Func(f, args) => self.func(*f, args, rel)?,
            ExprKind::Agg(_) => self.aggregate(e, rel)?,
        })
    }

    /// Whether `e`, written at a finer level, still has a value at `l`
    /// (see the in-memory runner's rule of the same name).
    fn reads_rolled_up(&self, e: &Expr, l: LevelId) -> bool {
        if e.level.is_none_or(|el| el <= l) {
            return true;
        }
        match &e.kind {
            ExprKind::Agg(_) | ExprKind::Score(_) | ExprKind::DimensionScore(_) => true,
            ExprKind::Indicator(i) => self.fw.indicators[*i].levels.contains(&l),
            ExprKind::Question(_) | ExprKind::Let(_) => false,
            _ => e.children().into_iter().all(|c| self.reads_rolled_up(c, l)),
        }
    }

    /// A let: inlined at its own level, or read from a CTE at its coarser one.
    fn let_value(&mut self, i: usize, rel: &mut Rel) -> Result<String, SqlError> {
        let le = &self.fw.lets[i].expr;
        let at = le.level.unwrap_or(rel.level).min(rel.level);
        if at == rel.level {
            rel.in_let += 1;
            let s = self.expr(le, rel);
            rel.in_let -= 1;
            return Ok(format!("({})", s?));
        }
        let name = format!("l{i}_{at}{}", rel.sfx);
        if !self.ctes.contains_key(&name) {
            let mut inner = self.rel(at);
            let v = self.expr(le, &mut inner)?;
            self.cte(&name, format!("SELECT r._k, {v} AS v {}", inner.from()));
        }
        let a = rel.join(&name, at);
        Ok(format!("{a}.v"))
    }

    /// An indicator's value at the rel's level: its own there, or its
    /// value at a coarser level it is computed at, else missing.
    fn indicator_value(&mut self, i: usize, rel: &mut Rel) -> String {
        let ind = &self.fw.indicators[i];
        let l = rel.level;
        let at = if ind.levels.contains(&l) {
            l
        } else if ind.at < l {
            ind.at
        } else {
            return self.null(ind.value.ty);
        };
        let a = rel.join(&format!("i{i}_{at}"), at);
        format!("{a}.v")
    }

    /// A child's score at the rel's level, where it counts (ok or low_n).
    fn child_score(&mut self, c: ChildRef, rel: &mut Rel) -> String {
        let l = rel.level;
        let name = match c {
            ChildRef::Indicator(i) if self.fw.indicators[i].levels.contains(&l) => {
                format!("i{i}_{l}")
            }
            ChildRef::Dimension(k) if self.fw.dimensions[k].levels.contains(&l) => {
                format!("d{k}_{l}")
            }
            _ => return self.null(Type::Number),
        };
        let a = rel.join(&name, l);
        format!("{a}.sc")
    }

    /// `a op b op c …`, left to right (`^` right to left).
    fn chain(
        &mut self,
        first: &Expr,
        rest: &[(BinOp, Expr)],
        rel: &mut Rel,
    ) -> Result<String, SqlError> {
        let mut parts = vec![self.expr(first, rel)?];
        for (op, b) in rest {
            if *op == BinOp::Has {
                // `answers has "code"`: the code among the answer's codes.
                let ExprKind::Str(code) = &b.kind else {
                    return Err(self.unsupported("`has` without a quoted option", b.span));
                };
                let x = parts.pop().unwrap_or_default();
                parts.push(self.d.holds(&x, code));
                continue;
            }
            parts.push(self.expr(b, rel)?);
        }
        if rest.iter().any(|(op, _)| *op == BinOp::Has) {
            if rest.len() > 1 {
                let span = first.span.to(rest[rest.len() - 1].1.span);
                return Err(self.unsupported("`has` chained with another comparison", span));
            }
            return Ok(parts.pop().unwrap_or_default());
        }
        if rest.first().is_some_and(|(op, _)| *op == BinOp::Pow) {
            let mut acc = parts.pop().unwrap_or_default();
            while let Some(lhs) = parts.pop() {
                acc = self.binary(BinOp::Pow, &lhs, &acc);
            }
            return Ok(acc);
        }
        let mut acc = parts[0].clone();
        for (k, (op, _)) in rest.iter().enumerate() {
            acc = self.binary(*op, &acc, &parts[k + 1]);
        }
        Ok(acc)
    }

    fn binary(&self, op: BinOp, a: &str, b: &str) -> String {
        let sym = match op {
            BinOp::Or => "OR",
            BinOp::And => "AND",
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => return format!("(CASE WHEN ({b}) = 0 THEN NULL ELSE ({a}) / ({b}) END)"),
            BinOp::Pow => {
                // What SQL refuses to compute is missing, as a power that
                // is not a finite number is in memory.
                return format!(
                    "(CASE WHEN ({a}) < 0 AND ({b}) <> FLOOR({b}) THEN NULL WHEN ({a}) = 0 AND ({b}) < 0 THEN NULL ELSE POWER({a}, {b}) END)"
                );
            }
            BinOp::Has => "=",
        };
        format!("({a} {sym} {b})")
    }

    fn func(&mut self, f: Func, args: &[Expr], rel: &mut Rel) -> Result<String, SqlError> {
        let mut a = Vec::with_capacity(args.len());
        for x in args {
            a.push(self.expr(x, rel)?);
        }
        let d = self.d;
        Ok(match f {
            Func::Abs => format!("ABS({})", a[0]),
            Func::Floor => format!("FLOOR({})", a[0]),
            Func::Ceil => format!("CEIL({})", a[0]),
            Func::Sqrt => format!("(CASE WHEN {0} >= 0 THEN SQRT({0}) END)", a[0]),
            Func::Ln => format!("(CASE WHEN {0} > 0 THEN LN({0}) END)", a[0]),
            Func::Exp => format!("(CASE WHEN {0} <= 709.78 THEN EXP({0}) END)", a[0]),
            Func::Round => {
                let m = match a.get(1) {
                    Some(dg) => format!(
                        "POWER({}, CAST(CAST({dg} AS BIGINT) AS {}))",
                        d.num(10.0),
                        d.double()
                    ),
                    None => d.num(1.0),
                };
                // Halves away from zero, as Rust rounds.
                format!(
                    "(SIGN(({0}) * {m}) * FLOOR(ABS(({0}) * {m}) + {half}) / {m})",
                    a[0],
                    half = d.num(0.5)
                )
            }
            Func::Least | Func::Greatest => {
                // Arguments that are missing are left out; none left is missing.
                let name = if f == Func::Least {
                    "LEAST"
                } else {
                    "GREATEST"
                };
                let present: Vec<String> = a.iter().map(|x| format!("{x} IS NOT NULL")).collect();
                let picks: Vec<String> = a
                    .iter()
                    .map(|x| format!("COALESCE({x}, {})", a.join(", ")))
                    .collect();
                format!(
                    "(CASE WHEN {} THEN {name}({}) END)",
                    present.join(" OR "),
                    picks.join(", ")
                )
            }
            Func::Clamp => format!(
                "(CASE WHEN {0} IS NULL OR {1} IS NULL OR {2} IS NULL THEN NULL ELSE LEAST(GREATEST({0}, {1}), {2}) END)",
                a[0], a[1], a[2]
            ),
            Func::Coalesce => format!("COALESCE({})", a.join(", ")),
            Func::IsMissing => format!("({} IS NULL)", a[0]),
            Func::Year => format!("CAST(EXTRACT(YEAR FROM {}) AS {})", a[0], d.double()),
            Func::DaysBetween => d.days_between(&a[0], &a[1]),
            Func::CountSelected => {
                let opts = match args[0].ty {
                    Type::Set(q) => self.fw.questions[q].ty.options(),
                    _ => &[],
                };
                let held: Vec<String> = opts
                    .iter()
                    .map(|o| format!("CASE WHEN {} THEN 1 ELSE 0 END", d.holds(&a[0], &o.code)))
                    .collect();
                let count = if held.is_empty() {
                    "0".to_string()
                } else {
                    held.join(" + ")
                };
                format!(
                    "(CASE WHEN {} IS NOT NULL THEN CAST({count} AS {}) END)",
                    a[0],
                    d.double()
                )
            }
        })
    }

    /// An aggregate read at the rel's level, from its CTE `g{e}_{l}`.
    fn aggregate(&mut self, e: &Expr, rel: &mut Rel) -> Result<String, SqlError> {
        let ExprKind::Agg(agg) = &e.kind else {
            unreachable!("called on aggregates")
        };
        let l = rel.level;
        if agg.over <= l {
            return Ok(self.null(Type::Number));
        }
        let mask = rel.mask.filter(|(at, _)| agg.over > *at);
        let mut name = match mask {
            Some((_, i)) => format!("g{}_{l}_m{i}{}", e.id.0, rel.sfx),
            None => format!("g{}_{l}{}", e.id.0, rel.sfx),
        };
        if let Some(sp) = rel.split {
            name.push_str(&format!("_c{}x{}", sp.i, sp.b));
            if self.fw.indicators[sp.i].by[sp.b].level > agg.over {
                return Err(self.unsupported("a breakdown finer than the rows it splits", e.span));
            }
        }
        if !self.ctes.contains_key(&name) {
            let body = self.aggregate_body(e, l, rel.mask, rel.split)?;
            self.cte(&name, body);
        }
        let a = match rel.split {
            Some(_) => rel.join_cell(&name),
            None => rel.join(&name, l),
        };
        if rel.in_let == 0 {
            rel.stats.push((a.clone(), agg.func));
        }
        Ok(match agg.func {
            AggFunc::CountRows | AggFunc::Count | AggFunc::Sum => {
                format!("COALESCE({a}.v, {})", self.d.num(0.0))
            }
            _ => format!("{a}.v"),
        })
    }

    /// The rows of one aggregate at its level, one SQL row each: its
    /// unit at `l` (`_g`), whether it passes the filter (`_p`), whether it
    /// passed but its question was not asked (`_u`), its argument(s) `_x`
    /// (and `_y`) and weight `_w`.
    fn aggregate_rows(
        &mut self,
        e: &Expr,
        l: LevelId,
        mask: Option<(LevelId, usize)>,
        split: Option<super::build::Split>,
    ) -> Result<String, SqlError> {
        let ExprKind::Agg(agg) = &e.kind else {
            unreachable!("called on aggregates")
        };
        let d = self.d;
        let f = agg.func;
        let mut rows = self.rel(agg.over);
        rows.mask = mask;
        let mut pass = match &agg.filter {
            Some(c) => format!("COALESCE({}, FALSE)", self.expr(c, &mut rows)?),
            None => "TRUE".into(),
        };
        if let Some((at, i)) = mask.filter(|(at, _)| agg.over > *at) {
            let m = rows.join(&format!("v{i}_{at}"), at);
            pass = format!("({pass} AND COALESCE({m}._ap, FALSE))");
        }
        let x = match f {
            AggFunc::CountRows => self.null(Type::Number),
            AggFunc::Share => {
                let b = self.expr(&agg.args[0], &mut rows)?;
                format!(
                    "CASE WHEN {b} THEN {one} WHEN NOT {b} THEN {zero} END",
                    one = d.num(1.0),
                    zero = d.num(0.0)
                )
            }
            _ => self.expr(&agg.args[0], &mut rows)?,
        };
        let y = match f {
            AggFunc::Ratio => self.expr(&agg.args[1], &mut rows)?,
            _ => self.null(Type::Number),
        };
        let weighted = agg.weight.is_some();
        let w = match &agg.weight {
            Some(w) => self.expr(w, &mut rows)?,
            None => d.num(1.0),
        };
        if weighted && f == AggFunc::Count {
            return Err(self.unsupported("a weighted `count`", e.span));
        }
        let unasked = self.unasked(e, f, &pass, &mut rows)?;
        // Without a split every row is in cell 0.
        let cell = match split {
            Some(sp) => {
                let kc = self.cells(sp)?;
                let a = rows.join(&kc, self.fw.indicators[sp.i].by[sp.b].level);
                format!("{a}._c")
            }
            None => "0".into(),
        };
        let inner = format!(
            "SELECT r._a{l} AS _g, {cell} AS _c, {pass} AS _p, {unasked} AS _u, {x} AS _x, {y} AS _y, {w} AS _w {} WHERE r._a{l} IS NOT NULL",
            rows.from()
        );
        Ok(inner)
    }

    /// The CTE of one aggregate: rows of its level → one row per unit of
    /// `l` with `v`, `n` (rows that entered), `p` (rows that passed the
    /// filter) and, for a share or a mean, the interval `lo`, `hi`.
    fn aggregate_body(
        &mut self,
        e: &Expr,
        l: LevelId,
        mask: Option<(LevelId, usize)>,
        split: Option<super::build::Split>,
    ) -> Result<String, SqlError> {
        let ExprKind::Agg(agg) = &e.kind else {
            unreachable!("called on aggregates")
        };
        let d = self.d;
        let f = agg.func;
        let weighted = agg.weight.is_some();
        let inner = self.aggregate_rows(e, l, mask, split)?;
        let ent = entered(f, weighted);
        let when = |v: &str| format!("CASE WHEN {ent} THEN {v} END");
        let count = |c: &str| format!("SUM(CASE WHEN {c} THEN 1 ELSE 0 END)");
        let pct = self.fraction(f, &agg.args)?;
        let mut sums = vec![
            "_g, _c".to_string(),
            format!("{} AS n", count(&ent)),
            format!("{} - {} AS p", count("_p"), count("_u")),
        ];
        let value = match f {
            AggFunc::CountRows => format!("CAST(p AS {})", d.double()),
            AggFunc::Count => {
                sums.push(format!("{} AS t", count(&format!("{ent} AND _x"))));
                format!("CAST(t AS {})", d.double())
            }
            AggFunc::Sum => {
                sums.push(format!("SUM({}) AS swx", when("_w * _x")));
                format!("COALESCE(swx, {})", d.num(0.0))
            }
            AggFunc::Min | AggFunc::Max => {
                sums.push(format!(
                    "{}({}) AS m",
                    if f == AggFunc::Min { "MIN" } else { "MAX" },
                    when("_x")
                ));
                "m".into()
            }
            AggFunc::Median | AggFunc::Percentile => {
                sums.push(format!("{} AS m", d.percentile(&when("_x"), pct)));
                "m".into()
            }
            AggFunc::Distinct => {
                sums.push(format!("COUNT(DISTINCT {}) AS m", when("_x")));
                format!("CAST(m AS {})", d.double())
            }
            AggFunc::Ratio => {
                sums.push(format!("SUM({}) AS sa", when("_w * _x")));
                sums.push(format!("SUM({}) AS sb", when("_w * _y")));
                "CASE WHEN n = 0 OR sb = 0 THEN NULL ELSE sa / sb END".into()
            }
            AggFunc::Mean | AggFunc::Share | AggFunc::Stddev => {
                return Ok(self.moments(&inner, &sums, &when, weighted, f));
            }
        };
        Ok(format!(
            "SELECT _g AS _k, _c, n, p, {value} AS v, {nul} AS lo, {nul} AS hi FROM (SELECT {} FROM ({inner}) AS x0 GROUP BY _g, _c) AS x1",
            sums.join(", "),
            nul = self.null(Type::Number)
        ))
    }

    /// The fraction a median or percentile asks for (0..1).
    fn fraction(&self, f: AggFunc, args: &[Expr]) -> Result<f64, SqlError> {
        match (f, args.get(1)) {
            (AggFunc::Percentile, Some(p)) => match p.kind {
                ExprKind::Num(x) => Ok(x / 100.0),
                _ => Err(self.unsupported("a percentile that is not a number", p.span)),
            },
            _ => Ok(0.5),
        }
    }

    /// Per row of an aggregate: it passed but cannot be used because a
    /// question its arguments read was not asked there, so it does not
    /// count against coverage (the rows' `_u`).
    fn unasked(
        &mut self,
        e: &Expr,
        f: AggFunc,
        pass: &str,
        rows: &mut Rel,
    ) -> Result<String, SqlError> {
        let ExprKind::Agg(agg) = &e.kind else {
            unreachable!("called on aggregates")
        };
        let Some(qs) = self.plan.asked_by.get(&e.id) else {
            return Ok("FALSE".into());
        };
        let args: &[Expr] = match f {
            AggFunc::CountRows => return Ok("FALSE".into()),
            AggFunc::Percentile => &agg.args[..1],
            _ => &agg.args,
        };
        let mut present = Vec::new();
        for a in args {
            present.push(format!("{} IS NOT NULL", self.expr(a, rows)?));
        }
        let mut hidden = Vec::new();
        for &q in qs {
            let ql = self.fw.questions[q].level;
            if ql > agg.over {
                continue;
            }
            let base = if ql == agg.over {
                "r".to_string()
            } else {
                rows.join(&format!("b{ql}{}", rows.sfx), ql)
            };
            hidden.push(format!("COALESCE({base}.na{q}, FALSE)"));
        }
        if hidden.is_empty() {
            return Ok("FALSE".into());
        }
        Ok(format!(
            "({pass} AND NOT ({}) AND ({}))",
            present.join(" AND "),
            hidden.join(" OR ")
        ))
    }

    /// Mean, share and standard deviation from Σw, Σwx, Σw², Σwx², with
    /// Kish's effective n under weights; intervals as in memory.
    fn moments(
        &self,
        inner: &str,
        sums: &[String],
        when: &dyn Fn(&str) -> String,
        weighted: bool,
        f: AggFunc,
    ) -> String {
        let d = self.d;
        let dbl = d.double();
        let mut sums = sums.to_vec();
        sums.push(format!("SUM({}) AS sw", when("_w")));
        sums.push(format!("SUM({}) AS swx", when("_w * _x")));
        sums.push(format!("SUM({}) AS sw2", when("_w * _w")));
        sums.push(format!("SUM({}) AS swxx", when("_w * _x * _x")));
        let (w, ne) = if weighted {
            (
                "COALESCE(sw, 0)".to_string(),
                format!(
                    "CASE WHEN sw2 > 0 THEN sw * sw / sw2 ELSE {} END",
                    d.num(0.0)
                ),
            )
        } else {
            (format!("CAST(n AS {dbl})"), format!("CAST(n AS {dbl})"))
        };
        let m = "CASE WHEN n = 0 OR w <= 0 THEN NULL ELSE swx / w END";
        let stats = format!(
            "SELECT _g, _c, n, p, swxx, w, ne, {m} AS m FROM (SELECT _g, _c, n, p, swx, swxx, {w} AS w, {ne} AS ne FROM (SELECT {} FROM ({inner}) AS x0 GROUP BY _g, _c) AS x1) AS x2",
            sums.join(", ")
        );
        let var = format!(
            "CASE WHEN ne > 1 AND m IS NOT NULL THEN GREATEST(swxx / w - m * m, {}) * ne / (ne - 1) END",
            d.num(0.0)
        );
        let (z, z2) = (d.num(Z), d.num(Z * Z));
        let (value, lo, hi) = match f {
            AggFunc::Stddev => (
                format!("SQRT({var})"),
                self.null(Type::Number),
                self.null(Type::Number),
            ),
            AggFunc::Mean => {
                let half = format!("{z} * SQRT({var}) / SQRT(ne)");
                (
                    "m".to_string(),
                    format!("m - {half}"),
                    format!("m + {half}"),
                )
            }
            _ => {
                let ok = "ne > 0 AND m IS NOT NULL";
                let denom = format!("(1 + {z2} / ne)");
                let center = format!("((m + {z2} / (2 * ne)) / {denom})");
                let half =
                    format!("({z} * SQRT(m * (1 - m) / ne + {z2} / (4 * ne * ne)) / {denom})");
                (
                    "m".to_string(),
                    format!(
                        "CASE WHEN {ok} THEN GREATEST({center} - {half}, {}) END",
                        d.num(0.0)
                    ),
                    format!(
                        "CASE WHEN {ok} THEN LEAST({center} + {half}, {}) END",
                        d.num(1.0)
                    ),
                )
            }
        };
        format!(
            "SELECT _g AS _k, _c, n, p, {value} AS v, {lo} AS lo, {hi} AS hi FROM ({stats}) AS x3"
        )
    }
}
