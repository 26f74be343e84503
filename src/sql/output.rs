//! The final SELECT: the tidy result, one row per unit and item.
//!
//! In: the builder with every item's CTE written. Out: a `UNION ALL` of
//! one SELECT per (level, item), ordered as `eval --format csv` writes its
//! rows: levels coarsest first, units in order, indicators then
//! dimensions in the framework's order. A value that does not apply is
//! not shown, nor its score, n, coverage or interval; a rating is the
//! step of the score (the lowest one where a dimension's gate failed).

use super::SqlError;
use super::build::Builder;
use crate::ir::{DimensionId, IndicatorId, LevelId, RatingsId};

/// The result's columns: the tidy CSV's.
pub use crate::report::csv::COLUMNS;

pub fn select(b: &Builder<'_>) -> Result<String, SqlError> {
    let fw = b.fw;
    let mut parts = Vec::new();
    let levels: Vec<LevelId> = b
        .plan
        .levels
        .iter()
        .copied()
        .filter(|l| b.opts.level.is_none_or(|x| x == *l))
        .collect();
    for (lk, &l) in levels.iter().enumerate() {
        let mut items = Vec::new();
        for (i, ind) in fw.indicators.iter_enumerated() {
            if !ind.levels.contains(&l) {
                continue;
            }
            parts.extend(cell_rows(b, l, lk, items.len(), i));
            items.push(indicator_cols(b, l, i));
        }
        for (k, dim) in fw.dimensions.iter_enumerated() {
            if dim.levels.contains(&l) {
                items.push(dimension_cols(b, l, k));
            }
        }
        if !items.is_empty() {
            parts.push(item_rows(b, l, lk, &items));
        }
    }
    let cols = COLUMNS.join(", ");
    if parts.is_empty() {
        let d = b.d;
        let nul = |t: &str| format!("CAST(NULL AS {t})");
        let (t, x) = (d.text(), d.double());
        let types = [t, t, t, t, t, t, t, x, "BIGINT", x, x, x, t, t, t, t];
        let empty: Vec<String> = COLUMNS
            .iter()
            .zip(types)
            .map(|(c, ty)| format!("{} AS {c}", nul(ty)))
            .collect();
        return Ok(format!("SELECT {} WHERE 1 = 0", empty.join(", ")));
    }
    Ok(format!(
        "SELECT {cols} FROM (\n{}\n) AS result ORDER BY _lv, _o, _it, _sub",
        parts.join("\nUNION ALL\n")
    ))
}

/// The place columns of a row of level `l`: level, unit, name, parent.
fn place(b: &Builder<'_>, l: LevelId) -> String {
    let d = b.d;
    let parent = match b.fw.levels[l].parent {
        Some(_) => "r._p".to_string(),
        None => b.null(crate::ir::Type::Text),
    };
    // Units met only as a finer table's parents have no name.
    let name = match b.fw.levels[l].name_column.is_some() && b.has_table(l) {
        true => "r._n".to_string(),
        false => b.null(crate::ir::Type::Text),
    };
    format!(
        "{} AS level, r._k AS unit, {name} AS name, {parent} AS parent",
        d.str(&b.fw.levels[l].id)
    )
}

/// `CASE` from a score to its step's name.
fn rating(b: &Builder<'_>, rate: Option<RatingsId>, score: &str, gated: Option<&str>) -> String {
    let d = b.d;
    let Some(r) = rate.map(|r| &b.fw.ratings[r]) else {
        return b.null(crate::ir::Type::Text);
    };
    let mut s = format!("CASE WHEN {score} IS NULL THEN NULL");
    if let (Some(g), Some(first)) = (gated, r.steps.first()) {
        s.push_str(&format!(" WHEN {g} THEN {}", d.str(&first.id)));
    }
    for step in &r.steps {
        match step.below {
            Some(below) => s.push_str(&format!(
                " WHEN {score} < {} THEN {}",
                d.num(below),
                d.str(&step.id)
            )),
            None => {
                s.push_str(&format!(" ELSE {}", d.str(&step.id)));
                break;
            }
        }
    }
    if r.steps.last().is_some_and(|s| s.below.is_some()) {
        s.push_str(&format!(" ELSE {}", d.str(&r.steps[r.steps.len() - 1].id)));
    }
    s.push_str(" END");
    s
}

