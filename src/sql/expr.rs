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
use super::pass::{AggCol, Member};
use crate::ir::{
    AggFunc, BinOp, ChildRef, Expr, ExprKind, Func, IndicatorId, LetId, LevelId, Type, UnOp,
};
use indexmap::IndexMap;

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
    fn let_value(&mut self, i: LetId, rel: &mut Rel) -> Result<String, SqlError> {
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
    fn indicator_value(&mut self, i: IndicatorId, rel: &mut Rel) -> String {
        let ind = &self.fw.indicators[i];
        let l = rel.level;
        let at = if ind.levels.contains(&l) {
            l
        } else if ind.at < l {
            ind.at
        } else {
            return self.null(ind.value.ty);
        };
        self.read(rel, &format!("i{i}_{at}"), at).col("v")
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
        self.read(rel, &name, l).col("sc")
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

    /// An aggregate read at the rel's level, from the pass that computes
    /// it with the others grouping the same rows (see [`super::pass`]).
    fn aggregate(&mut self, e: &Expr, rel: &mut Rel) -> Result<String, SqlError> {
        let ExprKind::Agg(agg) = &e.kind else {
            unreachable!("called on aggregates")
        };
        let l = rel.level;
        if agg.over <= l {
            return Ok(self.null(Type::Number));
        }
        // A mask only adds a join and a condition to a member's rows, so
        // aggregates under different masks share a pass; a breakdown
        // groups rows by its own cells, so it has passes of its own.
        let mut kind = format!("p{}_{l}", agg.over);
        if let Some(sp) = rel.split {
            kind.push_str(&format!("_c{}x{}", sp.i, sp.b));
            if self.fw.indicators[sp.i].by[sp.b].level > agg.over {
                return Err(self.unsupported("a breakdown finer than the rows it splits", e.span));
            }
        }
        kind.push_str(&rel.sfx);
        let seen = match rel.mask {
            Some((at, i)) => format!("{kind}/{}/m{at}_{i}", e.id.0),
            None => format!("{kind}/{}", e.id.0),
        };
        let col = match self.aggs.get(&seen) {
            Some(c) => c.clone(),
            None => {
                // Columns are numbered in the order aggregates are met: the
                // same expression may be read under two masks.
                let serial = self.aggs.len() as u32;
                let c = self.add_member(e, serial, &kind, l, rel.mask, rel.split)?;
                self.aggs.insert(seen, c.clone());
                c
            }
        };
        match rel.split {
            Some(_) => rel.join_cell(&col.alias),
            None => rel.join(&col.alias, l),
        };
        let v = col.col("v");
        if rel.in_let == 0 {
            rel.stats.push(col);
        }
        // Counts and sums of no rows are 0 (a unit with nothing below it
        // has no group in the pass).
        Ok(match agg.func {
            AggFunc::CountRows | AggFunc::Count | AggFunc::Sum | AggFunc::Distinct => {
                format!("COALESCE({v}, {})", self.d.num(0.0))
            }
            _ => v,
        })
    }

    /// Adds aggregate `e` grouped at `l` to the open pass of its kind and
    /// generation (a new one when none is open or it is full).
    fn add_member(
        &mut self,
        e: &Expr,
        serial: u32,
        kind: &str,
        l: LevelId,
        mask: Option<(LevelId, IndicatorId)>,
        split: Option<super::build::Split>,
    ) -> Result<AggCol, SqlError> {
        let (mut member, rows, cell) = self.aggregate_rows(e, mask, split)?;
        member.id = serial;
        let mut read = format!("{} {cell}", rows.base());
        for j in rows.joins.values() {
            read.push(' ');
            read.push_str(j);
        }
        for t in [&member.pass, &member.unasked, &member.x] {
            read.push(' ');
            read.push_str(t);
        }
        for t in member.y.iter().chain(member.w.iter()) {
            read.push(' ');
            read.push_str(t);
        }
        let generation = self.need_of(&read);
        let (zg, chains) = self.chains_read(&read);
        let key = format!("{kind}_g{generation}r{}{chains}", rows.zgen);
        let name = match self.open.get(&key) {
            Some(n) if self.passes[n].members.len() < super::pass::MAX_MEMBERS => n.clone(),
            open => {
                let name = match open {
                    None => key.clone(),
                    Some(_) => format!("{key}_{}", self.ctes.len()),
                };
                self.open.insert(key, name.clone());
                self.ctes.insert(name.clone(), String::new());
                self.need.insert(name.clone(), generation + 1);
                self.zg.insert(name.clone(), zg);
                let p = super::pass::Pass {
                    base: rows.base(),
                    at: l,
                    cell,
                    joins: IndexMap::new(),
                    members: Vec::new(),
                };
                self.passes.insert(name.clone(), p);
                name
            }
        };
        let p = &mut self.passes[&name];
        for (k, j) in rows.joins {
            p.joins.entry(k).or_insert(j);
        }
        let id = member.id;
        p.members.push(member);
        Ok(AggCol { alias: name, id })
    }

    /// The columns of one aggregate's rows at its level: whether a row
    /// passes the filter, whether it passed but its question was not
    /// asked, its argument(s) and weight; with the rel they read and the
    /// breakdown cell of each row.
    fn aggregate_rows(
        &mut self,
        e: &Expr,
        mask: Option<(LevelId, IndicatorId)>,
        split: Option<super::build::Split>,
    ) -> Result<(Member, Rel, String), SqlError> {
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
            let m = self.read(&mut rows, &format!("v{i}_{at}"), at);
            pass = format!("({pass} AND COALESCE({}, FALSE))", m.col("_ap"));
        }
        let x = match f {
            AggFunc::CountRows => String::new(),
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
            AggFunc::Ratio => Some(self.expr(&agg.args[1], &mut rows)?),
            _ => None,
        };
        if agg.weight.is_some() && f == AggFunc::Count {
            return Err(self.unsupported("a weighted `count`", e.span));
        }
        // Only these weigh their rows; the others ignore a weight.
        let weighs = matches!(
            f,
            AggFunc::Sum | AggFunc::Mean | AggFunc::Share | AggFunc::Stddev | AggFunc::Ratio
        );
        let w = match &agg.weight {
            Some(w) if weighs => Some(self.expr(w, &mut rows)?),
            _ => None,
        };
        let unasked = self.unasked(e, f, &pass, &mut rows)?;
        // Without a split every row is in cell 0.
        let cell = match split {
            Some(sp) => self.cell_of(sp, &mut rows)?,
            None => "0".into(),
        };
        let pct = self.fraction(f, &agg.args)?;
        let member = Member {
            id: e.id.0,
            func: f,
            pct,
            pass,
            unasked,
            x,
            y,
            w,
        };
        Ok((member, rows, cell))
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
}
