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

/// The header row indexed for [`locate`]: each name is looked up among
/// the headers that can match it, not compared with all of them (a table
/// of 50,000 columns, each question searched for in every header, took
/// minutes).
struct Headers<'h> {
    headers: &'h [String],
    /// By the last step of the header's group path (`etp` for
    /// `groupe/etp`): the only headers [`header_matches`] can accept.
    by_last: rustc_hash::FxHashMap<&'h str, Vec<usize>>,
    /// By what follows each `-` of the header: the only headers
    /// [`dash_path`] can accept.
    by_dash: rustc_hash::FxHashMap<&'h str, Vec<usize>>,
    /// Each header trimmed and in lower case, for the loose match, and
    /// those by their last step.
    lower: Vec<String>,
    by_lower_last: rustc_hash::FxHashMap<String, Vec<usize>>,
}

/// The last step of a group path: what follows the last `/`.
fn last_step(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

impl<'h> Headers<'h> {
    fn new(headers: &'h [String]) -> Headers<'h> {
        let mut by_last = rustc_hash::FxHashMap::<&str, Vec<usize>>::default();
        let mut by_dash = rustc_hash::FxHashMap::<&str, Vec<usize>>::default();
        let mut by_lower_last = rustc_hash::FxHashMap::<String, Vec<usize>>::default();
        let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
        for (i, h) in headers.iter().enumerate() {
            by_last.entry(last_step(h)).or_default().push(i);
            for (k, _) in h.match_indices('-') {
                by_dash.entry(&h[k + 1..]).or_default().push(i);
            }
            (by_lower_last.entry(last_step(&lower[i]).to_string()))
                .or_default()
                .push(i);
        }
        Headers {
            headers,
            by_last,
            by_dash,
            lower,
            by_lower_last,
        }
    }
}

fn locate(h: &Headers<'_>, name: &str) -> Found {
    let among = |found: Option<&Vec<usize>>, ok: &dyn Fn(usize) -> bool| -> Vec<usize> {
        found.map_or(Vec::new(), |v| {
            v.iter().copied().filter(|&i| ok(i)).collect()
        })
    };
    let exact = among(h.by_last.get(last_step(name)), &|i| {
        header_matches(&h.headers[i], name)
    });
    match exact.as_slice() {
        [i] => return Found::Exact(*i),
        [_, _, ..] => return Found::Many(exact),
        [] => {}
    }
    let dashed = among(h.by_dash.get(name), &|i| dash_path(&h.headers[i], name));
    match dashed.as_slice() {
        [i] => return Found::Exact(*i),
        [_, _, ..] => return Found::Many(dashed),
        [] => {}
    }
    // Loosely: case and surrounding spaces ignored (`" Entreprise "`).
    let lower = name.to_lowercase();
    let loose = among(h.by_lower_last.get(last_step(&lower)), &|i| {
        header_matches(&h.lower[i], &lower)
    });
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
    headers: Headers<'h>,
    loose: Vec<(usize, String)>,
    twice: Vec<(String, Vec<usize>)>,
}

impl Finder<'_> {
    /// The column for `name`: exact, else ignoring case; the first of
    /// several (which is an error, reported later, never a silent pick).
    fn find(&mut self, name: &str) -> Option<usize> {
        match locate(&self.headers, name) {
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
            headers: Headers::new(headers),
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
        // Found once: a framework of many questions the table lacks warns
        // at the header row for each, and finding the row's end every time
        // made that warnings × header length.
        let header = self.header_span(t);
        let sources = questions
            .iter()
            .map(|&q| self.source_of(header, q, &mut f, &mut used, fields))
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

    /// Where question `q`'s answers are; a warning at the header row
    /// (`header`) when nowhere.
    fn source_of(
        &mut self,
        header: Span,
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
                        header,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`locate`] finds, by comparing the name with every header in
    /// turn (how it was done before the index).
    fn scan(headers: &[String], name: &str) -> (u8, Vec<usize>) {
        let all = |ok: &dyn Fn(&str) -> bool| -> Vec<usize> {
            (0..headers.len()).filter(|&i| ok(&headers[i])).collect()
        };
        let exact = all(&|h| header_matches(h, name));
        if !exact.is_empty() {
            return (0, exact);
        }
        let dashed = all(&|h| dash_path(h, name));
        if !dashed.is_empty() {
            return (0, dashed);
        }
        let lower = name.to_lowercase();
        (
            1,
            all(&|h| header_matches(&h.trim().to_lowercase(), &lower)),
        )
    }

    fn found(f: Found) -> (u8, Vec<usize>) {
        match f {
            Found::None => (1, Vec::new()),
            Found::Exact(i) => (0, vec![i]),
            Found::Loose(i) => (1, vec![i]),
            Found::Many(v) => (u8::from(false), v),
        }
    }

    proptest::proptest! {
        /// The index finds the same columns, in the same order, as
        /// comparing with every header, for headers and names made of the
        /// pieces that matter: group paths, dashes, case and spaces.
        #[test]
        fn the_index_finds_what_a_scan_finds(
            headers in proptest::collection::vec(
                proptest::collection::vec(0usize..8, 0..5), 0..12),
            name in proptest::collection::vec(0usize..8, 0..4),
        ) {
            let pieces = ["a", "B", "b", "/", "-", " ", "g1", "É"];
            let text = |v: &Vec<usize>| v.iter().map(|&k| pieces[k]).collect::<String>();
            let headers: Vec<String> = headers.iter().map(text).collect();
            let name = text(&name);
            let got = found(locate(&Headers::new(&headers), &name));
            let (loose, want) = scan(&headers, &name);
            // A single loose match is told apart; several are `Many`,
            // whichever way they were found.
            let want = match (loose, want.len()) {
                (1, 1) => (1, want),
                (_, 0) => (1, want),
                _ => (0, want),
            };
            proptest::prop_assert_eq!(got, want, "{:?} in {:?}", name, headers);
        }
    }
}
