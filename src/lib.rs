//! grille: a language and engine for social-impact indicator frameworks.
//!
//! ```text
//!  .grille text ──syntax──▶ AST ──check──▶ ir::Framework ──eval──▶ results ──report──▶ JSON/CSV/MD/HTML
//!                  (pest)        (names, levels, types,      (columnar)
//!                                 extends merging)
//! ```
//!
//! Each stage is a public module with its own error enum; every problem is a
//! [`diagnostic::Diag`] with a stable code and spans into a
//! [`source::SourceMap`]. The library never prints: rendering is the CLI's job.

// Columnar kernels walk several parallel columns by row index on purpose.
#![allow(clippy::needless_range_loop)]

// pest's generated parser is built without pest's `std` feature, and so
// names `alloc`; see syntax/mod.rs for why that feature is left out.
extern crate alloc;

pub mod check;
pub mod compare;
pub mod data;
pub mod diagnostic;
pub mod eval;
pub mod fingerprint;
pub mod fmt;
pub mod ftest;
#[doc(hidden)]
pub mod fuzz;
pub mod ir;
pub mod report;
pub mod source;
pub mod sql;
pub mod suggest;
pub mod syntax;
pub mod text;
pub mod workspace;

/// The engine's name and version, as written into results.
pub const ENGINE: &str = concat!("grille ", env!("CARGO_PKG_VERSION"));
