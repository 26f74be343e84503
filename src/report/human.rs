//! Human reports (`grille eval --format md|html`): what the results say,
//! unit by unit, in the chosen language.
//!
//! In: a report [`Context`] and the run's diagnostics. Out: [`Block`]s,
//! rendered by `page` as Markdown or HTML. For each reported unit,
//! coarsest level first: a comparison of its finer units (a territory
//! compares its enterprises), a radar of its top dimension scores, then
//! each dimension with score, rating, coverage, status in words and gates,
//! its indicators with values formatted by unit, n, interval and status,
//! a bar chart of its parts and the evidence quotes attached to it; last,
//! the portrait (context indicators).

use super::page::{self, Bar, Block, Cell};
use super::{Context, format_number, format_score, step_id, value_text, words};
use crate::diagnostic::Diag;
use crate::eval::Status;
use crate::ir::{ChildRef, DimensionId, LevelId};

struct T {
    report: &'static str,
    version: &'static str,
    engine: &'static str,
    data: &'static str,
    rows: &'static str,
    rejected: &'static str,
    diagnostics: &'static str,
    errors: &'static str,
    warnings: &'static str,
    none: &'static str,
    within: &'static str,
    comparison: &'static str,
    profile: &'static str,
    item: &'static str,
    value: &'static str,
    interval: &'static str,
    score: &'static str,
    rating: &'static str,
    coverage: &'static str,
    status: &'static str,
    gates: &'static str,
    passed: &'static str,
    failed: &'static str,
    parts: &'static str,
    portrait: &'static str,
    evidence: &'static str,
    units_reported: &'static str,
    contents: &'static str,
    cell: &'static str,
    published_by: &'static str,
}

const FR: T = T {
    report: "Rapport d'évaluation",
    version: "Version du référentiel",
    engine: "Moteur",
    data: "Données",
    rows: "lignes",
    rejected: "écartées",
    diagnostics: "Diagnostics",
    errors: "erreurs",
    warnings: "avertissements",
    none: "aucun",
    within: "dans",
    comparison: "Comparaison",
    profile: "Profil des dimensions",
    item: "Élément",
    value: "Valeur",
    interval: "Intervalle",
    score: "Note",
    rating: "Appréciation",
    coverage: "Couverture",
    status: "Statut",
    gates: "Conditions à remplir",
    passed: "remplie",
    failed: "non remplie",
    parts: "Notes des composantes",
    portrait: "Portrait",
    evidence: "Éléments qualitatifs",
    units_reported: "unités avec une valeur",
    cell: "Groupe",
    published_by: "Publié par",
    contents: "Sommaire",
};

const NL: T = T {
    report: "Evaluatierapport",
    version: "Versie van het kader",
    engine: "Motor",
    data: "Gegevens",
    rows: "rijen",
    rejected: "geweigerd",
    diagnostics: "Diagnostiek",
    errors: "fouten",
    warnings: "waarschuwingen",
    none: "geen",
    within: "in",
    comparison: "Vergelijking",
    profile: "Profiel van de dimensies",
    item: "Onderdeel",
    value: "Waarde",
    interval: "Interval",
    score: "Score",
    rating: "Beoordeling",
    coverage: "Dekking",
    status: "Status",
    gates: "Voorwaarden",
    passed: "voldaan",
    failed: "niet voldaan",
    parts: "Scores van de onderdelen",
    portrait: "Portret",
    evidence: "Kwalitatieve elementen",
    units_reported: "eenheden met een waarde",
    cell: "Groep",
    published_by: "Uitgegeven door",
    contents: "Inhoud",
};

const EN: T = T {
    report: "Evaluation report",
    version: "Framework version",
    engine: "Engine",
    data: "Data",
    rows: "rows",
    rejected: "rejected",
    diagnostics: "Diagnostics",
    errors: "errors",
    warnings: "warnings",
    none: "none",
    within: "in",
    comparison: "Comparison",
    profile: "Dimension profile",
    item: "Item",
    value: "Value",
    interval: "Interval",
    score: "Score",
    rating: "Rating",
    coverage: "Coverage",
    status: "Status",
    gates: "Must-pass conditions",
    passed: "passed",
    failed: "failed",
    parts: "Scores of the parts",
    portrait: "Portrait",
    evidence: "Qualitative evidence",
    units_reported: "units with a value",
    cell: "Group",
    published_by: "Published by",
    contents: "Contents",
};

