//! The SQL runner: `grille sql` compiles a framework to one query, and the
//! differential test runs it in real engines (DuckDB, PostgreSQL) on the
//! typed tables of the same data, comparing every field with the
//! in-memory `eval --format csv`: numbers to 1e-9 relative, the rest
//! exactly. Frameworks the compiler does not write yet must say so with
//! `grille::sql::unsupported`, and are listed here with the construct.

use crate::support::{external, fixture, grille, root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One evaluation to compare: a folder, its framework and `--data` specs.
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) dir: PathBuf,
    pub(crate) framework: String,
    pub(crate) data: Vec<String>,
}

/// Every `eval` of the conformance cases that succeeds.
pub(crate) fn conformance_cases() -> Vec<Case> {
    let mut out = Vec::new();
    let base = fixture("conformance");
    let mut dirs: Vec<_> = std::fs::read_dir(&base)
        .expect("conformance fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).expect("case"))
                .expect("case.json");
        for (k, run) in case["runs"].as_array().expect("runs").iter().enumerate() {
            let args: Vec<&str> = run["args"]
                .as_array()
                .expect("args")
                .iter()
                .map(|a| a.as_str().expect("arg"))
                .collect();
            if args.first() != Some(&"eval") || run["exit"] != 0 {
                continue;
            }
            let data = args
                .windows(2)
                .filter(|w| w[0] == "--data")
                .map(|w| w[1].to_string())
                .collect();
            out.push(Case {
                name: format!("{}#{k}", dir.file_name().unwrap().to_string_lossy()),
                dir: dir.clone(),
                framework: args[1].to_string(),
                data,
            });
        }
    }
    out
}

/// The project's own evaluations beside the conformance cases: the
/// quickstart and tutorial examples, a framework written to use every
/// construct the compiler writes (`tests/fixtures/sql/rich`), and one
/// whose aggregates fill several passes over the same rows, some reading
/// others (`tests/fixtures/sql/passes`).
pub(crate) fn own_cases() -> Vec<Case> {
    let case = |name: &str, dir: PathBuf, fw: &str, data: &[&str]| Case {
        name: name.to_string(),
        dir,
        framework: fw.to_string(),
        data: data.iter().map(|d| d.to_string()).collect(),
    };
    let ex = root().join("examples");
    vec![
        case(
            "rich",
            fixture("sql/rich"),
            "framework.grille",
            &["org=org.csv", "person=person.csv"],
        ),
        case(
            "passes",
            fixture("sql/passes"),
            "framework.grille",
            &["org=org.csv", "person=person.csv"],
        ),
        case(
            "quickstart",
            ex.join("quickstart"),
            "framework.grille",
            &["entreprise=entreprise.csv", "personne=personne.csv"],
        ),
        case(
            "tutorial",
            ex.join("tutorial"),
            "first.grille",
            &["personnes.csv"],
        ),
        case(
            "tutorial-adapted",
            ex.join("tutorial"),
            "adapted.grille",
            &["personnes-quartier.csv"],
        ),
    ]
}

/// What the compiler refuses today, by conformance folder: the construct
/// its message names.
const UNSUPPORTED: &[(&str, &str)] = &[("c06_disclosure", "`min_group` (disclosure control)")];

/// The construct a case is listed as refused for.
fn listed(case: &str) -> Option<&'static str> {
    let folder = case.split('#').next().unwrap_or(case);
    UNSUPPORTED
        .iter()
        .find(|(n, _)| *n == folder)
        .map(|(_, c)| *c)
}

pub(crate) fn run_ok(dir: &Path, args: &[&str]) -> String {
    let o = grille(dir, args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "grille {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8")
}

pub(crate) fn data_args(c: &Case) -> Vec<&str> {
    c.data.iter().flat_map(|d| ["--data", d.as_str()]).collect()
}

/// The in-memory tidy result, without its header.
fn in_memory(c: &Case) -> Vec<Vec<String>> {
    let mut args = vec!["eval", c.framework.as_str(), "--format", "csv"];
    args.extend(data_args(c));
    parse_csv(&run_ok(&c.dir, &args), true)
}

