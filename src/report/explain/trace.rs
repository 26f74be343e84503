//! The trace of one unit's result: rows used, value, score and its
//! arithmetic, a dimension's parts with their weights after reweighting
//! and contributions, gates, rating and status with its reason.

use super::super::{
    Context, Value, column_text, format_number, format_score, indicator_value, step_id, value_text,
    words,
};
use super::{Ex, Item, line, list, t};
use crate::eval::{GateOperand, Status};
use crate::ir::{
    ChildRef, DimensionId, ExprKind, Framework, IndicatorId, LevelId, Normalize, RatingsId,
};

/// Why a trace cannot be given.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TraceError {
    #[error("no unit `{unit}` at the levels where `{item}` is reported ({levels})")]
    UnknownUnit {
        unit: String,
        item: String,
        levels: String,
    },
    #[error("`{0}` has no per-unit result to trace (only indicators, dimensions and evidence do)")]
    NotTraceable(String),
    #[error("`{unit}` is a unit at several levels ({levels}); say which with `--level`")]
    AmbiguousUnit { unit: String, levels: String },
}

/// Finds the unit among the item's levels, finest first.
/// Every level among `levels` (or only `cx.level`, when given) holding the
/// unit `unit`, finest first. The finest level keeps no index of its ids
/// (it may have millions), so it is searched through.
fn locate(cx: &Context<'_>, levels: &[LevelId], unit: &str) -> Vec<(LevelId, usize)> {
    levels
        .iter()
        .rev()
        .filter(|&&l| cx.level.is_none_or(|x| x == l))
        .filter_map(|&l| {
            let lu = &cx.ds.levels[l];
            match lu.index.get(unit) {
                Some(&u) => Some((l, u as usize)),
                None => lu.ids.iter().position(|x| x == unit).map(|u| (l, u)),
            }
        })
        .collect()
}

/// Rows of level `fine` whose ancestor at level `l` is unit `u`.
fn rows_under(cx: &Context<'_>, fine: LevelId, l: LevelId, u: usize) -> usize {
    let ds = cx.ds;
    (0..ds.levels[fine].len())
        .filter(|&r| {
            let mut x = r as u32;
            let mut lv = fine;
            while lv > l {
                x = ds.levels[lv].parent[x as usize];
                if x == u32::MAX {
                    return false;
                }
                lv -= 1;
            }
            x as usize == u
        })
        .count()
}

/// Finer units (one level down) of unit `u` at level `l`.
fn children_of(cx: &Context<'_>, l: LevelId, u: usize) -> Vec<usize> {
    let f = l + 1;
    (0..cx.ds.levels[f].len())
        .filter(|&r| cx.ds.levels[f].parent[r] as usize == u)
        .collect()
}

