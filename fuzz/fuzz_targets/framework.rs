//! Fuzz target `framework`: see `grille::fuzz::framework` and docs/reliability.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| grille::fuzz::framework(data));