fn parse_csv(text: &str, header: bool) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(header)
        .from_reader(text.as_bytes());
    r.records()
        .map(|x| x.expect("a CSV record").iter().map(String::from).collect())
        .collect()
}

/// Writes the typed tables, the schema and the query of a case into a
/// fresh folder; `None` when the compiler refuses the framework (its
/// message is returned instead).
fn prepare(c: &Case, dialect: &str, work: &Path) -> Result<PathBuf, String> {
    let dir = work.join(c.name.replace('#', "_")).join(dialect);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("work folder");
    let q = grille(
        &c.dir,
        &["sql", &c.framework, "--dialect", dialect, "--order", "row"],
    );
    if q.status.code() != Some(0) {
        return Err(String::from_utf8_lossy(&q.stderr).into_owned());
    }
    std::fs::write(dir.join("query.sql"), &q.stdout).expect("query");
    if dialect == "postgres" {
        let args = ["sql", &c.framework, "--order", "row", "--staged"];
        std::fs::write(dir.join("staged.sql"), run_ok(&c.dir, &args)).expect("script");
    }
    let schema = run_ok(
        &c.dir,
        &["sql", &c.framework, "--dialect", dialect, "--schema"],
    );
    std::fs::write(dir.join("schema.sql"), schema).expect("schema");
    let mut args = vec!["sql", c.framework.as_str(), "--export"];
    let d = dir.to_string_lossy().into_owned();
    args.push(&d);
    args.extend(data_args(c));
    run_ok(&c.dir, &args);
    Ok(dir)
}

fn is_number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Compares the engine's rows with the in-memory ones, every column.
fn compare(case: &str, engine: &str, want: &[Vec<String>], got: &[Vec<String>]) {
    assert_eq!(
        want.len(),
        got.len(),
        "{case} in {engine}: {} rows in memory, {} in SQL\n{got:?}",
        want.len(),
        got.len()
    );
    for (r, (w, g)) in want.iter().zip(got).enumerate() {
        assert_eq!(w.len(), g.len(), "{case} in {engine}, row {r}: columns");
        for (k, (a, b)) in w.iter().zip(g).enumerate() {
            let same = match (is_number(a), is_number(b)) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-300),
                _ => a == b,
            };
            assert!(
                same,
                "{case} in {engine}, row {r} ({}), column {k}: in memory `{a}`, in SQL `{b}`",
                w[..6].join(",")
            );
        }
    }
}

pub(crate) fn python_has(module: &str) -> Option<()> {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(())
}

/// Runs every case in one engine; returns how many were compared.
fn differential(engine: &str, dialect: &str, run: &dyn Fn(&Path) -> String) -> usize {
    let work = root().join("target/sql-tests").join(engine);
    let mut compared = 0;
    for c in conformance_cases().into_iter().chain(own_cases()) {
        let want = in_memory(&c);
        match prepare(&c, dialect, &work) {
            Ok(dir) => {
                let got = parse_csv(&run(&dir), false);
                compare(&c.name, engine, &want, &got);
                assert!(
                    listed(&c.name).is_none(),
                    "{} now compiles: take it off UNSUPPORTED",
                    c.name
                );
                compared += 1;
            }
            Err(msg) => {
                let Some(construct) = listed(&c.name) else {
                    panic!(
                        "{} is refused and not listed as unsupported:\n{msg}",
                        c.name
                    )
                };
                assert!(
                    msg.contains("grille::sql::unsupported") && msg.contains(construct),
                    "{}: {msg}",
                    c.name
                );
            }
        }
    }
    compared
}

/// Runs a case's folder in DuckDB (`tests/sql/duckdb_run.py`); its rows as CSV.
fn duckdb(dir: &Path) -> String {
    let o = Command::new("python3")
        .arg(root().join("tests/sql/duckdb_run.py"))
        .arg(dir)
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "DuckDB on {}: {}",
        dir.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8")
}

#[test]
fn duckdb_computes_what_memory_computes() {
    let Some(()) = external(
        python_has("duckdb"),
        "DuckDB (Python)",
        "pip install duckdb",
    ) else {
        return;
    };
    let n = differential("duckdb", "duckdb", &duckdb);
    assert!(n >= 9, "only {n} cases compared");
}

