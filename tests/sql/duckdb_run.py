"""Runs grille's SQL in DuckDB, as the differential test does.

Usage: duckdb_run.py DIR, where DIR holds `schema.sql` (from `grille sql
--schema --dialect duckdb`), `query.sql` (from `grille sql --dialect
duckdb --order row`) and one typed CSV per level (from `grille sql
--export DIR`). Prints the query's rows as CSV, NULL as an empty field.
"""
import csv
import os
import sys

import duckdb

d = sys.argv[1]
con = duckdb.connect()
con.execute(open(os.path.join(d, "schema.sql")).read())
for f in sorted(os.listdir(d)):
    if f.endswith(".csv"):
        table = f[:-4].replace('"', '""')
        path = os.path.join(d, f).replace("'", "''")
        con.execute(f"COPY \"{table}\" FROM '{path}' (HEADER, NULLSTR '', ALLOW_QUOTED_NULLS false)")
rows = con.execute(open(os.path.join(d, "query.sql")).read()).fetchall()
w = csv.writer(sys.stdout, lineterminator="\n")
for r in rows:
    w.writerow(["" if x is None else x for x in r])
