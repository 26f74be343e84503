//! Values → scores, and children's scores → a dimension's score.
//!
//! In: an indicator's values at one level and its normalisation; or a
//! dimension's children's weights and scores at one unit. Out: scores in
//! 0..100 (missing where they cannot be computed) and warnings for scales
//! that collapse (all units equal under `minmax`, one unit under `rank`).

use crate::ir::{Aggregate, Better, MapKey, Normalize};

/// Scores for numeric values under a value-independent rule (goalposts, target).
pub fn goalposts(v: f64, lo: f64, hi: f64) -> f64 {
    ((v - lo) / (hi - lo)).clamp(0.0, 1.0) * 100.0
}

/// `target T`: higher is better unless `better lower`.
pub fn target(v: f64, t: f64, better: Better) -> f64 {
    if v.is_nan() || t.is_nan() || t <= 0.0 {
        return f64::NAN;
    }
    match better {
        Better::Higher => (v / t).clamp(0.0, 1.0) * 100.0,
        Better::Lower => {
            if v <= t {
                100.0
            } else {
                t / v * 100.0
            }
        }
    }
}

/// The value relative scores compare: `v` to 12 significant digits.
///
/// Two units whose values are the same number computed in a different
/// order (a sum, a mean, an interpolated percentile) can differ in their
/// last binary digits, and differently in each engine; a rank that told
/// them apart would give them different scores in PostgreSQL and in
/// memory. Twelve digits leave a thousand times the noise of a double and
/// more than any answer holds. The SQL dialects compute the same key
/// (`Dialect::tie_key`).
pub fn tie_key(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = pow10(11.0 - floor_log10(v.abs()));
    match scale.is_finite() {
        true => round(v * scale) / scale,
        false => v,
    }
}

/// `floor(log10(a))` for a positive finite `a`, as `log10` gives it.
///
/// Reports key every number and chart coordinate, and `log10` was a tenth
/// of an HTML report's time. Between 10⁻⁸ and 10¹⁶ the decade is found
/// from the binary exponent and one comparison with a power of ten; `log10` itself is called only
/// within 10⁻¹² (relative) of a power, where its rounding could cross the
/// integer and the answer must stay the one SQL's `LOG10` gives.
fn floor_log10(a: f64) -> f64 {
    const DECADES: [f64; 25] = [
        1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    ];
    const MARGIN: f64 = 1e-12;
    if (DECADES[0]..DECADES[24]).contains(&a) {
        // The binary exponent times log10(2) (78913 / 2^18) is the decade
        // or the one below it: a power of two spans less than a decade.
        let e2 = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
        let mut i = ((e2 * 78913) >> 18) + 8;
        if a >= DECADES[(i + 1) as usize] {
            i += 1;
        }
        let (lo, hi) = (DECADES[i as usize], DECADES[i as usize + 1]);
        if a >= lo * (1.0 + MARGIN) && a <= hi * (1.0 - MARGIN) {
            return (i - 8) as f64;
        }
    }
    a.log10().floor()
}

/// `x.round()` (halves away from zero), without the call to the C
/// library's `round` that `f64::round` makes on x86-64 before SSE4.1;
/// every number and chart coordinate of a report goes through it.
pub(crate) fn round(x: f64) -> f64 {
    // From 2^52 on, every double is an integer; so are NaN's and the
    // infinities' roundings.
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let t = ((x as i64) as f64).copysign(x);
    match (x - t).abs() >= 0.5 {
        true => t + 1f64.copysign(x),
        false => t,
    }
}

/// 10 to the integer power `e`. Reports round every number and chart
/// coordinate through [`tie_key`], and `powf` was a twentieth of an HTML
/// report's time; the powers a double holds exactly (10⁰ to 10²²) come
/// from a table, the same values `powf` gives, the others from `powf`.
fn pow10(e: f64) -> f64 {
    const EXACT: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    match (0.0..=22.0).contains(&e) {
        true => EXACT[e as usize],
        false => 10f64.powf(e),
    }
}

/// `minmax` over the present values; `None` when the scale collapses (all
/// values equal to 12 significant digits, see [`tie_key`]).
pub fn minmax(values: &[f64]) -> Option<Vec<f64>> {
    let present = values.iter().filter(|v| !v.is_nan());
    let (lo, hi) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
        (a.min(v), b.max(v))
    });
    if tie_key(hi).partial_cmp(&tie_key(lo)) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    Some(
        values
            .iter()
            .map(|&v| {
                if v.is_nan() {
                    f64::NAN
                } else {
                    (v - lo) / (hi - lo) * 100.0
                }
            })
            .collect(),
    )
}

