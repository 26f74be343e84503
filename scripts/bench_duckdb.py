#!/usr/bin/env python3
"""grille beside DuckDB on the benchmark framework, at several sizes.

For each size: generates the territory > enterprise > person tables
(`examples/bench.rs data N`), compiles `examples/bench.grille` (without its
`min_group` line, which the tidy SQL does not apply) to DuckDB's SQL with
`grille sql --dialect duckdb`, exports the typed tables DuckDB loads
(`grille sql --export`, untimed), then runs, alternately, RUNS times each:

- grille: `grille eval --format csv` on the raw CSV files;
- DuckDB (Python package, 2 threads): creating the tables, `COPY` of the
  typed CSV files, the query, every row fetched and written as CSV;
- the parse floor: `bench floor`, the CSV state machine walking every
  field of the raw person file without typing any (one thread).

It prints the median wall time and peak memory (each run is a child
process; its peak resident memory is what `wait4` reports) of each, the
ratio grille / DuckDB, and whether every dimension score agrees between
the two outputs (to 1e-9).

Usage: python3 scripts/bench_duckdb.py [--runs 5] [--sizes 100000,1000000]
       [--grille target/release/grille] [--duckdb-memory 8GB]

At 10M persons DuckDB needs more memory for grille's statement than the
machine has: --duckdb-memory caps it, and it spills the rest to disk.

Build first: cargo build --release --bin grille --example bench
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DUCKDB_CHILD = r"""
import csv, sys, duckdb
schema, query, typed, out, memory, spill = sys.argv[1:7]
con = duckdb.connect()
con.execute("SET threads = 2")
if memory:
    # Beyond this DuckDB writes what it holds to the spill folder.
    con.execute(f"SET memory_limit = '{memory}'")
    con.execute(f"SET temp_directory = '{spill}'")
con.execute(open(schema).read())
for level in ("entreprise", "personne"):
    con.execute(f"COPY \"{level}\" FROM '{typed}/{level}.csv' (HEADER true)")
cur = con.execute(open(query).read())
names = [d[0] for d in cur.description]
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(names)
    while True:
        rows = cur.fetchmany(100000)
        if not rows:
            break
        w.writerows(rows)
"""



def timed(cmd):
    """Wall seconds and peak resident MiB of one child process."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024


def dimension_scores(path):
    """(level, unit, dimension) -> score, from a result CSV."""
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["kind"] == "dimension" and not r.get("breakdown"):
                out[(r["level"], r["unit"], r["item"])] = r["score"]
    return out


def agree(a, b):
    if a.keys() != b.keys():
        return False, f"{len(a)} against {len(b)} dimension rows"
    worst = 0.0
    for k, x in a.items():
        y = b[k]
        if (x in ("", "None")) != (y in ("", "None")):
            return False, f"{k}: {x!r} against {y!r}"
        if x not in ("", "None"):
            worst = max(worst, abs(float(x) - float(y)))
    return worst <= 1e-9, f"{len(a)} scores, largest difference {worst:.1e}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="100000,1000000,10000000")
    ap.add_argument("--grille", default=os.path.join(ROOT, "target/release/grille"))
    ap.add_argument("--duckdb-memory", default="",
                    help="DuckDB's memory limit (say 8GB), spilling beyond it to disk")
    a = ap.parse_args()
    bench = os.path.join(ROOT, "target/release/examples/bench")
    work = tempfile.mkdtemp(prefix="grille-vs-duckdb-")
    fw = os.path.join(work, "bench.grille")
    with open(os.path.join(ROOT, "examples/bench.grille")) as src, open(fw, "w") as dst:
        dst.writelines(l for l in src if "min_group" not in l)
    schema, query = os.path.join(work, "schema.sql"), os.path.join(work, "query.sql")
    for path, extra in ((schema, ["--schema"]), (query, ["--order", "row"])):
        with open(path, "w") as f:
            subprocess.run([a.grille, "sql", fw, "--dialect", "duckdb", *extra], stdout=f, check=True)
    print(f"load: {open('/proc/loadavg').read().strip()}  cores: {os.cpu_count()}")
    print("persons | grille s (MiB) | DuckDB s (MiB) | ratio | parse floor s | scores")
    for n in [int(x) for x in a.sizes.split(",")]:
        folder = subprocess.run([bench, "data", str(n)], capture_output=True, text=True, check=True)
        data = folder.stdout.strip().splitlines()[-1]
        tables = [f"--data=entreprise={data}/entreprise.csv", f"--data=personne={data}/personne.csv"]
        typed = os.path.join(work, f"typed-{n}")
        subprocess.run([a.grille, "sql", fw, *tables, "--export", typed], check=True)
        g_out, d_out = os.path.join(work, "grille.csv"), os.path.join(work, "duckdb.csv")
        grille = [a.grille, "eval", fw, *tables, "--format", "csv", "--out", g_out]
        spill = os.path.join(work, "spill")
        duck = [sys.executable, "-c", DUCKDB_CHILD, schema, query, typed, d_out, a.duckdb_memory, spill]
        floor = [bench, "floor", f"{data}/personne.csv"]
        g, d, p = [], [], []
        for _ in range(a.runs):
            g.append(timed(grille))
            d.append(timed(duck))
            p.append(timed(floor))
        ok, why = agree(dimension_scores(g_out), dimension_scores(d_out))
        med = lambda xs, i: statistics.median(x[i] for x in xs)
        print(
            f"{n:>9,} | {med(g, 0):.2f} ({med(g, 1):.0f}) | {med(d, 0):.2f} ({med(d, 1):.0f})"
            f" | {med(g, 0) / med(d, 0):.2f} | {med(p, 0):.2f} | {'equal' if ok else 'DIFFER'}: {why}"
        )
        subprocess.run(["rm", "-rf", data, typed])


if __name__ == "__main__":
    main()
