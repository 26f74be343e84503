//! Aggregates folded into passes, and the order the CTEs are written in.
//!
//! In: each aggregate the builder meets, as the SQL of its rows' columns
//! (filter, argument, weight) and the CTEs those read. Out: one CTE per
//! *pass* — the aggregates that group the same rows (their level, the
//! level they are grouped at, breakdown and stage)
//! computed in one `GROUP BY`, each member's figures as columns suffixed
//! with `_` and the aggregate's number — and, at the end, every CTE in an
//! order where each comes after those it reads.
//!
//! Why: one CTE per aggregate meant forty scans of the person table for a
//! VISES-sized framework, and hundreds of CTEs that Spark inlines into
//! every reader. A member may not read its own pass (an aggregate of
//! `x - mean(x)` reads the mean of the same rows), so each pass has a
//! *generation*: one more than the passes its members read, directly or
//! through other CTEs.

use super::Dialect;
use crate::ir::{AggFunc, LevelId};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};

/// z for a 95 % interval, as the in-memory runner uses it.
const Z: f64 = crate::eval::Z;

/// At most this many aggregates in one pass, so that no engine meets a
/// select list longer than it accepts (PostgreSQL: 1,664 entries).
pub const MAX_MEMBERS: usize = 48;

/// The columns of one aggregate's rows and how they are summed.
#[derive(Debug, Clone)]
pub struct Member {
    /// The aggregate's number in the statement: the suffix of its columns.
    pub id: u32,
    pub func: AggFunc,
    /// The fraction a median or percentile asks for (0..1).
    pub pct: f64,
    /// Whether a row passes the aggregate's filter (and mask).
    pub pass: String,
    /// Whether a row passed but a question it reads was not asked.
    pub unasked: String,
    pub x: String,
    pub y: Option<String>,
    pub w: Option<String>,
}

/// Aggregates read from the same rows, grouped by the same units.
#[derive(Debug, Clone)]
pub struct Pass {
    /// The rows: the units of the aggregates' level (`b{l}`), or its chain.
    pub base: String,
    /// The level the rows are grouped at.
    pub at: LevelId,
    /// The breakdown cell of each row (`0` without a breakdown).
    pub cell: String,
    pub joins: IndexMap<String, String>,
    pub members: Vec<Member>,
}

/// Where one aggregate's figures are read: `{alias}.{column}{id}`.
#[derive(Debug, Clone)]
pub struct AggCol {
    pub alias: String,
    pub id: u32,
}

impl AggCol {
    pub fn col(&self, c: &str) -> String {
        format!("{}.{c}_{}", self.alias, self.id)
    }
}

/// The select lists of a pass, from the rows outwards.
#[derive(Default)]
struct Lists {
    rows: Vec<String>,
    /// Each mean's and deviation's K, a value of its group (`_k_` id):
    /// sums of squares are taken from it, as in memory (`eval::agg::Acc`).
    shift: Vec<String>,
    sums: Vec<String>,
    /// Weights and effective n of means, shares and deviations.
    mid: Vec<String>,
    /// Their means.
    mean: Vec<String>,
    out: Vec<String>,
}

impl Pass {
    /// The pass's CTE: one row per unit (and cell) with every member's
    /// `v`, `n` (rows that entered), `p` (rows that passed the filter)
    /// and, for a share or a mean, the interval `lo`, `hi`.
    pub fn body(&self, d: Dialect) -> String {
        let at = self.at;
        let mut ls = Lists {
            rows: vec![format!("r._a{at} AS _g"), format!("{} AS _c", self.cell)],
            sums: vec!["_g".into(), "_c".into()],
            out: vec!["_g AS _k".into(), "_c".into()],
            ..Lists::default()
        };
        for m in &self.members {
            m.columns(d, &mut ls);
        }
        let mut from = format!("FROM {} AS r", self.base);
        for j in self.joins.values() {
            from.push(' ');
            from.push_str(j);
        }
        let rows = format!(
            "SELECT {} {from} WHERE r._a{at} IS NOT NULL",
            ls.rows.join(", ")
        );
        let rows = match ls.shift.is_empty() {
            true => rows,
            false => format!("SELECT xk.*, {} FROM ({rows}) AS xk", ls.shift.join(", ")),
        };
        let mut q = format!(
            "SELECT {} FROM ({rows}) AS x0 GROUP BY _g, _c",
            ls.sums.join(", ")
        );
        if !ls.mid.is_empty() {
            q = format!("SELECT x1.*, {} FROM ({q}) AS x1", ls.mid.join(", "));
            q = format!("SELECT x2.*, {} FROM ({q}) AS x2", ls.mean.join(", "));
        }
        format!("SELECT {} FROM ({q}) AS x3", ls.out.join(", "))
    }
}

