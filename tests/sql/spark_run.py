"""Runs grille's SQL in Spark (local mode), as the differential test does.

Usage: spark_run.py DIR…, where each DIR holds `schema.sql` (from `grille
sql --schema --dialect spark`), `query.sql` (from `grille sql --dialect
spark --order row`) and one typed CSV per level (from `grille sql
--export DIR`). Each level's CSV becomes a temporary view with the
schema's columns; the query's rows are written to DIR/result.csv, NULL
as an empty field. One Spark session serves every folder.

A folder holding `record.sql` and `eval.json` runs the record round
trip instead (see `record_loop.py`).

Three settings serve the benchmark (docs/performance.md), not the tests:
GRILLE_SPARK_CORES (default 1) is the number of local cores,
GRILLE_SPARK_MEMORY (default 4g) the driver's memory (the benchmark at
10M persons ran out of heap with 4 GB), and
GRILLE_SPARK_PARQUET=1 writes each typed table once to DIR/parquet/ and
reads it from there, as tables kept in a data lake are read, instead of
parsing its CSV again at every scan; the record's rows are then written
by Spark as JSON part files (DIR/record.json/), as on a cluster. The seconds spent loading and
querying are written to stderr.
"""
import csv
import os
import re
import sys
import time

import record_loop
from pyspark.sql import SparkSession

spark = (
    SparkSession.builder.master(f"local[{os.environ.get('GRILLE_SPARK_CORES', '1')}]")
    .appName("grille-sql-test")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.sql.shuffle.partitions", "1")
    .config("spark.driver.memory", os.environ.get("GRILLE_SPARK_MEMORY", "4g"))
    # Each hash aggregate of a running stage holds a page of this size;
    # with the default (tens of MB at a 4 GB driver) a statement with
    # many aggregates in one stage runs out of execution memory
    # (UNABLE_TO_ACQUIRE_MEMORY) although each needs a few kB here.
    .config("spark.buffer.pageSize", "2m")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
EMPTY = "\u0001empty\u0001"
PARQUET = os.environ.get("GRILLE_SPARK_PARQUET") == "1"


def view(d, table, cols):
    """The view of one table, typed as the schema says, over its CSV."""
    path = os.path.join(d, table.replace("``", "`") + ".csv").replace("'", "\\'")
    # Spark reads a quoted empty field as NULL unless told otherwise:
    # it is read as a marker, then turned into the empty text it is
    # (a `multi` answer with nothing ticked).
    # An answer may hold line breaks (read the file whole: multiLine) and
    # quotes, doubled as CSV writes them (Spark's escape is a backslash
    # unless told). Without these, a row with a two-line answer was cut in
    # two (found by the generated data set of tests/it/every.rs).
    raw = table + "__csv"
    spark.sql(f"DROP VIEW IF EXISTS `{raw}`")
    spark.sql(
        f"CREATE TEMPORARY VIEW `{raw}` ({cols}) USING csv "
        f"OPTIONS (path '{path}', header 'true', multiLine 'true', escape '\"', "
        f"emptyValue '{EMPTY}')"
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
    if PARQUET and table != "grille_hidden":
        stored = os.path.join(d, "parquet", table.replace("``", "`"))
        spark.table(f"`{table}`").write.mode("overwrite").parquet(stored)
        spark.sql(f"DROP VIEW IF EXISTS `{table}`")
        spark.read.parquet(stored).createOrReplaceTempView(table)


def tables(d):
    schema = open(os.path.join(d, "schema.sql")).read()
    pattern = r"CREATE TABLE `((?:[^`]|``)+)` \((.*?)\n\);"
    return [(m.group(1), m.group(2)) for m in re.finditer(pattern, schema, re.S)]


def record(d):
    cols = dict(tables(d)).get("grille_hidden")

    def load_hidden(path):
        if cols:
            view(d, "grille_hidden", cols)

    def compute(sql):
        df = spark.sql(sql)
        if PARQUET:
            # As on a cluster: the rows written by Spark as JSON part
            # files, which grille reads as a folder. Collected through
            # the driver, the 10M run's rows outgrew its result limit.
            df.write.mode("overwrite").json(os.path.join(d, "record.json"))
            return None
        return df.columns, df.toLocalIterator()

    record_loop.run(d, compute, load_hidden)


for d in sys.argv[1:]:
    print(f"spark_run: {d}", file=sys.stderr, flush=True)
    start = time.monotonic()
    for table, cols in tables(d):
        if table != "grille_hidden":
            view(d, table, cols)
    loaded = time.monotonic()
    print(f"spark_run: tables ready in {loaded - start:.1f} s", file=sys.stderr, flush=True)
    if os.path.exists(os.path.join(d, "record.sql")):
        record(d)
        print(f"spark_run: record and grille in {time.monotonic() - loaded:.1f} s", file=sys.stderr, flush=True)
        continue
    query = open(os.path.join(d, "query.sql")).read().strip().rstrip(";")
    rows = spark.sql(query).collect()
    with open(os.path.join(d, "result.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for r in rows:
            w.writerow(["" if x is None else x for x in r])
spark.stop()
