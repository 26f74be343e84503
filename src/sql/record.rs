//! The record statement: every fact of [`crate::eval::Results`], raw, so
//! that `eval --db` and `eval --engine` write every output format from
//! what the database computed.
//!
//! In: the builder with every item's CTE written. Out: a `UNION ALL` with
//! the columns of [`COLUMNS`], one row per fact, in no particular order
//! ([`super::rebuild`] places each by its level, unit and kind). Unlike the
//! tidy result, nothing is blanked for display: values where an item does
//! not apply, scores of low-n values and counts are all returned, as the
//! in-memory runner keeps them.

use super::SqlError;
use super::build::{Builder, Ref};
use crate::ir::{IndicatorId, LevelId, RuleSeverity, Type};

/// The record's columns: level, unit key, kind of fact, item, two small
/// indices, value as text, score, n, coverage, interval, status, two
/// counts; with disclosure control, the status before grille's masking
/// (`s0`) and, at an indicator's own level, whether its condition cannot
/// be shown (`hw`, 1 or 0).
pub const COLUMNS: [&str; 17] = [
    "_l", "_u", "_q", "_i", "_b", "_c", "v", "s", "n", "cov", "lo", "hi", "st", "u1", "u2", "s0",
    "hw",
];

/// The kinds of fact, in column `_q`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// An indicator at a unit (`u1`, `u2`: finer units with a value and
    /// where it applies, for a rolled-up level).
    Indicator = 0,
    /// One cell of a breakdown (`_b` the breakdown, `_c` the cell, `u1`
    /// the entries that fall in it).
    Cell = 1,
    Dimension = 2,
    /// A gate (`_b`) of a dimension that failed at a unit.
    FailedGate = 3,
    /// A text of an evidence item (`_b` its rank in row order).
    EvidenceText = 4,
    /// How many rows of a unit pass an evidence item's filter (`u1`).
    EvidenceRows = 5,
    /// A data rule that failed at a unit.
    RuleFailed = 6,
    /// A conditioned question (`_i`) at a unit where it was not asked
    /// (`_b` 1) or asked and left unanswered though required (`_b` 0);
    /// `_c` 1 where an answer was given anyway.
    NotAsked = 7,
}

impl Fact {
    pub fn from_code(c: i64) -> Option<Fact> {
        use Fact::*;
        [
            Indicator,
            Cell,
            Dimension,
            FailedGate,
            EvidenceText,
            EvidenceRows,
            RuleFailed,
            NotAsked,
        ]
        .into_iter()
        .find(|f| *f as i64 == c)
    }
}

/// The record of every item at every level (whatever `--level` says: the
/// reports choose what they show).
pub fn select(b: &mut Builder<'_>) -> Result<String, SqlError> {
    let fw = b.fw;
    let mut parts = Vec::new();
    let mut facts: Vec<Vec<(Row, Option<String>)>> = vec![Vec::new(); fw.levels.len()];
    for (i, ind) in fw.indicators.iter_enumerated() {
        for &l in &ind.levels {
            facts[l.index()].push((indicator(b, i, l), None));
            for (k, bd) in ind.by.iter().enumerate() {
                if bd.level > l {
                    parts.push(cells(b, i, k, l));
                }
            }
        }
    }
    for (k, dim) in fw.dimensions.iter_enumerated() {
        for &l in &dim.levels {
            let x = b.in_last(&format!("d{k}_{l}"), l);
            let mut r = Row::new(l, Fact::Dimension, k.index());
            r.x = Some(x.clone());
            r.unit = "r._k";
            facts[l.index()].push((r, None));
            for g in 0..dim.gates.len() {
                let mut r = Row::new(l, Fact::FailedGate, k.index());
                r.b = g.to_string();
                r.unit = "r._k";
                facts[l.index()].push((r, Some(x.col(&format!("gate{g}")))));
            }
        }
    }
    for (l, rows) in fw.levels.keys().zip(&facts) {
        if !rows.is_empty() {
            parts.push(level_facts(b, l, rows));
        }
    }
    for e in fw.evidence.keys() {
        parts.extend(evidence(b, e)?);
    }
    parts.extend(rules(b)?);
    parts.extend(not_asked(b));
    let cols = COLUMNS.join(", ");
    Ok(format!(
        "SELECT {cols} FROM (\n{}\n) AS record",
        parts.join("\nUNION ALL\n")
    ))
}

