//! Stage 1, syntax: text → spanned AST.
//!
//! In: one source text and its [`SourceId`]. Out: an [`ast::File`] or the
//! diagnostics that stopped it. This is the only module that knows pest's
//! `Rule`; pest's errors are turned into words here (`errors.rs`).

pub mod ast;
mod build;
pub mod comments;
mod errors;
mod expr;
mod nesting;
pub mod spell;

use crate::diagnostic::{Code, Diag};
use crate::source::SourceId;

/// The generated parser, in a private module so that its `Rule` enum stays
/// inside this stage: nothing outside `syntax` can name a grammar rule.
mod parser {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/grille.pest"]
    pub(super) struct GrilleParser;
}

use parser::{GrilleParser, Rule};

/// Problems found while reading a file.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SyntaxError {
    #[error("expected {expected}")]
    Unexpected { expected: String },
    #[error("unknown {what} `{found}`")]
    UnknownWord { what: &'static str, found: String },
    #[error("invalid escape in string")]
    BadEscape,
    #[error("`{0}` is written twice in this block")]
    RepeatedProperty(&'static str),
    #[error("nested more than {0} levels deep")]
    TooDeep(u32),
    #[error("`{block}` is not closed: a `}}` is missing")]
    Unclosed { block: String },
}

impl Code for SyntaxError {
    fn code(&self) -> &'static str {
        match self {
            SyntaxError::Unexpected { .. } => "grille::syntax::unexpected",
            SyntaxError::UnknownWord { .. } => "grille::syntax::unknown_word",
            SyntaxError::BadEscape => "grille::syntax::bad_escape",
            SyntaxError::RepeatedProperty(_) => "grille::syntax::repeated_property",
            SyntaxError::TooDeep(_) => "grille::syntax::too_deep",
            SyntaxError::Unclosed { .. } => "grille::syntax::unclosed",
        }
    }
}

/// A file read, with its warnings; or the diagnostics that stopped it.
pub type Parsed = Result<(ast::File, Vec<Diag>), Vec<Diag>>;

/// Parses one file.
///
/// # Errors
/// Returns the diagnostics when the text is not a valid grille file. Warnings
/// found along the way (a property written twice) are returned with the file.
pub fn parse(src: SourceId, text: &str) -> Parsed {
    // pest's parser recurses once per bracket and per nested `if`:
    // refuse deep nesting before it runs.
    if let Some(at) = too_deep(text) {
        let span = crate::source::Span::new(src, at, at + 1);
        return Err(vec![
            Diag::error(SyntaxError::TooDeep(MAX_DEPTH), span, "one level too many")
                .help("split the block or the expression; name parts with `let`"),
        ]);
    }
    parse_in_two(src, text).unwrap_or_else(|| parse_whole(src, text))
}

/// Parses the file in one piece, and when it does not parse, says where
/// and goes on to report the errors of later items.
fn parse_whole(src: SourceId, text: &str) -> Parsed {
    use pest::Parser;
    match GrilleParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let file_pair = pairs.next().expect("rule `file` yields one pair");
            let mut b = build::Builder::new(src, text);
            let file = b.file(file_pair);
            if b.diags.iter().any(Diag::is_error) {
                Err(b.diags)
            } else {
                Ok((file, b.diags))
            }
        }
        Err(e) => {
            // Report further errors too: start again at each later item
            // written at the start of a line.
            let mut diags = vec![errors::from_pest(src, text, &e, 0)];
            let mut pos = errors::position(&e);
            while diags.len() < MAX_SYNTAX_ERRORS {
                let Some(start) = next_item(text, pos) else {
                    break;
                };
                match GrilleParser::parse(Rule::items, &text[start..]) {
                    Ok(_) => break,
                    Err(e) => {
                        diags.push(errors::from_pest(src, text, &e, start));
                        pos = start + errors::position(&e);
                    }
                }
            }
            Err(diags)
        }
    }
}

/// Files of this size or more are read in two pieces, one per core.
const SPLIT_BYTES: usize = 256 * 1024;

/// A large file parsed as two pieces on two threads: up to the first item
/// that starts a line after about the middle, and from there. pest is most of
/// the time of `check`, and a 5,000-indicator framework took 0.13 s on
/// one core.
///
/// Both pieces parse only if the cut is where an item really starts (a
/// cut inside a block or a string leaves the first piece unfinished), and
/// then the items are those the whole file gives, in the same order, with
/// the same spans. When either piece does not parse, or the machine has
/// one core, `None`: the file is parsed whole, so that errors are found
/// and worded exactly as they always are.
fn parse_in_two(src: SourceId, text: &str) -> Option<Parsed> {
    use pest::Parser;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if text.len() < SPLIT_BYTES || cores < 2 {
        return None;
    }
    // A little before the middle: this thread also joins the pieces.
    let cut = next_item(text, text.len() / 20 * 9)?;
    std::thread::scope(|sc| {
        let later = sc.spawn(move || {
            let pair = GrilleParser::parse(Rule::items, &text[cut..])
                .ok()?
                .next()?;
            Some(build::Builder::at(src, text, cut).piece(pair))
        });
        let mut b = build::Builder::new(src, text);
        let first = GrilleParser::parse(Rule::file, &text[..cut])
            .ok()
            .and_then(|mut pairs| pairs.next())
            .map(|pair| b.begin(pair));
        let later = later
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))?;
        let file = b.finish(first?, later);
        Some(match b.diags.iter().any(Diag::is_error) {
            true => Err(b.diags),
            false => Ok((file, b.diags)),
        })
    })
}