impl Member {
    /// Whether a row enters: it passed, its arguments are there, and (for
    /// those that weigh rows) its weight is usable.
    fn entered(&self) -> String {
        let j = self.id;
        let mut ent = format!("_p_{j}");
        if self.func != AggFunc::CountRows {
            ent.push_str(&format!(" AND _x_{j} IS NOT NULL"));
        }
        if self.y.is_some() {
            ent.push_str(&format!(" AND _y_{j} IS NOT NULL"));
        }
        if self.w.is_some() {
            ent.push_str(&format!(" AND _w_{j} IS NOT NULL AND _w_{j} >= 0"));
        }
        ent
    }

    /// Adds this member's columns to every list of its pass.
    fn columns(&self, d: Dialect, ls: &mut Lists) {
        let j = self.id;
        let f = self.func;
        ls.rows.push(format!("{} AS _p_{j}", self.pass));
        ls.rows.push(format!("{} AS _u_{j}", self.unasked));
        if f != AggFunc::CountRows {
            ls.rows.push(format!("{} AS _x_{j}", self.x));
        }
        if let Some(y) = &self.y {
            ls.rows.push(format!("{y} AS _y_{j}"));
        }
        if let Some(w) = &self.w {
            ls.rows.push(format!("{w} AS _w_{j}"));
        }
        let ent = self.entered();
        let when = |v: &str| format!("CASE WHEN {ent} THEN {v} END");
        let count = |c: &str| format!("SUM(CASE WHEN {c} THEN 1 ELSE 0 END)");
        let w = match &self.w {
            Some(_) => format!("_w_{j}"),
            None => d.num(1.0),
        };
        ls.sums.push(format!("{} AS n_{j}", count(&ent)));
        ls.sums.push(format!(
            "{} - {} AS p_{j}",
            count(&format!("_p_{j}")),
            count(&format!("_u_{j}"))
        ));
        ls.out.push(format!("n_{j}"));
        ls.out.push(format!("p_{j}"));
        let dbl = d.double();
        let value = match f {
            AggFunc::CountRows => format!("CAST(p_{j} AS {dbl})"),
            AggFunc::Count => {
                ls.sums
                    .push(format!("{} AS t_{j}", count(&format!("{ent} AND _x_{j}"))));
                format!("CAST(t_{j} AS {dbl})")
            }
            AggFunc::Sum => {
                ls.sums.push(format!(
                    "SUM({}) AS swx_{j}",
                    when(&format!("{w} * _x_{j}"))
                ));
                format!("COALESCE(swx_{j}, {})", d.num(0.0))
            }
            AggFunc::Min | AggFunc::Max => {
                let m = if f == AggFunc::Min { "MIN" } else { "MAX" };
                ls.sums
                    .push(format!("{m}({}) AS m_{j}", when(&format!("_x_{j}"))));
                format!("m_{j}")
            }
            AggFunc::Median | AggFunc::Percentile => {
                let x = when(&format!("_x_{j}"));
                ls.sums
                    .push(format!("{} AS m_{j}", d.percentile(&x, self.pct)));
                format!("m_{j}")
            }
            AggFunc::Distinct => {
                ls.sums.push(format!(
                    "COUNT(DISTINCT {}) AS m_{j}",
                    when(&format!("_x_{j}"))
                ));
                format!("CAST(m_{j} AS {dbl})")
            }
            AggFunc::Ratio => {
                ls.sums
                    .push(format!("SUM({}) AS sa_{j}", when(&format!("{w} * _x_{j}"))));
                ls.sums
                    .push(format!("SUM({}) AS sb_{j}", when(&format!("{w} * _y_{j}"))));
                format!("CASE WHEN n_{j} = 0 OR sb_{j} = 0 THEN NULL ELSE sa_{j} / sb_{j} END")
            }
            AggFunc::Mean | AggFunc::Share | AggFunc::Stddev => {
                self.moments(d, &w, &when, ls);
                return;
            }
        };
        ls.out.push(format!("{value} AS v_{j}"));
    }

