//! The query being built: its CTEs in order, and the units of each level.
//!
//! In: a framework, its plan and the options. Out: `b{l}` for every level
//! (the units in order, their ancestors' keys, their checked answers),
//! then whatever the items add, and the finished `WITH … SELECT` text.

use super::{Dialect, Options, Order, SqlError};
use crate::eval::Plan;
use crate::ir::{Framework, LevelId, QType, QuestionId};
use crate::source::Span;
use indexmap::IndexMap;

/// The FROM clause of an expression at one level: the level's row `r`
/// and the CTEs joined to it, with what the expression gathers on the way.
#[derive(Debug, Clone)]
pub struct Rel {
    pub level: LevelId,
    /// Alias → the join's text.
    pub joins: IndexMap<String, String>,
    /// Aliases of the aggregates met directly (not through a let): their
    /// n and passed rows give the value's n and coverage.
    pub stats: Vec<(String, crate::ir::AggFunc)>,
    /// Inside a let inlined at this level (its aggregates are not counted).
    pub in_let: u32,
    /// Rows count only under units of this level where this indicator applies.
    pub mask: Option<(LevelId, usize)>,
}

impl Rel {
    pub fn new(level: LevelId) -> Rel {
        Rel {
            level,
            joins: IndexMap::new(),
            stats: Vec::new(),
            in_let: 0,
            mask: None,
        }
    }

    /// Joins CTE `name`, keyed by units of level `at` (this level or a
    /// coarser one), and returns its alias.
    pub fn join(&mut self, name: &str, at: LevelId) -> String {
        let on = if at == self.level {
            "r._k".to_string()
        } else {
            format!("r._a{at}")
        };
        self.joins
            .entry(name.to_string())
            .or_insert_with(|| format!("LEFT JOIN {name} ON {name}._k = {on}"));
        name.to_string()
    }

    /// `FROM b{l} AS r` and the joins.
    pub fn from(&self) -> String {
        let mut s = format!("FROM b{} AS r", self.level);
        for j in self.joins.values() {
            s.push(' ');
            s.push_str(j);
        }
        s
    }
}

/// The query under construction.
pub struct Builder<'a> {
    pub fw: &'a Framework,
    pub plan: &'a Plan,
    pub opts: &'a Options,
    pub d: Dialect,
    pub ctes: IndexMap<String, String>,
}

