"""Runs grille's SQL in Spark (local mode), as the differential test does.

Usage: spark_run.py DIR…, where each DIR holds `schema.sql` (from `grille
sql --schema --dialect spark`), `query.sql` (from `grille sql --dialect
spark --order row`) and one typed CSV per level (from `grille sql
--export DIR`). Each level's CSV becomes a temporary view with the
schema's columns; the query's rows are written to DIR/result.csv, NULL
as an empty field. One Spark session serves every folder.

A folder holding `record.sql` and `eval.json` runs the record instead,
the way `duckdb_run.py` describes: its rows written as JSON lines, then
grille run, again while it exits 4 with the view `grille_hidden` read
anew from the file grille wrote.
"""
import csv
import json
import os
import re
import subprocess
import sys

from pyspark.sql import SparkSession

spark = (
    SparkSession.builder.master("local[1]")
    .appName("grille-sql-test")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.sql.shuffle.partitions", "1")
    .config("spark.driver.memory", "4g")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
EMPTY = "\u0001empty\u0001"



def view(d, table, cols):
    """The view of one table, typed as the schema says, over its CSV."""
    path = os.path.join(d, table.replace("``", "`") + ".csv").replace("'", "\\'")
    # Spark reads a quoted empty field as NULL unless told otherwise:
    # it is read as a marker, then turned into the empty text it is
    # (a `multi` answer with nothing ticked).
    raw = table + "__csv"
    spark.sql(f"DROP VIEW IF EXISTS `{raw}`")
    spark.sql(
        f"CREATE TEMPORARY VIEW `{raw}` ({cols}) USING csv "
        f"OPTIONS (path '{path}', header 'true', emptyValue '{EMPTY}')"
    )
    exprs = []
    for line in cols.split(",\n"):
        name, ty = line.strip().rsplit(" ", 1)
        if ty == "STRING":
            exprs.append(f"CASE WHEN {name} = '{EMPTY}' THEN '' ELSE {name} END AS {name}")
        else:
            exprs.append(name)
    spark.sql(f"DROP VIEW IF EXISTS `{table}`")
    spark.sql(f"CREATE TEMPORARY VIEW `{table}` AS SELECT {', '.join(exprs)} FROM `{raw}`")


def tables(d):
    schema = open(os.path.join(d, "schema.sql")).read()
    pattern = r"CREATE TABLE `((?:[^`]|``)+)` \((.*?)\n\);"
    return [(m.group(1), m.group(2)) for m in re.finditer(pattern, schema, re.S)]


def record(d):
    plan = json.load(open(os.path.join(d, "eval.json")))
    hidden = os.path.join(d, "grille_hidden.csv")
    open(hidden, "w").write("i,l,b,c,k\n")
    cols = dict(tables(d)).get("grille_hidden")
    query = open(os.path.join(d, "record.sql")).read().strip().rstrip(";")
    for runs in range(1, 21):
        if cols:
            view(d, "grille_hidden", cols)
        df = spark.sql(query)
        names = df.columns
        with open(os.path.join(d, "record.json"), "w") as out:
            for row in df.toLocalIterator():
                out.write(json.dumps(dict(zip(names, row)), default=str) + "\n")
        code = subprocess.run(plan["runs"][0], cwd=plan["cwd"]).returncode
        if code == 0:
            # How many runs of the record it took, for the test to check.
            open(os.path.join(d, "runs"), "w").write(f"{runs}\n")
            break
        if code != 4:
            sys.exit(f"grille exited {code} in {d}")
    else:
        sys.exit(f"disclosure control did not settle in 20 runs in {d}")
    for cmd in plan["runs"][1:]:
        code = subprocess.run(cmd, cwd=plan["cwd"]).returncode
        if code != 0:
            sys.exit(f"grille exited {code} on {cmd}")


for d in sys.argv[1:]:
    for table, cols in tables(d):
        if table != "grille_hidden":
            view(d, table, cols)
    if os.path.exists(os.path.join(d, "record.sql")):
        record(d)
        continue
    query = open(os.path.join(d, "query.sql")).read().strip().rstrip(";")
    rows = spark.sql(query).collect()
    with open(os.path.join(d, "result.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for r in rows:
            w.writerow(["" if x is None else x for x in r])
spark.stop()
