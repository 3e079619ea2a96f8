"""Personal data in the feeds: what a non-nominal feed may never carry, and the scan that proves it.

Two guards, one before and one after the files are written:

1. **Columns** (:func:`forbidden_reason`). The one list of what non-nominal feeds (``cen``,
   ``psw``, and any site feed with ``personal_data = "none"``) may never deliver: CNIC,
   passport, any name, father's name, date of birth, home district, registration / chassis /
   engine number, case number, FIR number, officer ids or names, free text typed in the store,
   and the store's row ids (``case_id``… are replaced by keyed hashes, see ``refs``). The
   feeds configuration refuses, when it loads, any non-nominal feed that asks for such a
   column, and delivery checks the columns again against the snapshot.
2. **Values** (:func:`scan_delivery_files`). Every text value of every file of a non-nominal
   delivery is searched for CNIC-shaped numbers (13 digits, with or without dashes, spaces or
   dots), passport-shaped and plate-shaped tokens, and for the person names, passports, CNICs,
   vehicle numbers, case and FIR numbers the snapshot's nominal data holds
   (:func:`load_known_identifiers`). Any hit fails the delivery. Findings name the file, row,
   column and kind of hit, never the value. In ``case_ref`` / ``item_ref`` a value must be a
   keyed reference (52 characters of base32), whose letters may spell a short name by chance;
   any other value there is a finding.

Columns typed as numbers, dates or booleans are not text: the writer renders them from typed
values, so they cannot hold a name; only text columns are searched.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from antismuggling.feeds.refs import PSEUDONYMS

NOMINAL = "nominal"
REF_COLUMNS = frozenset(PSEUDONYMS.values())  # case_ref, item_ref
NON_NOMINAL = "none"
PERSONAL_DATA_CLASSES = (NOMINAL, NON_NOMINAL)

# Exact column names a non-nominal feed may never deliver.
NON_NOMINAL_FORBIDDEN_COLUMNS = frozenset({
    # the store's row ids and the resolved person / vehicle keys (they link back to people)
    "case_id", "item_id", "case_vehicle_id", "case_person_id", "vehicle_key", "offender_key", "person_key",
    # identity documents and names
    "cnic", "cnic_raw", "cnic_status", "passport_no", "passports_seen", "full_name", "father_name",
    "names_seen", "date_of_birth", "home_district",
    # vehicle numbers
    "registration_no", "chassis_no", "engine_no",
    # case papers and officers
    "case_no", "fir_no", "legal_sections", "officer_id", "service_no",
    # free text as typed
    "remarks", "route_via", "description", "concealment", "hs_code_raw", "unit_raw",
})
# Fragments: a column whose name contains one is refused too (`latest_case_no`,
# `registration_nos_typed`, `seizure_location_name`, `officer_full_name`, ...).
NON_NOMINAL_FORBIDDEN_FRAGMENTS = (
    "cnic", "passport", "name", "father", "birth", "district", "registration", "chassis", "engine",
    "officer", "service_no", "remark", "_raw", "typed", "case_no", "fir_no", "route_via", "description",
    "case_id", "item_id", "person_id", "vehicle_id", "offender_key", "vehicle_key",
)


def forbidden_reason(column: str, personal_data: str) -> str | None:
    """Why a feed of class ``personal_data`` may not deliver ``column``; None when it may."""
    if personal_data == NOMINAL:
        return None
    name = column.lower()
    if name in NON_NOMINAL_FORBIDDEN_COLUMNS:
        return f"column '{column}' is personal or typed data, which non-nominal feeds never carry"
    for fragment in NON_NOMINAL_FORBIDDEN_FRAGMENTS:
        if fragment in name:
            return (f"column '{column}' looks like personal or typed data ('{fragment}'), "
                    "which non-nominal feeds never carry")
    return None


# ---------------------------------------------------------------------------------------------
# The value scan

CNIC_SHAPED = re.compile(r"(?<!\d)\d{5}[\s.\-]*\d{7}[\s.\-]*\d(?!\d)")
PASSPORT_SHAPED = re.compile(r"(?<![A-Z0-9])[A-Z]{1,2}\d{6,9}(?![A-Z0-9])")
PLATE_SHAPED = re.compile(r"(?<![A-Z0-9])[A-Z]{2,4}[ \-]?(?:[A-Z]{1,2}[ \-])?\d{1,4}(?![A-Z0-9])")
_ALNUM_TOKENS = re.compile(r"[A-Z0-9]+")
_LETTER_TOKENS = re.compile(r"[A-Z]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
MAX_IDENTIFIER_TOKENS = 5
# Names that are placeholders, not people.
PLACEHOLDER_NAMES = frozenset({"UNKNOWN", "NA", "N A", "NIL", "NONE", "NULL", "OTHER", "UNK", "NOT KNOWN", "X"})
PLACEHOLDER_IDENTIFIERS = frozenset({"NA", "NIL", "NONE", "NULL", "UNREGISTERED", "UNREG", "APPLIEDFOR",
                                      "UNKNOWN", "WITHOUTNUMBER", "0"})


def _normalised(text: str) -> str:
    return _NOT_ALNUM.sub("", text.upper())


@dataclass
class KnownIdentifiers:
    """What the snapshot's nominal data knows: person names and identifying numbers."""

    names: set[tuple[str, ...]] = field(default_factory=set)   # multi-word names, as letter tokens
    single_names: set[str] = field(default_factory=set)          # one-word names
    identifiers: set[str] = field(default_factory=set)           # CNICs, passports, vehicle, case, FIR numbers
    reference_codes: set[str] = field(default_factory=set)       # formation codes of the store (not personal)
    max_name_tokens: int = 1

    def add_name(self, value: str | None) -> None:
        if not value:
            return
        tokens = tuple(_LETTER_TOKENS.findall(value.upper()))
        if not tokens or " ".join(tokens) in PLACEHOLDER_NAMES:
            return
        if len(tokens) == 1:
            if len(tokens[0]) >= 4:
                self.single_names.add(tokens[0])
        else:
            self.names.add(tokens)
            self.max_name_tokens = max(self.max_name_tokens, len(tokens))

    def add_identifier(self, value: str | None) -> None:
        if not value:
            return
        norm = _normalised(str(value))
        if len(norm) < 4 or norm in PLACEHOLDER_IDENTIFIERS or len(set(norm)) == 1:
            return
        if norm.isdigit() and len(norm) <= 8:
            return  # short numbers (HS codes, amounts) are not identifying on their own
        self.identifiers.add(norm)


