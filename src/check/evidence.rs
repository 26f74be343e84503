//! Evidence and data rules.
//!
//! In: their blocks. Out: IR evidence (what is collected, at which level,
//! how many texts) and rules (what must hold, its message and severity).

use super::CheckError;
use super::exprs::Ctx;
use super::load::Decl;
use super::props::Props;
use super::resolve::Resolver;
use crate::diagnostic::Diag;
use crate::ir::{self, Type};
use crate::syntax::ast;

impl Resolver<'_> {
    pub fn ensure_evidence(&mut self, i: ir::EvidenceId) {
        let b = self.decls.evidence[i];
        let at_opt = self.at(b, "evidence");
        let at = at_opt.unwrap_or(ir::LevelId::TOP);
        let label = self.opt_labels(
            Props(&b.props).label().map(|x| x.0),
            &format!("the label of evidence `{}`", b.id.name),
        );
        let (collect, filter) = match Props(&b.props).collect() {
            Some(((e, f), _)) => {
                let c = self.expr(e, Ctx::of_item(at_opt));
                if c.has_aggregate() {
                    self.diags.push(Diag::error(
                        CheckError::AggregateLevel(
                            "evidence collects answers as they are, not aggregates".into(),
                        ),
                        c.span,
                        "aggregate",
                    ));
                }
                if let Some(l) = c.level
                    && l < at
                    && c.ty != Type::Error
                {
                    self.diags.push(Diag::error(
                        CheckError::WrongLevel(format!(
                            "evidence at `{}` collects from its own level or a finer one",
                            self.levels[at].id
                        )),
                        c.span,
                        format!("this is at `{}`", self.levels[l].id),
                    ));
                }
                let f = f.as_ref().map(|f| {
                    let x = self.expr(f, Ctx::of_item(at_opt));
                    self.expect(&x, Type::Bool, "the `where` filter");
                    x
                });
                (c, f)
            }
            None => {
                self.diags.push(
                    Diag::error(
                        CheckError::MissingProperty("collect".into()),
                        b.id.span,
                        "evidence without `collect`",
                    )
                    .help("add `collect QUESTION`, e.g. `collect temoignage where en_insertion`"),
                );
                (
                    ir::Expr {
                        id: ir::ExprId::default(),
                        kind: ir::ExprKind::Num(f64::NAN),
                        ty: Type::Error,
                        level: None,
                        span: b.id.span,
                    },
                    None,
                )
            }
        };
        let keep = Props(&b.props)
            .keep()
            .and_then(|(n, span)| self.whole(n, span, "keep", 1))
            .map(|k| k as usize);
        self.items.evidence[i] = Some(ir::Evidence {
            id: b.id.name.clone(),
            at,
            label,
            collect,
            filter,
            keep,
            doc: b.doc.as_ref().map(ast::Doc::text),
            span: b.id.span,
        });
    }

    pub fn resolve_rules(&mut self) -> Vec<ir::Rule> {
        let m = self.m;
        let mut out = Vec::new();
        for e in m.rules.values() {
            let Decl::Rule(b) = &e.decl else { continue };
            let Some(at) = self.at(b, "rule") else {
                continue;
            };
            let Some((c, _)) = Props(&b.props).check() else {
                self.diags.push(
                    Diag::error(
                        CheckError::MissingProperty("check".into()),
                        b.id.span,
                        "rule without `check`",
                    )
                    .help("add `check CONDITION`, true when the row is plausible"),
                );
                continue;
            };
            let check = self.expr(c, Ctx::at(None));
            self.expect(&check, Type::Bool, "a rule's check");
            self.level_within(&check, at, "a rule's check");
            let message = self.opt_labels(
                Props(&b.props).message().map(|x| x.0),
                &format!("the message of rule `{}`", b.id.name),
            );
            let severity = match Props(&b.props)
                .severity()
                .map(|(s, at)| (s.name.as_str(), at))
            {
                Some(("error", _)) => ir::RuleSeverity::Error,
                _ => ir::RuleSeverity::Warning,
            };
            out.push(ir::Rule {
                id: b.id.name.clone(),
                at,
                check,
                message,
                severity,
                span: b.id.span,
            });
        }
        out
    }
}
