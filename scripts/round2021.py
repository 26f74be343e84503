#!/usr/bin/env python3
"""Writes examples/vises/2021/, the second round of the VISES example, from
the 2019 files: the same enterprises two years on, except E03, which left
the network, and E16, which joined it (a copy of E05's profile and
respondents under new ids). Some enterprises move up (more local
purchases, more self-confidence), others down, so that `grille compare`
shows both directions. Deterministic: run it again and nothing changes."""

import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "examples" / "vises"
DST = SRC / "2021"

UP = {"E01", "E02", "E07", "E10", "E13"}
DOWN = {"E04", "E06", "E09", "E12"}


def shift_percent(cell, points):
    if not cell.endswith("%"):
        return cell
    v = max(0, min(100, int(cell[:-1]) + points))
    return f"{v}%"


def enterprises():
    text = (SRC / "entreprises.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    head, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(head)}
    out = [head]
    for r in body:
        if r[0] == "E03":
            continue
        r = list(r)
        if r[0] in UP:
            r[col["achats_locaux"]] = shift_percent(r[col["achats_locaux"]], 12)
            r[col["part_cdi"]] = shift_percent(r[col["part_cdi"]], 8)
        if r[0] in DOWN:
            r[col["achats_locaux"]] = shift_percent(r[col["achats_locaux"]], -15)
            r[col["rotation"]] = shift_percent(r[col["rotation"]], 10)
        out.append(r)
        if r[0] == "E05":
            new = list(r)
            new[0] = "E16"
            out.append(new)
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(out)
    (DST / "entreprises.csv").write_text(buf.getvalue(), encoding="utf-8")


def persons():
    text = (SRC / "personnes.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    head, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(head)}
    ent, conf, part = col["identification/entreprise"], col["ressenti/confiance"], col["ressenti/participation"]
    out = [head]
    extra = []
    for k, r in enumerate(body):
        r = list(r)
        if r[ent] == "E03":
            continue
        r[col["_uuid"]] = r[col["_uuid"]][::-1]
        r[col["_submission_time"]] = r[col["_submission_time"]].replace("2019", "2021")
        for c, step in ((conf, 1), (part, 1)):
            if r[c].isdigit():
                v = int(r[c])
                if r[ent] in UP and k % 3 != 0:
                    v = min(5, v + step)
                if r[ent] in DOWN and k % 3 != 0:
                    v = max(1, v - step)
                r[c] = str(v)
        out.append(r)
        if r[ent] == "E05":
            n = list(r)
            n[ent] = "E16"
            n[col["_uuid"]] = "16" + n[col["_uuid"]][2:]
            extra.append(n)
    out.extend(extra)
    for i, r in enumerate(out[1:], start=1):
        r[col["_index"]] = str(i)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(out)
    (DST / "personnes.csv").write_text(buf.getvalue(), encoding="utf-8")


DST.mkdir(exist_ok=True)
enterprises()
persons()
