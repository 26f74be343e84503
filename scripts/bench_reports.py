#!/usr/bin/env python3
"""grille's output formats side by side, and how a run grows with its size.

For each size: generates the territory > enterprise > person tables
(`examples/bench.rs data N`, kept in /tmp/grille-bench-N if already there),
runs `grille eval examples/bench.grille` on them once per format (`json`,
`md`, `html`) into a file, untimed, to warm the caches and print the
output's size; then, alternately, RUNS times each, timed, with the output
written to /dev/null (or, with --to-files, to a file, with every dirty
page written to disk before each run). It prints, per size and format, the
median wall time, the range, the median peak memory (what `wait4` reports
for the child) and the ratio to the JSON run; and, when several sizes are
given, the ratio of each JSON median to the smallest size's.

Why /dev/null by default: a gigabyte of HTML written into the page cache
is timed by the disk as much as by grille. Runs writing files one after
another on this machine varied from 2.5 to 5.5 s, depending on how much of
the previous runs' output the kernel was still writing back.

Usage: python3 scripts/bench_reports.py [--runs 5] [--sizes 1000000]
       [--formats json,md,html] [--to-files] [--grille target/release/grille]

The figures depend on what else the machine does: pause other work
(`kill -STOP`) while it runs, and say so beside the figures.

Build first: cargo build --release --bin grille --example bench
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, out):
    """Wall time (s) and peak resident memory (MiB) of one child."""
    with open(out, "wb") as f:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024


def data(bench, n):
    folder = f"/tmp/grille-bench-{n}"
    if not os.path.exists(os.path.join(folder, "personne.csv")):
        subprocess.run([bench, "data", str(n)], check=True, stdout=subprocess.DEVNULL)
    return folder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--formats", default="json,md,html")
    ap.add_argument("--to-files", action="store_true")
    ap.add_argument("--grille", default=os.path.join(ROOT, "target/release/grille"))
    ap.add_argument("--bench", default=os.path.join(ROOT, "target/release/examples/bench"))
    args = ap.parse_args()
    formats = args.formats.split(",")
    framework = os.path.join(ROOT, "examples/bench.grille")
    json_medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(s) for s in args.sizes.split(",")]:
            folder = data(args.bench, n)
            cmd = [
                args.grille, "eval", framework,
                "--data", f"personne={folder}/personne.csv",
                "--data", f"entreprise={folder}/entreprise.csv",
            ]
            walls = {f: [] for f in formats}
            peaks = {f: [] for f in formats}
            sizes = {}
            for f in formats:
                out = os.path.join(tmp, f"out.{f}")
                timed(cmd + ["--format", f], out)
                sizes[f] = os.path.getsize(out)
                os.remove(out)
            for _ in range(args.runs):
                for f in formats:
                    out = os.devnull
                    if args.to_files:
                        out = os.path.join(tmp, f"out.{f}")
                        os.sync()
                    wall, peak = timed(cmd + ["--format", f], out)
                    walls[f].append(wall)
                    peaks[f].append(peak)
                    if args.to_files:
                        os.remove(out)
            base = statistics.median(walls["json"]) if "json" in walls else None
            if base:
                json_medians[n] = base
            print(f"{n:,} persons, {args.runs} runs each, alternating")
            for f in formats:
                med = statistics.median(walls[f])
                ratio = f"{med / base:.2f} x JSON" if base else ""
                print(
                    f"  {f:5} median {med:6.2f} s  (range {min(walls[f]):.2f}-{max(walls[f]):.2f})"
                    f"  peak {statistics.median(peaks[f]):6.0f} MiB"
                    f"  {sizes[f] / 1e6:8.1f} MB  {ratio}"
                )
    if len(json_medians) > 1:
        first = min(json_medians)
        for n, med in sorted(json_medians.items()):
            if n != first:
                print(
                    f"JSON at {n:,} / at {first:,}: {med / json_medians[first]:.2f} x"
                    f" for {n / first:.0f} x the persons"
                )


if __name__ == "__main__":
    main()
