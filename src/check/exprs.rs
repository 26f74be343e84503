//! Typing expressions: names, levels, types, aggregates.
//!
//! In: an AST expression and the context it appears in (the level of the
//! item, whether it is inside an aggregate or a gate). Out: an [`ir::Expr`]
//! whose every node has a type and a level, and diagnostics for unknown
//! names, type mismatches (both operands labelled), options that do not
//! exist, aggregates over a level that is not finer, nested aggregates.

use super::CheckError;
use super::resolve::Resolver;
use crate::diagnostic::Diag;
use crate::ir::{self, ExprKind, LevelId, Type};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast;

/// A literal.
fn leaf(kind: ExprKind, ty: Type, span: Span) -> ir::Expr {
    ir::Expr {
        id: ir::ExprId::default(),
        kind,
        ty,
        level: None,
        span,
    }
}

/// Where an expression appears.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'g> {
    /// The level of the item (an indicator's `at`); aggregates reduce to it.
    pub at: Option<LevelId>,
    pub in_agg: bool,
    /// In a dimension's gate, the dimension's children: names must be
    /// among them.
    pub gate: Option<&'g [ir::ChildRef]>,
    /// The item's level is unknown and already reported: aggregates in it
    /// are not reported again.
    pub unplaced: bool,
}

impl Ctx<'_> {
    pub fn at(level: Option<LevelId>) -> Self {
        Ctx {
            at: level,
            in_agg: false,
            gate: None,
            unplaced: false,
        }
    }

    /// The context of an item whose `at` names no level (already reported).
    pub fn unplaced() -> Self {
        Ctx {
            unplaced: true,
            ..Ctx::at(None)
        }
    }

    /// The context of an item at `at`, or unplaced when its level is unknown.
    pub fn of_item(at: Option<LevelId>) -> Self {
        match at {
            Some(_) => Ctx::at(at),
            None => Ctx::unplaced(),
        }
    }
}

impl ir::Expr {
    /// A copy standing for this value in a type check: its type, level and
    /// span, and its literal if it is a string, without its sub-expressions.
    fn stand_in(&self) -> ir::Expr {
        let kind = match &self.kind {
            ExprKind::Str(s) => ExprKind::Str(s.clone()),
            _ => ExprKind::Num(f64::NAN),
        };
        ir::Expr { kind, ..*self }
    }
}

pub(super) fn finest(a: Option<LevelId>, b: Option<LevelId>) -> Option<LevelId> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

pub(super) const FUNCS: &[&str] = &[
    "abs",
    "round",
    "floor",
    "ceil",
    "sqrt",
    "ln",
    "exp",
    "least",
    "greatest",
    "clamp",
    "coalesce",
    "is_missing",
    "count_selected",
    "year",
    "days_between",
    "count",
    "sum",
    "mean",
    "median",
    "min",
    "max",
    "share",
    "ratio",
    "percentile",
    "stddev",
    "distinct",
    "score",
];

