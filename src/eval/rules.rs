//! Data rules, checked before anything is computed.
//!
//! In: the rules of the framework and the answers. Out: the units where
//! each rule fails, as data ([`RuleFailure`]); a rule of severity `error`
//! also blanks, at those units, the answers of its level that it reads,
//! so that no indicator uses them. Turning failures into diagnostics
//! (with the cell underlined, in the report's language) is the data
//! stage's work: evaluation knows no files and no language.

use super::Evaluator;
use super::expr::Scope;
use crate::data::Column;
use crate::ir::{LevelId, QuestionId, RuleSeverity};
use std::sync::Arc;

/// A unit where a data rule fails.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFailure {
    /// Index of the rule in the framework.
    pub rule: usize,
    pub level: LevelId,
    /// Index of the unit in its level.
    pub unit: u32,
    /// The questions the rule reads, in the order written; those of its
    /// level are blanked at this unit when its severity is `error`.
    pub questions: Vec<QuestionId>,
}

impl Evaluator<'_> {
    /// Checks every rule over its level; blanks what failed `error` rules read.
    pub(super) fn rules(&mut self) -> Vec<RuleFailure> {
        let (fw, plan) = (self.fw, self.plan);
        let mut out = Vec::new();
        for (r, rule) in fw.rules.iter().enumerate() {
            let l = rule.at;
            let check = self.eval(&rule.check, l, &mut Scope::default());
            let Column::Bool(ok) = &*check else { continue };
            let questions = &plan.rule_questions[r];
            for (u, &b) in ok.iter().enumerate() {
                // Missing (2) is not a failure: the rule cannot be judged.
                if b != 0 {
                    continue;
                }
                out.push(RuleFailure {
                    rule: r,
                    level: l,
                    unit: u as u32,
                    questions: questions.clone(),
                });
                if rule.severity == RuleSeverity::Error {
                    for &q in questions.iter().filter(|&&q| fw.questions[q].level == l) {
                        Arc::make_mut(&mut self.columns[q]).set_missing(u);
                    }
                }
            }
        }
        out
    }
}
