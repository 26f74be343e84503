//! Reading a framework and the chain of files it `extends`, and merging
//! them into one [`Model`].
//!
//! In: a file's name and text. Out: the merged model (named declarations in
//! namespaces, inline dimension children flattened into `use` lines), the
//! parsed files, and the diagnostics of parsing and merging. `refine`
//! replaces the properties it writes, `remove` deletes an item and drops it
//! from every dimension; redeclarations, unknown targets, locked items and
//! `extends` cycles are reported with both places labelled.

use super::CheckError;
use crate::diagnostic::Diag;
use crate::source::{SourceId, SourceMap, Span};
use crate::suggest;
use crate::syntax::{self, ast::*};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A named declaration of the merged framework.
#[derive(Debug, Clone)]
pub enum Decl {
    Level(Block),
    /// A question, its level and its section's name.
    Question(Question, Ident, Option<String>),
    Let(Let),
    Indicator(Block),
    Dimension(Block),
    Evidence(Block),
    Mapping(Mapping),
    Ratings(Ratings),
    Rule(Block),
}

impl Decl {
    pub fn kind(&self) -> ItemKind {
        match self {
            Decl::Level(_) => ItemKind::Level,
            Decl::Question(..) => ItemKind::Question,
            Decl::Let(_) => ItemKind::Let,
            Decl::Indicator(_) => ItemKind::Indicator,
            Decl::Dimension(_) => ItemKind::Dimension,
            Decl::Evidence(_) => ItemKind::Evidence,
            Decl::Mapping(_) => ItemKind::Mapping,
            Decl::Ratings(_) => ItemKind::Ratings,
            Decl::Rule(_) => ItemKind::Rule,
        }
    }

    pub fn id(&self) -> &Ident {
        match self {
            Decl::Level(b)
            | Decl::Indicator(b)
            | Decl::Dimension(b)
            | Decl::Evidence(b)
            | Decl::Rule(b) => &b.id,
            Decl::Question(q, ..) => &q.id,
            Decl::Let(l) => &l.id,
            Decl::Mapping(m) => &m.id,
            Decl::Ratings(r) => &r.id,
        }
    }

    fn lock(&self) -> Option<Span> {
        match self {
            Decl::Indicator(b) | Decl::Dimension(b) | Decl::Evidence(b) => b
                .props
                .iter()
                .find(|p| p.prop == Prop::Locked)
                .map(|p| p.span),
            _ => None,
        }
    }
}

/// A declaration and where it came from.
#[derive(Debug, Clone)]
pub struct Entry {
    pub decl: Decl,
    /// Inherited from a base framework.
    pub from_base: bool,
}

/// The merged framework, before resolution.
#[derive(Debug, Clone)]
pub struct Model {
    pub id: Ident,
    pub header: Vec<PropNode>,
    pub doc: Option<Doc>,
    /// Ids of the frameworks adapted, nearest first.
    pub extends: Vec<String>,
    /// Levels, questions, lets, indicators, dimensions and evidence share one namespace.
    pub items: IndexMap<String, Entry>,
    pub mappings: IndexMap<String, Entry>,
    pub ratings: IndexMap<String, Entry>,
    pub rules: IndexMap<String, Entry>,
    /// Sections of questions blocks, by name, with the level of their
    /// block; a section written in several blocks gathers their props.
    pub sections: IndexMap<String, (Ident, Section)>,
    /// Names removed by an adaptation, with the `remove` line.
    pub removed: HashMap<String, Span>,
    /// The files merged, the adapting file first.
    pub sources: Vec<SourceId>,
}

impl Model {
    fn namespace(&mut self, kind: ItemKind) -> &mut IndexMap<String, Entry> {
        match kind {
            ItemKind::Mapping => &mut self.mappings,
            ItemKind::Ratings => &mut self.ratings,
            ItemKind::Rule => &mut self.rules,
            _ => &mut self.items,
        }
    }

    fn namespace_ref(&self, kind: ItemKind) -> &IndexMap<String, Entry> {
        match kind {
            ItemKind::Mapping => &self.mappings,
            ItemKind::Ratings => &self.ratings,
            ItemKind::Rule => &self.rules,
            _ => &self.items,
        }
    }
}

/// What loading produced.
pub struct Loaded {
    pub model: Model,
    pub diags: Vec<Diag>,
}

