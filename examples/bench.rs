//! Benchmarks of `check` and `eval`, run by hand:
//!
//! ```sh
//! cargo run --release --example bench -- check 5000        # a framework of 5,000 indicators
//! cargo run --release --example bench -- eval 1000000      # 1M person rows, ~40 indicators, 6 dimensions
//! cargo run --release --example bench -- unused 20000 > f.grille  # 20,000 indicators in no dimension
//! ```
//!
//! Data and frameworks are generated deterministically in a temporary
//! folder; the program prints wall times per stage, rows per second and
//! the peak resident memory of the process. Results go in docs/performance.md.

use grille::check::{Options, check_text};
use grille::data::DataSpec;
use grille::source::SourceMap;
use grille::workspace::Workspace;
use std::fmt::Write as _;
use std::time::Instant;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

fn peak_rss_mib() -> f64 {
    status_mib("VmHWM")
}

/// The resident memory now, to see what each stage keeps.
fn rss_mib() -> f64 {
    status_mib("VmRSS")
}

/// A memory figure of `/proc/self/status`, in MiB.
fn status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(key)).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<f64>()
                    .unwrap_or(0.0)
            })
        })
        .unwrap_or(0.0)
        / 1024.0
}

/// A framework with `n` indicators in dimensions of 50.
fn wide_framework(n: usize) -> String {
    let mut s = indicators(n);
    for d in 0..n.div_ceil(50) {
        let _ = writeln!(s, "dimension d{d} {{");
        for i in (d * 50)..((d + 1) * 50).min(n) {
            let _ = writeln!(s, "  use i{i} weight {}", 1 + i % 3);
        }
        s.push_str("}\n");
    }
    s
}

