//! Framework tests: `*.test.toml` files that pin a framework's numbers.
//!
//! In: the text of a test file (which framework, cases with inline CSV data
//! per level, expectations keyed `LEVEL.UNIT.ITEM.FIELD`) and the checked
//! framework it names. Out: for each case, one [`Outcome`] per expectation
//! (expected and actual, rendered as text) and the data diagnostics the case
//! raised. The lookup goes through the JSON result, so a test pins exactly
//! what a tool reading `grille eval` would see.

use crate::data;
use crate::diagnostic::Diag;
use crate::source::{SourceId, Span};
use crate::workspace::Workspace;
use indexmap::IndexMap;
use serde_json::Value as Json;
use std::ops::Range;

/// A parsed test file.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// The framework path as written (relative to the test file).
    pub framework: String,
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    /// Inline tables, in the order written.
    pub data: Vec<Inline>,
    pub expect: Vec<Expectation>,
    /// Byte range of the case's name in the test file.
    pub span: Range<usize>,
}

/// One table written in the test file.
#[derive(Debug, Clone)]
pub struct Inline {
    pub level: String,
    pub text: String,
    /// Where the text starts in the test file, when it stands there byte
    /// for byte (no escapes), so diagnostics can point into the file.
    pub offset: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Expectation {
    pub key: String,
    pub expected: toml::Value,
    /// Byte range of the key in the test file.
    pub span: Range<usize>,
}

/// A test file that cannot be read as one.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct FileError {
    pub message: String,
    pub span: Option<Range<usize>>,
    /// How to fix it, when known.
    pub help: Option<String>,
}

impl crate::diagnostic::Code for FileError {
    fn code(&self) -> &'static str {
        "grille::test::invalid_file"
    }
}

const SHAPE: &str = "a test file has `framework = \"…\"` and `[[case]]` tables with `name`, `[case.data]` and `[case.expect]`";

/// Where a string's value starts in the file, when the file holds it as it
/// is: a multi-line string (`"""` or `'''`, whose first newline is not part
/// of the value) or a one-line literal string, without escapes.
fn raw_offset(text: &str, span: Range<usize>, value: &str) -> Option<usize> {
    let lit = text.get(span.clone())?;
    let (open, body) = if let Some(b) = lit
        .strip_prefix("\"\"\"")
        .or_else(|| lit.strip_prefix("'''"))
    {
        (3, &b[..b.len().checked_sub(3)?])
    } else if let Some(b) = lit.strip_prefix('\'') {
        (1, &b[..b.len().checked_sub(1)?])
    } else {
        return None;
    };
    let skip = if body.starts_with("\r\n") {
        2
    } else if body.starts_with('\n') {
        1
    } else {
        0
    };
    (&body[skip..] == value).then_some(span.start + open + skip)
}

/// The TOML parser's message; it has none for some errors (nothing after
/// `=`), which are then described by where they stand.
fn toml_message(e: &toml::de::Error) -> String {
    match e.message().trim() {
        "" => "this is not valid TOML: a value is expected here".to_string(),
        m => m.to_string(),
    }
}

/// A four-part key built from what was written, for the help line.
fn example(key: &str) -> String {
    let parts: Vec<&str> = key.split('.').filter(|p| !p.is_empty()).collect();
    let defaults = ["enterprise", "E1", "confiance_soi", "value"];
    let mut v: Vec<&str> = parts.iter().take(3).copied().collect();
    while v.len() < 3 {
        v.push(defaults[v.len()]);
    }
    v.push("value");
    v.join(".")
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    framework: toml::Spanned<String>,
    #[serde(default)]
    case: Vec<RawCase>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: toml::Spanned<String>,
    #[serde(default)]
    data: IndexMap<String, toml::Spanned<String>>,
    #[serde(default)]
    expect: IndexMap<toml::Spanned<String>, toml::Value>,
}

