//! The evaluation rules, each with expectations computed by hand in the test.

use crate::support::{close, eval_json, unit};
use serde_json::Value;

const TWO_LEVELS: &str = r#"framework t { title "T" }
level org { label "Org" }
level person { within org  label "Person" }
"#;

fn fw(body: &str) -> String {
    format!("{TWO_LEVELS}\n{body}")
}

fn ind<'a>(doc: &'a Value, level: &str, u: &str, i: &str) -> &'a Value {
    &unit(doc, level, u)["indicators"][i]
}

const PEOPLE: &str =
    "person,org,x,ok,w\np1,A,1,yes,1\np2,A,2,no,3\np3,A,3,yes,\np4,A,,,1\np5,B,,,1\np6,B,,no,2\n";
const ORGS: &str = "org\nA\nB\nC\n";

fn people_fw(value: &str) -> String {
    fw(&format!(
        "questions at person {{ x: number  ok: yesno  w: number }}\nindicator v {{ at org value {value} }}\n"
    ))
}

fn agg(value: &str) -> Value {
    eval_json(&people_fw(value), &[("org", ORGS), ("person", PEOPLE)])
}

#[test]
fn count_sum_mean_on_ordinary_empty_and_missing_input() {
    // A: x = 1, 2, 3, missing; B: all missing; C: no rows.
    let d = agg("count(person)");
    close(&ind(&d, "org", "A", "v")["value"], 4.0);
    close(&ind(&d, "org", "C", "v")["value"], 0.0);
    let d = agg("count(ok)");
    close(&ind(&d, "org", "A", "v")["value"], 2.0);
    close(&ind(&d, "org", "A", "v")["n"], 3.0);
    close(&ind(&d, "org", "B", "v")["value"], 0.0);
    let d = agg("sum(x)");
    close(&ind(&d, "org", "A", "v")["value"], 6.0);
    close(&ind(&d, "org", "A", "v")["n"], 3.0);
    close(&ind(&d, "org", "A", "v")["coverage"], 0.75);
    close(&ind(&d, "org", "B", "v")["value"], 0.0);
    close(&ind(&d, "org", "C", "v")["value"], 0.0);
    let d = agg("mean(x)");
    close(&ind(&d, "org", "A", "v")["value"], 2.0);
    assert_eq!(ind(&d, "org", "B", "v")["status"], "missing");
    assert!(ind(&d, "org", "B", "v").get("value").is_none());
    assert_eq!(ind(&d, "org", "C", "v")["status"], "missing");
    // mean ± z·s/√n with s = 1, n = 3.
    let half = 1.959964 / 3f64.sqrt();
    close(&ind(&d, "org", "A", "v")["ci"][0], 2.0 - half);
    close(&ind(&d, "org", "A", "v")["ci"][1], 2.0 + half);
}

#[test]
fn order_statistics() {
    let d = agg("median(x)");
    close(&ind(&d, "org", "A", "v")["value"], 2.0);
    let d = agg("min(x)");
    close(&ind(&d, "org", "A", "v")["value"], 1.0);
    let d = agg("max(x)");
    close(&ind(&d, "org", "A", "v")["value"], 3.0);
    assert_eq!(ind(&d, "org", "B", "v")["status"], "missing");
    let d = agg("stddev(x)");
    close(&ind(&d, "org", "A", "v")["value"], 1.0);
    let d = agg("percentile(x, 25)");
    close(&ind(&d, "org", "A", "v")["value"], 1.5);
    let d = agg("distinct(ok)");
    close(&ind(&d, "org", "A", "v")["value"], 2.0);
    let d = agg("median(x where x > 1)");
    close(&ind(&d, "org", "A", "v")["value"], 2.5);
    // All missing (B) and no rows (C).
    for f in [
        "median(x)",
        "min(x)",
        "max(x)",
        "stddev(x)",
        "percentile(x, 50)",
        "ratio(x, w)",
        "mean(x weight w)",
    ] {
        let d = agg(f);
        assert_eq!(
            ind(&d, "org", "B", "v")["status"],
            "missing",
            "{f} over all-missing rows"
        );
        assert_eq!(
            ind(&d, "org", "C", "v")["status"],
            "missing",
            "{f} over no rows"
        );
    }
    for f in ["distinct(x)", "sum(x weight w)", "count(ok where x > 1)"] {
        let d = agg(f);
        close(&ind(&d, "org", "B", "v")["value"], 0.0);
        close(&ind(&d, "org", "C", "v")["value"], 0.0);
    }
    // One present value: no standard deviation, a percentile equal to it.
    let d = agg("stddev(x where x == 3)");
    assert_eq!(ind(&d, "org", "A", "v")["status"], "missing");
    let d = agg("percentile(x, 90 where x == 3)");
    close(&ind(&d, "org", "A", "v")["value"], 3.0);
}

