//! The known units of a level (`grille form --units LEVEL=FILE`).
//!
//! In: a CSV table of the level's units (its key column, and any of its
//! `name` and answer columns; `,` or `;`). Out: [`KnownUnits`]: each unit's
//! key, the label it is picked by (its name, else its key) and its other
//! cells by column, which the form carries as a choice list so that the
//! parent key is chosen rather than typed, and so that a `when` can read a
//! parent's answers.

use crate::ir::{Framework, LevelId};
use indexmap::IndexMap;

/// One known unit.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownUnit {
    pub key: String,
    pub label: String,
    /// Its cells, by column header as written.
    pub cells: IndexMap<String, String>,
}

/// The known units of one level.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownUnits {
    pub level: LevelId,
    pub units: Vec<KnownUnit>,
}

impl KnownUnits {
    /// A unit's cell of `column` (matched ignoring case and spaces).
    pub fn cell<'a>(&self, unit: &'a KnownUnit, column: &str) -> &'a str {
        unit.cells
            .iter()
            .find(|(h, _)| h.trim().eq_ignore_ascii_case(column.trim()))
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Reads the units of `level` from a CSV text.
///
/// # Errors
/// A table that cannot be read, without the level's key column, or whose
/// key is blank or repeated on some row.
pub fn read_units(fw: &Framework, level: LevelId, text: &str) -> Result<KnownUnits, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delim = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let lv = &fw.levels[level];
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let key = find(&lv.key)
        .ok_or_else(|| format!("it has no column `{}` (the key of `{}`)", lv.key, lv.id))?;
    let name = lv.name_column.as_deref().and_then(find);
    let mut units: Vec<KnownUnit> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        let k = rec.get(key).unwrap_or("").trim();
        if k.is_empty() {
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            return Err(format!("row {} has no `{}`", i + 2, lv.key));
        }
        if units.iter().any(|u| u.key == k) {
            return Err(format!("`{k}` is listed twice"));
        }
        let label = name
            .and_then(|n| rec.get(n))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(k);
        let cells = headers
            .iter()
            .zip(rec.iter())
            .map(|(h, v)| (h.clone(), v.trim().to_string()))
            .collect();
        units.push(KnownUnit {
            key: k.to_string(),
            label: label.to_string(),
            cells,
        });
    }
    Ok(KnownUnits { level, units })
}
