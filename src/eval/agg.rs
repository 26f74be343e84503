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

/// Wilson score interval for a proportion `p` over `n` (possibly effective) observations.
///
/// The textbook form, centre minus half-width, subtracts two nearly equal
/// numbers when `p` is near 0 (or 1): the lower bound of a share of 0 came
/// out as 5.6e-17 in memory and 2.8e-17 in DuckDB, from the same rows
/// summed in another order. Multiplying by the conjugate gives the same
/// bounds without the subtraction: with c = z²/2n and s = z·√(p(1−p)/n +
/// z²/4n²), lo = p² / (p + c + s), and by symmetry hi = 1 − q² / (q + c + s)
/// with q = 1 − p. A share of 0 has a lower bound of exactly 0.
pub fn wilson(p: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 || p.is_nan() {
        return None;
    }
    let z2 = Z * Z;
    let c = z2 / (2.0 * n);
    let s = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let q = 1.0 - p;
    let lo = p * p / (p + c + s);
    let hi = 1.0 - q * q / (q + c + s);
    Some((lo.max(0.0), hi.min(1.0)))
}

/// The inputs of one aggregate evaluation.
pub struct AggInput<'a> {
    pub func: AggFunc,
    pub groups: &'a [u32],
    pub n_groups: usize,
    pub args: &'a [std::sync::Arc<Column>],
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
    /// The sums behind an additive aggregate, to pool them at coarser levels.
    pub acc: Option<Acc>,
}

/// Per-group sums of an additive aggregate (count, sum, mean, share,
/// stddev, ratio): adding the sums of several groups gives the sums of
/// their union, so a coarser level is pooled without reading rows again.
#[derive(Debug, Clone)]
pub struct Acc {
    pub func: AggFunc,
    pub weighted: bool,
    pub n: Vec<u32>,
    pub passed: Vec<u32>,
    /// Σw, Σwx, Σw², Σwd² (count: trues in slot 0; ratio: Σwa, Σwb), where
    /// d = x − K is a value's distance from its group's [`Acc::dev`] K.
    pub s: Vec<[Sum; 4]>,
    /// Mean and deviation only: each group's K (its first value) and Σwd.
    ///
    /// The variance is Σwd²/Σw − (Σwd/Σw)², which does not depend on K.
    /// Taken with K = 0 (Σwx²/Σw − m²) it subtracts two numbers near m²:
    /// values around 10⁹ that differ by units lost every digit of their
    /// spread. With K inside the group's values, both terms are of the
    /// size of the spread itself.
    pub dev: Vec<(f64, Sum)>,
}

impl Acc {
    /// The sums of the units of a coarser level: `up[k]` is group `k`'s
    /// coarser group, and only groups with `keep[k] == 1` count.
    pub fn regroup(&self, up: &[u32], keep: &[u8], n_groups: usize) -> Acc {
        let mut out = Acc {
            func: self.func,
            weighted: self.weighted,
            n: vec![0; n_groups],
            passed: vec![0; n_groups],
            s: vec![[Sum::default(); 4]; n_groups],
            dev: match self.dev.is_empty() {
                true => Vec::new(),
                false => vec![(f64::NAN, Sum::default()); n_groups],
            },
        };
        for (k, &g) in up.iter().enumerate() {
            if g == u32::MAX || keep[k] != 1 {
                continue;
            }
            let g = g as usize;
            out.n[g] += self.n[k];
            out.passed[g] += self.passed[k];
            for i in 0..3 {
                out.s[g][i].add(self.s[k][i].value());
            }
            match self.dev.is_empty() {
                true => out.s[g][3].add(self.s[k][3].value()),
                false if self.n[k] > 0 => self.move_dev(k, &mut out, g),
                false => {}
            }
        }
        out
    }

