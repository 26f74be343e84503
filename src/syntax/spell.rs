//! Expressions spelt back as text, the way `fmt` writes them: for gate
//! texts in reports, explanations and the formatter.
//!
//! In: an AST expression. Out: its canonical spelling (parentheses kept as
//! written). Chains are spelt in a loop; only true nesting recurses, and
//! the parser bounds it.

use super::ast::{Expr, ExprKind, UnOp};
use crate::text::quote;

/// An expression in canonical spelling (as written: parentheses are kept).
pub fn expr_to_string(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Num(n) => n.raw.clone(),
        ExprKind::Str(s) => quote(&s.value),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Name(i) => i.name.clone(),
        ExprKind::Qualified(l, i) => format!("{}.{}", l.name, i.name),
        ExprKind::Unary(UnOp::Not, n, x) => {
            format!("{}{}", "not ".repeat(*n as usize), expr_to_string(x))
        }
        ExprKind::Unary(UnOp::Neg, n, x) => {
            format!("{}{}", "-".repeat(*n as usize), expr_to_string(x))
        }
        ExprKind::Chain(first, rest) => {
            let mut s = expr_to_string(first);
            for (op, e) in rest {
                s.push(' ');
                s.push_str(op.symbol());
                s.push(' ');
                s.push_str(&expr_to_string(e));
            }
            s
        }
        ExprKind::In(x, items) => {
            format!(
                "{} in [{}]",
                expr_to_string(x),
                items
                    .iter()
                    .map(expr_to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        ExprKind::If(arms, b) => {
            let mut s = String::new();
            for (k, (c, a)) in arms.iter().enumerate() {
                if k > 0 {
                    s.push_str(" else ");
                }
                s.push_str(&format!(
                    "if {} then {}",
                    expr_to_string(c),
                    expr_to_string(a)
                ));
            }
            s.push_str(&format!(" else {}", expr_to_string(b)));
            s
        }
        ExprKind::Call {
            func,
            args,
            filter,
            weight,
        } => {
            let mut s = format!(
                "{}({}",
                func.name,
                args.iter()
                    .map(expr_to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if let Some(f) = filter {
                s.push_str(&format!(" where {}", expr_to_string(f)));
            }
            if let Some(w) = weight {
                s.push_str(&format!(" weight {}", expr_to_string(w)));
            }
            s.push(')');
            s
        }
        ExprKind::Paren(x) => format!("({})", expr_to_string(x)),
        ExprKind::Invalid => "…".to_string(),
    }
}
