#!/usr/bin/env python3
"""Writes every output grille gives on the shipped frameworks, the
examples and the conformance cases into one folder, so that two builds can
be compared byte for byte:

    python3 scripts/outputs.py target/release/grille /tmp/before
    # … change the code, rebuild …
    python3 scripts/outputs.py target/release/grille /tmp/after
    diff -r /tmp/before /tmp/after && echo identical

With GRILLE_BIG_VISES=DIR, VISES is also evaluated on the larger data
set generated in DIR (see below).

Each run leaves `NAME.out` (standard output), `NAME.err` (standard error)
and `NAME.code` (exit code). Refactorings that promise not to change
results are checked this way."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["json", "csv", "md", "html"]


def run(grille, cwd, args, out, name):
    p = subprocess.run([grille, *args], cwd=cwd, capture_output=True)
    (out / f"{name}.out").write_bytes(p.stdout)
    (out / f"{name}.err").write_bytes(p.stderr)
    (out / f"{name}.code").write_text(f"{p.returncode}\n")


def with_format(args, fmt):
    args = list(args)
    if "--format" in args:
        i = args.index("--format")
        del args[i : i + 2]
    return [*args, "--format", fmt]


def cases():
    """(name, folder, args) of each run of each conformance case."""
    for base in [ROOT / "tests/fixtures/conformance", ROOT.parent / "shared/conformance"]:
        if not base.is_dir():
            continue
        for case in sorted(p for p in base.iterdir() if (p / "case.json").is_file()):
            spec = json.loads((case / "case.json").read_text())
            for k, r in enumerate(spec.get("runs", [])):
                yield f"{base.parent.name}-{case.name}-{k}", case, r["args"]


def main():
    grille = str(Path(sys.argv[1]).resolve())
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    vises = [
        "--data", "entreprise=examples/vises/entreprises.csv",
        "--data", "personne=examples/vises/personnes.csv",
    ]
    quick = [
        "--data", "entreprise=examples/quickstart/entreprise.csv",
        "--data", "personne=examples/quickstart/personne.csv",
    ]
    tutorial = ["--data", "personne=examples/tutorial/personnes.csv"]
    shipped = [
        ("vises", "frameworks/vises.grille", vises),
        ("vises-hdf", "frameworks/vises-hauts-de-france.grille", vises),
        ("quickstart", "examples/quickstart/framework.grille", quick),
        ("tutorial", "examples/tutorial/first.grille", tutorial),
        ("tutorial-adapted", "examples/tutorial/adapted.grille", tutorial),
    ]
    for name, fw, data in shipped:
        for fmt in FORMATS:
            run(grille, ROOT, ["eval", fw, *data, "--format", fmt], out, f"{name}.eval.{fmt}")
        for lang in ["fr", "nl", "en"]:
            run(grille, ROOT, ["eval", fw, *data, "--format", "md", "--lang", lang], out, f"{name}.eval.md.{lang}")
            run(grille, ROOT, ["doc", fw, "--lang", lang], out, f"{name}.doc.{lang}")
        run(grille, ROOT, ["check", fw], out, f"{name}.check")
    for item in ["sociale", "economique", "territoriale"]:
        for unit in ["E01", "hainaut"]:
            args = ["explain", "frameworks/vises.grille", item, *vises, "--unit", unit]
            run(grille, ROOT, args, out, f"vises.explain.{item}.{unit}")
    run(grille, ROOT, ["test", "frameworks/"], out, "frameworks.test")
    # Large enough to be evaluated on two threads and read in two chunks;
    # made with `cargo run --release --example vises_data -- DIR 600 40`.
    big = os.environ.get("GRILLE_BIG_VISES")
    if big:
        data = ["--data", f"entreprise={big}/entreprises.csv", "--data", f"personne={big}/personnes.csv"]
        for fmt in FORMATS:
            run(grille, ROOT, ["eval", "frameworks/vises.grille", *data, "--format", fmt], out, f"vises-big.eval.{fmt}")
    for name, case, args in cases():
        run(grille, case, args, out, name)
        if args and args[0] == "eval":
            for fmt in FORMATS:
                run(grille, case, with_format(args, fmt), out, f"{name}.{fmt}")


if __name__ == "__main__":
    main()
