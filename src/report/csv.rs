//! The tidy CSV result: one row per unit × item.
//!
//! In: a report [`Context`]. Out: CSV text with the columns
//! `level,unit,name,parent,kind,item,value,score,n,coverage,ci_low,ci_high,rating,status,breakdown,option`;
//! absent fields are empty cells. A breakdown's cells follow their total,
//! naming the breakdown and the option (`NA` for the missing cell).

use super::{Context, Value, step_id, value_at};
use crate::eval::{IndLevel, Status};
use crate::ir::IndicatorId;
use std::borrow::Cow;
use std::io::Write;

fn f(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// The columns of the tidy table, in order.
pub const COLUMNS: [&str; 16] = [
    "level",
    "unit",
    "name",
    "parent",
    "kind",
    "item",
    "value",
    "score",
    "n",
    "coverage",
    "ci_low",
    "ci_high",
    "rating",
    "status",
    "breakdown",
    "option",
];

/// How a spreadsheet in a language reads CSV: `,` and decimal points
/// (English), or `;` and decimal commas with a byte-order mark (French,
/// Dutch), which is what their spreadsheet software opens as columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    Fr,
    Nl,
}

impl Locale {
    fn comma(self) -> bool {
        self != Locale::En
    }
}

/// Writes the tidy table, with `,` and decimal points.
pub fn result(cx: &Context<'_>) -> String {
    result_in(cx, Locale::En)
}

/// Writes the tidy table for a spreadsheet in `locale`.
pub fn result_in(cx: &Context<'_>, locale: Locale) -> String {
    let mut out = Vec::new();
    write_in(cx, locale, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("CSV of UTF-8 strings")
}

/// Streams the tidy table for a spreadsheet in `locale` into `out`, row
/// by row (a million-person result is never held whole).
///
/// # Errors
/// What writing to `out` fails with.
pub fn write_in(cx: &Context<'_>, locale: Locale, out: &mut dyn Write) -> std::io::Result<()> {
    let comma = locale.comma();
    if comma {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(if comma { b';' } else { b',' })
        .from_writer(out);
    let header = COLUMNS;
    w.write_record(header)?;
    let fw = cx.fw;
    for l in cx.levels() {
        let level = &fw.levels[l].id;
        for u in 0..cx.ds.levels[l].len() {
            let place = [
                level.as_str(),
                &cx.ds.levels[l].ids[u],
                cx.ds.levels[l].name(u).unwrap_or(""),
                cx.parent(l, u).unwrap_or(""),
            ];
            for (i, ind) in fw.indicators.iter_enumerated() {
                let Some(lv) = cx.results.indicators.get(&(i, l)) else {
                    continue;
                };
                let rt = match lv.status[u] {
                    Status::NotApplicable | Status::Suppressed => String::new(),
                    _ => step_id(fw, ind.rate, lv.rating[u])
                        .unwrap_or_default()
                        .to_string(),
                };
                let row = entry_row(cx, place, i, lv, u, rt, ["", ""]);
                write_row(&mut w, &row, comma)?;
                for (b, cells) in lv.by.iter().enumerate() {
                    let Some(cells) = cells else { continue };
                    let bd = &ind.by[b];
                    for k in super::shown_cells(cells, u) {
                        let option = bd.option_code(fw, k).unwrap_or_else(|| "NA".into());
                        let row = entry_row(
                            cx,
                            place,
                            i,
                            &cells.lv,
                            cells.at(u, k),
                            String::new(),
                            [&bd.id, &option],
                        );
                        write_row(&mut w, &row, comma)?;
                    }
                }
            }
            for (d, dim) in fw.dimensions.iter_enumerated() {
                let Some(lv) = cx.results.dimensions.get(&(d, l)) else {
                    continue;
                };
                let [level, unit, name, parent] = place.map(Cow::Borrowed);
                let row: [Cow<'_, str>; 16] = [
                    level,
                    unit,
                    name,
                    parent,
                    "dimension".into(),
                    dim.id.as_str().into(),
                    "".into(),
                    f(lv.score[u]).into(),
                    "".into(),
                    f(lv.coverage[u]).into(),
                    "".into(),
                    "".into(),
                    step_id(fw, dim.rate, lv.rating[u])
                        .unwrap_or_default()
                        .into(),
                    lv.status[u].as_str().into(),
                    "".into(),
                    "".into(),
                ];
                write_row(&mut w, &row, comma)?;
            }
        }
    }
    w.flush()
}

/// Writes a row, the numeric fields (value, score, n, coverage, interval)
/// with decimal commas when `comma`; text values are left as they are.
/// Fields are written one by one from borrowed text: a result has a row
/// per unit and item, millions at a million persons.
fn write_row<W: Write>(
    w: &mut csv::Writer<W>,
    row: &[Cow<'_, str>; 16],
    comma: bool,
) -> std::io::Result<()> {
    for (k, x) in row.iter().enumerate() {
        let numeric = comma && (6..=11).contains(&k) && x.parse::<f64>().is_ok();
        match numeric {
            true => w.write_field(x.replacen('.', ",", 1))?,
            false => w.write_field(x.as_bytes())?,
        }
    }
    w.write_record(None::<&[u8]>)?;
    Ok(())
}

/// One indicator row: a unit's total, or one of its cells (`by` names
/// the breakdown and option, empty for a total).
fn entry_row<'a>(
    cx: &'a Context<'_>,
    place: [&'a str; 4],
    i: IndicatorId,
    lv: &IndLevel,
    u: usize,
    rating: String,
    by: [&'a str; 2],
) -> [Cow<'a, str>; 16] {
    let st = lv.status[u];
    let shown = !matches!(st, Status::NotApplicable | Status::Suppressed);
    let value = match value_at(cx, i, lv, u) {
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
    // No n where nothing applies, nor for a hidden count (n is the count).
    let no_n = st == Status::NotApplicable || st == Status::Suppressed && lv.n_is_value;
    let [level, unit, name, parent] = place.map(Cow::Borrowed);
    [
        level,
        unit,
        name,
        parent,
        "indicator".into(),
        cx.fw.indicators[i].id.as_str().into(),
        value.into(),
        score.into(),
        if no_n {
            "".into()
        } else {
            lv.n[u].to_string().into()
        },
        if no_n {
            "".into()
        } else {
            f(lv.coverage[u]).into()
        },
        lo.into(),
        hi.into(),
        rating.into(),
        st.as_str().into(),
        by[0].into(),
        by[1].into(),
    ]
}
