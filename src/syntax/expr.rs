//! Expressions: the one precedence table, and pairs → [`Expr`].
//!
//! In: an `expr` pair. Out: an [`Expr`] tree. Loosest first: `or`; `and`;
//! `not`; comparisons, `in [..]`, `has`; `+ -`; `* /`; unary `-`; `^`
//! (right-associative). Calls and `level.name` are primaries.

use super::Rule;
use super::ast::*;
use super::build::Builder;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_has, Assoc::Left)
            | Op::postfix(Rule::op_in))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::infix(Rule::op_pow, Assoc::Right))
});

fn binop(r: Rule) -> BinOp {
    match r {
        Rule::op_or => BinOp::Or,
        Rule::op_and => BinOp::And,
        Rule::op_eq => BinOp::Eq,
        Rule::op_ne => BinOp::Ne,
        Rule::op_lt => BinOp::Lt,
        Rule::op_le => BinOp::Le,
        Rule::op_gt => BinOp::Gt,
        Rule::op_ge => BinOp::Ge,
        Rule::op_has => BinOp::Has,
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mul,
        Rule::op_div => BinOp::Div,
        Rule::op_pow => BinOp::Pow,
        other => unreachable!("rule {other:?} is not an infix operator in `infix`"),
    }
}

impl Builder<'_> {
    /// Builds an expression from an `expr` pair.
    pub fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        debug_assert_eq!(pair.as_rule(), Rule::expr);
        let pairs = pair.into_inner();
        // The Pratt closures need the builder; collect diagnostics through a cell.
        let this = std::cell::RefCell::new(self);
        PRATT
            .map_primary(|p| this.borrow_mut().primary(p))
            .map_prefix(|op, rhs| {
                let span = this.borrow().span(&op).to(rhs.span);
                let o = if op.as_rule() == Rule::op_not {
                    UnOp::Not
                } else {
                    UnOp::Neg
                };
                Expr {
                    kind: ExprKind::Unary(o, Box::new(rhs)),
                    span,
                }
            })
            .map_postfix(|lhs, op| {
                let span = lhs.span.to(this.borrow().span(&op));
                let items: Vec<Expr> = op
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::expr)
                    .map(|p| this.borrow_mut().expr(p))
                    .collect();
                Expr {
                    kind: ExprKind::In(Box::new(lhs), items),
                    span,
                }
            })
            .map_infix(|lhs, op, rhs| {
                let span = lhs.span.to(rhs.span);
                Expr {
                    kind: ExprKind::Binary(binop(op.as_rule()), Box::new(lhs), Box::new(rhs)),
                    span,
                }
            })
            .parse(pairs)
    }

    fn primary(&mut self, p: Pair<'_, Rule>) -> Expr {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::number | Rule::percent => ExprKind::Num(self.num(p)),
            Rule::string => ExprKind::Str(self.string(p)),
            Rule::boolean => ExprKind::Bool(p.as_str() == "true"),
            Rule::paren => {
                let inner = p
                    .into_inner()
                    .find(|x| x.as_rule() == Rule::expr)
                    .expect("paren holds an expr");
                ExprKind::Paren(Box::new(self.expr(inner)))
            }
            Rule::if_expr => {
                let mut parts = p.into_inner().filter(|x| x.as_rule() == Rule::expr);
                let c = self.expr(parts.next().expect("if has a condition"));
                let a = self.expr(parts.next().expect("if has a then branch"));
                let b = self.expr(parts.next().expect("if has an else branch"));
                ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
            }
            Rule::path => {
                let names: Vec<Ident> = p.into_inner().map(|n| self.ident(n)).collect();
                match <[Ident; 2]>::try_from(names) {
                    Ok([level, name]) => ExprKind::Qualified(level, name),
                    Err(mut v) => ExprKind::Name(v.remove(0)),
                }
            }
            Rule::call => {
                let mut func = None;
                let mut args = Vec::new();
                let mut filter = None;
                let mut weight = None;
                for x in p.into_inner() {
                    match x.as_rule() {
                        Rule::name => func = Some(self.ident(x)),
                        Rule::expr => args.push(self.expr(x)),
                        Rule::agg_where => filter = Some(Box::new(self.inner_expr(x))),
                        Rule::agg_weight => weight = Some(Box::new(self.inner_expr(x))),
                        _ => {}
                    }
                }
                ExprKind::Call {
                    func: func.expect("call has a name"),
                    args,
                    filter,
                    weight,
                }
            }
            other => unreachable!("rule {other:?} is not in `primary`"),
        };
        Expr { kind, span }
    }

    /// The `expr` inside a pair such as `agg_where` or `p_when`.
    pub fn inner_expr(&mut self, p: Pair<'_, Rule>) -> Expr {
        let e = p
            .into_inner()
            .find(|x| x.as_rule() == Rule::expr)
            .expect("rule holds an expr");
        self.expr(e)
    }
}