impl<'a> Builder<'a> {
    /// A builder with the units of every level written.
    pub fn new(
        fw: &'a Framework,
        plan: &'a Plan,
        opts: &'a Options,
    ) -> Result<Builder<'a>, SqlError> {
        let mut b = Builder {
            fw,
            plan,
            opts,
            d: opts.dialect,
            ctes: IndexMap::new(),
        };
        b.refuse_unsupported()?;
        for l in 0..fw.levels.len() {
            b.level(l)?;
        }
        Ok(b)
    }

    pub fn unsupported(&self, construct: impl Into<String>, span: Span) -> SqlError {
        SqlError::Unsupported {
            construct: construct.into(),
            dialect: self.d.name(),
            span,
        }
    }

    /// Adds a CTE (once).
    pub fn cte(&mut self, name: &str, body: String) {
        self.ctes.entry(name.to_string()).or_insert(body);
    }

    /// `WITH …` and the final select.
    pub fn finish(&self, select: String) -> String {
        let mut s = String::from("WITH\n");
        let n = self.ctes.len();
        for (k, (name, body)) in self.ctes.iter().enumerate() {
            s.push_str(&format!("{name} AS (\n  {body}\n)"));
            s.push_str(if k + 1 < n { ",\n" } else { "\n" });
        }
        s.push_str(&select);
        s.push_str(";\n");
        s
    }

    /// Whether level `l` has a table: it has questions.
    pub fn has_table(&self, l: LevelId) -> bool {
        self.fw.questions.iter().any(|q| q.level == l)
    }

    /// Constructs of the framework the compiler does not write yet, found
    /// before anything is built so that the error names the first one.
    fn refuse_unsupported(&self) -> Result<(), SqlError> {
        let fw = self.fw;
        if fw.min_group > 1 {
            let span = fw.levels.first().map(|l| l.span).unwrap_or_default();
            return Err(self.unsupported("`min_group` (disclosure control)", span));
        }
        for q in &fw.questions {
            if let Some(w) = &q.when {
                return Err(self.unsupported("a question asked only to some (`when`)", w.span));
            }
        }
        for r in &fw.rules {
            if r.severity == crate::ir::RuleSeverity::Error {
                return Err(self.unsupported("a data `rule` of severity error", r.check.span));
            }
        }
        for ind in &fw.indicators {
            if let Some(b) = ind.by.first() {
                return Err(self.unsupported("a breakdown (`by`)", b.span));
            }
            if matches!(ind.rollup, crate::ir::Rollup::Distribution) {
                return Err(self.unsupported("`rollup distribution`", ind.span));
            }
        }
        for (l, level) in fw.levels.iter().enumerate() {
            if !self.has_table(l) && level.parent.is_some() {
                return Err(
                    self.unsupported("a level without questions inside another level", level.span)
                );
            }
            let finer = fw.levels.iter().position(|x| x.parent == Some(l));
            if !self.has_table(l) && finer.is_none_or(|f| !self.has_table(f)) {
                return Err(self.unsupported(
                    "a level without questions whose finer level has none either",
                    level.span,
                ));
            }
        }
        Ok(())
    }

    /// `b{l}`: the units of level `l` with their ancestors' keys and answers.
    fn level(&mut self, l: LevelId) -> Result<(), SqlError> {
        if !self.has_table(l) {
            return Ok(());
        }
        let fw = self.fw;
        let lv = &fw.levels[l];
        let d = self.d;
        let key = d.ident(&lv.key);
        let order = match self.opts.order {
            Order::Key => format!("CAST({key} AS {})", d.text()),
            Order::Row => d.ident("_row"),
        };
        let mut cols = vec![
            format!("CAST({key} AS {}) AS _k", d.text()),
            format!("{order} AS _o0"),
            format!("ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {order}) AS _d"),
        ];
        if let Some(pc) = &lv.parent_column {
            cols.push(format!("CAST({} AS {}) AS _p", d.ident(pc), d.text()));
        }
        for (q, question) in fw.questions.iter().enumerate() {
            if question.level == l {
                cols.push(format!("{} AS q{q}", self.answer(q)));
            }
        }
        let table = d.table(&self.opts.table(fw, l));
        let src = format!("s{l}");
        self.cte(
            &src,
            format!(
                "SELECT {} FROM {table} WHERE {key} IS NOT NULL",
                cols.join(", ")
            ),
        );
        let qcols: String = (0..fw.questions.len())
            .filter(|&q| fw.questions[q].level == l)
            .map(|q| format!(", s.q{q}"))
            .collect();
        let body = match lv.parent {
            None => format!(
                "SELECT s._k, ROW_NUMBER() OVER (ORDER BY s._o0, s._k) AS _o{qcols} FROM {src} AS s WHERE s._d = 1"
            ),
            Some(p) => {
                if !self.has_table(p) {
                    self.derived(p, &src);
                }
                let anc: String = (0..p).map(|m| format!(", u._a{m}")).collect();
                format!(
                    "SELECT s._k, s._p, ROW_NUMBER() OVER (ORDER BY s._o0, s._k) AS _o, s._p AS _a{p}{anc}{qcols} FROM {src} AS s JOIN b{p} AS u ON u._k = s._p WHERE s._d = 1"
                )
            }
        };
        self.cte(&format!("b{l}"), body);
        Ok(())
    }

    /// `b{p}` for a level without questions: the parents named by the
    /// finer table `src`, in order of first appearance.
    fn derived(&mut self, p: LevelId, src: &str) {
        let body = format!(
            "SELECT _k, ROW_NUMBER() OVER (ORDER BY _o0, _k) AS _o FROM (SELECT _p AS _k, MIN(_o0) AS _o0 FROM {src} WHERE _d = 1 AND _p IS NOT NULL GROUP BY _p) AS t"
        );
        self.cte(&format!("b{p}"), body);
    }

    /// A question's column, typed and checked: a value outside its range
    /// or options is missing, as a bad cell is in memory.
    fn answer(&self, q: QuestionId) -> String {
        let d = self.d;
        let question = &self.fw.questions[q];
        let col = d.ident(&question.column);
        let num = format!("CAST({col} AS {})", d.double());
        let mut checks: Vec<String> = Vec::new();
        let value = match &question.ty {
            QType::Number | QType::Percent { .. } => {
                if let Some((lo, hi)) = question.range {
                    checks.push(format!("{num} >= {} AND {num} <= {}", d.num(lo), d.num(hi)));
                }
                if question.integer {
                    checks.push(format!("{num} = FLOOR({num})"));
                }
                num.clone()
            }
            QType::Scale { lo, hi, .. } => {
                checks.push(format!(
                    "{num} >= {} AND {num} <= {} AND {num} = FLOOR({num})",
                    d.num(*lo),
                    d.num(*hi)
                ));
                num.clone()
            }
            QType::YesNo => format!("CAST({col} AS BOOLEAN)"),
            QType::Choice(opts) => {
                let text = d.to_text(&col);
                let codes: Vec<String> = opts.iter().map(|o| d.str(&o.code)).collect();
                checks.push(format!("{text} IN ({})", codes.join(", ")));
                text
            }
            QType::Date => format!("CAST({col} AS DATE)"),
            QType::Multi(opts) => {
                // Valid when every code it holds is an option: as many
                // codes as options found (an empty text: none ticked).
                let text = d.to_text(&col);
                let codes = format!("(LENGTH({text}) - LENGTH(REPLACE({text}, ' ', '')) + 1)");
                let found: Vec<String> = opts
                    .iter()
                    .map(|o| format!("CASE WHEN {} THEN 1 ELSE 0 END", d.holds(&text, &o.code)))
                    .collect();
                checks.push(format!("({text} = '' OR {codes} = {})", found.join(" + ")));
                text
            }
            QType::Text => d.to_text(&col),
        };
        if checks.is_empty() {
            value
        } else {
            format!("CASE WHEN {} THEN {value} END", checks.join(" AND "))
        }
    }
}