/// `rank`: ascending rank (ties, values equal to 12 significant digits,
/// share their average rank) scaled to 0..100; `None` when fewer than two
/// units have a value.
pub fn rank(values: &[f64]) -> Option<Vec<f64>> {
    let mut idx: Vec<usize> = (0..values.len()).filter(|&i| !values[i].is_nan()).collect();
    let m = idx.len();
    if m < 2 {
        return None;
    }
    let values: Vec<f64> = values.iter().map(|&v| tie_key(v)).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![f64::NAN; values.len()];
    let mut i = 0;
    while i < m {
        let mut j = i;
        while j + 1 < m && values[idx[j + 1]] == values[idx[i]] {
            j += 1;
        }
        // Ranks are 1-based: positions i..=j share ((i+1)+(j+1))/2.
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            out[k] = (r - 1.0) / (m - 1) as f64 * 100.0;
        }
        i = j + 1;
    }
    Some(out)
}

/// Points of a mapping for a key.
pub fn map_points(entries: &[(MapKey, f64)], key: &MapKey) -> Option<f64> {
    entries.iter().find(|(k, _)| k == key).map(|(_, p)| *p)
}

/// Mirrors a score for `better lower` (where the rule says so).
pub fn mirror(s: f64, better: Better) -> f64 {
    match better {
        Better::Higher => s,
        Better::Lower => 100.0 - s,
    }
}

/// Whether the rule's score is mirrored by `better lower`.
pub fn mirrors(n: &Normalize) -> bool {
    matches!(
        n,
        Normalize::Goalposts { .. } | Normalize::MinMax | Normalize::Rank | Normalize::Bool
    )
}

