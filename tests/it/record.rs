//! The record round trip as a user runs it in an engine grille does not
//! drive: `grille sql --record` run in DuckDB and in Spark by
//! `tests/sql/*_run.py`, its rows read back by `grille eval --record`
//! (again while disclosure control asks for it, exit 4), and every output
//! format compared with the in-memory run, `min_group` included.

use crate::sql::small_sql;
use crate::sql::{
    Case, conformance_cases, data_args, own_cases, python_has, run_ok, same_output, shipped_cases,
};
use crate::support::{SOURCE_DATE_EPOCH, external, fixture, grille, root};
use std::path::{Path, PathBuf};
use std::process::Command;

const FORMATS: [&str; 3] = ["json", "csv", "md"];

/// Writes a case's schema, record and typed tables into a fresh folder,
/// with `eval.json`: the commands that read the record back, one per
/// format, the first (JSON) the one run again while it exits 4.
fn prepare(c: &Case, dialect: &str, work: &Path) -> PathBuf {
    let dir = work.join(c.name.replace('#', "_")).join(dialect);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("out")).expect("work folder");
    let fw = c.framework.as_str();
    let sql = |what: &[&str]| {
        let mut args = vec!["sql", fw, "--dialect", dialect];
        args.extend(what);
        run_ok(&c.dir, &args)
    };
    std::fs::write(dir.join("schema.sql"), sql(&["--schema"])).expect("schema");
    // The exported tables keep the files' row order in `_row`.
    let record = sql(&["--record", "--order", "row"]);
    std::fs::write(dir.join("record.sql"), record).expect("record");
    let d = dir.display().to_string();
    let mut args = vec!["sql", fw, "--export", &d];
    args.extend(data_args(c));
    run_ok(&c.dir, &args);
    let runs: Vec<Vec<String>> = FORMATS
        .iter()
        .map(|f| {
            let mut cmd = vec![env!("CARGO_BIN_EXE_grille"), "eval", fw, "--format", f];
            cmd.extend(data_args(c));
            let mut cmd: Vec<String> = cmd.into_iter().map(String::from).collect();
            for (flag, file) in [
                ("--record", "record.json".to_string()),
                ("--hidden", "grille_hidden.csv".to_string()),
                ("--out", format!("out/result.{f}")),
            ] {
                cmd.push(flag.into());
                cmd.push(dir.join(file).display().to_string());
            }
            cmd
        })
        .collect();
    let plan = serde_json::json!({ "cwd": c.dir, "runs": runs });
    std::fs::write(dir.join("eval.json"), plan.to_string()).expect("eval.json");
    dir
}

/// Compares what the record gave in every format with the in-memory run;
/// returns how many JSON values were compared.
fn compare(c: &Case, dir: &Path) -> usize {
    let mut values = 0;
    for format in FORMATS {
        let mut args = vec!["eval", c.framework.as_str(), "--format", format];
        args.extend(data_args(c));
        let memory = run_ok(&c.dir, &args);
        let got = std::fs::read_to_string(dir.join(format!("out/result.{format}")))
            .unwrap_or_else(|e| panic!("{}: result.{format}: {e}", c.name));
        values += same_output(&c.name, format, &memory, &got);
    }
    values
}

/// Without `min_group` one run of the record is the last. c06 hides B's
/// share (fewer respondents than its `min_group 3`) and, so that it
/// cannot be worked out from the region's, A's as well (complementary):
/// the first run, masking nothing, must be followed by a second that
/// masks both, and only them.
fn runs_as_expected(c: &Case, dir: &Path) {
    let runs = runs_of(dir);
    if !c.name.starts_with("c06_disclosure") {
        if !std::fs::read_to_string(c.dir.join(&c.framework)).is_ok_and(|t| t.contains("min_group"))
        {
            assert_eq!(runs, 1, "{}: runs of the record", c.name);
        }
        return;
    }
    assert_eq!(runs, 2, "{}: runs of the record", c.name);
    let hidden = std::fs::read_to_string(dir.join("grille_hidden.csv")).expect("hidden");
    let totals: Vec<&str> = hidden.lines().filter(|l| l.contains(",-1,")).collect();
    assert_eq!(totals, ["0,1,-1,0,A", "0,1,-1,0,B"], "{hidden}");
}

/// Every case of the differential tests, and with `shipped` both shipped
/// frameworks' (VISES on its example data and their test files).
fn cases(shipped: bool) -> Vec<Case> {
    let all = conformance_cases().into_iter().chain(own_cases());
    match shipped {
        true => all.chain(shipped_cases()).collect(),
        false => all.collect(),
    }
}

