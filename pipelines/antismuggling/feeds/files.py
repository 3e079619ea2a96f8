"""Data files of a delivery: one rendering of values, CSV (RFC 4180) and parquet writers, readers.

Every value is rendered once to text (:func:`render`); the CSV holds exactly that text, the
parquet file the same values cast to the column's type, and a row's content hash is taken
over the rendered values. So a partner reading either format sees the same data, and the
delta engine compares what was delivered, not how DuckDB happened to return it.

Rendering: NULL -> empty (CSV) / null (parquet); booleans ``true`` / ``false``; integers and
decimals in plain notation (``1234.50``, never an exponent); dates ``YYYY-MM-DD``; timestamps
``YYYY-MM-DDTHH:MM:SS`` (UTC); lists ``;``-joined.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

OP_COLUMN = ("op", "VARCHAR")
SEQ_COLUMN = ("feed_seq", "BIGINT")


def render(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join("" if v is None else str(render(v)) for v in value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def renderer_for(data_type: str):
    """A fast renderer for one column of a DuckDB type (same output as :func:`render`)."""
    base = data_type.upper().split("(")[0]
    if base in ("VARCHAR", "TEXT", "STRING"):
        return lambda v: v
    if base in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"):
        return lambda v: None if v is None else str(v)
    if base == "DECIMAL":
        return lambda v: None if v is None else format(v, "f")
    if base == "DATE":
        return lambda v: None if v is None else v.isoformat()
    return render


def row_hash(values: Sequence[str | None]) -> str:
    """Content hash of one rendered row (NULL and empty text differ)."""
    return hashlib.sha256(json.dumps(list(values), ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[str | None]]) -> int:
    """UTF-8, header row, CRLF line ends, fields quoted when they need it (RFC 4180)."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            n += 1
        fh.flush()
        os.fsync(fh.fileno())
    return n


def arrow_type(data_type: str):
    import pyarrow as pa

    t = data_type.upper().replace(" ", "")
    base = t.split("(")[0]
    if base == "DECIMAL":
        precision, scale = (int(x) for x in t[t.index("(") + 1:-1].split(","))
        return pa.decimal128(precision, scale)
    return {
        "BIGINT": pa.int64(), "INTEGER": pa.int32(), "SMALLINT": pa.int16(), "TINYINT": pa.int8(),
        "HUGEINT": pa.decimal128(38, 0), "UBIGINT": pa.uint64(), "UINTEGER": pa.uint32(),
        "DOUBLE": pa.float64(), "FLOAT": pa.float32(), "REAL": pa.float32(),
        "BOOLEAN": pa.bool_(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"),
        "VARCHAR": pa.string(),
    }.get(base, pa.string())


def write_parquet(path: Path, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str | None]]) -> int:
    """The rendered values cast to each column's type (so CSV and parquet hold the same data)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    arrays = []
    for i, (name, data_type) in enumerate(columns):
        text = pa.array([row[i] for row in rows], type=pa.string())
        target = arrow_type(data_type)
        if pa.types.is_boolean(target):
            arrays.append(pc.equal(text, "true"))
        elif pa.types.is_string(target):
            arrays.append(text)
        else:
            arrays.append(text.cast(target))
    table = pa.Table.from_arrays(arrays, names=[c for c, _ in columns]) if columns else pa.table({})
    pq.write_table(table, path, compression="zstd")
    fsync_file(path)
    return len(rows)


def read_rows(path: Path, fmt: str) -> tuple[list[str], list[list[str | None]]]:
    """(header, rows) of a data file, every value as rendered text (CSV empty -> None)."""
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            return header, [[v if v != "" else None for v in row] for row in reader]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        header = table.column_names
        cols = [[render(v) for v in table.column(c).to_pylist()] for c in header]
        return header, [list(r) for r in zip(*cols)] if cols else []
    raise ValueError(f"unknown format {fmt!r}")


def count_rows(path: Path, fmt: str) -> tuple[int, dict[str, int], list[str]]:
    """(data rows, rows by op, header) of a plaintext data file, read the way a partner would."""
    header, rows = read_rows(path, fmt)
    by_op = {"I": 0, "U": 0, "D": 0}
    op_index = header.index("op") if "op" in header else None
    for row in rows:
        if op_index is not None and op_index < len(row) and row[op_index] in by_op:
            by_op[row[op_index]] += 1
    return len(rows), by_op, header
