//! The conformance cases (copied from the shared suite into
//! `tests/fixtures/conformance`), checked the way their runner does.

use crate::support::{fixture, grille};

use serde_json::Value;

enum Sel {
    Key(String),
    Index(usize),
    Match(String, String),
}

fn path_parts(p: &str) -> Vec<Sel> {
    let mut out = Vec::new();
    let mut rest = p;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
            continue;
        }
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').expect("closing bracket");
            let inner = &r[..end];
            rest = &r[end + 1..];
            match inner.split_once('=') {
                Some((k, v)) => out.push(Sel::Match(k.into(), v.into())),
                None => out.push(Sel::Index(inner.parse().expect("index"))),
            }
            continue;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        out.push(Sel::Key(rest[..end].to_string()));
        rest = &rest[end..];
    }
    out
}

fn walk<'a>(doc: &'a Value, parts: &[Sel]) -> Option<&'a Value> {
    let mut cur = doc;
    for p in parts {
        cur = match p {
            Sel::Key(k) => cur.get(k)?,
            Sel::Index(i) => cur.get(*i)?,
            Sel::Match(k, v) => cur.as_array()?.iter().find(|x| {
                x.get(k).is_some_and(|y| match y {
                    Value::String(s) => s == v,
                    other => v
                        .parse::<f64>()
                        .ok()
                        .is_some_and(|n| other.as_f64() == Some(n)),
                })
            })?,
        };
    }
    Some(cur)
}

fn check(doc: &Value, c: &Value) -> Option<String> {
    let path = c["path"].as_str().expect("path");
    let parts = path_parts(path);
    if c.get("absent").is_some() {
        return walk(doc, &parts).map(|v| format!("{path}: expected absent, found {v}"));
    }
    let Some(got) = walk(doc, &parts) else {
        return Some(format!("{path}: not found"));
    };
    let want = &c["eq"];
    let tol = c.get("tol").and_then(Value::as_f64).unwrap_or(1e-9);
    let ok = match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().expect("number"), b.as_f64().expect("number"));
            (a - b).abs() <= tol * b.abs().max(1.0)
        }
        (a, b) => a == b,
    };
    (!ok).then(|| format!("{path}: expected {want}, got {got}"))
}

#[test]
fn every_case_passes() {
    let root = fixture("conformance");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("cases")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in cases {
        let spec: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("case.json")).expect("case.json"),
        )
        .expect("JSON");
        // Each case runs in a fresh copy of its folder, since runs may write
        // files (`--out`) that later runs read.
        let files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .expect("case folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_file())
            .map(|p| {
                let name = p.file_name().expect("name").to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).expect("a text fixture"))
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let copy = crate::support::TempDir::new(&borrowed);
        let label_dir = dir.clone();
        let dir = copy.path().to_path_buf();
        for run in spec["runs"].as_array().expect("runs") {
            let args: Vec<&str> = run["args"]
                .as_array()
                .expect("args")
                .iter()
                .map(|a| a.as_str().expect("arg"))
                .collect();
            let out = grille(&dir, &args);
            let label = format!(
                "{}: grille {}",
                label_dir.file_name().expect("name").to_string_lossy(),
                args.join(" ")
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.code() != run["exit"].as_i64().map(|x| x as i32) {
                failures.push(format!(
                    "{label}: exit {:?}, expected {}; {stderr}",
                    out.status.code(),
                    run["exit"]
                ));
            }
            for s in run
                .get("stderr_contains")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !stderr.contains(s.as_str().expect("string")) {
                    failures.push(format!("{label}: stderr lacks {s}"));
                }
            }
            if let Some(checks) = run.get("checks").and_then(Value::as_array) {
                let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
                match doc["schema"].as_str() {
                    Some("grille/compare@1") => {
                        crate::support::validate(&doc, "compare.schema.json")
                    }
                    _ => crate::support::validate_result(&doc),
                }
                for c in checks {
                    checked += 1;
                    if let Some(m) = check(&doc, c) {
                        failures.push(format!("{label}: {m}"));
                    }
                }
            }
        }
    }
    assert!(checked > 30, "the cases hold their checks");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