    /// Adds group `k`'s deviations to `out`'s group `g`, whose K is the
    /// first K added to it: with δ = K − K', Σwd' = Σwd + δΣw and
    /// Σwd'² = Σwd² + 2δΣwd + δ²Σw.
    fn move_dev(&self, k: usize, out: &mut Acc, g: usize) {
        let (kk, swd) = (self.dev[k].0, self.dev[k].1.value());
        if out.dev[g].0.is_nan() {
            out.dev[g].0 = kk;
        }
        let delta = kk - out.dev[g].0;
        let sw = match self.weighted {
            true => self.s[k][0].value(),
            false => self.n[k] as f64,
        };
        out.dev[g].1.add(swd);
        out.dev[g].1.add(delta * sw);
        let sq = &mut out.s[g][3];
        sq.add(self.s[k][3].value());
        sq.add(2.0 * delta * swd);
        sq.add(delta * delta * sw);
    }
}

/// Whether an aggregate's groups can be pooled from their sums.
pub fn additive(f: AggFunc) -> bool {
    matches!(
        f,
        AggFunc::CountRows
            | AggFunc::Count
            | AggFunc::Sum
            | AggFunc::Mean
            | AggFunc::Share
            | AggFunc::Stddev
            | AggFunc::Ratio
    )
}

/// Values, intervals and zero denominators from the sums.
pub fn finalize(acc: Acc) -> AggOut {
    let g = acc.n.len();
    let mut out = AggOut {
        values: vec![f64::NAN; g],
        n: acc.n.clone(),
        passed: acc.passed.clone(),
        ci: None,
        bad_weights: 0,
        div_zero: 0,
        acc: None,
    };
    let mut ci = vec![None; g];
    for k in 0..g {
        let n = acc.n[k] as f64;
        let [sw, swx, sw2, swdd] = acc.s[k].map(|x| x.value());
        // With weights, the effective sample size (Kish); without, n.
        let (w, ne) = if acc.weighted {
            (sw, if sw2 > 0.0 { sw * sw / sw2 } else { 0.0 })
        } else {
            (n, n)
        };
        out.values[k] = match acc.func {
            AggFunc::CountRows => n,
            AggFunc::Count => sw,
            AggFunc::Sum => swx,
            _ if n == 0.0 => f64::NAN,
            AggFunc::Ratio => {
                if swx == 0.0 {
                    out.div_zero += 1;
                    f64::NAN
                } else {
                    sw / swx
                }
            }
            _ if w <= 0.0 => f64::NAN,
            AggFunc::Share => {
                let p = swx / w;
                ci[k] = wilson(p, ne);
                p
            }
            AggFunc::Mean | AggFunc::Stddev => {
                let m = swx / w;
                let dm = acc.dev[k].1.value() / w;
                let var = (ne > 1.0).then(|| (swdd / w - dm * dm).max(0.0) * ne / (ne - 1.0));
                if acc.func == AggFunc::Stddev {
                    var.map_or(f64::NAN, f64::sqrt)
                } else {
                    if let Some(v) = var {
                        let half = Z * v.sqrt() / ne.sqrt();
                        ci[k] = Some((m - half, m + half));
                    }
                    m
                }
            }
            _ => f64::NAN,
        };
    }
    if matches!(acc.func, AggFunc::Share | AggFunc::Mean) {
        out.ci = Some(ci);
    }
    out.acc = Some(acc);
    out
}

/// Rows ahead whose group record is asked for early (see [`prefetch`]).
const AHEAD: usize = 16;

