//! `grille compare`: changes between rounds worked out by hand, the
//! fingerprints that tell a changed definition, errors, invariants
//! (a round compared with itself, rounds swapped), and the HTML report in
//! a real browser.

use crate::support::{TempDir, close, grille, validate};
use serde_json::Value;

const FW: &str = r#"framework t {
  title "T"
  version "1"
  languages en
  MINGROUP
}
level terr { label "Territory" }
level org { within terr  label "Organisation" }
level person { within org  label "Person" }
questions at org { turnover: percent  policy: yesno }
questions at person { job: yesno  s: scale 1..5 }
indicator in_work { at org  value share(job)  unit "%" }
indicator mean_s { at org  value mean(s)  normalize goalposts 1..5 }
indicator turn { at org  value turnover  unit "%"  better lower  rollup mean }
indicator pol { at org  value policy  rollup share }
dimension d { use in_work  use mean_s }
"#;

fn framework(min_group: u32) -> String {
    let line = if min_group > 1 {
        format!("min_group {min_group}")
    } else {
        String::new()
    };
    FW.replace("MINGROUP", &line)
}

/// Person rows: (org, jobs held, persons, scores).
fn persons(orgs: &[(&str, usize, usize, &[u8])]) -> String {
    let mut s = String::from("person,org,job,s\n");
    let mut k = 0;
    for (org, jobs, n, scores) in orgs {
        for i in 0..*n {
            k += 1;
            let job = if i < *jobs { "oui" } else { "non" };
            let sc = scores.get(i).map(|x| x.to_string()).unwrap_or_default();
            s += &format!("p{k},{org},{job},{sc}\n");
        }
    }
    s
}

/// Evaluates each round into the folder, then compares them.
struct Rounds {
    dir: TempDir,
    files: Vec<String>,
}

impl Rounds {
    fn new(rounds: &[(&str, &str, &str, &str)]) -> Rounds {
        let dir = TempDir::new(&[]);
        let mut files = Vec::new();
        for (label, fw, orgs, people) in rounds {
            let (f, o, p) = (
                format!("{label}.grille"),
                format!("{label}-org.csv"),
                format!("{label}-person.csv"),
            );
            for (name, text) in [(&f, fw), (&o, orgs), (&p, people)] {
                std::fs::write(dir.path().join(name), text).expect("written");
            }
            let out = format!("{label}.json");
            let o = grille(
                dir.path(),
                &[
                    "eval",
                    &f,
                    "--data",
                    &format!("org={o}"),
                    "--data",
                    &format!("person={p}"),
                    "--round",
                    label,
                    "--out",
                    &out,
                ],
            );
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            files.push(out);
        }
        Rounds { dir, files }
    }

    fn run(&self, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["compare"];
        args.extend(self.files.iter().map(String::as_str));
        args.extend(extra);
        grille(self.dir.path(), &args)
    }

    fn json(&self, extra: &[&str]) -> Value {
        let mut a = vec!["--format", "json"];
        a.extend(extra);
        let o = self.run(&a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let doc: Value = serde_json::from_slice(&o.stdout).expect("JSON");
        validate(&doc, "compare.schema.json");
        doc
    }
}

fn at<'a>(doc: &'a Value, k: usize, level: &str, unit: &str) -> &'a Value {
    doc["comparisons"][k]["results"][level]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap_or_else(|| panic!("no {unit} at {level}"))
}

const ORGS: &str = "org,terr,turnover,policy\nA,T1,20%,non\nB,T1,30%,oui\n";
const ORGS_AFTER: &str = "org,terr,turnover,policy\nA,T1,30%,oui\nB,T1,25%,oui\n";

