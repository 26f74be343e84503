//! Fuzz target `test_file`: see `grille::fuzz::test_file` and docs/reliability.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| grille::fuzz::test_file(data));
