//! Row functions (`abs`, `round`, `least`, `coalesce`, `year`…) over
//! whole columns.
//!
//! In: a function and its arguments' columns, already evaluated at one
//! level. Out: one column; a result that is not a finite number is missing.

use super::expr::{b3, copy_row};
use crate::data::Column;
use crate::data::column::{NA_DATE, NA_SET, civil_from_days};
use crate::ir::Func;
use std::sync::Arc;

/// Function `f` applied row by row to its arguments' columns (`n` rows).
pub(super) fn apply(f: Func, cols: &[Arc<Column>], n: usize) -> Column {
    match f {
        Func::Abs | Func::Floor | Func::Ceil | Func::Sqrt | Func::Ln | Func::Exp => {
            let x = &cols[0];
            Column::Num((0..n).map(|r| math(f, num_at(x, r))).collect())
        }
        Func::Round => Column::Num((0..n).map(|r| round(cols, r)).collect()),
        Func::Least | Func::Greatest => Column::Num((0..n).map(|r| extreme(f, cols, r)).collect()),
        Func::Clamp => Column::Num((0..n).map(|r| clamp(cols, r)).collect()),
        Func::Coalesce => coalesce(cols, n),
        Func::IsMissing => Column::Bool((0..n).map(|r| b3(!cols[0].present(r))).collect()),
        Func::CountSelected => match &*cols[0] {
            Column::Set(v) => Column::Num(
                v.iter()
                    .map(|&s| {
                        if s == NA_SET {
                            f64::NAN
                        } else {
                            s.count_ones() as f64
                        }
                    })
                    .collect(),
            ),
            _ => Column::Num(vec![f64::NAN; n]),
        },
        Func::Year => match &*cols[0] {
            Column::Date(v) => Column::Num(
                v.iter()
                    .map(|&d| match d == NA_DATE {
                        true => f64::NAN,
                        false => civil_from_days(d).0 as f64,
                    })
                    .collect(),
            ),
            _ => Column::Num(vec![f64::NAN; n]),
        },
        Func::DaysBetween => days_between(&cols[0], &cols[1], n),
    }
}

fn num_at(c: &Column, r: usize) -> f64 {
    match c {
        Column::Num(v) => v[r],
        _ => f64::NAN,
    }
}

fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { f64::NAN }
}

/// The one-argument functions on numbers.
fn math(f: Func, v: f64) -> f64 {
    finite(match f {
        Func::Abs => v.abs(),
        Func::Floor => v.floor(),
        Func::Ceil => v.ceil(),
        Func::Sqrt => v.sqrt(),
        Func::Ln => v.ln(),
        _ => v.exp(),
    })
}

/// `round(x)` or `round(x, decimals)` at row `r`.
fn round(cols: &[Arc<Column>], r: usize) -> f64 {
    let v = num_at(&cols[0], r);
    let d = cols.get(1).map(|c| num_at(c, r)).unwrap_or(0.0);
    if d.is_nan() {
        return f64::NAN;
    }
    let m = 10f64.powi(d as i32);
    finite((v * m).round() / m)
}

/// `least` / `greatest` of the arguments that have a value at row `r`.
fn extreme(f: Func, cols: &[Arc<Column>], r: usize) -> f64 {
    let vals = cols.iter().map(|c| num_at(c, r)).filter(|v| !v.is_nan());
    if f == Func::Least {
        vals.fold(f64::NAN, f64::min)
    } else {
        vals.fold(f64::NAN, f64::max)
    }
}

/// `clamp(x, lo, hi)` at row `r`.
fn clamp(cols: &[Arc<Column>], r: usize) -> f64 {
    let (v, lo, hi) = (
        num_at(&cols[0], r),
        num_at(&cols[1], r),
        num_at(&cols[2], r),
    );
    if v.is_nan() || lo.is_nan() || hi.is_nan() {
        f64::NAN
    } else {
        v.max(lo).min(hi)
    }
}

/// The first argument with a value, row by row.
fn coalesce(cols: &[Arc<Column>], n: usize) -> Column {
    let mut out = (*cols[0]).clone();
    for r in 0..n {
        if !out.present(r)
            && let Some(c) = cols.iter().skip(1).find(|c| c.present(r))
        {
            copy_row(&mut out, c, r);
        }
    }
    out
}

/// Days from the first date to the second.
fn days_between(a: &Column, b: &Column, n: usize) -> Column {
    match (a, b) {
        (Column::Date(a), Column::Date(b)) => Column::Num(
            (0..n)
                .map(|r| match a[r] == NA_DATE || b[r] == NA_DATE {
                    true => f64::NAN,
                    false => (b[r] - a[r]) as f64,
                })
                .collect(),
        ),
        _ => Column::Num(vec![f64::NAN; n]),
    }
}
