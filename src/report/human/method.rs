//! The method page closing a report, in the report's language: how
//! values become scores (with one of the unit's own numbers), how
//! dimensions combine them, what the statuses mean, the privacy rule and
//! the data sources by file name.
//!
//! In: the report context and, when there is one, the unit whose numbers
//! illustrate the rules. Out: blocks.

use super::{B, lex};
use crate::eval::Status;
use crate::ir::{LevelId, Normalize};
use crate::report::page::Block;
use crate::report::{format_score, value_text, words};

impl B<'_> {
    pub(super) fn method(
        &mut self,
        unit: Option<(LevelId, usize)>,
        diags: &[crate::diagnostic::Diag],
    ) {
        let (cx, t) = (self.cx, self.t);
        self.out.push(Block::Section("method".into()));
        self.out
            .push(Block::Heading(2, t.method.into(), "method".into()));
        self.scoring(unit);
        self.out.push(Block::Para(t.m_dimensions.into()));
        self.out.push(Block::Heading(
            3,
            t.m_statuses.into(),
            "method-statuses".into(),
        ));
        let lang = cx.lang;
        let mut statuses: Vec<String> = [
            Status::Missing,
            Status::NotApplicable,
            Status::LowN,
            Status::Insufficient,
            Status::Suppressed,
        ]
        .iter()
        .map(|&s| {
            format!(
                "{} — {}",
                words::status_short(s, lang),
                words::status(s, lang)
            )
        })
        .collect();
        statuses.push(format!(
            "{} — {}",
            words::deducible(lang),
            words::complementary(lang)
        ));
        statuses.insert(0, t.m_ok.to_string());
        self.out
            .push(Block::List(statuses.into_iter().map(Into::into).collect()));
        self.privacy();
        self.sources(diags);
        self.out.push(Block::EndSection);
    }

    /// The scoring rules the framework uses, then one worked example.
    fn scoring(&mut self, unit: Option<(LevelId, usize)>) {
        let (cx, t) = (self.cx, self.t);
        let fw = cx.fw;
        let k = &t.kinds;
        let mut used: Vec<&str> = Vec::new();
        for n in fw.indicators.iter().filter_map(|i| i.normalize.as_ref()) {
            let kind = match n {
                Normalize::Goalposts { .. } => k.goalposts,
                Normalize::Target(_) => k.target,
                Normalize::MinMax => k.minmax,
                Normalize::Rank => k.rank,
                Normalize::Map(_) => k.map,
                Normalize::Bool => k.boolean,
            };
            if !used.contains(&kind) {
                used.push(kind);
            }
        }
        if used.is_empty() {
            return;
        }
        self.out.push(Block::Para(t.m_scores.into()));
        self.out.push(Block::List(
            used.iter().map(|s| s.to_string().into()).collect(),
        ));
        if let Some(example) = unit.and_then(|(l, u)| self.example(l, u)) {
            self.out.push(Block::Para(example.into()));
        }
    }

    /// The first indicator with a score at the unit, in words: its value,
    /// its score and its rule.
    fn example(&self, l: LevelId, u: usize) -> Option<String> {
        let (cx, t) = (self.cx, self.t);
        let fw = cx.fw;
        let lang = cx.lang;
        fw.indicators.iter_enumerated().find_map(|(i, ind)| {
            let n = ind.normalize.as_ref()?;
            let x = cx.results.indicators.get(&(i, l))?;
            if !x.status[u].scored() || x.score[u].is_nan() {
                return None;
            }
            let rule = words::normalize(fw, Some(n), ind.unit.as_deref(), ind.better, lang);
            Some(
                t.m_example
                    .replace("{label}", self.label(&ind.label, &ind.id))
                    .replace("{value}", &value_text(cx, i, l, u))
                    .replace("{score}", &format_score(x.score[u], lang))
                    .replace("{rule}", &rule),
            )
        })
    }

    fn privacy(&mut self) {
        let (cx, t) = (self.cx, self.t);
        self.out.push(Block::Heading(
            3,
            t.m_privacy_title.into(),
            "method-privacy".into(),
        ));
        let min = cx.fw.min_group;
        self.out.push(Block::Para(match min {
            0 | 1 => t.m_privacy_none.into(),
            m => t.m_privacy.replace("{min}", &m.to_string()).into(),
        }));
        let b = crate::eval::benchmark::min_units(cx.fw);
        self.out.push(Block::Para(
            t.m_benchmarks.replace("{min}", &b.to_string()).into(),
        ));
    }

    /// The data files by name only (a path says where someone keeps their
    /// files, which a report sent out must not), with their rows; and
    /// the count of diagnostics.
    fn sources(&mut self, diags: &[crate::diagnostic::Diag]) {
        let (cx, t, lang) = (self.cx, self.t, self.cx.lang);
        self.out.push(Block::Heading(
            3,
            t.m_sources.into(),
            "method-sources".into(),
        ));
        let mut lines = Vec::new();
        for (level, r) in cx.data {
            let name = std::path::Path::new(&r.file)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| r.file.clone());
            let mut v = format!("{name} — {}", lex::plural(r.rows, t.rows, lang));
            if !r.rejected.is_empty() {
                v.push_str(&format!(
                    ", {}",
                    lex::plural(r.rejected.len(), t.rejected, lang)
                ));
            }
            let level = cx
                .fw
                .level_by_name(level)
                .map(|l| self.level_label(l).to_lowercase())
                .unwrap_or_else(|| level.clone());
            lines.push(format!("{} ({level}){}{v}", t.data, lex::colon(lang)));
        }
        let (errors, warnings) = crate::diagnostic::counts(diags);
        let d = if errors + warnings == 0 {
            t.none.to_string()
        } else {
            format!(
                "{}, {}",
                lex::plural(errors, t.errors, lang),
                lex::plural(warnings, t.warnings, lang)
            )
        };
        lines.push(format!("{}{}{d}", t.diagnostics, lex::colon(lang)));
        self.out
            .push(Block::List(lines.into_iter().map(Into::into).collect()));
    }
}
