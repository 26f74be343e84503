//! Stage 5, reports: results → JSON, CSV, Markdown and HTML reports, and
//! the framework's own documents (doc, template, explain, diff).
//!
//! In: the framework, the dataset, the evaluated [`Results`] and the
//! diagnostics. Out: text. Nothing is computed here: values are only
//! looked up, formatted and laid out.

pub mod csv;
pub mod diff;
pub mod doc;
pub mod explain;
pub mod human;
pub mod json;
pub mod page;
pub mod pdf;
pub mod template;
pub mod words;
pub mod xlsform;
pub mod xlsx;

use crate::data::Column;
use crate::data::Dataset;
use crate::data::column::{NA_OPT, format_date};
use crate::eval::{Results, Status};
use crate::ir::{Framework, IndicatorId, LevelId, RatingsId};

/// What every report needs.
pub struct Context<'a> {
    pub fw: &'a Framework,
    pub ds: &'a Dataset,
    pub results: &'a Results,
    /// The data section: per table, rows read, used and rejected, and
    /// each question's answers (not-asked rows counted apart).
    pub data: &'a indexmap::IndexMap<String, crate::data::TableReport>,
    pub lang: &'a str,
    /// Only this level, when given.
    pub level: Option<LevelId>,
    /// SHA-256 of the framework's files.
    pub framework_sha256: &'a str,
    /// The round's label (`eval --round`), written into the JSON result.
    pub round: Option<&'a str>,
    /// The report's date, in days since 1970-01-01 (the CLI takes it
    /// from `SOURCE_DATE_EPOCH` when set, for reproducible reports).
    pub date: Option<i64>,
}

impl Context<'_> {
    /// Levels to report, coarsest first.
    pub fn levels(&self) -> Vec<LevelId> {
        self.results
            .levels
            .iter()
            .copied()
            .filter(|l| self.level.is_none_or(|x| x == *l))
            .collect()
    }

    /// The parent unit's id.
    pub fn parent(&self, l: LevelId, u: usize) -> Option<&str> {
        if l == LevelId::TOP {
            return None;
        }
        let p = self.ds.levels[l].parent[u];
        (p != u32::MAX).then(|| &self.ds.levels[l - 1].ids[p as usize])
    }
}

/// A reported value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(f64),
    Bool(bool),
    Text(String),
    Distribution(Vec<(String, u32)>),
}

/// The value of an indicator at a unit, if it is shown.
pub fn indicator_value(cx: &Context<'_>, i: IndicatorId, l: LevelId, u: usize) -> Option<Value> {
    value_at(cx, i, cx.results.indicators.get(&(i, l))?, u)
}

/// The cells of unit `u` that are reported: every option, and the missing
/// cell when some row falls in it.
pub fn shown_cells(cells: &crate::eval::Cells, u: usize) -> impl Iterator<Item = usize> + '_ {
    let k = cells.per_unit;
    (0..k).filter(move |&c| c + 1 < k || cells.rows[cells.at(u, c)] > 0)
}

/// The value of entry `u` of an indicator's level (or of its cells), if shown.
pub fn value_at(
    cx: &Context<'_>,
    i: IndicatorId,
    lv: &crate::eval::IndLevel,
    u: usize,
) -> Option<Value> {
    if matches!(lv.status[u], Status::NotApplicable | Status::Suppressed) {
        return None;
    }
    if let Some(d) = &lv.distribution {
        let ind = &cx.fw.indicators[i];
        if let crate::ir::Type::Option(q) = ind.value.ty {
            let opts = cx.fw.questions[q].ty.options();
            // Options no unit chose are left out, as in a tally.
            return Some(Value::Distribution(
                opts.iter()
                    .zip(&d[u])
                    .filter(|(_, c)| **c > 0)
                    .map(|(o, c)| (o.code.clone(), *c))
                    .collect(),
            ));
        }
        return None;
    }
    if !lv.value.present(u) {
        return None;
    }
    Some(match &lv.value {
        Column::Num(v) => Value::Num(v[u]),
        Column::Bool(v) => Value::Bool(v[u] == 1),
        Column::Text(v) => Value::Text(v[u].as_deref().unwrap_or("").to_string()),
        Column::Date(v) => Value::Text(format_date(v[u])),
        Column::Opt(v) => match cx.fw.indicators[i].value.ty {
            crate::ir::Type::Option(q) if v[u] != NA_OPT => {
                Value::Text(cx.fw.questions[q].ty.options()[v[u] as usize].code.clone())
            }
            _ => return None,
        },
        Column::Set(_) => return None,
    })
}

