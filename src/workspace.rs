//! From checked framework and data to results with every diagnostic.
//!
//! In: a checked framework, a linked dataset, the source map holding their
//! files and the language of the run. Out: the results, and the
//! evaluation's diagnostics merged with the failed data rules rendered
//! over their cells, in one order whatever the number of threads.
//! Evaluation itself knows no files and no language; this is where they
//! meet.

use crate::data::Dataset;
use crate::diagnostic::Diag;
use crate::eval::Results;
use crate::ir::Framework;
use crate::source::SourceMap;

/// Evaluates `fw` over `ds`, with failed rules as diagnostics in `lang`.
pub fn evaluate(
    fw: &Framework,
    ds: &Dataset,
    sources: &SourceMap,
    lang: &str,
) -> (Results, Vec<Diag>) {
    let (results, diags) = crate::eval::evaluate(fw, ds);
    let diags = merge(fw, ds, sources, lang, &results, diags);
    (results, diags)
}

/// As [`evaluate`], on `threads` threads.
pub fn evaluate_with(
    fw: &Framework,
    ds: &Dataset,
    sources: &SourceMap,
    lang: &str,
    threads: usize,
) -> (Results, Vec<Diag>) {
    let (results, diags) = crate::eval::evaluate_with(fw, ds, threads);
    let diags = merge(fw, ds, sources, lang, &results, diags);
    (results, diags)
}

fn merge(
    fw: &Framework,
    ds: &Dataset,
    sources: &SourceMap,
    lang: &str,
    results: &Results,
    diags: Vec<Diag>,
) -> Vec<Diag> {
    let mut all = crate::data::rule_diagnostics(fw, ds, sources, &results.rule_failures, lang);
    all.extend(diags);
    all.sort_by_key(|d| (d.primary.span.src, d.primary.span.start));
    all
}
