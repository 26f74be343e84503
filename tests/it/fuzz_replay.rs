//! Replays every input saved under `fuzz/regressions/<target>/` through the
//! fuzz target's own function, on the stable toolchain: the crashes found
//! by fuzzing (and the bad inputs of the defects issue) stay fixed.

use crate::support::root;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = root().join("fuzz/regressions").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("readable");
        // Run on a thread with the default stack of spawned threads (2 MiB),
        // smaller than the main thread's, so deep input is tested harder.
        let handle = std::thread::spawn(move || run(&bytes));
        assert!(handle.join().is_ok(), "{target}: {} panics", path.display());
        n += 1;
    }
    assert!(n > 0, "no saved input for {target}");
}

#[test]
fn framework_inputs() {
    replay("framework", grille::fuzz::framework);
}

#[test]
fn fmt_roundtrip_inputs() {
    replay("fmt_roundtrip", grille::fuzz::fmt_roundtrip);
}

#[test]
fn csv_table_inputs() {
    replay("csv_table", grille::fuzz::csv_table);
}

#[test]
fn test_file_inputs() {
    replay("test_file", grille::fuzz::test_file);
}
