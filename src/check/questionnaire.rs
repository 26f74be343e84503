//! The questionnaire's shape: sections and to whom each question is asked.
//!
//! In: the merged model's sections and the `when` of each question. Out:
//! [`ir::Section`]s, and each question's condition resolved, checked (a
//! yes/no at the question's level or coarser, reading answers and lets
//! only) and free of cycles: a question asked only if its own answer says
//! so could never be asked.

use super::exprs::Ctx;
use super::load::Decl;
use super::props::Props;
use super::resolve::Resolver;
use super::{CheckError, ast};
use crate::diagnostic::Diag;
use crate::ir::{self, ExprKind, QuestionId, Type};
use std::collections::HashMap;

impl Resolver<'_> {
    /// The sections of the questions blocks, in the order first written.
    pub(super) fn resolve_sections(&mut self) -> HashMap<String, ir::SectionId> {
        let m = self.m;
        let mut index = HashMap::new();
        for (name, (level, sec)) in &m.sections {
            let Some(l) = self.level_ref(level) else {
                continue;
            };
            let props = Props(&sec.props);
            let label = self.opt_labels(
                props.label().map(|x| x.0),
                &format!("the label of section `{name}`"),
            );
            let description = self.opt_labels(
                props.description().map(|x| x.0),
                &format!("the description of section `{name}`"),
            );
            index.insert(name.clone(), self.sections.next_key());
            self.sections.push(ir::Section {
                id: name.clone(),
                level: l,
                label,
                description,
                doc: sec.doc.as_ref().map(ast::Doc::text),
                span: sec.id.span,
            });
        }
        index
    }

    /// A question's section, checked against the question's level and name.
    pub(super) fn question_section(
        &mut self,
        q: &ast::Question,
        level: ir::LevelId,
        section: Option<&String>,
        index: &HashMap<String, ir::SectionId>,
    ) -> Option<ir::SectionId> {
        let s = *index.get(section?)?;
        let sec = &self.sections[s];
        if q.id.name == "label" || q.id.name == "description" {
            self.diags.push(
                Diag::error(
                    CheckError::SectionProperty(q.id.name.clone()),
                    q.id.span,
                    "read as the section's own property",
                )
                .help("rename the question, or move it to a block without `section`"),
            );
        }
        if sec.level != level && !self.unplaced.contains(&self.questions.next_key()) {
            let msg = format!(
                "section `{}` groups questions at `{}`, and this block is at `{}`",
                sec.id, self.levels[sec.level].id, self.levels[level].id
            );
            self.diags.push(
                Diag::error(CheckError::WrongLevel(msg), q.id.span, "in this block")
                    .related(sec.span, "section first declared here")
                    .help("a section belongs to one level: give this block its own section"),
            );
        }
        Some(s)
    }

    /// Resolves every question's `when`, once lets can be named.
    pub(super) fn resolve_conditions(&mut self) {
        let m = self.m;
        let mut ids = self.questions.keys();
        for e in m.items.values() {
            let Decl::Question(decl, ..) = &e.decl else {
                continue;
            };
            let Some(id) = ids.next() else {
                break;
            };
            let Some((w, _)) = Props(&decl.props).when() else {
                continue;
            };
            let level = self.questions[id].level;
            let ctx = Ctx::of_item((!self.unplaced.contains(&id)).then_some(level));
            let cond = self.expr(w, ctx);
            if self.expect(&cond, Type::Bool, "a question's `when`") {
                self.level_within(&cond, level, "a question's `when`");
            }
            self.condition_reads_answers(&cond);
            self.questions[id].when = Some(cond);
        }
        self.condition_cycles();
    }

    /// A condition is decided from answers: an indicator or a score is
    /// computed after answers are known, so it cannot say who is asked.
    fn condition_reads_answers(&mut self, cond: &ir::Expr) {
        let mut bad = Vec::new();
        cond.walk(&mut |x| {
            if matches!(
                x.kind,
                ExprKind::Indicator(_) | ExprKind::Score(_) | ExprKind::DimensionScore(_)
            ) {
                bad.push(x.span);
            }
        });
        for span in bad {
            self.diags.push(
                Diag::error(
                    CheckError::TypeMismatch(
                        "a question's `when` reads answers and lets, not indicators".into(),
                    ),
                    span,
                    "computed from the answers, after they are read",
                )
                .help("write the condition on the questions the indicator reads"),
            );
        }
    }

    /// The questions a condition reads, directly or through lets.
    fn questions_read(&self, e: &ir::Expr) -> Vec<QuestionId> {
        let mut out = Vec::new();
        let mut seen: ir::List<ir::LetId, bool> = vec![false; self.items.lets.len()].into();
        let mut todo: Vec<&ir::Expr> = vec![e];
        while let Some(x) = todo.pop() {
            x.walk(&mut |n| match n.kind {
                ExprKind::Question(q) if !out.contains(&q) => out.push(q),
                ExprKind::Let(l) if !seen[l] => {
                    seen[l] = true;
                    if let Some(Some(l)) = self.items.lets.get(l) {
                        todo.push(&l.expr);
                    }
                }
                _ => {}
            });
        }
        out
    }

    /// Reports a question whose condition reads, through other conditions,
    /// its own answer. Each cycle is reported once, at its first question.
    fn condition_cycles(&mut self) {
        let n = self.questions.len();
        let reads: ir::List<QuestionId, Vec<QuestionId>> = (self.questions.iter())
            .map(|q| match &q.when {
                Some(w) => self.questions_read(w),
                None => Vec::new(),
            })
            .collect();
        let mut reported: ir::List<QuestionId, bool> = vec![false; n].into();
        for start in self.questions.keys() {
            if reported[start] || reads[start].is_empty() {
                continue;
            }
            let Some(path) = path_back(&reads, start) else {
                continue;
            };
            for &q in &path {
                reported[q] = true;
            }
            let names: Vec<&str> = path
                .iter()
                .chain(std::iter::once(&start))
                .map(|&q| self.questions[q].id.as_str())
                .collect();
            let span = self.questions[start]
                .when
                .as_ref()
                .map_or(self.questions[start].span, |w| w.span);
            self.diags.push(
                Diag::error(
                    CheckError::Cycle(format!("who is asked {}", names.join(" → "))),
                    span,
                    "this condition depends on the answer it decides",
                )
                .help("a question's `when` may read only questions asked before it"),
            );
        }
    }
}

/// A path of conditions from `start` back to `start` (breadth first, so the
/// shortest), without its last step; `None` when there is none.
fn path_back(
    reads: &ir::List<QuestionId, Vec<QuestionId>>,
    start: QuestionId,
) -> Option<Vec<QuestionId>> {
    let mut from: ir::List<QuestionId, Option<QuestionId>> = vec![None; reads.len()].into();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen: ir::List<QuestionId, bool> = vec![false; reads.len()].into();
    while let Some(q) = queue.pop_front() {
        for &r in &reads[q] {
            if r == start {
                let mut path = vec![q];
                let mut at = q;
                while let Some(p) = from[at] {
                    path.push(p);
                    at = p;
                }
                path.reverse();
                return Some(path);
            }
            if !seen[r] {
                seen[r] = true;
                from[r] = Some(q);
                queue.push_back(r);
            }
        }
    }
    None
}
