//! Breakdowns (`by`) and disclosure control, on small cases whose every
//! number and every hidden value is worked out by hand in the comments.

use crate::support::{close, eval_json, unit};
use serde_json::Value;

/// Levels region ▸ org ▸ person, a yes/no and a sex per person.
fn persons_framework(min_group: u32, indicator: &str) -> String {
    format!(
        r#"framework t {{
  title "T"
  languages en
  min_group {min_group}
}}
level region {{ label "Region" }}
level org {{ within region  label "Organisation" }}
level person {{ within org  label "Person" }}
questions at org {{
  form: choice {{ coop "Co-operative", assoc "Association" }}
  staff: number
}}
questions at person {{
  happy: yesno
  sex: choice {{ f "Woman", m "Man" }}
  age: number
  story: text
}}
{indicator}
"#
    )
}

fn cell<'a>(ind: &'a Value, by: &str, option: Option<&str>) -> &'a Value {
    ind["by"][by]
        .as_array()
        .unwrap_or_else(|| panic!("no breakdown {by} in {ind}"))
        .iter()
        .find(|c| match option {
            Some(o) => c["option"] == o,
            None => c["option"].is_null(),
        })
        .unwrap_or_else(|| panic!("no cell {option:?} of {by} in {ind}"))
}

fn ind<'a>(doc: &'a Value, level: &str, u: &str, item: &str) -> &'a Value {
    &unit(doc, level, u)["indicators"][item]
}

#[track_caller]
fn hidden(v: &Value, why: &str) {
    assert_eq!(v["status"], "suppressed", "{v}");
    assert_eq!(v["suppression"], why, "{v}");
    for k in ["value", "score", "ci", "rating"] {
        assert!(v.get(k).is_none(), "a hidden value shows no {k}: {v}");
    }
}

#[track_caller]
fn shown(v: &Value) {
    assert_eq!(v["status"], "ok", "{v}");
    assert!(v.get("suppression").is_none(), "{v}");
}

const ORGS: &str = "org,region,form,staff\nA,R1,coop,10\nB,R1,assoc,20\nC,R2,coop,5\n";

/// The worked example of the breakdowns spec, number by number.
#[test]
fn the_worked_example() {
    let fw = persons_framework(
        3,
        "indicator happy_share { at org  value share(happy)  unit \"%\"  by sex }",
    );
    let persons = "person,org,happy,sex\n\
        p1,A,oui,f\np2,A,oui,f\np3,A,non,f\np4,B,oui,f\np5,B,non,f\n\
        p6,C,oui,f\np7,C,oui,f\np8,C,oui,f\np9,C,non,f\np10,C,oui,m\np11,C,non,m\n";
    let doc = eval_json(&fw, &[("org", ORGS), ("person", persons)]);
    // B: 2 persons < 3 (primary). A with R1 would give B away: R1 pools
    // 3 of 5, A 2 of 3, so B = 1 of 2. A is hidden too (complementary).
    hidden(ind(&doc, "org", "B", "happy_share"), "primary");
    let a = ind(&doc, "org", "A", "happy_share");
    hidden(a, "complementary");
    assert_eq!(a["n"], 3, "n of a hidden share stays shown");
    // R1 stays: A and B hidden together hold 5 rows ≥ 3.
    let r1 = ind(&doc, "region", "R1", "happy_share");
    shown(r1);
    close(&r1["value"], 0.6);
    // C: 4 women, 2 men. The men's cell (2 rows) is hidden, and the
    // women's with it: C's total minus one cell gives the other.
    let c = ind(&doc, "org", "C", "happy_share");
    close(&c["value"], 4.0 / 6.0);
    hidden(cell(c, "sex", Some("m")), "primary");
    hidden(cell(c, "sex", Some("f")), "complementary");
    assert_eq!(cell(c, "sex", Some("f"))["n"], 4);
    // The women's cell of R1: 3 happy of 5 → 0.6; the men's has no row.
    let f = cell(r1, "sex", Some("f"));
    shown(f);
    close(&f["value"], 0.6);
    assert_eq!(cell(r1, "sex", Some("m"))["status"], "missing");
    // No row with a missing sex: no missing cell.
    let cells = r1["by"]["sex"].as_array().expect("cells");
    assert_eq!(cells.len(), 2, "{cells:?}");
    // Cells are not shown at the level of the breakdown's own rows, and an
    // organisation has no cells by a question of its own level.
    assert!(unit(&doc, "org", "A")["indicators"]["happy_share"]["by"]["sex"].is_array());
}