/// One SELECT's columns: which fact, where, and what it reads.
#[derive(Clone)]
struct Row {
    l: LevelId,
    q: Fact,
    i: usize,
    /// `_b`, `_c`, `u1`, `u2` as SQL (`NULL`: missing).
    b: String,
    c: String,
    u1: String,
    u2: String,
    /// The alias whose `v`, `s`, `n`, `cov`, `lo`, `hi`, `st` are read
    /// (none: all missing), and the unit key's column.
    x: Option<Ref>,
    unit: &'static str,
    /// The text of `v`, when it is not `x.v`.
    v: Option<String>,
    /// `s0` and `hw` as SQL, when the value is masked.
    s0: Option<String>,
    hw: Option<String>,
}

impl Row {
    fn new(l: LevelId, q: Fact, i: usize) -> Row {
        let z = || "0".to_string();
        let null = || "NULL".to_string();
        Row {
            l,
            q,
            i,
            b: z(),
            c: z(),
            u1: null(),
            u2: null(),
            x: None,
            unit: "x._k",
            v: None,
            s0: None,
            hw: None,
        }
    }

    fn sql(&self, b: &Builder<'_>) -> String {
        let cols: Vec<String> = (self.exprs(b).iter().zip(COLUMNS))
            .map(|(e, c)| format!("{e} AS {c}"))
            .collect();
        format!("SELECT {}", cols.join(", "))
    }

    /// The row's values, in the order of [`COLUMNS`].
    fn exprs(&self, b: &Builder<'_>) -> Vec<String> {
        let d = b.d;
        let big = |s: &str| match s {
            "NULL" => format!("CAST(NULL AS {})", d.bigint()),
            s => format!("CAST({s} AS {})", d.bigint()),
        };
        let num = b.null(Type::Number);
        let text = b.null(Type::Text);
        let of = |c: &str| self.x.as_ref().map(|x| x.col(c));
        let dim = self.q == Fact::Dimension;
        let v = match (&self.v, dim) {
            (Some(v), _) => v.clone(),
            (None, false) => of("v").map(|v| d.to_text(&v)).unwrap_or(text.clone()),
            (None, true) => text.clone(),
        };
        let n = match dim {
            false => of("n").map(|n| big(&n)).unwrap_or(big("NULL")),
            true => big("NULL"),
        };
        let interval = |c: &str| match dim {
            false => of(c).unwrap_or(num.clone()),
            true => num.clone(),
        };
        vec![
            self.l.to_string(),
            self.unit.to_string(),
            (self.q as i64).to_string(),
            self.i.to_string(),
            big(&self.b),
            big(&self.c),
            v,
            of("s").unwrap_or(num.clone()),
            n,
            of("cov").unwrap_or(num.clone()),
            interval("lo"),
            interval("hi"),
            of("st").unwrap_or(text.clone()),
            big(&self.u1),
            big(&self.u2),
            self.s0.clone().unwrap_or(text),
            big(self.hw.as_deref().unwrap_or("NULL")),
        ]
    }
}

