//! A comparison as JSON (`grille/compare@1`), tidy CSV, and the summary
//! printed on the terminal.

use super::{Change, Compare, Comparison, Direction, Kind, UnitChange};
use serde_json::{Map, Value, json};

/// Finite numbers as JSON numbers.
fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn change_json(c: &Change) -> Value {
    let mut m = Map::new();
    m.insert("before".into(), c.before.clone());
    m.insert("after".into(), c.after.clone());
    if let Some(d) = c.delta {
        m.insert("delta".into(), num(d));
    }
    if let Some(d) = c.score_delta {
        m.insert("score_delta".into(), num(d));
    }
    if let Some((lo, hi)) = c.ci {
        m.insert("ci".into(), json!([num(lo), num(hi)]));
    }
    m.insert("status".into(), c.direction.as_str().into());
    if c.definition_changed {
        m.insert("definition_changed".into(), true.into());
    }
    Value::Object(m)
}

fn unit_json(u: &UnitChange) -> Value {
    let mut m = Map::new();
    m.insert("unit".into(), u.unit.clone().into());
    if let Some(n) = &u.name {
        m.insert("name".into(), n.clone().into());
    }
    if let Some(p) = &u.parent {
        m.insert("parent".into(), p.clone().into());
    }
    let items = |x: &indexmap::IndexMap<String, Change>| -> Value {
        Value::Object(x.iter().map(|(k, c)| (k.clone(), change_json(c))).collect())
    };
    m.insert("indicators".into(), items(&u.indicators));
    m.insert("dimensions".into(), items(&u.dimensions));
    Value::Object(m)
}

fn comparison_json(cmp: &Compare, c: &Comparison) -> Value {
    let results: Map<String, Value> = c
        .results
        .iter()
        .map(|(l, units)| (l.clone(), units.iter().map(unit_json).collect()))
        .collect();
    let items = |v: &[(Kind, String)]| -> Value {
        v.iter()
            .map(|(k, id)| json!({ "kind": k.name(), "id": id }))
            .collect()
    };
    let summary: Map<String, Value> = c
        .summary
        .iter()
        .map(|(l, items)| {
            let per: Map<String, Value> = items
                .iter()
                .map(|(id, counts)| {
                    let m: Map<String, Value> = Direction::ALL
                        .iter()
                        .map(|d| (d.as_str().to_string(), counts[*d as usize].into()))
                        .collect();
                    (id.clone(), Value::Object(m))
                })
                .collect();
            (l.clone(), Value::Object(per))
        })
        .collect();
    json!({
        "before": cmp.rounds[c.before].label,
        "after": cmp.rounds[c.after].label,
        "results": results,
        "units_added": c.units_added,
        "units_dropped": c.units_dropped,
        "items_added": items(&c.items_added),
        "items_dropped": items(&c.items_dropped),
        "summary": summary,
    })
}

/// The comparison document, schema `grille/compare@1`.
pub fn json(cmp: &Compare) -> String {
    let rounds: Vec<Value> = cmp
        .rounds
        .iter()
        .map(|r| {
            let fw = &r.doc["framework"];
            let mut f = Map::new();
            f.insert("id".into(), fw["id"].clone());
            if let Some(v) = fw.get("version") {
                f.insert("version".into(), v.clone());
            }
            json!({ "label": r.label, "file": r.file, "sha256": r.sha256, "framework": f })
        })
        .collect();
    let doc = json!({
        "schema": "grille/compare@1",
        "engine": crate::ENGINE,
        "rounds": rounds,
        "comparisons": cmp.comparisons.iter().map(|c| comparison_json(cmp, c)).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("a comparison serialises");
    s.push('\n');
    s
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map(|x| format!("{x}")).unwrap_or_default(),
        Value::Object(m) => m
            .iter()
            .map(|(k, c)| format!("{k}:{c}"))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

/// The tidy table: one row per comparison, unit and item.
pub fn csv(cmp: &Compare) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record([
        "level",
        "unit",
        "kind",
        "item",
        "round_before",
        "round_after",
        "before",
        "after",
        "delta",
        "ci_low",
        "ci_high",
        "score_before",
        "score_after",
        "score_delta",
        "status",
    ])
    .expect("writing to memory");
    for c in &cmp.comparisons {
        let (rb, ra) = (&cmp.rounds[c.before].label, &cmp.rounds[c.after].label);
        for (level, units) in &c.results {
            for u in units {
                let items = u
                    .indicators
                    .iter()
                    .map(|x| (Kind::Indicator, x))
                    .chain(u.dimensions.iter().map(|x| (Kind::Dimension, x)));
                for (kind, (id, ch)) in items {
                    w.write_record([
                        level.clone(),
                        u.unit.clone(),
                        kind.name().into(),
                        id.clone(),
                        rb.clone(),
                        ra.clone(),
                        cell(&ch.before["value"]),
                        cell(&ch.after["value"]),
                        opt(ch.delta),
                        opt(ch.ci.map(|c| c.0)),
                        opt(ch.ci.map(|c| c.1)),
                        cell(&ch.before["score"]),
                        cell(&ch.after["score"]),
                        opt(ch.score_delta),
                        ch.direction.as_str().into(),
                    ])
                    .expect("writing to memory");
                }
            }
        }
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8")
}

/// For the terminal: per comparison, level and item, how many units moved
/// each way, then the units whose direction is clear.
pub fn human(cmp: &Compare) -> String {
    let mut s = String::new();
    for c in &cmp.comparisons {
        let (rb, ra) = (&cmp.rounds[c.before], &cmp.rounds[c.after]);
        s += &format!("{} → {}\n", rb.label, ra.label);
        for (kind, id) in &c.items_added {
            s += &format!("  + {} {id} (new in {})\n", kind.name(), ra.label);
        }
        for (kind, id) in &c.items_dropped {
            s += &format!("  − {} {id} (not in {})\n", kind.name(), ra.label);
        }
        for (level, units) in &c.results {
            s += &format!("\n  {level}\n");
            if let Some(a) = c.units_added.get(level) {
                s += &format!("    new units: {}\n", a.join(", "));
            }
            if let Some(d) = c.units_dropped.get(level) {
                s += &format!("    units no longer there: {}\n", d.join(", "));
            }
            for (id, counts) in &c.summary[level] {
                let parts: Vec<String> = Direction::ALL
                    .iter()
                    .filter(|d| counts[**d as usize] > 0)
                    .map(|d| format!("{} {}", counts[*d as usize], d.as_str().replace('_', " ")))
                    .collect();
                s += &format!("    {id}: {}\n", parts.join(", "));
                let clear: Vec<String> = units
                    .iter()
                    .filter_map(|u| {
                        let ch = u.indicators.get(id).or_else(|| u.dimensions.get(id))?;
                        let sign = match ch.direction {
                            Direction::Improved => "↑",
                            Direction::Declined => "↓",
                            _ => return None,
                        };
                        Some(format!("{}{sign}", u.unit))
                    })
                    .collect();
                if !clear.is_empty() {
                    s += &format!("      {}\n", clear.join(" "));
                }
            }
        }
        s.push('\n');
    }
    s
}