def _column_values(con, sql: str) -> Iterable[str]:
    try:
        for (value,) in con.execute(sql).fetchall():
            if value is not None:
                yield str(value)
    except Exception:  # noqa: BLE001 - a mart this snapshot does not have: nothing known from it
        return


def load_known_identifiers(con) -> KnownIdentifiers:
    """Names and numbers of the people, vehicles and cases in the snapshot (open connection)."""
    known = KnownIdentifiers()
    for sql in (
        "select full_name from marts.fct_case_persons union select father_name from marts.fct_case_persons",
        "select unnest(names_seen) from marts.dim_offenders",
        "select full_name from marts.mart_officer_performance",
        "select full_name from feeds.feed_ncen_persons union select father_name from feeds.feed_ncen_persons",
    ):
        for value in _column_values(con, sql):
            known.add_name(value)
    # Formation codes are reference data (a formation with a name in the store), never a
    # person's: one shaped like a plate (`CE-KHI2`) is not a finding.
    known.reference_codes.update(_column_values(
        con, "select distinct formation_code from marts.fct_cases where formation_name is not null"))
    for sql in (
        "select cnic from marts.fct_case_persons union select passport_no from marts.fct_case_persons",
        "select cnic from feeds.feed_ncen_persons",
        "select registration_no_raw from marts.mart_vehicle_recidivism"
        " union select chassis_no_raw from marts.mart_vehicle_recidivism"
        " union select engine_no_raw from marts.mart_vehicle_recidivism"
        " union select registration_no from marts.mart_vehicle_recidivism"
        " union select chassis_no from marts.mart_vehicle_recidivism"
        " union select engine_no from marts.mart_vehicle_recidivism",
        "select case_no from marts.fct_cases union select fir_no from marts.fct_cases",
        "select service_no from marts.mart_officer_performance",
    ):
        for value in _column_values(con, sql):
            known.add_identifier(value)
    return known