/// A region's pooled value and its organisations (kind 1): when two
/// parts tie for the fewest rows, the first in unit order is hidden.
#[test]
fn a_pooled_value_and_its_children() {
    let fw = persons_framework(
        3,
        "indicator happy_share { at org  value share(happy)  unit \"%\" }",
    );
    let orgs = "org,region\nC,R2\nD,R2\nE,R2\n";
    // C: 3 rows, D: 3 rows, E: 1 row (primary). R2 = 7 rows, shown.
    let persons = "person,org,happy\n\
        c1,C,oui\nc2,C,oui\nc3,C,non\nd1,D,oui\nd2,D,non\nd3,D,non\ne1,E,oui\n";
    let doc = eval_json(&fw, &[("org", orgs), ("person", persons)]);
    hidden(ind(&doc, "org", "E", "happy_share"), "primary");
    // E alone would be R2 minus C minus D: C (3 rows, first of the tie)
    // is hidden, and C with E hold 4 rows ≥ 3.
    hidden(ind(&doc, "org", "C", "happy_share"), "complementary");
    let d = ind(&doc, "org", "D", "happy_share");
    shown(d);
    close(&d["value"], 1.0 / 3.0);
    close(
        &ind(&doc, "region", "R2", "happy_share")["value"],
        4.0 / 7.0,
    );
}

/// A value and its cells (kind 2), with the cell of missing answers.
#[test]
fn a_value_and_its_cells_with_the_missing_cell() {
    let fw = persons_framework(
        3,
        "indicator happy_share { at org  value share(happy)  unit \"%\"  by sex }",
    );
    let orgs = "org,region\nA,R1\n";
    // A: 4 women (3 happy), 3 men (1 happy), 1 person without a sex (happy).
    let persons = "person,org,happy,sex\n\
        p1,A,oui,f\np2,A,oui,f\np3,A,oui,f\np4,A,non,f\n\
        p5,A,oui,m\np6,A,non,m\np7,A,non,m\np8,A,oui,\n";
    let doc = eval_json(&fw, &[("org", orgs), ("person", persons)]);
    let r1 = ind(&doc, "region", "R1", "happy_share");
    // The total: 5 happy of 8.
    close(&r1["value"], 5.0 / 8.0);
    // The missing cell (1 row) is hidden; alone it would be the total
    // minus both shown cells, so the smaller shown cell, the men's
    // (3 rows), goes too; together they hold 4 rows ≥ 3.
    let missing = cell(r1, "sex", None);
    hidden(missing, "primary");
    assert_eq!(missing["n"], 1);
    hidden(cell(r1, "sex", Some("m")), "complementary");
    let f = cell(r1, "sex", Some("f"));
    shown(f);
    close(&f["value"], 0.75);
    // Options in declaration order, the missing cell last.
    let order: Vec<&Value> = r1["by"]["sex"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| &c["option"])
        .collect();
    assert_eq!(order, [&Value::from("f"), &Value::from("m"), &Value::Null]);
}

/// A cell at a unit and the same cell at its children (kind 3), and a
/// cascade: hiding a child's cell there leaves another partition unsafe.
#[test]
fn a_cell_and_its_children_cells_in_a_cascade() {
    let fw = persons_framework(
        3,
        "indicator happy_share { at org  value share(happy)  unit \"%\"  by sex }",
    );
    let orgs = "org,region\nA,R1\nB,R1\n";
    // A: 3 women, 3 men. B: 3 women, 1 man.
    let persons = "person,org,happy,sex\n\
        a1,A,oui,f\na2,A,oui,f\na3,A,non,f\na4,A,oui,m\na5,A,non,m\na6,A,non,m\n\
        b1,B,oui,f\nb2,B,non,f\nb3,B,non,f\nb4,B,oui,m\n";
    let doc = eval_json(&fw, &[("org", orgs), ("person", persons)]);
    // B's man (1 row) is hidden, then B's women (B minus them gives him).
    let b = ind(&doc, "org", "B", "happy_share");
    shown(b);
    hidden(cell(b, "sex", Some("m")), "primary");
    hidden(cell(b, "sex", Some("f")), "complementary");
    // R1's women (6 rows) are shown, so A's women would be R1's minus B's:
    // A's women are hidden. R1's men likewise hide A's men.
    let a = ind(&doc, "org", "A", "happy_share");
    shown(a);
    close(&a["value"], 0.5);
    hidden(cell(a, "sex", Some("f")), "complementary");
    hidden(cell(a, "sex", Some("m")), "complementary");
    let r1 = ind(&doc, "region", "R1", "happy_share");
    close(&cell(r1, "sex", Some("f"))["value"], 0.5);
    close(&cell(r1, "sex", Some("m"))["value"], 0.5);
    // Differencing: every hidden cell sits with another hidden one.
    for (u, o) in [("A", "f"), ("A", "m"), ("B", "f"), ("B", "m")] {
        assert!(cell(ind(&doc, "org", u, "happy_share"), "sex", Some(o))["value"].is_null());
    }
}

