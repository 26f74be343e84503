//! The query being built: its CTEs in order, and the units of each level.
//!
//! In: a framework, its plan and the options. Out: `b{l}` for every level
//! (the units in order, their ancestors' keys, their checked answers),
//! then whatever the items add, and the finished `WITH … SELECT` text.

use super::pass::{self, AggCol, Pass};
use super::{Dialect, Options, Order, SqlError};
use crate::eval::Plan;
use crate::ir::{Framework, IndicatorId, LevelId, QType, QuestionId, RuleSeverity};
use crate::source::Span;
use indexmap::IndexMap;
use std::collections::HashMap;

/// The FROM clause of an expression at one level: the level's row `r`
/// and the CTEs joined to it, with what the expression gathers on the way.
#[derive(Debug, Clone)]
pub struct Rel {
    pub level: LevelId,
    /// Alias → the join's text.
    pub joins: IndexMap<String, String>,
    /// Aliases of the aggregates met directly (not through a let): their
    /// n and passed rows give the value's n and coverage.
    pub stats: Vec<super::pass::AggCol>,
    /// Inside a let inlined at this level (its aggregates are not counted).
    pub in_let: u32,
    /// Rows count only under units of this level where this indicator applies.
    pub mask: Option<(LevelId, IndicatorId)>,
    /// The stage of the answers read: `_s{k}` before conditions and
    /// rules have all been applied, empty after.
    pub sfx: String,
    /// Values are computed per cell of breakdown `b` of indicator `i`
    /// (with `k` cells): `r` is crossed with the cells `c`, and
    /// aggregates group their rows by unit and cell.
    pub split: Option<Split>,
}

/// A breakdown as the query splits values by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub i: IndicatorId,
    pub b: usize,
    /// Options plus the missing cell.
    pub k: usize,
}

