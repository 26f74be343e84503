"""The record round trip as a user runs it, shared by duckdb_run.py and
spark_run.py.

A case folder holds `record.sql` (from `grille sql --record`) and
`eval.json` (`{"cwd": …, "runs": [[grille, "eval", …], …]}`). The record's
rows are written as JSON lines to DIR/record.json, then the first command
(which reads them with `--record` and `--hidden DIR/grille_hidden.csv`)
runs; while it exits 4 (disclosure control hides other values than the
run masked), `grille_hidden` is loaded again from the file grille wrote
and the record runs again. The other commands then read the same record.
DIR/runs receives the number of runs, for the test to check.
"""
import json
import os
import subprocess
import sys


def run(d, compute, load_hidden):
    """`compute(sql)` runs a statement and returns its column names and
    rows, or None when the engine wrote them itself as DIR/record.json
    (a file, or a folder of part files); `load_hidden(path)` replaces what `grille_hidden` holds by the
    file's rows (the engine's table or view)."""
    plan = json.load(open(os.path.join(d, "eval.json")))
    hidden = os.path.join(d, "grille_hidden.csv")
    open(hidden, "w").write("i,l,b,c,k\n")
    statement = open(os.path.join(d, "record.sql")).read().strip().rstrip(";")
    for runs in range(1, 21):
        load_hidden(hidden)
        got = compute(statement)
        if got is not None:
            names, rows = got
            with open(os.path.join(d, "record.json"), "w") as out:
                for row in rows:
                    out.write(json.dumps(dict(zip(names, row)), default=str) + "\n")
        code = subprocess.run(plan["runs"][0], cwd=plan["cwd"]).returncode
        if code == 0:
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