/// The facts of level `l` read from its last chain CTE: its units crossed
/// with the facts' numbers, each column picking the fact's expression, and
/// only the rows where a fact's condition (if any) holds. One read of the
/// chain, where a SELECT per fact would have Spark copy it into each.
fn level_facts(b: &Builder<'_>, l: LevelId, rows: &[(Row, Option<String>)]) -> String {
    let exprs: Vec<Vec<String>> = rows.iter().map(|(r, _)| r.exprs(b)).collect();
    let pick = |each: &dyn Fn(usize) -> String| {
        let mut case = String::from("CASE t._it");
        for k in 0..rows.len() {
            case.push_str(&format!(" WHEN {k} THEN {}", each(k)));
        }
        case + " END"
    };
    let cols: Vec<String> = (COLUMNS.iter().enumerate())
        .map(|(c, name)| format!("{} AS {name}", pick(&|k| exprs[k][c].clone())))
        .collect();
    let numbers: Vec<String> = (0..rows.len())
        .map(|k| format!("SELECT {k} AS _it"))
        .collect();
    let keep = match rows.iter().any(|(_, k)| k.is_some()) {
        true => {
            let each = |k: usize| rows[k].1.clone().unwrap_or_else(|| "TRUE".into());
            format!(" WHERE {}", pick(&each))
        }
        false => String::new(),
    };
    format!(
        "SELECT {} FROM {} AS r CROSS JOIN ({}) AS t{keep}",
        cols.join(", "),
        b.last(l),
        numbers.join(" UNION ALL ")
    )
}

/// Indicator `i` at level `l`, read from the level's chain (see
/// [`level_facts`]).
fn indicator(b: &Builder<'_>, i: IndicatorId, l: LevelId) -> Row {
    let mut r = Row::new(l, Fact::Indicator, i.index());
    let x = b.in_last(&format!("i{i}_{l}"), l);
    let at = b.fw.indicators[i].at;
    if b.masked(i, l) {
        r.s0 = Some(x.col("st0"));
        if l == at {
            r.hw = Some(format!("CASE WHEN {} THEN 1 ELSE 0 END", x.col("hw")));
        }
    }
    if l != at {
        r.u1 = x.col("_u1");
        r.u2 = x.col("_u2");
    }
    r.x = Some(x);
    r.unit = "r._k";
    r
}

fn cells(b: &Builder<'_>, i: IndicatorId, k: usize, l: LevelId) -> String {
    let mut r = Row::new(l, Fact::Cell, i.index());
    r.x = Some(Ref::alias("x"));
    r.b = k.to_string();
    r.c = "x._c".into();
    r.u1 = "x.rows".into();
    let from_rows = l == b.fw.indicators[i].at
        || matches!(b.fw.indicators[i].rollup, crate::ir::Rollup::Pooled);
    if from_rows && b.masked(i, l) {
        r.s0 = Some("x.st0".into());
    }
    format!("{} FROM y{i}_{k}_{l} AS x", r.sql(b))
}

/// The texts of evidence `e` (rows that pass its filter, in row order, at
/// most `keep` per unit) and how many rows pass per unit.
fn evidence(b: &mut Builder<'_>, e: crate::ir::EvidenceId) -> Result<[String; 2], SqlError> {
    let fw = b.fw;
    let ev = &fw.evidence[e];
    let (at, cl) = (ev.at, b.plan.evidence_level[e]);
    let mut rel = b.rel(cl);
    let t = b.expr(&ev.collect, &mut rel)?;
    let pass = match &ev.filter {
        Some(f) => format!("COALESCE({}, FALSE)", b.expr(f, &mut rel)?),
        None => "TRUE".into(),
    };
    let up = match at == cl {
        true => "r._k".to_string(),
        false => format!("r._a{at}"),
    };
    let d = b.d;
    b.cte(
        &format!("ev{e}"),
        format!(
            "SELECT {up} AS _k, r._o AS _o, {} AS t, {pass} AS pass {} WHERE {up} IS NOT NULL",
            d.to_text(&t),
            rel.from()
        ),
    );
    let keep = ev
        .keep
        .map(|k| format!(" WHERE x.rn <= {k}"))
        .unwrap_or_default();
    let mut text = Row::new(at, Fact::EvidenceText, e.index());
    text.b = "x.rn".into();
    text.v = Some("x.t".into());
    let ranked = format!(
        "SELECT _k, t, ROW_NUMBER() OVER (PARTITION BY _k ORDER BY _o) AS rn FROM ev{e} WHERE pass AND t IS NOT NULL"
    );
    let mut counts = Row::new(at, Fact::EvidenceRows, e.index());
    counts.u1 = "x.rows".into();
    let (text, counts) = (text.sql(b), counts.sql(b));
    Ok([
        format!("{text} FROM ({ranked}) AS x{keep}"),
        format!(
            "{counts} FROM (SELECT _k, COUNT(*) AS rows FROM ev{e} WHERE pass GROUP BY _k) AS x"
        ),
    ])
}

