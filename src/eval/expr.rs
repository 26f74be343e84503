//! Columnar evaluation of expressions.
//!
//! In: a typed IR expression and the level to evaluate it at. Out: one
//! column with a value per unit of that level. Coarser values are
//! broadcast by gathering through precomputed ancestor indices;
//! aggregates group the rows of their finer level by their ancestor at the
//! requested level, so the same expression gives an enterprise's value or,
//! evaluated at the territory, the pooled value over all its rows.

use super::agg::{self, AggInput};
use super::funcs;
use super::{Evaluator, IndLevel};
use crate::data::Column;
use crate::data::column::{NA_BOOL, NA_DATE, NA_OPT, NA_SET};
use crate::ir::{AggFunc, BinOp, ChildRef, Expr, ExprKind, IndicatorId, LevelId, Type, UnOp};
use std::borrow::Cow;
use std::sync::Arc;

/// The context of one evaluation: the units a pooled rollup counts, the
/// breakdown it is split by, and the statistics of the aggregates met,
/// which the caller reads back.
#[derive(Debug, Default)]
pub struct Scope<'m> {
    /// Rows count only under units of this level where the mask is 1.
    pub mask: Option<(LevelId, &'m [u8])>,
    /// Values are computed per cell of this breakdown: entry `u * k + c`
    /// for cell `c` of unit `u`.
    pub split: Option<&'m Split>,
    pub stats: Vec<AggStat>,
}

