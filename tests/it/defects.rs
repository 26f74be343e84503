//! Regression tests for defects found by trying grille as its users would
//! (each failed on the code before its fix), and the bad-input checks:
//! exit codes and diagnostic codes, never a panic.

use crate::support::{TempDir, close, eval_json, grille, unit};
use serde_json::Value;

const THREE_LEVELS: &str = r#"framework t { title "T" }
level terr { label "Territory" }
level org { within terr  label "Org" }
level person { within org  label "Person" }
"#;

fn dim<'a>(doc: &'a Value, level: &str, u: &str, d: &str) -> &'a Value {
    &unit(doc, level, u)["dimensions"][d]
}

/// A gate written for the enterprise reads the rolled-up value at the territory.
#[test]
fn gates_read_rolled_up_values_at_coarser_levels() {
    let fw = format!(
        "{THREE_LEVELS}
questions at org {{ exits: number  tot: number }}
indicator taux {{ at org  value exits / tot  unit \"%\"  normalize goalposts 0%..100%  rollup mean weight tot }}
ratings r {{ low below 50 label \"Low\"  high label \"High\" }}
dimension d {{ rate r  use taux  gate taux >= 20%  gate score(taux) >= 15 }}
"
    );
    // A: 1/10 = 10 %, B: 10/10 = 100 %; weighted by tot: (1 + 10) / 20 = 55 %.
    let orgs = "org,terr,exits,tot\nA,T1,1,10\nB,T1,10,10\n";
    let d = eval_json(&fw, &[("org", orgs)]);
    close(&unit(&d, "terr", "T1")["indicators"]["taux"]["value"], 0.55);
    let t = dim(&d, "terr", "T1", "d");
    close(&t["score"], 55.0);
    assert_eq!(t["gates"]["passed"], true, "{t}");
    assert_eq!(t["rating"], "high", "{t}");
    // At the enterprise the gate still fails where it should: A is at 10 %.
    assert_eq!(dim(&d, "org", "A", "d")["gates"]["passed"], false);
    assert_eq!(dim(&d, "org", "B", "d")["gates"]["passed"], true);
}

/// The quickstart framework with the headcount indicator's value replaced.
fn quickstart_with(value: &str) -> String {
    let text = std::fs::read_to_string(
        crate::support::root().join("examples/quickstart/framework.grille"),
    )
    .expect("quickstart framework");
    assert!(text.contains("value effectif\n"));
    text.replace("value effectif\n", &format!("value {value}\n"))
}

/// A temporary folder with `f.grille` holding `text`, beside the
/// quickstart example's two tables.
fn quickstart_dir(text: &str) -> TempDir {
    let root = crate::support::root().join("examples/quickstart");
    let dir = TempDir::new(&[("f.grille", text)]);
    for t in ["entreprise.csv", "personne.csv"] {
        std::fs::copy(root.join(t), dir.path().join(t)).expect("copied");
    }
    dir
}

/// Runs a command on a framework text; returns (exit code, stderr).
fn run_on(text: &str, args: &[&str]) -> (i32, String) {
    let dir = quickstart_dir(text);
    let out = grille(dir.path(), args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {stderr}"));
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "{stderr}"
    );
    (code, stderr)
}

const EVAL: &[&str] = &[
    "eval",
    "f.grille",
    "--data",
    "entreprise=entreprise.csv",
    "--data",
    "personne=personne.csv",
];

/// Flat chains of any length go through every command.
#[test]
fn flat_chains_of_any_length_work_everywhere() {
    let chains = [
        vec!["effectif"; 5000].join(" + "),
        format!("{}effectif", "-".repeat(50_000)),
        format!("effectif{}", " ^ 1".repeat(10_000)),
        format!(
            "if {} else 0",
            (0..10_000)
                .map(|i| format!("effectif > {i} then {i}"))
                .collect::<Vec<_>>()
                .join(" else if ")
        ),
        format!(
            "if {}effectif > 1 then 1 else 0",
            "not ".repeat(10_000).replace("not ", "not not ")
        ),
        format!(
            "if {} then 1 else 0",
            vec!["effectif > 1"; 5000].join(" and ")
        ),
        format!(
            "if {} then 1 else 0",
            vec!["effectif > 1"; 5000].join(" or ")
        ),
    ];
    for value in chains {
        let text = quickstart_with(&value);
        let start = &value[..40.min(value.len())];
        assert_eq!(run_on(&text, &["check", "f.grille"]).0, 0, "check {start}");
        assert_eq!(run_on(&text, EVAL).0, 0, "eval {start}");
        assert_eq!(
            run_on(&text, &["fmt", "--check", "f.grille"]).0,
            0,
            "fmt {start}"
        );
        assert_eq!(
            run_on(&text, &["explain", "f.grille", "effectif_total"]).0,
            0,
            "explain {start}"
        );
        assert_eq!(run_on(&text, &["doc", "f.grille"]).0, 0, "doc {start}");
        assert_eq!(
            run_on(&text, &["diff", "f.grille", "f.grille"]).0,
            0,
            "diff {start}"
        );
    }
}

/// An `else if` chain left unfinished (the fuzzer's `framework` target
/// found a 4 KB file that took 9 s to check): every `else if` that failed
/// was parsed again as a nested `if`, doubling the work at each one; a
/// chain of 60 would not have finished. It is refused at once now, at the
/// place where the chain stops.
#[test]
fn an_unfinished_else_if_chain_is_refused_at_once() {
    let arms: Vec<String> = (0..60)
        .map(|i| format!("effectif > {i} then {i}"))
        .collect();
    let value = format!("if {} else if effectif > 99 then", arms.join(" else if "));
    let (code, err) = run_on(&quickstart_with(&value), &["check", "f.grille"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("grille::syntax::"), "{err}");
}

/// An `if` as the right operand of a comparison inside a `then`, 60 deep,
/// left unfinished (the shape of the framework fuzzer's slow units of
/// 2026-12-06): the old grammar let the outer expression go on after an
/// `if` whose `else` failed, so every level parsed the rest again (4 s at
/// 12 levels, 68 s at 16); an `if` is now always the last operand.
#[test]
fn an_if_operand_nested_and_unfinished_is_refused_at_once() {
    let value = format!(
        "{}if effectif > 2 then",
        "if effectif > 0 then if effectif > 1 then 1 else effectif > ".repeat(60)
    );
    let (code, err) = run_on(&quickstart_with(&value), &["check", "f.grille"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("grille::syntax::"), "{err}");
    // Finished, the same shape checks: the `else` branch takes the rest.
    let done = "1 + if effectif > 2 then 1 else 2 + 3";
    let (code, err) = run_on(&quickstart_with(done), &["check", "f.grille"]);
    assert_ne!(code, 1, "{err}");
}

/// A chain of 20,000 lets, each using the one before.
#[test]
fn long_let_chains_evaluate_and_describe() {
    let lets: String = (0..20_000)
        .map(|i| format!("let l{} = l{i} + 1\n", i + 1))
        .collect();
    let text = quickstart_with("effectif + l20000").replace(
        "let en_insertion",
        &format!("let l0 = 0\n{lets}let en_insertion"),
    );
    assert_eq!(run_on(&text, &["check", "f.grille"]).0, 0);
    let out = grille_eval_json(&text);
    // E1 has 12.5 ETP: 12.5 + 20,000.
    close(
        &unit(&out, "entreprise", "E1")["indicators"]["effectif_total"]["value"],
        20_012.5,
    );
    assert_eq!(
        run_on(&text, &["explain", "f.grille", "effectif_total"]).0,
        0
    );
    assert_eq!(run_on(&text, &["doc", "f.grille"]).0, 0);
}

fn grille_eval_json(text: &str) -> Value {
    let dir = quickstart_dir(text);
    let out = grille(dir.path(), EVAL);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// True nesting past the limit is a coded error at the place it happens.
#[test]
fn deep_nesting_is_a_coded_error() {
    let dims: String = (0..10_000)
        .map(|i| format!("dimension n{i} {{ label \"n\"\n"))
        .collect();
    let cases = [
        quickstart_with(&format!(
            "{}effectif{}",
            "(".repeat(20_000),
            ")".repeat(20_000)
        )),
        quickstart_with(&format!(
            "{}effectif{}",
            "round(".repeat(10_000),
            ")".repeat(10_000)
        )),
        quickstart_with(&format!("{}effectif{}", "(".repeat(150), ")".repeat(150))),
        quickstart_with(&format!("{}effectif", "- not ".repeat(200))),
        // `if` inside `if`, without a bracket: in a branch, in a condition
        // and as the last operand of an `else` (the last overflowed the
        // stack, the first was refused without the code).
        quickstart_with(&format!(
            "{}1{}",
            "if effectif > 1 then ".repeat(20_000),
            " else 0".repeat(20_000)
        )),
        quickstart_with(&format!(
            "if {}effectif > 1{} then 1 else 0",
            "if ".repeat(20_000),
            " then true else false".repeat(20_000)
        )),
        quickstart_with(&format!(
            "{}1",
            "1 + if effectif > 1 then 1 else 1 + ".repeat(20_000)
        )),
        format!(
            "{}\n{dims}{}",
            quickstart_with("effectif"),
            "}".repeat(10_000)
        ),
    ];
    for text in cases {
        for args in [
            &["check", "f.grille"][..],
            &["fmt", "--check", "f.grille"],
            EVAL,
        ] {
            let (code, err) = run_on(&text, args);
            assert_eq!(code, 1, "{args:?}: {err}");
            assert!(err.contains("grille::syntax::too_deep"), "{args:?}: {err}");
        }
    }
    // Just under the limit is fine, and so is an `else if` chain.
    let text = quickstart_with(&format!("{}effectif{}", "(".repeat(60), ")".repeat(60)));
    assert_eq!(run_on(&text, &["check", "f.grille"]).0, 0);
    let text = quickstart_with(&format!(
        "{}1{}",
        "if effectif > 1 then ".repeat(60),
        " else 0".repeat(60)
    ));
    assert_eq!(run_on(&text, &["check", "f.grille"]).0, 0);
}

/// Chains compute as the nested operators they stand for.
#[test]
fn chains_keep_their_meaning() {
    let fw = format!(
        "{THREE_LEVELS}
questions at org {{ a: number  b: number  c: number  ok: yesno }}
indicator sub {{ at org  value a - b - c }}
indicator div {{ at org  value a / b / c }}
indicator pow {{ at org  value a ^ b ^ c }}
indicator mix {{ at org  value a - b * c + a / b }}
indicator neg {{ at org  value - - a + --b }}
indicator arms {{ at org  value if a > 100 then 3 else if a == 2 then 2 else if ok then 5 else 4 }}
indicator tests {{ at org  value if not not ok and a > 1 or b == 3 == false then 1 else if a == 2 then 2 else if a > 100 then 3 else 4 }}
"
    );
    // a = 2, b = 3, c = 2: (2 − 3) − 2 = −3; (2 / 3) / 2 = 1/3; 2^(3^2) = 512;
    // 2 − 6 + 2/3; 2 + 3; ok and 2 > 1 → 1.
    let orgs = "org,terr,a,b,c,ok\nA,T,2,3,2,yes\nB,T,2,4,1,no\nC,T,200,4,1,\n";
    let d = eval_json(&fw, &[("org", orgs)]);
    let v = |u: &str, i: &str| unit(&d, "org", u)["indicators"][i]["value"].clone();
    close(&v("A", "sub"), -3.0);
    close(&v("A", "div"), 1.0 / 3.0);
    close(&v("A", "pow"), 512.0);
    close(&v("A", "mix"), 2.0 - 6.0 + 2.0 / 3.0);
    close(&v("A", "neg"), 5.0);
    close(&v("A", "tests"), 1.0);
    // The first true arm wins: A and B take the second, C the first.
    close(&v("A", "arms"), 2.0);
    close(&v("B", "arms"), 2.0);
    close(&v("C", "arms"), 3.0);
    // B: not ok; b == 3 is false, false == false is true → 1.
    close(&v("B", "tests"), 1.0);
    // C: ok missing, a > 1 true: missing and true = missing; b == 3 == false
    // is true; missing or true = true → 1.
    close(&v("C", "tests"), 1.0);
}

/// A diagnostic 70,000 characters into a line is shown, not a panic.
#[test]
fn diagnostics_far_into_a_long_line() {
    let long = "x".repeat(70_000);
    let text = format!(
        "framework t {{ title \"T\" }}  {} oops\n",
        " ".repeat(70_000)
    );
    for args in [&["check", "f.grille"][..], &["fmt", "--check", "f.grille"]] {
        let (code, err) = run_on(&text, args);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("grille::syntax::unexpected"), "{err}");
        // The header gives the real column; the line is cut around it.
        assert!(err.contains("f.grille:1:70029]"), "{err}");
        assert!(
            err.len() < 5_000,
            "the long line is cut: {} bytes",
            err.len()
        );
    }
    let people = format!(
        "personne,entreprise,statut,confiance,formation,temoignage\np1,E1,insertion,9,{long},\n"
    );
    let (code, err, _) = eval_quickstart("personne", "personne.csv", people.as_bytes(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("grille::data::out_of_range"), "{err}");
    assert!(err.contains("grille::data::bad_value"), "{err}");
    // The message quotes the start of the answer, not all of it.
    assert!(err.len() < 5_000, "{} bytes", err.len());
}

/// No level at all, and items at unknown levels: one error per cause.
#[test]
fn unknown_levels_report_the_first_cause_only() {
    let no_level = "framework t { title \"T\" }\nquestions at org { x: number }\nindicator i { at org  value count(x > 1) }\n";
    let (code, err) = run_on(no_level, &["check", "f.grille"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err.matches("grille::check::unknown_level").count(),
        2,
        "{err}"
    );
    assert!(!err.contains("aggregate"), "{err}");
    let typos = "framework t { title \"T\" }
level org { label \"O\" }
level person { within org  label \"P\" }
questions at persn { x: number }
indicator i { at orgg  value count(person) }
indicator j { at org  value count(x > 1) }
evidence e { at orgg  collect x }
";
    let (code, err) = run_on(typos, &["check", "f.grille", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let (_, err) = run_on(typos, &["check", "f.grille"]);
    let codes: Vec<&str> = err.lines().filter(|l| l.starts_with("grille::")).collect();
    assert_eq!(
        codes, ["grille::check::unknown_level"; 3],
        "one error per misspelt level: {err}"
    );
}

/// `template --out DIR` keeps filled tables unless `--force`.
#[test]
fn template_does_not_overwrite_answers() {
    let fw = std::fs::read_to_string(
        crate::support::root().join("examples/quickstart/framework.grille"),
    )
    .expect("framework");
    let dir = TempDir::new(&[("f.grille", &fw)]);
    std::fs::create_dir_all(dir.path().join("out")).expect("dir");
    let filled = "personne,entreprise\np1,E1\n";
    std::fs::write(dir.path().join("out/personne.csv"), filled).expect("written");
    let out = grille(dir.path(), &["template", "f.grille", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("personne.csv") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/personne.csv")).unwrap(),
        filled
    );
    assert!(
        !dir.path().join("out/entreprise.csv").exists(),
        "nothing is written"
    );
    let out = grille(
        dir.path(),
        &["template", "f.grille", "--out", "out", "--force"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_ne!(
        std::fs::read_to_string(dir.path().join("out/personne.csv")).unwrap(),
        filled
    );
}

/// Atomic writes keep the mode, write through links, leave no temporary file.
#[cfg(unix)]
#[test]
fn atomic_writes_keep_mode_and_links() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let fw = quickstart_with("effectif");
    let unformatted = fw.replace("level territoire {", "level   territoire {");
    let dir = TempDir::new(&[("real.grille", &unformatted), ("f.grille", &fw)]);
    symlink("real.grille", dir.path().join("link.grille")).expect("symlink");
    std::fs::set_permissions(
        dir.path().join("real.grille"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod");
    let out = grille(dir.path(), &["fmt", "link.grille"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = std::fs::symlink_metadata(dir.path().join("link.grille")).expect("meta");
    assert!(link.file_type().is_symlink(), "the link stays a link");
    let real = std::fs::read_to_string(dir.path().join("real.grille")).expect("target");
    assert!(
        real.contains("level territoire {"),
        "the target is formatted"
    );
    let mode = std::fs::metadata(dir.path().join("real.grille"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // A result made private stays private when written again.
    for t in ["entreprise.csv", "personne.csv"] {
        std::fs::copy(
            crate::support::root().join("examples/quickstart").join(t),
            dir.path().join(t),
        )
        .expect("copied");
    }
    std::fs::write(dir.path().join("r.json"), "old").expect("written");
    std::fs::set_permissions(
        dir.path().join("r.json"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod");
    let mut args = EVAL.to_vec();
    args.extend(["--out", "r.json"]);
    assert_eq!(grille(dir.path(), &args).status.code(), Some(0));
    let mode = std::fs::metadata(dir.path().join("r.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // A write that fails (into a missing folder) leaves nothing behind.
    let mut args = EVAL.to_vec();
    args.extend(["--out", "r.json/inside.json"]);
    assert_eq!(grille(dir.path(), &args).status.code(), Some(2));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `--out` picks the format from its extension and refuses unknown ones.
#[test]
fn out_extension_picks_the_format() {
    let fw = quickstart_with("effectif");
    for (file, starts) in [
        ("r.html", "<!doctype html>"),
        ("r.md", "# "),
        ("r.csv", "level,"),
        ("r.json", "{"),
    ] {
        let dir = quickstart_dir(&fw);
        let mut args = EVAL.to_vec();
        args.extend(["--out", file]);
        let out = grille(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(dir.path().join(file)).expect("written");
        assert!(
            text.starts_with(starts),
            "{file}: {}",
            &text[..40.min(text.len())]
        );
    }
    let mut args = EVAL.to_vec();
    args.extend(["--out", "r.docx"]);
    let (code, err) = run_on(&fw, &args);
    assert_eq!(code, 2);
    assert!(err.contains(".docx"), "{err}");
}

/// `--level` where nothing is reported says so.
#[test]
fn level_without_results_says_so() {
    let fw = quickstart_with("effectif");
    let mut args = EVAL.to_vec();
    args.extend(["--level", "personne", "--format", "csv"]);
    let (code, err) = run_on(&fw, &args);
    assert_eq!(code, 0);
    assert!(
        err.contains("note: nothing is reported at level `personne`"),
        "{err}"
    );
}

/// Markdown reports keep ids and testimonies as text.
#[test]
fn markdown_escapes_data() {
    let fw = quickstart_with("effectif");
    let people = "personne,entreprise,statut,confiance,formation,temoignage\n\
        p1,<script>alert(1)</script>,insertion,5,oui,\"<img src=x onerror=alert(1)> [x](javascript:alert(1))\"\n";
    let orgs =
        "entreprise;territoire;effectif;achats_locaux\n<script>alert(1)</script>;Lille;3;10%\n";
    let dir = TempDir::new(&[
        ("f.grille", &fw),
        ("personne.csv", people),
        ("entreprise.csv", orgs),
    ]);
    let mut args = EVAL.to_vec();
    args.extend(["--format", "md"]);
    let out = grille(dir.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = String::from_utf8_lossy(&out.stdout);
    // Fenced code blocks (the text bar charts) are shown as they are, as text.
    let md: String = all.split("```").step_by(2).collect();
    assert!(!md.contains("<script>") && !md.contains("<img"), "{md}");
    assert!(md.contains("&lt;script&gt;"), "{md}");
    assert!(!md.contains("[x](javascript"), "{md}");
}

/// Evaluates the quickstart framework on a persons file given as bytes;
/// returns (exit code, stderr, JSON result if any).
fn eval_people(name: &str, people: &[u8], extra: &[&str]) -> (i32, String, Option<Value>) {
    eval_quickstart("personne", name, people, extra)
}

/// Evaluates the quickstart framework with the table of `level` given as
/// bytes (written as `name`) and the example's other table beside it;
/// returns (exit code, stderr, JSON result if any).
fn eval_quickstart(
    level: &str,
    name: &str,
    table: &[u8],
    extra: &[&str],
) -> (i32, String, Option<Value>) {
    let root = crate::support::root().join("examples/quickstart");
    let dir = TempDir::new(&[]);
    std::fs::write(dir.path().join(name), table).expect("written");
    let other = if level == "personne" {
        "entreprise"
    } else {
        "personne"
    };
    let other_file = format!("{other}.csv");
    std::fs::copy(root.join(&other_file), dir.path().join(&other_file)).expect("copied");
    let fw = root.join("framework.grille");
    let (given, copied) = (format!("{level}={name}"), format!("{other}={other_file}"));
    let mut args = vec![
        "eval",
        fw.to_str().expect("path"),
        "--data",
        &copied,
        "--data",
        &given,
    ];
    args.extend(extra);
    let out = grille(dir.path(), &args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    let doc = serde_json::from_slice(&out.stdout).ok();
    (out.status.code().expect("exit code"), err, doc)
}

fn diag_rows(doc: &Value) -> Vec<(u64, String)> {
    doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| Some((d["row"].as_u64()?, d["code"].as_str()?.to_string())))
        .collect()
}

const PEOPLE_HEAD: &str = "personne,entreprise,statut,confiance,formation,temoignage";

/// Rows are counted the same with LF, CRLF and CR-only line ends.
#[test]
fn row_numbers_with_every_line_end() {
    let lf = format!("{PEOPLE_HEAD}\np1,E1,insertion,9,oui,\np2,E1,insertion,3,xx,\n");
    for (name, text) in [
        ("lf.csv", lf.clone()),
        ("crlf.csv", lf.replace('\n', "\r\n")),
        ("cr.csv", lf.replace('\n', "\r")),
    ] {
        let (code, err, doc) = eval_people(name, text.as_bytes(), &[]);
        assert_eq!(code, 0, "{err}");
        let rows = diag_rows(&doc.expect("JSON"));
        assert_eq!(
            rows,
            [
                (2, "grille::data::out_of_range".to_string()),
                (3, "grille::data::bad_value".to_string())
            ],
            "{name}"
        );
        // The underline is on the cell's own line and column.
        assert!(err.contains(&format!("{name}:2:17]")), "{name}: {err}");
        assert!(err.contains(&format!("{name}:3:19]")), "{name}: {err}");
    }
}

/// A table over 4 MB split for two threads reads exactly as a small one,
/// with stray quotes in unquoted fields and multi-line answers around the
/// middle.
#[test]
fn large_tables_split_where_records_end() {
    let mut text = format!("{PEOPLE_HEAD}\n");
    let mut n = 0;
    while text.len() < 5 << 20 {
        n += 1;
        let answer = match n % 7 {
            0 => "il a dit 5\" de haut".to_string(),
            1 => "\"une réponse\nsur deux lignes, \"\"citée\"\"\"".to_string(),
            _ => "simple".to_string(),
        };
        text.push_str(&format!("p{n},E1,insertion,4,oui,{answer}\n"));
    }
    let (code, err, doc) = eval_people("big.csv", text.as_bytes(), &["--strict"]);
    assert_eq!(code, 0, "{}", &err[..err.len().min(2000)]);
    let doc = doc.expect("JSON");
    let people = &doc["data"]["personne"];
    assert_eq!(people["rows"], n, "no phantom or lost row");
    assert_eq!(people["used"], n);
    assert_eq!(people["questions"]["temoignage"]["present"], n);
    assert!(diag_rows(&doc).is_empty(), "{:?}", diag_rows(&doc));
}

/// A table of a megabyte or more is mapped from its file rather than
/// read, and its pages are handed back once the data is read: a cell
/// shown later still comes from the file, at its right place, with a
/// byte-order mark before the header; a file in another encoding is still
/// decoded.
#[test]
fn large_files_are_mapped_and_still_shown_where_they_are() {
    let mut text = format!("\u{feff}{PEOPLE_HEAD}\n");
    let mut n = 0;
    while text.len() < 3 << 19 {
        n += 1;
        text.push_str(&format!("p{n},E1,insertion,4,oui,réponse {n}\n"));
    }
    n += 1;
    let last = format!("p{n},E1,insertion,9,oui,la dernière");
    text.push_str(&format!("{last}\n"));
    let latin1: Vec<u8> = text
        .trim_start_matches('\u{feff}')
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
        .collect();
    for (name, bytes) in [("big.csv", text.as_bytes()), ("latin1.csv", &latin1[..])] {
        assert!(
            bytes.len() >= 1 << 20,
            "{name} is large enough to be mapped"
        );
        let (code, err, doc) = eval_people(name, bytes, &[]);
        assert_eq!(code, 0, "{name}: {}", &err[..err.len().min(2000)]);
        let doc = doc.expect("JSON");
        assert_eq!(doc["data"]["personne"]["rows"], n, "{name}");
        assert_eq!(
            diag_rows(&doc),
            [(n as u64 + 1, "grille::data::out_of_range".to_string())],
            "{name}"
        );
        // The snippet under the warning is the last row, read back from
        // the file after its pages were released.
        assert!(err.contains(&last), "{name}: {err}");
        let column = last.find(",9,").expect("the bad cell") + 2;
        let place = format!("{name}:{}:{column}]", n + 1);
        assert!(err.contains(&place), "{name}: {place} in {err}");
    }
}

/// Per-question counts add up to the rows used, not the rows read.
#[test]
fn question_counts_leave_out_rejected_rows() {
    let text = format!(
        "{PEOPLE_HEAD}\np1,E1,insertion,4,oui,\np2,E9,insertion,4,oui,\np3,E1,insertion,,non,\n"
    );
    let (_, err, doc) = eval_people("p.csv", text.as_bytes(), &[]);
    let doc = doc.unwrap_or_else(|| panic!("{err}"));
    let p = &doc["data"]["personne"];
    assert_eq!(p["rows"], 3);
    assert_eq!(p["used"], 2);
    // p2's unknown enterprise leaves it out: 1 present + 1 blank = 2 used.
    assert_eq!(p["questions"]["confiance"]["present"], 1);
    assert_eq!(p["questions"]["confiance"]["blank"], 1);
    assert_eq!(p["questions"]["formation"]["present"], 2);
}

/// `text`, two persons with the header repeated between them, reads as
/// two persons and one repeated header at row 3, which is no unit.
fn header_repeated_at_row_3(text: &str) {
    let (code, err, doc) = eval_people("p.csv", text.as_bytes(), &[]);
    assert_eq!(code, 0, "{err}");
    let doc = doc.expect("JSON");
    assert_eq!(
        diag_rows(&doc),
        [(3, "grille::data::repeated_header".to_string())]
    );
    assert_eq!(doc["data"]["personne"]["used"], 2);
    assert!(
        !doc["results"].to_string().contains("\"personne\""),
        "no phantom unit"
    );
}

/// A header row repeated inside the data, and a question in two columns.
#[test]
fn repeated_headers_and_duplicate_columns_are_errors() {
    let text =
        format!("{PEOPLE_HEAD}\np1,E1,insertion,4,oui,\n{PEOPLE_HEAD}\np2,E1,insertion,5,oui,\n");
    header_repeated_at_row_3(&text);
    // Two columns for `confiance`: refused, both named.
    let text = "personne,entreprise,statut,confiance,formation,groupe_b/confiance\np1,E1,insertion,,oui,4\n";
    let (code, err, _) = eval_people("p.csv", text.as_bytes(), &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("grille::data::duplicate_column"), "{err}");
    assert!(
        err.contains("`confiance` and `groupe_b/confiance`"),
        "{err}"
    );
}

/// Two exports pasted together, each starting with a byte-order mark: the
/// second header is a repeated header, not a unit. The mark inside the
/// file is read the same whether the table is read whole or in pieces
/// (the fuzzer's finding `bom-inside-utf16-table`, replayed with the other
/// saved inputs).
#[test]
fn a_header_after_a_byte_order_mark_is_a_repeated_header() {
    let text = format!(
        "\u{feff}{PEOPLE_HEAD}\np1,E1,insertion,4,oui,\n\u{feff}{PEOPLE_HEAD}\np2,E1,insertion,5,oui,\n"
    );
    header_repeated_at_row_3(&text);
}

/// Headers differing by case or spaces are matched, with a note; no cascade.
#[test]
fn headers_match_ignoring_case_and_spaces() {
    let text =
        " Personne ;ENTREPRISE;Statut;confiance;formation;temoignage\np1;E1;insertion;4;oui;\n";
    let (code, err, doc) = eval_people("p.csv", text.as_bytes(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("grille::data::loose_headers"), "{err}");
    assert!(err.contains("`ENTREPRISE` for `entreprise`"), "{err}");
    assert!(
        !err.contains("unknown_parent") && !err.contains("missing_column"),
        "{err}"
    );
    let doc = doc.expect("JSON");
    assert_eq!(doc["data"]["personne"]["used"], 1);
}

/// Windows-1252 and UTF-16 files are decoded with a note; broken ones refused at a place.
#[test]
fn encodings_are_detected() {
    let utf8 = format!("{PEOPLE_HEAD}\np1,E1,insertion,4,oui,Très bien été\n");
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(&utf8);
    let mut utf16 = vec![0xff, 0xfe];
    for u in utf8.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    for (name, bytes, enc) in [
        ("w.csv", latin.to_vec(), "windows-1252"),
        ("u.csv", utf16, "UTF-16LE"),
    ] {
        let (code, err, doc) = eval_people(name, &bytes, &[]);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("grille::data::encoding") && err.contains(enc),
            "{err}"
        );
        let doc = doc.expect("JSON");
        assert_eq!(doc["data"]["personne"]["used"], 1, "{name}");
        assert!(
            doc.to_string().contains("Très bien été")
                || doc["data"]["personne"]["questions"]["temoignage"]["present"] == 1
        );
    }
    // UTF-8 letters, then a byte that is not UTF-8: a mix, refused at its place.
    let mut mixed =
        format!("{PEOPLE_HEAD}\np1,E1,insertion,4,oui,été\np2,E1,insertion,4,oui,x").into_bytes();
    mixed.push(0xe9);
    mixed.push(b'\n');
    let (code, err, _) = eval_people("m.csv", &mixed, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("row 3, column 24"), "{err}");
}

/// Formats from statistics tools are named, not read as CSV.
#[test]
fn unsupported_formats_are_named() {
    for (name, bytes, what) in [
        ("d.sav", &b"$FL2@(#) SPSS DATA FILE"[..], "SPSS"),
        ("d.dta", b"<stata_dta>", "Stata"),
        ("d.parquet", b"PAR1\x15\x04", "Parquet"),
        ("d.csv", b"PAR1\x15\x04", "Parquet"),
    ] {
        let (code, err, _) = eval_people(name, bytes, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(what) && err.contains("CSV"), "{err}");
        assert!(!err.contains("UTF-8 ("), "{err}");
    }
}

/// `explain --unit` finds units of the finest level; an id used at two
/// levels needs `--level`.
#[test]
fn explain_finds_finest_units_and_asks_for_a_level() {
    let fw = format!(
        "{THREE_LEVELS}
questions at person {{ x: number }}
indicator ix {{ at person  value x * 2  rollup mean }}
"
    );
    // `A` is both an organisation and a person.
    let orgs = "org,terr\nA,T\n";
    let people = "person,org,x\np1,A,3\nA,A,5\n";
    let dir = TempDir::new(&[("f.grille", &fw), ("org.csv", orgs), ("person.csv", people)]);
    let base = [
        "explain",
        "f.grille",
        "ix",
        "--data",
        "org=org.csv",
        "--data",
        "person=person.csv",
        "--unit",
    ];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        let o = grille(dir.path(), &args);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (code, out, err) = run(&["p1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("person p1"), "{out}");
    let (code, _, err) = run(&["A"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("several levels (org, person)") && err.contains("--level"),
        "{err}"
    );
    let (code, out, err) = run(&["A", "--level", "org"]);
    assert_eq!(code, Some(0), "{err}");
    // The org's value: mean of 6 and 10.
    assert!(out.contains("org A"), "{out}");
    assert!(out.contains('8'), "{out}");
    let (code, out, _) = run(&["A", "--level", "person"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("person A"), "{out}");
}

/// Numbers on a scale of 100 next to a share are caught by `check`.
#[test]
fn share_scale_mistakes_are_warned() {
    let fw = format!(
        "{THREE_LEVELS}
questions at person {{ ok: yesno }}
questions at org {{ pct: percent }}
indicator s {{ at org  value share(ok)  normalize goalposts 0..60 }}
indicator t {{ at org  value pct  normalize target 60 }}
indicator fine {{ at org  value share(ok)  unit \"%\"  normalize goalposts 0%..60% }}
dimension d {{ use s  use t  use fine  gate s >= 20  gate fine >= 20% }}
"
    );
    let (code, err) = run_on(&fw, &["check", "f.grille"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err.matches("grille::check::scale_mismatch").count(),
        3,
        "{err}"
    );
    assert!(err.contains("shares are written `60%`"), "{err}");
    assert!(
        err.contains("0..60") && err.contains("target 60") && err.contains("s >= 20"),
        "{err}"
    );
}

/// A misspelt property after a label tagged by language is named as one.
#[test]
fn misspelt_property_after_a_tagged_label() {
    let fw = "framework t { title \"T\"  languages fr, en }
level org { label fr \"O\" en \"O\" }
questions at org { benevoles: number label fr \"B\" en \"V\" }
indicator i {
  at org
  label fr \"x\" en \"y\"
  valeur benevoles
}
";
    let (code, err) = run_on(fw, &["check", "f.grille"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("found `valeur`") && err.contains("did you mean `value`?"),
        "{err}"
    );
}

/// Evaluates the quickstart framework on an enterprises file given as
/// text; returns the JSON result and each unit's headcount.
fn headcounts(enterprises: &str) -> (Value, Vec<Option<f64>>) {
    let (_, err, doc) =
        eval_quickstart("entreprise", "entreprise.csv", enterprises.as_bytes(), &[]);
    let doc: Value = doc.unwrap_or_else(|| panic!("JSON result: {err}"));
    let values = doc["results"]["entreprise"]
        .as_array()
        .expect("enterprises")
        .iter()
        .map(|u| u["indicators"]["effectif_total"]["value"].as_f64())
        .collect();
    (doc, values)
}

fn codes_at(doc: &Value, code: &str) -> Vec<(u64, String)> {
    diag_rows(doc)
        .into_iter()
        .filter(|(_, c)| c == code)
        .collect()
}

/// Thousands separators are read the way the column writes its numbers.
#[test]
fn thousands_separators_are_read_by_column() {
    let head = "entreprise;territoire;effectif;achats_locaux\n";
    // Decimal commas elsewhere in the column: the point groups thousands.
    let (doc, v) = headcounts(&format!(
        "{head}E1;Lille;27.108;45%\nE2;Lille;12,5;0,2\nE3;Namur;1.234,5;nsp\n"
    ));
    assert_eq!(v, [Some(27108.0), Some(12.5), Some(1234.5)]);
    assert!(codes_at(&doc, "grille::data::ambiguous_number").is_empty());
    // Decimal points elsewhere in the column: the point is a decimal one.
    let (doc, v) = headcounts(&format!(
        "{head}E1;Lille;27.108;45%\nE2;Lille;1.5;0,2\nE3;Namur;30;nsp\n"
    ));
    assert_eq!(v, [Some(27.108), Some(1.5), Some(30.0)]);
    assert!(codes_at(&doc, "grille::data::ambiguous_number").is_empty());
    // Nothing decides: the file's convention (thousands), and a warning on
    // the cell (header is row 1, so E1 is row 2).
    let (doc, v) = headcounts(&format!(
        "{head}E1;Lille;27.108;45%\nE2;Lille;4;0,2\nE3;Namur;30;nsp\n"
    ));
    assert_eq!(v, [Some(27108.0), Some(4.0), Some(30.0)]);
    assert_eq!(
        codes_at(&doc, "grille::data::ambiguous_number"),
        [(2, "grille::data::ambiguous_number".to_string())]
    );
    // Both conventions in one column: ambiguous too.
    let (doc, v) = headcounts(&format!(
        "{head}E1;Lille;27.108;45%\nE2;Lille;1.5;0,2\nE3;Namur;2,5;nsp\n"
    ));
    assert_eq!(v, [Some(27108.0), Some(1.5), Some(2.5)]);
    assert_eq!(codes_at(&doc, "grille::data::ambiguous_number").len(), 1);
    // Spaces of every kind group thousands, with or without decimals.
    let (doc, v) = headcounts(&format!(
        "{head}E1;Lille;442 278;45%\nE2;Lille;442\u{a0}278,50;0,2\nE3;Namur;1\u{202f}000\u{202f}000;nsp\n"
    ));
    assert_eq!(v, [Some(442278.0), Some(442278.5), Some(1_000_000.0)]);
    assert!(diag_rows(&doc).is_empty(), "{:?}", diag_rows(&doc));
    // Malformed groups are not numbers, never a guess.
    let (doc, v) = headcounts(&format!(
        "{head}E1;Lille;44 2278;45%\nE2;Lille;1.23,5;0,2\nE3;Namur;1,2,3;nsp\n"
    ));
    assert_eq!(v, [None, None, None]);
    assert_eq!(codes_at(&doc, "grille::data::bad_value").len(), 3);
}

/// A missing `}` names the block left open and the line it began on,
/// whether another item follows or the file ends.
#[test]
fn missing_brace_names_the_open_block() {
    let head =
        "framework t { title \"T\" }\nlevel org { label \"O\" }\nquestions at org { x: number }\n";
    let next = format!("{head}indicator i {{\n  at org\n  value x\n\ndimension d {{ use i }}\n");
    let (code, err) = run_on(&next, &["check", "f.grille"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("grille::syntax::unclosed"), "{err}");
    assert!(err.contains("`indicator i` is not closed"), "{err}");
    assert!(err.contains("opened on line 4"), "{err}");
    // Nested: the innermost open block is named.
    let nested = format!(
        "{head}questions at org {{\n  y: choice {{ a \"A\"\n}}\nindicator j {{ at org value x }}\n"
    );
    let (_, err) = run_on(&nested, &["check", "f.grille"]);
    assert!(err.contains("`questions at org` is not closed"), "{err}");
    let end = format!("{head}dimension d {{\n  use i\n");
    let (code, err) = run_on(&end, &["check", "f.grille"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`dimension d` is not closed"), "{err}");
    assert!(err.contains("the file ends here"), "{err}");
}

/// A table beyond 4 GiB is refused before it is read (places in files are
/// 32-bit): a sparse file of 4 GiB and one byte, created instantly, is
/// never read.
#[test]
fn tables_beyond_four_gib_are_refused_before_reading() {
    let root = crate::support::root().join("examples/quickstart");
    let dir = TempDir::new(&[]);
    std::fs::copy(
        root.join("entreprise.csv"),
        dir.path().join("entreprise.csv"),
    )
    .expect("copied");
    let big = std::fs::File::create(dir.path().join("personne.csv")).expect("created");
    big.set_len((1u64 << 32) + 1).expect("a sparse file");
    let fw = root.join("framework.grille");
    let out = crate::support::eval_two_tables(dir.path(), &fw);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("personne.csv"), "{err}");
    assert!(
        err.contains("4.0 GiB") && err.contains("at most 4 GiB"),
        "{err}"
    );
    assert!(err.contains("--db"), "{err}");
}
