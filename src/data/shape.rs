//! Where a table's columns are: the header row matched to the framework.
//!
//! In: a table's header row and its level. Out: a [`Shape`]: the key,
//! parent and ancestor columns linking reads, and where each question's
//! answers are (one column, one 0/1 column per option, or none), plus the
//! notes and errors of the header row: a column missing, a header matched
//! only when case is ignored, a name in two columns, columns no question
//! names. Diagnostics come in the order a reader meets them.

use super::link::{Builder, cell_span};
use super::rows::Source;
use super::{DataError, Table};
use crate::diagnostic::{Diag, Severity};
use crate::ir::{LevelId, QType, QuestionId};
use crate::source::Span;

/// How a column name was found among the headers.
enum Found {
    None,
    Exact(usize),
    /// Only when case is ignored (`Entreprise` for `entreprise`).
    Loose(usize),
    /// In several columns.
    Many(Vec<usize>),
}

fn locate(headers: &[String], name: &str) -> Found {
    let exact: Vec<usize> = (0..headers.len())
        .filter(|&i| header_matches(&headers[i], name))
        .collect();
    match exact.as_slice() {
        [i] => return Found::Exact(*i),
        [_, _, ..] => return Found::Many(exact),
        [] => {}
    }
    let dashed: Vec<usize> = (0..headers.len())
        .filter(|&i| dash_path(&headers[i], name))
        .collect();
    match dashed.as_slice() {
        [i] => return Found::Exact(*i),
        [_, _, ..] => return Found::Many(dashed),
        [] => {}
    }
    // Loosely: case and surrounding spaces ignored (`" Entreprise "`).
    let lower = name.to_lowercase();
    let loose: Vec<usize> = (0..headers.len())
        .filter(|&i| header_matches(&headers[i].trim().to_lowercase(), &lower))
        .collect();
    match loose.as_slice() {
        [] => Found::None,
        [i] => Found::Loose(*i),
        _ => Found::Many(loose),
    }
}

/// A header names a column as written, or as the last step of a group
/// path, `groupe/etp` (KoboToolbox, ODK Collect).
fn header_matches(header: &str, column: &str) -> bool {
    header
        .strip_suffix(column)
        .is_some_and(|p| p.is_empty() || p.ends_with('/'))
}

/// ODK Central's group path, tried only when no header names the column
/// otherwise (a `nb-liens` beside `liens` is another column).
fn dash_path(header: &str, column: &str) -> bool {
    header
        .strip_suffix(column)
        .and_then(|p| p.strip_suffix('-'))
        .is_some_and(|g| {
            g.starts_with(|c: char| c.is_alphabetic() || c == '_')
                && g.chars().all(|c| c.is_alphanumeric() || "_-./".contains(c))
        })
}

/// Where a table's columns are.
pub(super) struct Shape {
    pub key: Option<usize>,
    /// The column of the units' display names (`name` on the level).
    pub name: Option<usize>,
    pub parent: Option<usize>,
    /// Per level: the column naming the parent of a table-less level.
    pub ancestors: crate::ir::List<LevelId, Option<usize>>,
    /// The questions of the table's level, and where each one's answers are.
    pub questions: Vec<QuestionId>,
    pub sources: Vec<Source>,
    /// The columns linking reads (key, parent, ancestors), and each
    /// header's place among them (`usize::MAX`: not read for linking).
    pub link: Vec<usize>,
    pub slots: Vec<usize>,
}

/// Finds columns by name, remembering the loose and repeated matches.
struct Finder<'h> {
    headers: &'h [String],
    loose: Vec<(usize, String)>,
    twice: Vec<(String, Vec<usize>)>,
}

impl Finder<'_> {
    /// The column for `name`: exact, else ignoring case; the first of
    /// several (which is an error, reported later, never a silent pick).
    fn find(&mut self, name: &str) -> Option<usize> {
        match locate(self.headers, name) {
            Found::None => None,
            Found::Exact(i) => Some(i),
            Found::Loose(i) => {
                self.loose.push((i, name.to_string()));
                Some(i)
            }
            Found::Many(v) => {
                if !self.twice.iter().any(|(n, _)| n == name) {
                    self.twice.push((name.to_string(), v.clone()));
                }
                Some(v[0])
            }
        }
    }
}