/// Reads a test file's text.
///
/// # Errors
/// [`FileError`] with the place of the problem when the TOML is malformed or
/// does not have the expected shape.
pub fn parse(text: &str) -> Result<TestFile, FileError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| FileError {
        message: toml_message(&e),
        span: e.span(),
        help: Some(SHAPE.into()),
    })?;
    if raw.case.is_empty() {
        return Err(FileError {
            message: "the file has no `[[case]]`".into(),
            span: Some(raw.framework.span()),
            help: Some(SHAPE.into()),
        });
    }
    let mut cases = Vec::new();
    for c in raw.case {
        if c.expect.is_empty() {
            return Err(FileError {
                message: format!("case `{}` has no `[case.expect]` entries", c.name.get_ref()),
                span: Some(c.name.span()),
                help: Some("add `[case.expect]` with keys such as `\"enterprise.E1.confiance_soi.value\" = 0.5`".into()),
            });
        }
        let mut expect = Vec::new();
        for (k, v) in c.expect {
            let span = k.span();
            let key = k.into_inner();
            if key.split('.').count() < 4 {
                return Err(FileError {
                    message: format!("`{key}` is not of the form LEVEL.UNIT.ITEM.FIELD"),
                    span: Some(span),
                    help: Some(format!(
                        "name the level, the unit, the item and the field, as in `\"{}\"`",
                        example(&key)
                    )),
                });
            }
            expect.push(Expectation {
                key,
                expected: v,
                span,
            });
        }
        cases.push(Case {
            span: c.name.span(),
            name: c.name.into_inner(),
            data: c
                .data
                .into_iter()
                .map(|(level, v)| {
                    let offset = raw_offset(text, v.span(), v.get_ref());
                    Inline {
                        level,
                        text: v.into_inner(),
                        offset,
                    }
                })
                .collect(),
            expect,
        });
    }
    Ok(TestFile {
        framework: raw.framework.into_inner(),
        cases,
    })
}

/// One checked expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub key: String,
    pub expected: String,
    /// What the result holds there (`None`: nothing at that key).
    pub actual: Option<String>,
    pub passed: bool,
    /// Why nothing was found, when so.
    pub why: Option<String>,
}

/// What one case gave.
#[derive(Debug, Clone)]
pub struct CaseRun {
    pub outcomes: Vec<Outcome>,
    pub diags: Vec<Diag>,
    /// The case could not run (unknown level in `data`, …): every expectation failed.
    pub error: Option<String>,
}