/// A rollup over units broken down by a question of the units' own level:
/// cells only above the enterprise; records are not respondents, so a
/// cell of one unit is shown.
#[test]
fn a_unit_rollup_by_an_enterprise_question() {
    let fw = persons_framework(
        3,
        "indicator staff_total { at org  value staff  rollup sum  by form  normalize goalposts 0..100 }",
    );
    let doc = eval_json(&fw, &[("org", ORGS), ("person", "person,org\np1,A\n")]);
    let r1 = ind(&doc, "region", "R1", "staff_total");
    close(&r1["value"], 30.0);
    // R1: coop A (10), association B (20).
    close(&cell(r1, "form", Some("coop"))["value"], 10.0);
    close(&cell(r1, "form", Some("assoc"))["value"], 20.0);
    assert_eq!(cell(r1, "form", Some("coop"))["units"], 1);
    let r2 = ind(&doc, "region", "R2", "staff_total");
    close(&cell(r2, "form", Some("coop"))["value"], 5.0);
    // No association in R2: its cell has no value.
    assert_eq!(cell(r2, "form", Some("assoc"))["status"], "missing");
    assert!(ind(&doc, "org", "A", "staff_total").get("by").is_none());
}

/// A rollup over units skips a hidden finer value (the mean of a region
/// whose small organisation is hidden is its other organisation's), and
/// its cells are rolled up cell by cell.
#[test]
fn unit_rollups_skip_hidden_values() {
    let fw = persons_framework(
        3,
        "indicator happy_share { at org  value share(happy)  unit \"%\"  rollup mean  by sex }\n\
         indicator top { at org  value share(happy)  unit \"%\"  rollup max }",
    );
    // A: 4 persons, 1 happy (0.25). B: 2 persons, both happy (hidden).
    let persons = "person,org,happy,sex\n\
        a1,A,oui,f\na2,A,non,f\na3,A,non,f\na4,A,non,f\nb1,B,oui,f\nb2,B,oui,f\n";
    let orgs = "org,region\nA,R1\nB,R1\n";
    let doc = eval_json(&fw, &[("org", orgs), ("person", persons)]);
    hidden(ind(&doc, "org", "B", "happy_share"), "primary");
    let r1 = ind(&doc, "region", "R1", "happy_share");
    // Only A's 0.25 enters; B's 1.0 would give 0.625.
    close(&r1["value"], 0.25);
    assert_eq!(r1["units"], 1);
    assert_eq!(r1["units_total"], 2);
    // `rollup max` would show B's 1.0.
    close(&ind(&doc, "region", "R1", "top")["value"], 0.25);
    // The women's cell of R1 is the mean of A's and B's women's cells:
    // A's (4 rows, 0.25) is shown, B's (2 rows) hidden.
    close(&cell(r1, "sex", Some("f"))["value"], 0.25);
}