/// Asks the processor to bring `recs[groups[r + AHEAD]]` into the cache
/// while row `r` is summed. Groups come in no order, so each row's record
/// is a cache miss once there are many groups; asked for early, the misses
/// of successive rows overlap instead of following one another.
#[inline(always)]
fn prefetch<T>(recs: &[T], groups: &[u32], r: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(&k) = groups.get(r + AHEAD)
        && let Some(rec) = recs.get(k as usize)
    {
        // SAFETY: SSE is part of every x86-64 processor, and a prefetch
        // only hints: it reads nothing and never faults.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>((rec as *const T).cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (recs, groups, r);
}

/// One pass over the rows of an additive aggregate.
///
/// Rows come in data order and their groups in no order: at a hundred
/// thousand groups and more, each row's update missed the cache once per
/// array it touched (counts, passes, sums, deviations). Each loop below
/// therefore keeps everything a group gathers in one record of at most a
/// cache line, and fills [`Acc`]'s arrays from the records afterwards. The
/// sums are the same additions in the same order: the same bits.
fn accumulate(inp: &AggInput<'_>) -> (Acc, usize) {
    let g = inp.n_groups;
    let mut acc = Acc {
        func: inp.func,
        weighted: inp.weight.is_some(),
        n: vec![0; g],
        passed: vec![0; g],
        s: vec![[Sum::default(); 4]; g],
        dev: match inp.func {
            AggFunc::Mean | AggFunc::Stddev => vec![(f64::NAN, Sum::default()); g],
            _ => Vec::new(),
        },
    };
    let bad = match inp.func {
        AggFunc::CountRows => {
            count_rows(inp, &mut acc);
            0
        }
        AggFunc::Count | AggFunc::Share if inp.weight.is_none() => {
            count_trues(inp, &mut acc);
            0
        }
        AggFunc::Ratio => ratio_sums(inp, &mut acc),
        _ => value_sums(inp, &mut acc),
    };
    (acc, bad)
}

/// A row's weight: 1 without weights, `None` when missing or negative.
fn weight_at(inp: &AggInput<'_>, r: usize) -> Option<f64> {
    match inp.weight {
        None => Some(1.0),
        Some(w) => {
            let x = w[r];
            if x.is_nan() || x < 0.0 { None } else { Some(x) }
        }
    }
}

/// Rows passing the filter: both the count and the rows passed.
fn count_rows(inp: &AggInput<'_>, acc: &mut Acc) {
    for r in 0..inp.groups.len() {
        if inp.pass[r] {
            acc.n[inp.groups[r] as usize] += 1;
        }
    }
    acc.passed.clone_from(&acc.n);
}

/// Counts of trues; a count reads them from slot 0, a share (Σx) from slot 1.
fn count_trues(inp: &AggInput<'_>, acc: &mut Acc) {
    let slot = if inp.func == AggFunc::Count { 0 } else { 1 };
    let c = boolean(&inp.args[0]);
    // Rows passed, rows answered, trues.
    let mut t = vec![[0u32; 3]; inp.n_groups];
    for r in 0..inp.groups.len() {
        prefetch(&t, inp.groups, r);
        if inp.pass[r] {
            let k = &mut t[inp.groups[r] as usize];
            k[0] += 1;
            if c[r] != NA_BOOL {
                k[1] += 1;
                k[2] += c[r] as u32;
            }
        }
    }
    for (k, &[passed, n, trues]) in t.iter().enumerate() {
        acc.passed[k] = passed;
        acc.n[k] = n;
        acc.s[k][slot].add(trues as f64);
    }
}

/// What a group gathers of a ratio: rows passed and used, Σw·a, Σw·b.
#[derive(Clone, Copy, Default)]
struct RatioRec {
    passed: u32,
    n: u32,
    s: [Sum; 2],
}

/// Σw·a and Σw·b of a ratio; returns the rows left out for their weight.
fn ratio_sums(inp: &AggInput<'_>, acc: &mut Acc) -> usize {
    let (a, b) = (num(&inp.args[0]), num(&inp.args[1]));
    let mut recs = vec![RatioRec::default(); inp.n_groups];
    let mut bad = 0;
    for r in 0..inp.groups.len() {
        prefetch(&recs, inp.groups, r);
        if !inp.pass[r] {
            continue;
        }
        let rec = &mut recs[inp.groups[r] as usize];
        rec.passed += 1;
        if a[r].is_nan() || b[r].is_nan() {
            continue;
        }
        let Some(w) = weight_at(inp, r) else {
            bad += 1;
            continue;
        };
        rec.n += 1;
        rec.s[0].add(w * a[r]);
        rec.s[1].add(w * b[r]);
    }
    for (k, rec) in recs.iter().enumerate() {
        acc.passed[k] = rec.passed;
        acc.n[k] = rec.n;
        acc.s[k][0] = rec.s[0];
        acc.s[k][1] = rec.s[1];
    }
    bad
}

/// What a group gathers of a sum, mean, share or deviation, in one cache
/// line: rows passed and used, K, Σw·x, Σw·d and Σw·d² (see [`Acc::dev`]).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct ValueRec {
    passed: u32,
    n: u32,
    k: f64,
    swx: Sum,
    swd: Sum,
    swdd: Sum,
}

