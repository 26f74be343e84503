//! The JSON result, schema `grille/result@1`.
//!
//! In: a report [`Context`] and the run's diagnostics. Out: a
//! `serde_json::Value` in the documented shape (see
//! `docs/result.schema.json`): fields that do not exist for a value are
//! omitted, `status` is always present, maps keep the framework's order.

use super::{Context, Value, indicator_value, rating};
use crate::diagnostic::Diag;
use crate::source::SourceMap;
use serde_json::{Map, Value as J, json};

fn num(x: f64) -> J {
    serde_json::Number::from_f64(x)
        .map(J::Number)
        .unwrap_or(J::Null)
}

fn value_json(v: &Value) -> J {
    match v {
        Value::Num(x) => num(*x),
        Value::Bool(b) => J::Bool(*b),
        Value::Text(t) => J::String(t.clone()),
        Value::Distribution(d) => J::Object(d.iter().map(|(k, c)| (k.clone(), json!(c))).collect()),
    }
}

/// Builds the whole result document.
pub fn result(cx: &Context<'_>, diags: &[Diag], sources: &SourceMap) -> J {
    let fw = cx.fw;
    let mut framework = Map::new();
    framework.insert("id".into(), json!(fw.id));
    if let Some(v) = &fw.version {
        framework.insert("version".into(), json!(v));
    }
    framework.insert("lang".into(), json!(cx.lang));
    if let Some(t) = fw.title.get(cx.lang, fw.default_lang()) {
        framework.insert("title".into(), json!(t));
    }
    framework.insert("extends".into(), json!(fw.extends));
    framework.insert("sha256".into(), json!(cx.framework_sha256));
    let data: Map<String, J> = cx
        .ds
        .reports
        .iter()
        .map(|(k, r)| {
            (
                k.clone(),
                serde_json::to_value(r).expect("report serialises"),
            )
        })
        .collect();
    let mut results = Map::new();
    for l in cx.levels() {
        let units: Vec<J> = (0..cx.ds.levels[l].len()).map(|u| unit(cx, l, u)).collect();
        results.insert(fw.levels[l].id.clone(), J::Array(units));
    }
    let diagnostics: Vec<J> = diags.iter().map(|d| diag_json(d, sources)).collect();
    json!({
        "schema": "grille/result@1",
        "framework": framework,
        "engine": crate::ENGINE,
        "levels": fw.levels.iter().map(|l| l.id.clone()).collect::<Vec<_>>(),
        "data": data,
        "results": results,
        "diagnostics": diagnostics,
    })
}

fn unit(cx: &Context<'_>, l: usize, u: usize) -> J {
    let fw = cx.fw;
    let mut o = Map::new();
    o.insert("unit".into(), json!(cx.ds.levels[l].ids[u]));
    if let Some(p) = cx.parent(l, u) {
        o.insert("parent".into(), json!(p));
    }
    let mut inds = Map::new();
    for (i, ind) in fw.indicators.iter().enumerate() {
        let Some(lv) = cx.results.indicators.get(&(i, l)) else {
            continue;
        };
        let st = lv.status[u];
        let mut r = Map::new();
        if let Some(v) = indicator_value(cx, i, l, u) {
            r.insert("value".into(), value_json(&v));
        }
        let shown = !matches!(
            st,
            crate::eval::Status::NotApplicable | crate::eval::Status::Suppressed
        );
        if shown && !lv.score[u].is_nan() {
            r.insert("score".into(), num(lv.score[u]));
        }
        if st != crate::eval::Status::NotApplicable {
            r.insert("n".into(), json!(lv.n[u]));
            if !lv.coverage[u].is_nan() {
                r.insert("coverage".into(), num(lv.coverage[u]));
            }
        }
        if let (true, Some((a, b))) = (shown, lv.ci[u]) {
            r.insert("ci".into(), json!([num(a), num(b)]));
        }
        if shown && let Some(rt) = rating(fw, ind.rate, lv.score[u], false) {
            r.insert("rating".into(), json!(rt));
        }
        r.insert("status".into(), json!(st.as_str()));
        if let Some((a, b)) = &lv.units {
            r.insert("units".into(), json!(a[u]));
            r.insert("units_total".into(), json!(b[u]));
        }
        if !ind.tags.is_empty() {
            r.insert("tags".into(), json!(ind.tags));
        }
        inds.insert(ind.id.clone(), J::Object(r));
    }
    o.insert("indicators".into(), J::Object(inds));
    let mut dims = Map::new();
    for (d, dim) in fw.dimensions.iter().enumerate() {
        let Some(lv) = cx.results.dimensions.get(&(d, l)) else {
            continue;
        };
        let mut r = Map::new();
        if !lv.score[u].is_nan() {
            r.insert("score".into(), num(lv.score[u]));
        }
        if !lv.coverage[u].is_nan() {
            r.insert("coverage".into(), num(lv.coverage[u]));
        }
        let failed = lv.failed_gates.as_ref().map(|f| &f[u]);
        if let Some(rt) = rating(
            fw,
            dim.rate,
            lv.score[u],
            failed.is_some_and(|f| !f.is_empty()),
        ) {
            r.insert("rating".into(), json!(rt));
        }
        r.insert("status".into(), json!(lv.status[u].as_str()));
        if let Some(f) = failed {
            let texts: Vec<&str> = f.iter().map(|&g| dim.gates[g].text.as_str()).collect();
            r.insert(
                "gates".into(),
                json!({ "passed": f.is_empty(), "failed": texts }),
            );
        }
        dims.insert(dim.id.clone(), J::Object(r));
    }
    o.insert("dimensions".into(), J::Object(dims));
    let mut ev = Map::new();
    for (e, evd) in fw.evidence.iter().enumerate() {
        if evd.at != l {
            continue;
        }
        if let Some(Some(list)) = cx.results.evidence.get(&e).and_then(|v| v.get(u)) {
            ev.insert(evd.id.clone(), json!(list));
        }
    }
    if !ev.is_empty() {
        o.insert("evidence".into(), J::Object(ev));
    }
    J::Object(o)
}

/// A diagnostic in the result's `diagnostics` list.
pub fn diag_json(d: &Diag, sources: &SourceMap) -> J {
    let f = sources.get(d.primary.span.src);
    let mut o = Map::new();
    o.insert("severity".into(), json!(d.severity));
    o.insert("code".into(), json!(d.code));
    o.insert("message".into(), json!(d.message));
    o.insert("file".into(), json!(f.name));
    match d.row {
        Some(r) => {
            o.insert("row".into(), json!(r));
        }
        None => {
            let (line, _) = f.line_col(d.primary.span.start as usize);
            o.insert("line".into(), json!(line));
        }
    }
    if let Some(c) = &d.column {
        o.insert("column".into(), json!(c));
    }
    if let Some(h) = &d.help {
        o.insert("help".into(), json!(h));
    }
    J::Object(o)
}
