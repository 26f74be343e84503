//! The command line: exit codes, formats, output files, standard input.

use crate::support::{TempDir, fixture, grille, grille_stdin};

const OK_FW: &str = "framework t { title \"T\" }\nlevel org { label \"Org\" }\nquestions at org { x: number }\nindicator i { at org value x normalize goalposts 0..10 }\ndimension d { use i }\n";

#[test]
fn exit_codes() {
    let dir = TempDir::new(&[
        ("ok.grille", OK_FW),
        (
            "bad.grille",
            "framework t { title \"T\" }\nindicator i { at nowhere value 1 }\n",
        ),
        ("org.csv", "org,x\nA,5\n"),
    ]);
    assert_eq!(
        grille(dir.path(), &["check", "ok.grille"]).status.code(),
        Some(0)
    );
    assert_eq!(
        grille(dir.path(), &["check", "bad.grille"]).status.code(),
        Some(1)
    );
    assert_eq!(
        grille(dir.path(), &["check", "missing.grille"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        grille(dir.path(), &["check", "ok.grille", "--bogus"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        grille(dir.path(), &["eval", "ok.grille", "--data", "nope.csv"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        grille(dir.path(), &["eval", "ok.grille", "--data", "org.csv"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        grille(dir.path(), &["eval", "bad.grille", "--data", "org.csv"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn deny_warnings_and_json_diagnostics() {
    let dir = TempDir::new(&[(
        "w.grille",
        "framework t { title \"T\" }\nlevel org { label \"Org\" }\nquestions at org { x: number  y: number }\nindicator i { at org value x normalize goalposts 0..10 }\ndimension d { use i }\n",
    )]);
    assert_eq!(
        grille(dir.path(), &["check", "w.grille"]).status.code(),
        Some(0)
    );
    assert_eq!(
        grille(dir.path(), &["check", "w.grille", "--deny-warnings"])
            .status
            .code(),
        Some(1)
    );
    let out = grille(dir.path(), &["check", "w.grille", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v[0]["code"], "grille::check::unused_question");
    assert_eq!(v[0]["line"], 3);
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn fmt_check_and_rewrite() {
    let dir = TempDir::new(&[(
        "a.grille",
        "framework t {title \"T\"}\nlevel org{label \"Org\"}\n",
    )]);
    assert_eq!(
        grille(dir.path(), &["fmt", "--check", "a.grille"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        grille(dir.path(), &["fmt", "a.grille"]).status.code(),
        Some(0)
    );
    assert_eq!(
        grille(dir.path(), &["fmt", "--check", "a.grille"])
            .status
            .code(),
        Some(0)
    );
    let text = std::fs::read_to_string(dir.path().join("a.grille")).expect("rewritten");
    assert_eq!(
        text,
        "framework t {\n  title \"T\"\n}\n\nlevel org { label \"Org\" }\n"
    );
}

#[test]
fn csv_output_stdin_and_out_file() {
    let dir = TempDir::new(&[("ok.grille", OK_FW)]);
    let out = grille_stdin(
        dir.path(),
        &["eval", "ok.grille", "--data", "-", "--format", "csv"],
        "org,x\nA,5\nB,\n",
    );
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
    let out = grille_stdin(
        dir.path(),
        &["eval", "ok.grille", "--data", "org=-", "--out", "r.json"],
        "org,x\nA,5\n",
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).expect("written"))
            .expect("JSON");
    assert_eq!(v["schema"], "grille/result@1");
}

#[test]
fn json_and_ndjson_inputs() {
    let dir = TempDir::new(&[
        ("ok.grille", OK_FW),
        ("a.json", r#"[{"org":"A","x":5},{"org":"B","x":null}]"#),
        (
            "a.ndjson",
            "{\"org\":\"A\",\"x\":5}\n{\"org\":\"B\",\"x\":2}\n",
        ),
    ]);
    for f in ["a.json", "a.ndjson"] {
        let out = grille(dir.path(), &["eval", "ok.grille", "--data", f]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(v["results"]["org"][0]["indicators"]["i"]["value"], 5.0);
    }
}

#[test]
fn level_filter_and_provenance() {
    let dir = fixture("conformance/c01_enterprise_survey");
    let out = grille(
        &dir,
        &[
            "eval",
            "framework.grille",
            "--data",
            "entreprise=entreprise.csv",
            "--data",
            "personne=personne.csv",
            "--level",
            "territoire",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let keys: Vec<&String> = v["results"].as_object().expect("object").keys().collect();
    assert_eq!(keys, ["territoire"]);
    assert_eq!(v["framework"]["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(
        v["data"]["personne"]["sha256"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(v["engine"], grille::ENGINE);
}

#[test]
fn workbooks_are_read_by_sheet() {
    let dir = TempDir::new(&[("ok.grille", OK_FW)]);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let first = wb.add_worksheet();
    first.set_name("Notes").expect("name");
    first.write_string(0, 0, "nothing here").expect("cell");
    let sheet = wb.add_worksheet();
    sheet.set_name("Orgs").expect("name");
    sheet.write_string(0, 0, "org").expect("cell");
    sheet.write_string(0, 1, "x").expect("cell");
    sheet.write_string(1, 0, "A").expect("cell");
    sheet.write_number(1, 1, 7.5).expect("cell");
    sheet.write_string(2, 0, "B").expect("cell");
    sheet.write_string(2, 1, "lots").expect("cell");
    wb.save(dir.path().join("orgs.xlsx")).expect("saved");
    let out = grille(
        dir.path(),
        &["eval", "ok.grille", "--data", "org=orgs.xlsx#Orgs"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["results"]["org"][0]["indicators"]["i"]["value"], 7.5);
    // The unreadable cell is shown in the sheet's row 3, column x.
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "grille::data::bad_value");
    assert_eq!(d["row"], 3);
    assert_eq!(d["column"], "x");
    assert_eq!(d["file"], "orgs.xlsx#Orgs");
    let out = grille(
        dir.path(),
        &["eval", "ok.grille", "--data", "org=orgs.xlsx#Missing"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sheet `Missing`"));
}

#[test]
fn doc_renders_the_framework() {
    let dir = crate::support::root();
    let out = grille(
        &dir,
        &[
            "doc",
            "examples/quickstart/framework.grille",
            "--lang",
            "en",
        ],
    );
    assert!(out.status.success());
    insta::assert_snapshot!("doc_quickstart_en", String::from_utf8_lossy(&out.stdout));
    let out = grille(
        &dir,
        &[
            "doc",
            "frameworks/vises.grille",
            "--lang",
            "nl",
            "--format",
            "html",
        ],
    );
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(
        html.starts_with("<!doctype html>")
            && html.contains("<table>")
            && html.contains("Economische dimensie")
    );
    assert!(
        !html.contains("http"),
        "the page needs nothing from the network"
    );
    assert_eq!(
        grille(&dir, &["doc", "frameworks/vises.grille", "--lang", "de"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn templates_read_back_without_diagnostics() {
    let root = crate::support::root();
    let dir = TempDir::new(&[]);
    let out_dir = dir.path().join("t");
    let out = grille(
        &root,
        &[
            "template",
            "frameworks/vises.grille",
            "--out",
            out_dir.to_str().expect("path"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ent = std::fs::read_to_string(out_dir.join("entreprise.csv")).expect("written");
    let per = std::fs::read_to_string(out_dir.join("personne.csv")).expect("written");
    assert!(ent.starts_with("entreprise,territoire,groupe,"));
    assert!(per.starts_with("personne,entreprise,statut,"));
    assert!(
        std::fs::read_to_string(out_dir.join("README.md"))
            .expect("guide")
            .contains("| `confiance` |")
    );
    // One row in each table, with every column filled or blank: no data diagnostic.
    let fill = |header: &str, row: &dyn Fn(&str) -> String| {
        let cols: Vec<&str> = header.trim().split(',').collect();
        format!(
            "{}\n{}\n",
            header.trim(),
            cols.iter().map(|c| row(c)).collect::<Vec<_>>().join(",")
        )
    };
    let e = fill(&ent, &|c| match c {
        "entreprise" => "E1".into(),
        "territoire" => "T1".into(),
        "groupe" => "insertion".into(),
        _ => String::new(),
    });
    let p = fill(&per, &|c| match c {
        "personne" => "p1".into(),
        "entreprise" => "E1".into(),
        "statut" => "insertion".into(),
        "confiance" => "4".into(),
        _ => String::new(),
    });
    std::fs::write(out_dir.join("entreprise.csv"), e).expect("written");
    std::fs::write(out_dir.join("personne.csv"), p).expect("written");
    let fw = root.join("frameworks/vises.grille");
    let out = crate::support::eval_two_tables(&out_dir, &fw);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        v["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{}",
        v["diagnostics"]
    );
}