/// Shares with the spec's reference intervals, and the territory pooling
/// both organisations.
#[test]
fn shares_means_lower_is_better_booleans_and_dimensions() {
    let fw = framework(1);
    let before = persons(&[("A", 48, 80, &[3, 3, 4, 4]), ("B", 3, 10, &[])]);
    let after = persons(&[("A", 56, 70, &[4, 4, 5, 5]), ("B", 9, 10, &[])]);
    let r = Rounds::new(&[("y1", &fw, ORGS, &before), ("y2", &fw, ORGS_AFTER, &after)]);
    let doc = r.json(&[]);
    assert_eq!(doc["comparisons"][0]["before"], "y1");
    let a = &at(&doc, 0, "org", "A")["indicators"];
    // 56/70 vs 48/80 → (0.0524, 0.3339), improved.
    let w = &a["in_work"];
    close(&w["delta"], 0.8 - 0.6);
    assert!((w["ci"][0].as_f64().unwrap() - 0.0524).abs() < 5e-4, "{w}");
    assert!((w["ci"][1].as_f64().unwrap() - 0.3339).abs() < 5e-4, "{w}");
    assert_eq!(w["status"], "improved");
    assert_eq!(w["before"]["n"], 80);
    // B: 9/10 vs 3/10 → (0.1705, 0.8090).
    let b = &at(&doc, 0, "org", "B")["indicators"]["in_work"];
    assert!((b["ci"][0].as_f64().unwrap() - 0.1705).abs() < 5e-4, "{b}");
    // A's mean of s: 3.5 (3, 3, 4, 4) → 4.5 (4, 4, 5, 5). Each has
    // s² = 1/3 over n = 4, so h = 1.959964 × √(1/3) / 2 and the change is
    // 1 ± √2·h = 1 ± 0.800148.
    let m = &a["mean_s"];
    close(&m["delta"], 1.0);
    let h = 1.959964 * (1.0f64 / 3.0).sqrt() / 2.0;
    close(&m["ci"][0], 1.0 - 2f64.sqrt() * h);
    close(&m["ci"][1], 1.0 + 2f64.sqrt() * h);
    assert_eq!(m["status"], "improved");
    // Turnover 20 % → 30 % with `better lower`: no interval, declined.
    let t = &a["turn"];
    close(&t["delta"], 0.1);
    assert!(t.get("ci").is_none());
    assert_eq!(t["status"], "declined");
    // B's turnover 30 % → 25 %: improved.
    assert_eq!(
        at(&doc, 0, "org", "B")["indicators"]["turn"]["status"],
        "improved"
    );
    // A yes/no policy, no → yes: 1 − 0, improved; B yes → yes: unchanged.
    close(&a["pol"]["delta"], 1.0);
    assert_eq!(a["pol"]["status"], "improved");
    assert_eq!(
        at(&doc, 0, "org", "B")["indicators"]["pol"]["status"],
        "unchanged"
    );
    // The dimension: the mean of the two scores. Before: 60 and 62.5
    // ((3.5 − 1) / 4 × 100); after: 80 and 87.5: +22.5 points.
    let d = &at(&doc, 0, "org", "A")["dimensions"]["d"];
    close(&d["score_delta"], (80.0 + 87.5) / 2.0 - (60.0 + 62.5) / 2.0);
    assert_eq!(d["status"], "improved");
    assert!(d.get("delta").is_none());
    // The territory pools: 51/90 before, 65/80 after.
    let terr = &at(&doc, 0, "terr", "T1")["indicators"]["in_work"];
    let (p1, p2) = (65.0 / 80.0, 51.0 / 90.0);
    close(&terr["delta"], p1 - p2);
    let (c1, c2) = (
        grille::eval::wilson(p1, 80.0).unwrap(),
        grille::eval::wilson(p2, 90.0).unwrap(),
    );
    let (lo, hi) = grille::compare::interval(p1, c1, p2, c2);
    close(&terr["ci"][0], lo);
    close(&terr["ci"][1], hi);
    // --level keeps one level.
    let only = r.json(&["--level", "org"]);
    let levels: Vec<&String> = only["comparisons"][0]["results"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(levels, ["org"]);
    // Summary counts by item.
    let sum = &doc["comparisons"][0]["summary"]["org"]["turn"];
    assert_eq!(
        (sum["improved"].as_u64(), sum["declined"].as_u64()),
        (Some(1), Some(1))
    );
    // CSV: one row per unit and item, the change's interval beside it.
    let o = r.run(&["--format", "csv"]);
    let csv = String::from_utf8(o.stdout).expect("UTF-8");
    assert!(csv.starts_with("level,unit,kind,item,round_before,round_after,before,after,delta,ci_low,ci_high,score_before,score_after,score_delta,status\n"));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("org,A,indicator,turn,y1,y2,0.2,0.3,")
                && l.ends_with(",declined")),
        "{csv}"
    );
}