/// Σw, Σw·x, Σw², and for a mean or deviation Σw·d and Σw·d² (see
/// [`Acc::dev`]), of a sum, mean, share or deviation; returns the rows
/// left out for their weight. Σw and Σw² live apart, read only when
/// there are weights.
fn value_sums(inp: &AggInput<'_>, acc: &mut Acc) -> usize {
    let is_share = inp.func == AggFunc::Share;
    let squares = matches!(inp.func, AggFunc::Mean | AggFunc::Stddev);
    let weighted = inp.weight.is_some();
    let (bools, nums) = (boolean(&inp.args[0]), num(&inp.args[0]));
    let empty = ValueRec {
        passed: 0,
        n: 0,
        k: f64::NAN,
        swx: Sum::default(),
        swd: Sum::default(),
        swdd: Sum::default(),
    };
    let mut recs = vec![empty; inp.n_groups];
    let mut weights = vec![[Sum::default(); 2]; if weighted { inp.n_groups } else { 0 }];
    let mut bad = 0;
    for r in 0..inp.groups.len() {
        prefetch(&recs, inp.groups, r);
        if !inp.pass[r] {
            continue;
        }
        let k = inp.groups[r] as usize;
        let rec = &mut recs[k];
        rec.passed += 1;
        let x = match is_share {
            true if bools[r] == NA_BOOL => continue,
            true => bools[r] as f64,
            false if nums[r].is_nan() => continue,
            false => nums[r],
        };
        let Some(w) = weight_at(inp, r) else {
            bad += 1;
            continue;
        };
        rec.n += 1;
        rec.swx.add(w * x);
        if weighted {
            weights[k][0].add(w);
            weights[k][1].add(w * w);
        }
        if squares {
            if rec.k.is_nan() {
                rec.k = x;
            }
            let d = x - rec.k;
            rec.swd.add(w * d);
            rec.swdd.add(w * d * d);
        }
    }
    for (k, rec) in recs.iter().enumerate() {
        acc.passed[k] = rec.passed;
        acc.n[k] = rec.n;
        acc.s[k][1] = rec.swx;
        if squares {
            acc.s[k][3] = rec.swdd;
            acc.dev[k] = (rec.k, rec.swd);
        }
    }
    for (k, [sw, sww]) in weights.into_iter().enumerate() {
        acc.s[k][0] = sw;
        acc.s[k][2] = sww;
    }
    bad
}

/// Runs an aggregate.
pub fn run(inp: &AggInput<'_>) -> AggOut {
    if additive(inp.func) {
        let (acc, bad) = accumulate(inp);
        let mut out = finalize(acc);
        out.bad_weights = bad;
        return out;
    }
    let g = inp.n_groups;
    let mut out = AggOut {
        values: vec![f64::NAN; g],
        n: vec![0; g],
        passed: vec![0; g],
        ci: None,
        bad_weights: 0,
        div_zero: 0,
        acc: None,
    };
    for r in 0..inp.groups.len() {
        if inp.pass[r] {
            out.passed[inp.groups[r] as usize] += 1;
        }
    }
    match inp.func {
        AggFunc::Min | AggFunc::Max => extremes(inp, &mut out),
        AggFunc::Median | AggFunc::Percentile => order_statistic(inp, &mut out),
        AggFunc::Distinct => distinct(inp, &mut out),
        _ => unreachable!("additive aggregates return above"),
    }
    out
}

