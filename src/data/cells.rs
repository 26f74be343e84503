//! Reading one cell as an answer to a question.
//!
//! In: the cell's text and the question. Out: a typed value, or why it is
//! missing (blank, don't know, refused) or unreadable (with the message and
//! a help line). Survey conventions live here: yes/no words in French,
//! Dutch and English, options given by label, percent cells, decimal commas.

use crate::ir::{Framework, QType, Question};

/// A cell read as an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Num(f64),
    Bool(bool),
    Opt(u32),
    Set(u64),
    Date(i32),
    Text(String),
    Blank,
    DontKnow,
    Refused,
    /// Unreadable: what was expected, and a help line when a fix is known.
    Invalid(Invalid),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    NotA {
        expected: String,
        help: Option<String>,
    },
    UnknownOption {
        value: String,
        suggestion: Option<String>,
    },
    OutOfRange {
        lo: f64,
        hi: f64,
    },
}

/// What a reader needs to know beyond the question.
pub struct CellContext<'a> {
    pub fw: &'a Framework,
    pub decimal_comma: bool,
}

const TRUE_WORDS: &[&str] = &["1", "true", "yes", "oui", "ja", "vrai", "y"];
const FALSE_WORDS: &[&str] = &["0", "false", "no", "non", "nee", "faux", "n"];

fn eq_any(s: &str, list: &[String]) -> bool {
    list.iter()
        .any(|t| !t.is_empty() && t.eq_ignore_ascii_case(s))
}

/// How a trimmed cell is missing, if it is.
pub fn missing_kind(s: &str, fw: &Framework) -> Option<Cell> {
    if s.is_empty() || eq_any(s, &fw.missing) {
        Some(Cell::Blank)
    } else if eq_any(s, &fw.dont_know) {
        Some(Cell::DontKnow)
    } else if eq_any(s, &fw.refused) {
        Some(Cell::Refused)
    } else {
        None
    }
}

/// Parses a number, with a decimal comma when allowed.
pub fn number(s: &str, decimal_comma: bool) -> Option<f64> {
    let cleaned;
    let s = if decimal_comma && s.contains(',') {
        cleaned = s.replace([' ', '\u{a0}', '\u{202f}'], "").replace(',', ".");
        cleaned.as_str()
    } else {
        s
    };
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// The index of an option given by code, or by label in any language.
pub fn option_index(q: &Question, s: &str) -> Option<u32> {
    let opts = q.ty.options();
    if let Some(i) = opts.iter().position(|o| o.code == s) {
        return Some(i as u32);
    }
    if let Some(i) = opts.iter().position(|o| o.code.eq_ignore_ascii_case(s)) {
        return Some(i as u32);
    }
    opts.iter()
        .position(|o| o.label.0.values().any(|l| l.trim().eq_ignore_ascii_case(s)))
        .map(|i| i as u32)
}

fn unknown_option(q: &Question, s: &str) -> Cell {
    let codes = q.ty.options().iter().map(|o| o.code.as_str());
    Cell::Invalid(Invalid::UnknownOption {
        value: s.to_string(),
        suggestion: crate::suggest::closest(s, codes).map(str::to_string),
    })
}

/// Reads a trimmed, non-missing cell.
pub fn read(q: &Question, s: &str, cx: &CellContext<'_>) -> Cell {
    if let Some(m) = missing_kind(s, cx.fw) {
        return m;
    }
    let not_a = |expected: &str, help: Option<String>| {
        Cell::Invalid(Invalid::NotA {
            expected: expected.to_string(),
            help,
        })
    };
    let ranged = |v: f64| match q.range {
        Some((lo, hi)) if v < lo || v > hi => Cell::Invalid(Invalid::OutOfRange { lo, hi }),
        _ => Cell::Num(v),
    };
    match &q.ty {
        QType::Number => match number(s, cx.decimal_comma) {
            Some(v) if q.integer && v.fract() != 0.0 => not_a("a whole number", None),
            Some(v) => ranged(v),
            None => {
                let help = (s.contains(',') && !cx.decimal_comma).then(|| {
                    "a decimal comma is read only in `;`-separated files; write a point".to_string()
                });
                not_a("a number", help)
            }
        },
        QType::Percent { of_100 } => {
            let (body, pct) = match s.strip_suffix('%') {
                Some(b) => (b.trim(), true),
                None => (s, false),
            };
            match number(body, cx.decimal_comma || pct) {
                Some(v) if pct => ranged(v / 100.0),
                Some(v) if *of_100 => ranged(v / 100.0),
                Some(v) if !(0.0..=1.0).contains(&v) => not_a(
                    "a share between 0 and 1",
                    Some("write `45%` or `0.45`; if answers are on a 0..100 scale, declare the question `percent of 100`".into()),
                ),
                Some(v) => ranged(v),
                None => not_a("a percentage", Some("write `45%` or `0.45`".into())),
            }
        }
        QType::Scale { lo, hi } => match number(s, cx.decimal_comma) {
            Some(v) if v.fract() != 0.0 => {
                not_a(&format!("a whole number from {lo} to {hi}"), None)
            }
            Some(v) if v < *lo || v > *hi => {
                Cell::Invalid(Invalid::OutOfRange { lo: *lo, hi: *hi })
            }
            Some(v) => Cell::Num(v),
            None => {
                // A scale point may be given by its number followed by a label ("4 - Agree").
                let head: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
                match head.parse::<f64>() {
                    Ok(v) if !head.is_empty() && v >= *lo && v <= *hi => Cell::Num(v),
                    _ => not_a(&format!("a whole number from {lo} to {hi}"), None),
                }
            }
        },
        QType::YesNo => {
            if TRUE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
                Cell::Bool(true)
            } else if FALSE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
                Cell::Bool(false)
            } else {
                not_a(
                    "yes or no",
                    Some("write 1/0, true/false, yes/no, oui/non or ja/nee".into()),
                )
            }
        }
        QType::Choice(_) => match option_index(q, s) {
            Some(i) => Cell::Opt(i),
            None => unknown_option(q, s),
        },
        QType::Multi(_) => {
            let mut bits = 0u64;
            for part in s
                .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
                .filter(|p| !p.is_empty())
            {
                match option_index(q, part) {
                    Some(i) => bits |= 1 << i,
                    None => return unknown_option(q, part),
                }
            }
            Cell::Set(bits)
        }
        QType::Date => match super::column::parse_date(s) {
            Some(d) => Cell::Date(d),
            None => not_a("a date (YYYY-MM-DD)", None),
        },
        QType::Text => Cell::Text(s.to_string()),
    }
}

/// Reads a 0/1 cell of a split multi column (`question/option`).
pub fn split_flag(s: &str) -> Option<bool> {
    let s = s.trim();
    if TRUE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        Some(true)
    } else if FALSE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        Some(false)
    } else {
        None
    }
}