fn t(lang: &str) -> &'static T {
    match lang {
        "fr" => &FR,
        "nl" => &NL,
        _ => &EN,
    }
}

/// The report as Markdown.
pub fn markdown(cx: &Context<'_>, diags: &[Diag]) -> String {
    page::markdown(&blocks(cx, diags))
}

/// The report as one self-contained HTML page.
pub fn html(cx: &Context<'_>, diags: &[Diag]) -> String {
    page::html(&title(cx), cx.lang, &blocks(cx, diags))
}

fn title(cx: &Context<'_>) -> String {
    let fw = cx.fw;
    let name = fw.title.get(cx.lang, fw.default_lang()).unwrap_or(&fw.id);
    format!("{} — {name}", t(cx.lang).report)
}

struct B<'a> {
    cx: &'a Context<'a>,
    t: &'static T,
    out: Vec<Block>,
    /// Units of each level under each unit of the coarser level.
    children: Vec<Vec<Vec<usize>>>,
    /// Indicators some dimension holds (the others form the portrait).
    in_dim: Vec<bool>,
}

fn blocks(cx: &Context<'_>, diags: &[Diag]) -> Vec<Block> {
    let fw = cx.fw;
    let t = t(cx.lang);
    let children = (0..fw.levels.len())
        .map(|l| {
            if l + 1 >= fw.levels.len() {
                return Vec::new();
            }
            let mut v = vec![Vec::new(); cx.ds.levels[l].len()];
            for (k, &p) in cx.ds.levels[l + 1].parent.iter().enumerate() {
                if let Some(x) = v.get_mut(p as usize) {
                    x.push(k);
                }
            }
            v
        })
        .collect();
    let mut in_dim = vec![false; fw.indicators.len()];
    for c in fw.dimensions.iter().flat_map(|d| d.children.iter()) {
        if let ChildRef::Indicator(i) = c.item {
            in_dim[i] = true;
        }
    }
    let mut b = B {
        cx,
        t,
        out: Vec::new(),
        children,
        in_dim,
    };
    b.out.push(Block::Heading(1, title(cx), "top".into()));
    if let Some(p) = fw.publisher.get(cx.lang, fw.default_lang()) {
        b.out.push(Block::Para(format!("{} {p}", t.published_by)));
    }
    if let Some(d) = fw.description.get(cx.lang, fw.default_lang()) {
        b.out.push(Block::Para(d.to_string()));
    }
    let mut facts = Vec::new();
    if let Some(v) = &fw.version {
        facts.push((t.version.to_string(), format!("{} {v}", fw.id)));
    }
    facts.push((t.engine.to_string(), crate::ENGINE.to_string()));
    for (level, r) in &cx.ds.reports {
        let mut v = format!("{} — {} {}", r.file, r.rows, t.rows);
        if !r.rejected.is_empty() {
            v.push_str(&format!(", {} {}", r.rejected.len(), t.rejected));
        }
        let name = fw
            .level_by_name(level)
            .map(|l| b.level_label(l).to_lowercase())
            .unwrap_or_else(|| level.clone());
        facts.push((format!("{} ({name})", t.data), v));
    }
    let (errors, warnings) = crate::diagnostic::counts(diags);
    facts.push((
        t.diagnostics.to_string(),
        if errors + warnings == 0 {
            t.none.to_string()
        } else {
            format!("{errors} {}, {warnings} {}", t.errors, t.warnings)
        },
    ));
    b.out.push(Block::Facts(facts));
    let groups = cx
        .levels()
        .into_iter()
        .map(|l| {
            let units = cx.ds.levels[l]
                .ids
                .iter()
                .map(|id| {
                    (
                        id.to_string(),
                        page::slug(&format!("{}-{id}", fw.levels[l].id)),
                    )
                })
                .collect();
            (b.level_label(l).to_string(), units)
        })
        .collect();
    b.out.push(Block::Nav {
        title: t.contents.to_string(),
        groups,
    });
    for l in cx.levels() {
        for u in 0..cx.ds.levels[l].len() {
            b.unit(l, u);
        }
    }
    b.out
}