fn extremes(inp: &AggInput<'_>, out: &mut AggOut) {
    let x = num(&inp.args[0]);
    let is_min = inp.func == AggFunc::Min;
    for r in 0..inp.groups.len() {
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

/// Median or percentile: the present values bucketed by group in one
/// buffer, then each bucket sorted.
fn order_statistic(inp: &AggInput<'_>, out: &mut AggOut) {
    let g = inp.n_groups;
    let x = num(&inp.args[0]);
    let rows = inp.groups.len();
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
        out.values[k] = match inp.func {
            AggFunc::Median => percentile(v, 50.0),
            _ => percentile(v, inp.pct),
        };
    }
}

/// How many different values each group has (n: how many values).
fn distinct(inp: &AggInput<'_>, out: &mut AggOut) {
    match &*inp.args[0] {
        Column::Num(v) => distinct_by(inp, out, |r| (!v[r].is_nan()).then(|| v[r].to_bits())),
        Column::Bool(v) => distinct_by(inp, out, |r| (v[r] != NA_BOOL).then_some(v[r])),
        Column::Opt(v) => distinct_by(inp, out, |r| (v[r] != NA_OPT).then_some(v[r])),
        Column::Set(v) => distinct_by(inp, out, |r| (v[r] != NA_SET).then_some(v[r])),
        Column::Date(v) => distinct_by(inp, out, |r| (v[r] != NA_DATE).then_some(v[r])),
        Column::Text(v) => distinct_by(inp, out, |r| v[r].as_deref()),
    }
}

/// [`distinct`] over the values `key` gives (`None`: no value). They are
/// bucketed by group in one buffer, as for a median, and each bucket is
/// sorted on its own: no (group, value) pairs, which at a million rows
/// were 16 MB held at the evaluation's peak, and sorts that stay within
/// one group's values.
fn distinct_by<T: Ord + Copy + Default>(
    inp: &AggInput<'_>,
    out: &mut AggOut,
    key: impl Fn(usize) -> Option<T>,
) {
    let g = inp.n_groups;
    let rows = inp.groups.len();
    let present = |r: usize| inp.pass[r] && key(r).is_some();
    for r in (0..rows).filter(|&r| present(r)) {
        out.n[inp.groups[r] as usize] += 1;
    }
    let mut start = vec![0usize; g + 1];
    for k in 0..g {
        start[k + 1] = start[k] + out.n[k] as usize;
    }
    let mut fill = start.clone();
    let mut vals = vec![T::default(); start[g]];
    for r in 0..rows {
        if let (true, Some(x)) = (inp.pass[r], key(r)) {
            let k = inp.groups[r] as usize;
            vals[fill[k]] = x;
            fill[k] += 1;
        }
    }
    for (k, value) in out.values.iter_mut().enumerate() {
        let v = &mut vals[start[k]..start[k + 1]];
        v.sort_unstable();
        let different = v
            .iter()
            .enumerate()
            .filter(|&(i, x)| i == 0 || v[i - 1] != *x);
        *value = different.count() as f64;
    }
}

/// Type-7 percentile of sorted values: linear interpolation between closest ranks.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let m = sorted.len();
    if m == 0 {
        return f64::NAN;
    }
    // As the SQL engines compute it (`percentile_cont`, `quantile_cont`,
    // `percentile`): the fraction first, then the position, then the
    // interpolation, so that both runners give the same bits and a `rank`
    // over these values sees the same ties.
    let h = (m - 1) as f64 * (p / 100.0);
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
        // By hand, p = 0.3 over 50: centre (0.3 + 0.038415) / 1.076829 =
        // 0.314270, half-width 1.959964 * sqrt(0.0042 + 0.00038415) /
        // 1.076829 = 0.123234, so 0.191036 .. 0.437504.
        let (lo, hi) = wilson(0.3, 50.0).unwrap();
        assert!((lo - 0.191036).abs() < 1e-5, "{lo}");
        assert!((hi - 0.437504).abs() < 1e-5, "{hi}");
        // At the ends, exactly 0 and 1 whatever n (no cancellation noise).
        for n in [1.0, 3.7, 1e3, 1e9] {
            assert_eq!(wilson(0.0, n).unwrap().0, 0.0);
            assert_eq!(wilson(1.0, n).unwrap().1, 1.0);
        }
    }
}
