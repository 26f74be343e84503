//! Expressions: the one precedence table, and pairs → [`Expr`].
//!
//! In: an `expr` pair. Out: an [`Expr`] tree. Loosest first: `or`; `and`;
//! `not`; comparisons, `in [..]`, `has`; `+ -`; `* /`; unary `-`; `^`
//! (right-associative). Calls and `level.name` are primaries.
//!
//! The grammar gives an expression as a flat list of operands and
//! operators; precedence is settled here with two explicit stacks
//! (operator precedence parsing), not by recursion, and operators of one
//! precedence gather into one [`ExprKind::Chain`]. So a sum of 5,000 terms
//! or 10,000 `else if` arms is a wide node, not a deep tree, and no later
//! pass recurses once per operator. True nesting (brackets, calls, mixed
//! prefix operators) is limited to [`MAX_DEPTH`] levels.

use super::Rule;
use super::SyntaxError;
use super::ast::*;
use super::build::Builder;
use crate::diagnostic::Diag;
use crate::source::Span;
use pest::iterators::Pair;

/// How deeply expressions and blocks may nest. Real frameworks stay under
/// ten; the limit keeps every recursive pass far from the stack's end.
pub const MAX_DEPTH: u32 = 100;

impl UnOp {
    /// Binding strength, on the scale of [`BinOp::precedence`].
    pub fn precedence(self) -> u8 {
        match self {
            UnOp::Not => 3,
            UnOp::Neg => 7,
        }
    }
}

/// The postfix `in [..]` binds like a comparison.
const IN_PRECEDENCE: u8 = 4;

fn binop(r: Rule) -> Option<BinOp> {
    Some(match r {
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
        _ => return None,
    })
}

/// An operator waiting for its right operand.
enum Pending {
    Prefix(UnOp, Span),
    Infix(BinOp),
}

impl Pending {
    fn precedence(&self) -> u8 {
        match self {
            Pending::Prefix(op, _) => op.precedence(),
            Pending::Infix(op) => op.precedence(),
        }
    }
}

/// An expression being built, with the depth of its tree.
type Built = (Expr, u32);

