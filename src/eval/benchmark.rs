//! Benchmarks: where a unit stands among its peers.
//!
//! In: the evaluated indicators and dimensions and the dataset's parent
//! links. Out: for every item at every reported level, the mean, median
//! and range of its scores (and of its numeric values) over the units of
//! the whole level and over the units of each parent unit. Only values a
//! report may show count (a suppressed or not-applicable value never
//! does), and a group with fewer than `max(3, min_group)` such units has
//! no benchmark: its mean would come too close to a single unit's value.

use super::{DimLevel, IndLevel, Status};
use crate::data::{Column, Dataset};
use crate::ir::{ChildRef, DimensionId, Framework, IndicatorId, LevelId};

/// Mean, median and range over a group of units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Units with a value in the group.
    pub n: u32,
    pub mean: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// Benchmarks of one quantity (a score or a value) at one level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Peers {
    /// Over every unit of the level.
    pub all: Option<Stats>,
    /// Over the units of each unit of the coarser level (empty at the
    /// coarsest level).
    pub by_parent: Vec<Option<Stats>>,
}

/// Benchmarks of one item at one level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Benchmark {
    pub score: Peers,
    /// For indicators with numeric values.
    pub value: Option<Peers>,
}

/// The fewest units a benchmark is computed over.
pub fn min_units(fw: &Framework) -> u32 {
    fw.min_group.max(3)
}

/// Mean, median and range of `values` (NaN entries left out), or `None`
/// over fewer than `min` values.
pub fn stats(values: &mut Vec<f64>, min: u32) -> Option<Stats> {
    values.retain(|v| !v.is_nan());
    let n = values.len();
    if n == 0 || n < min as usize {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    Some(Stats {
        n: n as u32,
        mean: values.iter().sum::<f64>() / n as f64,
        median,
        min: values[0],
        max: values[n - 1],
    })
}

/// Benchmarks of every item at every level it is reported at.
pub fn all(
    fw: &Framework,
    ds: &Dataset,
    ind: &super::ByLevel<IndicatorId, IndLevel>,
    dims: &super::ByLevel<DimensionId, DimLevel>,
) -> super::ByLevel<ChildRef, Benchmark> {
    let min = min_units(fw);
    let mut out = super::ByLevel::default();
    for (&(i, l), x) in ind {
        let shown = |u: usize| !matches!(x.status[u], Status::NotApplicable | Status::Suppressed);
        let score: Vec<f64> = (0..x.score.len())
            .map(|u| match shown(u) && x.status[u].scored() {
                true => x.score[u],
                false => f64::NAN,
            })
            .collect();
        let value = match (&x.value, &x.distribution) {
            (Column::Num(v), None) => Some(
                (0..v.len())
                    .map(|u| match shown(u) && x.value.present(u) {
                        true => v[u],
                        false => f64::NAN,
                    })
                    .collect::<Vec<f64>>(),
            ),
            _ => None,
        };
        let b = Benchmark {
            score: peers(ds, l, &score, min),
            value: value.map(|v| peers(ds, l, &v, min)),
        };
        out.insert((ChildRef::Indicator(i), l), b);
    }
    for (&(d, l), x) in dims {
        let score: Vec<f64> = (0..x.score.len())
            .map(|u| match x.status[u] {
                Status::NotApplicable | Status::Suppressed => f64::NAN,
                _ => x.score[u],
            })
            .collect();
        let b = Benchmark {
            score: peers(ds, l, &score, min),
            value: None,
        };
        out.insert((ChildRef::Dimension(d), l), b);
    }
    out
}

/// Benchmarks of `values` (one per unit of level `l`, NaN for none).
fn peers(ds: &Dataset, l: LevelId, values: &[f64], min: u32) -> Peers {
    let all = stats(&mut values.to_vec(), min);
    if l == LevelId::TOP {
        return Peers {
            all,
            by_parent: Vec::new(),
        };
    }
    let mut groups = vec![Vec::new(); ds.levels[l - 1].len()];
    for (u, &p) in ds.levels[l].parent.iter().enumerate() {
        if let (Some(g), Some(v)) = (groups.get_mut(p as usize), values.get(u)) {
            g.push(*v);
        }
    }
    Peers {
        all,
        by_parent: groups.iter_mut().map(|g| stats(g, min)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_median_and_range_by_hand() {
        // 10, 20, 40, 90 → mean 160 / 4 = 40, median (20 + 40) / 2 = 30.
        let s = stats(&mut vec![40.0, f64::NAN, 10.0, 90.0, 20.0], 3).unwrap();
        assert_eq!(
            s,
            Stats {
                n: 4,
                mean: 40.0,
                median: 30.0,
                min: 10.0,
                max: 90.0
            }
        );
        // An odd count takes the middle value.
        assert_eq!(stats(&mut vec![5.0, 1.0, 3.0], 3).unwrap().median, 3.0);
        // Too few values with one: none at all.
        assert_eq!(stats(&mut vec![5.0, f64::NAN, 3.0], 3), None);
        assert_eq!(stats(&mut vec![5.0, 1.0, 3.0], 4), None);
    }
}