/// A changed definition is not compared unless asked; three rounds give
/// each pair and the first with the last; units and items come and go.
#[test]
fn changed_definitions_three_rounds_and_units_coming_and_going() {
    let fw = framework(1);
    let changed = fw.replace("normalize goalposts 1..5", "normalize goalposts 0..5");
    let p = persons(&[("A", 5, 10, &[3, 4]), ("B", 2, 10, &[])]);
    let orgs3 = "org,terr,turnover,policy\nA,T1,20%,non\nC,T1,10%,oui\n";
    let p3 = persons(&[("A", 6, 10, &[3, 4]), ("C", 1, 10, &[])]);
    let r = Rounds::new(&[
        ("y1", &fw, ORGS, &p),
        ("y2", &changed, ORGS, &p),
        ("y3", &changed, orgs3, &p3),
    ]);
    let doc = r.json(&[]);
    let pairs: Vec<(&str, &str)> = doc["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["before"].as_str().unwrap(), c["after"].as_str().unwrap()))
        .collect();
    assert_eq!(pairs, [("y1", "y2"), ("y2", "y3"), ("y1", "y3")]);
    // mean_s is scored on other goalposts from y2 on: its numbers are not
    // comparable with y1's, and the dimension that reads it neither.
    let m = &at(&doc, 0, "org", "A")["indicators"]["mean_s"];
    assert_eq!(m["status"], "not_comparable");
    assert_eq!(m["definition_changed"], true);
    assert!(m.get("delta").is_none() && m.get("score_delta").is_none());
    close(&m["before"]["value"], 3.5);
    assert_eq!(
        at(&doc, 0, "org", "A")["dimensions"]["d"]["status"],
        "not_comparable"
    );
    // in_work did not change: compared.
    assert_eq!(
        at(&doc, 0, "org", "A")["indicators"]["in_work"]["status"],
        "no_clear_change"
    );
    // y2 → y3: same definitions; B left, C came.
    let c = &doc["comparisons"][1];
    assert_eq!(c["units_dropped"]["org"], serde_json::json!(["B"]));
    assert_eq!(c["units_added"]["org"], serde_json::json!(["C"]));
    assert!(
        at(&doc, 1, "org", "A")["indicators"]["mean_s"]
            .get("definition_changed")
            .is_none()
    );
    // With --allow-changed the change is computed and still flagged.
    let doc = r.json(&["--allow-changed"]);
    let m = &at(&doc, 0, "org", "A")["indicators"]["mean_s"];
    close(&m["delta"], 0.0);
    assert_eq!(m["definition_changed"], true);
    assert_ne!(m["status"], "not_comparable");
}

/// A suppressed value is never compared, on either side.
#[test]
fn suppressed_values_are_not_compared() {
    let fw = framework(3);
    let before = persons(&[("A", 1, 2, &[]), ("B", 2, 5, &[])]);
    let after = persons(&[("A", 2, 5, &[]), ("B", 1, 2, &[])]);
    let r = Rounds::new(&[("y1", &fw, ORGS, &before), ("y2", &fw, ORGS, &after)]);
    let doc = r.json(&[]);
    for u in ["A", "B"] {
        let w = &at(&doc, 0, "org", u)["indicators"]["in_work"];
        assert_eq!(w["status"], "missing", "{w}");
        for f in ["delta", "score_delta", "ci"] {
            assert!(w.get(f).is_none(), "{u}: {w}");
        }
    }
    let a = &at(&doc, 0, "org", "A")["indicators"]["in_work"];
    assert_eq!(a["before"]["status"], "suppressed");
    assert!(a["before"].get("value").is_none());
    let csv = String::from_utf8(r.run(&["--format", "csv"]).stdout).unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("org,A,indicator,in_work,"))
        .unwrap();
    assert!(
        row.ends_with(",,,,,,,,,missing") || row.contains(",,0.4,"),
        "{row}"
    );
}

