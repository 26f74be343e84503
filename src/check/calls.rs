//! Calls: row functions, aggregates and `score(…)` in gates.
//!
//! In: a call's name, its arguments and the context. Out: the typed call,
//! and diagnostics for a wrong number or type of arguments, an aggregate
//! over a level that is not finer, nested aggregates, `score` outside a
//! gate or of something that is not the dimension's child.

use super::CheckError;
use super::exprs::{Ctx, FUNCS, finest};
use super::resolve::Resolver;
use crate::diagnostic::Diag;
use crate::ir::{self, AggFunc, ExprKind, Func, LevelId, Type};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast;

impl Resolver<'_> {
    fn arity(
        &mut self,
        func: &ast::Ident,
        n: usize,
        ok: bool,
        expected: &'static str,
        span: Span,
    ) -> bool {
        if !ok {
            self.diags.push(Diag::error(
                CheckError::Arity {
                    func: func.name.clone(),
                    expected,
                    found: n,
                },
                span,
                "this call",
            ));
        }
        ok
    }

    pub(super) fn call(&mut self, c: &Call<'_>, ctx: Ctx<'_>) -> ir::Expr {
        let (func, span) = (c.func, c.span);
        let name = func.name.as_str();
        if let Some(f) = aggregate_named(name) {
            return self.aggregate(f, c, ctx);
        }
        if let Some(x) = c.filter.or(c.weight) {
            self.diags.push(Diag::error(
                CheckError::TypeMismatch(format!(
                    "`where` and `weight` apply to aggregates, not to `{name}`"
                )),
                x.span,
                "not allowed here",
            ));
        }
        if name == "score" {
            return self.score(func, c.args, ctx, span);
        }
        let Some(f) = function_named(name) else {
            let help = suggest::closest(name, FUNCS.iter().copied())
                .map(|s| format!("did you mean `{s}`?"));
            self.diags.push(
                Diag::error(
                    CheckError::UnknownFunction(name.to_string()),
                    func.span,
                    "no such function",
                )
                .maybe_help(help.or_else(|| Some(format!("functions: {}", FUNCS.join(", "))))),
            );
            return self.err(span);
        };
        let a: Vec<ir::Expr> = c.args.iter().map(|x| self.expr(x, ctx)).collect();
        let level = a.iter().fold(None, |l, x| finest(l, x.level));
        let ty = self.function_type(f, c, &a);
        ir::Expr {
            id: ir::ExprId::default(),
            kind: ExprKind::Func(f, a),
            ty,
            level,
            span,
        }
    }

    fn score(
        &mut self,
        func: &ast::Ident,
        args: &[ast::Expr],
        ctx: Ctx<'_>,
        span: Span,
    ) -> ir::Expr {
        let Some(children) = ctx.gate else {
            self.diags.push(
                Diag::error(CheckError::ScoreOutsideGate, func.span, "here").help(
                    "elsewhere a name means the value; a dimension's gates may test `score(child)`",
                ),
            );
            return self.err(span);
        };
        let target = match args {
            [
                ast::Expr {
                    kind: ast::ExprKind::Name(id),
                    ..
                },
            ] => id,
            _ => {
                self.arity(func, args.len(), false, "the name of one child", span);
                return self.err(span);
            }
        };
        let child = children
            .iter()
            .copied()
            .find(|c| self.child_name(*c) == target.name);
        match child {
            Some(c) => {
                self.used.insert(target.name.clone());
                ir::Expr {
                    id: ir::ExprId::default(),
                    kind: ExprKind::Score(c),
                    ty: Type::Number,
                    level: ctx.at,
                    span,
                }
            }
            None => {
                let names: Vec<String> = children
                    .iter()
                    .map(|c| self.child_name(*c).to_string())
                    .collect();
                let help = suggest::closest(&target.name, names.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"));
                self.diags.push(
                    Diag::error(
                        CheckError::GateNotChild(target.name.clone()),
                        target.span,
                        "not a child of this dimension",
                    )
                    .maybe_help(help),
                );
                self.err(span)
            }
        }
    }

    /// Checks a row function's arguments; the type of its value.
    fn function_type(&mut self, f: Func, c: &Call<'_>, a: &[ir::Expr]) -> Type {
        let (func, span, n) = (c.func, c.span, a.len());
        if let Some((fits, takes, arg)) = simple(f) {
            self.arity(func, n, fits(n), takes, span);
            let ctx_s = format!("an argument of `{}`", func.name);
            for x in a {
                self.expect(x, arg, &ctx_s);
            }
            return Type::Number;
        }
        match f {
            Func::Coalesce => {
                self.arity(func, n, n >= 1, "one or more values", span);
                let first = a
                    .iter()
                    .map(|x| x.ty)
                    .find(|t| *t != Type::Error)
                    .unwrap_or(Type::Error);
                for x in a.iter().skip(1) {
                    self.compatible(&a[0], x, "`coalesce`");
                }
                first
            }
            Func::IsMissing => {
                self.arity(func, n, n == 1, "one value", span);
                Type::Bool
            }
            _ => {
                self.arity(func, n, n == 1, "one multi question", span);
                if let Some(x) = a.first()
                    && !matches!(x.ty, Type::Set(_) | Type::Error)
                {
                    let msg = format!(
                        "`count_selected` counts the options of a multi question, found {}",
                        self.type_name(x.ty)
                    );
                    self.diags.push(Diag::error(
                        CheckError::TypeMismatch(msg),
                        x.span,
                        "not a set",
                    ));
                }
                Type::Number
            }
        }
    }

    /// An aggregate: its arguments, `where` and `weight` typed inside the
    /// aggregate, then the level it reads rows of, finer than the item's.
    fn aggregate(&mut self, f: AggFunc, c: &Call<'_>, ctx: Ctx<'_>) -> ir::Expr {
        let span = c.span;
        if ctx.in_agg {
            self.diags.push(
                Diag::error(
                    CheckError::NestedAggregate,
                    span,
                    "inside another aggregate",
                )
                .help("define an indicator at the middle level and aggregate that"),
            );
            return self.err(span);
        }
        let inner = Ctx {
            in_agg: true,
            ..ctx
        };
        let a: Vec<ir::Expr> = c.args.iter().map(|x| self.expr(x, inner)).collect();
        let fl = c.filter.map(|x| self.expr(x, inner));
        let w = c.weight.map(|x| self.expr(x, inner));
        let f = self.agg_arguments(f, c, &a);
        self.agg_options(f, fl.as_ref(), w.as_ref());
        if a.iter()
            .chain(fl.iter())
            .chain(w.iter())
            .any(|x| x.ty == Type::Error)
        {
            return self.err(span);
        }
        // The aggregated level: the finest level among the argument, filter and weight
        // (the percentile's rank is a constant).
        let over = a
            .iter()
            .take(if f == AggFunc::Percentile { 1 } else { a.len() })
            .chain(fl.iter())
            .chain(w.iter())
            .fold(None, |l, x| finest(l, x.level));
        let Some((at, over)) = self.agg_levels(f, ctx, over, span) else {
            return self.err(span);
        };
        ir::Expr {
            id: ir::ExprId::default(),
            kind: ExprKind::Agg(crate::ir::Agg {
                func: f,
                over,
                args: a,
                filter: fl.map(Box::new),
                weight: w.map(Box::new),
            }),
            ty: Type::Number,
            level: Some(at),
            span,
        }
    }

    /// Checks an aggregate's arguments; `count` of a level counts rows.
    fn agg_arguments(&mut self, mut f: AggFunc, c: &Call<'_>, a: &[ir::Expr]) -> AggFunc {
        let (func, span, n) = (c.func, c.span, a.len());
        let ctx_s = format!("the argument of `{}`", f.name());
        match f {
            AggFunc::Count => {
                if self.arity(func, n, n == 1, "one yes/no condition or a level", span) {
                    match a[0].ty {
                        Type::Level(_) => f = AggFunc::CountRows,
                        _ => {
                            self.expect(&a[0], Type::Bool, &ctx_s);
                        }
                    }
                }
            }
            AggFunc::Share => {
                if self.arity(func, n, n == 1, "one yes/no condition", span) {
                    self.expect(&a[0], Type::Bool, &ctx_s);
                }
            }
            AggFunc::Ratio => {
                let what = "two numbers (numerator, denominator)";
                if self.arity(func, n, n == 2, what, span) {
                    self.expect(&a[0], Type::Number, &ctx_s);
                    self.expect(&a[1], Type::Number, &ctx_s);
                }
            }
            AggFunc::Percentile => {
                let what = "a number and a percentile between 0 and 100";
                if self.arity(func, n, n == 2, what, span) {
                    self.expect(&a[0], Type::Number, &ctx_s);
                    self.expect(&a[1], Type::Number, &ctx_s);
                    self.percentile_rank(&a[1]);
                }
            }
            AggFunc::Distinct => {
                self.arity(func, n, n == 1, "one value", span);
            }
            _ => {
                if self.arity(func, n, n == 1, "one number", span) {
                    self.expect(&a[0], Type::Number, &ctx_s);
                }
            }
        }
        f
    }

    /// A percentile's rank is a constant between 0 and 100.
    fn percentile_rank(&mut self, rank: &ir::Expr) {
        match rank.kind {
            ExprKind::Num(p) if (0.0..=100.0).contains(&p) => {}
            _ if rank.ty == Type::Error => {}
            _ => self.diags.push(Diag::error(
                CheckError::InvalidValue("the percentile is a number between 0 and 100".into()),
                rank.span,
                "not a constant in 0..100",
            )),
        }
    }

    /// `where` is a condition; `weight` a number, on the aggregates that take one.
    fn agg_options(&mut self, f: AggFunc, filter: Option<&ir::Expr>, weight: Option<&ir::Expr>) {
        if let Some(x) = filter {
            self.expect(x, Type::Bool, "the `where` filter");
        }
        if let Some(x) = weight {
            if !matches!(
                f,
                AggFunc::Mean | AggFunc::Sum | AggFunc::Share | AggFunc::Ratio
            ) {
                self.diags.push(Diag::error(
                    CheckError::TypeMismatch(format!(
                        "`weight` applies to mean, sum, share and ratio, not `{}`",
                        f.name()
                    )),
                    x.span,
                    "not allowed here",
                ));
            }
            self.expect(x, Type::Number, "the weight");
        }
    }

    /// The item's level and the finer level the aggregate reads, or why
    /// there is none.
    fn agg_levels(
        &mut self,
        f: AggFunc,
        ctx: Ctx<'_>,
        over: Option<LevelId>,
        span: Span,
    ) -> Option<(LevelId, LevelId)> {
        let name = f.name();
        let Some(at) = ctx.at else {
            if !ctx.unplaced {
                self.diags.push(
                    Diag::error(CheckError::AggregateLevel(format!("`{name}` needs the level of an indicator to aggregate to")), span, "here")
                        .help("aggregates belong in an indicator's `value` (or `when`, `target`); declare an indicator at the level you want"),
                );
            }
            return None;
        };
        let Some(over) = over else {
            self.diags.push(Diag::error(
                CheckError::AggregateLevel(format!(
                    "`{name}` has nothing to aggregate: its argument is a constant"
                )),
                span,
                "no level",
            ));
            return None;
        };
        if over <= at {
            let msg = format!(
                "`{name}` aggregates rows of a finer level than `{}`, but its argument is at `{}`",
                self.levels[at].id, self.levels[over].id
            );
            self.diags.push(
                Diag::error(
                    CheckError::AggregateLevel(msg),
                    span,
                    "nothing finer to aggregate",
                )
                .help("the value is already one per unit here: use it without the aggregate"),
            );
            return None;
        }
        Some((at, over))
    }
}

