//! Failed data rules, as diagnostics over the data files.
//!
//! In: the rule failures evaluation found (rule, level, unit, questions)
//! and the language of the run. Out: one diagnostic per failure,
//! underlining the cell of the first question of the rule's level when
//! the level was read from a table, else pointing at the rule.

use super::{DataError, Dataset, link};
use crate::diagnostic::{Diag, Severity};
use crate::eval::RuleFailure;
use crate::ir::{Framework, LevelId, QuestionId, RuleSeverity};
use crate::source::{SourceMap, Span};

impl Dataset {
    /// The cell holding the answer to `question` for unit `unit` of
    /// `level`, with its line, when that level was read from a table.
    pub fn cell_span(
        &self,
        sources: &SourceMap,
        level: LevelId,
        unit: u32,
        question: QuestionId,
    ) -> Option<(Span, u32)> {
        let units = &self.levels[level];
        let table = &self.tables[units.table?];
        let offset = *units.offsets.get(unit as usize)? as usize;
        let text = &sources.get(table.src).text;
        let field = self.fields[question].unwrap_or(0);
        let (a, b) = link::cell_span(text, offset, field, table.delimiter);
        Some((Span::new(table.src, a, b), units.lines[unit as usize]))
    }
}

/// One diagnostic per failed rule at a unit, its message in `lang`.
pub fn rule_diagnostics(
    fw: &Framework,
    ds: &Dataset,
    sources: &SourceMap,
    failures: &[RuleFailure],
    lang: &str,
) -> Vec<Diag> {
    failures
        .iter()
        .map(|f| {
            let rule = &fw.rules[f.rule];
            let message = rule
                .message
                .get(lang, fw.default_lang())
                .unwrap_or(&rule.id);
            let err = DataError::RuleFailed {
                rule: rule.id.clone(),
                message: message.to_string(),
            };
            let severity = match rule.severity {
                RuleSeverity::Error => Severity::Error,
                RuleSeverity::Warning => Severity::Warning,
            };
            let first = f
                .questions
                .iter()
                .copied()
                .find(|&q| fw.questions[q].level == f.level);
            match first.and_then(|q| Some((q, ds.cell_span(sources, f.level, f.unit, q)?))) {
                Some((q, (span, line))) => {
                    let text = &sources.get(span.src).text;
                    let cell = text
                        .get(span.start as usize..span.end as usize)
                        .unwrap_or("");
                    let cols: Vec<&str> = f
                        .questions
                        .iter()
                        .map(|&q| fw.questions[q].column.as_str())
                        .collect();
                    Diag::new(
                        severity,
                        err,
                        span,
                        format!("{} is {cell}", fw.questions[q].id),
                    )
                    .cell(line as usize, Some(&cols.join(", ")))
                    .related(rule.span, "rule declared here")
                }
                None => {
                    let id = &ds.levels[f.level].ids[f.unit as usize];
                    // Answers in a database: name its table beside the key.
                    let table = match ds.tables.is_empty() {
                        true => ds.reports.get(&fw.levels[f.level].id),
                        false => None,
                    };
                    let label = match table {
                        Some(t) => format!("fails for `{id}` in table `{}`", t.file),
                        None => format!("fails for `{id}`"),
                    };
                    Diag::new(severity, err, rule.span, label)
                }
            }
        })
        .collect()
}
