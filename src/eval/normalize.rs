//! Scores: an indicator's values put on the 0–100 scale its `normalize`
//! names.
//!
//! In: an indicator and its values at one level. Out: one score per unit.
//! Absolute rules (goalposts, yes/no, target, mapping) score each unit
//! alone; relative ones (min–max, rank) score units against each other at
//! that level, and warn when the units do not make a scale.

use super::expr::{self, Scope};
use super::{EvalError, Evaluator, score};
use crate::data::Column;
use crate::data::column::{NA_BOOL, NA_OPT};
use crate::diagnostic::Diag;
use crate::ir::{self, IndicatorId, LevelId};

impl Evaluator<'_> {
    /// The scores of indicator `i`'s values at level `l` (0–100, missing
    /// where the value is, or where the scale cannot be built). `value`
    /// holds `k` entries per unit: the cells of a breakdown, or one.
    pub(super) fn score(
        &mut self,
        i: IndicatorId,
        l: LevelId,
        value: &Column,
        k: usize,
    ) -> Vec<f64> {
        let ind = &self.fw.indicators[i];
        let len = value.len();
        let Some(norm) = &ind.normalize else {
            return vec![f64::NAN; len];
        };
        let nums: Vec<f64> = match value {
            Column::Num(v) => v.clone(),
            Column::Bool(v) => v
                .iter()
                .map(|&b| if b == NA_BOOL { f64::NAN } else { b as f64 })
                .collect(),
            _ => vec![f64::NAN; len],
        };
        let raw: Vec<f64> = match norm {
            ir::Normalize::Goalposts { lo, hi } => nums
                .iter()
                .map(|&v| {
                    if v.is_nan() {
                        v
                    } else {
                        score::goalposts(v, *lo, *hi)
                    }
                })
                .collect(),
            ir::Normalize::Bool => nums.iter().map(|&v| v * 100.0).collect(),
            ir::Normalize::Target(t) => {
                let tcol = self.eval(t, l, &mut Scope::default()).repeat_each(k);
                let tc = expr::nums(&tcol);
                return nums
                    .iter()
                    .zip(tc.iter())
                    .map(|(&v, &t)| score::target(v, t, ind.better))
                    .collect();
            }
            ir::Normalize::MinMax | ir::Normalize::Rank => self.relative(i, l, &nums, norm),
            ir::Normalize::Map(entries) => return self.mapped(i, entries, value),
        };
        if score::mirrors(norm) {
            raw.into_iter()
                .map(|s| score::mirror(s, ind.better))
                .collect()
        } else {
            raw
        }
    }

    /// Scores relative to the other units (`minmax`, `rank`); none, with a
    /// warning, when the scale collapses.
    fn relative(
        &mut self,
        i: IndicatorId,
        l: LevelId,
        nums: &[f64],
        norm: &ir::Normalize,
    ) -> Vec<f64> {
        let (scores, rule, why) = match norm {
            ir::Normalize::MinMax => (
                score::minmax(nums),
                "minmax",
                "every unit has the same value",
            ),
            _ => (score::rank(nums), "rank", "only one unit has a value"),
        };
        if let Some(s) = scores {
            return s;
        }
        if nums.iter().any(|v| !v.is_nan()) {
            let ind = &self.fw.indicators[i];
            self.diags.push(
                Diag::warning(
                    EvalError::DegenerateScale {
                        indicator: ind.id.clone(),
                        rule,
                        level: self.fw.levels[l].id.clone(),
                        why,
                    },
                    ind.span,
                    "its scores are missing here",
                )
                .help("a scale relative to the other units needs at least two different values"),
            );
        }
        vec![f64::NAN; nums.len()]
    }

    /// Scores from a mapping of values to points; values the mapping
    /// misses are missing, and named once in a warning.
    fn mapped(
        &mut self,
        i: IndicatorId,
        entries: &[(ir::MapKey, f64)],
        value: &Column,
    ) -> Vec<f64> {
        let ind = &self.fw.indicators[i];
        let len = value.len();
        let mut unmapped: Vec<String> = Vec::new();
        let out = (0..len)
            .map(|u| {
                let key = match value {
                    Column::Opt(v) if v[u] != NA_OPT => match &ind.value.ty {
                        ir::Type::Option(q) => ir::MapKey::Text(
                            self.fw.questions[*q].ty.options()[v[u] as usize]
                                .code
                                .clone(),
                        ),
                        _ => return f64::NAN,
                    },
                    Column::Num(v) if !v[u].is_nan() => ir::MapKey::Num(v[u]),
                    Column::Text(v) => match &v[u] {
                        Some(t) => ir::MapKey::Text(t.to_string()),
                        None => return f64::NAN,
                    },
                    _ => return f64::NAN,
                };
                match score::map_points(entries, &key) {
                    Some(p) => p,
                    None => {
                        let t = match &key {
                            ir::MapKey::Num(x) => crate::text::number(*x),
                            ir::MapKey::Text(t) => t.clone(),
                        };
                        if !unmapped.contains(&t) {
                            unmapped.push(t);
                        }
                        f64::NAN
                    }
                }
            })
            .collect();
        for v in unmapped {
            self.diags.push(Diag::warning(
                EvalError::Unmapped {
                    indicator: ind.id.clone(),
                    value: v,
                },
                ind.span,
                "mapping incomplete",
            ));
        }
        out
    }
}
