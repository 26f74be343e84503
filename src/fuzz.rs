//! Entry points for the fuzz targets under `fuzz/` and for the test that
//! replays their saved inputs on the stable toolchain.
//!
//! In: arbitrary bytes. Out: nothing; each function panics only when an
//! invariant breaks (formatting not idempotent, a formatted file that no
//! longer checks the same), never on bad input, which must come back as
//! diagnostics. Reports are rendered too, so rendering is fuzzed with them.

use crate::source::SourceMap;

/// The framework the table and test-file targets evaluate against.
const QUICKSTART: &str = include_str!("../examples/quickstart/framework.grille");

/// The quickstart framework checked once (a third of each run went to
/// checking it again), with the sources it was read into.
fn quickstart() -> &'static (SourceMap, crate::check::Checked) {
    static CHECKED: std::sync::OnceLock<(SourceMap, crate::check::Checked)> =
        std::sync::OnceLock::new();
    CHECKED.get_or_init(|| {
        let mut sources = SourceMap::new();
        let checked = crate::check::check_text(
            "quickstart.grille",
            QUICKSTART,
            &mut sources,
            &Default::default(),
        )
        .unwrap_or_else(|_| unreachable!("the quickstart framework checks"));
        (sources, checked)
    })
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
/// with its reports rendered.
pub fn csv_table(data: &[u8]) {
    let (base, checked) = quickstart();
    let mut sources = base.clone();
    let fw = &checked.framework;
    let spec = crate::data::DataSpec {
        level: Some("personne".into()),
        path: "-".into(),
        sheet: None,
    };
    let Ok(table) = crate::data::read_table(fw, &spec, &mut &data[..], &mut sources) else {
        return;
    };
    let (ds, mut diags) = crate::data::build(fw, vec![table], &sources);
    if ds.fatal {
        return;
    }
    let (results, more) = crate::workspace::evaluate(fw, &ds, &sources, "fr");
    diags.extend(more);
    let cx = crate::report::Context {
        fw,
        ds: &ds,
        results: &results,
        lang: "fr",
        level: None,
        framework_sha256: "",
    };
    let json = crate::report::json::result(&cx, &diags, &sources, false);
    serde_json::from_str::<serde_json::Value>(&json).expect("the result is JSON");
    let _ = crate::report::csv::result(&cx);
    let _ = crate::report::human::markdown(&cx, &diags);
    for d in diags.iter().take(5) {
        let _ = d.render(&sources, 100, false);
    }
}

/// A test file read and its cases run against the quickstart framework.
pub fn test_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = crate::ftest::parse(text) else {
        return;
    };
    let (base, checked) = quickstart();
    let mut sources = base.clone();
    let id = sources.add("t.test.toml", text);
    for case in file.cases.iter().take(4) {
        let _ = crate::ftest::run_case(
            &checked.framework,
            case,
            "t.test.toml",
            Some(id),
            &mut sources,
        );
    }
}