/// Evaluates one case and checks its expectations. `origin` names the test
/// file (inline tables are shown as `origin › case › level`); `file` is the
/// test file in the source map, so that diagnostics on a table written
/// there as it is point into the file itself.
pub fn run_case(ws: &mut Workspace, case: &Case, origin: &str, file: Option<SourceId>) -> CaseRun {
    let failed_all = |why: String| CaseRun {
        outcomes: case
            .expect
            .iter()
            .map(|e| Outcome {
                key: e.key.clone(),
                expected: show_toml(&e.expected),
                actual: None,
                passed: false,
                why: Some(why.clone()),
            })
            .collect(),
        diags: Vec::new(),
        error: Some(why),
    };
    let mut tables = Vec::new();
    // Table sources that stand in the test file, and where.
    let mut placed: Vec<(SourceId, SourceId, usize)> = Vec::new();
    for t in &case.data {
        let level = &t.level;
        let Some(l) = ws.framework().level_by_name(level) else {
            return failed_all(format!(
                "`[case.data]` names level `{level}`, which the framework does not have (levels: {})",
                ws.framework()
                    .levels
                    .iter()
                    .map(|l| l.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let name = format!("{origin} › {} › {level}", case.name);
        let table = data::text_table(
            l,
            &name,
            t.text.clone(),
            false,
            String::new(),
            &mut ws.sources,
        );
        if let (Some(f), Some(off)) = (file, t.offset) {
            placed.push((table.src, f, off));
        }
        tables.push(table);
    }
    // A case writes only the columns it needs; the others are simply missing.
    let wanted = |d: &Diag| d.code != crate::data::codes::MISSING_COLUMN;
    if ws.load_tables(tables).fatal {
        let mut diags: Vec<Diag> = ws
            .data_diagnostics()
            .iter()
            .filter(|d| wanted(d))
            .cloned()
            .collect();
        place(&mut diags, &placed);
        return CaseRun {
            diags,
            ..failed_all("the case's data could not be read".into())
        };
    }
    let lang = ws.framework().default_lang().to_string();
    let (_, all) = ws.evaluate(&lang);
    let mut diags: Vec<Diag> = all.iter().filter(|d| wanted(d)).cloned().collect();
    let text =
        crate::report::json::result(&ws.report_context(&lang, None), &diags, &ws.sources, false);
    let doc: Json = serde_json::from_str(&text).expect("the result is valid JSON");
    place(&mut diags, &placed);
    let outcomes = case
        .expect
        .iter()
        .map(|e| check(&doc, &e.key, &e.expected))
        .collect();
    CaseRun {
        outcomes,
        diags,
        error: None,
    }
}

/// Moves the labels of diagnostics on inline tables into the test file.
fn place(diags: &mut [Diag], placed: &[(SourceId, SourceId, usize)]) {
    for d in diags {
        for label in std::iter::once(&mut d.primary).chain(d.related.iter_mut()) {
            if let Some((_, f, off)) = placed.iter().find(|p| p.0 == label.span.src) {
                let (start, end) = (label.span.start as usize, label.span.end as usize);
                label.span = Span::new(*f, start + off, end + off);
            }
        }
    }
}

/// Looks `key` up in the result and compares it with `expected`.
fn check(doc: &Json, key: &str, expected: &toml::Value) -> Outcome {
    let mut out = Outcome {
        key: key.to_string(),
        expected: show_toml(expected),
        actual: None,
        passed: false,
        why: None,
    };
    match lookup(doc, key) {
        Ok(v) => {
            out.passed = same(expected, v);
            out.actual = Some(show_json(v));
        }
        Err(why) => out.why = Some(why),
    }
    out
}

fn lookup<'a>(doc: &'a Json, key: &str) -> Result<&'a Json, String> {
    // The unit id may itself hold dots: the level is the first part, the
    // field the last and the item the one before it.
    let mut parts: Vec<&str> = key.split('.').collect();
    // `LEVEL.UNIT.ITEM.by.BREAKDOWN.OPTION.FIELD` addresses a cell.
    let cell = match parts.len() >= 7 && parts[parts.len() - 4] == "by" {
        true => {
            let n = parts.len();
            let c = (parts[n - 3], parts[n - 2]);
            parts.drain(n - 4..n - 1);
            Some(c)
        }
        false => None,
    };
    let level = parts[0];
    let field = parts[parts.len() - 1];
    let item = parts[parts.len() - 2];
    let unit = parts[1..parts.len() - 2].join(".");
    let results = &doc["results"];
    let Some(units) = results.get(level).and_then(Json::as_array) else {
        let levels: Vec<&str> = results
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(format!(
            "no results at level `{level}` (levels with results: {})",
            levels.join(", ")
        ));
    };
    let Some(u) = units.iter().find(|u| u["unit"] == unit.as_str()) else {
        let ids: Vec<&str> = units.iter().filter_map(|u| u["unit"].as_str()).collect();
        return Err(format!(
            "no unit `{unit}` at level `{level}` (units: {})",
            ids.join(", ")
        ));
    };
    if let Some((by, option)) = cell {
        let Some(x) = u["indicators"].get(item) else {
            return Err(format!("no indicator `{item}` at `{level}.{unit}`"));
        };
        return cell_field(x, item, by, option, field);
    }
    for section in ["indicators", "dimensions"] {
        if let Some(x) = u[section].get(item) {
            return x.get(field).ok_or_else(|| {
                if let Some(why) = hidden(x) {
                    return format!("`{item}` is {why} here, so it has no `{field}`");
                }
                let fields: Vec<&str> = x
                    .as_object()
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                format!(
                    "`{item}` has no `{field}` here (fields present: {})",
                    fields.join(", ")
                )
            });
        }
    }
    if let Some(x) = u["evidence"].get(item) {
        return match field {
            "quotes" | "value" => Ok(x),
            _ => Err(format!(
                "evidence `{item}` has only `quotes` (a list of texts)"
            )),
        };
    }
    Err(format!(
        "no indicator, dimension or evidence `{item}` at `{level}.{unit}`"
    ))
}

/// Why a value is hidden, in words, if it is (`suppressed (primary)`).
fn hidden(x: &Json) -> Option<String> {
    (x["status"] == "suppressed").then(|| match x["suppression"].as_str() {
        Some(s) => format!("suppressed ({s})"),
        None => "suppressed".into(),
    })
}

/// One field of a breakdown's cell (`_` names the missing cell).
fn cell_field<'a>(
    x: &'a Json,
    item: &str,
    by: &str,
    option: &str,
    field: &str,
) -> Result<&'a Json, String> {
    let Some(cells) = x.get("by").and_then(|b| b.get(by)).and_then(Json::as_array) else {
        let names: Vec<&str> = x
            .get("by")
            .and_then(Json::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(match names.is_empty() {
            true => format!("`{item}` has no cells here"),
            false => format!(
                "`{item}` has no breakdown `{by}` here (breakdowns: {})",
                names.join(", ")
            ),
        });
    };
    let wanted = |c: &&Json| match option {
        "_" => c["option"].is_null(),
        o => c["option"] == o,
    };
    let Some(c) = cells.iter().find(wanted) else {
        let options: Vec<&str> = cells
            .iter()
            .map(|c| c["option"].as_str().unwrap_or("_"))
            .collect();
        return Err(format!(
            "`{item}` by `{by}` has no cell `{option}` here (cells: {})",
            options.join(", ")
        ));
    };
    c.get(field).ok_or_else(|| match hidden(c) {
        Some(why) => format!("this cell is {why}, so it has no `{field}`"),
        None => {
            let fields: Vec<&str> = c
                .as_object()
                .map(|m| {
                    m.keys()
                        .filter(|k| *k != "option")
                        .map(String::as_str)
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "this cell has no `{field}` (fields present: {})",
                fields.join(", ")
            )
        }
    })
}

/// Equality with a relative tolerance of 1e-9 for numbers.
fn same(e: &toml::Value, a: &Json) -> bool {
    match (e, a) {
        (toml::Value::Integer(x), Json::Number(y)) => close(*x as f64, y.as_f64()),
        (toml::Value::Float(x), Json::Number(y)) => close(*x, y.as_f64()),
        (toml::Value::String(x), Json::String(y)) => x == y,
        (toml::Value::Boolean(x), Json::Bool(y)) => x == y,
        (toml::Value::Array(xs), Json::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
        }
        (toml::Value::Table(xs), Json::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| same(x, y)))
        }
        _ => false,
    }
}

