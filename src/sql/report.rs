//! The second statement: the `data` section's counts, from the tables.
//!
//! In: the builder with the units and their stages written. Out: rows of
//! `level, question, rows, used, present, blank, invalid, not_asked`: one
//! per table (`question` empty: rows in the table, rows used as units),
//! then one per question of that table, counted over the rows used: an
//! answer present and valid, an empty cell, a value outside the
//! question's range or options (missing, as in memory), and for a
//! question asked only to some, the rows where it was not asked (counted
//! in none of the others). A typed table cannot tell "don't know" or a
//! refusal from an empty cell: they count as blank.

use super::build::Builder;
use super::schema::tabled;

pub fn select(b: &Builder<'_>) -> String {
    let fw = b.fw;
    let d = b.d;
    let big = "BIGINT";
    let mut parts = Vec::new();
    for (k, l) in tabled(fw, b.opts).into_iter().enumerate() {
        let level = d.str(&fw.levels[l].id);
        let table = d.table(&b.opts.table(fw, l));
        let nul = format!("CAST(NULL AS {big})");
        parts.push(format!(
            "SELECT {level} AS level, {} AS question, CAST((SELECT COUNT(*) FROM {table}) AS {big}) AS rows, CAST((SELECT COUNT(*) FROM b{l}) AS {big}) AS used, {nul} AS present, {nul} AS blank, {nul} AS invalid, {nul} AS not_asked, {k} AS _t, 0 AS _q",
            b.null(crate::ir::Type::Text)
        ));
        for (j, q) in (fw.questions.keys())
            .filter(|&q| fw.questions[q].level == l)
            .enumerate()
        {
            let question = &fw.questions[q];
            let na = match question.when {
                Some(_) => format!("f.na{q}"),
                None => "FALSE".into(),
            };
            let count = |c: &str| {
                format!("CAST(SUM(CASE WHEN {na} THEN 0 WHEN {c} THEN 1 ELSE 0 END) AS {big})")
            };
            let not_asked = match question.when {
                Some(_) => format!("CAST(SUM(CASE WHEN {na} THEN 1 ELSE 0 END) AS {big})"),
                None => nul.clone(),
            };
            parts.push(format!(
                "SELECT {level} AS level, {} AS question, {nul} AS rows, {nul} AS used, {} AS present, {} AS blank, {} AS invalid, {not_asked} AS not_asked, {k} AS _t, {} AS _q FROM b{l} AS f JOIN s{l} AS s ON s._k = f._k AND s._d = 1",
                d.str(&question.id),
                count(&format!("s.q{q} IS NOT NULL")),
                count(&format!("s.z{q}")),
                count(&format!("NOT s.z{q} AND s.q{q} IS NULL")),
                j + 1
            ));
        }
    }
    if parts.is_empty() {
        return "SELECT NULL AS level WHERE 1 = 0".into();
    }
    format!(
        "SELECT level, question, rows, used, present, blank, invalid, not_asked FROM (\n{}\n) AS report ORDER BY _t, _q",
        parts.join("\nUNION ALL\n")
    )
}

/// The data section from the rows of [`select`]: per level's table, the
/// rows read and used, and per question its counts (a typed table tells
/// no "don't know" or refusal from a blank).
pub fn reports(
    fw: &crate::ir::Framework,
    opts: &super::Options,
    rows: &[Vec<Option<String>>],
) -> indexmap::IndexMap<String, crate::data::TableReport> {
    use crate::data::{QuestionCounts, TableReport};
    let mut out: indexmap::IndexMap<String, TableReport> = indexmap::IndexMap::new();
    let n = |row: &[Option<String>], k: usize| -> usize {
        row.get(k)
            .and_then(|x| x.as_deref())
            .and_then(|x| x.parse().ok())
            .unwrap_or(0)
    };
    for row in rows {
        let Some(level) = row.first().and_then(|x| x.clone()) else {
            continue;
        };
        match row.get(1).and_then(|x| x.clone()) {
            None => {
                let table = fw
                    .level_by_name(&level)
                    .map(|l| opts.table(fw, l))
                    .unwrap_or_else(|| level.clone());
                out.insert(
                    level,
                    TableReport {
                        file: table,
                        sha256: String::new(),
                        rows: n(row, 2),
                        used: n(row, 3),
                        rejected: Vec::new(),
                        questions: indexmap::IndexMap::new(),
                    },
                );
            }
            Some(q) => {
                let not_asked = row.get(7).and_then(|x| x.as_deref()).map(|_| n(row, 7));
                if let Some(t) = out.get_mut(&level) {
                    t.questions.insert(
                        q,
                        QuestionCounts {
                            present: n(row, 4),
                            blank: n(row, 5),
                            dont_know: 0,
                            refused: 0,
                            invalid: n(row, 6),
                            not_asked,
                        },
                    );
                }
            }
        }
    }
    out
}
