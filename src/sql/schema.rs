//! The typed tables a query reads, as `CREATE TABLE` statements.
//!
//! In: a framework and the options (dialect, table names). Out: one
//! statement per level with a table (questions, or a coarser level): its key, its parent's key, `_row`
//! (the original order of the rows) and one typed column per question.
//! These are the tables [`super::typed`] fills from data read in memory.

use super::{Dialect, Options};
use crate::ir::{Framework, LevelId, QType};

/// The columns of level `l`'s table: (name, SQL type), key first.
pub fn columns(fw: &Framework, d: Dialect, l: LevelId) -> Vec<(String, String)> {
    let lv = &fw.levels[l];
    let mut cols = vec![(lv.key.clone(), d.text().to_string())];
    if let Some(p) = &lv.parent_column {
        cols.push((p.clone(), d.text().to_string()));
    }
    if let Some(n) = &lv.name_column {
        cols.push((n.clone(), d.text().to_string()));
    }
    cols.push(("_row".to_string(), d.bigint().to_string()));
    for q in fw.questions.iter().filter(|q| q.level == l) {
        let ty = match q.ty {
            QType::Number | QType::Percent { .. } | QType::Scale { .. } => d.double(),
            QType::YesNo => "BOOLEAN",
            QType::Date => "DATE",
            QType::Choice(_) | QType::Multi(_) | QType::Text => d.text(),
        };
        if !cols.iter().any(|(c, _)| *c == q.column) {
            cols.push((q.column.clone(), ty.to_string()));
        }
    }
    cols
}

/// Levels that have a table (see [`has_table`]).
pub fn tabled(fw: &Framework, opts: &Options) -> Vec<LevelId> {
    (fw.levels.keys())
        .filter(|&l| has_table(fw, opts, l))
        .collect()
}

/// Whether level `l` is read from a table: it has questions, or it lies
/// inside another level (its table says which unit each of its units is
/// in), or its table is given ([`Options::given`]). Otherwise (a top
/// level without questions) it is made from its finer table's parent
/// column.
pub fn has_table(fw: &Framework, opts: &Options, l: LevelId) -> bool {
    fw.levels[l].parent.is_some()
        || fw.questions.iter().any(|q| q.level == l)
        || opts.given.contains(&l)
}

/// `CREATE TABLE` for every level with a table, and for the table of
/// values disclosure control hides when the options name one.
pub fn schema(fw: &Framework, opts: &Options) -> String {
    let d = opts.dialect;
    let mut out = String::new();
    for l in tabled(fw, opts) {
        let cols: Vec<String> = columns(fw, d, l)
            .iter()
            .map(|(c, t)| format!("  {} {t}", d.ident(c)))
            .collect();
        out.push_str(&format!(
            "CREATE TABLE {} (\n{}\n);\n",
            d.table(&opts.table(fw, l)),
            cols.join(",\n")
        ));
    }
    if let Some(h) = &opts.hidden {
        let t = d.text();
        out.push_str(&format!(
            "CREATE TABLE {} (\n  i INTEGER,\n  l INTEGER,\n  b INTEGER,\n  c INTEGER,\n  k {t}\n);\n",
            d.table(h)
        ));
    }
    out
}