/// The rows of every item at level `l`, one per unit and item: the
/// level's last chain CTE crossed with the items' numbers, each column
/// picking the item's expression. Read once, where a SELECT per item
/// would have the engine read the chain once per item (Spark copies a
/// CTE into every place that reads it).
fn item_rows(b: &Builder<'_>, l: LevelId, lk: usize, items: &[[String; 12]]) -> String {
    let numbers: Vec<String> = (0..items.len())
        .map(|k| format!("SELECT {k} AS _it"))
        .collect();
    let mut cols = vec![place(b, l)];
    for (c, name) in COLUMNS[4..].iter().enumerate() {
        let mut case = String::from("CASE t._it");
        for (k, item) in items.iter().enumerate() {
            case.push_str(&format!(" WHEN {k} THEN {}", item[c]));
        }
        cols.push(format!("{case} END AS {name}"));
    }
    format!(
        "SELECT {}, {lk} AS _lv, r._o AS _o, t._it AS _it, 0 AS _sub FROM {} AS r CROSS JOIN ({}) AS t",
        cols.join(", "),
        b.last(l),
        numbers.join(" UNION ALL ")
    )
}

/// An indicator's columns from `kind` to `option` at level `l`.
fn indicator_cols(b: &Builder<'_>, l: LevelId, i: IndicatorId) -> [String; 12] {
    let d = b.d;
    let ind = &b.fw.indicators[i];
    let x = b.in_last(&format!("i{i}_{l}"), l);
    let st = x.col("st");
    let shown = format!("{st} NOT IN ('not_applicable', 'suppressed')");
    let show = |v: &str| format!("CASE WHEN {shown} THEN {v} END");
    let applies = |v: &str| format!("CASE WHEN {st} <> 'not_applicable' THEN {v} END");
    let nul = b.null(crate::ir::Type::Text);
    [
        d.str("indicator"),
        d.str(&ind.id),
        show(&d.to_text(&x.col("v"))),
        show(&x.col("s")),
        applies(&x.col("n")),
        applies(&x.col("cov")),
        show(&x.col("lo")),
        show(&x.col("hi")),
        show(&rating(b, ind.rate, &x.col("s"), None)),
        st.clone(),
        nul.clone(),
        nul,
    ]
}

/// A dimension's columns from `kind` to `option` at level `l`.
fn dimension_cols(b: &Builder<'_>, l: LevelId, k: DimensionId) -> [String; 12] {
    let d = b.d;
    let dim = &b.fw.dimensions[k];
    let nul = b.null(crate::ir::Type::Text);
    let num = b.null(crate::ir::Type::Number);
    let x = b.in_last(&format!("d{k}_{l}"), l);
    [
        d.str("dimension"),
        d.str(&dim.id),
        nul.clone(),
        x.col("s"),
        format!("CAST(NULL AS {})", d.bigint()),
        x.col("cov"),
        num.clone(),
        num,
        rating(b, dim.rate, &x.col("s"), Some(&x.col("gated"))),
        x.col("st"),
        nul.clone(),
        nul,
    ]
}

/// The rows of an indicator's cells at level `l`, one SELECT per
/// breakdown with cells there: every option, and the missing cell where
/// some entry falls in it. Cells have no rating.
fn cell_rows(b: &Builder<'_>, l: LevelId, lk: usize, item: usize, i: IndicatorId) -> Vec<String> {
    let d = b.d;
    let fw = b.fw;
    let ind = &fw.indicators[i];
    let shown = "x.st NOT IN ('not_applicable', 'suppressed')";
    let show = |v: &str| format!("CASE WHEN {shown} THEN {v} END");
    let mut out = Vec::new();
    let mut sub = 1;
    for (k, bd) in ind.by.iter().enumerate() {
        if !ind.levels.contains(&l) || bd.level <= l {
            continue;
        }
        let cells = bd.n_options(fw) + 1;
        let mut option = String::from("CASE x._c");
        for c in 0..cells {
            let code = bd.option_code(fw, c).unwrap_or_else(|| "NA".into());
            option.push_str(&format!(" WHEN {c} THEN {}", d.str(&code)));
        }
        option.push_str(" END");
        out.push(format!(
            "SELECT {}, 'indicator' AS kind, {} AS item, {} AS value, {} AS score, CASE WHEN x.st <> 'not_applicable' THEN x.n END AS n, CASE WHEN x.st <> 'not_applicable' THEN x.cov END AS coverage, {} AS ci_low, {} AS ci_high, {nul} AS rating, x.st AS status, {} AS breakdown, {option} AS option, {lk} AS _lv, r._o AS _o, {item} AS _it, {sub} + x._c AS _sub FROM b{l} AS r JOIN y{i}_{k}_{l} AS x ON x._k = r._k WHERE x._c < {last} OR x.rows > 0",
            place(b, l),
            d.str(&ind.id),
            show(&d.to_text("x.v")),
            show("x.s"),
            show("x.lo"),
            show("x.hi"),
            d.str(&bd.id),
            nul = b.null(crate::ir::Type::Text),
            last = cells - 1,
        ));
        sub += cells;
    }
    out
}