    /// Mean, share and standard deviation from Σw, Σwx, Σw² and the
    /// variance (below); with Kish's effective n under weights; intervals
    /// as in memory.
    fn moments(&self, d: Dialect, w: &str, when: &dyn Fn(&str) -> String, ls: &mut Lists) {
        let j = self.id;
        let dbl = d.double();
        ls.sums.push(format!("SUM({}) AS sw_{j}", when(w)));
        ls.sums.push(format!(
            "SUM({}) AS swx_{j}",
            when(&format!("{w} * _x_{j}"))
        ));
        ls.sums
            .push(format!("SUM({}) AS sw2_{j}", when(&format!("{w} * {w}"))));
        // The variance without Σx² (see `eval::agg::Acc::dev`): the
        // engines' own sample variance when rows are not weighted (each
        // computes it stably in the same pass); under weights, sums of the
        // distances to K, the group's least value, which a window gives
        // (a sort per pass: only where it is needed).
        match (self.func, &self.w) {
            (AggFunc::Share, _) => {}
            (_, None) => ls
                .sums
                .push(format!("VAR_SAMP({}) AS vs_{j}", when(&format!("_x_{j}")))),
            (_, Some(_)) => {
                ls.shift.push(format!(
                    "MIN({}) OVER (PARTITION BY _g, _c) AS _k_{j}",
                    when(&format!("_x_{j}"))
                ));
                let dx = format!("(_x_{j} - _k_{j})");
                ls.sums
                    .push(format!("SUM({}) AS swd_{j}", when(&format!("{w} * {dx}"))));
                ls.sums.push(format!(
                    "SUM({}) AS swdd_{j}",
                    when(&format!("{w} * {dx} * {dx}"))
                ));
            }
        }
        let (tw, ne) = match self.w {
            Some(_) => (
                format!("COALESCE(sw_{j}, 0)"),
                format!(
                    "CASE WHEN sw2_{j} > 0 THEN sw_{j} * sw_{j} / sw2_{j} ELSE {} END",
                    d.num(0.0)
                ),
            ),
            None => (
                format!("CAST(n_{j} AS {dbl})"),
                format!("CAST(n_{j} AS {dbl})"),
            ),
        };
        ls.mid.push(format!("{tw} AS w_{j}, {ne} AS ne_{j}"));
        ls.mean.push(format!(
            "CASE WHEN n_{j} = 0 OR w_{j} <= 0 THEN NULL ELSE swx_{j} / w_{j} END AS m_{j}"
        ));
        let (m, ne) = (format!("m_{j}"), format!("ne_{j}"));
        let dm = format!("(swd_{j} / w_{j})");
        let var = match self.w {
            // NULL below two values, as in memory.
            None => format!("vs_{j}"),
            Some(_) => format!(
                "CASE WHEN {ne} > 1 AND {m} IS NOT NULL THEN GREATEST(swdd_{j} / w_{j} - {dm} * {dm}, {}) * {ne} / ({ne} - 1) END",
                d.num(0.0)
            ),
        };
        let (z, z2) = (d.num(Z), d.num(Z * Z));
        match self.func {
            AggFunc::Stddev => ls.out.push(format!("SQRT({var}) AS v_{j}")),
            AggFunc::Mean => {
                let half = format!("{z} * SQRT({var}) / SQRT({ne})");
                ls.out.push(format!(
                    "{m} AS v_{j}, {m} - {half} AS lo_{j}, {m} + {half} AS hi_{j}"
                ));
            }
            _ => {
                // Wilson's bounds without cancellation, as eval::wilson.
                let ok = format!("{ne} > 0 AND {m} IS NOT NULL");
                let c = format!("{z2} / (2 * {ne})");
                let s = format!("{z} * SQRT({m} * (1 - {m}) / {ne} + {z2} / (4 * {ne} * {ne}))");
                let lo = format!("{m} * {m} / ({m} + {c} + {s})");
                let hi = format!("1 - (1 - {m}) * (1 - {m}) / ((1 - {m}) + {c} + {s})");
                ls.out.push(format!(
                    "{m} AS v_{j}, CASE WHEN {ok} THEN GREATEST({lo}, {}) END AS lo_{j}, CASE WHEN {ok} THEN LEAST({hi}, {}) END AS hi_{j}",
                    d.num(0.0),
                    d.num(1.0)
                ));
            }
        }
    }
}

