//! Small snippets checked in isolation: each test writes a few lines of a
//! framework and pins the diagnostic codes they give (inline snapshots),
//! so a change to the checker shows here, line by line.

use crate::source::SourceMap;

/// A framework with one level `org` and questions `x` (number), `ok`
/// (yes/no) and `kind` (choice a/b), followed by `rest`.
fn snippet(rest: &str) -> String {
    format!(
        "framework t {{ title \"T\" }}\nlevel org {{ label \"O\" }}\nlevel p {{ within org label \"P\" }}\nquestions at org {{ x: number  ok: yesno  kind: choice {{ a, b }} }}\nquestions at p {{ y: number  w: yesno }}\n{rest}\n"
    )
}

/// The codes `rest` checks to, in file order, leaving out the warnings
/// about unused items (the snippet's own questions are mostly unused).
fn check_str(rest: &str) -> Vec<&'static str> {
    let mut sources = SourceMap::new();
    let codes: Vec<&'static str> = match super::check_text(
        "s.grille",
        &snippet(rest),
        &mut sources,
        &Default::default(),
    ) {
        Ok(c) => c.warnings.iter().map(|d| d.code).collect(),
        Err(super::Failure::Invalid(d)) => d.iter().map(|d| d.code).collect(),
        Err(super::Failure::Io { .. }) => vec!["io"],
    };
    codes
        .into_iter()
        .filter(|c| !c.starts_with("grille::check::unused_"))
        .collect()
}

#[test]
fn a_plain_indicator_checks() {
    insta::assert_debug_snapshot!(check_str("indicator i { at org value x normalize goalposts 0..10 }"), @"[]");
}

#[test]
fn unknown_names() {
    insta::assert_debug_snapshot!(check_str("indicator i { at org value z }"), @r#"
    [
        "grille::check::unknown_name",
    ]
    "#);
    insta::assert_debug_snapshot!(check_str("indicator i { at nowhere value x }"), @r#"
    [
        "grille::check::unknown_level",
    ]
    "#);
}

#[test]
fn aggregates_need_a_finer_level() {
    insta::assert_debug_snapshot!(check_str("indicator i { at org value mean(y) }"), @"[]");
    insta::assert_debug_snapshot!(check_str("indicator i { at p value mean(y) }"), @r#"
    [
        "grille::check::aggregate_level",
    ]
    "#);
}

#[test]
fn options_are_checked() {
    insta::assert_debug_snapshot!(check_str("indicator i { at org value kind == \"c\" }"), @r#"
    [
        "grille::check::unknown_option",
    ]
    "#);
}

#[test]
fn shares_are_written_with_percent() {
    insta::assert_debug_snapshot!(check_str("indicator i { at org value share(w) unit \"%\" normalize goalposts 0..60 }"), @r#"
    [
        "grille::check::scale_mismatch",
    ]
    "#);
    insta::assert_debug_snapshot!(check_str("indicator i { at org value share(w) unit \"%\" normalize goalposts 0%..60% }"), @"[]");
}

#[test]
fn goalposts_run_upwards() {
    insta::assert_debug_snapshot!(check_str("indicator i { at org value x normalize goalposts 10..0 }"), @r#"
    [
        "grille::check::invalid_value",
    ]
    "#);
}

#[test]
fn dimensions_need_known_children() {
    insta::assert_debug_snapshot!(check_str("dimension d { use nothing }"), @r#"
    [
        "grille::check::unknown_name",
    ]
    "#);
}

#[test]
fn names_are_declared_once() {
    insta::assert_debug_snapshot!(check_str("let x = 1"), @r#"
    [
        "grille::check::duplicate_name",
    ]
    "#);
}
