//! The query's rows written as `eval --format csv` writes its table.
//!
//! In: the framework and the rows as the database returned them. Out: the tidy CSV text, byte for byte what the in-memory runner
//! writes: numbers in Rust's shortest form (a database writes `1e+20` or
//! `3.0` where grille writes `100000000000000000000` or `3`).

use super::output::COLUMNS;
use crate::ir::{Framework, Rollup, Type};

/// The tidy CSV of the query's rows.
pub fn csv(fw: &Framework, rows: &[Vec<Option<String>>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).expect("writing to memory");
    for row in rows {
        let field = |k: usize| row.get(k).cloned().flatten().unwrap_or_default();
        let mut out: Vec<String> = (0..COLUMNS.len()).map(field).collect();
        if numeric_value(fw, &out[0], &out[4], &out[5]) {
            out[6] = number(&out[6]);
        }
        for f in out.iter_mut().take(12).skip(7) {
            *f = number(f);
        }
        w.write_record(&out).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 fields")
}

/// A number as grille writes it; anything else as it is.
fn number(s: &str) -> String {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => format!("{x}"),
        _ => s.to_string(),
    }
}

/// Whether an indicator's value at a level is a number.
fn numeric_value(fw: &Framework, level: &str, kind: &str, item: &str) -> bool {
    if kind != "indicator" {
        return false;
    }
    let (Some(i), Some(l)) = (fw.indicator_by_name(item), fw.level_by_name(level)) else {
        return false;
    };
    let ind = &fw.indicators[i];
    match (l == ind.at, &ind.rollup) {
        (_, Rollup::Distribution) if l != ind.at => false,
        (false, r) if !matches!(r, Rollup::Pooled) => true,
        _ => ind.value.ty == Type::Number,
    }
}
