//! Formats other than CSV, turned into CSV text; delimiter detection.
//!
//! In: bytes of a JSON array, NDJSON, or a workbook path. Out: CSV text
//! with a header row (columns in order of first appearance), so that one
//! reader and one kind of cell diagnostic serve every format.

use serde_json::Value;

/// The delimiter among `,` `;` and tab that the header line uses most.
pub fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in header.bytes() {
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if *d == c {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

fn write_csv(headers: &[String], rows: &[Vec<String>]) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(headers).map_err(|e| e.to_string())?;
    for r in rows {
        w.write_record(r).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// A JSON array of objects (or NDJSON, one object per line) as CSV.
pub fn json_to_csv(bytes: &[u8], lines: bool) -> Result<String, String> {
    let objects: Vec<serde_json::Map<String, Value>> = if lines {
        let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
        let mut v = Vec::new();
        for (i, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(l) {
                Ok(Value::Object(o)) => v.push(o),
                Ok(_) => return Err(format!("line {} is not a JSON object", i + 1)),
                Err(e) => return Err(format!("line {}: {e}", i + 1)),
            }
        }
        v
    } else {
        match serde_json::from_slice::<Value>(bytes).map_err(|e| e.to_string())? {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, x)| match x {
                    Value::Object(o) => Ok(o),
                    _ => Err(format!("item {} of the array is not an object", i + 1)),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("expected an array of objects".into()),
        }
    };
    let mut headers: indexmap::IndexSet<String> = indexmap::IndexSet::new();
    for o in &objects {
        for k in o.keys() {
            headers.insert(k.clone());
        }
    }
    let headers: Vec<String> = headers.into_iter().collect();
    let rows: Vec<Vec<String>> = objects
        .iter()
        .map(|o| {
            headers
                .iter()
                .map(|h| o.get(h).map(cell).unwrap_or_default())
                .collect()
        })
        .collect();
    write_csv(&headers, &rows)
}

/// A workbook's sheet (the first one unless named) as CSV, with the sheet's name.
pub fn workbook_to_csv(path: &str, sheet: Option<&str>) -> Result<(String, String), String> {
    use calamine::{Data, Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(path).map_err(|e| e.to_string())?;
    let names = wb.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| format!("no sheet `{s}` (sheets: {})", names.join(", ")))?,
        None => names.first().cloned().ok_or("the workbook has no sheet")?,
    };
    let range = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
    let mut rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => crate::text::number(*f),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => b.to_string(),
                    // Spreadsheet serial day 25569 is 1970-01-01.
                    Data::DateTime(d) => {
                        super::column::format_date(d.as_f64().floor() as i32 - 25569)
                    }
                    Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Error(e) => format!("#{e:?}"),
                })
                .collect()
        })
        .collect();
    if rows.is_empty() {
        return Err(format!("sheet `{name}` is empty"));
    }
    let headers = rows.remove(0);
    Ok((write_csv(&headers, &rows)?, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_semicolons() {
        assert_eq!(detect_delimiter("a;b;\"c,d\"\n1;2;3"), b';');
        assert_eq!(detect_delimiter("a\tb\n"), b'\t');
        assert_eq!(detect_delimiter("a\n"), b',');
    }

    #[test]
    fn json_becomes_csv() {
        let csv = json_to_csv(br#"[{"a":1,"b":"x"},{"b":null,"c":["p","q"]}]"#, false).unwrap();
        assert_eq!(csv, "a,b,c\n1,x,\n,,p q\n");
    }
}