impl B<'_> {
    fn label<'a>(&self, l: &'a crate::ir::Labels, id: &'a str) -> &'a str {
        l.get(self.cx.lang, self.cx.fw.default_lang()).unwrap_or(id)
    }

    fn level_label(&self, l: LevelId) -> &str {
        let lv = &self.cx.fw.levels[l];
        self.label(&lv.label, &lv.id)
    }

    /// Top dimensions reported at level `l`.
    fn tops(&self, l: LevelId) -> Vec<DimensionId> {
        (0..self.cx.fw.dimensions.len())
            .filter(|&d| {
                self.cx.fw.dimensions[d].top && self.cx.results.dimensions.contains_key(&(d, l))
            })
            .collect()
    }

    fn dim_score(&self, d: DimensionId, l: LevelId, u: usize) -> (f64, String) {
        match self.cx.results.dimensions.get(&(d, l)) {
            Some(x) if !x.score[u].is_nan() => {
                let r = step_id(self.cx.fw, self.cx.fw.dimensions[d].rate, x.rating[u]);
                let mut s = format_score(x.score[u], self.cx.lang);
                if let Some(r) = r {
                    s.push_str(&format!(
                        " · {}",
                        self.rating_label(self.cx.fw.dimensions[d].rate, &r)
                    ));
                }
                (x.score[u], s)
            }
            Some(x) => (
                f64::NAN,
                words::status(x.status[u], self.cx.lang).to_string(),
            ),
            None => (f64::NAN, "—".into()),
        }
    }

    /// The colour of a dimension's rating at a unit, if it has one.
    fn dim_color(&self, d: DimensionId, l: LevelId, u: usize) -> Option<String> {
        let fw = self.cx.fw;
        let step = self.cx.results.dimensions.get(&(d, l))?.rating[u]?;
        let r = &fw.ratings[fw.dimensions[d].rate?];
        Some(r.color(step as usize).to_string())
    }

    fn rating_label(&self, rate: Option<usize>, step: &str) -> String {
        rate.and_then(|r| self.cx.fw.ratings[r].steps.iter().find(|s| s.id == step))
            .map(|s| self.label(&s.label, &s.id).to_string())
            .unwrap_or_else(|| step.to_string())
    }

    fn unit(&mut self, l: LevelId, u: usize) {
        let cx = self.cx;
        let fw = cx.fw;
        let t = self.t;
        let id = cx.ds.levels[l].ids[u].to_string();
        let anchor = page::slug(&format!("{}-{id}", fw.levels[l].id));
        self.out.push(Block::Section(anchor.clone()));
        let mut head = format!("{} {id}", self.level_label(l));
        if let Some(n) = cx.ds.levels[l].name(u) {
            head.push_str(&format!(" — {n}"));
        }
        if let Some(p) = cx.parent(l, u) {
            head.push_str(&format!(
                " ({} {} {p})",
                t.within,
                self.level_label(l - 1).to_lowercase()
            ));
        }
        self.out.push(Block::Heading(2, head, anchor.clone()));
        let tops = self.tops(l);
        // A coarser unit compares the finer units it holds.
        let finer = l + 1;
        if cx.results.levels.contains(&finer) && cx.level.is_none_or(|x| x == l) {
            let kids = self.children[l].get(u).cloned().unwrap_or_default();
            let ftops = self.tops(finer);
            if !kids.is_empty() && !ftops.is_empty() {
                self.out.push(Block::Heading(
                    3,
                    format!("{} — {}", t.comparison, self.level_label(finer)),
                    format!("{anchor}-comparison"),
                ));
                let mut head = vec![self.level_label(finer).to_string()];
                head.extend(ftops.iter().map(|&d| {
                    self.label(&fw.dimensions[d].label, &fw.dimensions[d].id)
                        .to_string()
                }));
                let rows = kids
                    .iter()
                    .map(|&k| {
                        let mut r = vec![Cell::plain(cx.ds.levels[finer].ids[k].to_string())];
                        r.extend(ftops.iter().map(|&d| {
                            Cell::rated(self.dim_score(d, finer, k).1, self.dim_color(d, finer, k))
                        }));
                        r
                    })
                    .collect();
                let mut right = vec![false];
                right.extend(ftops.iter().map(|_| true));
                self.out.push(Block::Table { head, right, rows });
                for &d in &ftops {
                    let bars = kids
                        .iter()
                        .map(|&k| {
                            let (s, shown) = self.dim_score(d, finer, k);
                            Bar {
                                label: cx.ds.levels[finer].ids[k].to_string(),
                                score: s,
                                shown,
                            }
                        })
                        .collect();
                    self.out.push(Block::Bars {
                        title: format!(
                            "{} — {}",
                            self.label(&fw.dimensions[d].label, &fw.dimensions[d].id),
                            self.level_label(finer)
                        ),
                        bars,
                    });
                }
            }
        }
        if !tops.is_empty() {
            let axes: Vec<String> = tops
                .iter()
                .map(|&d| {
                    self.label(&fw.dimensions[d].label, &fw.dimensions[d].id)
                        .to_string()
                })
                .collect();
            let values: Vec<f64> = tops.iter().map(|&d| self.dim_score(d, l, u).0).collect();
            let shown: Vec<String> = values.iter().map(|v| format_score(*v, cx.lang)).collect();
            let title = format!("{} — {} {id}", t.profile, self.level_label(l));
            // A radar needs three axes; with fewer, bars say the same.
            if tops.len() >= 3 {
                self.out.push(Block::Radar {
                    title,
                    axes,
                    values,
                    shown,
                });
            } else {
                let bars = axes
                    .into_iter()
                    .zip(&tops)
                    .map(|(label, &d)| {
                        let (score, shown) = self.dim_score(d, l, u);
                        Bar {
                            label,
                            score,
                            shown,
                        }
                    })
                    .collect();
                self.out.push(Block::Bars { title, bars });
            }
        }
        for &d in &tops {
            self.dimension(d, l, u, 3, &anchor);
        }
        self.portrait(l, u);
        self.out.push(Block::EndSection);
    }

    fn dimension(&mut self, d: DimensionId, l: LevelId, u: usize, depth: u8, anchor: &str) {
        let cx = self.cx;
        let fw = cx.fw;
        let t = self.t;
        let lang = cx.lang;
        let dim = &fw.dimensions[d];
        let Some(lv) = cx.results.dimensions.get(&(d, l)) else {
            return;
        };
        self.out.push(Block::Heading(
            depth.min(6),
            self.label(&dim.label, &dim.id).to_string(),
            page::slug(&format!("{anchor}-{}", dim.id)),
        ));
        let st = lv.status[u];
        let mut facts = Vec::new();
        if !lv.score[u].is_nan() {
            facts.push((
                t.score.to_string(),
                format!("{} / 100", format_score(lv.score[u], lang)),
            ));
        }
        let failed = lv.failed_gates.as_ref().map(|f| &f[u]);
        if let Some(r) = step_id(fw, dim.rate, lv.rating[u]) {
            facts.push((t.rating.to_string(), self.rating_label(dim.rate, &r)));
        }
        if !lv.coverage[u].is_nan() {
            facts.push((
                t.coverage.to_string(),
                format_number(lv.coverage[u], Some("%"), lang),
            ));
        }
        facts.push((t.status.to_string(), words::status(st, lang).to_string()));
        if let Some(f) = failed {
            let g: Vec<String> = dim
                .gates
                .iter()
                .enumerate()
                .map(|(k, g)| {
                    format!(
                        "{} — {}",
                        words::expr(fw, &g.expr, lang),
                        if f.contains(&k) { t.failed } else { t.passed }
                    )
                })
                .collect();
            facts.push((t.gates.to_string(), g.join(" ; ")));
        }
        self.out.push(Block::Facts(facts));
        if st == Status::NotApplicable {
            return;
        }
        // Its parts.
        let head = [t.item, t.value, "n", t.interval, t.score, t.status]
            .map(str::to_string)
            .to_vec();
        let mut rows = Vec::new();
        let mut bars = Vec::new();
        for c in &dim.children {
            match c.item {
                ChildRef::Indicator(i) => {
                    let ind = &fw.indicators[i];
                    let Some(x) = cx.results.indicators.get(&(i, l)) else {
                        continue;
                    };
                    let label = self.label(&ind.label, &ind.id).to_string();
                    let ist = x.status[u];
                    let shown = !matches!(ist, Status::NotApplicable | Status::Suppressed);
                    let value = value_text(self.cx, i, l, u);
                    let n = if ist == Status::NotApplicable {
                        String::new()
                    } else {
                        let mut n = x.n[u].to_string();
                        if let Some((a, b)) = &x.units {
                            n = format!("{n} ({} / {} {})", a[u], b[u], t.units_reported);
                        }
                        n
                    };
                    let ci = match (shown, x.ci[u]) {
                        (true, Some((a, b))) => format!(
                            "{} – {}",
                            format_number(a, ind.unit.as_deref(), lang),
                            format_number(b, ind.unit.as_deref(), lang)
                        ),
                        _ => String::new(),
                    };
                    let score = if shown && !x.score[u].is_nan() {
                        format_score(x.score[u], lang)
                    } else {
                        String::new()
                    };
                    let sc = if shown && ist.scored() {
                        x.score[u]
                    } else {
                        f64::NAN
                    };
                    bars.push(Bar {
                        label: label.clone(),
                        score: sc,
                        shown: if sc.is_nan() {
                            words::status(ist, lang).to_string()
                        } else {
                            format_score(sc, lang)
                        },
                    });
                    rows.push(vec![
                        Cell::plain(label),
                        Cell::plain(value),
                        Cell::plain(n),
                        Cell::plain(ci),
                        Cell::plain(score),
                        Cell::plain(words::status(ist, lang)),
                    ]);
                }
                ChildRef::Dimension(k) => {
                    let sub = &fw.dimensions[k];
                    let Some(x) = cx.results.dimensions.get(&(k, l)) else {
                        continue;
                    };
                    let label = self.label(&sub.label, &sub.id).to_string();
                    let sc = x.score[u];
                    bars.push(Bar {
                        label: label.clone(),
                        score: sc,
                        shown: if sc.is_nan() {
                            words::status(x.status[u], lang).to_string()
                        } else {
                            format_score(sc, lang)
                        },
                    });
                    rows.push(vec![
                        Cell::strong(label),
                        Cell::plain(""),
                        Cell::plain(""),
                        Cell::plain(""),
                        Cell::strong(if sc.is_nan() {
                            String::new()
                        } else {
                            format_score(sc, lang)
                        }),
                        Cell::plain(words::status(x.status[u], lang)),
                    ]);
                }
            }
        }
        if !rows.is_empty() {
            self.out.push(Block::Table {
                head,
                right: vec![false, true, true, true, true, false],
                rows,
            });
        }
        if bars.len() >= 2 {
            self.out.push(Block::Bars {
                title: format!("{} — {}", t.parts, self.label(&dim.label, &dim.id)),
                bars,
            });
        }
        for c in &dim.children {
            if let ChildRef::Indicator(i) = c.item {
                self.cells(i, l, u);
            }
        }
        for &e in &dim.evidence {
            let ev = &fw.evidence[e];
            if ev.at != l {
                continue;
            }
            if let Some(Some(q)) = cx.results.evidence.get(&e).and_then(|v| v.get(u))
                && !q.is_empty()
            {
                self.out.push(Block::Quotes {
                    title: self.label(&ev.label, &ev.id).to_string(),
                    quotes: q.clone(),
                });
            }
        }
        for c in &dim.children {
            if let ChildRef::Dimension(k) = c.item {
                self.dimension(k, l, u, depth + 1, anchor);
            }
        }
    }

    /// Indicators reported here that no dimension holds (the portrait).
    fn portrait(&mut self, l: LevelId, u: usize) {
        let cx = self.cx;
        let fw = cx.fw;
        let t = self.t;
        let rows: Vec<Vec<Cell>> = (0..fw.indicators.len())
            .filter(|&i| !self.in_dim[i] && cx.results.indicators.contains_key(&(i, l)))
            .map(|i| {
                let ind = &fw.indicators[i];
                let st = cx.results.indicators[&(i, l)].status[u];
                vec![
                    Cell::plain(self.label(&ind.label, &ind.id)),
                    Cell::plain(value_text(self.cx, i, l, u)),
                    Cell::plain(if st == Status::Ok {
                        String::new()
                    } else {
                        words::status(st, cx.lang).to_string()
                    }),
                ]
            })
            .collect();
        if !rows.is_empty() {
            self.out.push(Block::Heading(
                3,
                t.portrait.to_string(),
                page::slug(&format!(
                    "{}-{}-portrait",
                    fw.levels[l].id, cx.ds.levels[l].ids[u]
                )),
            ));
            self.out.push(Block::Table {
                head: vec![t.item.into(), t.value.into(), t.status.into()],
                right: vec![false, true, false],
                rows,
            });
            for i in 0..fw.indicators.len() {
                if !self.in_dim[i] {
                    self.cells(i, l, u);
                }
            }
        }
        // Evidence that no dimension shows.
        for (e, ev) in fw.evidence.iter().enumerate() {
            if ev.at != l || fw.dimensions.iter().any(|d| d.evidence.contains(&e)) {
                continue;
            }
            if let Some(Some(q)) = cx.results.evidence.get(&e).and_then(|v| v.get(u))
                && !q.is_empty()
            {
                self.out.push(Block::Quotes {
                    title: format!("{} — {}", t.evidence, self.label(&ev.label, &ev.id)),
                    quotes: q.clone(),
                });
            }
        }
    }

    /// Under an indicator with breakdowns: its cells at this unit, as a
    /// table and a chart of their scores grouped by breakdown.
    fn cells(&mut self, i: usize, l: LevelId, u: usize) {
        let cx = self.cx;
        let (fw, t, lang) = (cx.fw, self.t, cx.lang);
        let ind = &fw.indicators[i];
        let Some(lv) = cx.results.indicators.get(&(i, l)) else {
            return;
        };
        let here: Vec<(usize, &crate::eval::Cells)> = lv
            .by
            .iter()
            .enumerate()
            .filter_map(|(b, c)| c.as_ref().map(|c| (b, c)))
            .collect();
        if here.is_empty() || lv.status[u] == Status::NotApplicable {
            return;
        }
        let name = self.label(&ind.label, &ind.id).to_string();
        let by: Vec<crate::ir::Breakdown> = here.iter().map(|(b, _)| ind.by[*b].clone()).collect();
        self.out.push(Block::Para(format!(
            "{name} — {}",
            words::broken_down(fw, &by, lang)
        )));
        let mut rows = Vec::new();
        let mut groups = Vec::new();
        for &(b, cells) in &here {
            let bd = &ind.by[b];
            let group = words::breakdown(fw, bd, lang);
            let mut bars = Vec::new();
            for k in super::shown_cells(cells, u) {
                let j = cells.at(u, k);
                let x = &cells.lv;
                let st = x.status[j];
                let shown = !matches!(st, Status::NotApplicable | Status::Suppressed);
                let n = match st {
                    Status::NotApplicable => String::new(),
                    Status::Suppressed if x.n_is_value => String::new(),
                    _ => x.n[j].to_string(),
                };
                let ci = match (shown, x.ci[j]) {
                    (true, Some((a, b))) => format!(
                        "{} – {}",
                        format_number(a, ind.unit.as_deref(), lang),
                        format_number(b, ind.unit.as_deref(), lang)
                    ),
                    _ => String::new(),
                };
                let score = if shown { x.score[j] } else { f64::NAN };
                let label = words::cell(fw, bd, k, lang);
                bars.push(Bar {
                    label: label.clone(),
                    score,
                    shown: match score.is_nan() {
                        true => words::status_of(x, j, lang).to_string(),
                        false => format_score(score, lang),
                    },
                });
                rows.push(vec![
                    Cell::plain(format!("{group} : {label}")),
                    Cell::plain(super::value_text_at(cx, i, x, j)),
                    Cell::plain(n),
                    Cell::plain(ci),
                    Cell::plain(if score.is_nan() {
                        String::new()
                    } else {
                        format_score(score, lang)
                    }),
                    Cell::plain(words::status_of(x, j, lang)),
                ]);
            }
            groups.push((group, bars));
        }
        let head = [t.cell, t.value, "n", t.interval, t.score, t.status]
            .map(str::to_string)
            .to_vec();
        self.out.push(Block::Table {
            head,
            right: vec![false, true, true, true, true, false],
            rows,
        });
        if groups
            .iter()
            .flat_map(|(_, b)| b)
            .any(|b| !b.score.is_nan())
        {
            self.out.push(Block::GroupedBars {
                title: format!("{} — {name}", t.score),
                groups,
            });
        }
    }
}
