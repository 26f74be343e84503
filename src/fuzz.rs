//! Entry points for the fuzz targets under `fuzz/` and for the test that
//! replays their saved inputs on the stable toolchain.
//!
//! In: arbitrary bytes. Out: nothing; each function panics only when an
//! invariant breaks (formatting not idempotent, a formatted file that no
//! longer checks the same), never on bad input, which must come back as
//! diagnostics. Reports are rendered too, so rendering is fuzzed with them.

use crate::source::SourceMap;
use crate::workspace::Workspace;

/// The framework the table and test-file targets evaluate against.
const QUICKSTART: &str = include_str!("../examples/quickstart/framework.grille");

/// A workspace holding the quickstart framework, checked once (a third
/// of each run went to checking it again); each input gets a copy.
fn quickstart() -> Workspace {
    static CHECKED: std::sync::OnceLock<Workspace> = std::sync::OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let mut ws = Workspace::new();
            ws.check_text("quickstart.grille", QUICKSTART)
                .unwrap_or_else(|_| unreachable!("the quickstart framework checks"));
            ws
        })
        .clone()
}

/// Checks a framework text and renders its diagnostics.
pub fn framework(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let diags = match crate::check::check_text("f.grille", text, &mut sources, &Default::default())
    {
        Ok(c) => c.warnings,
        Err(crate::check::Failure::Invalid(d)) => d,
        Err(_) => return,
    };
    for d in diags.iter().take(5) {
        let _ = d.render(&sources, 100, false);
    }
}

/// The codes a framework text checks to.
fn codes(text: &str) -> Vec<&'static str> {
    let mut sources = SourceMap::new();
    match crate::check::check_text("f.grille", text, &mut sources, &Default::default()) {
        Ok(c) => c.warnings.iter().map(|d| d.code).collect(),
        Err(crate::check::Failure::Invalid(d)) => d.iter().map(|d| d.code).collect(),
        Err(_) => vec!["unreadable"],
    }
}

/// A file that parses formats to a file that parses, formats to itself,
/// and checks to the same diagnostic codes.
pub fn fmt_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let id = sources.add("f.grille", text);
    let Ok((file, _)) = crate::syntax::parse(id, text) else {
        return;
    };
    let once = crate::fmt::format(&file, text);
    let id2 = sources.add("f2.grille", once.as_str());
    let (again, _) = crate::syntax::parse(id2, &once)
        .unwrap_or_else(|_| panic!("formatted text does not parse:\n{once}"));
    let twice = crate::fmt::format(&again, &once);
    assert_eq!(once, twice, "formatting is not idempotent");
    let mut a = codes(text);
    let mut b = codes(&once);
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "formatting changed what the checker says:\n{once}");
}

/// A table of persons read and evaluated against the quickstart framework,
/// with its reports rendered; read again in three pieces, it must read the
/// same (the pieces large tables are read in on several cores).
pub fn csv_table(data: &[u8]) {
    let mut ws = quickstart();
    let spec = crate::data::DataSpec {
        level: Some("personne".into()),
        path: "-".into(),
        sheet: None,
    };
    let Ok(table) = ws.read_table(&spec, &mut &data[..]) else {
        return;
    };
    let mut in_pieces = ws.clone();
    let mut pieces = table.clone();
    pieces.chunks = Some(3);
    ws.load_tables(vec![table]);
    in_pieces.load_tables(vec![pieces]);
    assert_eq!(
        reading(&ws),
        reading(&in_pieces),
        "reading in pieces changed what was read"
    );
    if ws.dataset().fatal {
        return;
    }
    let (_, diags) = ws.evaluate("fr");
    let diags = diags.to_vec();
    let cx = ws.report_context("fr", None);
    let json = crate::report::json::result(&cx, &diags, &ws.sources, false);
    serde_json::from_str::<serde_json::Value>(&json).expect("the result is JSON");
    let _ = crate::report::csv::result(&cx);
    let _ = crate::report::human::markdown(&cx, &diags);
    for d in diags.iter().take(5) {
        let _ = d.render(&ws.sources, 100, false);
    }
}

/// What a workspace read from its data, in words that compare exactly
/// (`NaN` included), leaving out how the tables were to be read.
pub fn reading(ws: &Workspace) -> String {
    let ds = ws.dataset();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{}\n{:?}",
        ds.levels,
        ds.columns,
        ds.fields,
        ds.reports,
        ds.fatal,
        ws.data_diagnostics()
    )
}

/// A test file read and its cases run against the quickstart framework.
pub fn test_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = crate::ftest::parse(text) else {
        return;
    };
    let mut ws = quickstart();
    let id = ws.sources.add("t.test.toml", text);
    for case in file.cases.iter().take(4) {
        let _ = crate::ftest::run_case(&mut ws, case, "t.test.toml", Some(id));
    }
}
