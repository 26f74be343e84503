//! Rendering a report's runs of units on several threads.
//!
//! In: the runs, a builder to fork, a renderer and a writer. Out: the
//! runs' texts written in order. Each thread takes the next run as soon
//! as it is free (so no thread waits for a slower one, as threads made
//! round by round did, which left a third of the second core idle), and
//! this thread writes texts as they come in order. A thread may not get
//! more than [`AHEAD`] runs per thread ahead of the writer, which bounds
//! the text held whatever the number of units; written texts are handed
//! back to be filled again (a run's text is a megabyte or more, and fresh
//! ones cost page faults as they grow).

use super::{B, Render, render_run};
use crate::ir::LevelId;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// Runs a thread may render ahead of the writer, per thread.
const AHEAD: usize = 2;

/// What the threads share: the next run to take, how many are written
/// (or that the work stopped), and texts to reuse.
struct Shared {
    next: AtomicUsize,
    written: Mutex<Progress>,
    moved: Condvar,
    spare: Mutex<Vec<String>>,
}

#[derive(Clone, Copy)]
struct Progress {
    runs: usize,
    /// Set when writing failed or a thread panicked: everyone stops.
    stopped: bool,
}

impl Shared {
    /// Waits until run `i` may be rendered; false if the work stopped.
    fn may_render(&self, i: usize, window: usize) -> bool {
        let mut p = lock(&self.written);
        while !p.stopped && i >= p.runs + window {
            p = self.moved.wait(p).unwrap_or_else(|e| e.into_inner());
        }
        !p.stopped
    }

    fn advance(&self, runs: usize) {
        lock(&self.written).runs = runs;
        self.moved.notify_all();
    }

    fn stop(&self) {
        lock(&self.written).stopped = true;
        self.moved.notify_all();
    }
}

/// Stops the work when dropped.
struct StopOnDrop<'a>(&'a Shared);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// A lock that a panicking thread cannot make unusable: what it guards
/// (counters, spare strings) stays valid whatever the panic.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Renders `runs` on `threads` threads and writes their texts into `w` in
/// order. A panic in a thread is passed on here once all have stopped.
pub(super) fn write_runs(
    b: &B<'_>,
    runs: &[&[(LevelId, usize)]],
    render: &Render,
    threads: usize,
    w: &mut dyn Write,
) -> io::Result<()> {
    let shared = Shared {
        next: AtomicUsize::new(0),
        written: Mutex::new(Progress {
            runs: 0,
            stopped: false,
        }),
        moved: Condvar::new(),
        spare: Mutex::new(Vec::new()),
    };
    let window = AHEAD * threads;
    let (tx, rx) = mpsc::channel::<(usize, String)>();
    std::thread::scope(|sc| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (tx, mut b, shared) = (tx.clone(), b.fork(), &shared);
                sc.spawn(move || {
                    let work = std::panic::AssertUnwindSafe(|| {
                        loop {
                            let i = shared.next.fetch_add(1, Ordering::Relaxed);
                            if i >= runs.len() || !shared.may_render(i, window) {
                                return;
                            }
                            let mut text = lock(&shared.spare).pop().unwrap_or_default();
                            render_run(&mut b, runs[i], render, &mut text);
                            if tx.send((i, text)).is_err() {
                                return;
                            }
                        }
                    });
                    let out = std::panic::catch_unwind(work);
                    if out.is_err() {
                        shared.stop();
                    }
                    out
                })
            })
            .collect();
        drop(tx);
        let written = {
            // Stops the threads when writing ends, whether it failed or
            // panicked: none is left waiting for a turn that won't come.
            let _stop = StopOnDrop(&shared);
            write_in_order(&rx, &shared, w)
        };
        drop(rx);
        for h in workers {
            if let Ok(Err(panic)) | Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
        written
    })
}

/// Writes texts as they arrive, in run order, until every thread is done
/// or writing fails.
fn write_in_order(
    rx: &mpsc::Receiver<(usize, String)>,
    shared: &Shared,
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut waiting = BTreeMap::new();
    let mut k = 0;
    for (i, text) in rx {
        waiting.insert(i, text);
        let before = k;
        while let Some(text) = waiting.remove(&k) {
            w.write_all(text.as_bytes())?;
            lock(&shared.spare).push(text);
            k += 1;
        }
        if k > before {
            shared.advance(k);
        }
    }
    Ok(())
}