/// The names an SQL text mentions, outside its string literals and
/// quoted identifiers (which hold data and user tables, never a CTE).
pub fn names(sql: &str) -> impl Iterator<Item = &str> {
    let b = sql.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let c = b[i];
            if c == b'\'' || c == b'"' || c == b'`' {
                i += 1;
                while i < b.len() {
                    if b[i] == c {
                        // A doubled quote stays inside.
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            } else if c.is_ascii_alphabetic() || c == b'_' {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                return Some(&sql[s..i]);
            } else {
                i += 1;
            }
        }
        None
    })
}

/// The CTEs in an order where each comes after every CTE it reads,
/// otherwise in the order they were made. `bodies` holds them in that
/// order. Iterative, so that a long chain of CTEs cannot exhaust the stack.
pub fn order<'s>(bodies: &[(&'s str, &'s str)]) -> Vec<usize> {
    let index: HashMap<&str, usize> = bodies
        .iter()
        .enumerate()
        .map(|(k, (n, _))| (*n, k))
        .collect();
    let deps: Vec<Vec<usize>> = bodies
        .iter()
        .enumerate()
        .map(|(k, (_, body))| {
            let mut seen = HashSet::new();
            names(body)
                .filter_map(|n| index.get(n).copied())
                .filter(|&d| d != k && seen.insert(d))
                .collect()
        })
        .collect();
    let mut done = vec![false; bodies.len()];
    let mut on_path = vec![false; bodies.len()];
    let mut out = Vec::with_capacity(bodies.len());
    for root in 0..bodies.len() {
        let mut stack = vec![(root, 0usize)];
        while let Some((k, next)) = stack.pop() {
            if done[k] {
                continue;
            }
            on_path[k] = true;
            match deps[k].get(next) {
                Some(&d) => {
                    stack.push((k, next + 1));
                    // A cycle cannot arise (generations forbid it); if it
                    // did, the engine would name the CTE read too early.
                    if !done[d] && !on_path[d] {
                        stack.push((d, 0));
                    }
                }
                None => {
                    on_path[k] = false;
                    done[k] = true;
                    out.push(k);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_skip_literals_and_quoted_identifiers() {
        let sql = "SELECT a1.v FROM b2 AS r LEFT JOIN a1 ON 'b3 it''s' = \"g4\" AND `x5` = c6";
        let got: Vec<&str> = names(sql).collect();
        assert_eq!(
            got,
            [
                "SELECT", "a1", "v", "FROM", "b2", "AS", "r", "LEFT", "JOIN", "a1", "ON", "AND",
                "c6"
            ]
        );
    }

    #[test]
    fn order_puts_each_cte_after_what_it_reads() {
        // `p` was made first (its place kept) but reads `l`, made later;
        // `u` reads `p`.
        let bodies = [
            ("b0", "SELECT 1"),
            ("p", "SELECT * FROM b0 JOIN l ON TRUE"),
            ("u", "SELECT * FROM p"),
            ("l", "SELECT * FROM b0"),
        ];
        let names: Vec<&str> = order(&bodies).iter().map(|&k| bodies[k].0).collect();
        assert_eq!(names, ["b0", "l", "p", "u"]);
    }
}
