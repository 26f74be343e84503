//! The change of one item at one unit between two rounds.
//!
//! In: the item's objects in the earlier and the later result. Out: a
//! [`Change`]: both sides as given, the delta of the value and of the
//! score, the 95 % interval of the change when both rounds give an
//! interval, and the direction.

use super::{Change, Kind};
use serde_json::{Map, Value};

/// Which way an item moved (the order is the summary's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Improved = 0,
    Declined = 1,
    NoClearChange = 2,
    Unchanged = 3,
    Missing = 4,
    NotComparable = 5,
}

impl Direction {
    pub const ALL: [Direction; 6] = [
        Direction::Improved,
        Direction::Declined,
        Direction::NoClearChange,
        Direction::Unchanged,
        Direction::Missing,
        Direction::NotComparable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Improved => "improved",
            Direction::Declined => "declined",
            Direction::NoClearChange => "no_clear_change",
            Direction::Unchanged => "unchanged",
            Direction::Missing => "missing",
            Direction::NotComparable => "not_comparable",
        }
    }

    /// The direction seen from the other side (rounds swapped).
    pub fn mirrored(self) -> Direction {
        match self {
            Direction::Improved => Direction::Declined,
            Direction::Declined => Direction::Improved,
            d => d,
        }
    }
}

/// The 95 % interval of `p1 − p2` from each round's own interval: Newcombe's
/// hybrid score interval (1998, method 10) for shares with Wilson
/// intervals. For a mean, whose interval is symmetric, the same formula is
/// `d ± √(h₁² + h₂²)`, the interval of a difference of independent means.
pub fn interval(p1: f64, (l1, u1): (f64, f64), p2: f64, (l2, u2): (f64, f64)) -> (f64, f64) {
    let d = p1 - p2;
    let lo = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let hi = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    (lo, hi)
}

/// The fields of a result's object that a comparison shows.
fn side(x: &Value) -> Value {
    let mut m = Map::new();
    for k in ["value", "score", "n", "ci", "status"] {
        if let Some(v) = x.get(k) {
            m.insert(k.to_string(), v.clone());
        }
    }
    Value::Object(m)
}

/// A number for the delta: numbers as they are, yes/no as 1/0.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(*b as u8 as f64),
        _ => None,
    }
}

fn usable(x: &Value) -> bool {
    matches!(x["status"].as_str(), Some("ok" | "low_n"))
}

fn ci(x: &Value) -> Option<(f64, f64)> {
    let c = x["ci"].as_array()?;
    Some((c.first()?.as_f64()?, c.get(1)?.as_f64()?))
}

/// The change from `b` (earlier) to `a` (later). `lower`: the indicator
/// improves downwards; `changed`: its definition differs between rounds.
pub(super) fn of(
    b: &Value,
    a: &Value,
    kind: Kind,
    lower: bool,
    changed: bool,
    allow: bool,
) -> Change {
    let mut c = Change {
        before: side(b),
        after: side(a),
        delta: None,
        score_delta: None,
        ci: None,
        direction: Direction::Missing,
        definition_changed: changed,
    };
    if changed && !allow {
        c.direction = Direction::NotComparable;
        return c;
    }
    if !usable(b) || !usable(a) {
        return c;
    }
    if let (Some(x), Some(y)) = (a["score"].as_f64(), b["score"].as_f64()) {
        c.score_delta = Some(x - y);
    }
    if kind == Kind::Dimension {
        c.direction = match c.score_delta {
            Some(d) => by_sign(d, false),
            None => Direction::Missing,
        };
        return c;
    }
    let (Some(vb), Some(va)) = (b.get("value"), a.get("value")) else {
        return c;
    };
    let Some((x, y)) = number(va).zip(number(vb)) else {
        // Options, texts, distributions: no delta, only same or not.
        c.direction = match va == vb {
            true => Direction::Unchanged,
            false => Direction::NoClearChange,
        };
        return c;
    };
    let d = x - y;
    c.delta = Some(d);
    c.direction = match ci(a).zip(ci(b)) {
        Some((ca, cb)) => {
            let (lo, hi) = interval(x, ca, y, cb);
            c.ci = Some((lo, hi));
            match (lo > 0.0, hi < 0.0, lower) {
                (true, _, false) | (_, true, true) => Direction::Improved,
                (_, true, false) | (true, _, true) => Direction::Declined,
                _ => Direction::NoClearChange,
            }
        }
        None => by_sign(d, lower),
    };
    c
}

fn by_sign(d: f64, lower: bool) -> Direction {
    let d = if lower { -d } else { d };
    if d > 0.0 {
        Direction::Improved
    } else if d < 0.0 {
        Direction::Declined
    } else {
        Direction::Unchanged
    }
}

#[cfg(test)]
mod tests {
    use super::interval;
    use crate::eval::wilson;

    /// The spec's reference intervals, from Wilson intervals of each round.
    #[test]
    fn newcombe_reference_values() {
        let case = |k1: f64, n1: f64, k2: f64, n2: f64| {
            let (p1, p2) = (k1 / n1, k2 / n2);
            let c1 = wilson(p1, n1).expect("interval");
            let c2 = wilson(p2, n2).expect("interval");
            interval(p1, c1, p2, c2)
        };
        let near = |(a, b): (f64, f64), (x, y): (f64, f64)| {
            assert!(
                (a - x).abs() < 5e-5 && (b - y).abs() < 5e-5,
                "({a}, {b}) vs ({x}, {y})"
            );
        };
        near(case(56.0, 70.0, 48.0, 80.0), (0.0524, 0.3339));
        near(case(9.0, 10.0, 3.0, 10.0), (0.1705, 0.8090));
        near(case(5.0, 56.0, 0.0, 29.0), (-0.0381, 0.1926));
        near(case(10.0, 10.0, 0.0, 20.0), (0.6791, 1.0000));
    }

    /// A mean: d ± √(h₁² + h₂²).
    #[test]
    fn means_add_their_half_widths_in_quadrature() {
        let (lo, hi) = interval(3.5, (3.2, 3.8), 3.0, (2.6, 3.4));
        let h = (0.3f64.powi(2) + 0.4f64.powi(2)).sqrt();
        assert!((lo - (0.5 - h)).abs() < 1e-12 && (hi - (0.5 + h)).abs() < 1e-12);
    }
}
