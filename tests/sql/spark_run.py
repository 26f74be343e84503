"""Runs grille's SQL in Spark (local mode), as the differential test does.

Usage: spark_run.py DIR…, where each DIR holds `schema.sql` (from `grille
sql --schema --dialect spark`), `query.sql` (from `grille sql --dialect
spark --order row`) and one typed CSV per level (from `grille sql
--export DIR`). Each level's CSV becomes a temporary view with the
schema's columns; the query's rows are written to DIR/result.csv, NULL
as an empty field. One Spark session serves every folder.
"""
import csv
import os
import re
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

for d in sys.argv[1:]:
    schema = open(os.path.join(d, "schema.sql")).read()
    for m in re.finditer(r"CREATE TABLE `((?:[^`]|``)+)` \((.*?)\n\);", schema, re.S):
        table, cols = m.group(1), m.group(2)
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
    query = open(os.path.join(d, "query.sql")).read().strip().rstrip(";")
    rows = spark.sql(query).collect()
    with open(os.path.join(d, "result.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for r in rows:
            w.writerow(["" if x is None else x for x in r])
spark.stop()
