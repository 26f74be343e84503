//! The record's rows as an engine grille does not drive writes them: JSON
//! Lines, one object per row keyed by the record's column names.
//!
//! In: a file, or a folder of part files (what Spark's `write.json`
//! leaves). Out: the rows in the order of `record::COLUMNS`, each field as text
//! (`None` for a null or a missing key: Spark leaves nulls out), read one
//! line at a time. JSON keeps a null apart from an empty text, which a
//! CSV export does not in every engine.

use super::rebuild::RebuildError;
use super::record::COLUMNS;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// One parsed line, or why it cannot be read.
pub type Row = Result<Vec<Option<String>>, RebuildError>;

/// The files holding the rows: `path` itself, or the part files of a
/// folder in name order (Spark's `_SUCCESS` and `.crc` files left out).
pub fn files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(path)? {
        let p = e?.path();
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        if p.is_file() && !name.is_some_and(|n| n.starts_with('.') || n.starts_with('_')) {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// The rows of every file, read one line at a time. Errors do not say
/// where they are: [`Lines::at`] names the line read last, so that a row
/// the results cannot be built from is named by its file and line too.
pub struct Lines {
    files: std::vec::IntoIter<PathBuf>,
    now: Option<(String, std::io::Lines<std::io::BufReader<std::fs::File>>)>,
    line: usize,
}

/// The rows of `files`, in order.
pub fn rows(files: Vec<PathBuf>) -> Lines {
    Lines {
        files: files.into_iter(),
        now: None,
        line: 0,
    }
}

impl Lines {
    /// The file and line of the row read last.
    pub fn at(&self) -> String {
        match &self.now {
            Some((name, _)) => format!("{name}, line {}", self.line),
            None => "the end of the rows".to_string(),
        }
    }

    /// The next line of any file, skipping blank ones.
    fn next_line(&mut self) -> Option<Result<String, RebuildError>> {
        loop {
            let Some((_, lines)) = &mut self.now else {
                let f = self.files.next()?;
                let name = f.display().to_string();
                match std::fs::File::open(&f) {
                    Ok(file) => self.now = Some((name, std::io::BufReader::new(file).lines())),
                    Err(e) => return Some(Err(RebuildError(format!("{name}: {e}")))),
                }
                self.line = 0;
                continue;
            };
            match lines.next() {
                None => self.now = None,
                Some(l) => {
                    self.line += 1;
                    match l {
                        Ok(l) if l.trim().is_empty() => continue,
                        Ok(l) => return Some(Ok(l)),
                        Err(e) => return Some(Err(RebuildError(e.to_string()))),
                    }
                }
            }
        }
    }
}

impl Iterator for Lines {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        let line = self.next_line()?;
        Some(line.and_then(|l| parse(&l).map_err(RebuildError)))
    }
}

/// One line's object as a record row.
fn parse(line: &str) -> Result<Vec<Option<String>>, String> {
    let v: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(line).map_err(|e| match e.is_data() {
            true => "not a JSON object".to_string(),
            false => format!("not JSON (column {})", e.column()),
        })?;
    COLUMNS
        .iter()
        .map(|c| match v.get(*c) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
            Some(serde_json::Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(format!("`{c}` is neither a number nor a text")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_missing_key_is_null_and_an_empty_text_is_kept() {
        let row = parse(r#"{"_l": 1, "_u": "E1", "v": "", "s": 0.1, "hw": null}"#).unwrap();
        assert_eq!(row[0].as_deref(), Some("1"));
        assert_eq!(row[1].as_deref(), Some("E1"));
        assert_eq!(row[6].as_deref(), Some(""));
        assert_eq!(row[7].as_deref(), Some("0.1"));
        assert_eq!(row[16], None);
        assert_eq!(row[2], None);
    }

    #[test]
    fn a_line_that_is_not_an_object_is_refused() {
        assert!(parse("[1, 2]").is_err());
        assert!(parse(r#"{"_l": [1]}"#).unwrap_err().contains("`_l`"));
    }
}