/// An indicator's value at a unit for people: numbers in the language's
/// conventions with their unit, yes/no in words, options by their label, a
/// distribution as `label : count` pairs, `—` when there is none.
pub fn value_text(cx: &Context<'_>, i: IndicatorId, l: LevelId, u: usize) -> String {
    match cx.results.indicators.get(&(i, l)) {
        Some(lv) => value_text_at(cx, i, lv, u),
        None => "—".into(),
    }
}

/// One entry of a column of indicator `i`'s values (as a gate read it),
/// for people: formatted like [`value_text`].
pub fn column_text(cx: &Context<'_>, i: IndicatorId, col: &Column, u: usize) -> String {
    let fw = cx.fw;
    let ind = &fw.indicators[i];
    if !col.present(u) {
        return "—".into();
    }
    match col {
        Column::Num(v) => format_number(v[u], unit_of(ind, col), cx.lang),
        Column::Bool(v) => yes_no(v[u] == 1, cx.lang).to_string(),
        Column::Opt(v) => match ind.value.ty {
            crate::ir::Type::Option(q) => {
                let o = &fw.questions[q].ty.options()[v[u] as usize];
                o.label
                    .get(cx.lang, fw.default_lang())
                    .unwrap_or(&o.code)
                    .to_string()
            }
            _ => "—".into(),
        },
        Column::Text(v) => v[u].as_deref().unwrap_or("—").to_string(),
        Column::Date(v) => format_date(v[u]),
        Column::Set(_) => "—".into(),
    }
}

/// The unit an indicator's values are shown in: its own, or `%` for a
/// yes/no rolled up into the share of units saying yes.
pub fn unit_of<'a>(ind: &'a crate::ir::Indicator, value: &Column) -> Option<&'a str> {
    match (ind.value.ty, value) {
        (crate::ir::Type::Bool, Column::Num(_)) => Some("%"),
        _ => ind.unit.as_deref(),
    }
}