/// Runs a script over folders; fails with its error output.
pub(crate) fn script(name: &str, dirs: &[PathBuf]) {
    let o = Command::new("python3")
        .arg(root().join("tests/sql").join(name))
        .args(dirs)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Prepares, runs and compares cases in one engine; returns how many JSON
/// values were compared and each case's folder.
pub(crate) fn run_cases(
    engine: &str,
    cases: &[Case],
    run: &dyn Fn(&[PathBuf]),
) -> (usize, Vec<PathBuf>) {
    let work = root().join("target/sql-tests/record").join(engine);
    let dirs: Vec<PathBuf> = cases.iter().map(|c| prepare(c, engine, &work)).collect();
    run(&dirs);
    let values = cases.iter().zip(&dirs).map(|(c, d)| compare(c, d)).sum();
    (values, dirs)
}

/// How many runs of the record a case's folder took to settle.
pub(crate) fn runs_of(dir: &Path) -> usize {
    let runs = std::fs::read_to_string(dir.join("runs")).expect("runs");
    runs.trim().parse().expect("a number of runs")
}

/// Prepares, runs and compares every case in one engine.
fn round_trip(engine: &str, cases: Vec<Case>, run: &dyn Fn(&[PathBuf])) {
    let (values, dirs) = run_cases(engine, &cases, run);
    for (c, d) in cases.iter().zip(&dirs) {
        runs_as_expected(c, d);
    }
    eprintln!(
        "the record in {engine}: {} cases, {values} JSON values compared",
        cases.len()
    );
    assert!(cases.len() >= 11, "only {} cases", cases.len());
    assert!(
        cases.iter().any(|c| c.name.starts_with("c06_disclosure")),
        "a case with min_group"
    );
}

#[test]
fn the_record_of_a_small_framework() {
    insta::assert_snapshot!(
        "sql_record_small_postgres",
        small_sql(&["--dialect", "postgres", "--record"])
    );
}

/// c06 with a record given as JSON lines but no `--hidden`: the masking
/// cannot be carried between runs, a usage error. A line that is not an
/// object, or a row naming no unit, is named by its file and line (blank
/// lines are skipped but counted); `--record` with `--engine` is refused.
#[test]
fn a_record_read_back_without_what_it_needs_is_refused() {
    let dir = crate::support::TempDir::new(&[
        ("rows.json", "\n[1]\n"),
        ("unit.json", "{\"_l\": 0, \"_q\": 0}\n"),
    ]);
    let file = |f: &str| dir.path().join(f).display().to_string();
    let (rows, unit, hidden) = (file("rows.json"), file("unit.json"), file("hidden.csv"));
    let c06 = fixture("conformance/c06_disclosure");
    let run = |extra: &[&str]| {
        let mut args = vec!["eval", "framework.grille", "--data", "org=org.csv"];
        args.extend(["--data", "person=person.csv"]);
        args.extend(extra);
        let o = grille(&c06, &args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        (o.status.code(), err)
    };
    let (code, err) = run(&["--record", &rows]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("say `--hidden FILE`"), "{err}");
    let (code, err) = run(&["--record", &rows, "--hidden", &hidden]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("rows.json, line 2: "), "{err}");
    assert!(err.contains("not a JSON object"), "{err}");
    let (code, err) = run(&["--record", &unit, "--hidden", &hidden]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("unit.json, line 1: a row of the record"),
        "{err}"
    );
    assert!(!dir.path().join("hidden.csv").exists(), "nothing written");
    let (code, _) = run(&["--record", &rows, "--engine", "postgres://nowhere"]);
    assert_eq!(code, Some(2));
}

#[test]
fn the_record_in_duckdb_gives_every_result() {
    let Some(()) = external(
        python_has("duckdb"),
        "DuckDB (Python)",
        "pip install duckdb",
    ) else {
        return;
    };
    round_trip("duckdb", cases(true), &|dirs| {
        for d in dirs {
            script("duckdb_run.py", std::slice::from_ref(d));
        }
    });
}

#[test]
fn the_record_in_spark_gives_every_result() {
    let Some(()) = external(
        python_has("pyspark"),
        "Spark (pyspark)",
        "pip install pyspark",
    ) else {
        return;
    };
    // The shipped frameworks too: VISES's statement (59 CTEs, each level's
    // values in one chain) plans in Spark since each level's chain is read
    // once by the result (see docs/sql.md). One Spark session for every
    // case: starting one takes seconds.
    round_trip("spark", cases(true), &|dirs| script("spark_run.py", dirs));
}
