//! The `grille` command: parses arguments, runs a subcommand, maps the
//! outcome to an exit code. All work is done by the library.

mod cli;

fn main() {
    tune_allocator();
    std::process::exit(cli::run());
}

/// glibc serves a large block by `mmap` and unmaps it when freed, but it
/// raises that size threshold (up to 32 MiB) each time such a block is
/// freed; from then on the evaluation's columns (8 MB each at a million
/// rows) come from the heap, whose freed space stays resident. That was
/// 40 MiB of the peak memory at a million rows. Fixing the threshold at
/// glibc's own starting value turns the raising off.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: called first in `main`, before any other thread exists;
    // `mallopt` only sets a parameter of the allocator.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