pub use expr::MAX_DEPTH;
use nesting::too_deep;
pub(crate) use nesting::unclosed;

/// Whether the word at `pos` starts an item: an item keyword at the start
/// of a line.
pub(crate) fn starts_item(text: &str, pos: usize) -> bool {
    let line_start = comments::line_start(text, pos);
    let word: String = text[pos..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    text[line_start..pos].trim().is_empty() && ITEM_KEYWORDS.contains(&word.as_str())
}

/// How many syntax errors one file reports at most.
const MAX_SYNTAX_ERRORS: usize = 20;

const ITEM_KEYWORDS: &[&str] = &[
    "level",
    "questions",
    "let",
    "indicator",
    "dimension",
    "evidence",
    "mapping",
    "rule",
    "ratings",
    "refine",
    "remove",
];

/// The start of the first line after the one holding `pos` that begins
/// (unindented) with an item keyword.
fn next_item(text: &str, pos: usize) -> Option<usize> {
    let mut at = text[pos.min(text.len())..]
        .find('\n')
        .map(|i| pos + i + 1)?;
    while at < text.len() {
        let line = &text[at..];
        let word: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ITEM_KEYWORDS.contains(&word.as_str()) && line[word.len()..].starts_with([' ', '\t']) {
            return Some(at);
        }
        at = match line.find('\n') {
            Some(i) => at + i + 1,
            None => return None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A framework of `n` indicators with comments, doc comments and
    /// multi-line strings; `trap` puts an unindented `indicator` line
    /// inside a triple-quoted description near the middle.
    fn large(n: usize, trap: bool) -> String {
        let mut t = String::from(
            "framework big {\n  title \"Big\"\n}\n\nlevel org { label \"Org\" }\n\
             level person { within org  label \"Person\" }\n\n\
             questions at person {\n  q: scale 1..5\n  ok: yesno\n}\n\n",
        );
        for i in 0..n {
            if trap && i == n / 2 {
                t.push_str("let note = \"\"\"\nindicator inside a string {\n\"\"\"\n");
            }
            t.push_str(&format!(
                "// indicator {i}\n/// The share of yes, {i}.\nindicator i{i} {{\n  at org\n  \
                 label \"Indicator {i}\"\n  value share(q >= {} where ok)  // kept\n}}\n\n",
                i % 5 + 1
            ));
        }
        t
    }

    /// Read in two pieces, a large file gives exactly what it gives read
    /// whole: items, spans, doc comments, free comments, warnings.
    #[test]
    fn two_pieces_read_as_the_whole() {
        let src = SourceId::default();
        for (n, trap) in [(2000, false), (2500, true), (3500, false)] {
            let text = large(n, trap);
            assert!(text.len() >= SPLIT_BYTES, "{} bytes", text.len());
            let whole = parse_whole(src, &text);
            let ok = whole.as_ref().map(|(f, _)| f.items.len());
            assert!(ok.is_ok(), "the generated file parses");
            if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
                continue;
            }
            let split = parse_in_two(src, &text).expect("the file is cut");
            assert_eq!(split, whole, "{n} indicators");
        }
    }

    /// A cut that falls inside a string, or a piece that does not parse,
    /// leaves the file to be read whole, so its errors are the usual ones.
    #[test]
    fn a_piece_that_fails_leaves_the_file_whole() {
        let src = SourceId::default();
        // The first item-like line after the middle is inside a string
        // that starts before it.
        let mut text = large(2000, false);
        let quarter = text.len() / 4;
        let at = text[quarter..]
            .find("\n// indicator")
            .map_or(quarter, |i| quarter + i + 1);
        let filler = "not an item\n".repeat(text.len() / 20);
        let long = format!("let s = \"\"\"\n{filler}indicator x {{\n\"\"\"\n");
        text.insert_str(at, &long);
        let cut = next_item(&text, text.len() / 20 * 9).expect("a line to cut at");
        assert!(
            text[..cut].ends_with("not an item\n"),
            "the cut is in the string"
        );
        assert!(parse_in_two(src, &text).is_none());
        assert!(parse_whole(src, &text).is_ok());
        // An error in the second half.
        let mut bad = large(2000, false);
        let end = bad.len();
        bad.insert_str(end, "indicator broken {\n  at\n");
        assert!(parse_in_two(src, &bad).is_none());
        let errs = parse(src, &bad).expect_err("a syntax error");
        assert_eq!(errs[0].code, "grille::syntax::unexpected");
        assert_eq!(errs, parse_whole(src, &bad).expect_err("the same"));
    }
}