#[test]
fn share_ratio_and_weights() {
    let d = agg("share(ok)");
    close(&ind(&d, "org", "A", "v")["value"], 2.0 / 3.0);
    close(&ind(&d, "org", "B", "v")["value"], 0.0);
    assert_eq!(ind(&d, "org", "C", "v")["status"], "missing");
    // Wilson for 2/3.
    let (p, n, z) = (2.0 / 3.0, 3.0, 1.959964f64);
    let den = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / den;
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / den;
    close(&ind(&d, "org", "A", "v")["ci"][0], c - h);
    close(&ind(&d, "org", "A", "v")["ci"][1], c + h);
    // ok weighted by w: p1 yes w1, p2 no w3, p3 yes (no weight: left out).
    let d = agg("share(ok weight w)");
    close(&ind(&d, "org", "A", "v")["value"], 0.25);
    close(&ind(&d, "org", "A", "v")["n"], 2.0);
    let d = agg("mean(x weight w)");
    close(&ind(&d, "org", "A", "v")["value"], (1.0 + 6.0) / 4.0);
    let d = agg("ratio(x, w)");
    // rows with both: p1 (1,1), p2 (2,3).
    close(&ind(&d, "org", "A", "v")["value"], 3.0 / 4.0);
    let d = agg("sum(x where ok)");
    close(&ind(&d, "org", "A", "v")["value"], 4.0);
}

#[test]
fn three_valued_logic_and_division_by_zero() {
    let f = fw(
        "questions at org { a: yesno  b: yesno  n: number  m: number }\n\
        indicator and_ { at org value a and b }\nindicator or_ { at org value a or b }\n\
        indicator div { at org value n / m }\n",
    );
    let d = eval_json(
        &f,
        &[("org", "org,a,b,n,m\nA,no,,1,0\nB,yes,,4,2\nC,,yes,,1\n")],
    );
    assert_eq!(ind(&d, "org", "A", "and_")["value"], false);
    assert_eq!(ind(&d, "org", "B", "and_")["status"], "missing");
    assert_eq!(ind(&d, "org", "B", "or_")["value"], true);
    assert_eq!(ind(&d, "org", "C", "or_")["value"], true);
    assert_eq!(ind(&d, "org", "A", "or_")["status"], "missing");
    assert_eq!(ind(&d, "org", "A", "div")["status"], "missing");
    close(&ind(&d, "org", "B", "div")["value"], 2.0);
    let codes: Vec<&str> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"grille::eval::division_by_zero"));
}

fn scored(norm: &str, better: &str, values: &str) -> Value {
    let f = fw(&format!(
        "questions at org {{ x: number }}\nindicator s {{ at org value x normalize {norm} better {better} }}\ndimension d {{ use s }}\n"
    ));
    eval_json(&f, &[("org", &format!("org,x\n{values}"))])
}

