//! Questions asked only to some (`when`), settled before anything else.
//!
//! In: each conditioned question's condition and the answers. Out: per
//! such question, the units where it was not asked (the condition false
//! or undecided, as a questionnaire's `relevant` would hide it) and those
//! among them that hold an answer anyway; those answers are blanked, so
//! no computation reads them, and the aggregates that read the question
//! leave these units out of their coverage. Conditions are settled in the
//! plan's layers, lets read again between layers, so a condition reading
//! another conditioned answer sees it already settled.

use super::Evaluator;
use super::expr::Scope;
use crate::data::Column;
use crate::ir::QuestionId;
use std::sync::Arc;

/// Where one conditioned question was not asked.
#[derive(Debug, Clone, PartialEq)]
pub struct NotAsked {
    pub question: QuestionId,
    /// Per unit of the question's level: the question was not asked there.
    pub mask: Arc<Vec<bool>>,
    /// Units among those that held an answer anyway (ignored).
    pub answered: Vec<u32>,
    /// Units where it was asked, is `required`, and has no answer.
    pub unanswered: Vec<u32>,
}

impl Evaluator<'_> {
    /// Settles every conditioned question, layer by layer.
    pub(super) fn conditions(&mut self) -> Vec<NotAsked> {
        let (fw, plan) = (self.fw, self.plan);
        let mut out = Vec::new();
        for (k, layer) in plan.condition_layers.iter().enumerate() {
            if k > 0 {
                self.warm_lets();
            }
            // A layer's conditions are read before any of its answers is
            // blanked: they read only earlier layers' answers.
            let masks: Vec<(QuestionId, Vec<bool>)> =
                layer.iter().map(|&q| (q, self.not_asked_mask(q))).collect();
            for (q, mask) in masks {
                let col = Arc::make_mut(&mut self.columns[q]);
                let mut answered = Vec::new();
                let mut unanswered = Vec::new();
                for (u, &hidden) in mask.iter().enumerate() {
                    if hidden && col.present(u) {
                        answered.push(u as u32);
                        col.set_missing(u);
                    } else if !hidden && fw.questions[q].required && !col.present(u) {
                        unanswered.push(u as u32);
                    }
                }
                let mask = Arc::new(mask);
                self.not_asked[q] = Some(mask.clone());
                out.push(NotAsked {
                    question: q,
                    mask,
                    answered,
                    unanswered,
                });
            }
        }
        out
    }

    /// Per unit of `q`'s level: its condition is not true there.
    fn not_asked_mask(&mut self, q: QuestionId) -> Vec<bool> {
        let fw = self.fw;
        let question = &fw.questions[q];
        let Some(w) = &question.when else {
            return vec![false; self.n_units(question.level)];
        };
        let c = self.eval(w, question.level, &mut Scope::default());
        match &*c {
            Column::Bool(b) => b.iter().map(|&x| x != 1).collect(),
            _ => vec![false; self.n_units(question.level)],
        }
    }

    /// Takes out of an aggregate's `passed` counts (per group) the rows it
    /// could not use because a question its arguments read was not asked
    /// there, so they do not lower its coverage.
    pub(super) fn unasked_rows(
        &mut self,
        questions: &[QuestionId],
        over: crate::ir::LevelId,
        rows: (&[u32], &[bool]),
        args: &[Arc<Column>],
        passed: &mut [u32],
    ) -> Vec<u32> {
        let (groups, pass) = rows;
        let mut taken = vec![0u32; passed.len()];
        // Per question: where it was not asked, and each row's unit there.
        type Lookup = (Arc<Vec<bool>>, Arc<Vec<u32>>);
        let masks: Vec<Lookup> = questions
            .iter()
            .filter_map(|&q| {
                let m = self.not_asked[q].clone()?;
                Some((m, self.anc(over, self.fw.questions[q].level)))
            })
            .collect();
        for r in 0..groups.len() {
            if !pass[r] || args.iter().all(|a| a.present(r)) {
                continue;
            }
            let hidden = masks.iter().any(|(m, up)| {
                let u = up[r];
                u != u32::MAX && m[u as usize]
            });
            if hidden {
                taken[groups[r] as usize] += 1;
            }
        }
        for (p, t) in passed.iter_mut().zip(&taken) {
            *p -= t;
        }
        taken
    }
}