/// Loads `name` (whose text is given) and every file it extends.
///
/// # Errors
/// All diagnostics when a file does not parse, a base cannot be read or the
/// merge found errors.
pub fn load(name: &str, text: &str, sources: &mut SourceMap) -> Result<Loaded, Vec<Diag>> {
    let mut l = Loader {
        sources,
        diags: Vec::new(),
        stack: Vec::new(),
    };
    let model = l.file(name, text);
    let diags = l.diags;
    match model {
        Some(model) if !diags.iter().any(Diag::is_error) => Ok(Loaded { model, diags }),
        _ => Err(diags),
    }
}

struct Loader<'s> {
    sources: &'s mut SourceMap,
    diags: Vec<Diag>,
    stack: Vec<(PathBuf, String)>,
}

/// `a/b/../c` as `a/c`, without asking the file system, for names shown to people.
fn clean(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Loader<'_> {
    fn file(&mut self, name: &str, text: &str) -> Option<Model> {
        let src = self.sources.add(name, text);
        let file = match syntax::parse(src, text) {
            Ok((f, warnings)) => {
                self.diags.extend(warnings);
                f
            }
            Err(d) => {
                self.diags.extend(d);
                return None;
            }
        };
        self.stack
            .push((canonical(Path::new(name)), file.header.id.name.clone()));
        let base = match &file.header.extends {
            None => None,
            Some(ext) => Some(self.base(name, ext)?),
        };
        self.stack.pop();
        let mut m = match base {
            Some(mut b) => {
                for e in b
                    .items
                    .values_mut()
                    .chain(b.mappings.values_mut())
                    .chain(b.ratings.values_mut())
                {
                    e.from_base = true;
                }
                for e in b.rules.values_mut() {
                    e.from_base = true;
                }
                let base_id = b.id.name.clone();
                b.extends.insert(0, base_id);
                b.sources.insert(0, src);
                b.id = file.header.id.clone();
                b.doc = file.header.doc.clone();
                merge_header(&mut b.header, &file.header.props);
                b
            }
            None => Model {
                id: file.header.id.clone(),
                header: file.header.props.clone(),
                doc: file.header.doc.clone(),
                extends: Vec::new(),
                items: IndexMap::new(),
                mappings: IndexMap::new(),
                ratings: IndexMap::new(),
                rules: IndexMap::new(),
                sections: IndexMap::new(),
                removed: HashMap::new(),
                sources: vec![src],
            },
        };
        // The items are moved into the model: a large framework's syntax
        // tree is not copied.
        for item in file.items {
            self.item(&mut m, item);
        }
        Some(m)
    }

    /// Loads the base named by `extends "PATH"`, relative to `name`.
    fn base(&mut self, name: &str, ext: &Str) -> Option<Model> {
        let dir = Path::new(name).parent().unwrap_or(Path::new(""));
        let path = clean(&dir.join(&ext.value));
        let canon = canonical(&path);
        if let Some(pos) = self.stack.iter().position(|(p, _)| *p == canon) {
            let mut chain: Vec<String> =
                self.stack[pos..].iter().map(|(_, id)| id.clone()).collect();
            chain.push(self.stack[pos].1.clone());
            self.diags.push(
                Diag::error(
                    CheckError::ExtendsCycle(chain.join(" → ")),
                    ext.span,
                    "this file is already being read",
                )
                .help("a framework cannot extend itself, directly or through its bases"),
            );
            return None;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => self.file(&path.display().to_string(), &text),
            Err(e) => {
                self.diags.push(
                    Diag::error(
                        CheckError::UnreadableBase {
                            path: path.display().to_string(),
                            reason: e.to_string(),
                        },
                        ext.span,
                        "named here",
                    )
                    .help("the path is read relative to the file that names it"),
                );
                None
            }
        }
    }

    fn item(&mut self, m: &mut Model, item: Item) {
        match item {
            Item::Block(b) => self.declare_block(m, b),
            Item::Questions(g) => {
                let section = g.section.as_ref().map(|sec| {
                    let e = m
                        .sections
                        .entry(sec.id.name.clone())
                        .or_insert_with(|| (g.level.clone(), sec.clone()));
                    if e.1.props.is_empty() {
                        e.1.props = sec.props.clone();
                    } else {
                        overlay(&mut e.1.props, &sec.props);
                    }
                    if e.1.doc.is_none() {
                        e.1.doc = sec.doc.clone();
                    }
                    sec.id.name.clone()
                });
                for q in g.questions {
                    let d = Decl::Question(q, g.level.clone(), section.clone());
                    self.declare(m, d);
                }
            }
            Item::Let(l) => self.declare(m, Decl::Let(l)),
            Item::Mapping(x) => self.declare(m, Decl::Mapping(x)),
            Item::Ratings(x) => self.declare(m, Decl::Ratings(x)),
            Item::Refine(r) => self.refine(m, &r),
            Item::Remove(r) => self.remove(m, &r),
        }
    }

    fn declare_block(&mut self, m: &mut Model, b: Block) {
        let decl = match b.kind {
            ItemKind::Level => Decl::Level(b),
            ItemKind::Indicator => Decl::Indicator(strip_weight(b)),
            ItemKind::Evidence => Decl::Evidence(b),
            ItemKind::Rule => Decl::Rule(b),
            ItemKind::Dimension => {
                let mut children = Vec::new();
                let b = flatten(b, &mut children);
                self.declare(m, Decl::Dimension(b));
                for c in children {
                    self.declare_block(m, c);
                }
                return;
            }
            other => unreachable!("{other:?} is not a block kind"),
        };
        self.declare(m, decl);
    }

    fn declare(&mut self, m: &mut Model, decl: Decl) {
        let id = decl.id().clone();
        let kind = decl.kind();
        let ns = m.namespace(kind);
        if let Some(prev) = ns.get(&id.name) {
            let prev_span = prev.decl.id().span;
            let d = if prev.from_base {
                Diag::error(CheckError::Redeclared(id.name.clone()), id.span, "declared again here")
                    .related(prev_span, "inherited from here")
                    .help(format!(
                        "to change it, write `refine {} {} {{ … }}`; to replace it, `remove` it first or choose another name",
                        prev.decl.kind().keyword(),
                        id.name
                    ))
            } else {
                Diag::error(CheckError::DuplicateName(id.name.clone()), id.span, "declared again here")
                    .related(prev_span, "first declared here")
                    .help("names of levels, questions, lets, indicators, dimensions and evidence share one namespace; rename one of them")
            };
            self.diags.push(d);
            return;
        }
        ns.insert(
            id.name.clone(),
            Entry {
                decl,
                from_base: false,
            },
        );
    }

    /// Finds the target of `refine`/`remove`, reporting unknown, wrong-kind and locked targets.
    fn target(&mut self, m: &Model, kind: ItemKind, id: &Ident, span: Span) -> bool {
        let ns = m.namespace_ref(kind);
        let Some(entry) = ns.get(&id.name) else {
            let candidates = ns
                .iter()
                .filter(|(_, e)| e.decl.kind() == kind)
                .map(|(k, _)| k.as_str());
            let help =
                suggest::closest(&id.name, candidates).map(|s| format!("did you mean `{s}`?"));
            self.diags.push(
                Diag::error(
                    CheckError::UnknownRefine {
                        kind: kind.keyword(),
                        name: id.name.clone(),
                    },
                    id.span,
                    "not found",
                )
                .maybe_help(help),
            );
            return false;
        };
        if entry.decl.kind() != kind {
            self.diags.push(
                Diag::error(
                    CheckError::WrongKind {
                        name: id.name.clone(),
                        found: entry.decl.kind().keyword(),
                        expected: kind.keyword(),
                    },
                    id.span,
                    "named here",
                )
                .related(entry.decl.id().span, "declared here"),
            );
            return false;
        }
        if let Some(lock) = entry.decl.lock() {
            self.diags.push(
                Diag::error(CheckError::Locked { kind: kind.keyword(), name: id.name.clone() }, span, "changed here")
                    .related(lock, "locked here")
                    .help("a locked item belongs to the framework's common core; adapt it in the base, or add a new item"),
            );
            return false;
        }
        true
    }

    fn refine(&mut self, m: &mut Model, r: &Refine) {
        let b = &r.block;
        if !self.target(
            m,
            b.kind,
            &b.id,
            r.span.to(b.id.span).with_end(b.id.span.end),
        ) {
            return;
        }
        let mut new_children = Vec::new();
        let mut not_children = Vec::new();
        let entry = m
            .namespace(b.kind)
            .get_mut(&b.id.name)
            .expect("target checked above");
        match &mut entry.decl {
            Decl::Question(q, ..) => overlay(&mut q.props, &b.props),
            Decl::Dimension(d) => {
                let flat = flatten(b.clone(), &mut new_children);
                for p in flat.props {
                    match &p.prop {
                        Prop::Use { id, weight } => {
                            let existing = d.props.iter_mut().find(
                                |x| matches!(&x.prop, Prop::Use { id: i, .. } if i.name == id.name),
                            );
                            match existing {
                                Some(x) => {
                                    if let Some(w) = weight {
                                        x.prop = Prop::Use {
                                            id: id.clone(),
                                            weight: Some(w.clone()),
                                        };
                                        x.span = p.span;
                                    }
                                }
                                None => d.props.push(p.clone()),
                            }
                        }
                        Prop::Drop(id) => {
                            let before = d.props.len();
                            d.props.retain(|x| !names_child(&x.prop, &id.name));
                            if d.props.len() == before {
                                not_children.push(id.clone());
                            }
                        }
                        Prop::Gate(_) | Prop::EvidenceRef(_) => d.props.push(p.clone()),
                        _ => overlay(&mut d.props, std::slice::from_ref(&p)),
                    }
                }
            }
            Decl::Indicator(x) | Decl::Evidence(x) | Decl::Level(x) | Decl::Rule(x) => {
                let props: Vec<PropNode> = b
                    .props
                    .iter()
                    .filter(|p| !matches!(p.prop, Prop::Weight(_)))
                    .cloned()
                    .collect();
                overlay(&mut x.props, &props);
            }
            other => unreachable!("refine of {:?} is not in the grammar", other.kind()),
        }
        for id in not_children {
            self.diags.push(
                Diag::error(
                    CheckError::NotAChild(id.name.clone()),
                    id.span,
                    "not used by this dimension",
                )
                .related(b.id.span, "in this dimension"),
            );
        }
        for c in new_children {
            self.declare_block(m, c);
        }
    }

    fn remove(&mut self, m: &mut Model, r: &Remove) {
        if !self.target(m, r.kind, &r.id, r.span) {
            return;
        }
        m.namespace(r.kind).shift_remove(&r.id.name);
        m.removed.insert(r.id.name.clone(), r.span);
        for e in m.items.values_mut() {
            if let Decl::Dimension(d) = &mut e.decl {
                d.props.retain(|p| !names_child(&p.prop, &r.id.name));
            }
        }
    }
}

