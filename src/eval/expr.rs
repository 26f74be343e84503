//! Columnar evaluation of expressions.
//!
//! In: a typed IR expression and the level to evaluate it at. Out: one
//! column with a value per unit of that level. Coarser values are
//! broadcast by gathering through precomputed ancestor indices;
//! aggregates group the rows of their finer level by their ancestor at the
//! requested level, so the same expression gives an enterprise's value or,
//! evaluated at the territory, the pooled value over all its rows.

use super::agg::{self, AggInput};
use super::{Evaluator, IndLevel};
use crate::data::Column;
use crate::data::column::{NA_BOOL, NA_DATE, NA_OPT, NA_SET, civil_from_days};
use crate::ir::{AggFunc, BinOp, ChildRef, Expr, ExprKind, Func, LevelId, Type, UnOp};
use crate::source::Span;
use std::borrow::Cow;
use std::sync::Arc;

/// The context of one evaluation: the units a pooled rollup counts, and
/// the statistics of the aggregates met, which the caller reads back.
#[derive(Debug, Default)]
pub struct Scope<'m> {
    /// Rows count only under units of this level where the mask is 1.
    pub mask: Option<(LevelId, &'m [u8])>,
    pub stats: Vec<AggStat>,
}

impl<'m> Scope<'m> {
    /// A scope counting only rows under units of `at` where `mask` is 1.
    pub fn masked(at: LevelId, mask: &'m [u8]) -> Scope<'m> {
        Scope {
            mask: Some((at, mask)),
            stats: Vec::new(),
        }
    }
}

/// Statistics of the aggregates met while evaluating one value.
#[derive(Debug, Clone)]
pub struct AggStat {
    pub n: Vec<u32>,
    pub passed: Vec<u32>,
    pub ci: Option<Vec<Option<(f64, f64)>>>,
    /// The sums behind an additive aggregate.
    pub acc: Option<agg::Acc>,
}

fn missing_of(ty: Type, n: usize) -> Column {
    match ty {
        Type::Bool => Column::Bool(vec![NA_BOOL; n]),
        Type::Option(_) => Column::Opt(vec![NA_OPT; n]),
        Type::Set(_) => Column::Set(vec![NA_SET; n]),
        Type::Date => Column::Date(vec![NA_DATE; n]),
        Type::Text => Column::Text(vec![None; n]),
        _ => Column::Num(vec![f64::NAN; n]),
    }
}

/// The numbers of a column (all missing if it holds another type).
pub fn nums(c: &Column) -> Cow<'_, [f64]> {
    match c {
        Column::Num(v) => Cow::Borrowed(v),
        other => Cow::Owned(vec![f64::NAN; other.len()]),
    }
}

/// The yes/no values of a column (all missing if it holds another type).
pub fn bools(c: &Column) -> Cow<'_, [u8]> {
    match c {
        Column::Bool(v) => Cow::Borrowed(v),
        other => Cow::Owned(vec![NA_BOOL; other.len()]),
    }
}

/// One side of an operator: an expression still to evaluate, or the
/// running value of a chain already computed, with its type.
#[derive(Clone)]
enum Side<'e> {
    Expr(&'e Expr),
    Done(Arc<Column>, Type),
}

impl Side<'_> {
    fn ty(&self) -> Type {
        match self {
            Side::Expr(e) => e.ty,
            Side::Done(_, t) => *t,
        }
    }

    /// The string, when this side is a string literal.
    fn lit(&self) -> Option<&str> {
        match self {
            Side::Expr(Expr {
                kind: ExprKind::Str(s),
                ..
            }) => Some(s),
            _ => None,
        }
    }
}

/// A numeric operand: a literal stays a scalar instead of becoming a column.
enum Operand {
    Scalar(f64),
    Column(Arc<Column>),
}

impl Operand {
    fn get(&self, r: usize) -> f64 {
        match self {
            Operand::Scalar(x) => *x,
            Operand::Column(c) => match &**c {
                Column::Num(v) => v[r],
                _ => f64::NAN,
            },
        }
    }
}

