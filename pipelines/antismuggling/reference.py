"""Load a full HS nomenclature into the warehouse (``reference.hs_nomenclature``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from antismuggling import changes
from antismuggling.ingest import connect_warehouse, ensure_warehouse_schemas

HS_COLUMNS = ("section", "hscode", "description", "parent", "level")
HS_LEVELS = {"2", "4", "6"}
# UN Comtrade's files end with a grand-total pseudo-row (code TOTAL): an aggregate, not a code.
GRAND_TOTAL_CODE = "TOTAL"


class ReferenceFileError(ValueError):
    pass


@dataclass(frozen=True)
class HsLoadResult:
    rows: int
    by_level: dict[str, int]
    skipped_totals: int


def read_hs_csv(path: Path) -> tuple[list[tuple[str, ...]], int]:
    """Read and check the file fully before anything in the warehouse is touched."""
    if not path.is_file():
        raise ReferenceFileError(f"{path} does not exist")
    # utf-8-sig drops a leading byte-order mark, which some exports carry.
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = [h.strip().lower() for h in next(reader, [])]
        if tuple(header[: len(HS_COLUMNS)]) != HS_COLUMNS:
            raise ReferenceFileError(
                f"{path}: expected the header {','.join(HS_COLUMNS)}, found {','.join(header) or 'nothing'}"
            )
        rows, problems, skipped_totals = [], [], 0
        for line_no, record in enumerate(reader, start=2):
            if not any(field.strip() for field in record):
                continue
            if len(record) < len(HS_COLUMNS):
                problems.append(f"line {line_no}: {len(record)} fields, expected {len(HS_COLUMNS)}")
                continue
            section, hscode, description, parent, level = (f.strip() for f in record[: len(HS_COLUMNS)])
            if hscode.upper() == GRAND_TOTAL_CODE:
                skipped_totals += 1
                continue
            if level not in HS_LEVELS or not hscode.isdigit() or len(hscode) != int(level):
                problems.append(f"line {line_no}: code {hscode!r} at level {level!r}")
                continue
            rows.append((section, hscode, description, parent, level))
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise ReferenceFileError(f"{path}: {len(problems)} bad row(s), nothing loaded: {shown}")
    if not rows:
        raise ReferenceFileError(f"{path}: no HS codes found, nothing loaded")
    return rows, skipped_totals


def load_hs_nomenclature(warehouse_path: Path, path: Path) -> HsLoadResult:
    rows, skipped_totals = read_hs_csv(path)
    con = connect_warehouse(warehouse_path)
    try:
        ensure_warehouse_schemas(con)
        con.execute("begin")
        con.execute("delete from reference.hs_nomenclature")
        con.executemany("insert into reference.hs_nomenclature values (?, ?, ?, ?, ?)", rows)
        # every item's HS description may change: the next build rebuilds everything
        changes.record_all(con, "reference.hs_nomenclature")
        con.execute("commit")
        by_level = dict(
            con.execute(
                "select level, count(*) from reference.hs_nomenclature group by level order by level"
            ).fetchall()
        )
    finally:
        con.close()
    return HsLoadResult(len(rows), by_level, skipped_totals)
