//! An indicator's breakdowns (`by`) and the disclosure warnings on its value.
//!
//! In: the indicator's block, its checked value, level, rollup and
//! reported levels. Out: its [`ir::Breakdown`]s, and `bad_breakdown` /
//! `individual_value` diagnostics.
//!
//! A breakdown places each row of the value's aggregates in one cell, so it
//! must have one value per row: a `choice` or `yesno` question, or a yes/no
//! `let`, at the level of those rows or a coarser one (read from the row's
//! ancestor). Its cells are shown only at reported levels coarser than the
//! breakdown's own level, since a unit of that level lies in one cell.

use super::CheckError;
use super::props::Props;
use super::resolve::{Named, Resolver};
use crate::diagnostic::Diag;
use crate::ir::{self, AggFunc, BySource, ExprKind, LevelId, Node, Type};
use crate::syntax::ast;

/// What the value's aggregates read, looked at through its lets.
struct Rows {
    /// The coarsest level whose rows an aggregate reads, if any.
    level: Option<LevelId>,
    /// An indicator the value reads, which a breakdown cannot split.
    indicator: Option<ir::IndicatorId>,
    /// Order statistics of rows (`min`, `max`, percentile 0 or 100).
    individual: Vec<crate::source::Span>,
}

impl Resolver<'_> {
    /// The breakdowns written after `by`, checked.
    pub(super) fn breakdowns(
        &mut self,
        b: &ast::Block,
        value: &ir::Expr,
        at: LevelId,
        levels: &[LevelId],
    ) -> Vec<ir::Breakdown> {
        let rows = self.rows_of(value);
        if self.min_group > 1 {
            for span in &rows.individual {
                self.diags.push(
                    Diag::warning(
                        CheckError::IndividualValue(b.id.name.clone()),
                        *span,
                        "the answer of a single row",
                    )
                    .help(
                        "publish a `median(…)`, or the share above a threshold (`share(x >= 10)`), instead",
                    ),
                );
            }
        }
        let Some((names, _)) = Props(&b.props).by() else {
            return Vec::new();
        };
        // Breakdowns may be no coarser than the coarsest level reported
        // with cells, and no finer than the rows.
        let finest = rows.level.unwrap_or(at);
        let coarsest = levels.iter().copied().min().unwrap_or(at);
        let mut out: Vec<ir::Breakdown> = Vec::new();
        for id in names {
            if out.iter().any(|x| x.id == id.name) {
                let msg = format!("`{}` is listed twice after `by`", id.name);
                self.bad_breakdown(id, msg, finest, coarsest);
                continue;
            }
            if let Some(i) = rows.indicator {
                let msg = format!(
                    "the value reads indicator `{}`, whose value cannot be split into cells",
                    self.decls.indicators[i].id.name
                );
                self.diags.push(
                    Diag::error(CheckError::BadBreakdown(msg), id.span, "this breakdown")
                        .help("write the value with its own aggregates, or break down the indicator it reads"),
                );
                break;
            }
            if let Some(bd) = self.breakdown(id, finest, coarsest) {
                out.push(bd);
            }
        }
        out
    }

    /// One name after `by`.
    fn breakdown(
        &mut self,
        id: &ast::Ident,
        finest: LevelId,
        coarsest: LevelId,
    ) -> Option<ir::Breakdown> {
        let (source, level) = match self.names.get(&id.name).copied() {
            Some(Named::Question(q)) if !self.unplaced.contains(&q) => {
                let question = &self.questions[q];
                if !matches!(question.ty, ir::QType::Choice(_) | ir::QType::YesNo) {
                    let msg = format!(
                        "`{}` is not a `choice` or `yesno` question, so its answers do not form cells",
                        id.name
                    );
                    self.bad_breakdown(id, msg, finest, coarsest);
                    return None;
                }
                self.used.insert(id.name.clone());
                (BySource::Question(q), question.level)
            }
            Some(Named::Let(i)) => {
                if !self.ensure_from(Node::Let(i), id) {
                    return None;
                }
                self.used.insert(id.name.clone());
                let e = &self.items.lets[i].as_ref().expect("resolved let").expr;
                match (e.ty, e.level) {
                    (Type::Bool, Some(l)) => (BySource::Let(i), l),
                    _ => {
                        let msg = format!(
                            "`let {}` is not a yes/no value that varies by unit",
                            id.name
                        );
                        self.bad_breakdown(id, msg, finest, coarsest);
                        return None;
                    }
                }
            }
            _ => {
                let msg = format!("`{}` is not a question or a `let`", id.name);
                self.bad_breakdown(id, msg, finest, coarsest);
                return None;
            }
        };
        if level > finest {
            let msg = format!(
                "`{}` varies by `{}`, but the value is computed from rows of `{}`",
                id.name, self.levels[level].id, self.levels[finest].id
            );
            self.bad_breakdown(id, msg, finest, coarsest);
            return None;
        }
        if level <= coarsest {
            let msg = format!(
                "`{}` has one value per `{}`, so its cells could only be shown above `{}`, where the indicator is not reported",
                id.name, self.levels[level].id, self.levels[level].id
            );
            self.bad_breakdown(id, msg, finest, coarsest);
            return None;
        }
        Some(ir::Breakdown {
            id: id.name.clone(),
            source,
            level,
            span: id.span,
        })
    }

    /// Reports a name that cannot be a breakdown, naming those that can.
    fn bad_breakdown(&mut self, id: &ast::Ident, msg: String, finest: LevelId, coarsest: LevelId) {
        let usable = self.usable_breakdowns(finest, coarsest);
        let help = match usable.len() {
            0 => "no question or `let` can break this value down: add a `choice` or `yesno` question to the level of its rows".to_string(),
            _ => format!(
                "a breakdown is a `choice` or `yesno` question or a yes/no `let` with one value per row; here: {}",
                usable.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        };
        self.diags.push(
            Diag::error(
                CheckError::BadBreakdown(msg),
                id.span,
                "cannot break the value down",
            )
            .help(help),
        );
    }

    /// The names that could break down a value whose rows are at `finest`,
    /// reported down to `coarsest` (at most eight, in declaration order).
    fn usable_breakdowns(&self, finest: LevelId, coarsest: LevelId) -> Vec<String> {
        let fits = |l: LevelId| l > coarsest && l <= finest;
        let questions = self.questions.iter_enumerated().filter(|(q, x)| {
            !self.unplaced.contains(q)
                && matches!(x.ty, ir::QType::Choice(_) | ir::QType::YesNo)
                && fits(x.level)
        });
        let lets = self
            .items
            .lets
            .iter()
            .flatten()
            .filter(|l| l.expr.ty == Type::Bool && l.expr.level.is_some_and(fits));
        questions
            .map(|(_, x)| x.id.clone())
            .chain(lets.map(|l| l.id.clone()))
            .take(8)
            .collect()
    }

    /// Whether a value aggregates rows, directly or through the lets it names.
    pub(super) fn aggregates(&self, value: &ir::Expr) -> bool {
        self.rows_of(value).level.is_some()
    }

    /// The rows a value's aggregates read, through the lets it names.
    fn rows_of(&self, value: &ir::Expr) -> Rows {
        let mut rows = Rows {
            level: None,
            indicator: None,
            individual: Vec::new(),
        };
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![value];
        while let Some(e) = todo.pop() {
            e.walk(&mut |x| match &x.kind {
                ExprKind::Agg(crate::ir::Agg {
                    func, over, args, ..
                }) => {
                    rows.level = Some(rows.level.map_or(*over, |l| l.min(*over)));
                    let pct = |p: f64| p <= 0.0 || p >= 100.0;
                    let extreme = match (func, args.get(1).map(|a| &a.kind)) {
                        (AggFunc::Min | AggFunc::Max, _) => true,
                        (AggFunc::Percentile, Some(ExprKind::Num(p))) => pct(*p),
                        _ => false,
                    };
                    if extreme {
                        rows.individual.push(x.span);
                    }
                }
                ExprKind::Indicator(i) => rows.indicator = rows.indicator.or(Some(*i)),
                ExprKind::Let(i) if seen.insert(*i) => {
                    if let Some(Some(l)) = self.items.lets.get(*i) {
                        todo.push(&l.expr);
                    }
                }
                _ => {}
            });
        }
        rows
    }
}
