//! Operators over whole columns: logic, equality, comparison, option
//! membership and arithmetic, all three-valued (a missing side gives a
//! missing result, except where `and`/`or` already know the answer).
//!
//! In: the two sides of an operator (expressions, or columns already
//! computed in a chain) and the level. Out: one column. Divisions by zero
//! are counted at the operator's place for one warning.

use super::Evaluator;
use super::expr::{Operand, Scope, Side, b3, bools};
use crate::data::Column;
use crate::data::column::{NA_BOOL, NA_DATE, NA_OPT, NA_SET};
use crate::ir::{BinOp, LevelId, Type};
use crate::source::Span;

impl Evaluator<'_> {
    /// `a op b` over whole columns; `span` is where a division by zero is reported.
    pub(super) fn binary(
        &mut self,
        op: BinOp,
        (a, b): (Side<'_>, Side<'_>),
        l: LevelId,
        span: Span,
        sc: &mut Scope<'_>,
    ) -> Column {
        match op {
            BinOp::Or | BinOp::And => self.logic(op, a, b, l, sc),
            BinOp::Eq | BinOp::Ne => self.eq_ne(op, a, b, l, sc),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => self.compare(op, a, b, l, sc),
            BinOp::Has => self.has(a, b, l, sc),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => {
                self.arith(op, a, b, l, span, sc)
            }
        }
    }

    /// `and` / `or`: false and true decide whatever the other side is.
    fn logic(
        &mut self,
        op: BinOp,
        a: Side<'_>,
        b: Side<'_>,
        l: LevelId,
        sc: &mut Scope<'_>,
    ) -> Column {
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

    /// `==` / `!=`, a literal on either side.
    fn eq_ne(
        &mut self,
        op: BinOp,
        a: Side<'_>,
        b: Side<'_>,
        l: LevelId,
        sc: &mut Scope<'_>,
    ) -> Column {
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

    /// Whether two sides are equal, row by row (three-valued).
    pub(super) fn equal(
        &mut self,
        ac: &Column,
        aty: Type,
        b: Side<'_>,
        l: LevelId,
        sc: &mut Scope<'_>,
    ) -> Vec<u8> {
        // An option compared with a string literal compares option indices.
        if let (Type::Option(q), Some(s), Column::Opt(v)) = (aty, b.lit(), ac) {
            let idx = self.fw.questions[q]
                .ty
                .options()
                .iter()
                .position(|o| o.code == s)
                .map(|i| i as u32);
            let is = |&x: &u32| {
                if x == NA_OPT {
                    NA_BOOL
                } else {
                    b3(Some(x) == idx)
                }
            };
            return v.iter().map(is).collect();
        }
        let b_ty = b.ty();
        let bc = self.side(b, l, sc);
        let option = match (aty, b_ty) {
            (Type::Option(q), _) | (_, Type::Option(q)) => Some(q),
            _ => None,
        };
        let opts = option
            .map(|q| self.fw.questions[q].ty.options())
            .unwrap_or(&[]);
        equal_columns(ac, &bc, |x, t| {
            opts.get(x as usize).is_some_and(|o| *o.code == *t)
        })
    }

    fn compare(
        &mut self,
        op: BinOp,
        a: Side<'_>,
        b: Side<'_>,
        l: LevelId,
        sc: &mut Scope<'_>,
    ) -> Column {
        let n = self.width(l, sc);
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
                    .map(|r| match x[r] == NA_DATE || y[r] == NA_DATE {
                        true => NA_BOOL,
                        false => b3(cmp(x[r] as f64, y[r] as f64)),
                    })
                    .collect(),
                _ => vec![NA_BOOL; n],
            };
            return Column::Bool(out);
        }
        let (x, y) = (self.operand(a, l, sc), self.operand(b, l, sc));
        let at = |r: usize| {
            let (p, q) = (x.get(r), y.get(r));
            if p.is_nan() || q.is_nan() {
                NA_BOOL
            } else {
                b3(cmp(p, q))
            }
        };
        Column::Bool((0..n).map(at).collect())
    }

    /// `answers has "option"` on a multiple answer.
    fn has(&mut self, a: Side<'_>, b: Side<'_>, l: LevelId, sc: &mut Scope<'_>) -> Column {
        let n = self.width(l, sc);
        let bit = match (a.ty(), b.lit()) {
            (Type::Set(q), Some(s)) => self.fw.questions[q]
                .ty
                .options()
                .iter()
                .position(|o| o.code == s),
            _ => None,
        };
        let col = self.side(a, l, sc);
        let Column::Set(v) = &*col else {
            return Column::Bool(vec![NA_BOOL; n]);
        };
        let holds = |&s: &u64| match s == NA_SET {
            true => NA_BOOL,
            false => b3(bit.is_some_and(|i| s & (1 << i) != 0)),
        };
        Column::Bool(v.iter().map(holds).collect())
    }

    /// `+ - * / ^`; a division by zero or a power out of range is missing.
    fn arith(
        &mut self,
        op: BinOp,
        a: Side<'_>,
        b: Side<'_>,
        l: LevelId,
        span: Span,
        sc: &mut Scope<'_>,
    ) -> Column {
        let n = self.width(l, sc);
        let (x, y): (Operand, Operand) = (self.operand(a, l, sc), self.operand(b, l, sc));
        let mut zero = 0usize;
        let out: Vec<f64> = (0..n)
            .map(|r| (x.get(r), y.get(r)))
            .map(|(p, q)| match op {
                BinOp::Add => p + q,
                BinOp::Sub => p - q,
                BinOp::Mul => p * q,
                BinOp::Div if q == 0.0 && !p.is_nan() => {
                    zero += 1;
                    f64::NAN
                }
                BinOp::Div => p / q,
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

/// Row-by-row equality of two columns of the same kind (missing where
/// either is); an option column against a text one compares the option's
/// code through `option_is`.
fn equal_columns(ac: &Column, bc: &Column, option_is: impl Fn(u32, &str) -> bool) -> Vec<u8> {
    let n = ac.len();
    let mut out = vec![NA_BOOL; n];
    let mut set = |r: usize, known: bool, same: bool| {
        if known {
            out[r] = b3(same);
        }
    };
    match (ac, bc) {
        (Column::Num(x), Column::Num(y)) => {
            (0..n).for_each(|r| set(r, !x[r].is_nan() && !y[r].is_nan(), x[r] == y[r]))
        }
        (Column::Bool(x), Column::Bool(y)) => {
            (0..n).for_each(|r| set(r, x[r] != NA_BOOL && y[r] != NA_BOOL, x[r] == y[r]))
        }
        (Column::Opt(x), Column::Opt(y)) => {
            (0..n).for_each(|r| set(r, x[r] != NA_OPT && y[r] != NA_OPT, x[r] == y[r]))
        }
        (Column::Date(x), Column::Date(y)) => {
            (0..n).for_each(|r| set(r, x[r] != NA_DATE && y[r] != NA_DATE, x[r] == y[r]))
        }
        (Column::Text(x), Column::Text(y)) => (0..n).for_each(|r| {
            if let (Some(a), Some(b)) = (&x[r], &y[r]) {
                set(r, true, a == b)
            }
        }),
        (Column::Opt(x), Column::Text(y)) | (Column::Text(y), Column::Opt(x)) => {
            (0..n).for_each(|r| {
                if let (true, Some(t)) = (x[r] != NA_OPT, &y[r]) {
                    set(r, true, option_is(x[r], t))
                }
            })
        }
        _ => {}
    }
    out
}
