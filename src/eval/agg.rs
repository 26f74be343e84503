//! Aggregate kernels: rows of a finer level → one value per unit.
//!
//! In: argument columns over the rows, each row's group (its unit at the
//! coarser level), an optional filter and weight. Out: one value per group
//! with `n` (rows that entered) and `passed` (rows that passed the filter),
//! and an interval for `share` and `mean`. One pass over the rows for the
//! additive aggregates; order statistics sort one `(group, value)` vector.
//! Sums use Neumaier's compensated summation so results do not depend on
//! row order.

use crate::data::Column;
use crate::data::column::{NA_BOOL, NA_DATE, NA_OPT, NA_SET};
use crate::ir::AggFunc;

/// z for a 95 % interval.
pub const Z: f64 = 1.959964;

/// A compensated (Neumaier) sum.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum {
    s: f64,
    c: f64,
}

impl Sum {
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.s + x;
        if self.s.abs() >= x.abs() {
            self.c += (self.s - t) + x;
        } else {
            self.c += (x - t) + self.s;
        }
        self.s = t;
    }

    #[inline]
    pub fn value(&self) -> f64 {
        self.s + self.c
    }
}

/// One aggregate's output.
#[derive(Debug, Clone)]
pub struct AggOut {
    pub values: Vec<f64>,
    pub n: Vec<u32>,
    pub passed: Vec<u32>,
    pub ci: Option<Vec<Option<(f64, f64)>>>,
    /// Rows left out for a missing or negative weight.
    pub bad_weights: usize,
    /// Groups whose denominator was zero (ratio).
    pub div_zero: usize,
}

/// Wilson score interval for a proportion `p` over `n` (possibly effective) observations.
pub fn wilson(p: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 || p.is_nan() {
        return None;
    }
    let z2 = Z * Z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((center - half).max(0.0), (center + half).min(1.0)))
}

/// The inputs of one aggregate evaluation.
pub struct AggInput<'a> {
    pub func: AggFunc,
    pub groups: &'a [u32],
    pub n_groups: usize,
    pub args: &'a [std::rc::Rc<Column>],
    /// Row passes the `where` filter (and any applicability mask).
    pub pass: &'a [bool],
    pub weight: Option<&'a [f64]>,
    /// The percentile asked for (0..100).
    pub pct: f64,
}

fn num(c: &Column) -> &[f64] {
    match c {
        Column::Num(v) => v,
        _ => &[],
    }
}

fn boolean(c: &Column) -> &[u8] {
    match c {
        Column::Bool(v) => v,
        _ => &[],
    }
}

