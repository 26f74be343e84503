//! The result as an Excel workbook (`grille eval --format xlsx`).
//!
//! In: a report [`Context`], the diagnostics and the source map. Out: the
//! `.xlsx` bytes: one sheet per reported level (one row per unit: id,
//! name, parent, then for each dimension its score and rating, for each
//! indicator its value and score), and a sheet of diagnostics. Headers
//! are in the report's language and frozen with the ids; numbers are
//! typed cells, shares formatted as percentages and scores with one
//! decimal. A value not shown (suppressed, not applicable, missing) is
//! its status in words, never the number.

use super::{Context, step_id, words};
use crate::data::Column;
use crate::diagnostic::Diag;
use crate::eval::Status;
use crate::ir::{IndicatorId, LevelId, Type};
use crate::source::SourceMap;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

struct Formats {
    head: Format,
    share: Format,
    score: Format,
    number: Format,
}

/// The workbook's bytes.
///
/// # Errors
/// The writer's message, should the workbook not be writable.
pub fn result(cx: &Context<'_>, diags: &[Diag], sources: &SourceMap) -> Result<Vec<u8>, String> {
    let f = Formats {
        head: Format::new().set_bold().set_text_wrap(),
        share: Format::new().set_num_format("0.0%"),
        score: Format::new().set_num_format("0.0"),
        number: Format::new().set_num_format("#,##0.##"),
    };
    let mut wb = Workbook::new();
    let mut names = std::collections::HashSet::new();
    for l in cx.levels() {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&level_label(cx, l), &mut names))
            .map_err(|e| e.to_string())?;
        level_sheet(cx, l, ws, &f).map_err(|e| e.to_string())?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(diagnostics_word(cx.lang), &mut names))
        .map_err(|e| e.to_string())?;
    diagnostics_sheet(cx, diags, sources, ws, &f).map_err(|e| e.to_string())?;
    wb.save_to_buffer().map_err(|e| e.to_string())
}

