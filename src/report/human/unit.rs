//! One unit's section: heading, summary box, comparison of the finer
//! units it holds, profile of its top dimensions, then each dimension
//! and the portrait.
//!
//! In: a level and a unit. Out: blocks, between `Section` and
//! `EndSection` (a page group when printed).

use super::B;
use crate::eval::Status;
use crate::ir::{ChildRef, DimensionId, LevelId};
use crate::report::page::{Bar, Block, Cell, Text};
use crate::report::{format_score, words};

impl<'a> B<'a> {
    pub(super) fn unit(&mut self, l: LevelId, u: usize) {
        let anchor = self.anchor(l, u);
        self.out.push(Block::Section(anchor.clone().into()));
        self.out.push(Block::Heading(
            2,
            self.unit_heading(l, u).into(),
            anchor.clone().into(),
        ));
        self.summary(l, u);
        self.comparison(l, u, &anchor);
        self.profile(l, u);
        for d in self.tops(l) {
            self.dimension(d, l, u, 3, &anchor);
        }
        self.portrait(l, u);
        self.out.push(Block::EndSection);
    }

    /// The box a director reads first: strongest and weakest top
    /// dimensions, failed conditions, how many indicators are scored.
    fn summary(&mut self, l: LevelId, u: usize) {
        let (cx, t) = (self.cx, self.t);
        let fw = cx.fw;
        let mut scored: Vec<(f64, DimensionId)> = self
            .tops(l)
            .into_iter()
            .filter_map(|d| {
                let s = cx.results.dimensions[&(d, l)].score[u];
                (!s.is_nan()).then_some((s, d))
            })
            .collect();
        // Highest first; ties keep the order written.
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut facts: Vec<(Text<'a>, Text<'a>)> = Vec::new();
        let named = |d: DimensionId| {
            format!("{} — {}", self.dim_label(d), self.dim_score(d, l, u).1).into()
        };
        if let Some(&(_, d)) = scored.first() {
            facts.push((t.strongest.into(), named(d)));
        }
        if scored.len() >= 2 {
            facts.push((t.weakest.into(), named(scored[scored.len() - 1].1)));
        }
        let failed: Vec<String> = (fw.dimensions.keys())
            .filter_map(|d| {
                let x = cx.results.dimensions.get(&(d, l))?;
                let f = x.failed_gates.as_ref()?.get(u)?;
                let gates: Vec<String> = f
                    .iter()
                    .map(|&g| words::expr(fw, &fw.dimensions[d].gates[g].expr, cx.lang))
                    .collect();
                (!gates.is_empty()).then(|| {
                    format!(
                        "{}{}{}",
                        self.dim_label(d),
                        super::lex::colon(cx.lang),
                        gates.join(" ; ")
                    )
                })
            })
            .collect();
        if !failed.is_empty() {
            facts.push((t.failed_gates.into(), failed.join(" · ").into()));
        }
        let (mut applies, mut with_score) = (0, 0);
        for i in fw.indicators.keys().filter(|&i| self.in_dim[i]) {
            if let Some(x) = cx.results.indicators.get(&(i, l))
                && x.status[u] != Status::NotApplicable
            {
                applies += 1;
                with_score += usize::from(x.status[u].scored() && !x.score[u].is_nan());
            }
        }
        if applies > 0 {
            let of =
                t.of.replace("{a}", &with_score.to_string())
                    .replace("{b}", &applies.to_string());
            facts.push((t.scored.into(), of.into()));
        }
        if !facts.is_empty() {
            self.out.push(Block::Summary {
                title: t.summary.into(),
                facts,
            });
        }
    }

