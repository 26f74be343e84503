//! The integration tests: one binary, one module per area.

mod asked;
mod bad_error_messages;
mod breakdowns;
mod cli;
mod collection;
mod compare;
mod conformance;
mod defects;
mod diagnostics;
mod docs;
mod eval_props;
mod eval_rules;
mod explain;
mod fmt;
mod form;
mod frameworks;
mod ftest;
mod fuzz_replay;
mod leaks;
mod names;
mod record;
mod reports;
mod spec_examples;
mod sql;
mod support;
mod unit_reports;