/// A call as written: the function, its arguments, `where` and `weight`.
#[derive(Clone, Copy)]
pub(super) struct Call<'a> {
    pub func: &'a ast::Ident,
    pub args: &'a [ast::Expr],
    pub filter: Option<&'a ast::Expr>,
    pub weight: Option<&'a ast::Expr>,
    pub span: Span,
}

/// The aggregate a name calls, if it is one.
fn aggregate_named(name: &str) -> Option<AggFunc> {
    Some(match name {
        "count" => AggFunc::Count,
        "sum" => AggFunc::Sum,
        "mean" => AggFunc::Mean,
        "median" => AggFunc::Median,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "share" => AggFunc::Share,
        "ratio" => AggFunc::Ratio,
        "percentile" => AggFunc::Percentile,
        "stddev" => AggFunc::Stddev,
        "distinct" => AggFunc::Distinct,
        _ => return None,
    })
}

/// The row function a name calls, if it is one.
fn function_named(name: &str) -> Option<Func> {
    Some(match name {
        "abs" => Func::Abs,
        "round" => Func::Round,
        "floor" => Func::Floor,
        "ceil" => Func::Ceil,
        "sqrt" => Func::Sqrt,
        "ln" => Func::Ln,
        "exp" => Func::Exp,
        "least" => Func::Least,
        "greatest" => Func::Greatest,
        "clamp" => Func::Clamp,
        "coalesce" => Func::Coalesce,
        "is_missing" => Func::IsMissing,
        "count_selected" => Func::CountSelected,
        "year" => Func::Year,
        "days_between" => Func::DaysBetween,
        _ => return None,
    })
}

/// How many arguments fit, how that is said, and their type.
type Signature = (fn(usize) -> bool, &'static str, Type);

/// A function of numbers or dates giving a number: how many arguments fit,
/// how that is said, and the arguments' type. `None` for the others
/// (`coalesce`, `is_missing`, `count_selected`).
fn simple(f: Func) -> Option<Signature> {
    Some(match f {
        Func::Abs | Func::Floor | Func::Ceil | Func::Sqrt | Func::Ln | Func::Exp => {
            (|n| n == 1, "one number", Type::Number)
        }
        Func::Round => (
            |n| n == 1 || n == 2,
            "a number and optionally a number of digits",
            Type::Number,
        ),
        Func::Least | Func::Greatest => (|n| n >= 1, "one or more numbers", Type::Number),
        Func::Clamp => (|n| n == 3, "three numbers (value, low, high)", Type::Number),
        Func::Year => (|n| n == 1, "one date", Type::Date),
        Func::DaysBetween => (|n| n == 2, "two dates", Type::Date),
        Func::Coalesce | Func::IsMissing | Func::CountSelected => return None,
    })
}
