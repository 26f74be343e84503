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

use crate::diagnostic::{Code, Diag};
use crate::source::SourceId;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/grille.pest"]
pub(crate) struct GrilleParser;

/// Problems found while reading a file.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SyntaxError {
    #[error("expected {expected}")]
    Unexpected { expected: String },
    #[error("unknown {what} `{found}`")]
    UnknownWord { what: &'static str, found: String },
    #[error("invalid number `{0}`")]
    BadNumber(String),
    #[error("invalid escape in string")]
    BadEscape,
    #[error("`{0}` is written twice in this block")]
    RepeatedProperty(&'static str),
}

impl Code for SyntaxError {
    fn code(&self) -> &'static str {
        match self {
            SyntaxError::Unexpected { .. } => "grille::syntax::unexpected",
            SyntaxError::UnknownWord { .. } => "grille::syntax::unknown_word",
            SyntaxError::BadNumber(_) => "grille::syntax::bad_number",
            SyntaxError::BadEscape => "grille::syntax::bad_escape",
            SyntaxError::RepeatedProperty(_) => "grille::syntax::repeated_property",
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
        Err(e) => Err(vec![errors::from_pest(src, text, &e)]),
    }
}