/// Clear errors: a file that is not a result (exit 2, named), rounds with
/// nothing in common (exit 1).
#[test]
fn not_a_result_and_nothing_in_common() {
    let dir = TempDir::new(&[
        ("a.json", r#"{"schema": "grille/diff@1"}"#),
        ("b.json", "[1, 2]"),
        ("c.json", "not json"),
    ]);
    for f in ["a.json", "b.json", "c.json"] {
        let o = grille(dir.path(), &["compare", f, f]);
        assert_eq!(o.status.code(), Some(2));
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(&format!("`{f}` is not a grille result")), "{e}");
    }
    assert!(
        String::from_utf8_lossy(&grille(dir.path(), &["compare", "a.json", "a.json"]).stderr)
            .contains("schema is `grille/diff@1`")
    );
    let fw = framework(1);
    let other = "framework u {\n  title \"U\"\n  languages en\n}\nlevel site { label \"Site\" }\nquestions at site { x: number }\nindicator i { at site  value x  normalize goalposts 0..10 }\n";
    let dir2 = TempDir::new(&[("u.grille", other), ("s.csv", "site,x\nS,1\n")]);
    let o = grille(
        dir2.path(),
        &[
            "eval",
            "u.grille",
            "--data",
            "site=s.csv",
            "--out",
            "u.json",
        ],
    );
    assert!(o.status.success());
    let r = Rounds::new(&[("y1", &fw, ORGS, &persons(&[("A", 1, 3, &[])]))]);
    std::fs::copy(dir2.path().join("u.json"), r.dir.path().join("u.json")).unwrap();
    let o = grille(r.dir.path(), &["compare", "y1.json", "u.json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing in common"));
}

/// Fingerprints: layout, labels, docs, tags, ratings and `extends` leave
/// them alone; the value, a child's weight or `min_group` change them.
#[test]
fn fingerprints_follow_what_decides_the_numbers() {
    let defs = |files: &[(&str, &str)], main: &str| {
        let dir = TempDir::new(files);
        let mut sources = grille::source::SourceMap::new();
        let c =
            grille::check::check_path(&dir.path().join(main), &mut sources, &Default::default())
                .unwrap_or_else(|_| panic!("checks"));
        grille::fingerprint::definitions(&c.framework)
    };
    let base = framework(1);
    let a = defs(&[("f.grille", &base)], "f.grille");
    let relabelled = base
        .replace("label \"Organisation\"", "label \"Structure\"")
        .replace(
            "indicator turn {",
            "/// Staff turnover.\nindicator turn {\n  tags \"x\"",
        )
        .replace("  ", "    ");
    let b = defs(&[("f.grille", &relabelled)], "f.grille");
    assert_eq!(a.indicators, b.indicators);
    assert_eq!(a.dimensions, b.dimensions);
    let child = "framework c extends \"f.grille\" {\n  title \"C\"\n}\n";
    let c = defs(&[("f.grille", &base), ("c.grille", child)], "c.grille");
    assert_eq!(a.indicators, c.indicators);
    let value = defs(
        &[("f.grille", &base.replace("share(job)", "share(not job)"))],
        "f.grille",
    );
    assert_ne!(a.indicators.raw[0], value.indicators.raw[0]);
    assert_eq!(a.indicators.raw[1], value.indicators.raw[1]);
    // The dimension reads in_work: it changes with it.
    assert_ne!(a.dimensions.raw[0], value.dimensions.raw[0]);
    let weight = defs(
        &[(
            "f.grille",
            &base.replace("use mean_s", "use mean_s weight 2"),
        )],
        "f.grille",
    );
    assert_eq!(a.indicators, weight.indicators);
    assert_ne!(a.dimensions.raw[0], weight.dimensions.raw[0]);
    let k = defs(&[("f.grille", &framework(5))], "f.grille");
    assert!(a.indicators.iter().zip(&k.indicators).all(|(x, y)| x != y));
}

/// The comparison report in Markdown names the rounds and writes changes
/// in points with their interval.
#[test]
fn markdown_report_writes_changes_by_unit() {
    let fw = framework(1);
    let before = persons(&[("A", 48, 80, &[3, 3, 4, 4]), ("B", 3, 10, &[])]);
    let after = persons(&[("A", 56, 70, &[4, 4, 5, 5]), ("B", 9, 10, &[])]);
    let r = Rounds::new(&[("y1", &fw, ORGS, &before), ("y2", &fw, ORGS_AFTER, &after)]);
    let o = r.run(&["--format", "md", "--lang", "fr"]);
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.contains("# Comparaison des tours"), "{md}");
    // A: 60 % → 80 %, +20 points, interval (0.0524, 0.3339) in points.
    assert!(
        md.contains("| in_work | 60 % | 80 % | +20 pts \\[+5,24 ; +33,39\\] | en progrès |"),
        "{md}"
    );
    // Turnover 20 % → 30 %, better lower.
    assert!(
        md.contains("| turn | 20 % | 30 % | +10 pts | en recul |"),
        "{md}"
    );
    // The territory lists how its organisations moved.
    assert!(md.contains("| org A | 4 | 1 | 0 |"), "{md}");
    let o = r.run(&["--format", "html", "--lang", "nl"]);
    let html = String::from_utf8(o.stdout).unwrap();
    assert!(html.contains("class=\"slopes\"") && html.contains("vooruitgang"));
    // Self-contained: nothing is fetched (the SVG namespace is not a fetch).
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
}

