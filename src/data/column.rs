//! Typed column vectors with missing values.
//!
//! One vector per question (per level's units) and per evaluated
//! expression. Missing is encoded in the value itself so a column is one
//! allocation: NaN for numbers, 2 for booleans, sentinels for options, sets
//! and dates, `None` for text.

/// Missing boolean.
pub const NA_BOOL: u8 = 2;
/// Missing option index.
pub const NA_OPT: u32 = u32::MAX;
/// Missing set (bit 63; sets hold at most 63 options).
pub const NA_SET: u64 = 1 << 63;
/// Missing date (days since 1970-01-01).
pub const NA_DATE: i32 = i32::MIN;

/// A typed column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Num(Vec<f64>),
    Bool(Vec<u8>),
    Opt(Vec<u32>),
    Set(Vec<u64>),
    Date(Vec<i32>),
    Text(Vec<Option<Box<str>>>),
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Num(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Opt(v) => v.len(),
            Column::Set(v) => v.len(),
            Column::Date(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Room for exactly `more` values after the present ones.
    pub fn reserve_exact(&mut self, more: usize) {
        match self {
            Column::Num(v) => v.reserve_exact(more),
            Column::Bool(v) => v.reserve_exact(more),
            Column::Opt(v) => v.reserve_exact(more),
            Column::Set(v) => v.reserve_exact(more),
            Column::Date(v) => v.reserve_exact(more),
            Column::Text(v) => v.reserve_exact(more),
        }
    }

    /// Whether row `i` holds a value.
    pub fn present(&self, i: usize) -> bool {
        match self {
            Column::Num(v) => !v[i].is_nan(),
            Column::Bool(v) => v[i] != NA_BOOL,
            Column::Opt(v) => v[i] != NA_OPT,
            Column::Set(v) => v[i] != NA_SET,
            Column::Date(v) => v[i] != NA_DATE,
            Column::Text(v) => v[i].is_some(),
        }
    }

    /// An empty column of the same type with room for `n` values.
    pub fn empty_like(&self, n: usize) -> Column {
        match self {
            Column::Num(_) => Column::Num(Vec::with_capacity(n)),
            Column::Bool(_) => Column::Bool(Vec::with_capacity(n)),
            Column::Opt(_) => Column::Opt(Vec::with_capacity(n)),
            Column::Set(_) => Column::Set(Vec::with_capacity(n)),
            Column::Date(_) => Column::Date(Vec::with_capacity(n)),
            Column::Text(_) => Column::Text(Vec::with_capacity(n)),
        }
    }

    /// A column of `n` missing values of the same type.
    pub fn missing_like(&self, n: usize) -> Column {
        match self {
            Column::Num(_) => Column::Num(vec![f64::NAN; n]),
            Column::Bool(_) => Column::Bool(vec![NA_BOOL; n]),
            Column::Opt(_) => Column::Opt(vec![NA_OPT; n]),
            Column::Set(_) => Column::Set(vec![NA_SET; n]),
            Column::Date(_) => Column::Date(vec![NA_DATE; n]),
            Column::Text(_) => Column::Text(vec![None; n]),
        }
    }

    /// Values at `idx` (a gather: `out[i] = self[idx[i]]`); `u32::MAX` gives missing.
    pub fn gather(&self, idx: &[u32]) -> Column {
        fn g<T: Clone>(v: &[T], idx: &[u32], na: T) -> Vec<T> {
            idx.iter()
                .map(|&i| {
                    if i == u32::MAX {
                        na.clone()
                    } else {
                        v[i as usize].clone()
                    }
                })
                .collect()
        }
        match self {
            Column::Num(v) => Column::Num(g(v, idx, f64::NAN)),
            Column::Bool(v) => Column::Bool(g(v, idx, NA_BOOL)),
            Column::Opt(v) => Column::Opt(g(v, idx, NA_OPT)),
            Column::Set(v) => Column::Set(g(v, idx, NA_SET)),
            Column::Date(v) => Column::Date(g(v, idx, NA_DATE)),
            Column::Text(v) => Column::Text(g(v, idx, None)),
        }
    }

    /// Each value repeated `k` times in a row (`[a, b]` → `[a, a, b, b]` for 2).
    pub fn repeat_each(&self, k: usize) -> Column {
        let idx: Vec<u32> = (0..self.len() * k).map(|j| (j / k) as u32).collect();
        self.gather(&idx)
    }

    /// Sets row `i` to missing.
    pub fn set_missing(&mut self, i: usize) {
        match self {
            Column::Num(v) => v[i] = f64::NAN,
            Column::Bool(v) => v[i] = NA_BOOL,
            Column::Opt(v) => v[i] = NA_OPT,
            Column::Set(v) => v[i] = NA_SET,
            Column::Date(v) => v[i] = NA_DATE,
            Column::Text(v) => v[i] = None,
        }
    }

    /// Keeps the rows where `keep` is true.
    pub fn retain(&mut self, keep: &[bool]) {
        fn r<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                let k = keep[i];
                i += 1;
                k
            });
        }
        match self {
            Column::Num(v) => r(v, keep),
            Column::Bool(v) => r(v, keep),
            Column::Opt(v) => r(v, keep),
            Column::Set(v) => r(v, keep),
            Column::Date(v) => r(v, keep),
            Column::Text(v) => r(v, keep),
        }
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The civil date of a day count.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Reads `YYYY-MM-DD` (a time part after `T` or a space is ignored).
pub fn parse_date(s: &str) -> Option<i32> {
    let s = s.split(['T', ' ']).next()?;
    let mut it = s.split('-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][m as usize - 1];
    if d > dim {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `YYYY-MM-DD` of a day count.
pub fn format_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(
            parse_date("2024-02-29").map(format_date).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2019-12-31T10:00:00"), parse_date("2019-12-31"));
    }
}