def scan_value(text: str, known: KnownIdentifiers | None) -> list[str]:
    """The kinds of personal data found in one text value (empty when none)."""
    hits = []
    if known is not None and text in known.reference_codes:
        return hits
    upper = text.upper()
    if CNIC_SHAPED.search(text):
        hits.append("CNIC-shaped number")
    if PASSPORT_SHAPED.search(upper) or PASSPORT_SHAPED.fullmatch(_normalised(upper) or "-"):
        hits.append("passport-shaped number")
    if PLATE_SHAPED.search(upper):
        hits.append("registration-plate-shaped number")
    if known is None:
        return hits
    tokens = _ALNUM_TOKENS.findall(upper)
    whole = "".join(tokens)
    candidates = {whole}
    for n in range(1, MAX_IDENTIFIER_TOKENS + 1):
        for i in range(len(tokens) - n + 1):
            candidates.add("".join(tokens[i:i + n]))
    if any(c in known.identifiers for c in candidates if c):
        hits.append("identifier known from the store (CNIC, passport, vehicle, case or FIR number)")
    letters = tuple(_LETTER_TOKENS.findall(upper))
    if letters:
        if len(letters) == 1 and letters[0] in known.single_names and whole == letters[0]:
            hits.append("person name known from the store")
        else:
            top = min(known.max_name_tokens, len(letters))
            found = any(
                letters[i:i + n] in known.names
                for n in range(2, top + 1)
                for i in range(len(letters) - n + 1)
            )
            if found:
                hits.append("person name known from the store")
    return hits


@dataclass(frozen=True)
class Finding:
    file: str
    row: int        # 1-based data row (the header is row 0)
    column: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file} row {self.row} column {self.column}: {self.kind}"


TEXT_TYPES = ("VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR", "JSON", "UUID")


def is_text_type(data_type: str) -> bool:
    return data_type.upper().split("(")[0] in TEXT_TYPES


# A keyed reference (``refs``): base32 of an HMAC-SHA256, 52 characters of A-Z and 2-7. Its
# letters between digits can spell a short name by chance ("...ALI2KHAN..."): in the
# reference columns, a value of exactly that shape is our own hash and carries nothing, and
# any other value there is a finding.
REF_SHAPED = re.compile(r"[A-Z2-7]{52}")
NOT_A_REF = "not a keyed reference (case_ref / item_ref hold only HMAC-SHA256 references)"


def scan_column_value(column: str, value: str, known: KnownIdentifiers | None) -> list[str]:
    """:func:`scan_value`, except that a reference column holds keyed references only."""
    if column in REF_COLUMNS:
        return [] if REF_SHAPED.fullmatch(value) else [NOT_A_REF, *scan_value(value, known)]
    return scan_value(value, known)


def scan_rows(name: str, header: list[str], rows: Iterable[list], text_columns: set[str],
              known: KnownIdentifiers | None, limit: int = 50) -> list[Finding]:
    """Scan rows (lists of text values) of one file; each distinct value is scanned once per column."""
    findings: list[Finding] = []
    wanted = [(i, col) for i, col in enumerate(header) if col in text_columns]
    verdicts: dict[tuple[int, str], list[str]] = {}
    for row_no, row in enumerate(rows, start=1):
        for i, col in wanted:
            value = row[i] if i < len(row) else None
            if value is None or value == "":
                continue
            value = str(value)
            hits = verdicts.get((i, value))
            if hits is None:
                hits = verdicts[(i, value)] = scan_column_value(col, value, known)
            for kind in hits:
                findings.append(Finding(name, row_no, col, kind))
                if len(findings) >= limit:
                    return findings
    return findings


def scan_delivery_files(files: Iterable[tuple[Path, str, list[tuple[str, str]]]],
                        known: KnownIdentifiers | None) -> list[Finding]:
    """Scan written data files: (path, format, [(column, type)]). CSV or parquet, unencrypted."""
    findings: list[Finding] = []
    for path, fmt, columns in files:
        text_columns = {name for name, data_type in columns if is_text_type(data_type)}
        if fmt == "csv":
            with path.open(newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh)
                header = next(reader, [])
                findings += scan_rows(path.name, header, reader, text_columns, known)
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            header = table.column_names
            columns_py = [table.column(c).to_pylist() for c in header]
            rows = ([col[i] for col in columns_py] for i in range(table.num_rows))
            findings += scan_rows(path.name, header, rows, text_columns, known)
        else:
            raise ValueError(f"cannot scan {path.name}: unknown format {fmt!r}")
    return findings