fn close(x: f64, y: Option<f64>) -> bool {
    let Some(y) = y else { return false };
    x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
}

fn show_toml(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Float(f) => crate::text::number(*f),
        other => other.to_string(),
    }
}

fn show_json(v: &Json) -> String {
    match v {
        Json::Number(n) => n
            .as_f64()
            .map(crate::text::number)
            .unwrap_or_else(|| n.to_string()),
        Json::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_is_relative() {
        assert!(close(0.1 + 0.2, Some(0.3)));
        assert!(close(1e12, Some(1e12 + 1.0)));
        assert!(!close(0.5, Some(0.5001)));
        assert!(!close(0.0, Some(1e-12)));
    }

    #[test]
    fn inline_tables_are_placed_only_when_written_as_they_are() {
        let text = "a = \"\"\"\nx,y\n1,2\n\"\"\"\nb = \"x\\ty\"\nc = '''\nz\n'''\n";
        let v: toml::Table = toml::from_str(text).unwrap();
        let at = |key: &str| text.find(&format!("{key} = ")).unwrap() + 4;
        // `a` starts after the quotes and the first newline.
        let a = raw_offset(
            text,
            at("a")..text.find("\nb").unwrap(),
            v["a"].as_str().unwrap(),
        );
        assert_eq!(a, Some(at("a") + 4));
        // An escape: the value is not the file's bytes.
        let b_start = at("b");
        let b = raw_offset(text, b_start..b_start + 6, v["b"].as_str().unwrap());
        assert_eq!(b, None);
        let c_start = at("c");
        let c = raw_offset(text, c_start..text.len() - 1, v["c"].as_str().unwrap());
        assert_eq!(c, Some(c_start + 4));
    }

    #[test]
    fn keys_need_four_parts() {
        let e = parse(
            "framework = \"f.grille\"\n[[case]]\nname = \"x\"\n[case.expect]\n\"a.b.c\" = 1\n",
        )
        .unwrap_err();
        assert!(e.message.contains("LEVEL.UNIT.ITEM.FIELD"), "{}", e.message);
        assert!(e.span.is_some());
    }
}