impl Builder<'_> {
    /// Builds an expression from an `expr` pair.
    pub fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        self.expr_depth(pair).0
    }

    fn expr_depth(&mut self, pair: Pair<'_, Rule>) -> Built {
        debug_assert_eq!(pair.as_rule(), Rule::expr);
        let mut vals: Vec<Built> = Vec::new();
        let mut ops: Vec<Pending> = Vec::new();
        for p in pair.into_inner() {
            let r = p.as_rule();
            if let Some(op) = binop(r) {
                self.reduce_while(&mut vals, &mut ops, op.precedence());
                ops.push(Pending::Infix(op));
            } else if r == Rule::op_not || r == Rule::op_neg {
                let op = if r == Rule::op_not {
                    UnOp::Not
                } else {
                    UnOp::Neg
                };
                ops.push(Pending::Prefix(op, self.span(&p)));
            } else if r == Rule::op_in {
                self.reduce_while(&mut vals, &mut ops, IN_PRECEDENCE);
                let span = self.span(&p);
                let items: Vec<Built> = p
                    .into_inner()
                    .filter(|x| x.as_rule() == Rule::expr)
                    .map(|x| self.expr_depth(x))
                    .collect();
                let (x, d) = vals.pop().expect("`in` follows an operand");
                let depth = items.iter().map(|i| i.1).max().unwrap_or(0).max(d) + 1;
                let e = Expr {
                    span: x.span.to(span),
                    kind: ExprKind::In(Box::new(x), items.into_iter().map(|i| i.0).collect()),
                };
                vals.push(self.limit((e, depth)));
            } else {
                let b = self.primary(p);
                vals.push(self.limit(b));
            }
        }
        self.reduce_while(&mut vals, &mut ops, 0);
        debug_assert_eq!(vals.len(), 1, "an expression reduces to one operand");
        vals.pop().expect("an expression has an operand")
    }

    /// Applies pending operators that bind at least as tightly as `prec`.
    fn reduce_while(&mut self, vals: &mut Vec<Built>, ops: &mut Vec<Pending>, prec: u8) {
        while ops.last().is_some_and(|o| o.precedence() >= prec) {
            let op = ops.pop().expect("checked above");
            let built = match op {
                Pending::Prefix(op, at) => {
                    let (x, d) = vals.pop().expect("a prefix operator has an operand");
                    let span = at.to(x.span);
                    match x.kind {
                        ExprKind::Unary(o, n, inner) if o == op => (
                            Expr {
                                kind: ExprKind::Unary(op, n.saturating_add(1), inner),
                                span,
                            },
                            d,
                        ),
                        kind => (
                            Expr {
                                kind: ExprKind::Unary(op, 1, Box::new(Expr { kind, span: x.span })),
                                span,
                            },
                            d + 1,
                        ),
                    }
                }
                Pending::Infix(op) => {
                    let (rhs, dr) = vals.pop().expect("an operator has a right operand");
                    let (lhs, dl) = vals.pop().expect("an operator has a left operand");
                    let span = lhs.span.to(rhs.span);
                    match lhs.kind {
                        ExprKind::Chain(first, mut rest)
                            if rest[0].0.precedence() == op.precedence() =>
                        {
                            rest.push((op, rhs));
                            (
                                Expr {
                                    kind: ExprKind::Chain(first, rest),
                                    span,
                                },
                                dl.max(dr + 1),
                            )
                        }
                        kind => (
                            Expr {
                                kind: ExprKind::Chain(
                                    Box::new(Expr {
                                        kind,
                                        span: lhs.span,
                                    }),
                                    vec![(op, rhs)],
                                ),
                                span,
                            },
                            dl.max(dr) + 1,
                        ),
                    }
                }
            };
            let built = self.limit(built);
            vals.push(built);
        }
    }

    /// Reports an expression nested deeper than [`MAX_DEPTH`] and stands an
    /// [`ExprKind::Invalid`] in for it, so the error is reported once.
    fn limit(&mut self, (e, depth): Built) -> Built {
        if depth <= MAX_DEPTH {
            return (e, depth);
        }
        self.diags.push(
            Diag::error(
                SyntaxError::TooDeep(MAX_DEPTH),
                e.span,
                format!("nested more than {MAX_DEPTH} levels deep"),
            )
            .help("name a part with `let` and use the name instead"),
        );
        (
            Expr {
                kind: ExprKind::Invalid,
                span: e.span,
            },
            0,
        )
    }

    fn primary(&mut self, p: Pair<'_, Rule>) -> Built {
        let span = self.span(&p);
        let mut depth = 1;
        let kind = match p.as_rule() {
            Rule::number | Rule::percent => ExprKind::Num(self.num(p)),
            Rule::string => ExprKind::Str(self.string(p)),
            Rule::boolean => ExprKind::Bool(p.as_str() == "true"),
            Rule::paren => {
                let inner = p
                    .into_inner()
                    .find(|x| x.as_rule() == Rule::expr)
                    .expect("paren holds an expr");
                let (e, d) = self.expr_depth(inner);
                depth = d + 1;
                ExprKind::Paren(Box::new(e))
            }
            Rule::if_expr => {
                // `if c then a (else if c then a)* else b`, flat in the grammar.
                let mut parts: Vec<Built> = p
                    .into_inner()
                    .filter(|x| x.as_rule() == Rule::expr)
                    .map(|x| self.expr_depth(x))
                    .collect();
                let (otherwise, d) = parts.pop().expect("if has an else branch");
                depth = parts.iter().map(|x| x.1).max().unwrap_or(0).max(d) + 1;
                let mut arms = Vec::with_capacity(parts.len() / 2);
                let mut it = parts.into_iter().map(|x| x.0);
                while let (Some(c), Some(a)) = (it.next(), it.next()) {
                    arms.push((c, a));
                }
                ExprKind::If(arms, Box::new(otherwise))
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
                        Rule::expr => {
                            let (e, d) = self.expr_depth(x);
                            depth = depth.max(d + 1);
                            args.push(e);
                        }
                        Rule::agg_where | Rule::agg_weight => {
                            let inner = x
                                .clone()
                                .into_inner()
                                .find(|y| y.as_rule() == Rule::expr)
                                .expect("rule holds an expr");
                            let (e, d) = self.expr_depth(inner);
                            depth = depth.max(d + 1);
                            if x.as_rule() == Rule::agg_where {
                                filter = Some(Box::new(e));
                            } else {
                                weight = Some(Box::new(e));
                            }
                        }
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
        (Expr { kind, span }, depth)
    }
}