#[test]
fn normalisations_at_and_beyond_bounds() {
    let d = scored("goalposts 10..20", "higher", "A,10\nB,15\nC,25\nD,5\n");
    close(&ind(&d, "org", "A", "s")["score"], 0.0);
    close(&ind(&d, "org", "B", "s")["score"], 50.0);
    close(&ind(&d, "org", "C", "s")["score"], 100.0);
    close(&ind(&d, "org", "D", "s")["score"], 0.0);
    let d = scored("goalposts 10..20", "lower", "A,10\nB,12\n");
    close(&ind(&d, "org", "A", "s")["score"], 100.0);
    close(&ind(&d, "org", "B", "s")["score"], 80.0);
    let d = scored("target 8", "higher", "A,4\nB,8\nC,16\n");
    close(&ind(&d, "org", "A", "s")["score"], 50.0);
    close(&ind(&d, "org", "B", "s")["score"], 100.0);
    close(&ind(&d, "org", "C", "s")["score"], 100.0);
    let d = scored("minmax", "higher", "A,2\nB,4\nC,6\nD,\n");
    close(&ind(&d, "org", "A", "s")["score"], 0.0);
    close(&ind(&d, "org", "B", "s")["score"], 50.0);
    close(&ind(&d, "org", "C", "s")["score"], 100.0);
    assert!(ind(&d, "org", "D", "s").get("score").is_none());
    let d = scored("minmax", "higher", "A,3\nB,3\n");
    assert!(ind(&d, "org", "A", "s").get("score").is_none());
    assert!(
        d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "grille::eval::degenerate_scale")
    );
    let d = scored("rank", "higher", "A,5\nB,1\nC,5\nD,9\n");
    // ranks 2.5, 1, 2.5, 4 of m = 4.
    close(&ind(&d, "org", "A", "s")["score"], 50.0);
    close(&ind(&d, "org", "B", "s")["score"], 0.0);
    close(&ind(&d, "org", "D", "s")["score"], 100.0);
    let d = scored("rank", "lower", "A,5\nB,1\n");
    close(&ind(&d, "org", "A", "s")["score"], 0.0);
    let d = scored(
        "map { 1: 0, 2: 40, 3: 100 }",
        "higher",
        "A,1\nB,2\nC,3\nD,7\n",
    );
    close(&ind(&d, "org", "B", "s")["score"], 40.0);
    assert!(ind(&d, "org", "D", "s").get("score").is_none());
}

#[test]
fn targets_read_from_data() {
    let f = fw("questions at org { exits: number  goal: number }\n\
        indicator s { at org value exits normalize target goal }\ndimension d { use s }\n");
    let d = eval_json(&f, &[("org", "org,exits,goal\nA,3,6\nB,3,0\nC,3,\n")]);
    close(&ind(&d, "org", "A", "s")["score"], 50.0);
    assert!(ind(&d, "org", "B", "s").get("score").is_none());
    assert!(ind(&d, "org", "C", "s").get("score").is_none());
}

fn dim_with(aggregate: &str, scores: &str) -> Value {
    let f = fw(&format!(
        "questions at org {{ a: number  b: number }}\n\
         indicator ia {{ at org value a normalize goalposts 0..100 }}\n\
         indicator ib {{ at org value b normalize goalposts 0..100 }}\n\
         dimension d {{ aggregate {aggregate} use ia weight 3 use ib }}\n"
    ));
    eval_json(&f, &[("org", &format!("org,a,b\n{scores}"))])
}

fn dscore<'a>(d: &'a Value, u: &str) -> &'a Value {
    &unit(d, "org", u)["dimensions"]["d"]
}

#[test]
fn dimension_aggregates_with_a_zero_child() {
    let rows = "A,0,80\nB,40,80\n";
    let d = dim_with("mean", rows);
    close(&dscore(&d, "A")["score"], 20.0);
    close(&dscore(&d, "B")["score"], 50.0);
    let d = dim_with("geometric", rows);
    close(&dscore(&d, "A")["score"], 0.0);
    close(
        &dscore(&d, "B")["score"],
        (3.0 * 40f64.ln() / 4.0 + 80f64.ln() / 4.0).exp(),
    );
    let d = dim_with("harmonic", rows);
    close(&dscore(&d, "A")["score"], 0.0);
    close(&dscore(&d, "B")["score"], 4.0 / (3.0 / 40.0 + 1.0 / 80.0));
    let d = dim_with("median", rows);
    close(&dscore(&d, "A")["score"], 0.0);
    let d = dim_with("min", rows);
    close(&dscore(&d, "B")["score"], 40.0);
    let d = dim_with("max", rows);
    close(&dscore(&d, "A")["score"], 80.0);
}

#[test]
fn coverage_require_and_reweighting() {
    let d = dim_with("mean", "A,,80\nB,40,\n");
    // A: only ib (weight 1 of 4) → 25 % < 50 %.
    assert_eq!(dscore(&d, "A")["status"], "insufficient");
    close(&dscore(&d, "A")["coverage"], 0.25);
    assert!(dscore(&d, "A").get("score").is_none());
    // B: ia alone (3 of 4) → renormalised: 40.
    close(&dscore(&d, "B")["score"], 40.0);
    close(&dscore(&d, "B")["coverage"], 0.75);
}

