"""Derive the project's compact HS nomenclature seeds from a full HS nomenclature CSV.

The full nomenclature (UN Comtrade's public-domain HS 2022 file, columns
``section,hscode,description,parent,level``) is never copied into the repository.
The warehouse ships a compact subset as a dbt seed instead:

* every chapter (level 2) and every heading (level 4);
* the subheadings (level 6) of the headings in ``SUBHEADING_PARENTS`` only,
  the headings the demo generator draws its items from.

Usage::

    python dbt_project/scripts/build_hs_compact_seed.py FULL_HS.csv [--sections SECTIONS.csv]

writes ``dbt_project/seeds/hs_compact_nomenclature.csv`` and, with ``--sections``,
``dbt_project/seeds/hs_sections.csv`` (section roman numeral -> name). Input files
may start with a UTF-8 byte-order mark; outputs never do.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"

SUBHEADING_PARENTS = frozenset(
    """
    0802 0902 1006 1101 1302 1517 1701 2106 2208 2401 2402 2710 2711 2939 3004 3102
    3303 3304 3401 4011 4907 5208 5407 5513 5515 6204 6309 6402 7108 7113 8415 8418
    8471 8507 8516 8517 8528 8543 8703 8704 8708 8711 9102 9302 9306 9503
    """.split()
)
FIELDS = ["section", "hscode", "description", "parent", "level"]


def _read_rows(path: Path) -> list[dict[str, str]]:
    # utf-8-sig drops a leading byte-order mark if there is one.
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def compact_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Chapters, headings, and the subheadings of SUBHEADING_PARENTS, in input order."""
    out = []
    for row in rows:
        level = (row.get("level") or "").strip()
        code = (row.get("hscode") or "").strip()
        if not code.isdigit() or len(code) != {"2": 2, "4": 4, "6": 6}.get(level, -1):
            continue  # e.g. the level-5 TOTAL row
        if level == "6" and code[:4] not in SUBHEADING_PARENTS:
            continue
        out.append({k: (row.get(k) or "").strip() for k in FIELDS})
    return out


def section_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [
        {"section": r["section"].strip(), "name": " ".join(r["name"].split())}
        for r in rows
        if (r.get("section") or "").strip()
    ]


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nomenclature", type=Path, help="full HS CSV: section,hscode,description,parent,level")
    parser.add_argument("--sections", type=Path, help="sections CSV: section,name")
    parser.add_argument("--out-dir", type=Path, default=SEEDS_DIR)
    args = parser.parse_args(argv)

    rows = compact_rows(_read_rows(args.nomenclature))
    missing = SUBHEADING_PARENTS - {r["hscode"] for r in rows if r["level"] == "4"}
    if missing:
        print(f"headings missing from {args.nomenclature}: {sorted(missing)}", file=sys.stderr)
        return 1
    _write(args.out_dir / "hs_compact_nomenclature.csv", FIELDS, rows)
    counts = {lvl: sum(r["level"] == lvl for r in rows) for lvl in ("2", "4", "6")}
    print(f"hs_compact_nomenclature.csv: {counts['2']} chapters, {counts['4']} headings, {counts['6']} subheadings")
    if args.sections:
        sections = section_rows(_read_rows(args.sections))
        _write(args.out_dir / "hs_sections.csv", ["section", "name"], sections)
        print(f"hs_sections.csv: {len(sections)} sections")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
