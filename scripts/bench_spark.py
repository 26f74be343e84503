#!/usr/bin/env python3
"""The benchmark framework in Spark's local mode, through the record round
trip a Spark user runs (docs/sql.md), compared with the in-memory run.

For one size: generates the tables (`examples/bench.rs data N`), writes
the Spark schema, the record statement and the typed tables (`grille sql
--schema / --record / --export`, untimed), then times
`tests/sql/spark_run.py` on that folder: Spark's start, the typed tables
made ready (views over the CSV files, or Parquet written once with
--parquet), the record run again while disclosure control asks for it,
and `grille eval --record --format csv` reading each run back. The
result is compared field by field with `grille eval --format csv` on the
raw files (numbers to 1e-9 relative, everything else exactly).

Usage: python3 scripts/bench_spark.py N [--cores 1] [--parquet] [--memory 4g]
       [--grille target/release/grille] [--work DIR]

Build first: cargo build --release --bin grille --example bench
"""

import argparse
import csv
import itertools
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAMEWORK = os.path.join(ROOT, "examples", "bench.grille")


def grille_out(grille, args, **kw):
    return subprocess.run([grille, *args], check=True, capture_output=True, text=True, **kw).stdout


def same(a, b):
    """Two CSV fields agree: equal text, or numbers within 1e-9 relative.
    Returns whether they agree and their relative difference (0 when the
    texts are equal)."""
    if a == b:
        return True, 0.0
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False, 0.0
    rel = abs(x - y) / max(abs(x), abs(y))
    return rel <= 1e-9, rel


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--cores", default="1")
    ap.add_argument("--parquet", action="store_true")
    ap.add_argument("--memory", default="4g", help="Spark's driver memory")
    ap.add_argument("--grille", default=os.path.join(ROOT, "target/release/grille"))
    ap.add_argument("--work")
    a = ap.parse_args()
    grille = os.path.abspath(a.grille)
    bench = os.path.join(os.path.dirname(grille), "examples", "bench")
    data = subprocess.run([bench, "data", str(a.n)], check=True, capture_output=True, text=True)
    data = data.stdout.strip().splitlines()[-1]
    work = a.work or os.path.join(data, "spark")
    os.makedirs(os.path.join(work, "out"), exist_ok=True)
    tables = ["--data", f"entreprise={data}/entreprise.csv", "--data", f"personne={data}/personne.csv"]
    sql = ["sql", FRAMEWORK, "--dialect", "spark"]
    open(os.path.join(work, "schema.sql"), "w").write(grille_out(grille, [*sql, "--schema"]))
    open(os.path.join(work, "record.sql"), "w").write(
        grille_out(grille, [*sql, "--record", "--order", "row"]))
    grille_out(grille, ["sql", FRAMEWORK, "--export", work, *tables])
    got = os.path.join(work, "out", "result.csv")
    run = [grille, "eval", FRAMEWORK, "--format", "csv", *tables,
           "--record", os.path.join(work, "record.json"),
           "--hidden", os.path.join(work, "grille_hidden.csv"), "--out", got]
    json.dump({"cwd": ROOT, "runs": [run]}, open(os.path.join(work, "eval.json"), "w"))
    env = dict(os.environ, GRILLE_SPARK_CORES=a.cores, GRILLE_SPARK_PARQUET="1" if a.parquet else "0",
               GRILLE_SPARK_MEMORY=a.memory)
    start = time.monotonic()
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/sql/spark_run.py"), work],
                   check=True, env=env)
    wall = time.monotonic() - start
    runs = open(os.path.join(work, "runs")).read().strip()
    # Compared row by row from files: at 10M persons the result holds
    # over 200 million fields, too many to hold as Python strings.
    memory = os.path.join(work, "out", "memory.csv")
    with open(memory, "w") as out:
        subprocess.run([grille, "eval", FRAMEWORK, "--format", "csv", *tables], check=True, stdout=out)
    fields = last_digit = 0
    worst = 0.0
    with open(memory, newline="") as lf, open(got, newline="") as rf:
        left, right = csv.reader(lf), csv.reader(rf)
        for i, (l, r) in enumerate(itertools.zip_longest(left, right)):
            if l is None or r is None or len(l) != len(r):
                sys.exit(f"bench_spark: row {i + 1} differs in shape: {l!r} in memory, {r!r} from Spark")
            for x, y in zip(l, r):
                ok, rel = same(x, y)
                if not ok:
                    sys.exit(f"bench_spark: row {i + 1}: {x!r} in memory, {y!r} from Spark")
                fields += 1
                if x != y:
                    last_digit += 1
                    worst = max(worst, rel)
    print(f"{a.n} persons, local[{a.cores}], {a.memory} driver, {'Parquet' if a.parquet else 'CSV views'}: "
          f"{wall:.0f} s for {runs} run(s) of the record; {fields} fields equal to memory's "
          f"({last_digit} numbers written differently, at most {worst:.1e} apart relatively)")


main()