#[test]
fn applicability_gates_and_ratings() {
    let f = fw(
        r#"questions at org { kind: choice { a, b }  x: number  y: number }
ratings r { low below 50 high }
indicator ix { at org value x normalize goalposts 0..100 when kind == "a" }
indicator iy { at org value y normalize goalposts 0..100 }
dimension d {
  rate r
  use ix
  use iy
  gate score(ix) >= 50
}
"#,
    );
    let d = eval_json(
        &f,
        &[(
            "org",
            "org,kind,x,y\nA,a,40,100\nB,b,40,100\nC,a,,100\nD,,10,10\n",
        )],
    );
    // A: mean 70, gate fails → lowest rating.
    close(&dscore(&d, "A")["score"], 70.0);
    assert_eq!(dscore(&d, "A")["gates"]["passed"], false);
    assert_eq!(dscore(&d, "A")["rating"], "low");
    // B: ix not applicable → left out, gate passes.
    assert_eq!(ind(&d, "org", "B", "ix")["status"], "not_applicable");
    assert!(ind(&d, "org", "B", "ix").get("value").is_none());
    close(&dscore(&d, "B")["score"], 100.0);
    close(&dscore(&d, "B")["coverage"], 1.0);
    assert_eq!(dscore(&d, "B")["gates"]["passed"], true);
    assert_eq!(dscore(&d, "B")["rating"], "high");
    // C: ix missing → gate fails.
    assert_eq!(dscore(&d, "C")["gates"]["passed"], false);
    assert_eq!(dscore(&d, "C")["gates"]["failed"][0], "score(ix) >= 50");
    // D: `when` on a missing answer → missing.
    assert_eq!(ind(&d, "org", "D", "ix")["status"], "missing");
}

const TERR: &str = r#"framework t { title "T" min_group 3 }
level terr { label "Territory" }
level org { within terr  label "Org" }
level person { within org  label "Person" }
questions at org { jobs: number  big: yesno  form: choice { coop, asbl } }
questions at person { ok: yesno }
indicator s { at org value share(ok) min_n 2 }
indicator sum_jobs { at org value jobs rollup sum }
indicator mean_jobs { at org value jobs }
indicator med_jobs { at org value jobs rollup median }
indicator min_jobs { at org value jobs rollup min }
indicator max_jobs { at org value jobs rollup max }
indicator wjobs { at org value jobs rollup mean weight jobs }
indicator bigs { at org value big }
indicator forms { at org value form }
indicator own { at org value jobs rollup none }
"#;

#[test]
fn rollups_statuses_and_privacy() {
    let orgs = "org,terr,jobs,big,form\nE1,T1,2,yes,coop\nE2,T1,4,no,asbl\nE3,T1,,yes,coop\nE4,T2,10,no,asbl\n";
    let people = "person,org,ok\na,E1,yes\nb,E1,no\nc,E1,yes\nd,E2,yes\ne,E2,yes\nf,E3,no\ng,E3,yes\nh,E4,yes\n";
    let d = eval_json(TERR, &[("org", orgs), ("person", people)]);
    // Pooled: T1 over a..g = 5/7; E2 has n = 2 < min_group 3 → suppressed; E4 n = 1.
    close(&ind(&d, "terr", "T1", "s")["value"], 5.0 / 7.0);
    close(&ind(&d, "terr", "T1", "s")["units"], 3.0);
    close(&ind(&d, "terr", "T1", "s")["units_total"], 3.0);
    assert_eq!(ind(&d, "org", "E2", "s")["status"], "suppressed");
    assert!(ind(&d, "org", "E2", "s").get("value").is_none());
    close(&ind(&d, "org", "E1", "s")["value"], 2.0 / 3.0);
    // T2 pools one person: suppressed too.
    assert_eq!(ind(&d, "terr", "T2", "s")["status"], "suppressed");
    // Rollups over units are never suppressed.
    close(&ind(&d, "terr", "T1", "sum_jobs")["value"], 6.0);
    close(&ind(&d, "terr", "T1", "sum_jobs")["units"], 2.0);
    close(&ind(&d, "terr", "T1", "sum_jobs")["units_total"], 3.0);
    close(&ind(&d, "terr", "T1", "mean_jobs")["value"], 3.0);
    close(&ind(&d, "terr", "T1", "med_jobs")["value"], 3.0);
    close(&ind(&d, "terr", "T1", "min_jobs")["value"], 2.0);
    close(&ind(&d, "terr", "T1", "max_jobs")["value"], 4.0);
    close(&ind(&d, "terr", "T1", "wjobs")["value"], (4.0 + 16.0) / 6.0);
    close(&ind(&d, "terr", "T1", "bigs")["value"], 2.0 / 3.0);
    assert_eq!(
        ind(&d, "terr", "T1", "forms")["value"],
        serde_json::json!({"coop": 2, "asbl": 1})
    );
    assert!(unit(&d, "terr", "T1")["indicators"].get("own").is_none());
    close(&ind(&d, "org", "E1", "own")["value"], 2.0);
    assert_eq!(unit(&d, "org", "E4",)["parent"], "T2");
}

