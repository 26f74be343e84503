//! A workspace owns everything from a framework's file to its results.
//!
//! In: a framework path (or text), data specifications, a language and a
//! level. Out: the checked framework, the linked dataset, the results with
//! every diagnostic of the run (data, evaluation, failed rules rendered
//! over their cells in the run's language), a report context, and the
//! SHA-256 of the framework's files. The source map lives here, so every
//! caller (each subcommand, `grille test`, the test helpers) reads files,
//! hashes them and orders diagnostics the same way.
//!
//! Evaluation itself knows no files and no language; this is where they
//! meet. Each step returns what it produced; the workspace keeps it for
//! the steps that follow (`evaluate` needs a framework and data).

use crate::check::{self, Checked, Failure};
use crate::data::{self, DataSpec, Dataset, InputError, Table, TableReport};
use crate::diagnostic::Diag;
use crate::eval::Results;
use crate::ir::{Framework, LevelId};
use crate::report::Context;
use crate::source::SourceMap;
use indexmap::IndexMap;
use sha2::Digest;
use std::path::Path;

/// Why a workspace step could not be taken: a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("`--lang {asked}`: the framework's languages are {known}")]
    Lang { asked: String, known: String },
    #[error("`--level {asked}`: the framework's levels are {known}")]
    Level { asked: String, known: String },
    #[error(
        "two tables are given for level `{level}`: `{first}` and `{second}`; give one table per level"
    )]
    TwoTables {
        level: String,
        first: String,
        second: String,
    },
    #[error("{0}")]
    Input(#[from] InputError),
}