/// `minmax` is computed over the shown values only: a hidden value
/// neither sets a bound nor can be solved from two shown scores.
#[test]
fn relative_scores_ignore_hidden_values() {
    let fw = persons_framework(
        3,
        "indicator m { at org  value mean(age)  normalize minmax  rollup none }",
    );
    let orgs = "org,region\nA,R1\nB,R1\nC,R1\n";
    // A: mean 20 (3 rows); B: mean 40 (3 rows); C: mean 100 (2 rows, hidden).
    let persons = "person,org,age\n\
        a1,A,10\na2,A,20\na3,A,30\nb1,B,30\nb2,B,40\nb3,B,50\nc1,C,100\nc2,C,100\n";
    let doc = eval_json(&fw, &[("org", orgs), ("person", persons)]);
    hidden(ind(&doc, "org", "C", "m"), "primary");
    // Over the shown 20 and 40: 0 and 100 (with C: 0 and 25).
    close(&ind(&doc, "org", "A", "m")["score"], 0.0);
    close(&ind(&doc, "org", "B", "m")["score"], 100.0);
}

/// A hidden count shows no n: for a count, n tells the count.
#[test]
fn a_hidden_count_has_no_n() {
    let fw = persons_framework(
        3,
        "indicator happy_count { at org  value count(happy)  normalize goalposts 0..10  rollup none }",
    );
    let orgs = "org,region\nA,R1\nB,R1\n";
    let persons = "person,org,happy\na1,A,oui\na2,A,oui\na3,A,non\nb1,B,oui\nb2,B,oui\n";
    let doc = eval_json(&fw, &[("org", orgs), ("person", persons)]);
    let b = ind(&doc, "org", "B", "happy_count");
    hidden(b, "primary");
    assert!(b.get("n").is_none(), "{b}");
    close(&ind(&doc, "org", "A", "happy_count")["value"], 2.0);
}

/// A `when` reading an aggregate of fewer rows than `min_group` would
/// tell that aggregate: the status is suppressed, whatever the value.
#[test]
fn a_condition_on_a_small_group_is_hidden() {
    let fw = persons_framework(
        3,
        "indicator happy_share { at org  value share(happy)  unit \"%\"  rollup none\n\
           when share(happy where sex == \"m\") > 0 }",
    );
    let orgs = "org,region\nA,R1\nB,R1\n";
    // A: 4 women and 2 men; the condition reads the 2 men.
    // B: 3 women and 3 men; the condition reads 3 rows.
    let persons = "person,org,happy,sex\n\
        a1,A,oui,f\na2,A,oui,f\na3,A,non,f\na4,A,non,f\na5,A,oui,m\na6,A,non,m\n\
        b1,B,oui,f\nb2,B,oui,f\nb3,B,non,f\nb4,B,non,m\nb5,B,non,m\nb6,B,non,m\n";
    let doc = eval_json(&fw, &[("org", orgs), ("person", persons)]);
    let a = ind(&doc, "org", "A", "happy_share");
    hidden(a, "primary");
    assert_eq!(a["n"], 6);
    // B's men are all unhappy: the condition fails there, for all to see.
    assert_eq!(
        ind(&doc, "org", "B", "happy_share")["status"],
        "not_applicable"
    );
}

/// Evidence is kept only where the rows that pass its filter reach
/// `min_group`, however many rows the unit has.
#[test]
fn evidence_counts_the_rows_after_its_filter() {
    let fw = persons_framework(
        3,
        "indicator happy_share { at org  value share(happy)  unit \"%\" }\n\
         evidence stories { at org  label \"Stories\"  collect story where happy }\n\
         dimension d { use happy_share  evidence stories }",
    );
    let orgs = "org,region\nA,R1\nB,R1\n";
    // A: 5 persons, 2 happy with a story. B: 3 happy persons with a story.
    let persons = "person,org,happy,story\n\
        a1,A,oui,un\na2,A,oui,deux\na3,A,non,trois\na4,A,non,quatre\na5,A,non,cinq\n\
        b1,B,oui,six\nb2,B,oui,sept\nb3,B,oui,huit\n";
    let doc = eval_json(&fw, &[("org", orgs), ("person", persons)]);
    assert!(unit(&doc, "org", "A")["evidence"].get("stories").is_none());
    assert_eq!(
        unit(&doc, "org", "B")["evidence"]["stories"],
        serde_json::json!(["six", "sept", "huit"])
    );
}