#[test]
fn low_n() {
    let f =
        fw("questions at person { ok: yesno }\nindicator s { at org value share(ok) min_n 3 }\n");
    let d = eval_json(
        &f,
        &[(
            "person",
            "person,org,ok\na,A,yes\nb,A,no\nc,B,yes\nd,B,yes\ne,B,no\n",
        )],
    );
    assert_eq!(ind(&d, "org", "A", "s")["status"], "low_n");
    close(&ind(&d, "org", "A", "s")["value"], 0.5);
    assert_eq!(ind(&d, "org", "B", "s")["status"], "ok");
}

#[test]
fn evidence_keeps_and_filters() {
    let f = fw(
        "questions at person { words: text  ok: yesno }\nevidence quotes { at org collect words where ok keep 2 }\n",
    );
    let d = eval_json(
        &f,
        &[(
            "person",
            "person,org,words,ok\na,A,first,yes\nb,A,skip,no\nc,A,second,yes\nd,A,third,yes\n",
        )],
    );
    assert_eq!(
        unit(&d, "org", "A")["evidence"]["quotes"],
        serde_json::json!(["first", "second"])
    );
}

#[test]
fn rules_blank_the_answers_they_name() {
    let f = fw(
        r#"questions at org { women: number  men: number  staff: number }
rule split at org { check women + men <= staff  message "too many" severity error }
indicator w { at org value women }
indicator s { at org value staff }
"#,
    );
    let d = eval_json(&f, &[("org", "org,women,men,staff\nA,3,3,4\nB,1,1,4\n")]);
    assert_eq!(ind(&d, "org", "A", "w")["status"], "missing");
    assert_eq!(ind(&d, "org", "A", "s")["status"], "missing");
    close(&ind(&d, "org", "B", "w")["value"], 1.0);
    let diag = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "grille::data::rule_failed")
        .expect("reported");
    assert_eq!(diag["row"], 2);
    assert_eq!(diag["file"], "org.csv");
}

#[test]
fn survey_exports_are_read() {
    // Semicolons with decimal commas, a BOM, yes/no words, labels for options, group prefixes.
    let f = fw(r#"framework_placeholder"#
        .replace(
            "framework_placeholder",
            r#"questions at person {
  x: number
  p: percent
  ok: yesno
  status: choice { w fr "Salarié" en "Worker", v fr "Bénévole" en "Volunteer" }
}
indicator mx { at org value mean(x) }
indicator mp { at org value mean(p) }
indicator sok { at org value share(ok) }
indicator sv { at org value share(status == "v") }
"#,
        )
        .as_str());
    let data = "\u{feff}person;org;grp/x;p;ok;status\n a ; A ;1,5;45%;Oui;Bénévole\nb;A;2,5;0,25;NON;w\nc;A;NA;;ja;worker\n";
    let d = eval_json(&f, &[("person", data)]);
    close(&ind(&d, "org", "A", "mx")["value"], 2.0);
    close(&ind(&d, "org", "A", "mp")["value"], 0.35);
    close(&ind(&d, "org", "A", "sok")["value"], 2.0 / 3.0);
    close(&ind(&d, "org", "A", "sv")["value"], 1.0 / 3.0);
    assert_eq!(d["data"]["person"]["questions"]["x"]["blank"], 1);
}

