//! Fuzz target `fmt_roundtrip`: see `grille::fuzz::fmt_roundtrip` and docs/reliability.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| grille::fuzz::fmt_roundtrip(data));
