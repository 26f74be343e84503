//! Reading one cell as an answer to a question.
//!
//! In: the cell's text and the question. Out: a typed value, or why it is
//! missing (blank, don't know, refused) or unreadable (with the message and
//! a help line). Survey conventions live here: yes/no words in French,
//! Dutch and English, options given by label, percent cells, decimal commas.

use crate::ir::{Framework, OptionDef, QType, Question};

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
    /// `27.108` in a decimal-comma file (or `27,108` in a decimal-point
    /// one), whose reading the column decides once all of it is read.
    Grouped {
        thousands: f64,
        decimals: f64,
    },
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

/// How a number cell writes its decimals: evidence for its column's
/// convention, gathered while the column is read.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Marks {
    /// A cell such as `12,5`: the comma separates decimals.
    pub comma_decimal: bool,
    /// A cell such as `12.5`: the point separates decimals.
    pub point_decimal: bool,
}

impl Marks {
    pub fn join(&mut self, other: Marks) {
        self.comma_decimal |= other.comma_decimal;
        self.point_decimal |= other.point_decimal;
    }
}

/// A number as a cell writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// A value with one reading, and what it says of the column.
    Value(f64, Marks),
    /// `27.108` in a decimal-comma file: twenty-seven thousand one hundred
    /// and eight, or twenty-seven point one zero eight. The column decides.
    Grouped { thousands: f64, decimals: f64 },
}

/// The characters that separate groups of three digits besides `.` and
/// `,`: a space, a no-break space and a narrow no-break space.
const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];

/// Reads a number as people write one in a table: `1234`, `-3.5`, `1e6`,
/// `12,5` in a decimal-comma file, thousands grouped by spaces
/// (`442 278,50`), by points in a decimal-comma file (`1.234,5`) or by
/// commas in a decimal-point file (`1,234.5`). `None` when the text is not
/// a number or mixes conventions.
pub fn number(s: &str, decimal_comma: bool) -> Option<Num> {
    if let Some(v) = plain_decimal(s.as_bytes(), decimal_comma) {
        let marks = Marks {
            point_decimal: s.contains('.'),
            ..Marks::default()
        };
        return Some(Num::Value(v, marks));
    }
    // The separator that is not the file's decimal one.
    let other = if decimal_comma { '.' } else { ',' };
    if let Some(thousands) = lone_group(s, other) {
        // Both readings are correctly rounded from the same digits.
        let decimals = thousands / 1000.0;
        return Some(Num::Grouped {
            thousands,
            decimals,
        });
    }
    if !s.contains([',', ' ', '\u{a0}', '\u{202f}']) && s.matches('.').count() <= 1 {
        let v: f64 = s.parse().ok().filter(|v: &f64| v.is_finite())?;
        let marks = Marks {
            point_decimal: s.contains('.'),
            ..Marks::default()
        };
        return Some(Num::Value(v, marks));
    }
    grouped(s, decimal_comma)
}

/// Most numbers in a table: `-?D+` (or `-?D+.D+` in a file whose decimals
/// are points) with at most 15 digits, read without the general parser.
/// The digits make an integer below 2⁵³ and the divisor a power of ten
/// below 10²², both exact in a double, so the one division is correctly
/// rounded: the very value `str::parse` gives (a property test compares).
fn plain_decimal(s: &[u8], decimal_comma: bool) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (neg, body) = match s {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    let (mut int, mut digits, mut decimals, mut point) = (0u64, 0usize, 0usize, false);
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                int = int * 10 + u64::from(b - b'0');
                digits += 1;
                decimals += usize::from(point);
            }
            // A point between digits, in a file whose decimals are points.
            b'.' if !point && !decimal_comma && i > 0 && i + 1 < body.len() => point = true,
            _ => return None,
        }
        if digits > 15 {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    let v = int as f64 / POW10[decimals];
    Some(if neg { -v } else { v })
}