fn level_label(cx: &Context<'_>, l: LevelId) -> String {
    let lv = &cx.fw.levels[l];
    lv.label
        .get(cx.lang, cx.fw.default_lang())
        .unwrap_or(&lv.id)
        .to_string()
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`,
/// distinct from the others.
fn sheet_name(s: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let clean: String = s
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(28)
        .collect();
    let mut name = clean.clone();
    let mut k = 1;
    while !taken.insert(name.to_lowercase()) {
        k += 1;
        name = format!("{clean} {k}");
    }
    name
}

fn diagnostics_word(lang: &str) -> &'static str {
    match lang {
        "fr" => "Diagnostics",
        "nl" => "Diagnostiek",
        _ => "Diagnostics",
    }
}

/// Column headings of a level sheet, in the report's language.
fn words_for(lang: &str) -> [&'static str; 5] {
    match lang {
        "fr" => ["Nom", "Niveau parent", "note", "appréciation", "valeur"],
        "nl" => [
            "Naam",
            "Bovenliggend niveau",
            "score",
            "beoordeling",
            "waarde",
        ],
        _ => ["Name", "Parent", "score", "rating", "value"],
    }
}

fn level_sheet(
    cx: &Context<'_>,
    l: LevelId,
    ws: &mut Worksheet,
    f: &Formats,
) -> Result<(), XlsxError> {
    let (fw, lang, dl) = (cx.fw, cx.lang, cx.fw.default_lang());
    let w = words_for(lang);
    let units = &cx.ds.levels[l];
    let has_names = (0..units.len()).any(|u| units.name(u).is_some());
    let mut c: u16 = 0;
    ws.write_string_with_format(0, c, level_label(cx, l), &f.head)?;
    for (u, id) in units.ids.iter().enumerate() {
        ws.write_string(u as u32 + 1, c, id)?;
    }
    if has_names {
        c += 1;
        ws.write_string_with_format(0, c, w[0], &f.head)?;
        for u in 0..units.len() {
            ws.write_string(u as u32 + 1, c, units.name(u).unwrap_or(""))?;
        }
    }
    if l > LevelId::TOP {
        c += 1;
        ws.write_string_with_format(0, c, level_label(cx, l - 1), &f.head)?;
        for u in 0..units.len() {
            ws.write_string(u as u32 + 1, c, cx.parent(l, u).unwrap_or(""))?;
        }
    }
    let first = c + 1;
    for (d, dim) in fw.dimensions.iter_enumerated() {
        let Some(x) = cx.results.dimensions.get(&(d, l)) else {
            continue;
        };
        let name = dim.label.get(lang, dl).unwrap_or(&dim.id);
        c += 1;
        ws.write_string_with_format(0, c, format!("{name} — {}", w[2]), &f.head)?;
        for u in 0..units.len() {
            let r = u as u32 + 1;
            match x.score[u].is_nan() {
                false => ws.write_number_with_format(r, c, x.score[u], &f.score)?,
                true => ws.write_string(r, c, words::status(x.status[u], lang))?,
            };
        }
        if let Some(rate) = dim.rate {
            c += 1;
            ws.write_string_with_format(0, c, format!("{name} — {}", w[3]), &f.head)?;
            for u in 0..units.len() {
                if let Some(s) = step_id(fw, Some(rate), x.rating[u]) {
                    let step = fw.ratings[rate].steps.iter().find(|st| st.id == s);
                    let label = step.and_then(|st| st.label.get(lang, dl)).unwrap_or(&s);
                    ws.write_string(u as u32 + 1, c, label)?;
                }
            }
        }
    }
    for i in fw.indicators.keys() {
        if cx.results.indicators.contains_key(&(i, l)) {
            c = indicator_columns(cx, i, l, ws, c + 1, f)?;
        }
    }
    ws.set_freeze_panes(1, first)?;
    ws.set_column_width(0, 14)?;
    ws.set_row_height(0, 45)?;
    Ok(())
}

/// An indicator's value column and, when it is scored, its score column;
/// the last column written.
fn indicator_columns(
    cx: &Context<'_>,
    i: IndicatorId,
    l: LevelId,
    ws: &mut Worksheet,
    mut c: u16,
    f: &Formats,
) -> Result<u16, XlsxError> {
    let (fw, lang) = (cx.fw, cx.lang);
    let ind = &fw.indicators[i];
    let x = &cx.results.indicators[&(i, l)];
    let name = ind.label.get(lang, fw.default_lang()).unwrap_or(&ind.id);
    let mut head = name.to_string();
    if let Some(u) = ind.unit.as_deref().filter(|u| *u != "%") {
        head.push_str(&format!(" ({u})"));
    }
    ws.write_string_with_format(0, c, head, &f.head)?;
    let share = super::unit_of(ind, &x.value) == Some("%");
    for u in 0..x.status.len() {
        let r = u as u32 + 1;
        let shown = !matches!(x.status[u], Status::NotApplicable | Status::Suppressed);
        match (
            &x.value,
            shown && x.value.present(u) && x.distribution.is_none(),
        ) {
            (Column::Num(v), true) if share => ws.write_number_with_format(r, c, v[u], &f.share)?,
            (Column::Num(v), true) => ws.write_number_with_format(r, c, v[u], &f.number)?,
            (Column::Bool(v), true) => ws.write_boolean(r, c, v[u] == 1)?,
            (_, true) => ws.write_string(r, c, super::value_text(cx, i, l, u))?,
            (_, false) if shown && x.distribution.is_some() => {
                ws.write_string(r, c, super::value_text(cx, i, l, u))?
            }
            (_, false) => ws.write_string(r, c, words::status_of(x, u, lang))?,
        };
    }
    if ind.normalize.is_some() && !matches!(ind.value.ty, Type::Text) {
        c += 1;
        let w = words_for(lang);
        ws.write_string_with_format(0, c, format!("{name} — {}", w[2]), &f.head)?;
        for u in 0..x.status.len() {
            if x.status[u].scored() && !x.score[u].is_nan() {
                ws.write_number_with_format(u as u32 + 1, c, x.score[u], &f.score)?;
            }
        }
    }
    Ok(c)
}

fn diagnostics_sheet(
    cx: &Context<'_>,
    diags: &[Diag],
    sources: &SourceMap,
    ws: &mut Worksheet,
    f: &Formats,
) -> Result<(), XlsxError> {
    let head = match cx.lang {
        "fr" => ["Gravité", "Code", "Message", "Fichier", "Ligne", "Colonne"],
        "nl" => ["Ernst", "Code", "Bericht", "Bestand", "Regel", "Kolom"],
        _ => ["Severity", "Code", "Message", "File", "Line", "Column"],
    };
    for (k, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, k as u16, *h, &f.head)?;
    }
    // A published result leaves out the answers messages quote.
    let private = cx.fw.min_group > 1;
    for (k, d) in diags.iter().enumerate() {
        let r = k as u32 + 1;
        let file = sources.get(d.primary.span.src);
        let name = std::path::Path::new(&file.name)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let line = d
            .row
            .unwrap_or_else(|| file.line_col(d.primary.span.start as usize).0);
        let message = d
            .redacted
            .as_ref()
            .filter(|_| private)
            .unwrap_or(&d.message);
        let severity = match (d.severity, cx.lang) {
            (crate::diagnostic::Severity::Error, "fr") => "erreur",
            (crate::diagnostic::Severity::Error, "nl") => "fout",
            (crate::diagnostic::Severity::Error, _) => "error",
            (_, "fr") => "avertissement",
            (_, "nl") => "waarschuwing",
            _ => "warning",
        };
        ws.write_string(r, 0, severity)?;
        ws.write_string(r, 1, d.code)?;
        ws.write_string(r, 2, message)?;
        ws.write_string(r, 3, name)?;
        ws.write_number(r, 4, line as f64)?;
        ws.write_string(r, 5, d.column.as_deref().unwrap_or(""))?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_column_width(2, 80)?;
    Ok(())
}