/// A framework, its data and its results, with the files they came from.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// Every file read: the framework's, then the data's.
    pub sources: SourceMap,
    checked: Option<Checked>,
    sha256: String,
    data: Option<(Dataset, Vec<Diag>)>,
    results: Option<(Results, Vec<Diag>)>,
    /// The data section as evaluation settled it (not-asked rows apart).
    data_report: IndexMap<String, TableReport>,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Reads and checks the framework at `path` (and the files it extends).
    ///
    /// # Errors
    /// When a file cannot be read, or the framework has errors.
    pub fn check(&mut self, path: &Path) -> Result<&Checked, Failure> {
        self.check_with(path, &Default::default())
    }

    /// As [`Workspace::check`], with settings (`check --lang`).
    ///
    /// # Errors
    /// As [`Workspace::check`].
    pub fn check_with(&mut self, path: &Path, opts: &check::Options) -> Result<&Checked, Failure> {
        let c = check::check_path(path, &mut self.sources, opts)?;
        Ok(self.keep(c))
    }

    /// Checks a framework given as text; `name` is its path.
    ///
    /// # Errors
    /// As [`Workspace::check`].
    pub fn check_text(&mut self, name: &str, text: &str) -> Result<&Checked, Failure> {
        let c = check::check_text(name, text, &mut self.sources, &Default::default())?;
        Ok(self.keep(c))
    }

    /// Checks another framework into this workspace's source map, without
    /// making it the workspace's framework (`diff` compares two).
    ///
    /// # Errors
    /// As [`Workspace::check`].
    pub fn check_other(&mut self, path: &Path) -> Result<Checked, Failure> {
        check::check_path(path, &mut self.sources, &Default::default())
    }

    fn keep(&mut self, c: Checked) -> &Checked {
        let mut h = sha2::Sha256::new();
        for s in &c.framework.sources {
            h.update(self.sources.get(*s).text.as_bytes());
        }
        self.sha256 = data::hex(&h.finalize());
        self.data = None;
        self.results = None;
        self.checked.insert(c)
    }

    /// The checked framework.
    ///
    /// # Panics
    /// Before a successful [`Workspace::check`].
    pub fn checked(&self) -> &Checked {
        self.checked.as_ref().expect("a framework is checked first")
    }

    /// The checked framework's IR.
    pub fn framework(&self) -> &Framework {
        &self.checked().framework
    }

    /// SHA-256 over every source file of the framework, the adapting file
    /// first: what a result records to say which framework made it.
    pub fn framework_sha256(&self) -> &str {
        &self.sha256
    }

    /// The language asked for, or the framework's first.
    ///
    /// # Errors
    /// A language the framework does not declare.
    pub fn lang(&self, asked: Option<&str>) -> Result<String, WorkspaceError> {
        let fw = self.framework();
        let lang = asked.unwrap_or_else(|| fw.default_lang()).to_string();
        if !fw.languages.is_empty() && !fw.languages.contains(&lang) {
            return Err(WorkspaceError::Lang {
                asked: lang,
                known: fw.languages.join(", "),
            });
        }
        Ok(lang)
    }

    /// The level asked for, by name.
    ///
    /// # Errors
    /// A level the framework does not declare.
    pub fn level(&self, asked: Option<&str>) -> Result<Option<LevelId>, WorkspaceError> {
        let fw = self.framework();
        let Some(name) = asked else { return Ok(None) };
        match fw.level_by_name(name) {
            Some(l) => Ok(Some(l)),
            None => Err(WorkspaceError::Level {
                asked: name.to_string(),
                known: fw
                    .levels
                    .iter()
                    .map(|x| x.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Reads one table per specification (`-` from `stdin`) and links them.
    ///
    /// # Errors
    /// A file that cannot be read, or two tables for one level.
    pub fn load_data(
        &mut self,
        specs: &[DataSpec],
        stdin: &mut dyn std::io::Read,
    ) -> Result<&Dataset, WorkspaceError> {
        let fw = &self
            .checked
            .as_ref()
            .expect("a framework is checked first")
            .framework;
        let mut tables: Vec<Table> = Vec::new();
        for spec in specs {
            let t = data::read_table(fw, spec, stdin, &mut self.sources)?;
            if let Some(first) = tables.iter().find(|x| x.level == t.level) {
                return Err(WorkspaceError::TwoTables {
                    level: fw.levels[t.level].id.clone(),
                    first: self.sources.get(first.src).name.clone(),
                    second: self.sources.get(t.src).name.clone(),
                });
            }
            tables.push(t);
        }
        Ok(self.load_tables(tables))
    }

    /// Reads one table into [`Workspace::sources`] (`-` from `input`),
    /// without linking it.
    ///
    /// # Errors
    /// A file that cannot be read.
    pub fn read_table(
        &mut self,
        spec: &DataSpec,
        input: &mut dyn std::io::Read,
    ) -> Result<Table, InputError> {
        let fw = &self
            .checked
            .as_ref()
            .expect("a framework is checked first")
            .framework;
        data::read_table(fw, spec, input, &mut self.sources)
    }

    /// Links tables already read into [`Workspace::sources`] (a test
    /// file's inline tables).
    pub fn load_tables(&mut self, tables: Vec<Table>) -> &Dataset {
        let fw = &self
            .checked
            .as_ref()
            .expect("a framework is checked first")
            .framework;
        self.results = None;
        let (ds, diags) = data::build(fw, tables, &self.sources);
        self.sources.release_pages();
        &self.data.insert((ds, diags)).0
    }

    /// The diagnostics of linking the data.
    pub fn data_diagnostics(&self) -> &[Diag] {
        self.data.as_ref().map_or(&[], |d| d.1.as_slice())
    }

    /// The linked dataset.
    ///
    /// # Panics
    /// Before [`Workspace::load_data`].
    pub fn dataset(&self) -> &Dataset {
        &self.data.as_ref().expect("data is loaded first").0
    }

    /// Evaluates the framework on the data. Returns the results and every
    /// diagnostic of the data and of the run, failed rules worded in
    /// `lang`, in file order.
    ///
    /// # Panics
    /// Before [`Workspace::check`] and [`Workspace::load_data`].
    pub fn evaluate(&mut self, lang: &str) -> (&Results, &[Diag]) {
        self.evaluate_with(lang, None)
    }

    /// As [`Workspace::evaluate`], on `threads` threads when given.
    pub fn evaluate_with(&mut self, lang: &str, threads: Option<usize>) -> (&Results, &[Diag]) {
        let fw = &self
            .checked
            .as_ref()
            .expect("a framework is checked first")
            .framework;
        let (ds, _) = self.data.as_ref().expect("data is loaded first");
        let (results, diags) = match threads {
            Some(t) => crate::eval::evaluate_with(fw, ds, t),
            None => crate::eval::evaluate(fw, ds),
        };
        self.settle(results, diags, lang)
    }

    /// Keeps `results` with the data section settled (not-asked rows
    /// apart) and every diagnostic of the run, in file order.
    fn settle(&mut self, results: Results, diags: Vec<Diag>, lang: &str) -> (&Results, &[Diag]) {
        let fw = &self
            .checked
            .as_ref()
            .expect("a framework is checked first")
            .framework;
        let (ds, data_diags) = self.data.as_ref().expect("data is loaded first");
        let (report, asked) =
            crate::data::not_asked_report(fw, ds, &self.sources, &results.not_asked);
        self.data_report = report;
        let mut all = data_diags.clone();
        all.extend(asked);
        all.extend(merge(fw, ds, &self.sources, lang, &results, diags));
        let (r, d) = self.results.insert((results, all));
        (r, d)
    }

    /// Takes results another runner computed (a database, from the data
    /// loaded here) as [`Workspace::evaluate`] takes its own: the data
    /// section settled, failed rules rendered over their cells.
    ///
    /// # Panics
    /// Before [`Workspace::check`] and [`Workspace::load_data`].
    pub fn adopt_results(&mut self, results: Results, lang: &str) -> (&Results, &[Diag]) {
        self.settle(results, Vec::new(), lang)
    }

    /// Takes the units and results of a run on tables in a database
    /// (`eval --db`): the data section is the database's counts, and a
    /// failed rule names the unit, there being no file to point into.
    ///
    /// # Panics
    /// Before [`Workspace::check`].
    pub fn adopt_database(
        &mut self,
        ds: Dataset,
        results: Results,
        lang: &str,
    ) -> (&Results, &[Diag]) {
        let fw = &self
            .checked
            .as_ref()
            .expect("a framework is checked first")
            .framework;
        self.data_report = ds.reports.clone();
        let diags = merge(fw, &ds, &self.sources, lang, &results, Vec::new());
        self.data = Some((ds, Vec::new()));
        let (r, d) = self.results.insert((results, diags));
        (r, d)
    }

    /// The results of the last [`Workspace::evaluate`] and its diagnostics.
    pub fn results(&self) -> Option<(&Results, &[Diag])> {
        self.results.as_ref().map(|(r, d)| (r, d.as_slice()))
    }

    /// What reports read: framework, data, results, language and level.
    ///
    /// # Panics
    /// Before [`Workspace::evaluate`].
    pub fn report_context<'a>(&'a self, lang: &'a str, level: Option<LevelId>) -> Context<'a> {
        Context {
            fw: self.framework(),
            ds: self.dataset(),
            results: &self.results.as_ref().expect("evaluated first").0,
            data: &self.data_report,
            lang,
            level,
            round: None,
            date: None,
            framework_sha256: &self.sha256,
        }
    }
}

/// The evaluation's diagnostics with the failed rules rendered over their
/// cells, in file order (the same whatever the number of threads).
fn merge(
    fw: &Framework,
    ds: &Dataset,
    sources: &SourceMap,
    lang: &str,
    results: &Results,
    diags: Vec<Diag>,
) -> Vec<Diag> {
    let mut all = crate::data::rule_diagnostics(fw, ds, sources, &results.rule_failures, lang);
    all.extend(diags);
    all.sort_by_key(|d| (d.primary.span.src, d.primary.span.start));
    all
}
