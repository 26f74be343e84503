//! `grille test PATH…`: runs framework test files (`*.test.toml`; a
//! directory is searched for them) and prints each expectation, failures
//! with expected and actual values, and a closing `N passed, M failed`.
//! Exit 1 when an expectation failed or a framework has errors, 2 when a
//! path or test file cannot be read.

use super::{FRAMEWORK_ERRORS, OK, USAGE, report};
use grille::diagnostic::Diag;
use grille::ftest::{self, CaseRun};
use grille::source::{SourceMap, Span};
use grille::workspace::Workspace;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Test files, or directories searched for `*.test.toml`.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    /// A test file or framework could not be read.
    unreadable: bool,
    /// A framework has errors.
    invalid: bool,
}

pub fn run(a: Args) -> i32 {
    let mut files = Vec::new();
    for p in &a.paths {
        if p.is_dir() {
            let before = files.len();
            collect(p, &mut files);
            if files.len() == before {
                eprintln!("error: no `*.test.toml` file under `{}`", p.display());
                return USAGE;
            }
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            eprintln!(
                "error: cannot read `{}`: no such file or directory",
                p.display()
            );
            return USAGE;
        }
    }
    let mut t = Tally::default();
    for f in &files {
        file(f, &mut t);
    }
    println!("{} passed, {} failed", t.passed, t.failed);
    if t.unreadable {
        USAGE
    } else if t.failed > 0 || t.invalid {
        FRAMEWORK_ERRORS
    } else {
        OK
    }
}

/// Test files under a directory, sorted, recursively.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".test.toml"))
        {
            out.push(p);
        }
    }
}

fn file(path: &Path, t: &mut Tally) {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: cannot read `{shown}`: {e}");
            t.unreadable = true;
            return;
        }
    };
    let mut ws = Workspace::new();
    let src = ws.sources.add(shown.clone(), text.clone());
    let tf = match ftest::parse(&text) {
        Ok(x) => x,
        Err(e) => {
            let span = e.span.clone().unwrap_or(0..0);
            let help = e.help.clone();
            let d = Diag::error(e, Span::new(src, span.start, span.end), "here").maybe_help(help);
            report(&[d], &ws.sources);
            t.unreadable = true;
            return;
        }
    };
    let fw_path = path.parent().unwrap_or(Path::new(".")).join(&tf.framework);
    println!("{shown} ({})", fw_path.display());
    match ws.check(&fw_path) {
        Ok(_) => {}
        Err(grille::check::Failure::Io { path, error }) => {
            eprintln!("error: cannot read `{path}` (named by `{shown}`): {error}");
            t.unreadable = true;
            return;
        }
        Err(grille::check::Failure::Invalid(d)) => {
            report(&d, &ws.sources);
            let n: usize = tf.cases.iter().map(|c| c.expect.len()).sum();
            println!("  the framework has errors: {n} expectations not run\n");
            t.failed += n;
            t.invalid = true;
            return;
        }
    };
    for case in &tf.cases {
        let run = ftest::run_case(&mut ws, case, &shown, Some(src));
        print_case(case, &run, &ws.sources, t);
    }
    println!();
}

fn print_case(case: &ftest::Case, run: &CaseRun, sources: &SourceMap, t: &mut Tally) {
    let failed = run.outcomes.iter().filter(|o| !o.passed).count();
    let mark = if failed == 0 { "ok  " } else { "FAIL" };
    println!("  {mark} {}", case.name);
    if !run.diags.is_empty() {
        report(&run.diags, sources);
    }
    if let Some(e) = &run.error {
        println!("       cannot run: {e}");
    }
    let width = run.outcomes.iter().map(|o| o.key.len()).max().unwrap_or(0);
    for o in &run.outcomes {
        if o.passed {
            t.passed += 1;
            println!("       ok    {:width$}  = {}", o.key, o.expected);
        } else {
            t.failed += 1;
            println!("       FAIL  {:width$}  expected {}", o.key, o.expected);
            match (&o.actual, &o.why) {
                (Some(a), _) => println!("             {:width$}  actual   {a}", ""),
                (None, Some(why)) => println!("             {:width$}  {why}", ""),
                (None, None) => {}
            }
        }
    }
}