/// [`value_text`] of entry `u` of an indicator's level or cells.
pub fn value_text_at(
    cx: &Context<'_>,
    i: IndicatorId,
    lv: &crate::eval::IndLevel,
    u: usize,
) -> String {
    let fw = cx.fw;
    let ind = &fw.indicators[i];
    let lang = cx.lang;
    let dl = fw.default_lang();
    let options = match ind.value.ty {
        crate::ir::Type::Option(q) => fw.questions[q].ty.options(),
        _ => &[],
    };
    let option_label = |code: &str| {
        options
            .iter()
            .find(|o| o.code == code)
            .map(|o| o.label.get(lang, dl).unwrap_or(&o.code).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    match value_at(cx, i, lv, u) {
        Some(Value::Num(x)) => format_number(x, unit_of(ind, &lv.value), lang),
        Some(Value::Bool(b)) => yes_no(b, lang).to_string(),
        Some(Value::Text(code)) => option_label(&code),
        Some(Value::Distribution(d)) => d
            .iter()
            .map(|(k, c)| format!("{} : {c}", option_label(k)))
            .collect::<Vec<_>>()
            .join(", "),
        None => "—".into(),
    }
}

/// Yes or no in `lang`.
pub fn yes_no(b: bool, lang: &str) -> &'static str {
    match (lang, b) {
        ("fr", true) => "oui",
        ("fr", false) => "non",
        ("nl", true) => "ja",
        ("nl", false) => "nee",
        (_, true) => "yes",
        (_, false) => "no",
    }
}

/// The step of scale `rate` at index `step`, when both are known.
pub fn step_of(
    fw: &Framework,
    rate: Option<RatingsId>,
    step: Option<u16>,
) -> Option<&crate::ir::Step> {
    fw.ratings[rate?].steps.get(usize::from(step?))
}

/// The id of a rating step the evaluation chose (`None` when there is none).
pub fn step_id(fw: &Framework, rate: Option<RatingsId>, step: Option<u16>) -> Option<String> {
    let steps = &fw.ratings[rate?].steps;
    steps.get(usize::from(step?)).map(|s| s.id.clone())
}

/// `x` rounded to a whole number as reports show it: at 12 significant
/// digits first, so that the same number computed in two orders (in
/// memory and by a database) rounds the same way: 7.5 computed as
/// 7.499999999999999 still gives 8 (see `eval::score::tie_key`).
pub(crate) fn round_shown(x: f64) -> f64 {
    use crate::eval::score::{round, tie_key};
    // Taking `x` to 12 digits moves it by at most 5·10⁻¹²·|x|, which can
    // change its rounding only within that distance of a half: elsewhere
    // the plain rounding is the same, and costs a fifth (every number and
    // chart coordinate of a report comes here). NaN and the infinities
    // fail the test and take the long way.
    let r = round(x);
    if 0.5 - (x - r).abs() > 1e-11 * x.abs() {
        return r;
    }
    round(tie_key(x))
}

/// A number for people, in the conventions of `lang`: decimal comma and
/// grouped thousands in French and Dutch, decimal point in English, then
/// a space and the unit. A share with unit `%` is shown out of 100
/// (`0.72` → `72 %`). Plain spaces are used, so that the text can be
/// searched and copied as it reads; HTML keeps numbers on one line.
pub fn format_number(x: f64, unit: Option<&str>, lang: &str) -> String {
    let mut out = String::with_capacity(24);
    push_number(&mut out, x, unit, lang);
    out
}

/// [`format_number`] appended to `out`: reports write hundreds of numbers
/// per unit, each one a `String` of its own before.
pub fn push_number(out: &mut String, x: f64, unit: Option<&str>, lang: &str) {
    if !x.is_finite() {
        out.push('—');
        return;
    }
    let pct = unit == Some("%");
    let v = if pct { x * 100.0 } else { x };
    // One decimal for shares and large numbers, two otherwise, trailing
    // zeros dropped; done on integers, which reports call often.
    let decimals: u32 = if v.abs() >= 100.0 || pct { 1 } else { 2 };
    let scale = if decimals == 1 { 10.0 } else { 100.0 };
    // 0.345 computed as 0.34499999999999997 by one engine and as
    // 0.34500000000000003 by another reads 0.35 in both.
    let scaled = round_shown(v.abs() * scale);
    if scaled >= 9e18 {
        use std::fmt::Write;
        let _ = write!(out, "{v:e}");
        return;
    }
    let scaled = scaled as u64;
    // Divisions by a constant, which compile to multiplications: by
    // `scale` it was a hardware division, the slowest step of the number.
    let (int, frac) = match decimals {
        1 => (scaled / 10, scaled % 10),
        _ => (scaled / 100, scaled % 100),
    };
    let (group, point) = match lang {
        "fr" => (b' ', b','),
        "nl" => (b'.', b','),
        _ => (b',', b'.'),
    };
    if v < 0.0 && scaled > 0 {
        out.push('-');
    }
    // Reports format hundreds of numbers per unit: the digits come from
    // `itoa` (half the time of dividing by ten here and checking the
    // result is text), and short numbers are appended at once.
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(int);
    if digits.len() > 4 {
        // Thousands are grouped from five digits on (1500, but 15 000).
        let len = digits.len();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (len - i).is_multiple_of(3) {
                out.push(char::from(group));
            }
            out.push(c);
        }
    } else {
        out.push_str(digits);
    }
    // Decimals without their trailing zeros.
    if frac != 0 {
        out.push(char::from(point));
        let digit = |d: u64| char::from(b'0' + d as u8);
        if decimals == 2 {
            out.push(digit(frac / 10));
            if frac % 10 != 0 {
                out.push(digit(frac % 10));
            }
        } else {
            out.push(digit(frac));
        }
    }
    match unit {
        None | Some("") => {}
        Some(u) => {
            out.push(' ');
            out.push_str(u);
        }
    }
}