/// The levels, questions and `n` indicators of [`wide_framework`], in no
/// dimension: `check` warns about each (to time many warnings).
fn indicators(n: usize) -> String {
    let mut s = String::from(
        "framework wide {\n  title \"Wide\"\n  languages en\n}\n\nlevel org { label \"Org\" }\nlevel person { within org  label \"Person\" }\n\nquestions at person {\n",
    );
    for q in 0..20 {
        let _ = writeln!(s, "  q{q}: scale 1..5 label \"Question {q}\"");
    }
    s.push_str("}\n\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "indicator i{i} {{\n  at org\n  label \"Indicator {i}\"\n  value share(q{} >= {} where q{} > 1)\n  unit \"%\"\n}}\n",
            i % 20,
            1 + i % 5,
            (i + 7) % 20
        );
    }
    s
}

fn bench_check(n: usize) {
    let text = wide_framework(n);
    let t = Instant::now();
    let mut sources = SourceMap::new();
    let checked = check_text("wide.grille", &text, &mut sources, &Options::default())
        .unwrap_or_else(|_| panic!("the generated framework checks"));
    let el = t.elapsed();
    println!(
        "check: {} indicators, {} dimensions, {} KiB of source: {:.1} ms, peak RSS {:.0} MiB",
        checked.framework.indicators.len(),
        checked.framework.dimensions.len(),
        text.len() / 1024,
        el.as_secs_f64() * 1000.0,
        peak_rss_mib()
    );
}

/// The framework evaluated by `eval`: ~40 indicators, 6 dimensions.
const EVAL_FRAMEWORK: &str = include_str!("bench.grille");

/// Writes the tables of `rows` persons (deterministic) into a folder of
/// the temporary directory; returns it.
fn generate(rows: usize) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("grille-bench-{rows}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let enterprises = (rows / 40).max(3);
    let territories = (enterprises / 25).max(2);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut e = String::from(
        "entreprise,territoire,groupe,effectif,achats_locaux,femmes,hommes,objectif\n",
    );
    for k in 0..enterprises {
        let staff = 5 + rng.below(60);
        let women = rng.below(staff + 1);
        let _ = writeln!(
            e,
            "E{k},T{},{},{staff},{}%,{women},{},{}",
            k % territories,
            ["insertion", "services", "autres"][k % 3],
            rng.below(100),
            staff - women,
            1 + rng.below(20)
        );
    }
    let mut p = String::with_capacity(rows * 48);
    p.push_str("personne,entreprise,statut,confiance,autonomie,sens,liens,formation,heures,poids,activites\n");
    for r in 0..rows {
        let ent = rng.below(enterprises as u64);
        let statut = ["insertion", "salarie", "benevole"][rng.below(3) as usize];
        // One answer in twenty is left blank.
        let mut likert = || {
            let v = 1 + rng.below(5);
            if rng.below(20) == 0 {
                String::new()
            } else {
                v.to_string()
            }
        };
        let (c, a, s) = (likert(), likert(), likert());
        let l = ["oui", "non"][rng.below(2) as usize];
        let f = ["oui", "non", ""][rng.below(3) as usize];
        let h = rng.below(400);
        let w = 1 + rng.below(3);
        let act = ["sport", "culture", "sport culture", "numerique", ""][rng.below(5) as usize];
        let _ = writeln!(p, "p{r},E{ent},{statut},{c},{a},{s},{l},{f},{h},{w},{act}");
    }
    std::fs::write(dir.join("entreprise.csv"), &e).expect("written");
    std::fs::write(dir.join("personne.csv"), &p).expect("written");
    dir
}

fn bench_eval(rows: usize) {
    let dir = generate(rows);
    let enterprises = (rows / 40).max(3);
    let territories = (enterprises / 25).max(2);
    let total = Instant::now();

    let mut ws = Workspace::new();
    ws.check_text("bench.grille", EVAL_FRAMEWORK)
        .unwrap_or_else(|_| panic!("the bench framework checks"));
    let t = Instant::now();
    let mut stdin = std::io::empty();
    let mut tables = Vec::new();
    for (level, file) in [
        ("entreprise", "entreprise.csv"),
        ("personne", "personne.csv"),
    ] {
        let spec = DataSpec {
            level: Some(level.into()),
            path: dir.join(file).display().to_string(),
            sheet: None,
        };
        tables.push(ws.read_table(&spec, &mut stdin).expect("table read"));
    }
    let read = t.elapsed();
    let rss_read = rss_mib();
    let t = Instant::now();
    ws.load_tables(tables);
    let link = t.elapsed();
    let rss_link = rss_mib();
    let t = Instant::now();
    let (_, diags) = ws.evaluate("fr");
    let diags = diags.to_vec();
    let eval = t.elapsed();
    let rss_eval = rss_mib();
    let t = Instant::now();
    let cx = ws.report_context("fr", None);
    let json = grille::report::json::result(&cx, &diags, &ws.sources, false);
    let fw = ws.framework();
    let report = t.elapsed();
    let all = total.elapsed();
    println!(
        "eval: {rows} persons, {enterprises} enterprises, {territories} territories, {} indicators, {} dimensions",
        fw.indicators.len(),
        fw.dimensions.len()
    );
    println!(
        "  read {:.0} ms, parse+link {:.0} ms, evaluate {:.0} ms, JSON {:.0} ms ({} KiB); total {:.2} s, {:.0} rows/s, peak RSS {:.0} MiB, {} diagnostics",
        read.as_secs_f64() * 1e3,
        link.as_secs_f64() * 1e3,
        eval.as_secs_f64() * 1e3,
        report.as_secs_f64() * 1e3,
        json.len() / 1024,
        all.as_secs_f64(),
        rows as f64 / all.as_secs_f64(),
        peak_rss_mib(),
        diags.len()
    );
    println!(
        "  resident after reading {rss_read:.0} MiB, after linking {rss_link:.0} MiB, after evaluating {rss_eval:.0} MiB"
    );
    // The human reports, outside the total above.
    let t = Instant::now();
    let md = grille::report::human::markdown(&cx, &diags);
    let md_t = t.elapsed();
    let t = Instant::now();
    let html = grille::report::human::html(&cx, &diags);
    let html_t = t.elapsed();
    println!(
        "  Markdown report {:.0} ms ({} KiB), HTML report {:.0} ms ({} KiB)",
        md_t.as_secs_f64() * 1e3,
        md.len() / 1024,
        html_t.as_secs_f64() * 1e3,
        html.len() / 1024
    );
    // GRILLE_BENCH_KEEP=1 keeps the generated tables, to time another
    // runner on them (docs/performance.md, "In a database").
    if std::env::var_os("GRILLE_BENCH_KEEP").is_some() {
        println!("  data kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Reads `path` whole and walks its records with the CSV state machine,
/// on one thread, touching every field but typing none: what reading
/// the table costs at the least, to set grille's parse beside.
fn floor(path: &str) {
    let t = Instant::now();
    let bytes = std::fs::read(path).expect("the file reads");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let (mut rows, mut fields) = (0usize, 0usize);
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).expect("a CSV record") {
        rows += 1;
        fields += rec.len();
    }
    println!(
        "floor: {rows} rows, {fields} fields of {} MB in {:.3} s",
        bytes.len() / 1_000_000,
        t.elapsed().as_secs_f64()
    );
}

/// A table N columns wide: a framework of N questions (one indicator
/// reads the first) and 20 rows answering every one, in
/// /tmp/grille-columns-N, whose path is printed; with `missing`, the
/// table keeps only a tenth of the columns, so the others warn.
fn columns(n: usize, missing: bool) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("grille-columns-{n}"));
    std::fs::create_dir_all(&dir).expect("folder");
    let mut fw = String::from(
        "framework columns {\n  title en \"Columns\"\n  languages en\n}\n\n\
         level org { label en \"Org\" }\nlevel person { within org  label en \"Person\" }\n\n\
         questions at person {\n",
    );
    for i in 0..n {
        fw.push_str(&format!("  q{i}: number\n"));
    }
    fw.push_str("}\n\nindicator a {\n  at org\n  value mean(q0)\n}\n");
    std::fs::write(dir.join("columns.grille"), fw).expect("framework");
    let kept = if missing { n.div_ceil(10) } else { n };
    let mut t = String::from("person,org");
    for i in 0..kept {
        t.push_str(&format!(",q{i}"));
    }
    t.push('\n');
    for r in 0..20 {
        t.push_str(&format!("p{r},o{}", r % 3));
        for i in 0..kept {
            t.push_str(&format!(",{}", (r * 7 + i) % 10));
        }
        t.push('\n');
    }
    std::fs::write(dir.join("person.csv"), t).expect("table");
    std::fs::write(dir.join("org.csv"), "org\no0\no1\no2\n").expect("table");
    dir
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.get(1).and_then(|x| x.parse().ok()).unwrap_or(10_000);
    match args.first().map(String::as_str) {
        Some("check") => bench_check(n),
        Some("eval") => bench_eval(n),
        // Only the tables, kept: to time another runner on them.
        Some("data") => println!("{}", generate(n).display()),
        // A framework to time `grille check` on, warnings and all.
        Some("unused") => print!("{}", indicators(n)),
        // The framework `check` times, to time `grille check` on it.
        Some("wide") => print!("{}", wide_framework(n)),
        // A table of N columns, to time linking its header row.
        Some("columns") => {
            let missing = args.get(2).is_some_and(|a| a == "missing");
            println!("{}", columns(n, missing).display())
        }
        // The parse floor: a bare CSV read of a file, no typing.
        Some("floor") => floor(args.get(1).map_or("personne.csv", String::as_str)),
        _ => eprintln!(
            "usage: bench check N | bench eval ROWS | bench data ROWS | bench unused N | bench wide N | bench columns N [missing] | bench floor FILE"
        ),
    }
}