    /// A coarser unit compares the finer units it holds: a table of their
    /// top dimensions and a chart per dimension.
    fn comparison(&mut self, l: LevelId, u: usize, anchor: &str) {
        let (cx, t) = (self.cx, self.t);
        let fw = cx.fw;
        let finer = l + 1;
        if !cx.results.levels.contains(&finer) || cx.level.is_some_and(|x| x != l) {
            return;
        }
        let kids = self.children[l].get(u).cloned().unwrap_or_default();
        let ftops = self.tops(finer);
        if kids.is_empty() || ftops.is_empty() {
            return;
        }
        self.out.push(Block::Heading(
            3,
            format!("{} — {}", t.comparison, self.level_label(finer)).into(),
            format!("{anchor}-comparison").into(),
        ));
        let mut head: Vec<Text<'a>> = vec![self.level_label(finer).into()];
        head.extend(ftops.iter().map(|&d| Text::from(self.dim_label(d))));
        let rows = kids
            .iter()
            .map(|&k| {
                let mut r = vec![Cell::plain(self.unit_short(finer, k))];
                r.extend(ftops.iter().map(|&d| {
                    let color = self.step_color(
                        fw.dimensions[d].rate,
                        cx.results.dimensions[&(d, finer)].rating[k],
                    );
                    Cell::rated(self.dim_score(d, finer, k).1, color)
                }));
                r
            })
            .collect();
        let mut right = vec![false];
        right.extend(ftops.iter().map(|_| true));
        self.out.push(Block::table(head, right, rows));
        for &d in &ftops {
            let bars = kids
                .iter()
                .map(|&k| self.dim_bar(d, finer, k, self.unit_short(finer, k), false))
                .collect();
            self.out.push(Block::Bars {
                title: format!("{} — {}", self.dim_label(d), self.level_label(finer)).into(),
                bars,
                legend: None,
            });
        }
    }

    /// A dimension's bar at a unit: its score, rating colour, the scale's
    /// steps and, when asked, the unit's peers.
    pub(super) fn dim_bar(
        &self,
        d: DimensionId,
        l: LevelId,
        u: usize,
        label: Text<'a>,
        peers: bool,
    ) -> Bar<'a> {
        let cx = self.cx;
        let rate = cx.fw.dimensions[d].rate;
        let (score, shown) = self.dim_score(d, l, u);
        let x = &cx.results.dimensions[&(d, l)];
        Bar {
            label,
            score,
            shown,
            color: self.step_color(rate, x.rating[u]),
            steps: self.step_bounds(rate),
            peers: peers
                .then(|| self.peers(ChildRef::Dimension(d), l, u, false))
                .flatten()
                .map(|p| (p.stats.min, p.stats.median, p.stats.max)),
        }
    }

    /// The unit's top dimensions: a radar against the peers' medians from
    /// three dimensions on, bars below that.
    fn profile(&mut self, l: LevelId, u: usize) {
        let (cx, t) = (self.cx, self.t);
        let tops = self.tops(l);
        if tops.is_empty() {
            return;
        }
        let title = format!("{} — {}", t.profile, self.unit_short(l, u)).into();
        if tops.len() < 3 {
            let bars = tops
                .iter()
                .map(|&d| self.dim_bar(d, l, u, self.dim_label(d).into(), true))
                .collect();
            let legend = Some(t.legend.into());
            self.out.push(Block::Bars {
                title,
                bars,
                legend,
            });
            return;
        }
        let axes = tops.iter().map(|&d| self.dim_label(d).into()).collect();
        let values: Vec<f64> = tops.iter().map(|&d| self.dim_score(d, l, u).0).collect();
        let shown = (values.iter())
            .map(|v| format_score(*v, cx.lang).into())
            .collect();
        let peers: Vec<Option<super::Peers<'_>>> = tops
            .iter()
            .map(|&d| self.peers(ChildRef::Dimension(d), l, u, false))
            .collect();
        let reference = peers.iter().any(Option::is_some).then(|| {
            let name = peers.iter().flatten().next().map(|p| p.who());
            let medians = peers
                .iter()
                .map(|p| p.as_ref().map_or(f64::NAN, |p| p.stats.median))
                .collect();
            (
                format!("{} — {}", t.median, name.unwrap_or_default()).into(),
                medians,
            )
        });
        self.out.push(Block::Radar {
            title,
            axes,
            values,
            shown,
            reference,
        });
    }
}