/// The units where each rule fails, judged over the answers as they stand
/// when the in-memory runner judges it: after the conditioned questions
/// and the error rules written before it.
fn rules(b: &mut Builder<'_>) -> Result<Vec<String>, SqlError> {
    let fw = b.fw;
    let stages = b.stages();
    let mut k = b.plan.condition_layers.len();
    let mut out = Vec::new();
    for (r, rule) in fw.rules.iter().enumerate() {
        let sfx = match k == stages {
            true => String::new(),
            false => format!("_s{k}"),
        };
        let saved = std::mem::replace(&mut b.sfx, sfx);
        let mut rel = b.rel(rule.at);
        let check = b.expr(&rule.check, &mut rel);
        b.sfx = saved;
        let check = check?;
        let mut row = Row::new(rule.at, Fact::RuleFailed, r);
        row.unit = "r._k";
        let sel = row.sql(b);
        out.push(format!("{sel} {} WHERE ({check}) = FALSE", rel.from()));
        if rule.severity == RuleSeverity::Error {
            k += 1;
        }
    }
    Ok(out)
}

/// Where each conditioned question was not asked (and answered anyway),
/// or asked, required and left unanswered.
fn not_asked(b: &Builder<'_>) -> Vec<String> {
    let fw = b.fw;
    let stages = b.stages();
    let mut out = Vec::new();
    for (j, layer) in b.plan.condition_layers.iter().enumerate() {
        let after = match j + 1 == stages {
            true => String::new(),
            false => format!("_s{}", j + 1),
        };
        for &q in layer {
            let question = &fw.questions[q];
            if question.when.is_none() {
                continue;
            }
            let l = question.level;
            let unanswered = match question.required {
                true => format!(" OR (NOT t.na{q} AND r.q{q} IS NULL)"),
                false => String::new(),
            };
            let mut row = Row::new(l, Fact::NotAsked, q.index());
            row.unit = "r._k";
            row.b = format!("CASE WHEN t.na{q} THEN 1 ELSE 0 END");
            row.c = format!("CASE WHEN t.na{q} AND r.q{q} IS NOT NULL THEN 1 ELSE 0 END");
            let sel = row.sql(b);
            out.push(format!(
                "{sel} FROM b{l}_s{j} AS r JOIN b{l}{after} AS t ON t._k = r._k WHERE t.na{q}{unanswered}"
            ));
        }
    }
    out
}

/// The units of every level, in order, with their parents' keys and
/// display names: what `eval --db` knows of the data besides the record.
pub fn units(b: &Builder<'_>) -> String {
    let fw = b.fw;
    let text = b.null(Type::Text);
    let parts: Vec<String> = (fw.levels.keys())
        .filter(|l| b.ctes.contains_key(&format!("b{l}")))
        .map(|l| {
            let p = match fw.levels[l].parent {
                Some(_) => "r._p".to_string(),
                None => text.clone(),
            };
            let n = match fw.levels[l].name_column.is_some() && b.has_table(l) {
                true => "r._n".to_string(),
                false => text.clone(),
            };
            format!("SELECT {l} AS _l, r._k AS _u, {p} AS _p, {n} AS _n, r._o AS _o FROM b{l} AS r")
        })
        .collect();
    format!(
        "SELECT _l, _u, _p, _n FROM (\n{}\n) AS units ORDER BY _l, _o",
        parts.join("\nUNION ALL\n")
    )
}