#[test]
fn html_comparison_renders_in_chromium() {
    let Some(browser) = crate::support::external(
        super::reports::chromium(),
        "Chromium",
        "apt-get install chromium",
    ) else {
        return;
    };
    let fw = framework(1);
    let before = persons(&[("A", 48, 80, &[3, 3, 4, 4]), ("B", 3, 10, &[])]);
    let after = persons(&[("A", 56, 70, &[4, 4, 5, 5]), ("B", 9, 10, &[])]);
    let r = Rounds::new(&[("y1", &fw, ORGS, &before), ("y2", &fw, ORGS_AFTER, &after)]);
    let o = r.run(&["--format", "html", "--out", "cmp.html"]);
    assert!(o.status.success());
    super::reports::renders_in_chromium(
        &browser,
        &r.dir.path().join("cmp.html"),
        3,
        &["class=\"slopes\""],
    );
}

mod props {
    use super::{ORGS, Rounds, at, framework, persons};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// A round compared with itself does not move; swapping two rounds
        /// negates every change, mirrors its interval and its direction.
        #[test]
        fn self_and_swapped(a in (0usize..12, 1usize..12), b in (0usize..12, 1usize..12), c in (0usize..12, 1usize..12)) {
            let fw = framework(1);
            let p1 = persons(&[("A", a.0.min(a.1), a.1, &[1, 3, 5]), ("B", b.0.min(b.1), b.1, &[2, 2])]);
            let p2 = persons(&[("A", c.0.min(c.1), c.1, &[4, 5]), ("B", b.0.min(b.1), b.1, &[2, 3])]);
            let same = Rounds::new(&[("x", &fw, ORGS, &p1), ("y", &fw, ORGS, &p1)]).json(&[]);
            for u in ["A", "B"] {
                for (id, ch) in at(&same, 0, "org", u)["indicators"].as_object().unwrap() {
                    if let Some(d) = ch.get("delta") {
                        prop_assert!(d.as_f64().unwrap().abs() < 1e-12, "{} {}", id, ch);
                    }
                    let st = ch["status"].as_str().unwrap();
                    prop_assert!(["no_clear_change", "unchanged", "missing"].contains(&st), "{} {}", id, ch);
                }
            }
            let fwd = Rounds::new(&[("x", &fw, ORGS, &p1), ("y", &fw, ORGS, &p2)]).json(&[]);
            let back = Rounds::new(&[("y", &fw, ORGS, &p2), ("x", &fw, ORGS, &p1)]).json(&[]);
            for u in ["A", "B"] {
                let (f, g) = (&at(&fwd, 0, "org", u)["indicators"], &at(&back, 0, "org", u)["indicators"]);
                for (id, x) in f.as_object().unwrap() {
                    let y = &g[id];
                    if let (Some(d1), Some(d2)) = (x["delta"].as_f64(), y["delta"].as_f64()) {
                        prop_assert!((d1 + d2).abs() < 1e-12);
                    }
                    if let (Some(c1), Some(c2)) = (x["ci"].as_array(), y["ci"].as_array()) {
                        prop_assert!((c1[0].as_f64().unwrap() + c2[1].as_f64().unwrap()).abs() < 1e-9);
                        prop_assert!((c1[1].as_f64().unwrap() + c2[0].as_f64().unwrap()).abs() < 1e-9);
                    }
                    let mirrored = match x["status"].as_str().unwrap() {
                        "improved" => "declined",
                        "declined" => "improved",
                        s => s,
                    };
                    prop_assert_eq!(y["status"].as_str().unwrap(), mirrored, "{}", id);
                }
            }
        }
    }
}