impl Rel {
    pub fn new(level: LevelId) -> Rel {
        Rel {
            level,
            joins: IndexMap::new(),
            stats: Vec::new(),
            in_let: 0,
            mask: None,
            sfx: String::new(),
            split: None,
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

    /// Joins the per-cell CTE `name`, keyed by unit of this level and cell.
    pub fn join_cell(&mut self, name: &str) -> String {
        self.joins.entry(name.to_string()).or_insert_with(|| {
            format!("LEFT JOIN {name} ON {name}._k = r._k AND {name}._c = c._c")
        });
        name.to_string()
    }

    /// `FROM b{l} AS r` (crossed with the cells when split) and the joins.
    pub fn from(&self) -> String {
        let mut s = format!("FROM b{}{} AS r", self.level, self.sfx);
        if let Some(sp) = self.split {
            s.push_str(&format!(" CROSS JOIN cells{} AS c", sp.k));
        }
        for j in self.joins.values() {
            s.push(' ');
            s.push_str(j);
        }
        s
    }
}

/// What one stage does to one level's units: the rel its new columns
/// read, and those columns (name, expression), replacing or added.
type Change = (LevelId, Rel, Vec<(String, String)>);

/// The query under construction.
pub struct Builder<'a> {
    pub fw: &'a Framework,
    pub plan: &'a Plan,
    pub opts: &'a Options,
    pub d: Dialect,
    pub ctes: IndexMap<String, String>,
    /// The passes among `ctes`, whose bodies are written at the end.
    pub passes: IndexMap<String, Pass>,
    /// Per CTE: the lowest generation of pass that may read it.
    pub need: HashMap<String, u32>,
    /// Each aggregate met, by what tells it apart, and where it is read.
    pub aggs: HashMap<String, AggCol>,
    /// Per kind of pass and generation: the one still taking members.
    pub open: HashMap<String, String>,
    /// The stage of the answers expressions read now (see [`Rel::sfx`]).
    pub sfx: String,
    /// Per level: the columns of its units' CTE.
    cols: crate::ir::List<LevelId, Vec<String>>,
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
            passes: IndexMap::new(),
            need: HashMap::new(),
            aggs: HashMap::new(),
            open: HashMap::new(),
            sfx: String::new(),
            cols: vec![Vec::new(); fw.levels.len()].into(),
        };
        b.refuse_unsupported()?;
        let stages = b.stages();
        if stages > 0 {
            b.sfx = "_s0".into();
        }
        for l in fw.levels.keys() {
            b.level(l)?;
        }
        b.settle(stages)?;
        Ok(b)
    }

    /// A rel at level `l` reading the answers of the current stage.
    pub fn rel(&self, l: LevelId) -> Rel {
        let mut r = Rel::new(l);
        r.sfx = self.sfx.clone();
        r
    }

    /// How many times the answers change before indicators read them: once
    /// per layer of conditioned questions, once per rule of severity error.
    pub(super) fn stages(&self) -> usize {
        let rules = self
            .fw
            .rules
            .iter()
            .filter(|r| r.severity == RuleSeverity::Error);
        self.plan.condition_layers.len() + rules.count()
    }

    /// Writes the stages: each rewrites the units' CTEs of every level,
    /// blanking answers not asked (and marking them `na{q}`), then those
    /// a failed error rule reads. The last stage is `b{l}`.
    fn settle(&mut self, stages: usize) -> Result<(), SqlError> {
        let fw = self.fw;
        let plan = self.plan;
        let mut k = 0;
        for layer in &plan.condition_layers {
            let mut changes: Vec<Change> = Vec::new();
            for &q in layer {
                let question = &fw.questions[q];
                let Some(w) = &question.when else { continue };
                let l = question.level;
                let pos = match changes.iter().position(|c| c.0 == l) {
                    Some(p) => p,
                    None => {
                        changes.push((l, self.rel(l), Vec::new()));
                        changes.len() - 1
                    }
                };
                let c = self.expr(w, &mut changes[pos].1)?;
                let na = format!("(({c}) IS NOT TRUE)");
                changes[pos].2.push((
                    format!("q{q}"),
                    format!("CASE WHEN {na} THEN NULL ELSE r.q{q} END"),
                ));
                changes[pos].2.push((format!("na{q}"), na));
            }
            k += 1;
            self.next_stage(k, stages, changes);
        }
        for (r, rule) in fw.rules.iter().enumerate() {
            if rule.severity != RuleSeverity::Error {
                continue;
            }
            let l = rule.at;
            let mut rel = self.rel(l);
            let check = self.expr(&rule.check, &mut rel)?;
            let blanked: Vec<(String, String)> = plan.rule_questions[r]
                .iter()
                .filter(|&&q| fw.questions[q].level == l)
                .map(|&q| {
                    (
                        format!("q{q}"),
                        format!("CASE WHEN ({check}) = FALSE THEN NULL ELSE r.q{q} END"),
                    )
                })
                .collect();
            k += 1;
            self.next_stage(k, stages, vec![(l, rel, blanked)]);
        }
        Ok(())
    }

    /// The units' CTEs of stage `k` (the last: `b{l}`), from stage `k - 1`
    /// with the columns `changes` gives per level replaced or added.
    fn next_stage(&mut self, k: usize, stages: usize, changes: Vec<Change>) {
        let sfx = if k == stages {
            String::new()
        } else {
            format!("_s{k}")
        };
        for l in self.fw.levels.keys() {
            let (from, cols) = match changes.iter().find(|c| c.0 == l) {
                Some((_, rel, cols)) => (rel.from(), cols.clone()),
                None => (format!("FROM b{l}{} AS r", self.sfx), Vec::new()),
            };
            let mut names = self.cols[l].clone();
            let mut select: Vec<String> = names
                .iter()
                .map(|n| match cols.iter().find(|(c, _)| c == n) {
                    Some((_, e)) => format!("{e} AS {n}"),
                    None => format!("r.{n}"),
                })
                .collect();
            for (c, e) in &cols {
                if !names.contains(c) {
                    names.push(c.clone());
                    select.push(format!("{e} AS {c}"));
                }
            }
            self.cols[l] = names;
            self.cte(
                &format!("b{l}{sfx}"),
                format!("SELECT {} {from}", select.join(", ")),
            );
        }
        self.sfx = sfx;
    }

    pub fn unsupported(&self, construct: impl Into<String>, span: Span) -> SqlError {
        SqlError::Unsupported {
            construct: construct.into(),
            dialect: self.d.name(),
            span,
        }
    }

    /// `cells{k}`: the cell numbers 0..k, and `k{i}_{b}`: each unit of the
    /// breakdown's level with its cell (an option in order, yes before
    /// no, the missing cell last). Returns the latter's name.
    pub fn cells(&mut self, sp: Split) -> Result<String, SqlError> {
        let cells: Vec<String> = (0..sp.k).map(|c| format!("SELECT {c} AS _c")).collect();
        self.cte(&format!("cells{}", sp.k), cells.join(" UNION ALL "));
        let name = format!("k{}_{}", sp.i, sp.b);
        if self.ctes.contains_key(&name) {
            return Ok(name);
        }
        let fw = self.fw;
        let bd = &fw.indicators[sp.i].by[sp.b];
        let mut rel = self.rel(bd.level);
        let (x, codes): (String, Vec<String>) = match bd.source {
            crate::ir::BySource::Question(q) => {
                let x = format!("r.q{q}");
                match &fw.questions[q].ty {
                    QType::Choice(o) => (x, o.iter().map(|o| self.d.str(&o.code)).collect()),
                    _ => (x, vec!["TRUE".into(), "FALSE".into()]),
                }
            }
            crate::ir::BySource::Let(l) => {
                let x = self.expr(&fw.lets[l].expr, &mut rel)?;
                (x, vec!["TRUE".into(), "FALSE".into()])
            }
        };
        let mut case = String::from("CASE");
        for (k, code) in codes.iter().enumerate() {
            case.push_str(&format!(" WHEN {x} = {code} THEN {k}"));
        }
        case.push_str(&format!(" ELSE {} END", sp.k - 1));
        self.cte(
            &name,
            format!("SELECT r._k AS _k, {case} AS _c {}", rel.from()),
        );
        Ok(name)
    }

    /// Adds a CTE (once).
    pub fn cte(&mut self, name: &str, body: String) {
        if self.ctes.contains_key(name) {
            return;
        }
        let need = self.need_of(&body);
        self.need.insert(name.to_string(), need);
        self.ctes.insert(name.to_string(), body);
    }

    /// The lowest generation of pass that may read what `sql` reads.
    pub fn need_of(&self, sql: &str) -> u32 {
        pass::names(sql)
            .filter_map(|n| self.need.get(n))
            .max()
            .copied()
            .unwrap_or(0)
    }

    /// `WITH …` and the final select, each CTE after those it reads.
    pub fn finish(&self, select: String) -> String {
        let bodies: Vec<(&str, String)> = self
            .ctes
            .iter()
            .map(|(name, body)| match self.passes.get(name) {
                Some(p) => (name.as_str(), p.body(self.d)),
                None => (name.as_str(), body.clone()),
            })
            .collect();
        let refs: Vec<(&str, &str)> = bodies.iter().map(|(n, b)| (*n, b.as_str())).collect();
        let mut s = String::from("WITH\n");
        let n = bodies.len();
        for (k, at) in pass::order(&refs).into_iter().enumerate() {
            let (name, body) = refs[at];
            s.push_str(&format!("{name} {} (\n  {body}\n)", self.d.cte()));
            s.push_str(if k + 1 < n { ",\n" } else { "\n" });
        }
        s.push_str(&select);
        s.push_str(";\n");
        s
    }

    /// Whether level `l` has a table: it has questions.
    pub fn has_table(&self, l: LevelId) -> bool {
        super::schema::has_table(self.fw, self.opts, l)
    }

    /// Constructs of the framework the compiler does not write yet, found
    /// before anything is built so that the error names the first one.
    fn refuse_unsupported(&self) -> Result<(), SqlError> {
        let fw = self.fw;
        if fw.min_group > 1 && self.opts.hidden.is_none() {
            let span = fw.levels.first().map(|l| l.span).unwrap_or_default();
            return Err(self.unsupported("`min_group` (disclosure control)", span));
        }
        for (l, level) in fw.levels.iter_enumerated() {
            let finer = fw
                .levels
                .iter_enumerated()
                .find(|(_, x)| x.parent == Some(l))
                .map(|(f, _)| f);
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
        if let Some(nc) = &lv.name_column {
            cols.push(format!("CAST({} AS {}) AS _n", d.ident(nc), d.text()));
        }
        for (q, question) in fw.questions.iter_enumerated() {
            if question.level == l {
                cols.push(format!("{} AS q{q}", self.answer(q)));
                // Whether the cell was empty, for the data report.
                let col = self.d.ident(&question.column);
                cols.push(format!("({col} IS NULL) AS z{q}"));
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
        let named = if lv.name_column.is_some() {
            ", s._n"
        } else {
            ""
        };
        let qcols: String = (fw.questions.keys())
            .filter(|&q| fw.questions[q].level == l)
            .map(|q| format!(", s.q{q}"))
            .collect();
        let body = match lv.parent {
            None => format!(
                "SELECT s._k, ROW_NUMBER() OVER (ORDER BY s._o0, s._k) AS _o{named}{qcols} FROM {src} AS s WHERE s._d = 1"
            ),
            Some(p) => {
                if !self.has_table(p) {
                    self.derived(p, &src);
                }
                let anc: String = (0..p.index()).map(|m| format!(", u._a{m}")).collect();
                format!(
                    "SELECT s._k, s._p, ROW_NUMBER() OVER (ORDER BY s._o0, s._k) AS _o, s._p AS _a{p}{anc}{named}{qcols} FROM {src} AS s JOIN b{p}{} AS u ON u._k = s._p WHERE s._d = 1",
                    self.sfx
                )
            }
        };
        let mut names = vec!["_k".to_string(), "_o".to_string()];
        if let Some(p) = lv.parent {
            names.push("_p".into());
            names.extend((0..=p.index()).map(|m| format!("_a{m}")));
        }
        if lv.name_column.is_some() {
            names.push("_n".into());
        }
        names.extend(
            (fw.questions.keys())
                .filter(|&q| fw.questions[q].level == l)
                .map(|q| format!("q{q}")),
        );
        self.cols[l] = names;
        self.cte(&format!("b{l}{}", self.sfx), body);
        Ok(())
    }

    /// `b{p}` for a level without questions: the parents named by the
    /// finer table `src`, in order of first appearance.
    fn derived(&mut self, p: LevelId, src: &str) {
        let body = format!(
            "SELECT _k, ROW_NUMBER() OVER (ORDER BY _o0, _k) AS _o FROM (SELECT _p AS _k, MIN(_o0) AS _o0 FROM {src} WHERE _d = 1 AND _p IS NOT NULL GROUP BY _p) AS t"
        );
        self.cols[p] = vec!["_k".into(), "_o".into()];
        self.cte(&format!("b{p}{}", self.sfx), body);
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
