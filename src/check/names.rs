//! Names in expressions: what a name stands for, and the diagnostics of
//! names that do not fit.
//!
//! In: an identifier (maybe qualified by a level) and the context it
//! appears in. Out: its IR leaf (question, let, indicator, level, or in a
//! gate a child's score), resolving the item it names first; diagnostics
//! for unknown names (with a suggestion), removed items, names that are
//! not values, gate names that are not children, wrong qualifiers.

use super::CheckError;
use super::exprs::Ctx;
use super::resolve::{Named, Resolver};
use crate::diagnostic::Diag;
use crate::ir::{self, ExprKind, LevelId, Node, Type};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast;

impl Resolver<'_> {
    /// Resolves a name to a question, let, indicator or level.
    pub(super) fn name(
        &mut self,
        qualifier: Option<&ast::Ident>,
        id: &ast::Ident,
        ctx: Ctx<'_>,
        span: Span,
    ) -> ir::Expr {
        let Some(&named) = self.names.get(&id.name) else {
            self.unknown_name(id);
            return self.err(span);
        };
        self.used.insert(id.name.clone());
        let Some((kind, ty, level)) = self.named_value(named, id, ctx) else {
            return self.err(span);
        };
        self.check_gate_name(id, ctx);
        if let Some(q) = qualifier {
            self.check_qualifier(q, id, level);
        }
        // In a gate, children are read at the dimension's own level.
        let level = if ctx.gate.is_some() { ctx.at } else { level };
        ir::Expr {
            id: ir::ExprId::default(),
            kind,
            ty,
            level,
            span,
        }
    }

    /// An unknown name: removed by an adaptation, or misspelt.
    /// A name an adaptation removed is still used: an error pointing at
    /// the removal. Whether it was one.
    pub(super) fn removed_reference(&mut self, id: &ast::Ident, help: Option<&str>) -> bool {
        let Some(&removed) = self.m.removed.get(&id.name) else {
            return false;
        };
        self.diags.push(
            Diag::error(
                CheckError::RemovedReference(id.name.clone()),
                id.span,
                "still used here",
            )
            .related(removed, "removed here")
            .maybe_help(help.map(str::to_string)),
        );
        true
    }

    fn unknown_name(&mut self, id: &ast::Ident) {
        let help = "remove or change this use too, or keep the item";
        if !self.removed_reference(id, Some(help)) {
            let candidates: Vec<&str> = self.names.keys().map(String::as_str).collect();
            let help =
                suggest::closest(&id.name, candidates).map(|s| format!("did you mean `{s}`?"));
            self.diags.push(
                Diag::error(
                    CheckError::UnknownName(id.name.clone()),
                    id.span,
                    "not declared",
                )
                .maybe_help(help),
            );
        }
    }

    /// What a name stands for as a value: its kind, type and level;
    /// `None` (reported) when it is not a value here.
    fn named_value(
        &mut self,
        named: Named,
        id: &ast::Ident,
        ctx: Ctx<'_>,
    ) -> Option<(ExprKind, Type, Option<LevelId>)> {
        Some(match named {
            Named::Level(l) => (ExprKind::Num(f64::NAN), Type::Level(l), Some(l)),
            // Its level is unknown, which was reported where it is declared.
            Named::Question(q) if self.unplaced.contains(&q) => return None,
            Named::Question(q) => {
                let question = &self.questions[q];
                let ty = match question.ty {
                    ir::QType::Number | ir::QType::Percent { .. } | ir::QType::Scale { .. } => {
                        Type::Number
                    }
                    ir::QType::YesNo => Type::Bool,
                    ir::QType::Choice(_) => Type::Option(q),
                    ir::QType::Multi(_) => Type::Set(q),
                    ir::QType::Date => Type::Date,
                    ir::QType::Text => Type::Text,
                };
                (ExprKind::Question(q), ty, Some(question.level))
            }
            Named::Let(i) => {
                if !self.ensure_from(Node::Let(i), id) {
                    return None;
                }
                let l = self.items.lets[i].as_ref().expect("resolved let");
                (ExprKind::Let(i), l.expr.ty, l.expr.level)
            }
            Named::Indicator(i) => {
                if !self.ensure_from(Node::Indicator(i), id) {
                    return None;
                }
                let ind = self.items.indicators[i]
                    .as_ref()
                    .expect("resolved indicator");
                (ExprKind::Indicator(i), ind.value.ty, Some(ind.at))
            }
            Named::Dimension(i) if ctx.gate.is_some() => {
                if !self.ensure_from(Node::Dimension(i), id) {
                    return None;
                }
                (ExprKind::DimensionScore(i), Type::Number, ctx.at)
            }
            Named::Dimension(_) | Named::Evidence(_) => {
                let what = if matches!(named, Named::Dimension(_)) {
                    "dimension"
                } else {
                    "evidence"
                };
                self.diags.push(
                    Diag::error(
                        CheckError::WrongKind {
                            name: id.name.clone(),
                            found: what,
                            expected: "a value",
                        },
                        id.span,
                        "not a value",
                    )
                    .help("expressions use questions, lets and indicators"),
                );
                return None;
            }
        })
    }

    /// In a gate, a name must be one of the dimension's children.
    fn check_gate_name(&mut self, id: &ast::Ident, ctx: Ctx<'_>) {
        if let Some(children) = ctx.gate
            && !children.iter().any(|c| self.child_name(*c) == id.name)
        {
            self.diags.push(
                Diag::error(
                    CheckError::GateNotChild(id.name.clone()),
                    id.span,
                    "not a child",
                )
                .help("a gate tests the dimension's own indicators and dimensions"),
            );
        }
    }

    /// `level.name` must name the level the name is at.
    fn check_qualifier(&mut self, q: &ast::Ident, id: &ast::Ident, level: Option<LevelId>) {
        if let Some(l) = self.level_ref(q)
            && level != Some(l)
        {
            let actual = level.map(|x| self.levels[x].id.clone()).unwrap_or_default();
            self.diags.push(
                Diag::error(
                    CheckError::WrongLevel(format!(
                        "`{}` is at level `{actual}`, not `{}`",
                        id.name, q.name
                    )),
                    q.span,
                    "this level",
                )
                .help(format!(
                    "write `{actual}.{}` or just `{}`",
                    id.name, id.name
                )),
            );
        }
    }

    pub fn child_name(&self, c: ir::ChildRef) -> &str {
        match c {
            ir::ChildRef::Indicator(i) => &self.decls.indicators[i].id.name,
            ir::ChildRef::Dimension(i) => &self.decls.dimensions[i].id.name,
        }
    }
}
