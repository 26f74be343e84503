//! A dimension at a unit: its facts, the table of its parts with their
//! peers, the chart of their scores, the cells of indicators broken down,
//! the evidence; and the portrait (indicators no dimension holds).
//!
//! In: a dimension, level and unit. Out: blocks. Columns that would be
//! empty everywhere (intervals, peers, statuses all `ok`, `n` of a single
//! record) are left out, and a status is written only where it is not
//! `ok`.

use super::B;
use crate::eval::Status;
use crate::ir::{
    ChildRef, DimensionId, Expr, ExprKind, Framework, IndicatorId, LevelId, RatingsId,
};
use crate::report::page::{self, Bar, Block, Cell};
use crate::report::{
    format_number, format_score, push_number, push_score, step_of, value_text, words,
};

/// The columns of a parts table, in order: item, value, n, interval,
/// score, peers, status.
const COLUMNS: usize = 7;

/// Rows of a parts table, then only the columns some row fills.
fn table<'a>(head: [&'a str; COLUMNS], rows: Vec<[Cell<'a>; COLUMNS]>) -> Block<'a> {
    let right = [false, true, true, true, true, true, false];
    // Item, value and score always stay.
    let keep: Vec<bool> = (0..COLUMNS)
        .map(|c| matches!(c, 0 | 1 | 4) || rows.iter().any(|r| !r[c].text.is_empty()))
        .collect();
    // The kept cells of every row in one list, made at its size.
    let kept = keep.iter().filter(|k| **k).count();
    let mut cells = Vec::with_capacity(kept * rows.len());
    for row in rows {
        for (c, k) in row.into_iter().zip(&keep) {
            if *k {
                cells.push(c);
            }
        }
    }
    Block::Table {
        head: (0..COLUMNS)
            .filter(|&c| keep[c])
            .map(|c| head[c].into())
            .collect(),
        right: (0..COLUMNS)
            .filter(|&c| keep[c])
            .map(|c| right[c])
            .collect(),
        cells,
    }
}

/// The value reads finer rows (an aggregate, directly or through a let
/// or another indicator): then its `n` says something.
pub(super) fn aggregates(fw: &Framework, e: &Expr, depth: u32) -> bool {
    let mut found = false;
    e.walk(&mut |x| match &x.kind {
        ExprKind::Agg(_) => found = true,
        ExprKind::Let(l) if depth < 64 => found |= aggregates(fw, &fw.lets[*l].expr, depth + 1),
        ExprKind::Indicator(i) if depth < 64 => {
            found |= aggregates(fw, &fw.indicators[*i].value, depth + 1)
        }
        _ => {}
    });
    found
}

/// An interval for people ("23,1 % – 63,7 %"), empty without one.
fn interval(ci: Option<(f64, f64)>, unit: Option<&str>, lang: &str) -> String {
    let Some((a, b)) = ci else {
        return String::new();
    };
    // Room for the whole text at once: grown number by number, it was
    // three allocations, and reports write one per row of every unit.
    let mut out = String::with_capacity(40);
    push_number(&mut out, a, unit, lang);
    out.push_str(" – ");
    push_number(&mut out, b, unit, lang);
    out
}

impl<'a> B<'a> {
    fn status_cell(&self, st: Status) -> Cell<'a> {
        match st {
            Status::Ok => Cell::plain(""),
            st => Cell::plain(words::status_short(st, self.cx.lang)),
        }
    }

    pub(super) fn dimension(
        &mut self,
        d: DimensionId,
        l: LevelId,
        u: usize,
        depth: u8,
        anchor: &str,
    ) {
        let cx = self.cx;
        let dim = &cx.fw.dimensions[d];
        let Some(lv) = cx.results.dimensions.get(&(d, l)) else {
            return;
        };
        self.out.push(Block::Heading(
            depth.min(6),
            self.dim_label(d).into(),
            page::slug(&format!("{anchor}-{}", dim.id)).into(),
        ));
        if let Some(desc) = dim.description.get(cx.lang, cx.fw.default_lang()) {
            self.out.push(Block::Para(desc.into()));
        }
        self.dim_facts(d, l, u);
        if lv.status[u] == Status::NotApplicable {
            return;
        }
        self.parts(d, l, u);
        for c in &dim.children {
            if let ChildRef::Indicator(i) = c.item {
                self.cells(i, l, u);
            }
        }
        for &e in &dim.evidence {
            self.quotes(e, l, u, None);
        }
        for c in &dim.children {
            if let ChildRef::Dimension(k) = c.item {
                self.dimension(k, l, u, depth + 1, anchor);
            }
        }
    }

    /// Score, rating, coverage, status (when not `ok`), conditions with
    /// whether each is met, and the dimension's benchmarks.
    fn dim_facts(&mut self, d: DimensionId, l: LevelId, u: usize) {
        let (cx, t, lang) = (self.cx, self.t, self.cx.lang);
        let (fw, dim) = (cx.fw, &cx.fw.dimensions[d]);
        let lv = &cx.results.dimensions[&(d, l)];
        let mut facts = Vec::new();
        if !lv.score[u].is_nan() {
            let mut score = String::with_capacity(16);
            push_score(&mut score, lv.score[u], lang);
            score.push_str(" / 100");
            facts.push((t.score.into(), score.into()));
        }
        if let Some(st) = step_of(fw, dim.rate, lv.rating[u]) {
            facts.push((t.rating.into(), self.label(&st.label, &st.id).into()));
        }
        if !lv.coverage[u].is_nan() {
            let c = format_number(lv.coverage[u], Some("%"), lang);
            facts.push((t.coverage.into(), c.into()));
        }
        if lv.status[u] != Status::Ok {
            facts.push((t.status.into(), words::status(lv.status[u], lang).into()));
        }
        if let Some(f) = lv.failed_gates.as_ref().map(|f| &f[u]) {
            let g: Vec<String> = (dim.gates.iter().enumerate())
                .map(|(k, g)| {
                    let met = if f.contains(&k) { t.failed } else { t.passed };
                    format!("{} — {met}", words::expr(fw, &g.expr, lang))
                })
                .collect();
            facts.push((t.gates.into(), g.join(" ; ").into()));
        }
        if let Some(peers) = self.peers(ChildRef::Dimension(d), l, u, false) {
            facts.push((t.peers.into(), self.stats_text(&peers, None).into()));
        }
        self.out.push(Block::Facts(facts));
    }

    /// "même territoire (5) : moyenne 55, médiane 52, de 30 à 71".
    fn stats_text(&self, peers: &super::Peers<'_>, unit: Option<&str>) -> String {
        let (t, lang, s) = (self.t, self.cx.lang, &peers.stats);
        let f = |out: &mut String, x: f64| match unit {
            Some(_) => push_number(out, x, unit, lang),
            None => push_score(out, x, lang),
        };
        let mut out = String::with_capacity(peers.words.len() + 64);
        peers.push_who(&mut out);
        for piece in [super::lex::colon(lang), t.mean, " "] {
            out.push_str(piece);
        }
        f(&mut out, s.mean);
        for piece in [", ", t.median, " "] {
            out.push_str(piece);
        }
        f(&mut out, s.median);
        out.push_str(", ");
        // The range's words place the two bounds ("de {a} à {b}").
        let mut rest = t.range;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            match rest[i..].get(..3) {
                Some("{a}") => f(&mut out, s.min),
                Some("{b}") => f(&mut out, s.max),
                _ => {
                    out.push('{');
                    rest = &rest[i + 1..];
                    continue;
                }
            }
            rest = &rest[i + 3..];
        }
        out.push_str(rest);
        out
    }

    /// "52 (30 – 71)": the peers' median and range, for a table cell.
    fn peer_cell(
        &self,
        item: ChildRef,
        l: LevelId,
        u: usize,
        unit: Option<&str>,
        value: bool,
    ) -> Cell<'a> {
        let lang = self.cx.lang;
        let applies = match item {
            ChildRef::Indicator(i) => self.cx.results.indicators[&(i, l)].status[u],
            ChildRef::Dimension(d) => self.cx.results.dimensions[&(d, l)].status[u],
        } != Status::NotApplicable;
        let Some(peers) = self.peers(item, l, u, value).filter(|_| applies) else {
            return Cell::plain("");
        };
        let f = |out: &mut String, x: f64| match value {
            true => push_number(out, x, unit, lang),
            false => push_score(out, x, lang),
        };
        let s = &peers.stats;
        let mut text = String::with_capacity(32);
        f(&mut text, s.median);
        text.push_str(" (");
        f(&mut text, s.min);
        text.push_str(" – ");
        f(&mut text, s.max);
        text.push(')');
        let mut c = Cell::plain(text);
        if self.tooltips {
            c.title = Some(self.stats_text(&peers, if value { unit.or(Some("")) } else { None }));
        }
        c
    }

    /// The table and chart of a dimension's parts.
    fn parts(&mut self, d: DimensionId, l: LevelId, u: usize) {
        let (cx, t) = (self.cx, self.t);
        let dim = &cx.fw.dimensions[d];
        let mut rows = Vec::with_capacity(dim.children.len());
        let mut bars = Vec::with_capacity(dim.children.len());
        for c in &dim.children {
            let row = match c.item {
                ChildRef::Indicator(i) => self.indicator_row(i, l, u),
                ChildRef::Dimension(k) => self.subdimension_row(k, l, u),
            };
            if let Some((row, bar)) = row {
                rows.push(row);
                bars.push(bar);
            }
        }
        let head = [
            t.item,
            t.value,
            "n",
            t.interval,
            t.score,
            t.peer_column,
            t.status,
        ];
        if !rows.is_empty() {
            self.out.push(table(head, rows));
        }
        if bars.len() >= 2 {
            self.out.push(Block::Bars {
                title: format!("{} — {}", t.parts, self.dim_label(d)).into(),
                bars,
                legend: Some(t.legend.into()),
            });
        }
    }

    fn indicator_row(
        &self,
        i: IndicatorId,
        l: LevelId,
        u: usize,
    ) -> Option<([Cell<'a>; COLUMNS], Bar<'a>)> {
        let (cx, t, lang) = (self.cx, self.t, self.cx.lang);
        let ind = &cx.fw.indicators[i];
        let x = cx.results.indicators.get(&(i, l))?;
        let label = self.label(&ind.label, &ind.id);
        let st = x.status[u];
        let shown = !matches!(st, Status::NotApplicable | Status::Suppressed);
        let unit = ind.unit.as_deref();
        let n = match (st, &x.units) {
            (Status::NotApplicable, _) => String::new(),
            (_, Some((a, b))) => format!("{} ({} / {} {})", x.n[u], a[u], b[u], t.units_reported),
            _ if !self.reads_rows[i] => String::new(),
            _ => x.n[u].to_string(),
        };
        let ci = interval(shown.then_some(x.ci[u]).flatten(), unit, lang);
        let score = if shown && st.scored() {
            x.score[u]
        } else {
            f64::NAN
        };
        let score_text = if score.is_nan() {
            String::new()
        } else {
            format_score(score, lang)
        };
        let numeric = matches!(x.value, crate::data::Column::Num(_)) && x.distribution.is_none();
        let item = ChildRef::Indicator(i);
        let bar = Bar {
            label: label.into(),
            score,
            shown: match score.is_nan() {
                true => words::status_short_of(x, u, lang).into(),
                false => self.rated_text(score, ind.rate, x.rating[u]).into(),
            },
            color: self.step_color(ind.rate, x.rating[u]),
            steps: self.step_bounds(ind.rate),
            peers: self
                .peers(item, l, u, false)
                .map(|p| (p.stats.min, p.stats.median, p.stats.max)),
        };
        let row = [
            Cell::plain(label),
            Cell::plain(value_text(cx, i, l, u)),
            Cell::plain(n),
            Cell::plain(ci),
            Cell::plain(score_text),
            self.peer_cell(item, l, u, unit, numeric),
            match st {
                Status::Ok => Cell::plain(""),
                _ => Cell::plain(words::status_short_of(x, u, lang)),
            },
        ];
        Some((row, bar))
    }

    /// A score with its rating's label: "63,3 · Affirmé".
    pub(super) fn rated_text(
        &self,
        score: f64,
        rate: Option<RatingsId>,
        step: Option<u16>,
    ) -> String {
        let mut s = String::with_capacity(32);
        push_score(&mut s, score, self.cx.lang);
        if let Some(st) = step_of(self.cx.fw, rate, step) {
            s.push_str(" · ");
            s.push_str(self.label(&st.label, &st.id));
        }
        s
    }

    fn subdimension_row(
        &self,
        k: DimensionId,
        l: LevelId,
        u: usize,
    ) -> Option<([Cell<'a>; COLUMNS], Bar<'a>)> {
        let (cx, lang) = (self.cx, self.cx.lang);
        let x = cx.results.dimensions.get(&(k, l))?;
        let label = self.dim_label(k);
        let sc = x.score[u];
        let bar = self.dim_bar(k, l, u, label.into(), true);
        let row = [
            Cell::strong(label),
            Cell::plain(""),
            Cell::plain(""),
            Cell::plain(""),
            Cell::strong(if sc.is_nan() {
                String::new()
            } else {
                format_score(sc, lang)
            }),
            self.peer_cell(ChildRef::Dimension(k), l, u, None, false),
            self.status_cell(x.status[u]),
        ];
        Some((row, bar))
    }

    /// An evidence's quotes at a unit, under `title` or its own label.
    fn quotes(&mut self, e: crate::ir::EvidenceId, l: LevelId, u: usize, title: Option<String>) {
        let cx = self.cx;
        let ev = &cx.fw.evidence[e];
        if ev.at != l {
            return;
        }
        if let Some(Some(q)) = cx.results.evidence.get(&e).and_then(|v| v.get(u))
            && !q.is_empty()
        {
            self.out.push(Block::Quotes {
                title: match title {
                    Some(t) => t.into(),
                    None => self.label(&ev.label, &ev.id).into(),
                },
                quotes: q.iter().map(|x| x.as_str().into()).collect(),
            });
        }
    }

    /// Indicators reported here that no dimension holds (the portrait),
    /// and evidence that no dimension shows.
    pub(super) fn portrait(&mut self, l: LevelId, u: usize) {
        let (cx, t) = (self.cx, self.t);
        let fw = cx.fw;
        let portrait: Vec<IndicatorId> = fw
            .indicators
            .keys()
            .filter(|&i| !self.in_dim[i] && cx.results.indicators.contains_key(&(i, l)))
            .collect();
        let rows: Vec<Vec<Cell<'a>>> = portrait
            .iter()
            .map(|&i| {
                let ind = &fw.indicators[i];
                let st = cx.results.indicators[&(i, l)].status[u];
                vec![
                    Cell::plain(self.label(&ind.label, &ind.id)),
                    Cell::plain(value_text(cx, i, l, u)),
                    self.status_cell(st),
                ]
            })
            .collect();
        if !rows.is_empty() {
            let anchor = format!("{}-portrait", self.anchor(l, u));
            self.out
                .push(Block::Heading(3, t.portrait.into(), anchor.into()));
            let any_status = rows.iter().any(|r| !r[2].text.is_empty());
            let (head, right, rows) = match any_status {
                true => (
                    vec![t.item.into(), t.value.into(), t.status.into()],
                    vec![false, true, false],
                    rows,
                ),
                false => (
                    vec![t.item.into(), t.value.into()],
                    vec![false, true],
                    rows.into_iter()
                        .map(|mut r| {
                            r.truncate(2);
                            r
                        })
                        .collect(),
                ),
            };
            self.out.push(Block::table(head, right, rows));
            for &i in &portrait {
                self.cells(i, l, u);
            }
        }
        for (e, ev) in fw.evidence.iter_enumerated() {
            if !fw.dimensions.iter().any(|d| d.evidence.contains(&e)) {
                let title = format!("{} — {}", t.evidence, self.label(&ev.label, &ev.id));
                self.quotes(e, l, u, Some(title));
            }
        }
    }

    /// Under an indicator with breakdowns: its cells at this unit, as a
    /// table and a chart of their scores grouped by breakdown.
    pub(super) fn cells(&mut self, i: IndicatorId, l: LevelId, u: usize) {
        let (cx, t, lang) = (self.cx, self.t, self.cx.lang);
        let fw = cx.fw;
        let ind = &fw.indicators[i];
        let Some(lv) = cx.results.indicators.get(&(i, l)) else {
            return;
        };
        let here: Vec<(usize, &crate::eval::Cells)> = (lv.by.iter().enumerate())
            .filter_map(|(b, c)| c.as_ref().map(|c| (b, c)))
            .collect();
        if here.is_empty() || lv.status[u] == Status::NotApplicable {
            return;
        }
        let name = self.label(&ind.label, &ind.id);
        let by: Vec<crate::ir::Breakdown> = here.iter().map(|(b, _)| ind.by[*b].clone()).collect();
        let said = words::broken_down(fw, &by, lang);
        self.out
            .push(Block::Para(format!("{name} — {said}").into()));
        let mut rows = Vec::new();
        let mut groups = Vec::new();
        for &(b, cells) in &here {
            let bd = &ind.by[b];
            let group = words::breakdown(fw, bd, lang);
            let mut bars = Vec::new();
            for k in crate::report::shown_cells(cells, u) {
                let (row, bar) = self.cell_row(
                    i,
                    cells,
                    cells.at(u, k),
                    &group,
                    words::cell(fw, bd, k, lang),
                );
                rows.push(row);
                bars.push(bar);
            }
            groups.push((group.into(), bars));
        }
        let head = [t.cell, t.value, "n", t.interval, t.score, "", t.status];
        self.out.push(table(head, rows));
        if groups
            .iter()
            .flat_map(|(_, b)| b)
            .any(|b| !b.score.is_nan())
        {
            self.out.push(Block::GroupedBars {
                title: format!("{} — {name}", t.score).into(),
                groups,
            });
        }
    }

    /// One cell of a breakdown: its table row and its bar.
    fn cell_row(
        &self,
        i: IndicatorId,
        cells: &crate::eval::Cells,
        j: usize,
        group: &str,
        label: String,
    ) -> ([Cell<'a>; COLUMNS], Bar<'a>) {
        let (cx, lang) = (self.cx, self.cx.lang);
        let ind = &cx.fw.indicators[i];
        let unit = ind.unit.as_deref();
        let x = &cells.lv;
        let st = x.status[j];
        let shown = !matches!(st, Status::NotApplicable | Status::Suppressed);
        let n = match st {
            Status::NotApplicable => String::new(),
            Status::Suppressed if x.n_is_value => String::new(),
            _ => x.n[j].to_string(),
        };
        let ci = interval(shown.then_some(x.ci[j]).flatten(), unit, lang);
        let score = if shown { x.score[j] } else { f64::NAN };
        let row_label = format!("{group}{}{label}", super::lex::colon(lang));
        let bar = Bar {
            label: label.into(),
            score,
            shown: match score.is_nan() {
                true => words::status_short_of(x, j, lang).into(),
                false => self.rated_text(score, ind.rate, x.rating[j]).into(),
            },
            color: self.step_color(ind.rate, x.rating[j]),
            steps: self.step_bounds(ind.rate),
            peers: None,
        };
        let row = [
            Cell::plain(row_label),
            Cell::plain(crate::report::value_text_at(cx, i, x, j)),
            Cell::plain(n),
            Cell::plain(ci),
            Cell::plain(if score.is_nan() {
                String::new()
            } else {
                format_score(score, lang)
            }),
            Cell::plain(""),
            match st {
                Status::Ok => Cell::plain(""),
                _ => Cell::plain(words::status_short_of(x, j, lang)),
            },
        ];
        (row, bar)
    }
}