impl<'m> Scope<'m> {
    /// A scope counting only rows under units of `at` where `mask` is 1.
    pub fn masked(at: LevelId, mask: &'m [u8]) -> Scope<'m> {
        Scope {
            mask: Some((at, mask)),
            ..Scope::default()
        }
    }
}

/// A breakdown as evaluation reads it: each unit of its level's cell.
#[derive(Debug, Clone)]
pub struct Split {
    /// The level the breakdown varies at.
    pub level: LevelId,
    /// Per unit of that level: its cell (an option, or the missing cell).
    pub cell: Vec<u32>,
    /// Cells per unit: the options and the missing cell.
    pub k: usize,
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

pub(crate) fn missing_of(ty: Type, n: usize) -> Column {
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
pub(super) enum Side<'e> {
    Expr(&'e Expr),
    Done(Arc<Column>, Type),
}

impl Side<'_> {
    pub(super) fn ty(&self) -> Type {
        match self {
            Side::Expr(e) => e.ty,
            Side::Done(_, t) => *t,
        }
    }

    /// The string, when this side is a string literal.
    pub(super) fn lit(&self) -> Option<&str> {
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
pub(super) enum Operand {
    Scalar(f64),
    Column(Arc<Column>),
}

impl Operand {
    pub(super) fn get(&self, r: usize) -> f64 {
        match self {
            Operand::Scalar(x) => *x,
            Operand::Column(c) => match &**c {
                Column::Num(v) => v[r],
                _ => f64::NAN,
            },
        }
    }
}

pub(super) fn b3(b: bool) -> u8 {
    b as u8
}

impl Evaluator<'_> {
    pub fn n_units(&self, l: LevelId) -> usize {
        self.ds.levels[l].len()
    }

    /// Entries of a column at level `l` in this scope: one per unit, or
    /// one per cell when split by a breakdown.
    pub fn width(&self, l: LevelId, sc: &Scope<'_>) -> usize {
        self.n_units(l) * sc.split.map_or(1, |s| s.k)
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

    /// Evaluates `e` once per unit of level `l` (per cell, when split).
    pub fn eval(&mut self, e: &Expr, l: LevelId, sc: &mut Scope<'_>) -> Arc<Column> {
        if let Some(sp) = sc.split {
            return self.eval_split(e, l, sp, sc);
        }
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

    /// Evaluates `e` per cell of a breakdown: what holds no aggregate has
    /// one value per unit, repeated in each of its cells; aggregates group
    /// rows by unit and cell. (Lets hold no aggregate, so they are
    /// computed per unit.)
    fn eval_split(&mut self, e: &Expr, l: LevelId, sp: &Split, sc: &mut Scope<'_>) -> Arc<Column> {
        if !self.plan.aggregated[e.id.0 as usize] {
            let c = self.eval(e, l, &mut Scope::default());
            return Arc::new(c.repeat_each(sp.k));
        }
        Arc::new(self.compute(e, l, sc))
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

    pub(super) fn operand(&mut self, side: Side<'_>, l: LevelId, sc: &mut Scope<'_>) -> Operand {
        match side {
            Side::Expr(Expr {
                kind: ExprKind::Num(x),
                ..
            }) => Operand::Scalar(*x),
            other => Operand::Column(self.side(other, l, sc)),
        }
    }

    /// The column of one side of an operator.
    pub(super) fn side(&mut self, side: Side<'_>, l: LevelId, sc: &mut Scope<'_>) -> Arc<Column> {
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
                let c = self.binary(BinOp::Pow, (Side::Expr(lhs), acc), l, span, sc);
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
            let c = self.binary(*op, (acc, Side::Expr(b)), l, span, sc);
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
        let n = self.width(l, sc);
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
        let n = self.width(l, sc);
        if let Some(el) = e.level
            && el > l
            && !matches!(e.kind, ExprKind::Agg(_))
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
            ExprKind::Func(f, args) => {
                let cols: Vec<Arc<Column>> = args.iter().map(|a| self.eval(a, l, sc)).collect();
                funcs::apply(*f, &cols, n)
            }
            ExprKind::Agg(_) => self.aggregate(e, l, sc),
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
            ExprKind::Agg(_) | ExprKind::Score(_) | ExprKind::DimensionScore(_) => true,
            ExprKind::Indicator(i) => self.ind.contains_key(&(*i, l)),
            ExprKind::Question(_) | ExprKind::Let(_) => false,
            _ => e.children().into_iter().all(|c| self.reads_rolled_up(c, l)),
        }
    }

    /// An indicator's values at level `l`: its own, rolled up, or broadcast.
    pub fn indicator_value(&mut self, i: IndicatorId, l: LevelId) -> Column {
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

    /// Which rows of `over` enter an aggregate: those passing its filter,
    /// under a unit, and (for a pooled rollup) under a unit where the
    /// indicator applies.
    fn rows_passing(
        &mut self,
        filter: Option<&Expr>,
        groups: &[u32],
        over: LevelId,
        sc: &mut Scope<'_>,
    ) -> Vec<bool> {
        let rows = groups.len();
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
        pass
    }

    /// Each row of `over`'s group at level `l`: its unit, or with a split
    /// its unit's cell (`u32::MAX` for a row outside any unit).
    fn groups(&mut self, over: LevelId, l: LevelId, split: Option<&Split>) -> Arc<Vec<u32>> {
        let up = self.anc(over, l);
        let Some(sp) = split else { return up };
        let to_q = self.anc(over, sp.level);
        let k = sp.k as u32;
        let g = up
            .iter()
            .zip(to_q.iter())
            .map(|(&u, &q)| match (u, q) {
                (u32::MAX, _) | (_, u32::MAX) => u32::MAX,
                (u, q) => u * k + sp.cell[q as usize],
            })
            .collect();
        Arc::new(g)
    }

    /// An aggregate over the rows of a finer level, grouped by their
    /// ancestor at `l`. Its statistics go to the scope.
    fn aggregate(&mut self, whole: &Expr, l: LevelId, sc: &mut Scope<'_>) -> Column {
        let ExprKind::Agg(crate::ir::Agg {
            func,
            over,
            args,
            filter,
            weight,
        }) = &whole.kind
        else {
            unreachable!("called on aggregates")
        };
        let (func, over) = (*func, *over);
        let (filter, weight) = (filter.as_deref(), weight.as_deref());
        let n = self.width(l, sc);
        if over <= l {
            return Column::Num(vec![f64::NAN; n]);
        }
        let groups = self.groups(over, l, sc.split);
        // The rows' inputs have one value per row: neither split nor
        // counted in this value's statistics.
        let (outer, split) = (std::mem::take(&mut sc.stats), sc.split.take());
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
        let pass = self.rows_passing(filter, &groups, over, sc);
        let wcol = weight.map(|w| self.eval_rows(w, over, sc));
        (sc.stats, sc.split) = (outer, split);
        let w = wcol.as_deref().map(nums);
        let mut out = agg::run(&AggInput {
            func,
            groups: &groups,
            n_groups: n,
            args: &arg_cols,
            pass: &pass,
            weight: w.as_deref(),
            pct,
        });
        if let Some(qs) = self.plan.asked_by.get(&whole.id) {
            let rows = (groups.as_slice(), pass.as_slice());
            let taken = self.unasked_rows(qs, over, rows, &arg_cols, &mut out.passed);
            if let Some(acc) = out.acc.as_mut() {
                for (p, t) in acc.passed.iter_mut().zip(&taken) {
                    *p -= t;
                }
            }
        }
        // Cells count their rows' problems again: the totals report them.
        if out.bad_weights > 0 && split.is_none() {
            let span = weight.map(|w| w.span).unwrap_or(whole.span);
            *self.bad_weights.entry(span).or_insert(0) += out.bad_weights;
        }
        if out.div_zero > 0 && split.is_none() {
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
