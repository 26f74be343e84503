//! Disclosure control over random data: no output shows a hidden value,
//! every partition whose total is shown is safe, and subtracting shown
//! parts from a shown total never isolates one hidden value.

use grille::workspace::Workspace;
use proptest::prelude::*;
use serde_json::Value;

fn framework(k: u32) -> String {
    format!(
        r#"framework leak {{
  title "Leak"
  languages fr
  min_group {k}
}}
level region {{ label "Région" }}
level org {{ within region  label "Organisation" }}
level person {{ within org  label "Personne" }}
questions at person {{
  happy: yesno
  sex: choice {{ f "Femme", m "Homme" }}
  age: number
}}
let young = age < 30
indicator pooled {{ at org  value share(happy)  unit "%"  by sex, young }}
indicator means {{ at org  value mean(age)  normalize goalposts 0..100  rollup mean  by sex }}
indicator counted {{ at org  value count(happy)  normalize goalposts 0..20 }}
dimension d {{ use pooled  use means  use counted }}
"#
    )
}

const ORGS: &str = "org,region\nA,R1\nB,R1\nC,R1\nD,R2\nE,R2\n";

#[derive(Debug, Clone)]
struct Person {
    org: u8,
    happy: Option<bool>,
    sex: Option<bool>,
    age: u8,
}

fn person() -> impl Strategy<Value = Person> {
    (
        0u8..5,
        prop::option::weighted(0.9, any::<bool>()),
        prop::option::weighted(0.85, any::<bool>()),
        15u8..70,
    )
        .prop_map(|(org, happy, sex, age)| Person {
            org,
            happy,
            sex,
            age,
        })
}

fn table(people: &[Person]) -> String {
    let mut s = String::from("person,org,happy,sex,age\n");
    for (i, p) in people.iter().enumerate() {
        let happy = p.happy.map_or("", |h| if h { "oui" } else { "non" });
        let sex = p.sex.map_or("", |f| if f { "f" } else { "m" });
        s += &format!(
            "p{i},{},{happy},{sex},{}\n",
            "ABCDE".as_bytes()[p.org as usize] as char,
            p.age
        );
    }
    s
}

fn workspace(k: u32, people: &str) -> Workspace {
    let mut ws = Workspace::new();
    ws.check_text("leak.grille", &framework(k))
        .unwrap_or_else(|_| panic!("the framework checks"));
    crate::support::load_texts(&mut ws, &[("org", ORGS), ("person", people)]);
    ws.evaluate("fr");
    ws
}

/// Every entry of the JSON result: (level, unit, item, cell name or "",
/// the object), for indicators and their cells.
fn entries(doc: &Value) -> Vec<(String, String, String, String, Value)> {
    let mut out = Vec::new();
    for (level, units) in doc["results"].as_object().expect("results") {
        for u in units.as_array().expect("units") {
            let id = u["unit"].as_str().expect("id").to_string();
            for (item, x) in u["indicators"].as_object().expect("indicators") {
                out.push((
                    level.clone(),
                    id.clone(),
                    item.clone(),
                    String::new(),
                    x.clone(),
                ));
                for (by, cells) in x.get("by").and_then(Value::as_object).into_iter().flatten() {
                    for c in cells.as_array().expect("cells") {
                        let o = c["option"].as_str().unwrap_or("_");
                        out.push((
                            level.clone(),
                            id.clone(),
                            item.clone(),
                            format!("{by}.{o}"),
                            c.clone(),
                        ));
                    }
                }
            }
        }
    }
    out
}

fn state(x: &Value) -> Option<(bool, u64)> {
    let n = x["n"].as_u64().unwrap_or(0);
    match x["status"].as_str() {
        Some("suppressed") => Some((true, n)),
        Some("ok" | "low_n") if n > 0 => Some((false, n)),
        _ => None,
    }
}

