//! The opening of a report: its cover, the links to its units, and the
//! index page of a split report.
//!
//! In: the report context (framework title, publisher, round, date) and,
//! for a unit's own report, that unit. Out: blocks. The cover carries no
//! path and no engine version: those stay in the JSON result.

use super::{B, lex};
use crate::ir::LevelId;
use crate::report::page::{self, Block, Cell, Text};

impl<'a> B<'a> {
    /// The cover: title, the unit when the report is one unit's, the
    /// framework's description, then publisher, round, date and version.
    pub(super) fn cover(&mut self, unit: Option<(LevelId, usize)>) {
        let (cx, t) = (self.cx, self.t);
        let fw = cx.fw;
        let subtitle = unit.map(|(l, u)| self.unit_heading(l, u).into());
        let mut facts: Vec<(Text<'a>, Text<'a>)> = Vec::new();
        if let Some(p) = fw.publisher.get(cx.lang, fw.default_lang()) {
            facts.push((t.published_by.into(), p.into()));
        }
        if let Some(r) = cx.round {
            facts.push((t.round.into(), r.into()));
        }
        if let Some(d) = cx.date {
            facts.push((t.date.into(), lex::date(d, cx.lang).into()));
        }
        if let Some(v) = &fw.version {
            facts.push((t.version.into(), format!("{} {v}", fw.id).into()));
        }
        self.out.push(Block::Cover {
            title: super::title(cx).into(),
            subtitle,
            description: fw
                .description
                .get(cx.lang, fw.default_lang())
                .map(Into::into),
            facts,
        });
    }

    /// Links to every reported unit, by level (a whole report's contents).
    pub(super) fn nav(&mut self) {
        let cx = self.cx;
        let groups = cx
            .levels()
            .into_iter()
            .map(|l| {
                let units = (0..cx.ds.levels[l].len())
                    .map(|u| (self.unit_short(l, u), self.anchor(l, u).into()))
                    .collect();
                (self.level_label(l).into(), units)
            })
            .collect();
        self.out.push(Block::Nav {
            title: self.t.contents.into(),
            groups,
        });
    }

    /// The index of a split report: per level, a table linking each
    /// unit's file, with its name and its top dimensions' scores.
    pub(super) fn index(&mut self, stems: &[((LevelId, usize), String)], ext: &str) {
        let (cx, t) = (self.cx, self.t);
        self.out
            .push(Block::Heading(2, t.index.into(), "index".into()));
        for l in cx.levels() {
            let tops = self.tops(l);
            let units = &cx.ds.levels[l];
            let named = (0..units.len()).any(|u| units.name(u).is_some());
            let mut head: Vec<Text<'a>> = vec![self.level_label(l).into()];
            if named {
                head.push(t.name.into());
            }
            head.extend(tops.iter().map(|&d| Text::from(self.dim_label(d))));
            let rows = stems
                .iter()
                .filter(|((sl, _), _)| *sl == l)
                .map(|&((_, u), ref stem)| {
                    let id = cx.ds.levels[l].ids[u].to_string();
                    let mut r = vec![Cell::linked(id, format!("{stem}.{ext}"))];
                    if named {
                        r.push(Cell::plain(units.name(u).unwrap_or("")));
                    }
                    r.extend(tops.iter().map(|&d| {
                        let color =
                            cx.results.dimensions.get(&(d, l)).and_then(|x| {
                                self.step_color(cx.fw.dimensions[d].rate, x.rating[u])
                            });
                        Cell::rated(self.dim_score(d, l, u).1, color)
                    }));
                    r
                })
                .collect();
            let mut right = vec![false; head.len() - tops.len()];
            right.extend(tops.iter().map(|_| true));
            self.out.push(Block::Heading(
                3,
                self.level_label(l).into(),
                page::slug(&format!("index-{}", cx.fw.levels[l].id)).into(),
            ));
            self.out.push(Block::table(head, right, rows));
        }
    }
}