/// Appends the decimal digits of `n` to `out`.
pub(crate) fn push_digits(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// A score (0..100) for people: one decimal at most.
pub fn format_score(x: f64, lang: &str) -> String {
    let mut out = String::with_capacity(8);
    push_score(&mut out, x, lang);
    out
}

/// [`format_score`] appended to `out`.
pub fn push_score(out: &mut String, x: f64, lang: &str) {
    let tenths = round_shown(x * 10.0);
    push_number(out, tenths / 10.0, None, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The quick rounding gives what rounding at 12 digits gives,
        /// near halves (where only the long way decides) and anywhere.
        #[test]
        fn shown_rounding_is_rounding_at_twelve_digits(
            k in -1_000_000_000i64..1_000_000_000,
            ulps in -64i64..64,
            scale in -12i32..12,
            any in proptest::num::f64::ANY,
        ) {
            use crate::eval::score::{round, tie_key};
            let half = (k as f64 + 0.5) * 10f64.powi(scale);
            let near = f64::from_bits((half.to_bits() as i64 + ulps) as u64);
            for x in [near, near * 1e-3, any] {
                let want = round(tie_key(x));
                let got = round_shown(x);
                proptest::prop_assert!(
                    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "{x:e}: {got} against {want}"
                );
            }
        }
    }

    proptest::proptest! {
        /// The digits put together by hand read as the standard
        /// formatting of the same rounded number, with the language's
        /// point and thousands grouped from five digits on.
        #[test]
        fn numbers_read_as_the_standard_formatting(
            x in -1e12f64..1e12,
            small in -200f64..200.0,
            lang in proptest::sample::select(vec!["fr", "nl", "en"]),
        ) {
            for x in [x, small, small / 1000.0] {
                let decimals = if x.abs() >= 100.0 { 1 } else { 2 };
                let scale = 10f64.powi(decimals);
                let r = round_shown(x.abs() * scale) / scale;
                let plain = format!("{:.*}", decimals as usize, r);
                let plain = plain.trim_end_matches('0').trim_end_matches('.');
                let (int, frac) = plain.split_once('.').unwrap_or((plain, ""));
                let (group, point) = match lang {
                    "fr" => (" ", ","),
                    "nl" => (".", ","),
                    _ => (",", "."),
                };
                let mut want = String::new();
                if x < 0.0 && r > 0.0 {
                    want.push('-');
                }
                for (i, c) in int.chars().enumerate() {
                    if int.len() > 4 && i > 0 && (int.len() - i) % 3 == 0 {
                        want.push_str(group);
                    }
                    want.push(c);
                }
                if !frac.is_empty() {
                    want.push_str(point);
                    want.push_str(frac);
                }
                proptest::prop_assert_eq!(format_number(x, None, lang), want, "{}", x);
            }
        }
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(format_number(0.72, Some("%"), "fr"), "72 %");
        assert_eq!(format_number(0.725, Some("%"), "en"), "72.5 %");
        assert_eq!(format_number(12.5, Some("ETP"), "fr"), "12,5 ETP");
        assert_eq!(format_number(12.5, Some("ETP"), "en"), "12.5 ETP");
        assert_eq!(format_number(60000.0, Some("€"), "fr"), "60 000 €");
        assert_eq!(format_number(60000.0, None, "nl"), "60.000");
        assert_eq!(format_number(1500.0, None, "en"), "1500");
        assert_eq!(format_number(-0.0001, None, "en"), "0");
        assert_eq!(format_score(63.214, "fr"), "63,2");
        assert_eq!(format_score(75.0, "fr"), "75");
        assert_eq!(format_score(f64::NAN, "fr"), "—");
        assert_eq!(format_number(0.05, None, "en"), "0.05");
        assert_eq!(format_number(-2.5, None, "fr"), "-2,5");
        assert_eq!(format_number(1234567.891, None, "en"), "1,234,567.9");
        assert_eq!(format_number(0.0, Some("%"), "fr"), "0 %");
    }

    /// The same number computed in two orders reads the same (found in
    /// DuckDB: 0.345 shown as 0.34 there and 0.35 in memory).
    #[test]
    fn noise_in_the_last_bits_does_not_change_the_digits() {
        // Each number and its neighbours one binary digit away.
        for x in [0.345, 63.25, 0.125, 37.5 / 5.0] {
            let shown = format_number(x, None, "en");
            for y in [x.next_down(), x.next_up()] {
                assert_eq!(format_number(y, None, "en"), shown, "{y}");
                assert_eq!(format_score(y, "en"), format_score(x, "en"), "{y}");
            }
        }
        // 0.345 is 0.34499999999999997 in binary: still 0.35.
        assert_eq!(format_number(0.345f64.next_down(), None, "en"), "0.35");
        assert_eq!(format_score(63.25f64.next_down(), "en"), "63.3");
        assert_eq!(format_number(0.3449999, None, "en"), "0.34");
    }
}