/// The trace of how unit `unit`'s result for the item was reached.
///
/// # Errors
/// [`TraceError`] when the unit is not at a level where the item is reported.
pub fn trace(cx: &Context<'_>, it: Item, unit: &str) -> Result<String, TraceError> {
    let fw = cx.fw;
    let lang = cx.lang;
    let ex = Ex {
        fw,
        lang,
        t: t(lang),
    };
    let t = ex.t;
    let (name, levels): (&str, Vec<LevelId>) = match it {
        Item::Indicator(i) => (&fw.indicators[i].id, fw.indicators[i].levels.clone()),
        Item::Dimension(d) => (&fw.dimensions[d].id, fw.dimensions[d].levels.clone()),
        Item::Evidence(e) => (&fw.evidence[e].id, vec![fw.evidence[e].at]),
        Item::Question(q) => return Err(TraceError::NotTraceable(fw.questions[q].id.clone())),
        Item::Let(l) => return Err(TraceError::NotTraceable(fw.lets[l].id.clone())),
    };
    let found = locate(cx, &levels, unit);
    if found.len() > 1 {
        return Err(TraceError::AmbiguousUnit {
            unit: unit.into(),
            levels: found
                .iter()
                .map(|(l, _)| fw.levels[*l].id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let Some(&(l, u)) = found.first() else {
        return Err(TraceError::UnknownUnit {
            unit: unit.into(),
            item: name.into(),
            levels: levels
                .iter()
                .map(|l| fw.levels[*l].id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let mut s = format!("{} {} {unit}", t.trace, fw.levels[l].id);
    if let Some(n) = cx.ds.levels[l].name(u) {
        s.push_str(&format!(" « {n} »"));
    }
    if let Some(p) = cx.parent(l, u) {
        s.push_str(&format!(" ({} {p})", fw.levels[l - 1].id));
    }
    s.push_str("\n\n");
    match it {
        Item::Indicator(i) => trace_indicator(cx, &ex, i, l, u, &mut s),
        Item::Dimension(d) => trace_dimension(cx, &ex, d, l, u, &mut s),
        Item::Evidence(e) => {
            let ev = &fw.evidence[e];
            let fine = ev.collect.level.unwrap_or(ev.at).max(ev.at);
            line(
                &mut s,
                t.rows,
                &format!("{} {}", rows_under(cx, fine, l, u), t.rows_of),
            );
            match cx.results.evidence.get(&e).and_then(|v| v.get(u)) {
                Some(Some(q)) => {
                    let q: Vec<String> = q.iter().map(|x| format!("« {x} »")).collect();
                    list(&mut s, t.quotes, &q, t.nothing);
                }
                _ => line(&mut s, t.quotes, t.dropped),
            }
        }
        _ => {}
    }
    Ok(s)
}

fn trace_indicator(
    cx: &Context<'_>,
    ex: &Ex<'_>,
    i: IndicatorId,
    l: LevelId,
    u: usize,
    s: &mut String,
) {
    let fw = cx.fw;
    let t = ex.t;
    let lang = cx.lang;
    let ind = &fw.indicators[i];
    let Some(lv) = cx.results.indicators.get(&(i, l)) else {
        return;
    };
    let st = lv.status[u];
    // A hidden count is the number of its rows: they are not counted here.
    let count_hidden = st == Status::Suppressed && lv.n_is_value;
    if l == ind.at {
        // Rows of finer levels that its aggregates read.
        let mut over: Vec<LevelId> = Vec::new();
        ind.value.walk(&mut |e| {
            if let ExprKind::Agg(crate::ir::Agg { over: o, .. }) = e.kind
                && !over.contains(&o)
                && !count_hidden
            {
                over.push(o);
            }
        });
        for o in over {
            line(
                s,
                t.rows,
                &format!(
                    "{} {} « {} »",
                    rows_under(cx, o, l, u),
                    t.rows_of,
                    ex.label(&fw.levels[o].label, &fw.levels[o].id)
                ),
            );
        }
    } else {
        line(s, t.rollup, ind.rollup.name());
        if let Some((a, b)) = &lv.units {
            line(s, t.units, &format!("{} {} {}", a[u], t.units_of, b[u]));
        }
        let kids = children_of(cx, l, u);
        if kids.len() <= 40 {
            let vals: Vec<String> = kids
                .iter()
                .map(|&k| {
                    let st = cx.results.indicators.get(&(i, l + 1)).map(|x| x.status[k]);
                    let v = value_text(cx, i, l + 1, k);
                    match st {
                        Some(Status::Ok) | None => format!("{} = {v}", &cx.ds.levels[l + 1].ids[k]),
                        Some(st) => {
                            format!("{} = {v} ({})", &cx.ds.levels[l + 1].ids[k], st.as_str())
                        }
                    }
                })
                .collect();
            list(s, "", &vals, "");
        }
    }
    let n_hidden = st == Status::Suppressed && lv.n_is_value;
    if st != Status::NotApplicable && !n_hidden {
        line(s, "n", &lv.n[u].to_string());
        if !lv.coverage[u].is_nan() {
            line(
                s,
                t.coverage,
                &format_number(lv.coverage[u], Some("%"), lang),
            );
        }
    }
    line(s, t.value, &value_text(cx, i, l, u));
    let shown = !matches!(st, Status::NotApplicable | Status::Suppressed);
    if let (true, Some((a, b))) = (shown, lv.ci[u]) {
        line(
            s,
            t.interval,
            &format!(
                "[{} ; {}]",
                format_number(a, ind.unit.as_deref(), lang),
                format_number(b, ind.unit.as_deref(), lang)
            ),
        );
    }
    if shown && !lv.score[u].is_nan() {
        let mut sc = format_score(lv.score[u], lang);
        if let (Some(Normalize::Goalposts { lo, hi }), Some(Value::Num(v))) =
            (&ind.normalize, indicator_value(cx, i, l, u))
        {
            // Units only for shares: "(42,1 % − 0 %)" reads well, "(12 ETP − 0 ETP)" does not.
            let u_ = ind.unit.as_deref().filter(|u| *u == "%");
            let mut raw = format!(
                "({} − {}) ÷ ({} − {}) × 100",
                format_number(v, u_, lang),
                format_number(*lo, u_, lang),
                format_number(*hi, u_, lang),
                format_number(*lo, u_, lang)
            );
            let r = (v - lo) / (hi - lo) * 100.0;
            if !(0.0..=100.0).contains(&r) {
                raw = format!(
                    "{raw} = {} → {}",
                    format_score(r, lang),
                    format_score(r.clamp(0.0, 100.0), lang)
                );
            }
            sc = if ind.better == crate::ir::Better::Lower {
                format!("{sc}  = 100 − {raw}")
            } else {
                format!("{sc}  = {raw}")
            };
        }
        line(s, t.score, &sc);
        if let Some(r) = step_id(fw, ind.rate, lv.rating[u]) {
            line(s, t.rating, &rating_label(fw, ind.rate, &r, lang));
        }
    }
    line(
        s,
        t.status,
        &status_why(cx, ex, Item::Indicator(i), l, u, st),
    );
    trace_cells(cx, ex, i, lv, u, s);
}

/// Each cell of the indicator's breakdowns at this unit: its value and
/// n, or why it is hidden (never the value).
fn trace_cells(
    cx: &Context<'_>,
    ex: &Ex<'_>,
    i: IndicatorId,
    lv: &crate::eval::IndLevel,
    u: usize,
    s: &mut String,
) {
    let fw = cx.fw;
    let lang = cx.lang;
    let ind = &fw.indicators[i];
    for (b, cells) in lv.by.iter().enumerate() {
        let Some(cells) = cells else { continue };
        let bd = &ind.by[b];
        let lines: Vec<String> = crate::report::shown_cells(cells, u)
            .map(|k| {
                let j = cells.at(u, k);
                let x = &cells.lv;
                let st = x.status[j];
                let name = words::cell(fw, bd, k, lang);
                let value = crate::report::value_text_at(cx, i, x, j);
                let n = match st == Status::Suppressed && x.n_is_value {
                    true => String::new(),
                    false => format!("n = {}", x.n[j]),
                };
                let why = match (st, x.suppression[j]) {
                    (Status::Ok, _) => String::new(),
                    (_, Some(crate::eval::Suppression::Complementary)) => {
                        format!("{} — {}", st.as_str(), ex.t.hidden_by)
                    }
                    (_, Some(_)) if x.n[j] >= fw.min_group => {
                        format!("{} — {}", st.as_str(), ex.t.hidden_when)
                    }
                    (_, Some(_)) => format!("{} — n < min_group {}", st.as_str(), fw.min_group),
                    _ => st.as_str().to_string(),
                };
                let tail: Vec<String> = [n, why].into_iter().filter(|x| !x.is_empty()).collect();
                match tail.is_empty() {
                    true => format!("{name} : {value}"),
                    false => format!("{name} : {value} ({})", tail.join(" ; ")),
                }
            })
            .collect();
        list(
            s,
            &format!("{} « {} »", ex.t.breakdown, words::breakdown(fw, bd, lang)),
            &lines,
            ex.t.nothing,
        );
    }
}

fn rating_label(fw: &Framework, rate: Option<RatingsId>, step: &str, lang: &str) -> String {
    let label = rate
        .and_then(|r| fw.ratings[r].steps.iter().find(|x| x.id == step))
        .and_then(|x| x.label.get(lang, fw.default_lang()));
    match label {
        Some(l) => format!("{step} « {l} »"),
        None => step.to_string(),
    }
}

/// A status with its reason.
fn status_why(cx: &Context<'_>, ex: &Ex<'_>, it: Item, l: LevelId, u: usize, st: Status) -> String {
    let fw = cx.fw;
    let lang = cx.lang;
    let base = format!("{} — {}", st.as_str(), words::status(st, lang));
    let extra = match (it, st) {
        (Item::Indicator(i), Status::Suppressed) => {
            let lv = &cx.results.indicators[&(i, l)];
            let n = lv.n[u];
            Some(match lv.suppression[u] {
                Some(crate::eval::Suppression::Complementary) => ex.t.hidden_by.to_string(),
                _ if n >= fw.min_group => ex.t.hidden_when.to_string(),
                _ if lv.n_is_value => format!("n < min_group {}", fw.min_group),
                _ => format!("n = {n} < min_group {}", fw.min_group),
            })
        }
        (Item::Indicator(i), Status::LowN) => {
            let n = cx.results.indicators[&(i, l)].n[u];
            fw.indicators[i]
                .min_n
                .map(|m| format!("n = {n} < min_n {m}"))
        }
        (Item::Indicator(i), Status::NotApplicable) => fw.indicators[i]
            .when
            .as_ref()
            .map(|w| format!("{} : {}", ex.t.applies, words::expr(fw, w, lang))),
        (Item::Dimension(d), Status::NotApplicable) => fw.dimensions[d]
            .when
            .as_ref()
            .map(|w| format!("{} : {}", ex.t.applies, words::expr(fw, w, lang))),
        (Item::Dimension(d), Status::Insufficient) => {
            let c = cx.results.dimensions[&(d, l)].coverage[u];
            Some(format!(
                "{} {} < {}",
                ex.t.coverage.to_lowercase(),
                format_number(c, Some("%"), lang),
                format_number(fw.dimensions[d].require, Some("%"), lang)
            ))
        }
        _ => None,
    };
    match extra {
        Some(e) => format!("{base} ({e})"),
        None => base,
    }
}

fn trace_dimension(
    cx: &Context<'_>,
    ex: &Ex<'_>,
    d: DimensionId,
    l: LevelId,
    u: usize,
    s: &mut String,
) {
    let fw = cx.fw;
    let t = ex.t;
    let lang = cx.lang;
    let dim = &fw.dimensions[d];
    let Some(lv) = cx.results.dimensions.get(&(d, l)) else {
        return;
    };
    let mean = dim.aggregate == crate::ir::Aggregate::Mean;
    // The children as the evaluation saw them, with their parts.
    let mut table: Vec<[String; 6]> = vec![
        [
            t.child,
            t.status,
            t.score,
            t.weight,
            t.reweighted,
            t.contribution,
        ]
        .map(str::to_string),
    ];
    for (c, part) in dim.children.iter().zip(&lv.parts) {
        let (name, status, score) = match c.item {
            ChildRef::Indicator(i) => {
                let x = cx.results.indicators.get(&(i, l));
                let st = x.map(|x| x.status[u]).unwrap_or(Status::Missing);
                let sc = x
                    .filter(|_| st.scored())
                    .map(|x| x.score[u])
                    .unwrap_or(f64::NAN);
                (fw.indicators[i].id.clone(), st, sc)
            }
            ChildRef::Dimension(k) => {
                let x = cx.results.dimensions.get(&(k, l));
                let st = x.map(|x| x.status[u]).unwrap_or(Status::Missing);
                let sc = x.map(|x| x.score[u]).unwrap_or(f64::NAN);
                (fw.dimensions[k].id.clone(), st, sc)
            }
        };
        let applies = status != Status::NotApplicable;
        let has = applies && !score.is_nan();
        let (w2, contribution) = (part.weight[u], part.contribution[u]);
        table.push([
            name,
            status.as_str().to_string(),
            if has {
                format_score(score, lang)
            } else {
                "—".into()
            },
            crate::text::number(c.weight),
            if has {
                format_number(w2, Some("%"), lang)
            } else if applies {
                t.counts_missing.into()
            } else {
                t.left_out.into()
            },
            if has && mean {
                format_score(contribution, lang)
            } else {
                "—".into()
            },
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in &table {
        let mut out = String::from("  ");
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 || c == 1 || c == 4 {
                out.push_str(&format!("{cell}{}  ", " ".repeat(pad)));
            } else {
                out.push_str(&format!("{}{cell}  ", " ".repeat(pad)));
            }
        }
        s.push_str(out.trim_end());
        s.push('\n');
    }
    s.push('\n');
    if !lv.coverage[u].is_nan() {
        line(
            s,
            t.coverage,
            &format!(
                "{} ({} {})",
                format_number(lv.coverage[u], Some("%"), lang),
                t.require.to_lowercase(),
                format_number(dim.require, Some("%"), lang)
            ),
        );
    }
    if !lv.score[u].is_nan() {
        let how = if mean {
            t.sum_contrib.to_string()
        } else {
            dim.aggregate.name().to_string()
        };
        line(
            s,
            t.score,
            &format!("{} ({how})", format_score(lv.score[u], lang)),
        );
    }
    let failed = lv.failed_gates.as_ref().map(|f| &f[u]);
    if !dim.gates.is_empty() {
        let g: Vec<String> = dim
            .gates
            .iter()
            .enumerate()
            .map(|(k, g)| {
                let ok = failed.is_none_or(|f| !f.contains(&k));
                // What the gate read at this unit, as evaluation recorded it.
                let seen: Vec<String> = lv.gate_reads[k]
                    .iter()
                    .map(|r| match r.operand {
                        GateOperand::Value(i) => format!(
                            "{} = {}",
                            fw.indicators[i].id,
                            column_text(cx, i, &r.values, u)
                        ),
                        GateOperand::Score(c) => {
                            let score = match &r.values {
                                crate::data::Column::Num(v) => v[u],
                                _ => f64::NAN,
                            };
                            let shown = if score.is_nan() {
                                "—".into()
                            } else {
                                format_score(score, lang)
                            };
                            match c {
                                ChildRef::Indicator(i) => {
                                    format!("score({}) = {shown}", fw.indicators[i].id)
                                }
                                ChildRef::Dimension(d) => {
                                    format!("{} = {shown}", fw.dimensions[d].id)
                                }
                            }
                        }
                    })
                    .collect();
                let read = if seen.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", seen.join(", "))
                };
                format!("{}: {}{read}", g.text, if ok { t.passed } else { t.failed })
            })
            .collect();
        list(s, t.gates, &g, t.nothing);
    }
    let any_failed = failed.is_some_and(|f| !f.is_empty());
    if let Some(r) = step_id(fw, dim.rate, lv.rating[u]) {
        let mut v = rating_label(fw, dim.rate, &r, lang);
        if any_failed {
            v.push_str(&format!(" ({})", t.capped));
        }
        line(s, t.rating, &v);
    }
    line(
        s,
        t.status,
        &status_why(cx, ex, Item::Dimension(d), l, u, lv.status[u]),
    );
}
