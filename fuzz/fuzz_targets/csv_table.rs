//! Fuzz target `csv_table`: see `grille::fuzz::csv_table` and docs/reliability.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| grille::fuzz::csv_table(data));
