//! The tidy CSV result: one row per unit × item.
//!
//! In: a report [`Context`]. Out: CSV text with the columns
//! `level,unit,parent,kind,item,value,score,n,coverage,ci_low,ci_high,rating,status`;
//! absent fields are empty cells.

use super::{Context, Value, indicator_value, step_id};
use crate::eval::Status;

fn f(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// Writes the tidy table.
pub fn result(cx: &Context<'_>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let header = [
        "level", "unit", "parent", "kind", "item", "value", "score", "n", "coverage", "ci_low",
        "ci_high", "rating", "status",
    ];
    w.write_record(header).expect("writing to memory");
    let fw = cx.fw;
    for l in cx.levels() {
        let level = &fw.levels[l].id;
        for u in 0..cx.ds.levels[l].len() {
            let unit = cx.ds.levels[l].ids[u].to_string();
            let parent = cx.parent(l, u).unwrap_or("");
            for (i, ind) in fw.indicators.iter().enumerate() {
                let Some(lv) = cx.results.indicators.get(&(i, l)) else {
                    continue;
                };
                let st = lv.status[u];
                let shown = !matches!(st, Status::NotApplicable | Status::Suppressed);
                let value = match indicator_value(cx, i, l, u) {
                    Some(Value::Num(x)) => f(x),
                    Some(Value::Bool(b)) => b.to_string(),
                    Some(Value::Text(t)) => t,
                    Some(Value::Distribution(d)) => d
                        .iter()
                        .map(|(k, c)| format!("{k}:{c}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    None => String::new(),
                };
                let (lo, hi) = match (shown, lv.ci[u]) {
                    (true, Some((a, b))) => (f(a), f(b)),
                    _ => (String::new(), String::new()),
                };
                let score = if shown { f(lv.score[u]) } else { String::new() };
                let na = st == Status::NotApplicable;
                let rt = if shown {
                    step_id(fw, ind.rate, lv.rating[u])
                        .unwrap_or_default()
                        .to_string()
                } else {
                    String::new()
                };
                let row = [
                    level.clone(),
                    unit.clone(),
                    parent.to_string(),
                    "indicator".into(),
                    ind.id.clone(),
                    value,
                    score,
                    if na {
                        String::new()
                    } else {
                        lv.n[u].to_string()
                    },
                    if na { String::new() } else { f(lv.coverage[u]) },
                    lo,
                    hi,
                    rt,
                    st.as_str().to_string(),
                ];
                w.write_record(&row).expect("writing to memory");
            }
            for (d, dim) in fw.dimensions.iter().enumerate() {
                let Some(lv) = cx.results.dimensions.get(&(d, l)) else {
                    continue;
                };
                let row = [
                    level.clone(),
                    unit.clone(),
                    parent.to_string(),
                    "dimension".into(),
                    dim.id.clone(),
                    String::new(),
                    f(lv.score[u]),
                    String::new(),
                    f(lv.coverage[u]),
                    String::new(),
                    String::new(),
                    step_id(fw, dim.rate, lv.rating[u])
                        .unwrap_or_default()
                        .to_string(),
                    lv.status[u].as_str().to_string(),
                ];
                w.write_record(&row).expect("writing to memory");
            }
        }
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("CSV of UTF-8 strings")
}
