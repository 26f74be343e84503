//! One fixture per diagnostic code, each pinned by a snapshot of its
//! rendering (no colour, 100 columns): file, line, underlined span,
//! message and help.

use crate::support::{TempDir, grille};
use grille::check::{Failure, Options, check_path};
use grille::source::SourceMap;
use std::path::Path;

fn render_check(rel: &str) -> (String, Vec<&'static str>) {
    let mut sources = SourceMap::new();
    let diags = match check_path(Path::new(rel), &mut sources, &Options::default()) {
        Ok(c) => c.warnings,
        Err(Failure::Invalid(d)) => d,
        Err(Failure::Io { path, error }) => panic!("cannot read {path}: {error}"),
    };
    let text: String = diags
        .iter()
        .map(|d| d.render(&sources, 100, false))
        .collect::<Vec<_>>()
        .join("\n");
    (text, diags.iter().map(|d| d.code).collect())
}

#[test]
fn every_framework_diagnostic_has_a_fixture_and_a_snapshot() {
    let dir = Path::new("tests/fixtures/diagnostics");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "grille"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "fixtures are there");
    // Every fixture is checked even when one fails, and all failures are
    // listed: a failing fixture does not hide the others.
    let mut failed = Vec::new();
    for f in files {
        let stem = f.file_stem().expect("stem").to_string_lossy().to_string();
        let run = std::panic::catch_unwind(|| check_fixture(&stem));
        if run.is_err() {
            failed.push(stem);
        }
    }
    assert!(failed.is_empty(), "fixtures failing: {failed:?}");
}

/// One fixture: it reports its code, and its rendering matches its snapshot.
fn check_fixture(stem: &str) {
    // AREA__NAME, or AREA__NAME.VARIANT for a second fixture of one code.
    let (area, name) = stem.split_once("__").expect("fixture names are AREA__NAME");
    let name = name.split('.').next().unwrap_or(name);
    let code = format!("grille::{area}::{name}");
    let rel = format!("tests/fixtures/diagnostics/{stem}.grille");
    let (text, codes) = render_check(&rel);
    assert!(
        codes.contains(&code.as_str()),
        "{rel} should report {code}, got {codes:?}\n{text}"
    );
    insta::assert_snapshot!(stem, text);
}

/// Data and evaluation diagnostics are rendered over the data file.
fn eval_stderr(framework: &str, tables: &[(&str, &str)], extra: &[&str]) -> (String, Option<i32>) {
    let mut files = vec![("f.grille", framework)];
    let names: Vec<String> = tables.iter().map(|(l, _)| format!("{l}.csv")).collect();
    for ((_, t), n) in tables.iter().zip(&names) {
        files.push((n, t));
    }
    let dir = TempDir::new(&files);
    let mut args = vec!["eval".to_string(), "f.grille".into()];
    for ((l, _), n) in tables.iter().zip(&names) {
        args.push("--data".into());
        args.push(format!("{l}={n}"));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = grille(dir.path(), &a);
    (
        String::from_utf8_lossy(&out.stderr).to_string(),
        out.status.code(),
    )
}

const SITES: &str = r#"framework t {
  title "T"
  languages en, fr
}

level site { label "Site" }
level member { within site  label "Member" }

questions at site {
  staff: number
  women: number
  men: number
}

questions at member {
  status: choice { worker fr "Salarié" en "Worker", volunteer fr "Bénévole" en "Volunteer" }
  hours: number range 0..100
  wt: number
}

rule split at site {
  check women + men <= staff
  message en "Women + men exceed the staff" fr "Femmes + hommes dépasse l'effectif"
  severity error
}

indicator volunteers {
  at site
  value share(status == "volunteer")
  unit "%"
}

indicator hours_per_staff {
  at site
  value sum(hours) / staff
  normalize minmax
}

dimension d { use volunteers  use hours_per_staff }
"#;

#[test]
fn data_diagnostics_point_at_cells() {
    let sites = "site,staff,women,men,notes\nS1,4,2,2,ok\nS2,3,2,2,\nS3,0,0,0,\n";
    let members = "member,site,status,hours\nm1,S1,worker,12\nm2,S1,volonteer,x\nm3,S9,worker,5\nm1,S2,worker,500\nm5,S3,Bénévole,\n";
    let (text, code) = eval_stderr(SITES, &[("site", sites), ("member", members)], &[]);
    assert_eq!(code, Some(0));
    for c in [
        "grille::data::unknown_option",
        "grille::data::bad_value",
        "grille::data::unknown_parent",
        "grille::data::duplicate_key",
        "grille::data::out_of_range",
        "grille::data::rule_failed",
        "grille::data::missing_column",
        "grille::data::ignored_columns",
        "grille::eval::division_by_zero",
    ] {
        assert!(text.contains(c), "missing {c}:\n{text}");
    }
    insta::assert_snapshot!("data_diagnostics", text);
}

