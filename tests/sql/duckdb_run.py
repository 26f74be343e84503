"""Runs grille's SQL in DuckDB, as the differential test does.

Usage: duckdb_run.py DIR, where DIR holds `schema.sql` (from `grille sql
--schema --dialect duckdb`), `query.sql` (from `grille sql --dialect
duckdb --order row`) and one typed CSV per level (from `grille sql
--export DIR`). Prints the query's rows as CSV, NULL as an empty field.

When DIR holds `record.sql` and `eval.json`, the record round trip is
run instead (see `record_loop.py`).
"""
import csv
import os
import sys

import duckdb
import record_loop

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
    masks = "grille_hidden" in open(os.path.join(d, "schema.sql")).read()

    def load_hidden(path):
        if masks:
            con.execute("DELETE FROM grille_hidden")
            copy("grille_hidden", path)

    def compute(sql):
        cur = con.execute(sql)
        return [c[0] for c in cur.description], cur.fetchall()

    record_loop.run(d, compute, load_hidden)


if os.path.exists(os.path.join(d, "record.sql")):
    record(d)
    sys.exit(0)
rows = con.execute(open(os.path.join(d, "query.sql")).read()).fetchall()
w = csv.writer(sys.stdout, lineterminator="\n")
for r in rows:
    w.writerow(["" if x is None else x for x in r])