/// Checks one partition: the total shown means no hidden part, or at
/// least two holding `k` rows; a shown share times its n is its count of
/// yeses, and the total minus the shown parts is then spread over at
/// least two hidden parts, never one.
fn partition(total: &Value, parts: &[&Value], k: u64, what: &str) -> Result<(), TestCaseError> {
    let Some((false, _)) = state(total) else {
        return Ok(());
    };
    let members: Vec<(bool, u64)> = parts.iter().filter_map(|p| state(p)).collect();
    let hidden: Vec<u64> = members.iter().filter(|m| m.0).map(|m| m.1).collect();
    let rows: u64 = hidden.iter().sum();
    prop_assert!(
        hidden.is_empty() || hidden.len() >= 2 && rows >= k,
        "{what}: hidden parts {hidden:?} (min_group {k})"
    );
    // The attack: the total's yeses (share × n) minus the shown parts'
    // leaves the yeses of the hidden rows, pooled over all of them.
    let yes =
        |x: &Value| (x["value"].as_f64().unwrap_or(0.0) * x["n"].as_f64().unwrap_or(0.0)).round();
    let shown: Vec<&&Value> = parts
        .iter()
        .filter(|p| state(p).is_some_and(|s| !s.0))
        .collect();
    let left_rows = total["n"].as_u64().unwrap_or(0)
        - shown
            .iter()
            .map(|p| p["n"].as_u64().unwrap_or(0))
            .sum::<u64>();
    let left_yes = yes(total) - shown.iter().map(|p| yes(p)).sum::<f64>();
    prop_assert_eq!(left_rows, rows, "{}: the parts make up the total", what);
    prop_assert!(left_yes >= 0.0 && left_yes <= left_rows as f64);
    if !hidden.is_empty() {
        prop_assert!(
            hidden.iter().all(|&h| h < left_rows),
            "{what}: the difference isolates one hidden part"
        );
    }
    Ok(())
}