#[test]
fn spark_computes_what_memory_computes() {
    let Some(()) = external(
        python_has("pyspark"),
        "Spark (pyspark)",
        "pip install pyspark",
    ) else {
        return;
    };
    let work = root().join("target/sql-tests/spark");
    // One Spark session for every case: starting one takes seconds.
    let mut ready = Vec::new();
    for c in conformance_cases().into_iter().chain(own_cases()) {
        match prepare(&c, "spark", &work) {
            Ok(dir) => ready.push((c, dir)),
            Err(msg) => assert!(
                listed(&c.name).is_some_and(|k| msg.contains(k)),
                "{}: {msg}",
                c.name
            ),
        }
    }
    // The data report's statement runs in the same session.
    let report = report_dir("spark");
    let o = Command::new("python3")
        .arg(root().join("tests/sql/spark_run.py"))
        .args(ready.iter().map(|(_, d)| d))
        .arg(&report)
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "Spark: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got = std::fs::read_to_string(report.join("result.csv")).expect("Spark's report");
    assert_eq!(got, REPORT, "the data report in Spark");
    for (c, dir) in &ready {
        let got = std::fs::read_to_string(dir.join("result.csv")).expect("Spark's result");
        compare(&c.name, "spark", &in_memory(c), &parse_csv(&got, false));
    }
    assert!(ready.len() >= 9, "only {} cases compared", ready.len());
}