/// Runs an aggregate.
pub fn run(inp: &AggInput<'_>) -> AggOut {
    let g = inp.n_groups;
    let mut out = AggOut {
        values: vec![f64::NAN; g],
        n: vec![0; g],
        passed: vec![0; g],
        ci: None,
        bad_weights: 0,
        div_zero: 0,
    };
    let rows = inp.groups.len();
    // Weight of each row: None when excluded for a bad weight.
    let weight_at = |r: usize| -> Option<f64> {
        match inp.weight {
            None => Some(1.0),
            Some(w) => {
                let x = w[r];
                if x.is_nan() || x < 0.0 { None } else { Some(x) }
            }
        }
    };
    for r in 0..rows {
        if inp.pass[r] {
            out.passed[inp.groups[r] as usize] += 1;
        }
    }
    match inp.func {
        AggFunc::CountRows => {
            for r in 0..rows {
                if inp.pass[r] {
                    out.n[inp.groups[r] as usize] += 1;
                }
            }
            for k in 0..g {
                out.values[k] = out.n[k] as f64;
            }
        }
        AggFunc::Count => {
            let c = boolean(&inp.args[0]);
            let mut t = vec![0u32; g];
            for r in 0..rows {
                if inp.pass[r] && c[r] != NA_BOOL {
                    let k = inp.groups[r] as usize;
                    out.n[k] += 1;
                    t[k] += c[r] as u32;
                }
            }
            for k in 0..g {
                out.values[k] = t[k] as f64;
            }
        }
        AggFunc::Share if inp.weight.is_none() => {
            // Unweighted shares only count.
            let c = boolean(&inp.args[0]);
            let mut t = vec![0u32; g];
            for r in 0..rows {
                if inp.pass[r] && c[r] != NA_BOOL {
                    let k = inp.groups[r] as usize;
                    out.n[k] += 1;
                    t[k] += c[r] as u32;
                }
            }
            let mut ci = vec![None; g];
            for k in 0..g {
                if out.n[k] > 0 {
                    let p = t[k] as f64 / out.n[k] as f64;
                    out.values[k] = p;
                    ci[k] = wilson(p, out.n[k] as f64);
                }
            }
            out.ci = Some(ci);
        }
        AggFunc::Sum if inp.weight.is_none() => {
            let x = num(&inp.args[0]);
            let mut sx = vec![Sum::default(); g];
            for r in 0..rows {
                if inp.pass[r] && !x[r].is_nan() {
                    let k = inp.groups[r] as usize;
                    out.n[k] += 1;
                    sx[k].add(x[r]);
                }
            }
            for k in 0..g {
                out.values[k] = sx[k].value();
            }
        }
        AggFunc::Sum | AggFunc::Mean | AggFunc::Share | AggFunc::Stddev => {
            let is_share = inp.func == AggFunc::Share;
            let mut sw = vec![Sum::default(); g];
            let mut swx = vec![Sum::default(); g];
            let mut sw2 = vec![Sum::default(); g];
            let mut swxx = vec![Sum::default(); g];
            for r in 0..rows {
                if !inp.pass[r] {
                    continue;
                }
                let x = if is_share {
                    match boolean(&inp.args[0])[r] {
                        NA_BOOL => continue,
                        b => b as f64,
                    }
                } else {
                    let x = num(&inp.args[0])[r];
                    if x.is_nan() {
                        continue;
                    }
                    x
                };
                let Some(w) = weight_at(r) else {
                    out.bad_weights += 1;
                    continue;
                };
                let k = inp.groups[r] as usize;
                out.n[k] += 1;
                sw[k].add(w);
                swx[k].add(w * x);
                sw2[k].add(w * w);
                swxx[k].add(w * x * x);
            }
            let mut ci = vec![None; g];
            for k in 0..g {
                let n = out.n[k] as f64;
                let w = sw[k].value();
                let neff = if sw2[k].value() > 0.0 {
                    w * w / sw2[k].value()
                } else {
                    0.0
                };
                match inp.func {
                    AggFunc::Sum => out.values[k] = swx[k].value(),
                    _ if n == 0.0 || w <= 0.0 => {}
                    AggFunc::Share => {
                        let p = swx[k].value() / w;
                        out.values[k] = p;
                        ci[k] = wilson(p, if inp.weight.is_some() { neff } else { n });
                    }
                    AggFunc::Mean | AggFunc::Stddev => {
                        let m = swx[k].value() / w;
                        // Weighted sample variance with the effective sample size.
                        let ne = if inp.weight.is_some() { neff } else { n };
                        let var = if ne > 1.0 {
                            let v = (swxx[k].value() / w - m * m).max(0.0);
                            Some(v * ne / (ne - 1.0))
                        } else {
                            None
                        };
                        if inp.func == AggFunc::Mean {
                            out.values[k] = m;
                            if let Some(v) = var {
                                let half = Z * v.sqrt() / ne.sqrt();
                                ci[k] = Some((m - half, m + half));
                            }
                        } else if let Some(v) = var {
                            out.values[k] = v.sqrt();
                        }
                    }
                    _ => {}
                }
            }
            if matches!(inp.func, AggFunc::Share | AggFunc::Mean) {
                out.ci = Some(ci);
            }
        }
        AggFunc::Ratio => {
            let a = num(&inp.args[0]);
            let b = num(&inp.args[1]);
            let mut sa = vec![Sum::default(); g];
            let mut sb = vec![Sum::default(); g];
            for r in 0..rows {
                if !inp.pass[r] || a[r].is_nan() || b[r].is_nan() {
                    continue;
                }
                let Some(w) = weight_at(r) else {
                    out.bad_weights += 1;
                    continue;
                };
                let k = inp.groups[r] as usize;
                out.n[k] += 1;
                sa[k].add(w * a[r]);
                sb[k].add(w * b[r]);
            }
            for k in 0..g {
                if out.n[k] > 0 {
                    let d = sb[k].value();
                    if d == 0.0 {
                        out.div_zero += 1;
                    } else {
                        out.values[k] = sa[k].value() / d;
                    }
                }
            }
        }
        AggFunc::Min | AggFunc::Max => {
            let x = num(&inp.args[0]);
            let is_min = inp.func == AggFunc::Min;
            for r in 0..rows {
                if !inp.pass[r] || x[r].is_nan() {
                    continue;
                }
                let k = inp.groups[r] as usize;
                let v = &mut out.values[k];
                if out.n[k] == 0 || (is_min && x[r] < *v) || (!is_min && x[r] > *v) {
                    *v = x[r];
                }
                out.n[k] += 1;
            }
        }
        AggFunc::Median | AggFunc::Percentile => {
            let x = num(&inp.args[0]);
            // Bucket the present values by group, then sort each bucket.
            for r in 0..rows {
                if inp.pass[r] && !x[r].is_nan() {
                    out.n[inp.groups[r] as usize] += 1;
                }
            }
            let mut start = vec![0usize; g + 1];
            for k in 0..g {
                start[k + 1] = start[k] + out.n[k] as usize;
            }
            let mut fill = start.clone();
            let mut vals = vec![0.0f64; start[g]];
            for r in 0..rows {
                if inp.pass[r] && !x[r].is_nan() {
                    let k = inp.groups[r] as usize;
                    vals[fill[k]] = x[r];
                    fill[k] += 1;
                }
            }
            for k in 0..g {
                let v = &mut vals[start[k]..start[k + 1]];
                let m = v.len();
                if m == 0 {
                    continue;
                }
                v.sort_unstable_by(f64::total_cmp);
                out.values[k] = if inp.func == AggFunc::Median {
                    if m % 2 == 1 {
                        v[m / 2]
                    } else {
                        (v[m / 2 - 1] + v[m / 2]) / 2.0
                    }
                } else {
                    percentile(v, inp.pct)
                };
            }
        }
        AggFunc::Distinct => {
            let mut pairs: Vec<(u32, u64)> = Vec::new();
            let mut texts: Vec<(u32, &str)> = Vec::new();
            for r in 0..rows {
                if !inp.pass[r] {
                    continue;
                }
                let k = inp.groups[r];
                match &*inp.args[0] {
                    Column::Num(v) if !v[r].is_nan() => pairs.push((k, v[r].to_bits())),
                    Column::Bool(v) if v[r] != NA_BOOL => pairs.push((k, v[r] as u64)),
                    Column::Opt(v) if v[r] != NA_OPT => pairs.push((k, v[r] as u64)),
                    Column::Set(v) if v[r] != NA_SET => pairs.push((k, v[r])),
                    Column::Date(v) if v[r] != NA_DATE => pairs.push((k, v[r] as u64)),
                    Column::Text(v) => {
                        if let Some(t) = &v[r] {
                            texts.push((k, t));
                        }
                    }
                    _ => {}
                }
            }
            for (k, _) in pairs
                .iter()
                .map(|p| (p.0, ()))
                .chain(texts.iter().map(|p| (p.0, ())))
            {
                out.n[k as usize] += 1;
            }
            pairs.sort_unstable();
            pairs.dedup();
            texts.sort_unstable();
            texts.dedup();
            let mut d = vec![0u32; g];
            for (k, _) in pairs
                .iter()
                .map(|p| (p.0, ()))
                .chain(texts.iter().map(|p| (p.0, ())))
            {
                d[k as usize] += 1;
            }
            for k in 0..g {
                out.values[k] = d[k] as f64;
            }
        }
    }
    out
}

/// Type-7 percentile of sorted values: linear interpolation between closest ranks.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let m = sorted.len();
    if m == 0 {
        return f64::NAN;
    }
    let h = (m - 1) as f64 * p / 100.0;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(m - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neumaier_keeps_small_terms() {
        let mut s = Sum::default();
        for x in [1e16, 1.0, -1e16] {
            s.add(x);
        }
        assert_eq!(s.value(), 1.0);
    }

    #[test]
    fn percentile_type7() {
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.0), 1.0);
        assert!((percentile(&[1.0, 2.0, 3.0, 4.0], 90.0) - 3.7).abs() < 1e-12);
    }

    #[test]
    fn wilson_bounds() {
        let (lo, hi) = wilson(0.5, 2.0).unwrap();
        assert!((lo - 0.0945).abs() < 1e-3 && (hi - 0.9055).abs() < 1e-3);
    }
}
