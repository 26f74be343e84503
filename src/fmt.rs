//! `grille fmt`: AST → canonical text.
//!
//! In: a parsed [`ast::File`](crate::syntax::ast::File) and its source text. Out: the file in one
//! layout: two-space indentation, one property per line, one blank line
//! between items, labels and short blocks on one line. Properties keep the
//! order they were written in; comments are kept, each before the line that
//! followed it or at the end of the line it ended, so formatting twice gives
//! the same text.

use crate::syntax::ast::*;
use crate::syntax::comments::{blank, line_start};
use crate::syntax::spell::expr_to_string;
use crate::text::quote;

const WIDTH: usize = 100;

/// Formats a whole file.
pub fn format(file: &File, text: &str) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
        comments: &file.comments,
        next: 0,
        text,
    };
    p.header(&file.header);
    for item in &file.items {
        p.flush_trailing(item.span().start as usize);
        p.out.push('\n');
        p.item(item);
    }
    p.flush(usize::MAX);
    p.out
}

struct Printer<'a> {
    out: String,
    indent: usize,
    comments: &'a [Comment],
    next: usize,
    text: &'a str,
}

impl Printer<'_> {
    /// Writes comments that start before `pos`.
    fn flush(&mut self, pos: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start as usize >= pos {
                break;
            }
            self.next += 1;
            let start = c.span.start as usize;
            let line_start = line_start(self.text, start);
            let trailing = !blank(&self.text[line_start..start]);
            if trailing && self.out.ends_with('\n') && !self.out.trim().is_empty() {
                self.out.pop();
                self.out.push_str(&format!(" //{}\n", c.text));
            } else {
                self.out.push_str(&"  ".repeat(self.indent));
                self.out.push_str(&format!("//{}\n", c.text.trim_end()));
            }
        }
    }

    /// Writes the comments before `pos` that end a line of code.
    fn flush_trailing(&mut self, pos: usize) {
        while let Some(c) = self.comments.get(self.next) {
            let start = c.span.start as usize;
            let line_start = line_start(self.text, start);
            if start >= pos || blank(&self.text[line_start..start]) {
                break;
            }
            self.flush(start + 1);
        }
    }

    fn line(&mut self, pos: u32, s: &str) {
        self.flush(pos as usize);
        self.out.push_str(&"  ".repeat(self.indent));
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn doc(&mut self, doc: &Option<Doc>) {
        if let Some(d) = doc {
            self.flush(d.span.start as usize);
            for l in &d.lines {
                let l = if l.is_empty() {
                    "///".to_string()
                } else {
                    format!("/// {l}")
                };
                self.line(d.span.start, &l);
            }
        }
    }

    fn header(&mut self, h: &Header) {
        self.doc(&h.doc);
        let ext = h
            .extends
            .as_ref()
            .map(|e| format!(" extends {}", string(e)))
            .unwrap_or_default();
        self.line(h.span.start, &format!("framework {}{ext} {{", h.id.name));
        self.props(&h.props);
        self.line(h.span.end.saturating_sub(1), "}");
    }

    fn props(&mut self, props: &[PropNode]) {
        self.indent += 1;
        for p in props {
            self.prop(p);
        }
        self.indent -= 1;
    }

    fn prop(&mut self, p: &PropNode) {
        match &p.prop {
            Prop::Child(b) => self.block(b, b.kind.keyword()),
            other => {
                let s = self.prop_text(other);
                self.line(p.span.start, &s);
            }
        }
    }

    fn prop_text(&self, p: &Prop) -> String {
        let kw = p.keyword();
        match p {
            Prop::Title(l)
            | Prop::Description(l)
            | Prop::Publisher(l)
            | Prop::Label(l)
            | Prop::Message(l) => {
                format!("{kw} {}", self.label(l))
            }
            Prop::Version(s)
            | Prop::Key(s)
            | Prop::Name(s)
            | Prop::Color(s)
            | Prop::Unit(s)
            | Prop::Source(s) => {
                format!("{kw} {}", self.str_at(s))
            }
            Prop::Languages(v) | Prop::By(v) => format!(
                "{kw} {}",
                v.iter()
                    .map(|i| i.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Prop::Missing(v)
            | Prop::DontKnow(v)
            | Prop::Refused(v)
            | Prop::Tags(v)
            | Prop::Column(v) => {
                format!(
                    "{kw} {}",
                    v.iter().map(string).collect::<Vec<_>>().join(", ")
                )
            }
            Prop::MinGroup(n)
            | Prop::MinN(n)
            | Prop::Weight(n)
            | Prop::Require(n)
            | Prop::Keep(n) => {
                format!("{kw} {}", n.raw)
            }
            Prop::Rate(i)
            | Prop::At(i)
            | Prop::Method(i)
            | Prop::Nature(i)
            | Prop::Aggregate(i)
            | Prop::Drop(i)
            | Prop::Severity(i)
            | Prop::EvidenceRef(i) => format!("{kw} {}", i.name),
            Prop::Within { parent, via } => match via {
                Some(v) => format!("within {} via {}", parent.name, string(v)),
                None => format!("within {}", parent.name),
            },
            Prop::Range(r) => format!("range {}", range(r)),
            Prop::Integer | Prop::Required | Prop::Locked => kw.to_string(),
            Prop::Value(e) | Prop::When(e) | Prop::Gate(e) | Prop::Check(e) => {
                format!("{kw} {}", expr_to_string(e))
            }
            Prop::Better(b) => format!(
                "better {}",
                if *b == Better::Lower {
                    "lower"
                } else {
                    "higher"
                }
            ),
            Prop::Normalize(n) => format!(
                "normalize {}",
                match n {
                    Normalize::Goalposts(r) => format!("goalposts {}", range(r)),
                    Normalize::Target(e) => format!("target {}", expr_to_string(e)),
                    Normalize::MinMax => "minmax".into(),
                    Normalize::Rank => "rank".into(),
                    Normalize::MapNamed(i) => format!("map {}", i.name),
                    Normalize::MapInline(entries) => format!("map {}", map_entries(entries)),
                }
            ),
            Prop::Rollup { kind, weight } => match weight {
                Some(w) => format!("rollup {} weight {}", kind.name, expr_to_string(w)),
                None => format!("rollup {}", kind.name),
            },
            Prop::Use { id, weight } => match weight {
                Some(w) => format!("use {} weight {}", id.name, w.raw),
                None => format!("use {}", id.name),
            },
            Prop::Collect { expr, filter } => match filter {
                Some(f) => format!(
                    "collect {} where {}",
                    expr_to_string(expr),
                    expr_to_string(f)
                ),
                None => format!("collect {}", expr_to_string(expr)),
            },
            Prop::Child(_) => unreachable!("children are printed as blocks"),
        }
    }

    /// A string property; triple-quoted strings keep their lines, indented.
    fn str_at(&self, s: &Str) -> String {
        if !s.triple {
            return string(s);
        }
        let pad = "  ".repeat(self.indent + 1);
        let mut out = String::from("\"\"\"\n");
        for l in s.value.lines() {
            if !l.is_empty() {
                out.push_str(&pad);
                out.push_str(l);
            }
            out.push('\n');
        }
        out.push_str(&"  ".repeat(self.indent + 1));
        out.push_str("\"\"\"");
        out
    }

    fn label(&self, l: &Label) -> String {
        l.parts
            .iter()
            .map(|p| match &p.lang {
                Some(lang) => format!("{} {}", lang.name, self.str_at(&p.text)),
                None => self.str_at(&p.text),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Block(b) => self.block(b, b.kind.keyword()),
            Item::Questions(g) => {
                let mut head = format!("questions at {}", g.level.name);
                if let Some(sec) = &g.section {
                    self.doc(&sec.doc);
                    head.push_str(&format!(" section {}", sec.id.name));
                }
                self.line(g.span.start, &format!("{head} {{"));
                self.indent += 1;
                for p in g.section.iter().flat_map(|s| &s.props) {
                    let t = self.prop_text(&p.prop);
                    self.line(p.span.start, &t);
                }
                for q in &g.questions {
                    self.question(q);
                }
                self.indent -= 1;
                self.line(g.span.end.saturating_sub(1), "}");
            }
            Item::Let(l) => {
                self.doc(&l.doc);
                self.line(
                    l.span.start,
                    &format!("let {} = {}", l.id.name, expr_to_string(&l.expr)),
                );
            }
            Item::Mapping(m) => {
                self.doc(&m.doc);
                self.line(
                    m.span.start,
                    &format!("mapping {} {}", m.id.name, map_entries(&m.entries)),
                );
            }
            Item::Ratings(r) => {
                self.doc(&r.doc);
                self.line(r.span.start, &format!("ratings {} {{", r.id.name));
                self.indent += 1;
                for s in &r.steps {
                    let mut t = s.id.name.clone();
                    if let Some(b) = &s.below {
                        t.push_str(&format!(" below {}", b.raw));
                    }
                    for p in &s.props {
                        t.push(' ');
                        t.push_str(&self.prop_text(&p.prop));
                    }
                    self.line(s.span.start, &t);
                }
                self.indent -= 1;
                self.line(r.span.end.saturating_sub(1), "}");
            }
            Item::Refine(r) => {
                let kw = format!("refine {}", r.block.kind.keyword());
                self.block(&r.block, &kw);
            }
            Item::Remove(r) => self.line(
                r.span.start,
                &format!("remove {} {}", r.kind.keyword(), r.id.name),
            ),
        }
    }

    fn block(&mut self, b: &Block, kw: &str) {
        self.doc(&b.doc);
        let mut props: Vec<&PropNode> = b.props.iter().collect();
        let mut head = format!("{kw} {}", b.id.name);
        // `rule ID at LEVEL { … }`
        if b.kind == ItemKind::Rule
            && let Some(pos) = props.iter().position(|p| matches!(p.prop, Prop::At(_)))
        {
            let at = props.remove(pos);
            head.push(' ');
            head.push_str(&self.prop_text(&at.prop));
        }
        // Short levels stay on one line.
        if b.kind == ItemKind::Level && !props.iter().any(|p| matches!(p.prop, Prop::Child(_))) {
            let inner: Vec<String> = props.iter().map(|p| self.prop_text(&p.prop)).collect();
            let one = if inner.is_empty() {
                format!("{head} {{}}")
            } else {
                format!("{head} {{ {} }}", inner.join("  "))
            };
            if one.len() + 2 * self.indent <= WIDTH && !one.contains('\n') {
                self.line(b.span.start, &one);
                return;
            }
        }
        self.line(b.span.start, &format!("{head} {{"));
        self.indent += 1;
        for p in props {
            self.prop(p);
        }
        self.indent -= 1;
        self.line(b.span.end.saturating_sub(1), "}");
    }

    fn question(&mut self, q: &Question) {
        self.doc(&q.doc);
        let props: String = q
            .props
            .iter()
            .map(|p| format!(" {}", self.prop_text(&p.prop)))
            .collect();
        let (ty, options) = match &q.ty.kind {
            QTypeKind::Number => ("number".to_string(), None),
            QTypeKind::Percent { of: Some(n) } => (format!("percent of {}", n.raw), None),
            QTypeKind::Percent { of: None } => ("percent".to_string(), None),
            QTypeKind::Scale(r, p) if p.is_empty() => (format!("scale {}", range(r)), None),
            QTypeKind::Scale(r, p) => (format!("scale {}", range(r)), Some(p)),
            QTypeKind::YesNo => ("yesno".to_string(), None),
            QTypeKind::Date => ("date".to_string(), None),
            QTypeKind::Text => ("text".to_string(), None),
            QTypeKind::Choice(o) => ("choice".to_string(), Some(o)),
            QTypeKind::Multi(o) => ("multi".to_string(), Some(o)),
        };
        let Some(options) = options else {
            self.line(q.span.start, &format!("{}: {ty}{props}", q.id.name));
            return;
        };
        let codes: Vec<String> = options.iter().map(option_code).collect();
        if options.iter().all(|o| o.label.is_none()) {
            let one = format!("{}: {ty} {{ {} }}{props}", q.id.name, codes.join(", "));
            if one.len() + 2 * self.indent <= WIDTH {
                self.line(q.span.start, &one);
                return;
            }
        }
        self.line(q.span.start, &format!("{}: {ty} {{", q.id.name));
        self.indent += 1;
        for (k, (o, code)) in options.iter().zip(&codes).enumerate() {
            let t = match &o.label {
                Some(l) => format!("{code} {}", self.label(l)),
                // Without its comma, an option with no label would take the
                // next option as its label: one written as a string, or
                // named like a language (`fr "…"`).
                None if options
                    .get(k + 1)
                    .is_some_and(|n| n.style == OptionStyle::Str || lang_like(&n.code)) =>
                {
                    format!("{code},")
                }
                None => code.clone(),
            };
            self.line(o.span.start, &t);
        }
        self.indent -= 1;
        let end = q.ty.span.end.saturating_sub(1);
        self.line(end, &format!("}}{props}"));
    }
}

/// Whether an option code could be read as a language tag (`fr`, `nl_BE`).
fn lang_like(code: &str) -> bool {
    let (head, region) = code.split_once('_').unwrap_or((code, ""));
    (2..=3).contains(&head.len())
        && head.bytes().all(|b| b.is_ascii_lowercase())
        && region.bytes().all(|b| b.is_ascii_alphanumeric())
        && (region.is_empty() != code.contains('_'))
}

fn option_code(o: &OptionDecl) -> String {
    match o.style {
        OptionStyle::Str => quote(&o.code),
        _ => o.code.clone(),
    }
}

fn map_entries(entries: &[MapEntry]) -> String {
    if entries.is_empty() {
        return "{}".into();
    }
    let inner: Vec<String> = entries
        .iter()
        .map(|e| {
            let k = match &e.key {
                MapKey::Num(n) => n.raw.clone(),
                MapKey::Text {
                    value,
                    quoted: true,
                    ..
                } => quote(value),
                MapKey::Text { value, .. } => value.clone(),
            };
            format!("{k}: {}", e.points.raw)
        })
        .collect();
    format!("{{ {} }}", inner.join(", "))
}

fn range(r: &RangeLit) -> String {
    format!("{}..{}", r.lo.raw, r.hi.raw)
}

fn string(s: &Str) -> String {
    quote(&s.value)
}
