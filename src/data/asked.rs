//! The data section once evaluation has settled who was asked what.
//!
//! In: the tables' reports, and per question asked only to some the units
//! where it was not asked ([`NotAsked`], from evaluation). Out: the
//! reports with those rows counted as `not_asked` instead of blank (or
//! present), and the diagnostics: answers given where the question was
//! not asked (ignored, one warning per question with its first cell
//! underlined) and required answers missing where it was asked.

use super::cells::{Cell, missing_kind};
use super::{DataError, Dataset, TableReport};
use crate::diagnostic::Diag;
use crate::eval::NotAsked;
use crate::ir::Framework;
use crate::source::SourceMap;
use indexmap::IndexMap;

/// The data section with not-asked rows counted apart, and its diagnostics.
pub fn not_asked_report(
    fw: &Framework,
    ds: &Dataset,
    sources: &SourceMap,
    not_asked: &[NotAsked],
) -> (IndexMap<String, TableReport>, Vec<Diag>) {
    let mut reports = ds.reports.clone();
    let mut diags = Vec::new();
    for na in not_asked {
        let q = &fw.questions[na.question];
        let level = &ds.levels[q.level];
        let Some(counts) = reports
            .get_mut(&fw.levels[q.level].id)
            .and_then(|r| r.questions.get_mut(&q.id))
        else {
            continue;
        };
        let rows = level.offsets.len();
        let mut hidden = 0;
        for (u, _) in na.mask.iter().enumerate().filter(|(_, h)| **h) {
            if u >= rows {
                continue;
            }
            hidden += 1;
            let slot = if na.answered.binary_search(&(u as u32)).is_ok() {
                &mut counts.present
            } else {
                let cell = ds.cell_span(sources, q.level, u as u32, na.question);
                let text = cell.map_or("", |(s, _)| {
                    let t = &sources.get(s.src).text;
                    t.get(s.start as usize..s.end as usize).unwrap_or("")
                });
                match missing_kind(text.trim(), fw) {
                    Some(Cell::DontKnow) => &mut counts.dont_know,
                    Some(Cell::Refused) => &mut counts.refused,
                    Some(_) => &mut counts.blank,
                    None => &mut counts.invalid,
                }
            };
            *slot = slot.saturating_sub(1);
        }
        counts.not_asked = Some(hidden);
        if let Some(&first) = na.answered.first() {
            diags.push(answered_anyway(fw, ds, sources, na, first));
        }
        for &u in &na.unanswered {
            if let Some((span, line)) = ds.cell_span(sources, q.level, u, na.question) {
                diags.push(
                    Diag::error(DataError::RequiredMissing(q.id.clone()), span, "no answer")
                        .cell(line as usize, Some(&q.column)),
                );
            }
        }
    }
    (reports, diags)
}

/// One warning for the answers a question received where it was not asked.
fn answered_anyway(
    fw: &Framework,
    ds: &Dataset,
    sources: &SourceMap,
    na: &NotAsked,
    first: u32,
) -> Diag {
    let q = &fw.questions[na.question];
    let err = DataError::AnswerNotAsked {
        question: q.id.clone(),
        rows: na.answered.len(),
    };
    let help = "the answer is ignored: check the question's `when`, or the answer";
    match ds.cell_span(sources, q.level, first, na.question) {
        Some((span, line)) => Diag::warning(err, span, "answered, but not asked here")
            .cell(line as usize, Some(&q.column))
            .related(
                q.when.as_ref().map_or(q.span, |w| w.span),
                "asked only when this holds",
            )
            .help(help),
        None => Diag::warning(err, q.span, "declared here").help(help),
    }
}