fn find<'a>(
    all: &'a [(String, String, String, String, Value)],
    l: &str,
    u: &str,
    i: &str,
    c: &str,
) -> Option<&'a Value> {
    all.iter()
        .find(|e| e.0 == l && e.1 == u && e.2 == i && e.3 == c)
        .map(|e| &e.4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn nothing_hidden_can_be_read_or_derived(people in prop::collection::vec(person(), 0..45), k in 2u32..6) {
        let text = table(&people);
        let ws = workspace(k, &text);
        let (_, diags) = ws.results().expect("evaluated");
        let cx = ws.report_context("fr", None);
        let doc: Value = serde_json::from_str(&grille::report::json::result(&cx, diags, &ws.sources, false)).expect("JSON");
        crate::support::validate_result(&doc);
        let all = entries(&doc);
        // 1. A hidden value carries nothing it could be read from.
        for (l, u, i, c, x) in &all {
            if x["status"] == "suppressed" {
                for f in ["value", "score", "ci", "rating"] {
                    prop_assert!(x.get(f).is_none(), "{l}.{u}.{i}.{c} shows its {f}: {x}");
                }
                prop_assert!(x.get("suppression").is_some());
                if i == "counted" {
                    prop_assert!(x.get("n").is_none(), "a hidden count shows its n");
                }
            }
        }
        // 2. Every partition of the pooled indicator with a shown total is
        // safe: region ▸ orgs, each unit ▸ its cells, each cell ▸ the same
        // cell of the orgs.
        let kids = [("R1", ["A", "B", "C"].as_slice()), ("R2", ["D", "E"].as_slice())];
        let cells = |by: &str| -> Vec<String> {
            let opts: &[&str] = if by == "sex" { &["f", "m", "_"] } else { &["true", "false", "_"] };
            opts.iter().map(|o| format!("{by}.{o}")).collect()
        };
        let k = k as u64;
        for (r, orgs) in kids {
            let total = find(&all, "region", r, "pooled", "").expect("region total");
            let parts: Vec<&Value> = orgs.iter().filter_map(|o| find(&all, "org", o, "pooled", "")).collect();
            partition(total, &parts, k, &format!("{r} ▸ orgs"))?;
            for by in ["sex", "young"] {
                for c in cells(by) {
                    let Some(t) = find(&all, "region", r, "pooled", &c) else { continue };
                    let parts: Vec<&Value> = orgs.iter().filter_map(|o| find(&all, "org", o, "pooled", &c)).collect();
                    partition(t, &parts, k, &format!("{r}.{c} ▸ orgs"))?;
                }
            }
        }
        for (l, u) in [("region", "R1"), ("region", "R2"), ("org", "A"), ("org", "B"), ("org", "C"), ("org", "D"), ("org", "E")] {
            let total = find(&all, l, u, "pooled", "").expect("total");
            for by in ["sex", "young"] {
                let parts: Vec<&Value> = cells(by).iter().filter_map(|c| find(&all, l, u, "pooled", c)).collect();
                partition(total, &parts, k, &format!("{u} ▸ {by}"))?;
            }
        }
        // 3. No text output shows a hidden value: the values computed
        // without disclosure control are looked for where values are
        // written, unless the same text is also a shown value.
        let free = workspace(1, &text);
        let fcx = free.report_context("fr", None);
        let mut hidden_texts = Vec::new();
        let mut shown_texts = std::collections::HashSet::new();
        for ((i, l), lv) in &cx.results.indicators {
            let flv = &fcx.results.indicators[&(*i, *l)];
            let mut pairs = vec![(lv, flv)];
            for (c, fc) in lv.by.iter().zip(&flv.by) {
                if let (Some(c), Some(fc)) = (c, fc) {
                    pairs.push((&c.lv, &fc.lv));
                }
            }
            for (x, fx) in pairs {
                for u in 0..x.status.len() {
                    let shown_text = grille::report::value_text_at(&cx, *i, x, u);
                    if x.status[u] == grille::eval::Status::Suppressed {
                        prop_assert_eq!(&shown_text, "—");
                        hidden_texts.push(grille::report::value_text_at(&fcx, *i, fx, u));
                    } else {
                        shown_texts.insert(shown_text);
                    }
                }
            }
        }
        // Scores shown anywhere (a dimension's too) may write the same text.
        for dl in cx.results.dimensions.values() {
            for &x in &dl.score {
                if !x.is_nan() {
                    shown_texts.insert(grille::report::format_score(x, "fr"));
                }
            }
        }
        for lv in cx.results.indicators.values() {
            for (u, &x) in lv.score.iter().enumerate() {
                if !x.is_nan() && lv.status[u] != grille::eval::Status::Suppressed {
                    shown_texts.insert(grille::report::format_score(x, "fr"));
                }
            }
        }
        let md = grille::report::human::markdown(&cx, diags);
        let csv = grille::report::csv::result(&cx);
        // Tables of values have the value in their second column.
        let written: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with("| "))
            .filter_map(|l| l.split(" | ").nth(1))
            .collect();
        for t in hidden_texts.iter().filter(|t| *t != "—" && !shown_texts.contains(*t)) {
            prop_assert!(!written.contains(&t.as_str()), "the report shows the hidden value {t}");
        }
        let html = grille::report::human::html(&cx, diags);
        // The second cell of each table row.
        let html_values: Vec<String> = html
            .split("<tr>")
            .skip(1)
            .filter_map(|row| {
                let second = row.split("</t").nth(1)?;
                let text = second.rsplit('>').next()?;
                Some(text.replace("&amp;", "&"))
            })
            .collect();
        for t in hidden_texts.iter().filter(|t| *t != "—" && !shown_texts.contains(*t)) {
            prop_assert!(!html_values.contains(t), "the HTML report shows the hidden value {t}");
        }
        for row in csv.lines().filter(|r| r.contains(",suppressed,")) {
            let f: Vec<&str> = row.split(',').collect();
            prop_assert!(f[6].is_empty() && f[7].is_empty() && f[10].is_empty() && f[11].is_empty() && f[12].is_empty(), "CSV shows a hidden value: {row}");
        }
    }
}