impl Resolver<'_> {
    /// Describes a type for messages.
    pub fn type_name(&self, t: Type) -> String {
        match t {
            Type::Number => "a number".into(),
            Type::Bool => "a yes/no value".into(),
            Type::Text => "text".into(),
            Type::Date => "a date".into(),
            Type::Option(q) => format!("an option of `{}`", self.questions[q].id),
            Type::Set(q) => format!("a set of options of `{}`", self.questions[q].id),
            Type::Level(l) => format!("the level `{}`", self.levels[l].id),
            Type::Error => "an invalid value".into(),
        }
    }

    /// Reports unless `e` has type `want` (or is already an error).
    pub fn expect(&mut self, e: &ir::Expr, want: Type, context: &str) -> bool {
        if e.ty == want || e.ty == Type::Error {
            return true;
        }
        let help = match (want, e.ty) {
            (Type::Number, Type::Bool) => {
                Some("convert explicitly: `if C then 1 else 0`".to_string())
            }
            (Type::Bool, Type::Number) => {
                Some("compare it to make a yes/no value, e.g. `x >= 4`".to_string())
            }
            (Type::Number, Type::Set(_)) => {
                Some("count the options chosen with `count_selected(…)`".to_string())
            }
            (Type::Bool, Type::Option(_)) => {
                Some("compare it to an option, e.g. `x == \"a\"`".to_string())
            }
            _ => None,
        };
        let msg = format!(
            "{context} must be {}, found {}",
            self.type_name(want),
            self.type_name(e.ty)
        );
        self.diags.push(
            Diag::error(
                CheckError::TypeMismatch(msg),
                e.span,
                format!("this is {}", self.type_name(e.ty)),
            )
            .maybe_help(help),
        );
        false
    }

    pub(super) fn err(&self, span: Span) -> ir::Expr {
        ir::Expr {
            id: ir::ExprId::default(),
            kind: ExprKind::Num(f64::NAN),
            ty: Type::Error,
            level: None,
            span,
        }
    }

    pub fn expr(&mut self, e: &ast::Expr, ctx: Ctx<'_>) -> ir::Expr {
        let span = e.span;
        match &e.kind {
            ast::ExprKind::Num(n) => leaf(ExprKind::Num(n.value), Type::Number, span),
            ast::ExprKind::Str(s) => leaf(ExprKind::Str(s.value.clone()), Type::Text, span),
            ast::ExprKind::Bool(b) => leaf(ExprKind::Bool(*b), Type::Bool, span),
            ast::ExprKind::Paren(x) => {
                let mut inner = self.expr(x, ctx);
                inner.span = span;
                inner
            }
            ast::ExprKind::Name(id) => self.name(None, id, ctx, span),
            ast::ExprKind::Qualified(l, id) => self.name(Some(l), id, ctx, span),
            ast::ExprKind::Unary(op, count, x) => self.unary(*op, *count, x, ctx, span),
            ast::ExprKind::Chain(first, rest) => self.chain(first, rest, ctx, span),
            ast::ExprKind::Invalid => self.err(span),
            ast::ExprKind::In(x, items) => self.in_list(x, items, ctx, span),
            ast::ExprKind::If(arms, otherwise) => self.if_chain(arms, otherwise, ctx, span),
            ast::ExprKind::Call {
                func,
                args,
                filter,
                weight,
            } => {
                let c = super::calls::Call {
                    func,
                    args,
                    filter: filter.as_deref(),
                    weight: weight.as_deref(),
                    span,
                };
                self.call(&c, ctx)
            }
        }
    }

    /// `not x`, `-x` (a run of one operator counted once).
    fn unary(
        &mut self,
        op: ast::UnOp,
        count: u32,
        x: &ast::Expr,
        ctx: Ctx<'_>,
        span: Span,
    ) -> ir::Expr {
        let x = self.expr(x, ctx);
        let ty = match op {
            ast::UnOp::Not => {
                self.expect(&x, Type::Bool, "the operand of `not`");
                Type::Bool
            }
            ast::UnOp::Neg => {
                self.expect(&x, Type::Number, "the operand of `-`");
                Type::Number
            }
        };
        let ty = if x.ty == Type::Error { Type::Error } else { ty };
        // `not not x` is `x`: a run of one operator keeps its parity.
        if count.is_multiple_of(2) {
            return ir::Expr { span, ty, ..x };
        }
        ir::Expr {
            id: ir::ExprId::default(),
            level: x.level,
            kind: ExprKind::Unary(op, Box::new(x)),
            ty,
            span,
        }
    }

    /// `x in [a, b, …]`.
    fn in_list(
        &mut self,
        x: &ast::Expr,
        items: &[ast::Expr],
        ctx: Ctx<'_>,
        span: Span,
    ) -> ir::Expr {
        let x = self.expr(x, ctx);
        let mut level = x.level;
        let mut out = Vec::new();
        for it in items {
            let it = self.expr(it, ctx);
            self.compatible(&x, &it, "`in`");
            level = finest(level, it.level);
            out.push(it);
        }
        ir::Expr {
            id: ir::ExprId::default(),
            kind: ExprKind::In(Box::new(x), out),
            ty: Type::Bool,
            level,
            span,
        }
    }

    /// Checks that two operands can be compared for equality.
    pub(super) fn compatible(&mut self, a: &ir::Expr, b: &ir::Expr, op: &str) -> bool {
        match (a.ty, b.ty) {
            (Type::Error, _) | (_, Type::Error) => true,
            (Type::Option(q), Type::Text) => self.check_option(q, b),
            (Type::Text, Type::Option(q)) => self.check_option(q, a),
            (x, y) if x == y && !matches!(x, Type::Set(_) | Type::Level(_)) => true,
            (x, y) => {
                let msg = format!(
                    "{op} cannot compare {} with {}",
                    self.type_name(x),
                    self.type_name(y)
                );
                let mut d = Diag::error(
                    CheckError::TypeMismatch(msg),
                    a.span,
                    format!("this is {}", self.type_name(x)),
                )
                .related(b.span, format!("this is {}", self.type_name(y)));
                if matches!(x, Type::Set(_)) {
                    d = d.help("test a set with `has`: `activites has \"sport\"`");
                } else if matches!(x, Type::Option(_)) && y == Type::Number {
                    d = d.help("options are named as strings: `sexe == \"2\"`");
                }
                self.diags.push(d);
                false
            }
        }
    }

    /// A string compared with an option of `q` must be one of its options.
    fn check_option(&mut self, q: ir::QuestionId, lit: &ir::Expr) -> bool {
        let ExprKind::Str(s) = &lit.kind else {
            return true;
        };
        let question = &self.questions[q];
        if question.ty.options().iter().any(|o| &o.code == s) {
            return true;
        }
        let codes: Vec<&str> = question.ty.option_codes();
        let help = match suggest::closest(s, codes.iter().copied()) {
            Some(c) => format!("did you mean \"{c}\"?"),
            None => format!(
                "options of `{}`: {}",
                question.id,
                codes
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let qspan = question.span;
        self.diags.push(
            Diag::error(
                CheckError::UnknownOption {
                    option: s.clone(),
                    question: question.id.clone(),
                },
                lit.span,
                "not an option",
            )
            .related(qspan, "question declared here")
            .help(help),
        );
        false
    }

    /// The type of `a op b`, reporting operands of the wrong type.
    fn binary_type(&mut self, op: ast::BinOp, a: &ir::Expr, b: &ir::Expr) -> Type {
        use ast::BinOp as B;
        let ty = match op {
            B::Or | B::And => {
                self.expect(a, Type::Bool, &format!("an operand of `{}`", op.symbol()));
                self.expect(b, Type::Bool, &format!("an operand of `{}`", op.symbol()));
                Type::Bool
            }
            B::Eq | B::Ne => {
                self.compatible(a, b, &format!("`{}`", op.symbol()));
                Type::Bool
            }
            B::Lt | B::Le | B::Gt | B::Ge => {
                let ok = matches!(
                    (a.ty, b.ty),
                    (Type::Number, Type::Number) | (Type::Date, Type::Date)
                ) || a.ty == Type::Error
                    || b.ty == Type::Error;
                if !ok {
                    let msg = format!(
                        "`{}` orders numbers or dates, not {} and {}",
                        op.symbol(),
                        self.type_name(a.ty),
                        self.type_name(b.ty)
                    );
                    self.diags.push(
                        Diag::error(
                            CheckError::TypeMismatch(msg),
                            a.span,
                            format!("this is {}", self.type_name(a.ty)),
                        )
                        .related(b.span, format!("this is {}", self.type_name(b.ty))),
                    );
                }
                Type::Bool
            }
            B::Has => {
                match a.ty {
                    Type::Set(q) => {
                        if b.ty == Type::Text {
                            self.check_option(q, b);
                        } else {
                            self.expect(b, Type::Text, "the option after `has`");
                        }
                    }
                    Type::Error => {}
                    other => {
                        let msg = format!(
                            "`has` tests a set of options, found {}",
                            self.type_name(other)
                        );
                        let help = matches!(other, Type::Option(_))
                            .then(|| "for a single choice, write `x == \"a\"`".to_string());
                        self.diags.push(
                            Diag::error(
                                CheckError::TypeMismatch(msg),
                                a.span,
                                format!("this is {}", self.type_name(other)),
                            )
                            .maybe_help(help),
                        );
                    }
                }
                Type::Bool
            }
            B::Add | B::Sub | B::Mul | B::Div | B::Pow => {
                let ctx_s = format!("an operand of `{}`", op.symbol());
                self.expect(a, Type::Number, &ctx_s);
                self.expect(b, Type::Number, &ctx_s);
                Type::Number
            }
        };
        // An operand already reported stops the error from spreading.
        if a.ty == Type::Error || b.ty == Type::Error {
            Type::Error
        } else {
            ty
        }
    }

    /// `a op b op c …`, typed step by step as the operators apply.
    fn chain(
        &mut self,
        first: &ast::Expr,
        rest: &[(ast::BinOp, ast::Expr)],
        ctx: Ctx<'_>,
        span: Span,
    ) -> ir::Expr {
        let first = self.expr(first, ctx);
        let mut level = first.level;
        let mut out: Vec<(ast::BinOp, ir::Expr)> = Vec::with_capacity(rest.len());
        if rest.first().is_some_and(|(op, _)| *op == ast::BinOp::Pow) {
            // `^` groups to the right; every operand is a number.
            let mut ty = first.ty;
            for (op, e) in rest {
                let b = self.expr(e, ctx);
                level = finest(level, b.level);
                out.push((*op, b));
            }
            let mut right = out
                .last()
                .map(|x| x.1.stand_in())
                .expect("a chain has operands");
            for k in (0..out.len()).rev() {
                let lhs = if k == 0 {
                    first.stand_in()
                } else {
                    out[k - 1].1.stand_in()
                };
                let t = self.binary_type(ast::BinOp::Pow, &lhs, &right);
                right = ir::Expr {
                    ty: t,
                    span: lhs.span.to(right.span),
                    ..right
                };
                ty = t;
            }
            return ir::Expr {
                id: ir::ExprId::default(),
                kind: ExprKind::Chain(Box::new(first), out),
                ty,
                level,
                span,
            };
        }
        let mut acc = first.stand_in();
        for (k, (op, e)) in rest.iter().enumerate() {
            let b = self.expr(e, ctx);
            // The first step sees the real operand (a string literal is
            // checked against the options); later ones the running value.
            let t = if k == 0 {
                self.binary_type(*op, &first, &b)
            } else {
                self.binary_type(*op, &acc, &b)
            };
            level = finest(level, b.level);
            acc = ir::Expr {
                id: ir::ExprId::default(),
                kind: ExprKind::Num(f64::NAN),
                ty: t,
                level,
                span: acc.span.to(b.span),
            };
            out.push((*op, b));
        }
        ir::Expr {
            id: ir::ExprId::default(),
            kind: ExprKind::Chain(Box::new(first), out),
            ty: acc.ty,
            level,
            span,
        }
    }

    /// `if … then … else if … else …`: yes/no conditions, branches of one type.
    fn if_chain(
        &mut self,
        arms: &[(ast::Expr, ast::Expr)],
        otherwise: &ast::Expr,
        ctx: Ctx<'_>,
        span: Span,
    ) -> ir::Expr {
        let mut out = Vec::with_capacity(arms.len());
        let mut level = None;
        for (c, a) in arms {
            let c = self.expr(c, ctx);
            self.expect(&c, Type::Bool, "the condition of `if`");
            let a = self.expr(a, ctx);
            level = finest(level, finest(c.level, a.level));
            out.push((c, a));
        }
        let b = self.expr(otherwise, ctx);
        level = finest(level, b.level);
        // Typed from the last `else` back, as nested `if`s would be.
        let (mut ty, mut rest_span) = (b.ty, b.span);
        for (_, a) in out.iter().rev() {
            if a.ty != ty && a.ty != Type::Error && ty != Type::Error {
                let msg = format!(
                    "the branches of `if` differ: {} and {}",
                    self.type_name(a.ty),
                    self.type_name(ty)
                );
                self.diags.push(
                    Diag::error(
                        CheckError::TypeMismatch(msg),
                        a.span,
                        format!("this is {}", self.type_name(a.ty)),
                    )
                    .related(rest_span, format!("this is {}", self.type_name(ty))),
                );
            }
            if a.ty != Type::Error {
                ty = a.ty;
            }
            rest_span = a.span.to(rest_span);
        }
        ir::Expr {
            id: ir::ExprId::default(),
            kind: ExprKind::If(out, Box::new(b)),
            ty,
            level,
            span,
        }
    }
}
