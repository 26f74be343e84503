"""Runs grille's SQL in DuckDB, as the differential test does.

Usage: duckdb_run.py DIR, where DIR holds `schema.sql` (from `grille sql
--schema --dialect duckdb`), `query.sql` (from `grille sql --dialect
duckdb --order row`) and one typed CSV per level (from `grille sql
--export DIR`). Prints the query's rows as CSV, NULL as an empty field.

When DIR holds `record.sql` (from `grille sql --record`) and `eval.json`
(`{"cwd": …, "runs": [[grille, "eval", …], …]}`), the record is run
instead, as a user would run it: its rows written as JSON lines to
DIR/record.json, then the first command (which reads them with `--record`
and `--hidden DIR/grille_hidden.csv`) run; while it exits 4 (disclosure
control hides other values than the run masked), the table
`grille_hidden` is loaded again from the file and the record run again.
The other commands then read the same record.
"""
import csv
import json
import os
import subprocess
import sys

import duckdb

d = sys.argv[1]
con = duckdb.connect()
con.execute(open(os.path.join(d, "schema.sql")).read())


def copy(table, path):
    table = table.replace('"', '""')
    path = path.replace("'", "''")
    con.execute(f"COPY \"{table}\" FROM '{path}' (HEADER, NULLSTR '', ALLOW_QUOTED_NULLS false)")


for f in sorted(os.listdir(d)):
    if f.endswith(".csv") and f != "grille_hidden.csv":
        copy(f[:-4], os.path.join(d, f))


def record(d):
    plan = json.load(open(os.path.join(d, "eval.json")))
    hidden = os.path.join(d, "grille_hidden.csv")
    open(hidden, "w").write("i,l,b,c,k\n")
    record = open(os.path.join(d, "record.sql")).read()
    masks = "grille_hidden" in open(os.path.join(d, "schema.sql")).read()
    for runs in range(1, 21):
        if masks:
            con.execute("DELETE FROM grille_hidden")
            copy("grille_hidden", hidden)
        cur = con.execute(record)
        cols = [c[0] for c in cur.description]
        with open(os.path.join(d, "record.json"), "w") as out:
            for row in cur.fetchall():
                out.write(json.dumps(dict(zip(cols, row)), default=str) + "\n")
        code = subprocess.run(plan["runs"][0], cwd=plan["cwd"]).returncode
        if code == 0:
            # How many runs of the record it took, for the test to check.
            open(os.path.join(d, "runs"), "w").write(f"{runs}\n")
            break
        if code != 4:
            sys.exit(f"grille exited {code}")
    else:
        sys.exit("disclosure control did not settle in 20 runs")
    for cmd in plan["runs"][1:]:
        code = subprocess.run(cmd, cwd=plan["cwd"]).returncode
        if code != 0:
            sys.exit(f"grille exited {code} on {cmd}")


if os.path.exists(os.path.join(d, "record.sql")):
    record(d)
    sys.exit(0)
rows = con.execute(open(os.path.join(d, "query.sql")).read()).fetchall()
w = csv.writer(sys.stdout, lineterminator="\n")
for r in rows:
    w.writerow(["" if x is None else x for x in r])