/// A dimension's score from `(weight, score)` pairs of the scored children.
pub fn combine(agg: Aggregate, parts: &[(f64, f64)]) -> f64 {
    if parts.is_empty() {
        return f64::NAN;
    }
    let wsum: f64 = parts.iter().map(|p| p.0).sum();
    match agg {
        Aggregate::Mean => parts.iter().map(|(w, s)| w * s).sum::<f64>() / wsum,
        Aggregate::Geometric => {
            if parts.iter().any(|p| p.1 <= 0.0) {
                0.0
            } else {
                (parts.iter().map(|(w, s)| w * s.ln()).sum::<f64>() / wsum).exp()
            }
        }
        Aggregate::Harmonic => {
            if parts.iter().any(|p| p.1 <= 0.0) {
                0.0
            } else {
                wsum / parts.iter().map(|(w, s)| w / s).sum::<f64>()
            }
        }
        Aggregate::Median => {
            let mut v = parts.to_vec();
            v.sort_by(|a, b| a.1.total_cmp(&b.1));
            let half = wsum / 2.0;
            let mut cum = 0.0;
            for (w, s) in &v {
                cum += w;
                // The lower middle value when the weights split exactly.
                if cum >= half - 1e-12 * wsum {
                    return *s;
                }
            }
            v.last().map(|p| p.1).unwrap_or(f64::NAN)
        }
        Aggregate::Min => parts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min),
        Aggregate::Max => parts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_ten_from_the_table_are_powf_s() {
        for e in -30..=40 {
            assert_eq!(pow10(e as f64), 10f64.powf(e as f64), "10^{e}");
        }
    }

    #[test]
    fn decades_found_by_comparison_are_log10_s() {
        // Every power of ten and its neighbours one, two and many ulps
        // away, where log10 rounds and the comparison must step aside.
        for e in -12..=18 {
            let p = 10f64.powi(e);
            let mut below = p;
            let mut above = p;
            for _ in 0..3000 {
                for a in [below, above, p * (1.0 + 1e-12), p * (1.0 - 1e-12)] {
                    assert_eq!(floor_log10(a), a.log10().floor(), "{a:e}");
                }
                below = below.next_down();
                above = above.next_up();
            }
        }
        assert_eq!(floor_log10(5e-9), -9.0);
        assert_eq!(floor_log10(3.5), 0.0);
        assert_eq!(floor_log10(0.072), -2.0);
        assert_eq!(floor_log10(4.2e15), 15.0);
        assert_eq!(floor_log10(2e16), 16.0);
    }

    #[test]
    fn round_is_f64_round() {
        for x in [
            0.0,
            -0.0,
            0.3,
            -0.3,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4503599627370495.5,
            4503599627370496.0,
            -4503599627370495.5,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(round(x).to_bits(), x.round().to_bits(), "{x:e}");
        }
        assert!(round(f64::NAN).is_nan());
    }

    proptest::proptest! {
        /// The hand-written rounding is `f64::round`, to the bit.
        #[test]
        fn round_is_f64_round_everywhere(bits: u64) {
            let x = f64::from_bits(bits);
            proptest::prop_assume!(!x.is_nan());
            proptest::prop_assert_eq!(round(x).to_bits(), x.round().to_bits());
        }

        #[test]
        fn round_is_f64_round_near_integers(i in -1_000_000_000i64..1_000_000_000, f in 0.0f64..1.0) {
            let x = i as f64 + f;
            proptest::prop_assert_eq!(round(x).to_bits(), x.round().to_bits());
        }

        /// The decade found by comparison is the one `log10` gives, for
        /// values anywhere from 10⁻¹² to 10²⁰.
        #[test]
        fn floor_log10_is_log10_s(m in 1.0f64..10.0, e in -12i32..20) {
            let a = m * 10f64.powi(e);
            proptest::prop_assert_eq!(floor_log10(a), a.log10().floor());
        }

        /// The key is the value to 12 significant digits, computed as the
        /// SQL dialects compute it (POWER(10, 11 - FLOOR(LOG10(ABS(v))))).
        #[test]
        fn tie_key_is_twelve_significant_digits(m in 1.0f64..10.0, e in -20i32..20, neg: bool) {
            let v = if neg { -m } else { m } * 10f64.powi(e);
            let scale = 10f64.powf(11.0 - v.abs().log10().floor());
            proptest::prop_assert_eq!(tie_key(v), (v * scale).round() / scale);
        }
    }

    #[test]
    fn ranks_average_ties() {
        let r = rank(&[10.0, 20.0, 20.0, f64::NAN, 30.0]).unwrap();
        assert_eq!(r[0], 0.0);
        assert_eq!(r[1], 50.0);
        assert_eq!(r[2], 50.0);
        assert!(r[3].is_nan());
        assert_eq!(r[4], 100.0);
        assert!(rank(&[1.0]).is_none());
    }

    /// 40.56 interpolated by DuckDB's `quantile_cont` is 40.559999999999995
    /// (found by the generated data set in DuckDB): the same tie as 40.56,
    /// while values apart at the 12th digit stay apart.
    #[test]
    fn ties_are_equal_to_twelve_digits() {
        let r = rank(&[40.56, 40.559999999999995, 40.5600000001, 1.0]).unwrap();
        // Ranks 1 (1.0), 2.5 twice (the tie), 4: scaled by 100 / 3.
        assert_eq!(r, vec![50.0, 50.0, 100.0, 0.0]);
        assert_eq!(tie_key(-3.0000000000000004), -3.0);
        assert_eq!(tie_key(123_456_789_012_345.0), 123_456_789_012_000.0);
        assert_eq!(tie_key(0.0), 0.0);
        assert!(tie_key(1e-320) > 0.0);
        assert!(minmax(&[0.1 + 0.2, 0.3]).is_none());
    }

    #[test]
    fn minmax_collapses() {
        assert!(minmax(&[2.0, 2.0]).is_none());
        assert_eq!(minmax(&[0.0, 5.0, 10.0]).unwrap(), vec![0.0, 50.0, 100.0]);
    }

    #[test]
    fn weighted_median_takes_lower_middle() {
        assert_eq!(
            combine(Aggregate::Median, &[(1.0, 10.0), (1.0, 20.0)]),
            10.0
        );
        assert_eq!(
            combine(Aggregate::Median, &[(1.0, 10.0), (3.0, 20.0)]),
            20.0
        );
        assert_eq!(
            combine(Aggregate::Median, &[(1.0, 10.0), (1.0, 20.0), (1.0, 30.0)]),
            20.0
        );
    }

    #[test]
    fn zero_child_in_geometric_and_harmonic() {
        assert_eq!(
            combine(Aggregate::Geometric, &[(1.0, 0.0), (1.0, 50.0)]),
            0.0
        );
        assert_eq!(
            combine(Aggregate::Harmonic, &[(1.0, 0.0), (1.0, 50.0)]),
            0.0
        );
        assert_eq!(combine(Aggregate::Mean, &[(1.0, 0.0), (1.0, 50.0)]), 25.0);
    }

    #[test]
    fn target_both_directions() {
        assert_eq!(target(5.0, 10.0, Better::Higher), 50.0);
        assert_eq!(target(20.0, 10.0, Better::Higher), 100.0);
        assert_eq!(target(5.0, 10.0, Better::Lower), 100.0);
        assert_eq!(target(40.0, 10.0, Better::Lower), 25.0);
        assert!(target(5.0, 0.0, Better::Lower).is_nan());
    }
}