fn names_child(p: &Prop, name: &str) -> bool {
    match p {
        Prop::Use { id, .. } | Prop::EvidenceRef(id) => id.name == name,
        _ => false,
    }
}

/// Replaces each single-valued property written in `new`, appends the rest.
fn overlay(props: &mut Vec<PropNode>, new: &[PropNode]) {
    for p in new {
        if !p.prop.repeatable()
            && let Some(x) = props
                .iter_mut()
                .rev()
                .find(|x| x.prop.keyword() == p.prop.keyword())
        {
            *x = p.clone();
            continue;
        }
        props.push(p.clone());
    }
}

/// The header of an adaptation replaces the properties it writes, and its
/// `languages` adds to the base's.
fn merge_header(base: &mut Vec<PropNode>, new: &[PropNode]) {
    for p in new {
        if let (Prop::Languages(add), Some(old)) = (
            &p.prop,
            base.iter_mut()
                .find(|x| matches!(x.prop, Prop::Languages(_))),
        ) {
            if let Prop::Languages(langs) = &mut old.prop {
                for l in add {
                    if !langs.iter().any(|x| x.name == l.name) {
                        langs.push(l.clone());
                    }
                }
            }
            continue;
        }
        overlay(base, std::slice::from_ref(p));
    }
}

/// An inline child's `weight` belongs to its parent's `use` line.
fn strip_weight(mut b: Block) -> Block {
    b.props.retain(|p| !matches!(p.prop, Prop::Weight(_)));
    b
}

/// Moves inline children out of a dimension, leaving `use` lines (or
/// `evidence` references) in their place.
fn flatten(mut b: Block, out: &mut Vec<Block>) -> Block {
    let props = std::mem::take(&mut b.props);
    for p in props {
        match p.prop {
            Prop::Child(child) => {
                let child = *child;
                let id = child.id.clone();
                if child.kind == ItemKind::Evidence {
                    b.props.push(PropNode {
                        prop: Prop::EvidenceRef(id),
                        span: p.span,
                    });
                } else {
                    let weight = child.find(|x| match x {
                        Prop::Weight(n) => Some(n.clone()),
                        _ => None,
                    });
                    b.props.push(PropNode {
                        prop: Prop::Use {
                            id,
                            weight: weight.map(|(n, _)| n),
                        },
                        span: p.span,
                    });
                }
                out.push(child);
            }
            other => b.props.push(PropNode {
                prop: other,
                span: p.span,
            }),
        }
    }
    b
}