#[test]
fn strict_fails_on_data_errors() {
    let sites = "site,staff,women,men\nS1,4,2,2\n";
    let members = "member,site,status,hours,wt\nm1,S1,worker,x,1\n";
    let (_, code) = eval_stderr(
        SITES,
        &[("site", sites), ("member", members)],
        &["--strict"],
    );
    assert_eq!(code, Some(3));
    let (_, code) = eval_stderr(SITES, &[("site", sites), ("member", members)], &[]);
    assert_eq!(code, Some(0));
}

#[test]
fn required_answers_fail_the_run() {
    let fw = r#"framework t { title "T" }
level org { label "Org" }
questions at org { x: number required }
indicator i { at org value x normalize goalposts 0..10 }
dimension d { use i }
"#;
    let (text, code) = eval_stderr(fw, &[("org", "org,x\nA,\nB,2\n")], &[]);
    assert_eq!(code, Some(3));
    insta::assert_snapshot!("required_missing", text);
}

#[test]
fn weights_and_unmapped_values_are_reported() {
    let fw = r#"framework t { title "T" }
level org { label "Org" }
level person { within org label "Person" }
questions at person { x: number  w: number  n: scale 1..5 }
indicator wm { at org value mean(x weight w) normalize goalposts 0..10 }
indicator m { at person value n normalize map { 1: 0, 2: 50, 3: 100 } rollup mean }
dimension d { use wm }
"#;
    let (text, code) = eval_stderr(
        fw,
        &[(
            "person",
            "person,org,x,w,n\np1,A,1,1,1\np2,A,2,-1,5\np3,A,3,,2\n",
        )],
        &[],
    );
    assert_eq!(code, Some(0));
    assert!(text.contains("grille::eval::bad_weight"), "{text}");
    assert!(text.contains("grille::eval::unmapped_value"), "{text}");
    insta::assert_snapshot!("weights_and_mappings", text);
}

#[test]
fn scales_parents_and_tables() {
    let fw = r#"framework t { title "T" }
level terr { label "Territory" }
level org { within terr  label "Org" }
level person { within org  label "Person" }
questions at person { x: number }
indicator m { at org value mean(x) normalize minmax }
dimension d { use m }
"#;
    // No org table: orgs come from the person rows, with their territory.
    let people = "person,org,terr,x\np1,E1,T1,3\np2,E1,T2,3\np3,E2,T1,3\n";
    let (text, code) = eval_stderr(fw, &[("person", people)], &[]);
    assert_eq!(code, Some(0));
    assert!(text.contains("grille::data::conflicting_parent"), "{text}");
    assert!(text.contains("grille::eval::degenerate_scale"), "{text}");
    insta::assert_snapshot!("scales_and_parents", text);
    let dir = TempDir::new(&[("f.grille", fw), ("a.csv", people), ("b.csv", people)]);
    let out = grille(
        dir.path(),
        &[
            "eval",
            "f.grille",
            "--data",
            "person=a.csv",
            "--data",
            "person=b.csv",
        ],
    );
    // A mistake in the command, not in the data: exit 2, both files named.
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("two tables") && text.contains("a.csv") && text.contains("b.csv"),
        "{text}"
    );
}

#[test]
fn table_shapes_and_number_conventions() {
    let fw = r#"framework t { title "T" }
level org { label "Org" }
questions at org { budget: number  staff: number }
indicator b { at org value budget normalize goalposts 0..100000 }
indicator s { at org value staff normalize goalposts 0..10 }
dimension d { use b  use s }
"#;
    // `27.108` with nothing else deciding, a header written `Staff `, and
    // the header row pasted again into the data.
    let orgs = "org;budget;Staff \nA;27.108;4\norg;budget;Staff \nB;4;3\n";
    let (text, code) = eval_stderr(fw, &[("org", orgs)], &[]);
    assert_eq!(code, Some(0), "{text}");
    for c in [
        "grille::data::ambiguous_number",
        "grille::data::repeated_header",
    ] {
        assert!(text.contains(c), "missing {c}:\n{text}");
    }
    insta::assert_snapshot!("table_shapes", text);
    // One question in two columns.
    let (text, code) = eval_stderr(fw, &[("org", "org,budget,staff,staff\nA,1,2,3\n")], &[]);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("grille::data::duplicate_column"), "{text}");
    insta::assert_snapshot!("duplicate_column", text);
}
