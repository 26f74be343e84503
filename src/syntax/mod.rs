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

/// Parses one file.
///
/// # Errors
/// Returns the diagnostics when the text is not a valid grille file. Warnings
/// found along the way (a property written twice) are returned with the file.
pub fn parse(src: SourceId, text: &str) -> Result<(ast::File, Vec<Diag>), Vec<Diag>> {
    use pest::Parser;
    // pest's parser recurses once per bracket and per nested `if`:
    // refuse deep nesting before it runs.
    if let Some(at) = too_deep(text) {
        let span = crate::source::Span::new(src, at, at + 1);
        return Err(vec![
            Diag::error(SyntaxError::TooDeep(MAX_DEPTH), span, "one level too many")
                .help("split the block or the expression; name parts with `let`"),
        ]);
    }
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