fn b3(b: bool) -> u8 {
    b as u8
}

impl Evaluator<'_> {
    pub fn n_units(&self, l: LevelId) -> usize {
        self.ds.levels[l].len()
    }

    /// For each unit of `from`, the index of its ancestor at `to` (`to <= from`).
    pub fn anc(&mut self, from: LevelId, to: LevelId) -> std::sync::Arc<Vec<u32>> {
        if let Some(v) = self.anc_cache.get(&(from, to)) {
            return v.clone();
        }
        let v: Vec<u32> = if from == to {
            (0..self.n_units(from) as u32).collect()
        } else {
            let up = self.anc(from - 1, to);
            self.ds.levels[from]
                .parent
                .iter()
                .map(|&p| {
                    if p == u32::MAX {
                        u32::MAX
                    } else {
                        up[p as usize]
                    }
                })
                .collect()
        };
        let rc = std::sync::Arc::new(v);
        self.anc_cache.insert((from, to), rc.clone());
        rc
    }

    /// Brings a column at level `from` to the finer level `to`.
    fn broadcast(&mut self, c: &Column, from: LevelId, to: LevelId) -> Column {
        if from == to {
            return c.clone();
        }
        let idx = self.anc(to, from);
        c.gather(&idx)
    }

    /// Evaluates `e` once per unit of level `l`.
    pub fn eval(&mut self, e: &Expr, l: LevelId, sc: &mut Scope<'_>) -> Arc<Column> {
        match &e.kind {
            ExprKind::Question(q) if self.fw.questions[*q].level == l => self.columns[*q].clone(),
            ExprKind::Let(i) if self.fw.lets[*i].expr.level.is_none_or(|x| x == l) => {
                let key = (*i, l);
                if let Some(c) = self.let_cache.get(&key) {
                    return c.clone();
                }
                let c = self.eval(&self.fw.lets[*i].expr, l, sc);
                self.let_cache.insert(key, c.clone());
                c
            }
            _ => Arc::new(self.compute(e, l, sc)),
        }
    }

    /// An aggregate's input at its row level, kept while one indicator is evaluated
    /// so that its rollups regroup the same rows without computing them again.
    fn eval_rows(&mut self, e: &Expr, l: LevelId, sc: &mut Scope<'_>) -> Arc<Column> {
        let key = (e.id, l);
        if let Some(c) = self.row_cache.get(&key) {
            return c.clone();
        }
        let c = self.eval(e, l, sc);
        self.row_cache.insert(key, c.clone());
        c
    }

    fn operand(&mut self, side: Side<'_>, l: LevelId, sc: &mut Scope<'_>) -> Operand {
        match side {
            Side::Expr(Expr {
                kind: ExprKind::Num(x),
                ..
            }) => Operand::Scalar(*x),
            other => Operand::Column(self.side(other, l, sc)),
        }
    }

    /// The column of one side of an operator.
    fn side(&mut self, side: Side<'_>, l: LevelId, sc: &mut Scope<'_>) -> Arc<Column> {
        match side {
            Side::Expr(e) => self.eval(e, l, sc),
            Side::Done(c, _) => c,
        }
    }

    /// `a op b op c …`: a loop over the operators, the running value kept
    /// as a column (right to left for `^`).
    fn chain(
        &mut self,
        first: &Expr,
        rest: &[(BinOp, Expr)],
        l: LevelId,
        sc: &mut Scope<'_>,
    ) -> Column {
        if rest.first().is_some_and(|(op, _)| *op == BinOp::Pow) {
            let last = &rest[rest.len() - 1].1;
            let mut acc = Side::Expr(last);
            let mut span = last.span;
            for k in (0..rest.len()).rev() {
                let lhs = if k == 0 { first } else { &rest[k - 1].1 };
                span = lhs.span.to(span);
                let c = self.binary(BinOp::Pow, Side::Expr(lhs), acc, l, span, sc);
                acc = Side::Done(Arc::new(c), Type::Number);
            }
            return match acc {
                Side::Done(c, _) => Arc::unwrap_or_clone(c),
                Side::Expr(e) => (*self.eval(e, l, sc)).clone(),
            };
        }
        let mut acc = Side::Expr(first);
        let mut span = first.span;
        for (op, b) in rest {
            span = span.to(b.span);
            let c = self.binary(*op, acc, Side::Expr(b), l, span, sc);
            let ty = match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => Type::Number,
                _ => Type::Bool,
            };
            acc = Side::Done(Arc::new(c), ty);
        }
        match acc {
            Side::Done(c, _) => Arc::unwrap_or_clone(c),
            Side::Expr(e) => (*self.eval(e, l, sc)).clone(),
        }
    }

    /// `if` arms tried in order: a row takes the first arm whose condition
    /// is true, is missing at the first missing condition, else the `else`.
    fn if_chain(
        &mut self,
        arms: &[(Expr, Expr)],
        otherwise: &Expr,
        ty: Type,
        l: LevelId,
        sc: &mut Scope<'_>,
    ) -> Column {
        let n = self.n_units(l);
        let mut out = missing_of(ty, n);
        let mut open = vec![true; n];
        for (c, a) in arms {
            let ccol = self.eval(c, l, sc);
            let cc = bools(&ccol);
            let ac = self.eval(a, l, sc);
            for r in 0..n {
                if !open[r] {
                    continue;
                }
                match cc[r] {
                    0 => continue,
                    1 => copy_row(&mut out, &ac, r),
                    _ => {}
                }
                open[r] = false;
            }
        }
        let bc = self.eval(otherwise, l, sc);
        for r in 0..n {
            if open[r] {
                copy_row(&mut out, &bc, r);
            }
        }
        out
    }

    fn compute(&mut self, e: &Expr, l: LevelId, sc: &mut Scope<'_>) -> Column {
        let n = self.n_units(l);
        if let Some(el) = e.level
            && el > l
            && !matches!(e.kind, ExprKind::Agg { .. })
            && !self.reads_rolled_up(e, l)
        {
            return missing_of(e.ty, n);
        }
        match &e.kind {
            ExprKind::Num(x) => Column::Num(vec![*x; n]),
            ExprKind::Bool(b) => Column::Bool(vec![*b as u8; n]),
            ExprKind::Str(s) => Column::Text(vec![Some(s.clone().into_boxed_str()); n]),
            ExprKind::Question(q) => {
                let ql = self.fw.questions[*q].level;
                let c = self.columns[*q].clone();
                self.broadcast(&c, ql, l)
            }
            ExprKind::Let(i) => {
                let le = &self.fw.lets[*i].expr;
                let at = le.level.unwrap_or(l).min(l);
                let c = self.eval(le, at, sc);
                self.broadcast(&c, at, l)
            }
            ExprKind::Indicator(i) => self.indicator_value(*i, l),
            ExprKind::Score(c) => Column::Num(self.child_scores(*c, l)),
            ExprKind::DimensionScore(d) => {
                Column::Num(self.child_scores(ChildRef::Dimension(*d), l))
            }
            ExprKind::Unary(op, x) => {
                let c = self.eval(x, l, sc);
                match op {
                    UnOp::Not => Column::Bool(
                        bools(&c)
                            .iter()
                            .map(|&b| if b == NA_BOOL { b } else { 1 - b })
                            .collect(),
                    ),
                    UnOp::Neg => Column::Num(nums(&c).iter().map(|v| -v).collect()),
                }
            }
            ExprKind::Chain(first, rest) => self.chain(first, rest, l, sc),
            ExprKind::In(x, items) => {
                let mut acc = vec![0u8; n];
                let xc = self.eval(x, l, sc);
                let mut any_missing = vec![false; n];
                for it in items {
                    let eq = self.equal(&xc, x.ty, Side::Expr(it), l, sc);
                    for r in 0..n {
                        match eq[r] {
                            1 => acc[r] = 1,
                            NA_BOOL => any_missing[r] = true,
                            _ => {}
                        }
                    }
                }
                for r in 0..n {
                    if acc[r] == 0 && (any_missing[r] || !xc.present(r)) {
                        acc[r] = NA_BOOL;
                    }
                }
                Column::Bool(acc)
            }
            ExprKind::If(arms, b) => self.if_chain(arms, b, e.ty, l, sc),
            ExprKind::Func(f, args) => self.func(*f, args, l, sc),
            ExprKind::Agg { .. } => self.aggregate(e, l, sc),
        }
    }

    /// Whether an expression written at a finer level still has a value at
    /// the coarser level `l`: every finer leaf it reads is an aggregate, a
    /// score, or an indicator with a result (rolled up) at `l`. So a gate
    /// `taux >= 20%` at a territory compares the territory's rolled-up `taux`.
    fn reads_rolled_up(&self, e: &Expr, l: LevelId) -> bool {
        if e.level.is_none_or(|el| el <= l) {
            return true;
        }
        match &e.kind {
            ExprKind::Agg { .. } | ExprKind::Score(_) | ExprKind::DimensionScore(_) => true,
            ExprKind::Indicator(i) => self.ind.contains_key(&(*i, l)),
            ExprKind::Question(_) | ExprKind::Let(_) => false,
            _ => e.children().into_iter().all(|c| self.reads_rolled_up(c, l)),
        }
    }

    /// An indicator's values at level `l`: its own, rolled up, or broadcast.
    pub fn indicator_value(&mut self, i: usize, l: LevelId) -> Column {
        if let Some(v) = self.ind.get(&(i, l)) {
            return v.value.clone();
        }
        let at = self.fw.indicators[i].at;
        if at < l
            && let Some(v) = self.ind.get(&(i, at)).map(|x: &IndLevel| x.value.clone())
        {
            return self.broadcast(&v, at, l);
        }
        missing_of(self.fw.indicators[i].value.ty, self.n_units(l))
    }

    /// Whether two sides are equal, row by row (three-valued).
    fn equal(
        &mut self,
        ac: &Column,
        aty: Type,
        b: Side<'_>,
        l: LevelId,
        sc: &mut Scope<'_>,
    ) -> Vec<u8> {
        let n = ac.len();
        // An option compared with a string literal compares option indices.
        if let (Type::Option(q), Some(s)) = (aty, b.lit()) {
            let idx = self.fw.questions[q]
                .ty
                .options()
                .iter()
                .position(|o| o.code == s)
                .map(|i| i as u32);
            if let Column::Opt(v) = ac {
                return v
                    .iter()
                    .map(|&x| {
                        if x == NA_OPT {
                            NA_BOOL
                        } else {
                            b3(Some(x) == idx)
                        }
                    })
                    .collect();
            }
        }
        let b_ty = b.ty();
        let bc = self.side(b, l, sc);
        let mut out = vec![NA_BOOL; n];
        match (ac, &*bc) {
            (Column::Num(x), Column::Num(y)) => {
                for r in 0..n {
                    if !x[r].is_nan() && !y[r].is_nan() {
                        out[r] = b3(x[r] == y[r]);
                    }
                }
            }
            (Column::Bool(x), Column::Bool(y)) => {
                for r in 0..n {
                    if x[r] != NA_BOOL && y[r] != NA_BOOL {
                        out[r] = b3(x[r] == y[r]);
                    }
                }
            }
            (Column::Opt(x), Column::Opt(y)) => {
                for r in 0..n {
                    if x[r] != NA_OPT && y[r] != NA_OPT {
                        out[r] = b3(x[r] == y[r]);
                    }
                }
            }
            (Column::Date(x), Column::Date(y)) => {
                for r in 0..n {
                    if x[r] != NA_DATE && y[r] != NA_DATE {
                        out[r] = b3(x[r] == y[r]);
                    }
                }
            }
            (Column::Text(x), Column::Text(y)) => {
                for r in 0..n {
                    if let (Some(a), Some(b)) = (&x[r], &y[r]) {
                        out[r] = b3(a == b);
                    }
                }
            }
            (Column::Opt(x), Column::Text(y)) | (Column::Text(y), Column::Opt(x)) => {
                let q = match (aty, b_ty) {
                    (Type::Option(q), _) | (_, Type::Option(q)) => Some(q),
                    _ => None,
                };
                let opts = q.map(|q| self.fw.questions[q].ty.options()).unwrap_or(&[]);
                for r in 0..n {
                    if let (true, Some(t)) = (x[r] != NA_OPT, &y[r]) {
                        out[r] = b3(opts.get(x[r] as usize).is_some_and(|o| *o.code == **t));
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// `a op b` over whole columns; `span` is where a division by zero is reported.
    fn binary(
        &mut self,
        op: BinOp,
        a: Side<'_>,
        b: Side<'_>,
        l: LevelId,
        span: Span,
        sc: &mut Scope<'_>,
    ) -> Column {
        let n = self.n_units(l);
        match op {
            BinOp::Or | BinOp::And => {
                let xc = self.side(a, l, sc);
                let yc = self.side(b, l, sc);
                let (x, y) = (bools(&xc), bools(&yc));
                let out = x
                    .iter()
                    .zip(y.iter())
                    .map(|(&p, &q)| match op {
                        BinOp::And => match (p, q) {
                            (0, _) | (_, 0) => 0,
                            (1, 1) => 1,
                            _ => NA_BOOL,
                        },
                        _ => match (p, q) {
                            (1, _) | (_, 1) => 1,
                            (0, 0) => 0,
                            _ => NA_BOOL,
                        },
                    })
                    .collect();
                Column::Bool(out)
            }
            BinOp::Eq | BinOp::Ne => {
                let (lhs, rhs) = if a.lit().is_some() { (b, a) } else { (a, b) };
                let lhs_ty = lhs.ty();
                let ac = self.side(lhs, l, sc);
                let mut eq = self.equal(&ac, lhs_ty, rhs, l, sc);
                if op == BinOp::Ne {
                    for v in eq.iter_mut() {
                        if *v != NA_BOOL {
                            *v = 1 - *v;
                        }
                    }
                }
                Column::Bool(eq)
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let cmp = |x: f64, y: f64| match op {
                    BinOp::Lt => x < y,
                    BinOp::Le => x <= y,
                    BinOp::Gt => x > y,
                    _ => x >= y,
                };
                if a.ty() == Type::Date {
                    let (ac, bc) = (self.side(a, l, sc), self.side(b, l, sc));
                    let out = match (&*ac, &*bc) {
                        (Column::Date(x), Column::Date(y)) => (0..n)
                            .map(|r| {
                                if x[r] == NA_DATE || y[r] == NA_DATE {
                                    NA_BOOL
                                } else {
                                    b3(cmp(x[r] as f64, y[r] as f64))
                                }
                            })
                            .collect(),
                        _ => vec![NA_BOOL; n],
                    };
                    return Column::Bool(out);
                }
                let (x, y) = (self.operand(a, l, sc), self.operand(b, l, sc));
                Column::Bool(
                    (0..n)
                        .map(|r| {
                            let (p, q) = (x.get(r), y.get(r));
                            if p.is_nan() || q.is_nan() {
                                NA_BOOL
                            } else {
                                b3(cmp(p, q))
                            }
                        })
                        .collect(),
                )
            }
            BinOp::Has => {
                let bit = match (a.ty(), b.lit()) {
                    (Type::Set(q), Some(s)) => self.fw.questions[q]
                        .ty
                        .options()
                        .iter()
                        .position(|o| o.code == s),
                    _ => None,
                };
                let sc = self.side(a, l, sc);
                let Column::Set(v) = &*sc else {
                    return Column::Bool(vec![NA_BOOL; n]);
                };
                Column::Bool(
                    v.iter()
                        .map(|&s| {
                            if s == NA_SET {
                                NA_BOOL
                            } else {
                                b3(bit.is_some_and(|i| s & (1 << i) != 0))
                            }
                        })
                        .collect(),
                )
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => {
                let (x, y) = (self.operand(a, l, sc), self.operand(b, l, sc));
                let mut zero = 0usize;
                let out: Vec<f64> = (0..n)
                    .map(|r| (x.get(r), y.get(r)))
                    .map(|(p, q)| match op {
                        BinOp::Add => p + q,
                        BinOp::Sub => p - q,
                        BinOp::Mul => p * q,
                        BinOp::Div => {
                            if q == 0.0 && !p.is_nan() {
                                zero += 1;
                                f64::NAN
                            } else {
                                p / q
                            }
                        }
                        _ => {
                            let v = p.powf(q);
                            if v.is_finite() { v } else { f64::NAN }
                        }
                    })
                    .collect();
                if zero > 0 {
                    *self.div_zero.entry(span).or_insert(0) += zero;
                }
                Column::Num(out)
            }
        }
    }

    fn func(&mut self, f: Func, args: &[Expr], l: LevelId, sc: &mut Scope<'_>) -> Column {
        let n = self.n_units(l);
        let cols: Vec<Arc<Column>> = args.iter().map(|a| self.eval(a, l, sc)).collect();
        let num_at = |c: &Column, r: usize| match c {
            Column::Num(v) => v[r],
            _ => f64::NAN,
        };
        let finite = |v: f64| if v.is_finite() { v } else { f64::NAN };
        match f {
            Func::Abs | Func::Floor | Func::Ceil | Func::Sqrt | Func::Ln | Func::Exp => {
                let x = &cols[0];
                Column::Num(
                    (0..n)
                        .map(|r| {
                            let v = num_at(x, r);
                            finite(match f {
                                Func::Abs => v.abs(),
                                Func::Floor => v.floor(),
                                Func::Ceil => v.ceil(),
                                Func::Sqrt => v.sqrt(),
                                Func::Ln => v.ln(),
                                _ => v.exp(),
                            })
                        })
                        .collect(),
                )
            }
            Func::Round => Column::Num(
                (0..n)
                    .map(|r| {
                        let v = num_at(&cols[0], r);
                        let d = cols.get(1).map(|c| num_at(c, r)).unwrap_or(0.0);
                        if d.is_nan() {
                            return f64::NAN;
                        }
                        let m = 10f64.powi(d as i32);
                        finite((v * m).round() / m)
                    })
                    .collect(),
            ),
            Func::Least | Func::Greatest => Column::Num(
                (0..n)
                    .map(|r| {
                        let vals = cols.iter().map(|c| num_at(c, r)).filter(|v| !v.is_nan());
                        if f == Func::Least {
                            vals.fold(f64::NAN, f64::min)
                        } else {
                            vals.fold(f64::NAN, f64::max)
                        }
                    })
                    .collect(),
            ),
            Func::Clamp => Column::Num(
                (0..n)
                    .map(|r| {
                        let (v, lo, hi) = (
                            num_at(&cols[0], r),
                            num_at(&cols[1], r),
                            num_at(&cols[2], r),
                        );
                        if v.is_nan() || lo.is_nan() || hi.is_nan() {
                            f64::NAN
                        } else {
                            v.max(lo).min(hi)
                        }
                    })
                    .collect(),
            ),
            Func::Coalesce => {
                let mut out = (*cols[0]).clone();
                for r in 0..n {
                    if !out.present(r)
                        && let Some(c) = cols.iter().skip(1).find(|c| c.present(r))
                    {
                        copy_row(&mut out, c, r);
                    }
                }
                out
            }
            Func::IsMissing => Column::Bool((0..n).map(|r| b3(!cols[0].present(r))).collect()),
            Func::CountSelected => match &*cols[0] {
                Column::Set(v) => Column::Num(
                    v.iter()
                        .map(|&s| {
                            if s == NA_SET {
                                f64::NAN
                            } else {
                                s.count_ones() as f64
                            }
                        })
                        .collect(),
                ),
                _ => Column::Num(vec![f64::NAN; n]),
            },
            Func::Year => match &*cols[0] {
                Column::Date(v) => Column::Num(
                    v.iter()
                        .map(|&d| {
                            if d == NA_DATE {
                                f64::NAN
                            } else {
                                civil_from_days(d).0 as f64
                            }
                        })
                        .collect(),
                ),
                _ => Column::Num(vec![f64::NAN; n]),
            },
            Func::DaysBetween => match (&*cols[0], &*cols[1]) {
                (Column::Date(a), Column::Date(b)) => Column::Num(
                    (0..n)
                        .map(|r| {
                            if a[r] == NA_DATE || b[r] == NA_DATE {
                                f64::NAN
                            } else {
                                (b[r] - a[r]) as f64
                            }
                        })
                        .collect(),
                ),
                _ => Column::Num(vec![f64::NAN; n]),
            },
        }
    }

    /// An aggregate over the rows of a finer level, grouped by their
    /// ancestor at `l`. Its statistics go to the scope.
    fn aggregate(&mut self, whole: &Expr, l: LevelId, sc: &mut Scope<'_>) -> Column {
        let ExprKind::Agg {
            func,
            over,
            args,
            filter,
            weight,
        } = &whole.kind
        else {
            unreachable!("called on aggregates")
        };
        let (func, over) = (*func, *over);
        let (filter, weight) = (filter.as_deref(), weight.as_deref());
        let n = self.n_units(l);
        if over <= l {
            return Column::Num(vec![f64::NAN; n]);
        }
        let groups = self.anc(over, l);
        let rows = groups.len();
        let arg_cols: Vec<Arc<Column>> = match func {
            AggFunc::CountRows => Vec::new(),
            AggFunc::Percentile => vec![self.eval_rows(&args[0], over, sc)],
            _ => args.iter().map(|a| self.eval_rows(a, over, sc)).collect(),
        };
        let pct = match (func, args.get(1)) {
            (
                AggFunc::Percentile,
                Some(Expr {
                    kind: ExprKind::Num(p),
                    ..
                }),
            ) => *p,
            _ => 50.0,
        };
        let mut pass: Vec<bool> = match filter {
            Some(f) => bools(&self.eval_rows(f, over, sc))
                .iter()
                .map(|&b| b == 1)
                .collect(),
            None => vec![true; rows],
        };
        for (r, g) in groups.iter().enumerate() {
            if *g == u32::MAX {
                pass[r] = false;
            }
        }
        // A pooled rollup counts only rows of units where the indicator applies.
        if let Some((at, mask)) = sc.mask
            && over > at
        {
            let up = self.anc(over, at);
            for r in 0..rows {
                if up[r] == u32::MAX || mask[up[r] as usize] != 1 {
                    pass[r] = false;
                }
            }
        }
        let wcol = weight.map(|w| self.eval_rows(w, over, sc));
        let w = wcol.as_deref().map(nums);
        let out = agg::run(&AggInput {
            func,
            groups: &groups,
            n_groups: n,
            args: &arg_cols,
            pass: &pass,
            weight: w.as_deref(),
            pct,
        });
        if out.bad_weights > 0 {
            let span = weight.map(|w| w.span).unwrap_or(whole.span);
            *self.bad_weights.entry(span).or_insert(0) += out.bad_weights;
        }
        if out.div_zero > 0 {
            *self.div_zero.entry(whole.span).or_insert(0) += out.div_zero;
        }
        sc.stats.push(AggStat {
            n: out.n,
            passed: out.passed,
            ci: out.ci,
            acc: out.acc,
        });
        Column::Num(out.values)
    }
}

/// Copies row `r` of `src` into `dst` (same type).
pub fn copy_row(dst: &mut Column, src: &Column, r: usize) {
    match (dst, src) {
        (Column::Num(d), Column::Num(s)) => d[r] = s[r],
        (Column::Bool(d), Column::Bool(s)) => d[r] = s[r],
        (Column::Opt(d), Column::Opt(s)) => d[r] = s[r],
        (Column::Set(d), Column::Set(s)) => d[r] = s[r],
        (Column::Date(d), Column::Date(s)) => d[r] = s[r],
        (Column::Text(d), Column::Text(s)) => d[r] = s[r].clone(),
        (d, _) => d.set_missing(r),
    }
}