/// The results record holds each part's weight after reweighting, its
/// contribution and the ratings, so that reports only read them.
#[test]
fn results_hold_parts_and_ratings() {
    let fw = r#"framework t { title "T" }
level org { label "Org" }
questions at org { a: number  b: number  c: number  kind: choice { x, y } }
indicator ia { at org value a normalize goalposts 0..100 }
indicator ib { at org value b normalize goalposts 0..100 }
indicator ic { at org value c normalize goalposts 0..100 when kind == "x" }
ratings r { low below 40 label "Low"  mid below 70 label "Mid"  high label "High" }
dimension d {
  rate r
  use ia weight 2
  use ib
  use ic
  gate ib >= 10
}
"#;
    // A: all three apply; C's indicator does not apply at B; at C, ib = 5
    // fails the gate.
    let orgs = "org,a,b,c,kind\nA,50,80,20,x\nB,50,80,20,y\nC,90,5,90,x\n";
    let (fw, res) = crate::support::eval_record(fw, &[("org", orgs)]);
    let d = fw.dimension_by_name("d").expect("d");
    let lv = &res.dimensions[&(d, grille::ir::LevelId::TOP)];
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-9, "{a} != {b}");
    // A: weights 2, 1, 1 over 4: 50 %, 25 %, 25 %; contributions 25, 20, 5; score 50.
    close(lv.parts[0].weight[0], 0.5);
    close(lv.parts[1].weight[0], 0.25);
    close(lv.parts[2].weight[0], 0.25);
    close(lv.parts[0].contribution[0], 25.0);
    close(lv.parts[1].contribution[0], 20.0);
    close(lv.parts[2].contribution[0], 5.0);
    close(lv.score[0], 50.0);
    // B: ic does not apply, the others share 2/3 and 1/3: 100/3 + 80/3 = 60.
    close(lv.parts[0].weight[1], 2.0 / 3.0);
    close(lv.parts[1].weight[1], 1.0 / 3.0);
    assert!(lv.parts[2].weight[1].is_nan() && lv.parts[2].contribution[1].is_nan());
    close(lv.score[1], 60.0);
    // Ratings: A 50 → mid (1), B 60 → mid (1); C scores (45 + 1.25 + 22.5)
    // = 68.75 but fails the gate, so it gets the lowest step (0).
    close(lv.score[2], 68.75);
    assert_eq!(lv.rating, vec![Some(1), Some(1), Some(0)]);
    let ia = fw.indicator_by_name("ia").expect("ia");
    // ia has no ratings of its own.
    assert_eq!(
        res.indicators[&(ia, grille::ir::LevelId::TOP)].rating,
        vec![None, None, None]
    );
}

/// Values far from zero with a small spread (a timestamp, an amount in
/// cents): the deviation comes from sums taken around a value of each
/// group, so no digit of the spread is lost, at the unit and pooled at
/// the coarser level, with and without weights. (Σx²/n − mean², the old
/// way, gave 0 or thousands here.)
#[test]
fn deviations_of_large_values_keep_their_digits() {
    let fw = r#"framework t { title "T" }
level territory { label "Territory" }
level org { within territory  label "Org" }
level person { within org  label "Person" }
questions at person { x: number  w: number }
indicator sd { at org value stddev(x) }
indicator wm { at org value mean(x weight w) }
indicator m { at org value mean(x) }
"#;
    let people = "person,org,x,w\n\
        p1,A,1000000001,1\np2,A,1000000002,3\np3,A,1000000003,1\n\
        p4,B,1000000005,1\np5,B,1000000007,1\n";
    let d = eval_json(
        fw,
        &[
            ("territory", "territory\nT\n"),
            ("org", "org,territory\nA,T\nB,T\n"),
            ("person", people),
        ],
    );
    // A: 1, 2, 3 above 10⁹: s = 1.
    close(&ind(&d, "org", "A", "sd")["value"], 1.0);
    // B: 5, 7: s = √2.
    close(&ind(&d, "org", "B", "sd")["value"], 2f64.sqrt());
    // T pools A and B: 1, 2, 3, 5, 7, mean 3.6, squares 23.2 over 4.
    close(&ind(&d, "territory", "T", "sd")["value"], 5.8f64.sqrt());
    // The interval of A's mean: 10⁹ + 2 ± z·1/√3, its width to the
    // precision doubles have around 10⁹.
    let interval = |i: &str, half: f64| {
        let ci = &ind(&d, "org", "A", i)["ci"];
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!(((hi - lo) - 2.0 * half).abs() < 1e-6, "{i}: {lo} .. {hi}");
        assert!(
            (hi + lo - 2.0 * (1e9 + 2.0)).abs() < 1e-6,
            "{i}: {lo} .. {hi}"
        );
    };
    interval("m", 1.959964 / 3f64.sqrt());
    // Weighted 1, 3, 1: mean 10⁹ + 2, Σw·d² = 2 over Σw = 5, Kish n =
    // 25/11, variance 0.4 × (25/11) / (14/11) = 5/7.
    interval(
        "wm",
        1.959964 * (5.0f64 / 7.0).sqrt() / (25.0f64 / 11.0).sqrt(),
    );
}