/// Runs a case's folder in PostgreSQL with `psql`: the schema in a fresh
/// schema of its own, the tables copied in, then the statement in file
/// `query`; its rows as CSV.
fn psql(url: &str, dir: &Path, query: &str) -> String {
    let mut script = String::from(
        "\\set ON_ERROR_STOP 1\nDROP SCHEMA IF EXISTS grille_test CASCADE;\nCREATE SCHEMA grille_test;\nSET search_path TO grille_test;\n",
    );
    script.push_str(&std::fs::read_to_string(dir.join("schema.sql")).expect("schema"));
    let mut csvs: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    csvs.sort();
    for p in csvs {
        let t = p.file_stem().unwrap().to_string_lossy().into_owned();
        script.push_str(&format!(
            "\\copy \"{t}\" FROM '{}' WITH (FORMAT csv, HEADER true)\n",
            p.display()
        ));
    }
    script.push_str(&std::fs::read_to_string(dir.join(query)).expect("query"));
    let f = dir.join("run.psql");
    std::fs::write(&f, script).expect("script");
    let o = Command::new("psql")
        .args([url, "-X", "-q", "-t", "--csv", "-f"])
        .arg(&f)
        .output()
        .expect("psql runs");
    assert!(
        o.status.success(),
        "PostgreSQL on {}: {}",
        dir.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8")
}

/// The server of the external tests: `None` without `GRILLE_EXTERNAL`;
/// with it, a failure when no server is there.
pub(crate) fn pg_url() -> Option<String> {
    external(
        postgres(),
        "PostgreSQL (GRILLE_PG and psql)",
        ".ci/postgres",
    )
}

/// The server `.ci/run` started (`GRILLE_PG`), with `psql`.
pub(crate) fn postgres() -> Option<String> {
    let url = std::env::var("GRILLE_PG").ok()?;
    let ok = Command::new("psql").arg("--version").output().is_ok();
    ok.then_some(url)
}

#[test]
fn postgres_computes_what_memory_computes() {
    let Some(url) = pg_url() else {
        return;
    };
    // The staged script (`--staged`) gives the same rows as the statement
    // (numbers to the same tolerance: sums may be taken in another order).
    let n = differential("postgres", "postgres", &|dir| {
        let one = psql(&url, dir, "query.sql");
        let staged = parse_csv(&psql(&url, dir, "staged.sql"), false);
        let case = dir.display().to_string();
        compare(
            &case,
            "PostgreSQL, staged",
            &parse_csv(&one, false),
            &staged,
        );
        one
    });
    assert!(n >= 9, "only {n} cases compared");
}

/// A small framework, to show what the compiler writes in each dialect.
pub(crate) const SMALL: &str = "framework small {\n  title en \"Small\"\n  languages en\n}\n\nlevel org { label en \"Org\" }\nlevel person { within org  label en \"Person\" }\n\nquestions at person {\n  trust: scale 1..5\n  age: number\n}\n\nindicator trust_share {\n  at org\n  value share(trust >= 4 where age >= 25)\n  normalize goalposts 0%..100%\n}\n\ndimension people {\n  use trust_share\n}\n";

pub(crate) fn small_sql(args: &[&str]) -> String {
    let dir = root().join("target/sql-tests/small");
    std::fs::create_dir_all(&dir).expect("folder");
    // Tests run at once share this file: written apart, then renamed into
    // place, it is never seen half written (one test read it empty while
    // another was writing it).
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let part = dir.join(format!("small.grille.{}-{k}", std::process::id()));
    std::fs::write(&part, SMALL).expect("framework");
    std::fs::rename(&part, dir.join("small.grille")).expect("framework in place");
    let mut all = vec!["sql", "small.grille"];
    all.extend(args);
    run_ok(&dir, &all)
}

#[test]
fn the_query_in_each_dialect() {
    for d in ["postgres", "duckdb", "spark"] {
        insta::assert_snapshot!(format!("sql_small_{d}"), small_sql(&["--dialect", d]));
        insta::assert_snapshot!(
            format!("sql_schema_{d}"),
            small_sql(&["--dialect", d, "--schema"])
        );
    }
}

/// `--staged`: each CTE becomes a temporary table, in one transaction,
/// before the final select.
#[test]
fn the_staged_script_for_postgres() {
    let st = small_sql(&["--staged"]);
    insta::assert_snapshot!("sql_small_postgres_staged", st);
    let one = small_sql(&[]);
    // As many tables as the statement has CTEs.
    let ctes = one.lines().filter(|l| l.ends_with(" AS (")).count();
    assert!(ctes > 5, "{one}");
    assert_eq!(st.matches("CREATE TEMPORARY TABLE ").count(), ctes, "{st}");
    assert!(
        st.starts_with("BEGIN;\n") && st.ends_with(";\nCOMMIT;\n"),
        "{st}"
    );
    // The other dialects plan the one statement well.
    let dir = root().join("target/sql-tests/small");
    let o = grille(
        &dir,
        &["sql", "small.grille", "--staged", "--dialect", "duckdb"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--dialect postgres"));
    // A table named like a step would be hidden by it: refused.
    let o = grille(
        &dir,
        &["sql", "small.grille", "--staged", "--table", "person=b0"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("name the table with `--table`"));
    // Named apart, or schema-qualified, it is read as usual.
    let q = small_sql(&["--staged", "--table", "person=survey.b0"]);
    assert!(q.contains("FROM \"survey\".\"b0\""), "{q}");
}

#[test]
fn tables_are_named_and_levels_chosen() {
    let q = small_sql(&["--table", "person=survey.people", "--level", "org"]);
    assert!(q.contains("FROM \"survey\".\"people\""), "{q}");
    assert!(!q.contains("FROM \"person\""), "{q}");
    // Only the org level's rows: its units crossed with its two items
    // (one indicator, one dimension), read from the end of its chain.
    assert_eq!(q.matches("CROSS JOIN (SELECT 0 AS _it").count(), 1, "{q}");
    assert_eq!(q.matches("THEN 'indicator'").count(), 1, "{q}");
    assert_eq!(q.matches("THEN 'dimension'").count(), 1, "{q}");
    assert!(q.contains("FROM z3_0 AS r CROSS JOIN"), "{q}");
    let o = grille(
        &root(),
        &[
            "sql",
            "examples/quickstart/framework.grille",
            "--table",
            "nowhere=x",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("the framework's levels are territoire, entreprise, personne")
    );
}

/// A top level without questions is made from the parents its finer table
/// names, unless `--table` names its own table: then its units are read
/// from there, so one with no rows below it is still a unit (a count of
/// 0), as in memory. (`eval --engine` does this for every table it is
/// given; the inline cases compare it with memory under GRILLE_EXTERNAL.)
#[test]
fn a_top_level_is_read_from_its_table_when_named() {
    let schema = small_sql(&["--schema"]);
    assert!(!schema.contains("CREATE TABLE \"org"), "{schema}");
    let schema = small_sql(&["--schema", "--table", "org=orgs"]);
    assert!(
        schema.contains("CREATE TABLE \"orgs\" (\n  \"org\" TEXT,\n  \"_row\" BIGINT\n);"),
        "{schema}"
    );
    assert!(!small_sql(&[]).contains("FROM \"orgs\""));
    assert!(small_sql(&["--table", "org=orgs"]).contains("FROM \"orgs\""));
}

#[test]
fn what_cannot_be_written_is_refused_at_the_line() {
    let o = grille(
        &fixture("conformance/c06_disclosure"),
        &["sql", "framework.grille", "--dialect", "spark"],
    );
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("sql_unsupported", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn exported_tables_hold_what_grille_read() {
    let work = root().join("target/sql-tests/export");
    let _ = std::fs::remove_dir_all(&work);
    let w = work.to_string_lossy().into_owned();
    let dir = fixture("sql/rich");
    run_ok(
        &dir,
        &[
            "sql",
            "framework.grille",
            "--data",
            "org=org.csv",
            "--data",
            "person=person.csv",
            "--export",
            &w,
        ],
    );
    let org = std::fs::read_to_string(work.join("org.csv")).expect("org table");
    // 55% is the fraction 0.55; a missing answer is an empty field; rows
    // are numbered in the file's order.
    assert!(
        org.starts_with(
            "org,region,org_name,_row,staff,local,sector,founded\nA,N,Épicerie A,1,12,0.55,food,1995-03-01\n"
        ),
        "{org}"
    );
    assert!(org.contains("\nD,S,Bâtir D,4,,,food,\n"), "{org}");
    // A name with a comma is quoted; a unit without one has an empty field.
    assert!(org.contains("\nB,N,\"Soins, B\",2,"), "{org}");
    assert!(org.contains("\nC,S,,3,"), "{org}");
    let person = std::fs::read_to_string(work.join("person.csv")).expect("person table");
    // Out-of-range cells (age 150, trust 9) are missing, as in memory.
    assert!(
        person.contains("\np12,E,12,,20,,false,1,en,false,\n"),
        "{person}"
    );
    // Ticked options in the options' order; an unknown one makes the cell missing.
    assert!(
        person.contains("\np4,A,4,51,40,4,true,2,fr nl en,true,\n"),
        "{person}"
    );
    assert!(
        person.contains("\np8,C,8,38,45,4,true,3,,true,6\n"),
        "{person}"
    );
}

/// The data report's counts, worked out by hand for typed tables holding
/// what a user might load: a value out of range, a fraction where whole
/// numbers are asked, an unknown option or code, empty cells, an empty
/// text (nothing ticked), a repeated key and an unknown parent (neither
/// used), and a question asked only to some.
const REPORT: &str = "\
org,,3,3,,,,
org,size,,,1,1,1,
person,,7,5,,,,
person,age,,,2,1,2,
person,kind,,,3,1,1,
person,langs,,,4,0,1,
person,pet,,,1,0,0,4
";

fn report_dir(dialect: &str) -> PathBuf {
    let dir = root().join("target/sql-tests/report").join(dialect);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let src = fixture("sql/report");
    for f in ["org.csv", "person.csv"] {
        std::fs::copy(src.join(f), dir.join(f)).expect("table");
    }
    let q = run_ok(
        &src,
        &[
            "sql",
            "framework.grille",
            "--dialect",
            dialect,
            "--data-report",
            "--order",
            "row",
        ],
    );
    std::fs::write(dir.join("query.sql"), q).expect("query");
    let schema = run_ok(
        &src,
        &["sql", "framework.grille", "--dialect", dialect, "--schema"],
    );
    std::fs::write(dir.join("schema.sql"), schema).expect("schema");
    dir
}

#[test]
fn the_data_report_counts_in_duckdb() {
    let Some(()) = external(
        python_has("duckdb"),
        "DuckDB (Python)",
        "pip install duckdb",
    ) else {
        return;
    };
    assert_eq!(duckdb(&report_dir("duckdb")), REPORT);
}

#[test]
fn the_data_report_counts_in_postgres() {
    let Some(url) = pg_url() else {
        return;
    };
    assert_eq!(psql(&url, &report_dir("postgres"), "query.sql"), REPORT);
}

#[test]
fn eval_engine_writes_what_memory_writes() {
    let Some(url) = pg_url() else {
        return;
    };
    let (mut compared, mut values) = (0, 0);
    // `min_group`, refused by `grille sql`, is run here: grille decides
    // what disclosure control hides between runs of the record.
    let all = conformance_cases()
        .into_iter()
        .chain(own_cases())
        .chain(shipped_cases());
    for c in all {
        values += engine_agrees(&c, &url);
        compared += 1;
    }
    eprintln!("eval --engine: {compared} cases, {values} JSON values compared");
    assert!(compared >= 16, "only {compared} cases compared");
}

/// A level whose table is named like a step of the statement (`b0`, the
/// units of the first level) cannot have its steps computed as temporary
/// tables of their names: `eval --engine` runs the one statement instead,
/// and `grille sql --staged` refuses (exit 2, in the_staged_script…).
#[test]
fn a_table_named_like_a_step_is_run_as_one_statement() {
    let Some(url) = pg_url() else {
        return;
    };
    let dir = root().join("target/sql-tests/named-like-a-step");
    std::fs::create_dir_all(&dir).expect("folder");
    let fw = SMALL
        .replace("level org", "level b1")
        .replace("within org", "within b1")
        .replace("at org", "at b1")
        .replace("level person", "level b0")
        .replace("at person", "at b0");
    std::fs::write(dir.join("fw.grille"), fw).expect("framework");
    let rows = "b0,b1,trust,age\np1,o1,5,30\np2,o1,2,40\np3,o2,4,20\np4,o2,5,50\np5,o2,3,33\n";
    std::fs::write(dir.join("b0.csv"), rows).expect("table");
    let o = grille(&dir, &["sql", "fw.grille", "--staged"]);
    assert_eq!(o.status.code(), Some(2), "a hidden table is refused");
    let c = Case {
        name: "named-like-a-step".into(),
        dir,
        framework: "fw.grille".into(),
        data: vec!["b0=b0.csv".into()],
    };
    assert!(engine_agrees(&c, &url) > 10);
}

/// Asserts `eval --engine URL` equal to the in-memory run in CSV, JSON and
/// Markdown; returns how many JSON values were compared.
pub(crate) fn engine_agrees(c: &Case, url: &str) -> usize {
    let mut values = 0;
    for format in ["csv", "json", "md"] {
        let mut args = vec!["eval", c.framework.as_str(), "--format", format];
        args.extend(data_args(c));
        let memory = run_ok(&c.dir, &args);
        args.extend(["--engine", url]);
        values += same_output(&c.name, format, &memory, &run_ok(&c.dir, &args));
    }
    values
}

/// The shipped frameworks on data: VISES on its example files (two
/// rounds), and every case of `frameworks/*.test.toml`, its inline
/// tables written out as files.
pub(crate) fn shipped_cases() -> Vec<Case> {
    let ex = root().join("examples/vises");
    let vises = |name: &str, dir: PathBuf| Case {
        name: name.to_string(),
        dir,
        framework: root().join("frameworks/vises.grille").display().to_string(),
        data: vec![
            "entreprise=entreprises.csv".into(),
            "personne=personnes.csv".into(),
        ],
    };
    let mut out = vec![
        vises("vises", ex.clone()),
        vises("vises-2021", ex.join("2021")),
    ];
    let work = root().join("target/sql-tests/shipped");
    for file in ["vises", "vises-hauts-de-france"] {
        let path = root().join(format!("frameworks/{file}.test.toml"));
        let text = std::fs::read_to_string(&path).expect("a test file");
        let doc: toml::Value = toml::from_str(&text).expect("TOML");
        let cases = doc["case"].as_array().expect("cases");
        for (k, case) in cases.iter().enumerate() {
            let dir = work.join(format!("{file}-{k}"));
            std::fs::create_dir_all(&dir).expect("a work folder");
            let mut data = Vec::new();
            for (level, table) in case["data"].as_table().expect("data") {
                let name = format!("{level}.csv");
                std::fs::write(dir.join(&name), table.as_str().expect("inline CSV"))
                    .expect("written");
                data.push(format!("{level}={name}"));
            }
            out.push(Case {
                name: format!("{file}.test.toml#{k}"),
                dir,
                framework: root()
                    .join(format!("frameworks/{file}.grille"))
                    .display()
                    .to_string(),
                data,
            });
        }
    }
    out
}

/// Asserts an engine's output equal to the in-memory run's: JSON value by
/// value (see [`same_json`], without the evaluation's warnings), other
/// formats line by line; returns how many JSON values were compared.
pub(crate) fn same_output(case: &str, format: &str, memory: &str, engine: &str) -> usize {
    if format != "json" {
        same_lines(case, format, memory, engine);
        return 0;
    }
    let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).expect("JSON");
    let (mut m, mut e) = (parse(memory), parse(engine));
    for v in [&mut m, &mut e] {
        without_eval_warnings(v);
    }
    same_json(case, "", &m, &e)
}

/// Asserts two outputs equal line by line, naming the first that differs;
/// a report's count of diagnostics may differ by the evaluation's
/// warnings (see [`without_eval_warnings`]).
fn same_lines(case: &str, format: &str, memory: &str, engine: &str) {
    let (m, e): (Vec<&str>, Vec<&str>) = (memory.lines().collect(), engine.lines().collect());
    assert_eq!(m.len(), e.len(), "{case}, --format {format}: line count");
    for (k, (a, b)) in m.iter().zip(&e).enumerate() {
        if a.starts_with("- Diagnostics:") && b.starts_with("- Diagnostics:") {
            continue;
        }
        if a == b {
            continue;
        }
        // The CSV's numbers at full precision: equal to 1e-9 relative
        // (a database's sums are not compensated).
        let (fa, fb): (Vec<&str>, Vec<&str>) = (a.split(',').collect(), b.split(',').collect());
        let close = format == "csv"
            && fa.len() == fb.len()
            && fa.iter().zip(&fb).all(|(x, y)| {
                x == y
                    || matches!((is_number(x), is_number(y)), (Some(p), Some(q))
                        if (p - q).abs() <= 1e-9 * p.abs().max(q.abs()))
            });
        assert!(
            close,
            "{case}, --format {format}, line {}:\n{a}\n{b}",
            k + 1
        );
    }
}

/// The run's own record (`engine`) and the evaluation's warnings (division
/// by zero, unusable weights, degenerate scales: counted by the in-memory
/// runner only, see docs/sql.md) are left out of the comparison.
fn without_eval_warnings(v: &mut serde_json::Value) {
    let o = v.as_object_mut().expect("a JSON object");
    o.remove("engine");
    if let Some(serde_json::Value::Array(d)) = o.get_mut("diagnostics") {
        d.retain(|x| {
            !x["code"]
                .as_str()
                .unwrap_or("")
                .starts_with("grille::eval::")
        });
    }
}

/// Asserts two JSON values equal, numbers to 1e-9 relative; returns how
/// many leaves were compared.
fn same_json(case: &str, at: &str, a: &serde_json::Value, b: &serde_json::Value) -> usize {
    use serde_json::Value as V;
    match (a, b) {
        (V::Object(x), V::Object(y)) => {
            let (kx, ky): (Vec<_>, Vec<_>) = (x.keys().collect(), y.keys().collect());
            assert_eq!(kx, ky, "{case}: keys at {at}");
            x.iter()
                .map(|(k, v)| same_json(case, &format!("{at}/{k}"), v, &y[k]))
                .sum()
        }
        (V::Array(x), V::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{case}: length at {at}");
            let items = x.iter().zip(y).enumerate();
            items
                .map(|(k, (u, v))| same_json(case, &format!("{at}/{k}"), u, v))
                .sum()
        }
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (x.as_f64().expect("f64"), y.as_f64().expect("f64"));
            let close = x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs());
            assert!(close, "{case}: at {at}, in memory {x}, in the engine {y}");
            1
        }
        _ => {
            assert_eq!(a, b, "{case}: at {at}");
            1
        }
    }
}

#[test]
fn eval_db_reads_tables_already_there() {
    let Some(url) = pg_url() else {
        return;
    };
    let c = own_cases()
        .into_iter()
        .find(|c| c.name == "rich")
        .expect("the rich case");
    let work = root().join("target/sql-tests/db");
    let dir = prepare(&c, "postgres", &work).expect("the rich framework compiles");
    // psql leaves the tables in the schema `grille_test`.
    psql(&url, &dir, "query.sql");
    let mut args = vec!["eval", c.framework.as_str(), "--format", "csv"];
    args.extend(data_args(&c));
    let memory = run_ok(&c.dir, &args);
    let db = [
        "eval",
        "framework.grille",
        "--format",
        "csv",
        "--db",
        url.as_str(),
        "--table",
        "org=grille_test.org",
        "--table",
        "person=grille_test.person",
    ];
    same_lines("rich --db", "csv", &memory, &run_ok(&c.dir, &db));
    // Every format: the JSON's results equal the in-memory run's. Its data
    // section is the database's counts and its diagnostics name units, not
    // file lines (the files were read when the tables were made).
    let mut json = db.to_vec();
    json[3] = "json";
    let got: serde_json::Value = serde_json::from_str(&run_ok(&c.dir, &json)).expect("JSON");
    let mut args = vec!["eval", c.framework.as_str(), "--format", "json"];
    args.extend(data_args(&c));
    let want: serde_json::Value = serde_json::from_str(&run_ok(&c.dir, &args)).expect("JSON");
    for key in ["framework", "definitions", "items", "levels", "results"] {
        same_json("rich --db", key, &want[key], &got[key]);
    }
    let person = &got["data"]["person"];
    assert_eq!(person["file"], "grille_test.person");
    assert_eq!(person["used"], want["data"]["person"]["used"]);
    let failed: Vec<&str> = got["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "grille::data::rule_failed")
        .map(|d| d["message"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    // A table or a column that is not there is named, exit 2.
    let mut wrong = db.to_vec();
    let last = wrong.len() - 1;
    wrong[last] = "person=grille_test.nowhere";
    let o = grille(&c.dir, &wrong);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no table `grille_test.nowhere` for level `person`"),
        "{err}"
    );
    wrong[last] = "person=grille_test.org";
    let o = grille(&c.dir, &wrong);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the table `grille_test.org` has no column `person`"),
        "{err}"
    );
    let o = grille(
        &c.dir,
        &[
            "eval",
            "framework.grille",
            "--format",
            "csv",
            "--db",
            "postgresql://nobody@127.0.0.1:1/none",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot reach the PostgreSQL server"));
    let o = grille(&c.dir, &["eval", "framework.grille", "--db", url.as_str()]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "JSON is not written from the database yet"
    );
}

/// A level's chain holds the columns of every item computed there, and
/// PostgreSQL computes at most 1,664 columns in one SELECT: a level with
/// 200 indicators (9 columns each) is refused for PostgreSQL at the
/// level, with what to do, and written for DuckDB; 150 fit.
#[test]
fn a_level_too_wide_for_postgres_is_refused() {
    let framework = |n: usize| {
        let mut f = String::from(
            "framework wide {\n  title en \"Wide\"\n  languages en\n}\n\nlevel org { label en \"Org\" }\nlevel person { within org  label en \"Person\" }\n\nquestions at person {\n  trust: scale 1..5\n}\n",
        );
        for k in 0..n {
            f.push_str(&format!(
                "\nindicator share{k} {{\n  at org\n  value share(trust >= {})\n}}\n",
                1 + k % 5
            ));
        }
        f
    };
    let dir = root().join("target/sql-tests/wide");
    std::fs::create_dir_all(&dir).expect("folder");
    std::fs::write(dir.join("wide.grille"), framework(200)).expect("framework");
    std::fs::write(dir.join("fits.grille"), framework(150)).expect("framework");
    let o = grille(&dir, &["sql", "wide.grille"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("grille::sql::unsupported"), "{err}");
    assert!(
        err.contains("level `org` with 1802 columns of values and scores (at most 1,600)"),
        "{err}"
    );
    let duckdb = run_ok(&dir, &["sql", "wide.grille", "--dialect", "duckdb"]);
    assert!(
        duckdb.contains("i199_0_st"),
        "the last indicator's status is computed"
    );
    let fits = run_ok(&dir, &["sql", "fits.grille"]);
    assert!(fits.contains("i149_0_st"));
}