/// `27.108` or `-1,500`: one separator `sep` followed by three digits,
/// after one to three digits not starting with 0. The value read as
/// thousands.
fn lone_group(s: &str, sep: char) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (head, tail) = body.split_once(sep)?;
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let ok = (1..=3).contains(&head.len())
        && !head.starts_with('0')
        && tail.len() == 3
        && digits(head)
        && digits(tail);
    if !ok {
        return None;
    }
    let v = head.parse::<f64>().ok()? * 1000.0 + tail.parse::<f64>().ok()?;
    Some(if s.starts_with('-') { -v } else { v })
}

/// The general reading: one decimal separator at most, the others grouping
/// the integer part by three.
fn grouped(s: &str, decimal_comma: bool) -> Option<Num> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let has = |c: char| body.contains(c);
    let last_sep = body.rfind(['.', ',']);
    // The decimal separator: the last of `.` and `,` when both appear,
    // else the file's own (a comma, or a point), when it appears once.
    let decimal = match (has('.'), has(',')) {
        (true, true) => body[last_sep?..].chars().next(),
        (false, true) if decimal_comma => Some(','),
        (false, true) => None,
        (true, false) if body.matches('.').count() == 1 => Some('.'),
        _ => None,
    };
    let (int, frac) = match decimal {
        Some(d) => {
            let (i, f) = body.rsplit_once(d)?;
            (i, Some(f))
        }
        None => (body, None),
    };
    let group = group_char(int, decimal)?;
    let mut buf = [0u8; 64];
    let mut n = 0;
    let mut put = |b: u8| -> Option<()> {
        *buf.get_mut(n)? = b;
        n += 1;
        Some(())
    };
    put(if negative { b'-' } else { b'0' })?;
    for (k, part) in split_groups(int, group).enumerate() {
        let ok = part.bytes().all(|b| b.is_ascii_digit())
            && if k == 0 {
                (1..=3).contains(&part.len()) || group.is_none()
            } else {
                part.len() == 3
            };
        if !ok || part.is_empty() {
            return None;
        }
        part.bytes().try_for_each(&mut put)?;
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        put(b'.')?;
        f.bytes().try_for_each(&mut put)?;
    }
    let v: f64 = std::str::from_utf8(&buf[..n]).ok()?.parse().ok()?;
    let marks = Marks {
        comma_decimal: decimal == Some(','),
        point_decimal: decimal == Some('.'),
    };
    v.is_finite().then_some(Num::Value(v, marks))
}

/// The one character grouping the digits of an integer part, if any: a
/// space of any kind, or the separator that is not the decimal one.
fn group_char(int: &str, decimal: Option<char>) -> Option<Option<char>> {
    let mut found = None;
    for c in int.chars().filter(|c| !c.is_ascii_digit()) {
        let allowed = SPACES.contains(&c) || ((c == '.' || c == ',') && Some(c) != decimal);
        if !allowed || found.is_some_and(|f| f != c) {
            return None;
        }
        found = Some(c);
    }
    Some(found)
}

fn split_groups(int: &str, group: Option<char>) -> impl Iterator<Item = &str> {
    int.split(move |c| Some(c) == group)
}

/// A grouped cell once its column has decided how points are read: as
/// thousands (`decimals: false`) or as decimals.
pub fn settle_grouped(q: &Question, thousands: f64, decimals: f64, as_decimals: bool) -> Cell {
    let v = if as_decimals { decimals } else { thousands };
    number_cell(q, v)
}

/// A number checked against the question's whole-number and range rules.
fn number_cell(q: &Question, v: f64) -> Cell {
    match q.range {
        _ if q.integer && v.fract() != 0.0 => Cell::Invalid(Invalid::NotA {
            expected: "a whole number".to_string(),
            help: None,
        }),
        Some((lo, hi)) if v < lo || v > hi => Cell::Invalid(Invalid::OutOfRange { lo, hi }),
        _ => Cell::Num(v),
    }
}