impl Builder<'_> {
    /// Matches the header row of `t` to its level; `fields` gets each
    /// question's column.
    pub(super) fn shape(
        &mut self,
        t: &Table,
        text: &str,
        headers: &[String],
        fields: &mut crate::ir::List<QuestionId, Option<usize>>,
    ) -> Shape {
        let mut f = Finder {
            headers,
            loose: Vec::new(),
            twice: Vec::new(),
        };
        let (key, parent, ancestors) = self.link_columns(t, &mut f);
        let name = self.fw.levels[t.level]
            .name_column
            .as_deref()
            .and_then(|c| {
                let found = f.find(c);
                if found.is_none() {
                    let why = format!("the {} names are read from it", self.fw.levels[t.level].id);
                    self.missing_column(t, c, why);
                }
                found
            });
        let mut used = vec![false; headers.len()];
        for c in [key, parent, name]
            .into_iter()
            .chain(ancestors.iter().copied())
            .flatten()
        {
            used[c] = true;
        }
        let fw = self.fw;
        let questions: Vec<QuestionId> = (fw.questions.keys())
            .filter(|&q| fw.questions[q].level == t.level)
            .collect();
        let sources = questions
            .iter()
            .map(|&q| self.source_of(t, q, &mut f, &mut used, fields))
            .collect();
        // A repeated column is reported as such, not again as ignored.
        for &c in f.twice.iter().flat_map(|(_, cols)| cols) {
            used[c] = true;
        }
        self.header_findings(t, text, headers, f.loose, f.twice);
        self.ignored_note(t, text, headers, &used);
        let mut link: Vec<usize> = Vec::new();
        for c in [key, parent, name]
            .into_iter()
            .chain(ancestors.iter().copied())
            .flatten()
        {
            if !link.contains(&c) {
                link.push(c);
            }
        }
        let mut slots = vec![usize::MAX; headers.len()];
        for (i, &c) in link.iter().enumerate() {
            slots[c] = i;
        }
        Shape {
            key,
            name,
            parent,
            ancestors,
            questions,
            sources,
            link,
            slots,
        }
    }

    /// The key, parent and ancestor columns; a missing key (above the
    /// finest level) or parent column is an error.
    fn link_columns(
        &mut self,
        t: &Table,
        f: &mut Finder<'_>,
    ) -> (
        Option<usize>,
        Option<usize>,
        crate::ir::List<LevelId, Option<usize>>,
    ) {
        let fw = self.fw;
        let level = &fw.levels[t.level];
        let finest = fw.is_finest(t.level);
        let key = f.find(&level.key);
        if key.is_none() && !finest {
            let why = format!("each {} row needs its identifier", level.id);
            self.missing_column(t, &level.key, why);
        }
        let parent = level.parent_column.as_deref().and_then(|c| {
            let found = f.find(c);
            if found.is_none() {
                let why = format!(
                    "each {} row names its {}",
                    level.id,
                    fw.levels[t.level - 1].id
                );
                self.missing_column(t, c, why);
            }
            found
        });
        // Columns naming the parents of table-less coarser levels.
        let mut ancestors: crate::ir::List<LevelId, Option<usize>> =
            vec![None; fw.levels.len()].into();
        for l in (1..t.level.index()).map(LevelId::from) {
            if let Some(c) = &fw.levels[l].parent_column {
                ancestors[l] = f.find(c);
            }
        }
        (key, parent, ancestors)
    }

    /// Where question `q`'s answers are; a warning when nowhere.
    fn source_of(
        &mut self,
        t: &Table,
        q: QuestionId,
        f: &mut Finder<'_>,
        used: &mut [bool],
        fields: &mut crate::ir::List<QuestionId, Option<usize>>,
    ) -> Source {
        let question = &self.fw.questions[q];
        // The first of its names the table has: its column, then its
        // aliases (older names of the same question).
        let (mut combined, mut split) = (None, Vec::new());
        for name in std::iter::once(&question.column).chain(&question.aliases) {
            combined = f.find(name);
            // One 0/1 column per option: `name/option` (KoboToolbox, ODK),
            // `name[option]` or `name_option` (LimeSurvey's sub-question
            // codes, in its two heading styles).
            split = (question.ty.options().iter().enumerate())
                .filter_map(|(i, o)| {
                    f.find(&format!("{name}/{}", o.code))
                        .or_else(|| f.find(&format!("{name}[{}]", o.code)))
                        .or_else(|| f.find(&format!("{name}_{}", o.code)))
                        .map(|c| (i as u32, c))
                })
                .collect();
            if combined.is_some() || !split.is_empty() {
                break;
            }
        }
        if combined.is_none() && split.is_empty() {
            (combined, split) = by_label(question, f);
        }
        for (_, c) in &split {
            used[*c] = true;
        }
        match combined {
            Some(c) => {
                used[c] = true;
                fields[q] = Some(c);
                Source::Combined(c)
            }
            None if matches!(question.ty, QType::Multi(_)) && !split.is_empty() => {
                Source::Split(split)
            }
            None => {
                self.diags.push(
                    Diag::warning(
                        DataError::MissingColumn { column: question.column.clone() },
                        self.header_span(t),
                        format!("no column for question `{}`", question.id),
                    )
                    .help("its answers are all missing; name a column after the question, or set `column \"…\"` on it"),
                );
                Source::Absent
            }
        }
    }

    /// One note listing the columns no question names.
    fn ignored_note(&mut self, t: &Table, text: &str, headers: &[String], used: &[bool]) {
        let ignored: Vec<usize> = (0..headers.len())
            .filter(|&i| !used[i] && !headers[i].is_empty())
            .collect();
        let Some(&first) = ignored.first() else {
            return;
        };
        let list = ignored
            .iter()
            .map(|&i| format!("`{}`", headers[i]))
            .collect::<Vec<_>>()
            .join(", ");
        let cell = |i: usize| {
            let (a, b) = cell_span(text, 0, i, t.delimiter);
            Span::new(t.src, a, b)
        };
        let mut d = Diag::new(
            Severity::Note,
            DataError::IgnoredColumns(list),
            cell(first),
            "not read",
        );
        for &i in ignored.iter().skip(1).take(4) {
            d = d.related(cell(i), "");
        }
        self.diags.push(d);
    }

    /// A note for headers matched ignoring case; an error (the table is
    /// not read) for a name found in two columns.
    pub(super) fn header_findings(
        &mut self,
        t: &Table,
        text: &str,
        headers: &[String],
        loose: Vec<(usize, String)>,
        twice: Vec<(String, Vec<usize>)>,
    ) {
        let cell = |i: usize| {
            let (a, b) = cell_span(text, 0, i, t.delimiter);
            Span::new(t.src, a, b)
        };
        if let Some(&(first, _)) = loose.first() {
            let list = loose
                .iter()
                .map(|(i, n)| format!("`{}` for `{n}`", headers[*i]))
                .collect::<Vec<_>>()
                .join(", ");
            let mut d = Diag::new(
                Severity::Note,
                DataError::LooseHeaders(list),
                cell(first),
                "read ignoring case and surrounding spaces",
            );
            for (i, _) in loose.iter().skip(1).take(4) {
                d = d.related(cell(*i), "");
            }
            self.diags.push(d);
        }
        for (name, cols) in twice {
            self.fatal = true;
            // Columns spelt alike are told apart by their place.
            let alike = cols.iter().skip(1).any(|&i| headers[i] == headers[cols[0]]);
            let names: Vec<String> = cols
                .iter()
                .map(|&i| match alike {
                    true => format!("`{}` (column {})", headers[i], i + 1),
                    false => format!("`{}`", headers[i]),
                })
                .collect();
            let mut d = Diag::error(
                DataError::DuplicateColumn {
                    column: name.clone(),
                    columns: names.join(" and "),
                },
                cell(cols[0]),
                "first",
            )
            .help(format!(
                "keep one column for `{name}`, or tell the question which one to read with `column \"…\"`"
            ));
            for &i in &cols[1..] {
                d = d.related(cell(i), "also");
            }
            self.diags.push(d);
        }
    }
}

/// A question found by its label in any language, as KoboToolbox writes
/// headers in a "labels" export: `Mon travail a du sens`, and for split
/// multiple choices `Activités/Sport` (question label, option label).
fn by_label(
    question: &crate::ir::Question,
    f: &mut Finder<'_>,
) -> (Option<usize>, Vec<(u32, usize)>) {
    for label in question.label.0.values() {
        let label = label.trim();
        if label.is_empty() {
            continue;
        }
        if let Some(c) = f.find(label) {
            return (Some(c), Vec::new());
        }
        let split: Vec<(u32, usize)> = (question.ty.options().iter().enumerate())
            .filter_map(|(i, o)| {
                // Labels first: a labels export writes them as they are.
                let labels = o.label.0.values().map(String::as_str);
                let names = labels.chain(std::iter::once(o.code.as_str()));
                names
                    .filter_map(|n| f.find(&format!("{label}/{}", n.trim())))
                    .next()
                    .map(|c| (i as u32, c))
            })
            .collect();
        if !split.is_empty() {
            return (None, split);
        }
    }
    (None, Vec::new())
}
