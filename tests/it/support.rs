//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture's path.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// The reports' date in every test: 2 December 2026, 00:00 UTC (day
/// 20 789), so that snapshots do not change with the day they run.
pub const SOURCE_DATE_EPOCH: &str = "1796169600";

/// Runs the `grille` binary in `dir` without colours.
pub fn grille(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grille"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the grille binary runs")
}

/// Runs `grille` from the crate's root, asserts it succeeds, and returns
/// its standard output.
#[track_caller]
/// `grille eval FRAMEWORK` in `dir` on its two tables `entreprise.csv`
/// and `personne.csv` (the layout of the quickstart and VISES examples).
pub fn eval_two_tables(dir: &Path, framework: &Path) -> Output {
    let fw = framework.to_str().expect("a UTF-8 path");
    grille(
        dir,
        &[
            "eval",
            fw,
            "--data",
            "entreprise=entreprise.csv",
            "--data",
            "personne=personne.csv",
        ],
    )
}

pub fn grille_ok(args: &[&str]) -> String {
    let o = grille(&root(), args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// Runs `grille` with text on standard input.
pub fn grille_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_grille"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the grille binary runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("the grille binary ends")
}

/// A temporary folder holding the given files, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(files: &[(&str, &str)]) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "grille-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("fixture written");
        }
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Evaluates a framework on CSV tables and returns the JSON result.
pub fn eval_json(framework: &str, tables: &[(&str, &str)]) -> serde_json::Value {
    let mut files = vec![("f.grille", framework)];
    let names: Vec<String> = tables.iter().map(|(l, _)| format!("{l}.csv")).collect();
    for ((_, t), n) in tables.iter().zip(&names) {
        files.push((n.as_str(), t));
    }
    let dir = TempDir::new(&files);
    let mut args = vec!["eval".to_string(), "f.grille".to_string()];
    for ((l, _), n) in tables.iter().zip(&names) {
        args.push("--data".into());
        args.push(format!("{l}={n}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = grille(dir.path(), &args);
    assert!(
        out.status.success(),
        "eval failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the result is JSON");
    validate_result(&doc);
    if let Some(url) = engine_url() {
        engine_agrees(&url, dir.path(), &args);
    }
    doc
}

/// Validates a result against `docs/result.schema.json`.
#[track_caller]
pub fn validate_result(doc: &serde_json::Value) {
    validate(doc, "result.schema.json");
}

/// Validates a document against a schema of `docs/`.
#[track_caller]
pub fn validate(doc: &serde_json::Value, file: &str) {
    let text = std::fs::read_to_string(root().join("docs").join(file)).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(file, schema).expect("schema added");
    let id = compiler
        .compile(file, &mut schemas)
        .expect("schema compiles");
    if let Err(e) = schemas.validate(doc, id) {
        let pretty = serde_json::to_string_pretty(doc).unwrap_or_default();
        panic!("the document does not follow docs/{file}: {e:#}\n{pretty}");
    }
}

/// `results.LEVEL[unit=UNIT]`
pub fn unit<'a>(doc: &'a serde_json::Value, level: &str, unit: &str) -> &'a serde_json::Value {
    doc["results"][level]
        .as_array()
        .unwrap_or_else(|| panic!("no level {level} in results"))
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap_or_else(|| panic!("no unit {unit} at {level}"))
}

/// Asserts two numbers agree to 1e-9 (relative).
#[track_caller]
pub fn close(got: &serde_json::Value, want: f64) {
    let g = got
        .as_f64()
        .unwrap_or_else(|| panic!("expected a number close to {want}, got {got}"));
    assert!(
        (g - want).abs() <= 1e-9 * want.abs().max(1.0),
        "expected {want}, got {g}"
    );
}

/// Evaluates through the library (no process, no files): CSV tables as text.
pub fn eval_lib(framework: &str, tables: &[(&str, &str)]) -> serde_json::Value {
    eval_lib_named("f.grille", framework, tables)
}

/// Evaluates a framework given as text under a file name, through the
/// library's workspace (so the result holds the hash the CLI computes).
pub fn eval_lib_named(name: &str, framework: &str, tables: &[(&str, &str)]) -> serde_json::Value {
    let mut ws = grille::workspace::Workspace::new();
    ws.check_text(name, framework)
        .unwrap_or_else(|_| panic!("the framework checks"));
    load_texts(&mut ws, tables);
    let lang = ws.framework().default_lang().to_string();
    let (_, diags) = ws.evaluate(&lang);
    let diags = diags.to_vec();
    let cx = ws.report_context(&lang, None);
    let doc = serde_json::from_str(&grille::report::json::result(
        &cx,
        &diags,
        &ws.sources,
        false,
    ))
    .expect("JSON");
    in_postgres_too(name, framework, tables);
    doc
}

/// The server the SQL runner's tests use, under `GRILLE_EXTERNAL=1`
/// (where its absence fails loudly); `None` otherwise.
fn engine_url() -> Option<String> {
    if !external_enabled() {
        return None;
    }
    crate::sql::pg_url()
}

/// Under `GRILLE_EXTERNAL=1`, a case evaluated through the library is also
/// evaluated by PostgreSQL (see [`engine_agrees`]), so that every
/// evaluation test with inline data is part of the differential test of
/// the SQL runner.
fn in_postgres_too(name: &str, framework: &str, tables: &[(&str, &str)]) {
    use std::hash::{Hash, Hasher};
    let Some(url) = engine_url() else {
        return;
    };
    // A folder of its own per call: tests running side by side may
    // evaluate the same case, and must not write each other's files.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (name, framework, tables).hash(&mut h);
    let dir = root().join(format!(
        "target/sql-tests/inline/{:016x}-{}-{call}",
        h.finish(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a work folder");
    // A framework read from a file keeps its folder, for what it extends.
    let fw = match Path::new(name).is_file() {
        true => root().join(name).display().to_string(),
        false => {
            std::fs::write(dir.join("f.grille"), framework).expect("written");
            "f.grille".to_string()
        }
    };
    let mut args = vec!["eval".to_string(), fw];
    for (level, text) in tables {
        std::fs::write(dir.join(format!("{level}.csv")), text).expect("written");
        args.extend(["--data".into(), format!("{level}={level}.csv")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    engine_agrees(&url, &dir, &args);
    // Kept only when a comparison failed, to look at.
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `grille ARGS` in `dir` in memory and with `--engine URL`, as JSON
/// and as CSV, and asserts the two runs equal: the exit code, then the
/// output value by value (JSON, numbers to 1e-9) or line by line (CSV).
fn engine_agrees(url: &str, dir: &Path, args: &[&str]) {
    for format in ["json", "csv"] {
        let mut args = args.to_vec();
        args.extend(["--format", format]);
        let memory = grille(dir, &args);
        args.extend(["--engine", url]);
        let engine = grille(dir, &args);
        let case = format!("inline case {}", dir.display());
        assert_eq!(
            memory.status.code(),
            engine.status.code(),
            "{case}: exit codes; in the engine: {}",
            String::from_utf8_lossy(&engine.stderr)
        );
        if memory.status.code() != Some(0) {
            return;
        }
        let text = |o: &Output| String::from_utf8(o.stdout.clone()).expect("UTF-8");
        crate::sql::same_output(&case, format, &text(&memory), &text(&engine));
    }
}

/// Reads CSV tables given as text into a workspace and links them.
pub fn load_texts(ws: &mut grille::workspace::Workspace, tables: &[(&str, &str)]) {
    let mut read = Vec::new();
    for (level, text) in tables {
        let spec = grille::data::DataSpec {
            level: Some(level.to_string()),
            path: "-".into(),
            sheet: None,
        };
        read.push(ws.read_table(&spec, &mut text.as_bytes()).expect("table"));
    }
    ws.load_tables(read);
}

/// Like [`eval_lib`], for a framework file (its `extends` read from its folder).
pub fn eval_lib_path(path: &str, tables: &[(&str, &str)]) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("framework file");
    eval_lib_named(path, &text, tables)
}

/// A number as a survey platform writes it (no trailing `.0`).
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Whether tests that drive external programs run: `GRILLE_EXTERNAL=1`,
/// as `.ci/run` sets after installing them.
pub fn external_enabled() -> bool {
    std::env::var("GRILLE_EXTERNAL").is_ok_and(|v| v == "1")
}

/// An external program a test needs: `None` (the test is skipped) unless
/// `GRILLE_EXTERNAL=1`; then its absence fails the test loudly.
#[track_caller]
pub fn external<T>(found: Option<T>, what: &str, install: &str) -> Option<T> {
    if !external_enabled() {
        eprintln!("skipped: {what} is an external program; set GRILLE_EXTERNAL=1 to run this test");
        return None;
    }
    Some(found.unwrap_or_else(|| {
        panic!("GRILLE_EXTERNAL=1 but {what} is missing: install it ({install}, as .ci/run does)")
    }))
}

/// Checks and evaluates a framework on tables given as CSV text, through
/// the library; returns the framework and the results record.
pub fn eval_record(
    framework: &str,
    tables: &[(&str, &str)],
) -> (grille::ir::Framework, grille::eval::Results) {
    let mut ws = grille::workspace::Workspace::new();
    ws.check_text("f.grille", framework)
        .unwrap_or_else(|_| panic!("the framework checks"));
    load_texts(&mut ws, tables);
    let lang = ws.framework().default_lang().to_string();
    let results = ws.evaluate(&lang).0.clone();
    (ws.framework().clone(), results)
}
