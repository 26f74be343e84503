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
    /// The generation of this level's chain (`z{g}_{l}`) the rows are
    /// read from, 0 for the units themselves: the columns of every step
    /// of that generation or an earlier one are on `r`.
    pub zgen: u32,
}

/// Where the columns of a CTE or a step are read: `{qual}.{prefix}{col}`.
#[derive(Debug, Clone)]
pub struct Ref {
    qual: String,
    prefix: String,
    /// For an indicator's scores: the prefix of its value's step, which
    /// holds the columns the scores would only copy.
    value: Option<String>,
}

impl Ref {
    /// Column `c`.
    pub fn col(&self, c: &str) -> String {
        match &self.value {
            Some(v) if matches!(c, "_ap" | "v" | "n" | "cov" | "lo" | "hi" | "_u1" | "_u2") => {
                format!("{}.{v}{c}", self.qual)
            }
            _ => format!("{}.{}{c}", self.qual, self.prefix),
        }
    }
}

/// A per-unit CTE folded into its level's chain: one row per unit of the
/// level, its columns named after it (`{name}_{column}`).
#[derive(Debug, Clone)]
pub struct Step {
    pub level: LevelId,
    /// One more than the chain generation of anything it reads at its level.
    pub generation: u32,
    pub joins: IndexMap<String, String>,
    /// Select lists from the rows outwards (each may read the columns of
    /// the earlier ones by name), as (column, expression).
    pub layers: Vec<Vec<(String, String)>>,
    /// The columns later steps and the result read.
    pub exported: Vec<String>,
    /// The lowest generation of pass that may read it.
    pub need: u32,
    /// Per level, the highest chain generation it reads.
    pub zg: Vec<u32>,
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
            zgen: 0,
        }
    }

    /// The rows the rel starts from: the level's units, or its chain.
    pub fn base(&self) -> String {
        match self.zgen {
            0 => format!("b{}{}", self.level, self.sfx),
            g => format!("z{g}_{}", self.level),
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
        let mut s = format!("FROM {} AS r", self.base());
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
    /// The per-unit CTEs folded into chains, by the name they would have.
    pub steps: IndexMap<String, Step>,
    /// Per CTE outside the chains: the highest chain generation it reads
    /// at each level.
    pub zg: HashMap<String, Vec<u32>>,
    /// Grouped CTEs whose bodies are written at the end, by name.
    pub groups: IndexMap<String, Group>,
    /// Where each per-unit aggregate folded into a group is read: the
    /// group's name, by the name the aggregate would have had.
    pub grouped: HashMap<String, String>,
}

/// Aggregates of one level's rows (or chain) grouped at the same coarser
/// level: a rollup's "where it applies" and "how many" (`a{i}_{c}`) and
/// its value (`u{i}_{c}`), for every indicator rolled up there, in one
/// `GROUP BY` instead of one each. Spark copies a CTE into every place
/// that reads it: ninety CTEs reading the enterprises' chain made ninety
/// copies of it in the VISES statement.
#[derive(Debug, Clone)]
pub struct Group {
    pub base: String,
    /// The level the rows are grouped at.
    pub at: LevelId,
    pub joins: IndexMap<String, String>,
    pub cols: Vec<(String, String)>,
}

impl Group {
    fn body(&self) -> String {
        let at = self.at;
        let mut s = format!("SELECT r._a{at} AS _k");
        for (c, e) in &self.cols {
            s.push_str(&format!(", {e} AS {c}"));
        }
        s.push_str(&format!(" FROM {} AS r", self.base));
        for j in self.joins.values() {
            s.push(' ');
            s.push_str(j);
        }
        s.push_str(&format!(" WHERE r._a{at} IS NOT NULL GROUP BY r._a{at}"));
        s
    }
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
            steps: IndexMap::new(),
            zg: HashMap::new(),
            groups: IndexMap::new(),
            grouped: HashMap::new(),
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
        self.cell_numbers(sp.k);
        let name = format!("k{}_{}", sp.i, sp.b);
        if self.ctes.contains_key(&name) {
            return Ok(name);
        }
        let fw = self.fw;
        let bd = &fw.indicators[sp.i].by[sp.b];
        let mut rel = self.rel(bd.level);
        let case = match self.row_cell(sp) {
            Some(case) => case,
            None => {
                let crate::ir::BySource::Let(l) = bd.source else {
                    unreachable!("a question's cell is read on the row")
                };
                let x = self.expr(&fw.lets[l].expr, &mut rel)?;
                cell_case(&x, &["TRUE".into(), "FALSE".into()], sp.k)
            }
        };
        self.cte(
            &name,
            format!("SELECT r._k AS _k, {case} AS _c {}", rel.from()),
        );
        Ok(name)
    }

    /// `cells{k}`: the numbers of `k` cells, which split rels cross.
    pub fn cell_numbers(&mut self, k: usize) {
        let cells: Vec<String> = (0..k).map(|c| format!("SELECT {c} AS _c")).collect();
        self.cte(&format!("cells{k}"), cells.join(" UNION ALL "));
    }

    /// The cell of a row `r` of the breakdown's own level, read from the
    /// row itself when the breakdown is a question (a `let` may read other
    /// units, so its cells stay in `k{i}_{b}`).
    pub fn row_cell(&self, sp: Split) -> Option<String> {
        let fw = self.fw;
        let crate::ir::BySource::Question(q) = fw.indicators[sp.i].by[sp.b].source else {
            return None;
        };
        let codes: Vec<String> = match &fw.questions[q].ty {
            QType::Choice(o) => o.iter().map(|o| self.d.str(&o.code)).collect(),
            _ => vec!["TRUE".into(), "FALSE".into()],
        };
        Some(cell_case(&format!("r.q{q}"), &codes, sp.k))
    }

    /// The cell of each row of `rel`, as an expression on the row. Rows of
    /// the breakdown's own level carry their cell; joining `k{i}_{b}` back
    /// to the same rows by key made PostgreSQL sort and merge every row
    /// with itself (spilled to disk at 100,000 rows). Coarser units look
    /// their cell up in `k{i}_{b}`.
    pub fn cell_of(&mut self, sp: Split, rel: &mut Rel) -> Result<String, SqlError> {
        let bl = self.fw.indicators[sp.i].by[sp.b].level;
        if rel.level == bl
            && rel.sfx.is_empty()
            && let Some(case) = self.row_cell(sp)
        {
            self.cell_numbers(sp.k);
            return Ok(case);
        }
        let kc = self.cells(sp)?;
        Ok(format!("{}._c", rel.join(&kc, bl)))
    }

    /// Adds a CTE (once).
    pub fn cte(&mut self, name: &str, body: String) {
        if self.ctes.contains_key(name) {
            return;
        }
        let need = self.need_of(&body);
        self.need.insert(name.to_string(), need);
        let zg = self.zg_of(&body);
        self.zg.insert(name.to_string(), zg);
        self.ctes.insert(name.to_string(), body);
    }

    /// The lowest generation of pass that may read what `sql` reads.
    pub fn need_of(&self, sql: &str) -> u32 {
        pass::names(sql)
            .map(|n| match chain_name(n) {
                Some((g, l)) => self.chain_to(l, g).map(|s| s.need).max().unwrap_or(0),
                None => self.need.get(n).copied().unwrap_or(0),
            })
            .max()
            .unwrap_or(0)
    }

    /// Per level, the highest chain generation `sql` reads.
    pub fn zg_of(&self, sql: &str) -> Vec<u32> {
        let mut out = vec![0; self.fw.levels.len()];
        let mut add = |zg: &[u32]| {
            for (o, z) in out.iter_mut().zip(zg) {
                *o = (*o).max(*z);
            }
        };
        for n in pass::names(sql) {
            match chain_name(n) {
                Some((g, l)) => {
                    for s in self.chain_to(l, g) {
                        add(&s.zg);
                    }
                    let mut own = vec![0; self.fw.levels.len()];
                    own[l.index()] = g;
                    add(&own);
                }
                None => {
                    if let Some(zg) = self.zg.get(n) {
                        add(zg);
                    }
                }
            }
        }
        out
    }

    /// The steps of level `l`'s chain up to generation `g`.
    fn chain_to(&self, l: LevelId, g: u32) -> impl Iterator<Item = &Step> {
        self.steps
            .values()
            .filter(move |s| s.level == l && s.generation <= g)
    }

    /// Reads CTE or step `name`, keyed by units of level `at` (the rel's
    /// or a coarser one): a step of the rel's own level from the rel's
    /// rows (moving them along its chain), anything else joined.
    pub fn read(&self, rel: &mut Rel, name: &str, at: LevelId) -> Ref {
        let value = name
            .strip_prefix('i')
            .map(|rest| format!("v{rest}"))
            .filter(|v| self.steps.contains_key(v))
            .map(|v| format!("{v}_"));
        if let Some(g) = self.grouped.get(name) {
            let qual = rel.join(g, at);
            let prefix = format!("{name}_");
            return Ref {
                qual,
                prefix,
                value: None,
            };
        }
        let Some(st) = self.steps.get(name) else {
            let qual = rel.join(name, at);
            let prefix = String::new();
            return Ref {
                qual,
                prefix,
                value: None,
            };
        };
        let prefix = format!("{name}_");
        if at == rel.level && rel.sfx.is_empty() {
            rel.zgen = rel.zgen.max(st.generation);
            let qual = "r".to_string();
            return Ref {
                qual,
                prefix,
                value,
            };
        }
        let qual = rel.join(&format!("z{}_{at}", st.generation), at);
        Ref {
            qual,
            prefix,
            value,
        }
    }

    /// Folds a per-unit CTE into level `rel.level`'s chain, one generation
    /// after whatever it reads there. `layers` name their columns with
    /// the prefix `{name}_`; `exported` (unprefixed) are kept for readers.
    pub fn step(
        &mut self,
        name: &str,
        rel: &Rel,
        layers: Vec<Vec<(String, String)>>,
        exported: &[&str],
    ) {
        let l = rel.level;
        let mut read = rel.from();
        for (_, e) in layers.iter().flatten() {
            read.push(' ');
            read.push_str(e);
        }
        let mut zg = self.zg_of(&read);
        let generation = zg[l.index()] + 1;
        zg[l.index()] = generation;
        let step = Step {
            level: l,
            generation,
            joins: rel.joins.clone(),
            layers,
            exported: exported.iter().map(|c| format!("{name}_{c}")).collect(),
            need: self.need_of(&read),
            zg,
        };
        self.steps.insert(name.to_string(), step);
    }

    /// The chains' CTEs `z{g}_{l}`: each generation's steps computed over
    /// the one before (the units for the first), keeping the columns
    /// readers need.
    fn chains(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for l in self.fw.levels.keys() {
            let mut carried = self.cols[l].clone();
            let last = self
                .chain_to(l, u32::MAX)
                .map(|s| s.generation)
                .max()
                .unwrap_or(0);
            for g in 1..=last {
                let steps: Vec<&Step> = self.chain_to(l, g).filter(|s| s.generation == g).collect();
                out.push((format!("z{g}_{l}"), chain_body(l, g, &steps, &carried)));
                carried.extend(steps.iter().flat_map(|s| s.exported.iter().cloned()));
            }
        }
        out
    }

    /// Adds the aggregates `cols` (named without prefix) of `name`, over
    /// `rel`'s rows grouped at the coarser level `at`, to the group of
    /// those rows that reads the same generations of passes and chains
    /// (so that no group reads a CTE that reads it).
    pub fn group(&mut self, name: &str, rel: &Rel, at: LevelId, cols: Vec<(String, String)>) {
        let mut read = rel.from();
        for (_, e) in &cols {
            read.push(' ');
            read.push_str(e);
        }
        let need = self.need_of(&read);
        let (zg, chains) = self.chains_read(&read);
        // The rows themselves: the units, or a generation of their chain.
        let rows = format!("g{}r{}_{at}_n{need}{chains}", rel.level, rel.zgen);
        let mut key = rows.clone();
        let mut k = 0;
        while self
            .groups
            .get(&key)
            .is_some_and(|g| g.cols.len() >= 4 * pass::MAX_MEMBERS)
        {
            k += 1;
            key = format!("{rows}_{k}");
        }
        if !self.groups.contains_key(&key) {
            self.ctes.insert(key.clone(), String::new());
            self.need.insert(key.clone(), need);
            self.zg.insert(key.clone(), zg);
            let group = Group {
                base: rel.base(),
                at,
                joins: IndexMap::new(),
                cols: Vec::new(),
            };
            self.groups.insert(key.clone(), group);
        }
        let g = &mut self.groups[&key];
        for (a, j) in &rel.joins {
            g.joins.entry(a.clone()).or_insert_with(|| j.clone());
        }
        g.cols
            .extend(cols.into_iter().map(|(c, e)| (format!("{name}_{c}"), e)));
        self.grouped.insert(name.to_string(), key);
    }

    /// Per level, the chain generation `sql` reads, and the same as part
    /// of a CTE's name: CTEs that fold several readers in keep apart the
    /// readers of different generations, since one made before a later
    /// generation existed may be read by a step of that generation.
    pub fn chains_read(&self, sql: &str) -> (Vec<u32>, String) {
        let zg = self.zg_of(sql);
        let key = (zg.iter().enumerate())
            .filter(|(_, g)| **g > 0)
            .map(|(l, g)| format!("_z{l}x{g}"))
            .collect();
        (zg, key)
    }

    /// How many columns the last CTE of level `l`'s chain holds.
    pub fn width(&self, l: LevelId) -> usize {
        let exported: usize = self.chain_to(l, u32::MAX).map(|s| s.exported.len()).sum();
        self.cols[l].len() + exported
    }

    /// The last CTE of level `l`'s chain: its units with every step.
    pub fn last(&self, l: LevelId) -> String {
        match self.chain_to(l, u32::MAX).map(|s| s.generation).max() {
            Some(g) => format!("z{g}_{l}"),
            None => format!("b{l}"),
        }
    }

    /// `WITH …` and the final select, each CTE after those it reads.
    pub fn finish(&self, select: String) -> String {
        self.statement(select).text()
    }

    /// The statement as its parts: every CTE, each after those it reads,
    /// and the final `select`.
    pub fn statement(&self, select: String) -> super::Statement {
        let chains = self.chains();
        let bodies: Vec<(&str, String)> = self
            .ctes
            .iter()
            .map(
                |(name, body)| match (self.passes.get(name), self.groups.get(name)) {
                    (Some(p), _) => (name.as_str(), p.body(self.d)),
                    (_, Some(g)) => (name.as_str(), g.body()),
                    _ => (name.as_str(), body.clone()),
                },
            )
            .chain(chains.iter().map(|(n, b)| (n.as_str(), b.clone())))
            .collect();
        let refs: Vec<(&str, &str)> = bodies.iter().map(|(n, b)| (*n, b.as_str())).collect();
        let ctes = pass::order(&refs)
            .into_iter()
            .map(|at| (refs[at].0.to_string(), refs[at].1.to_string()))
            .collect();
        super::Statement {
            ctes,
            select,
            dialect: self.d,
        }
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

/// `z{g}_{l}` read back as (generation, level).
fn chain_name(n: &str) -> Option<(u32, LevelId)> {
    let (g, l) = n.strip_prefix('z')?.split_once('_')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(g) || !digits(l) {
        return None;
    }
    Some((g.parse().ok()?, LevelId::from(l.parse::<usize>().ok()?)))
}

/// Generation `g` of level `l`'s chain: the one before (`carried`, its
/// columns) with the columns of `steps` added, layer by layer.
fn chain_body(l: LevelId, g: u32, steps: &[&Step], carried: &[String]) -> String {
    let before = match g {
        1 => format!("b{l}"),
        _ => format!("z{}_{l}", g - 1),
    };
    let depth = steps.iter().map(|s| s.layers.len()).max().unwrap_or(0);
    let mut q = String::new();
    for k in 0..depth {
        let cols = steps
            .iter()
            .filter_map(|s| s.layers.get(k))
            .flatten()
            .map(|(c, e)| format!("{e} AS {c}"));
        let all = match k {
            0 => "r.*".to_string(),
            _ => format!("t{k}.*"),
        };
        let list = std::iter::once(all).chain(cols).collect::<Vec<_>>();
        q = match k {
            0 => {
                let mut from = format!("SELECT {} FROM {before} AS r", list.join(", "));
                let mut seen = std::collections::HashSet::new();
                for (a, j) in steps.iter().flat_map(|s| s.joins.iter()) {
                    if seen.insert(a) {
                        from.push(' ');
                        from.push_str(j);
                    }
                }
                from
            }
            _ => format!("SELECT {} FROM ({q}) AS t{k}", list.join(", ")),
        };
    }
    if depth == 0 {
        return format!("SELECT r.* FROM {before} AS r");
    }
    // What a step computes on the way stays here; the chain goes on with
    // its own columns and each step's exported ones.
    let keep: Vec<&str> = carried
        .iter()
        .chain(steps.iter().flat_map(|s| s.exported.iter()))
        .map(String::as_str)
        .collect();
    format!("SELECT {} FROM ({q}) AS t", keep.join(", "))
}

/// The body of a per-unit CTE kept apart from the chains: `keys` and the
/// layers over `from`, keeping `keys` and `exported`.
fn nested(
    from: &str,
    keys: &[(&str, &str)],
    layers: &[Vec<(String, String)>],
    exported: &[&str],
) -> String {
    let mut q = String::new();
    for (k, layer) in layers.iter().enumerate() {
        let cols = layer.iter().map(|(c, e)| format!("{e} AS {c}"));
        q = match k {
            0 => {
                let keys = keys.iter().map(|(e, k)| format!("{e} AS {k}"));
                let list: Vec<String> = keys.chain(cols).collect();
                format!("SELECT {} {from}", list.join(", "))
            }
            _ => {
                let list: Vec<String> = std::iter::once(format!("t{k}.*")).chain(cols).collect();
                format!("SELECT {} FROM ({q}) AS t{k}", list.join(", "))
            }
        };
    }
    let keep: Vec<&str> = keys
        .iter()
        .map(|(_, k)| *k)
        .chain(exported.iter().copied())
        .collect();
    format!("SELECT {} FROM ({q}) AS t", keep.join(", "))
}

impl Builder<'_> {
    /// The prefix of the columns of per-unit CTE `name` read at `rel`:
    /// `{name}_` when it goes into the chain, none when kept apart.
    pub fn prefix(&self, name: &str, rel: &Rel) -> String {
        match fused(rel) {
            true => format!("{name}_"),
            false => String::new(),
        }
    }

    /// Adds per-unit CTE `name` (one row per unit of `rel`'s level, per
    /// cell when split): into its level's chain when it can go there,
    /// else as a CTE of its own keyed by `_k` (and `_c`).
    pub fn unit(
        &mut self,
        name: &str,
        rel: Rel,
        layers: Vec<Vec<(String, String)>>,
        exported: &[&str],
    ) {
        if fused(&rel) {
            return self.step(name, &rel, layers, exported);
        }
        let keys: &[(&str, &str)] = match rel.split {
            Some(_) => &[("r._k", "_k"), ("c._c", "_c")],
            None => &[("r._k", "_k")],
        };
        let body = nested(&rel.from(), keys, &layers, exported);
        self.cte(name, body);
    }
}

/// Whether a per-unit CTE read at `rel` goes into its level's chain: not
/// split by cells, and reading the answers as indicators see them.
fn fused(rel: &Rel) -> bool {
    rel.split.is_none() && rel.sfx.is_empty()
}

impl Ref {
    /// The columns of CTE or alias `a`, as they are named there.
    pub fn alias(a: &str) -> Ref {
        Ref {
            qual: a.to_string(),
            prefix: String::new(),
            value: None,
        }
    }
}

impl Builder<'_> {
    /// Reads step `name` of level `l` as `r`, a row of the level's last
    /// chain CTE ([`Builder::last`]).
    pub fn in_last(&self, name: &str, l: LevelId) -> Ref {
        self.read(&mut Rel::new(l), name, l)
    }
}

/// `CASE` giving the cell of value `x`: the index of the first code it
/// equals, else the last cell (missing).
fn cell_case(x: &str, codes: &[String], k: usize) -> String {
    let mut case = String::from("CASE");
    for (c, code) in codes.iter().enumerate() {
        case.push_str(&format!(" WHEN {x} = {code} THEN {c}"));
    }
    case.push_str(&format!(" ELSE {} END", k - 1));
    case
}