/// A published result does not quote a respondent's answer in its
/// diagnostics when `min_group` is above 1; the terminal still does.
#[test]
fn published_diagnostics_do_not_quote_answers() {
    let indicator = "indicator m { at org  value mean(age)  normalize goalposts 0..100 }";
    let orgs = "org,region\nA,R1\n";
    let persons = "person,org,age\na1,A,quarante-deux\na2,A,30\na3,A,40\n";
    for (k, quoted) in [(1, true), (3, false)] {
        let doc = eval_json(
            &persons_framework(k, indicator),
            &[("org", orgs), ("person", persons)],
        );
        let diags = doc["diagnostics"].to_string();
        assert_eq!(diags.contains("quarante-deux"), quoted, "{diags}");
        let d = doc["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .find(|d| d["code"] == "grille::data::bad_value")
            .expect("the bad cell is reported");
        assert_eq!(d["row"], 2);
        assert_eq!(d["column"], "age");
    }
}

/// The CSV result gives each cell a row after its total, with the
/// breakdown and the option (`NA` for the missing cell).
#[test]
fn csv_rows_for_cells() {
    let fw = persons_framework(
        1,
        "indicator happy_share { at org  value share(happy)  unit \"%\"  by sex  rollup none }",
    );
    let orgs = "org,region\nA,R1\n";
    let persons = "person,org,happy,sex\np1,A,oui,f\np2,A,non,m\np3,A,oui,\n";
    let dir = crate::support::TempDir::new(&[
        ("f.grille", &fw),
        ("org.csv", orgs),
        ("person.csv", persons),
    ]);
    let out = crate::support::grille(
        dir.path(),
        &[
            "eval",
            "f.grille",
            "--data",
            "org=org.csv",
            "--data",
            "person=person.csv",
            "--format",
            "csv",
        ],
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    // 2 happy of 3; the woman (happy), the man (not), the person without a
    // sex (happy): 1 of 1, 0 of 1, 1 of 1, with their Wilson intervals.
    insta::assert_snapshot!(text, @r"
    level,unit,name,parent,kind,item,value,score,n,coverage,ci_low,ci_high,rating,status,breakdown,option
    org,A,,R1,indicator,happy_share,0.6666666666666666,66.66666666666666,3,1,0.20765959880782425,0.9385080559790692,,ok,,
    org,A,,R1,indicator,happy_share,1,100,1,1,0.20654931179180275,1,,ok,sex,f
    org,A,,R1,indicator,happy_share,0,0,1,1,0,0.7934506882081973,,ok,sex,m
    org,A,,R1,indicator,happy_share,1,100,1,1,0.20654931179180275,1,,ok,sex,NA
    ");
}

/// `explain --unit` gives a hidden value's n and why it is hidden, never
/// the value or what it could be computed from; a hidden count not even
/// its rows.
#[test]
fn explain_never_shows_a_hidden_value() {
    let fw = persons_framework(
        3,
        "indicator happy_share { at org  value share(happy)  unit \"%\"  by sex }\n\
         indicator people { at org  value count(person)  normalize goalposts 0..10 }",
    );
    let persons = "person,org,happy,sex\n\
        p1,A,oui,f\np2,A,oui,f\np3,A,non,f\np4,B,oui,f\np5,B,non,f\n\
        p6,C,oui,f\np7,C,oui,f\np8,C,oui,f\np9,C,non,f\np10,C,oui,m\np11,C,non,m\n";
    let dir = crate::support::TempDir::new(&[
        ("f.grille", &fw),
        ("org.csv", ORGS),
        ("person.csv", persons),
    ]);
    let explain = |item: &str, u: &str| {
        let out = crate::support::grille(
            dir.path(),
            &[
                "explain",
                "f.grille",
                item,
                "--data",
                "org=org.csv",
                "--data",
                "person=person.csv",
                "--unit",
                u,
                "--lang",
                "en",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    // A: 2 happy of 3 (66.7 %), hidden so that B cannot be derived.
    let a = explain("happy_share", "A");
    assert!(a.contains("n                      3"), "{a}");
    assert!(a.contains("could otherwise be worked out"), "{a}");
    for leak in ["66.7", "66,7", "0.667", "2 of 3"] {
        assert!(!a.contains(leak), "{leak} in {a}");
    }
    // C's women: 3 happy of 4 (75 %), hidden beside the two men.
    let c = explain("happy_share", "C");
    assert!(c.contains("Woman : — (n = 4"), "{c}");
    assert!(!c.contains("75"), "{c}");
    // B counts 2 persons: hidden, and neither n nor rows tell it.
    let b = explain("people", "B");
    assert!(b.contains("suppressed"), "{b}");
    assert!(!b.contains('2'), "{b}");
}