/// The plain value of a number, a grouped one read as decimals (for
/// shares and scale points, where thousands make no sense).
fn plain(n: Num) -> f64 {
    match n {
        Num::Value(v, _) => v,
        Num::Grouped { decimals, .. } => decimals,
    }
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

/// Reads a trimmed cell; how its number writes decimals is added to `marks`.
pub fn read(q: &Question, s: &str, cx: &CellContext<'_>, marks: &mut Marks) -> Cell {
    if let Some(m) = missing_kind(s, cx.fw) {
        return m;
    }
    match &q.ty {
        QType::Number => number_answer(q, s, cx, marks),
        QType::Percent { of_100 } => percent_answer(q, s, cx, *of_100),
        QType::Scale { lo, hi, points } => scale_answer(s, cx, (*lo, *hi), points),
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
        QType::Multi(_) => multi_answer(q, s),
        QType::Date => match super::column::parse_date(s) {
            Some(d) => Cell::Date(d),
            None => not_a("a date (YYYY-MM-DD)", None),
        },
        QType::Text => Cell::Text(s.to_string()),
    }
}

fn not_a(expected: &str, help: Option<String>) -> Cell {
    Cell::Invalid(Invalid::NotA {
        expected: expected.to_string(),
        help,
    })
}

fn ranged(q: &Question, v: f64) -> Cell {
    match q.range {
        Some((lo, hi)) if v < lo || v > hi => Cell::Invalid(Invalid::OutOfRange { lo, hi }),
        _ => Cell::Num(v),
    }
}

fn number_answer(q: &Question, s: &str, cx: &CellContext<'_>, marks: &mut Marks) -> Cell {
    match number(s, cx.decimal_comma) {
        Some(Num::Value(v, m)) => {
            marks.join(m);
            number_cell(q, v)
        }
        // A whole number has no decimals: the separator groups thousands.
        Some(Num::Grouped { thousands, .. }) if q.integer => number_cell(q, thousands),
        Some(Num::Grouped {
            thousands,
            decimals,
        }) => Cell::Grouped {
            thousands,
            decimals,
        },
        None => {
            let help = (s.contains(',') && !cx.decimal_comma).then(|| {
                "a decimal comma is read only in `;`-separated files; write a point".to_string()
            });
            not_a("a number", help)
        }
    }
}

/// `45%`, `0.45`, or `45` for a question `percent of 100`: a share.
fn percent_answer(q: &Question, s: &str, cx: &CellContext<'_>, of_100: bool) -> Cell {
    let (body, pct) = match s.strip_suffix('%') {
        Some(b) => (b.trim(), true),
        None => (s, false),
    };
    match number(body, cx.decimal_comma || pct).map(plain) {
        Some(v) if pct || of_100 => ranged(q, v / 100.0),
        Some(v) if !(0.0..=1.0).contains(&v) => not_a(
            "a share between 0 and 1",
            Some("write `45%` or `0.45`; if answers are on a 0..100 scale, declare the question `percent of 100`".into()),
        ),
        Some(v) => ranged(q, v),
        None => not_a("a percentage", Some("write `45%` or `0.45`".into())),
    }
}

/// A point of a scale: a whole number in its range, one followed by a
/// label ("4 - Agree"), or the label of a point in any language.
fn scale_answer(s: &str, cx: &CellContext<'_>, (lo, hi): (f64, f64), points: &[OptionDef]) -> Cell {
    let labelled = points
        .iter()
        .find(|p| p.label.0.values().any(|l| l.trim().eq_ignore_ascii_case(s)));
    if let Some(v) = labelled.and_then(|p| p.code.parse::<f64>().ok()) {
        return Cell::Num(v);
    }
    let whole = || not_a(&format!("a whole number from {lo} to {hi}"), None);
    match number(s, cx.decimal_comma).map(plain) {
        Some(v) if v.fract() != 0.0 => whole(),
        Some(v) if v < lo || v > hi => Cell::Invalid(Invalid::OutOfRange { lo, hi }),
        Some(v) => Cell::Num(v),
        None => {
            let head: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
            match head.parse::<f64>() {
                Ok(v) if !head.is_empty() && v >= lo && v <= hi => Cell::Num(v),
                _ => whole(),
            }
        }
    }
}

/// Options chosen, separated by spaces, `;` or `,`.
fn multi_answer(q: &Question, s: &str) -> Cell {
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

#[cfg(test)]
mod tests {
    use super::{Marks, Num, number, plain_decimal};
    use proptest::prelude::*;

    fn value(s: &str, decimal_comma: bool) -> Option<f64> {
        match number(s, decimal_comma)? {
            Num::Value(v, _) => Some(v),
            Num::Grouped { .. } => None,
        }
    }

    #[test]
    fn separators_as_people_write_them() {
        assert_eq!(value("12,5", true), Some(12.5));
        assert_eq!(value("1.234,5", true), Some(1234.5));
        assert_eq!(value("1.234.567", true), Some(1_234_567.0));
        assert_eq!(value("442 278", false), Some(442_278.0));
        assert_eq!(value("-442\u{a0}278,50", true), Some(-442_278.5));
        assert_eq!(value("1,234.5", false), Some(1234.5));
        assert_eq!(value("1,234,567", false), Some(1_234_567.0));
        assert_eq!(value("0.123", true), Some(0.123));
        assert_eq!(value("1e3", true), Some(1000.0));
        for bad in [
            "44 2278", "1.23,5", "1,2,3", "12,5", ",5", "1 ,5", "--1", "1.2.3", "nan", "inf",
        ] {
            assert_eq!(number(bad, false), None, "{bad}");
        }
        for bad in ["44 2278", "1.23,5", "1,2,3", "1 .234,5", "1,2,"] {
            assert_eq!(number(bad, true), None, "{bad}");
        }
        assert_eq!(
            number("27.108", true),
            Some(Num::Grouped {
                thousands: 27108.0,
                decimals: 27.108
            })
        );
        assert_eq!(
            number("-1,500", false),
            Some(Num::Grouped {
                thousands: -1500.0,
                decimals: -1.5
            })
        );
        let marks = |s| match number(s, true) {
            Some(Num::Value(_, m)) => m,
            _ => Marks::default(),
        };
        assert!(marks("2,5").comma_decimal && !marks("2,5").point_decimal);
        assert!(marks("2.5").point_decimal);
        assert_eq!(marks("1.234.567"), Marks::default());
        // The short way: digits and one point between digits, 15 at most.
        assert_eq!(
            plain_decimal(b"-0", false).map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(plain_decimal(b"007.50", false), Some(7.5));
        assert_eq!(plain_decimal(b"0.1", false), Some(0.1));
        assert_eq!(
            plain_decimal(b"999999999999999", false),
            Some(999_999_999_999_999.0)
        );
        for declined in [
            "5.",
            ".5",
            "-",
            "",
            "1.2.3",
            "1e3",
            "+5",
            "1 000",
            "9999999999999999",
        ] {
            assert_eq!(
                plain_decimal(declined.as_bytes(), false),
                None,
                "{declined}"
            );
        }
        assert_eq!(
            plain_decimal(b"2.5", true),
            None,
            "a point in a decimal-comma file"
        );
    }

    proptest! {
        /// A number written with French grouping and a decimal comma reads
        /// back to itself, whatever space groups it.
        #[test]
        fn grouped_numbers_read_back(int in 0u64..10_000_000_000, cents in 0u32..100, space in 0usize..3) {
            let sep = [' ', '\u{a0}', '\u{202f}'][space];
            let digits = int.to_string();
            let mut grouped = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(sep);
                }
                grouped.push(c);
            }
            let text = format!("{grouped},{cents:02}");
            let expected: f64 = format!("{int}.{cents:02}").parse().unwrap();
            prop_assert_eq!(value(&text, true), Some(expected));
        }

        /// The short way for plain numbers gives the bits the general
        /// parser gives, up to and past its 15 digits, and declines what it
        /// does not read; the long way reads those the same as before.
        #[test]
        fn plain_numbers_read_as_the_parser_reads(s in "-?[0-9]{1,17}(\\.[0-9]{0,17})?", comma: bool) {
            let parsed: f64 = s.parse().unwrap();
            if let Some(v) = plain_decimal(s.as_bytes(), comma) {
                prop_assert_eq!(v.to_bits(), parsed.to_bits(), "{}", s);
            }
            if !comma || !s.contains('.') {
                let v = value(&s, comma).expect("a plain number reads");
                prop_assert_eq!(v.to_bits(), parsed.to_bits(), "{}", s);
            }
        }
    }
}
