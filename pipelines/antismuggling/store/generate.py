"""The deterministic demo generator: a realistic, messy operational store of any size.

``generate_store(url, cases, seed)`` writes the nine contract tables into a SQLite file or a
PostgreSQL database. The same seed and arguments give identical table contents: every value
comes from generators seeded by ``seed`` (NumPy for column draws, ``random.Random`` for the
per-row typing), and every timestamp is derived from ``as_of`` (the wall clock is never read;
only ``today_utc``, the command line's default ``as_of``, reads it).

Cases are produced in batches that are consecutive slices of entry time, so memory stays
bounded whatever the size: only the reference tables, the officers and two small pools
(repeat offenders, repeat vehicles) live for the whole run.

The mess a real store holds (see the contract's last section) is produced on purpose: late
entries, status edits, duplicates, repeat vehicles and offenders typed differently, codes and
units in every spelling, missing values, orphans, dangling officer ids, future dates,
negative quantities and timestamps in every allowed text format.
"""

from __future__ import annotations

import math
import random
import sqlite3
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from antismuggling.store import catalogue as cat
from antismuggling.store.schema import TABLES, column_names, create_tables, finish_schema
from antismuggling.store.urls import StoreURL, parse_store_url, redact_url

DAY = 86_400
PKT = 5 * 3600  # Pakistan Standard Time: UTC+05:00, no daylight saving
EPOCH = date(1970, 1, 1)
NULL = np.int64(-(2**62))  # "no timestamp" in the int64 second arrays
BATCH_CASES = 10_000  # cases generated and written together: bounds the memory

# Timestamp text styles, mixed within every table: "YYYY-MM-DD HH:MM:SS", "...THH:MM:SS",
# "...Z", "...+00:00".
STYLE_SHARES = (0.55, 0.25, 0.12, 0.08)

# How messy the store is.
DUPLICATE_RATE = 0.015  # cases typed twice (the later copy is soft-deleted)
CHILD_DELETE_RATE = 0.012  # items / persons / vehicles / case officers soft-deleted
REPEAT_PERSON_RATE = 0.07  # person rows that are a known repeat offender
REPEAT_VEHICLE_RATE = 0.05  # vehicle rows that are a vehicle seen before
# Rare mess, scheduled so that any store of MIN_CASES_FOR_EVERY_MESS cases or more has at least
# one of each: share of cases.
MIN_CASES_FOR_EVERY_MESS = 200
RARE_RATES = {
    "future_seizure": 0.0005,  # seizure year typed wrong (2026 -> 2206)
    "seizure_after_entry": 0.001,
    "negative_quantity": 0.0004,
    "orphan_item": 0.0008,  # an item whose case_id does not exist
    "deleted_case": 0.002,  # a case deleted (entered in error) whose children stay live
    "missing_officer": 0.0008,  # a case officer row naming an officer id that no longer exists
}

STATUSES = ("SEIZED", "SCN_ISSUED", "ADJUDICATED", "APPEAL", "CLOSED")
OUTCOMES = ("CONFISCATED", "REDEEMED", "RELEASED", "ACQUITTED")
OFFENCES = (
    "SMUGGLING",
    "NCP_VEHICLE",
    "BANNED_GOODS",
    "NARCOTICS",
    "CURRENCY",
    "MISDECLARATION",
    "TRANSIT_PILFERAGE",
    "OTHER",
)
PLACE_KINDS = (
    "BORDER_CROSSING",
    "CHECKPOST",
    "HIGHWAY",
    "CITY",
    "SEAPORT",
    "AIRPORT",
    "DRY_PORT",
    "WAREHOUSE",
    "COASTAL",
)
AREAS = tuple(cat.AREA_EMPHASIS)
PERSON_ROLES = (
    "DRIVER",
    "CLEANER",
    "OWNER_OF_VEHICLE",
    "OWNER_OF_GOODS",
    "FINANCIER",
    "CARRIER",
    "RECEIVER",
    "PASSENGER",
    "OTHER",
)
# Chance of each person role in a case: with a vehicle, without one, at an airport.
PERSON_ROLE_CHANCES = np.array(
    [
        [0.85, 0.20, 0.12, 0.25, 0.03, 0.02, 0.04, 0.08, 0.03],
        [0.00, 0.00, 0.00, 0.50, 0.03, 0.15, 0.08, 0.02, 0.10],
        [0.00, 0.00, 0.00, 0.05, 0.00, 0.60, 0.05, 0.35, 0.00],
    ]
)
CUSTODY = ("ARRESTED", "ABSCONDED", "RELEASED_ON_BAIL", "NOT_ARRESTED")
# Custody by role: those caught with the goods, those behind them, others.
CUSTODY_SHARES = {
    "caught": (0.55, 0.20, 0.20, 0.05),
    "behind": (0.15, 0.30, 0.10, 0.45),
    "other": (0.30, 0.25, 0.20, 0.25),
}
CAUGHT_ROLES = {"DRIVER", "CLEANER", "CARRIER", "PASSENGER"}
BEHIND_ROLES = {"OWNER_OF_VEHICLE", "OWNER_OF_GOODS", "FINANCIER", "RECEIVER"}

# How an HS code is typed: (format, share).
HS_FORMATS = (
    ("dot6", 0.30),
    ("pct8", 0.14),
    ("dotted8", 0.10),
    ("plain8", 0.10),
    ("plain6", 0.08),
    ("lost_zero", 0.03),
    ("heading", 0.06),
    ("text", 0.06),
    ("blank", 0.02),
    ("null", 0.05),
    ("invalid", 0.02),
    ("spaced", 0.04),
)

# How often a line is counted in its first, second and third packing (e.g. KG, BAGS, CTN).
PACKING_SHARES = (0.6, 0.25, 0.15)

# Consumer prices relative to 2024 (assessed values follow inflation).
PRICE_INDEX = {
    2015: 0.38,
    2016: 0.40,
    2017: 0.42,
    2018: 0.45,
    2019: 0.50,
    2020: 0.55,
    2021: 0.60,
    2022: 0.72,
    2023: 0.90,
    2024: 1.00,
    2025: 1.05,
    2026: 1.10,
}


@dataclass(frozen=True)
class GenerationSummary:
    url: str  # redacted
    cases: int  # genuine cases asked for (duplicates come on top)
    seed: int
    as_of: date
    rows: dict[str, int]  # rows written per table
    live_cases: int  # case rows without deleted_at
    seconds: float

    def describe(self) -> str:
        children = sum(n for table, n in self.rows.items() if table != "cases")
        return (
            f"{self.rows['cases']:,} case rows ({self.live_cases:,} live) and {children:,} other rows "
            f"into {self.url} in {self.seconds:.1f} s (seed {self.seed}, as of {self.as_of.isoformat()})"
        )


# The library's default ``as_of``: a fixed day, so that a store made without one is the same on
# every day (the tests rely on it). The command line's default is the day it runs (``today_utc``).
FIXED_AS_OF = date(2026, 11, 1)


def today_utc() -> date:
    """The day a store generated now runs up to: today in UTC, so that, ``as_of`` being 00:00 UTC
    of that day, no timestamp lies in the future (yesterday's entries are the latest)."""
    return datetime.now(UTC).date()


def generate_store(
    url: str,
    cases: int,
    seed: int,
    *,
    as_of: date = FIXED_AS_OF,
    replace: bool = False,
    progress: bool = True,
) -> GenerationSummary:
    """Generate a demo operational store of ``cases`` seizure cases at ``url``.

    Deterministic: the same ``seed``, ``cases`` and ``as_of`` give the same table contents.
    Every timestamp lies before ``as_of`` (00:00 UTC) except the deliberate future typos: the
    store runs up to that day: the latest entries and edits are of the day before, and each
    seizure precedes its entry by its formation's upload lag.
    ``as_of`` defaults to the fixed ``FIXED_AS_OF``; pass ``today_utc()`` for a store that is
    current on the day it is made (``antismuggling generate`` does, unless ``--until`` pins it).
    Raises ``StoreNotEmptyError`` if the target's contract tables already hold rows and
    ``replace`` is false; missing parent directories of a SQLite file are created.
    """
    if cases < 0:
        raise ValueError(f"cases must be >= 0, got {cases}")
    started = time.perf_counter()
    store = parse_store_url(url)
    world = _World(cases, seed, as_of)
    sink = _SqliteSink(store) if store.kind == "sqlite" else _PostgresSink(store)
    rows = dict.fromkeys(TABLES, 0)
    live_cases = 0
    try:
        sink.create(replace=replace)
        with _ProgressBar(cases, enabled=progress) as advance:
            sink.write(_counted(world.static_rows().items(), rows))
            for index, first in enumerate(range(0, cases, BATCH_CASES)):
                batch = _Batch(world, index, first, min(BATCH_CASES, cases - first))
                sink.write(_counted(batch.tables(), rows))
                live_cases += batch.live_cases
                advance(batch.n)
        sink.finish()
    finally:
        sink.close()
    return GenerationSummary(
        url=redact_url(url),
        cases=cases,
        seed=seed,
        as_of=as_of,
        rows=rows,
        live_cases=live_cases,
        seconds=round(time.perf_counter() - started, 3),
    )


TableRows = Iterable[tuple[str, list[tuple]]]


def _counted(tables: TableRows, counts: dict[str, int]) -> Iterator[tuple[str, list[tuple]]]:
    for table, rows in tables:
        counts[table] += len(rows)
        yield table, rows


class _ProgressBar:
    """A rich progress bar on stderr (or nothing)."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self._progress: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("generating cases"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self._progress.start()
        task = self._progress.add_task("cases", total=self.total)
        return lambda n: self._progress.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


# ---------------------------------------------------------------------------------------------
# Sinks: where the rows go
# ---------------------------------------------------------------------------------------------


def _insert_sql(table: str) -> str:
    columns = column_names(table)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


class _SqliteSink:
    """executemany in one transaction per batch; journal and fsync off while loading."""

    def __init__(self, store: StoreURL) -> None:
        assert store.path is not None
        store.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(store.path, isolation_level=None)
        self.connection.execute("PRAGMA cache_size = -65536")

    def create(self, *, replace: bool) -> None:
        self.connection.execute("BEGIN")
        try:
            create_tables(self.connection, "sqlite", replace=replace)
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")
        # Only now that the target is known to be ours: load fast, without a journal.
        self.connection.execute("PRAGMA journal_mode = OFF")
        self.connection.execute("PRAGMA synchronous = OFF")

    def write(self, tables: TableRows) -> None:
        self.connection.execute("BEGIN")
        for table, rows in tables:
            if rows:
                self.connection.executemany(_insert_sql(table), rows)
        self.connection.execute("COMMIT")

    def finish(self) -> None:
        self.connection.execute("BEGIN")
        finish_schema(self.connection, "sqlite")
        self.connection.execute("COMMIT")
        # Leave an ordinary file behind: rollback journal back on for whoever opens it next.
        self.connection.execute("PRAGMA journal_mode = DELETE")

    def close(self) -> None:
        self.connection.close()


class _PostgresSink:
    """COPY per table per batch, one transaction per batch; keys and indexes after the load."""

    def __init__(self, store: StoreURL) -> None:
        import psycopg

        self.connection = psycopg.connect(store.dsn, options="-c TimeZone=UTC")

    def create(self, *, replace: bool) -> None:
        try:
            create_tables(self.connection, "postgresql", replace=replace)
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def write(self, tables: TableRows) -> None:
        with self.connection.cursor() as cursor:
            for table, rows in tables:
                if not rows:
                    continue
                with cursor.copy(f"COPY {table} ({', '.join(column_names(table))}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        self.connection.commit()

    def finish(self) -> None:
        finish_schema(self.connection, "postgresql")
        self.connection.commit()
        for table in TABLES:
            self.connection.execute(f"ANALYZE {table}")
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------


def _epoch_day(day: date) -> int:
    return (day - EPOCH).days


class _Clock:
    """Formats int64 epoch seconds (and epoch days) as the text the store holds, fast.

    Lookup tables of day and time-of-day strings per style turn each timestamp into one string
    concatenation; values outside the table range (the deliberate year-2206 typos) take the
    slow path.
    """

    SEPARATORS = (" ", "T", "T", "T")
    SUFFIXES = ("", "", "Z", "+00:00")

    def __init__(self, first_day: int, last_day: int) -> None:
        self.first_day = first_day
        self.days = [(EPOCH + timedelta(days=d)).isoformat() for d in range(first_day, last_day + 1)]
        self.day_prefixes = [day + separator for separator in self.SEPARATORS for day in self.days]
        times = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self.time_suffixes = [t + suffix for suffix in self.SUFFIXES for t in times]

    def timestamps(self, seconds: np.ndarray, styles: np.ndarray) -> list[str | None]:
        n_days = len(self.days)
        day = seconds // DAY - self.first_day
        fast = (seconds != NULL) & (day >= 0) & (day < n_days)
        if fast.all():
            return self._fast(seconds, day, styles)
        out: list[str | None] = [None] * len(seconds)
        where = np.flatnonzero(fast)
        for i, text in zip(where.tolist(), self._fast(seconds[where], day[where], styles[where])):
            out[i] = text
        for i in np.flatnonzero((seconds != NULL) & ~fast).tolist():
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(seconds[i]))
            style = int(styles[i])
            out[i] = (
                moment.strftime("%Y-%m-%d")
                + self.SEPARATORS[style]
                + moment.strftime("%H:%M:%S")
                + self.SUFFIXES[style]
            )
        return out

    def _fast(self, seconds: np.ndarray, day: np.ndarray, styles: np.ndarray) -> list[str]:
        prefixes, suffixes = self.day_prefixes, self.time_suffixes
        day_keys = (styles * len(self.days) + day).tolist()
        time_keys = (styles * DAY + seconds % DAY).tolist()
        return [prefixes[d] + suffixes[t] for d, t in zip(day_keys, time_keys)]

    def date(self, epoch_day: int | None) -> str | None:
        if epoch_day is None:
            return None
        index = epoch_day - self.first_day
        if 0 <= index < len(self.days):
            return self.days[index]
        return (EPOCH + timedelta(days=epoch_day)).isoformat()


def _styles(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(len(STYLE_SHARES), n, p=STYLE_SHARES).astype(np.int64)


def _office_time(rng: np.random.Generator, n: int) -> np.ndarray:
    """UTC time of day at which an office types something: mostly 09:00-18:00 PKT."""
    seconds = (4 * 3600 + rng.beta(2.0, 2.4, n) * 9 * 3600).astype(np.int64)
    anytime = rng.random(n) < 0.05
    seconds[anytime] = rng.integers(0, DAY, int(anytime.sum()))
    return seconds


def _day_seconds(days: np.ndarray) -> np.ndarray:
    """A (fractional) number of days as whole seconds."""
    return (days * DAY).astype(np.int64)


def _typo_year(seconds: int) -> int:
    """The same moment with the year's middle digits swapped (2026 -> 2206, 2019 -> 2109)."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    digits = f"{moment.year:04d}"
    year = int(digits[0] + digits[2] + digits[1] + digits[3])
    if year <= moment.year:
        year = moment.year + 180
    day = min(moment.day, 28) if moment.month == 2 else moment.day
    typo = moment.replace(year=year, day=day)
    return int((typo - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())


# ---------------------------------------------------------------------------------------------
# Typing: how identifiers end up in the store
# ---------------------------------------------------------------------------------------------


def _cumulative(weights: Sequence[float]) -> list[float]:
    """Cumulative shares ending at exactly 1.0, for ``_pick``."""
    total = float(sum(weights))
    running, out = 0.0, []
    for weight in weights:
        running += weight / total
        out.append(running)
    out[-1] = 1.0
    return out


def _pick(r: random.Random, options: Sequence[Any], cumulative: list[float]) -> Any:
    """A weighted choice (``cumulative`` from ``_cumulative``)."""
    return options[bisect_right(cumulative, r.random())]


def _choice(r: random.Random, options: Sequence[Any]) -> Any:
    """``r.choice`` without its rejection sampling: several times faster, and as deterministic."""
    return options[int(r.random() * len(options))]


def _below(r: random.Random, n: int) -> int:
    return int(r.random() * n)


def _spell(token: str, r: random.Random, variant_chance: float) -> str:
    spellings = cat.SPELLINGS.get(token)
    if spellings and r.random() < variant_chance:
        return _choice(r, spellings)
    return token


def _type_cnic(digits: str, r: random.Random) -> str | None:
    """A CNIC as typed: dashed (usually), plain, spaced, padded, a dash missing, junk, or nothing."""
    x = r.random()
    if x < 0.66:
        return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"
    if x < 0.80:
        return digits
    if x < 0.85:
        return f"{digits[:5]} {digits[5:12]} {digits[12]}"
    if x < 0.87:
        return f" {digits[:5]}-{digits[5:12]}-{digits[12]} "
    if x < 0.89:
        return f"{digits[:5]}-{digits[5:]}"
    if x < 0.94:
        return _choice(r, ("N/A", "0000000000000", "NIL", "-", digits[:9], f"{digits[:5]}-{digits[5:11]}-{digits[12]}"))
    return None


def _type_plate(letters: str, digits: str, r: random.Random) -> str:
    """A registration number as typed: LEA-1234, LEA 1234, LEA1234, lea1234, padded..."""
    x = r.random()
    if x < 0.50:
        return f"{letters}-{digits}"
    if x < 0.65:
        return f"{letters} {digits}"
    if x < 0.80:
        return f"{letters}{digits}"
    if x < 0.87:
        return f"{letters.lower()}{digits}"
    if x < 0.92:
        return f"{letters.lower()}-{digits}"
    if x < 0.96:
        return f"{letters}-{digits} "
    return f" {letters.title()}-{digits}"


def _type_serial(prefix: str, serial: str, r: random.Random) -> str:
    """A chassis or engine number: with or without the dash, case and spaces varying."""
    x = r.random()
    if x < 0.55:
        return f"{prefix}-{serial}"
    if x < 0.80:
        return f"{prefix}{serial}"
    if x < 0.88:
        return f"{prefix.lower()}-{serial}"
    if x < 0.95:
        return f"{prefix} {serial}"
    return f"{prefix}-{serial[:3]}-{serial[3:]}"


@dataclass(frozen=True, slots=True)
class _Person:
    given: tuple[str, ...]
    surname: str | None
    father: tuple[str, ...]
    gender: str
    cnic: str | None  # 13 digits as issued
    passport: str | None
    birth_day: int | None  # epoch day
    nationality: str
    district: str | None


@dataclass(frozen=True, slots=True)
class _Vehicle:
    model: int  # index into cat.VEHICLE_MODELS
    plate: tuple[str, str] | None  # (letters, digits) as issued, None if never registered
    chassis: tuple[str, str] | None  # (frame prefix, serial)
    engine: tuple[str, str] | None
    colour: str
    year: int


# ---------------------------------------------------------------------------------------------
# The world: everything fixed for the whole store
# ---------------------------------------------------------------------------------------------


class _World:
    """Calendar, reference tables, officers and their postings, repeat pools, mess schedules."""

    def __init__(self, cases: int, seed: int, as_of: date) -> None:
        self.cases = cases
        self.seed = seed
        self.as_of = as_of
        self.start_day = _epoch_day(date(as_of.year - 9, 7, 1))  # the store went live
        self.end_day = _epoch_day(as_of)
        self.end = self.end_day * DAY  # every timestamp is before this instant
        # Vehicle numbers are drawn at random, and a number two vehicles share makes them one
        # vehicle: beyond a million cases the number spaces grow with the store (plates carry a
        # registration year, serials more digits), or chance collisions would chain millions of
        # vehicles into one. Up to a million cases the store is as it always was.
        self.identifier_blocks = max(1, math.ceil(cases / 1_000_000))
        self.clock = _Clock(_epoch_day(date(1940, 1, 1)), self.end_day + 800)
        rng = np.random.default_rng([seed, 0])
        self.r = random.Random(int(rng.integers(2**62)))
        self._places()
        self._calendar()
        self._goods()
        self._people()
        self._officers()
        self._pools()
        self._schedules(rng)
        self.next_case_id = 1
        self.next_child_id = dict.fromkeys(("seizure_items", "case_vehicles", "case_persons"), 1)
        self.case_numbers: dict[tuple[int, int], int] = {}

    # --- places and formations ---

    def _places(self) -> None:
        self.location_kind = np.array([PLACE_KINDS.index(loc.kind) for loc in cat.LOCATIONS])
        formations = cat.FORMATIONS
        self.case_formations = np.array([i for i, f in enumerate(formations) if f.case_share > 0])
        shares = np.array([formations[i].case_share for i in self.case_formations], dtype=float)
        self.case_formation_p = shares / shares.sum()
        self.formation_area = np.array([AREAS.index(f.area) if f.area else 0 for f in formations])
        self.formation_lateness = np.array([f.lateness for f in formations])

        def ids(names: Iterable[str]) -> np.ndarray:
            return np.array([cat.LOCATION_INDEX[name] for name in names], dtype=np.int64)

        self.seizure_places = [ids(name for name, _ in f.seizure_places) for f in formations]
        self.seizure_place_p = [
            np.array([w for _, w in f.seizure_places]) / sum(w for _, w in f.seizure_places)
            if f.seizure_places
            else None
            for f in formations
        ]
        self.foreign_origins = [ids(f.foreign_origins) for f in formations]
        self.domestic_origins = [ids(f.domestic_origins) for f in formations]
        self.destinations = [ids(f.destinations) for f in formations]
        self.foreign_destinations = [ids(f.foreign_destinations) for f in formations]
        self.air_places = ids(cat.AIR_ORIGINS)
        self.routes = [f.routes for f in formations]
        detection_methods = sorted({m for rows in cat.DETECTION_BY_PLACE.values() for m, _ in rows})
        self.detection_methods = tuple(detection_methods)
        table = np.zeros((len(PLACE_KINDS), len(detection_methods)))
        for kind, rows in cat.DETECTION_BY_PLACE.items():
            for method, weight in rows:
                table[PLACE_KINDS.index(kind), detection_methods.index(method)] = weight
        self.detection_cum = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
        self.conveyance_chance = np.array([cat.CONVEYANCE_BY_PLACE[k] for k in PLACE_KINDS])

    def _calendar(self) -> None:
        """Relative number of cases entered each day: growth, season, weekends, the 2023 crackdown."""
        days = np.arange(self.start_day, self.end_day)
        years = (days - self.start_day) / 365.25
        as_dates = days.astype("datetime64[D]")
        day_of_year = (as_dates - as_dates.astype("datetime64[Y]")).astype(int)
        weekday = (days + 3) % 7  # 0 = Monday
        weights = 1.07**years * (1 + 0.12 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25))
        weights = weights * np.select([weekday == 5, weekday == 6], [0.45, 0.2], 1.0)
        weights = weights * np.where(days >= _epoch_day(date(2023, 9, 1)), 1.5, 1.0)
        self.calendar_cdf = np.cumsum(weights) / weights.sum()
        first_year = 1900
        self.price_index = np.array([self._price(first_year + i) for i in range(400)])
        self.price_first_year = first_year

    @staticmethod
    def _price(year: int) -> float:
        if year in PRICE_INDEX:
            return PRICE_INDEX[year]
        first, last = min(PRICE_INDEX), max(PRICE_INDEX)
        if year < first:
            return PRICE_INDEX[first]
        return PRICE_INDEX[last] * 1.07 ** min(year - last, 20)

    def entry_days(self, u: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.calendar_cdf, u, side="right")
        return self.start_day + np.minimum(index, len(self.calendar_cdf) - 1)

    def prices(self, seconds: np.ndarray) -> np.ndarray:
        years = seconds.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
        return self.price_index[np.clip(years - self.price_first_year, 0, len(self.price_index) - 1)]

    # --- goods ---

    def _goods(self) -> None:
        commodities = cat.COMMODITIES
        n_commodities = len(commodities)
        self.vehicle_commodity = cat.COMMODITY_INDEX["vehicles"]
        base = np.array([c.share for c in commodities], dtype=float)
        weights = np.ones((len(PLACE_KINDS), len(AREAS), n_commodities)) * base
        for kind, factors in cat.PLACE_EMPHASIS.items():
            for key, factor in factors.items():
                weights[PLACE_KINDS.index(kind), :, cat.COMMODITY_INDEX[key]] *= factor
        for area, factors in cat.AREA_EMPHASIS.items():
            for key, factor in factors.items():
                weights[:, AREAS.index(area), cat.COMMODITY_INDEX[key]] *= factor
        self.commodity_cum = np.cumsum(weights / weights.sum(axis=2, keepdims=True), axis=2)
        self.extra_lines = np.array([c.extra_lines for c in commodities])
        self.banned = np.array([c.banned for c in commodities])
        self.commodity_offence = np.array([OFFENCES.index(c.offence) for c in commodities])
        self.commodity_outward = np.array([c.flow == "outward" for c in commodities])
        self.commodity_load = [c.load for c in commodities]
        # Further lines in a case are mostly the same goods, sometimes other ordinary goods.
        companion = np.array([0.0 if (c.banned or c.key in ("vehicles", "currency")) else c.share for c in commodities])
        self.companion_p = companion / companion.sum()

        # Every tariff line (commodity lines, then one per vehicle model's subheading) and its packings.
        self.line_descriptions: list[tuple[str, ...]] = []
        self.line_formats: list[tuple[tuple[str | None, ...], ...]] = []
        packing_rows: list[tuple[int, int, cat.Packing, float]] = []
        self.commodity_packings: list[tuple[np.ndarray, np.ndarray]] = []
        for k, commodity in enumerate(commodities):
            first_packing = len(packing_rows)
            for line in commodity.lines:
                line_index = self._add_line(line.hs6, line.national, line.descriptions, commodity.typed_names)
                for packing, share in zip(line.packings, PACKING_SHARES[: len(line.packings)], strict=True):
                    packing_rows.append((k, line_index, packing, line.weight * share))
            packing_ids = np.arange(first_packing, len(packing_rows))
            if len(packing_ids):
                cum = np.cumsum([packing_rows[p][3] for p in packing_ids])
                self.commodity_packings.append((packing_ids, cum / cum[-1]))
            else:
                self.commodity_packings.append((packing_ids, np.array([])))
        self.packing_line = np.array([row[1] for row in packing_rows])
        self.packing_median = np.array([row[2].median for row in packing_rows])
        self.packing_spread = np.array([row[2].spread for row in packing_rows])
        self.packing_price = np.array([row[2].unit_price for row in packing_rows])
        self.packing_decimals = np.array([row[2].decimals for row in packing_rows])
        self.packing_units = [row[2].units for row in packing_rows]
        self.unit_cum = [_cumulative([1 / (i + 1) for i in range(len(units))]) for units in self.packing_units]
        vehicle_names = cat.COMMODITIES[self.vehicle_commodity].typed_names
        self.model_line = [self._add_line(m.hs6, "00", (), vehicle_names) if m.hs6 else -1 for m in cat.VEHICLE_MODELS]
        self.hs_format_p = np.array([share for _, share in HS_FORMATS])
        self.origin_codes = [tuple(code for code, _ in c.origins) for c in commodities]
        self.origin_p = [np.array([w for _, w in c.origins]) / sum(w for _, w in c.origins) for c in commodities]

    def _add_line(self, hs6: str, national: str, descriptions: tuple[str, ...], typed_names: tuple[str, ...]) -> int:
        head, sub = hs6[:4], hs6[4:]
        variants: dict[str, tuple[str | None, ...]] = {
            "dot6": (f"{head}.{sub}",),
            "pct8": (f"{head}.{sub}{national}",),
            "dotted8": (f"{head}.{sub}.{national}",),
            "plain8": (hs6 + national,),
            "plain6": (hs6,),
            # A spreadsheet read the code as a number.
            "lost_zero": (str(int(hs6)), str(int(hs6 + national))) if hs6.startswith("0") else (hs6,),
            "heading": (head,),
            "text": typed_names or ("goods",),
            "blank": ("", " "),
            "null": (None,),
            "invalid": cat.INVALID_HS_CODES,
            "spaced": (f" {head}.{sub}", f"{head}.{sub} ", f"{head} {sub}"),
        }
        self.line_formats.append(tuple(variants[name] for name, _ in HS_FORMATS))
        self.line_descriptions.append(descriptions)
        return len(self.line_formats) - 1

    # --- people ---

    def _people(self) -> None:
        districts = cat.DISTRICTS
        self.area_districts = []
        for area in AREAS:
            names = [name for name, _ in cat.AREA_HOME_DISTRICTS[area]]
            self.area_districts.append(
                (
                    [districts[cat.DISTRICT_INDEX[n]] for n in names],
                    _cumulative([w for _, w in cat.AREA_HOME_DISTRICTS[area]]),
                )
            )
        self.afghan_share = [cat.AREA_AFGHAN_SHARE[area] for area in AREAS]

    def new_person(self, r: random.Random, area: int, *, female_share: float = 0.03) -> _Person:
        """Someone from an area: a Pakistani with a CNIC of their home district, or an Afghan national."""
        if r.random() < self.afghan_share[area]:
            group, nationality, district, cnic = "afghan", "AF", None, None
            x = r.random()
            if x < 0.55:
                passport = f"P{10**7 + _below(r, 9 * 10**7):08d}"
            elif x < 0.65:
                passport = f"Tazkira {r.randrange(1000, 1500)}-{r.randrange(1000, 9999)}-{r.randrange(10000, 99999)}"
            else:
                passport = None
        else:
            if r.random() < 0.8:
                options, cumulative = self.area_districts[area]
                home = _pick(r, options, cumulative)
            else:
                home = _choice(r, cat.DISTRICTS)
            group, nationality, district, passport = home.names, "PK", home.name, None
            cnic = _choice(r, home.cnic_prefixes) + f"{_below(r, 10**7):07d}"
        gender = "F" if r.random() < female_share else "M"
        if cnic is not None:
            last = 2 * _below(r, 5) + (gender == "M")
            cnic += str(last)
        if gender == "F":
            given: tuple[str, ...] = (_choice(r, cat.FEMALE_NAMES),)
        else:
            given = self._male_given(r, group)
        surname = _choice(r, cat.SURNAMES[group]) if r.random() < 0.85 else None
        father = self._male_given(r, group)
        age_days = int(r.uniform(18, 68) * 365.25)
        return _Person(given, surname, father, gender, cnic, passport, self.end_day - age_days, nationality, district)

    @staticmethod
    def _male_given(r: random.Random, group: str) -> tuple[str, ...]:
        if r.random() < (0.3 if group in ("pashtun", "afghan") else 0.08):
            return (_choice(r, cat.SINGLE_NAMES),)
        first = _choice(r, cat.FIRST_PARTS)
        second = _choice(r, cat.SECOND_PARTS)
        while second == first:
            second = _choice(r, cat.SECOND_PARTS)
        return (first, second)

    def type_person(self, person: _Person, r: random.Random, *, repeat: bool) -> tuple:
        """(cnic, passport_no, full_name, father_name, gender, date_of_birth, nationality, home_district)."""
        variant = 0.5 if repeat else 0.12
        tokens = [_spell(t, r, variant) for t in person.given]
        if person.surname and r.random() > (0.35 if repeat else 0.2):
            tokens.append(_spell(person.surname, r, variant))
        full_name = " ".join(tokens)
        if r.random() < 0.04:
            full_name = full_name.upper()
        father = None
        if r.random() < 0.8:
            father = " ".join(_spell(t, r, variant) for t in person.father)
            if person.surname and r.random() < 0.5:
                father += " " + person.surname
        if person.cnic is not None:
            cnic = _type_cnic(person.cnic, r)
        else:
            cnic = _choice(r, ("N/A", "-", "Afghan national")) if r.random() < 0.2 else None
        passport = person.passport
        if passport is not None and r.random() < 0.15:
            passport = passport.lower() if r.random() < 0.5 else passport[:1] + " " + passport[1:]
        gender = person.gender if r.random() < 0.88 else None
        birth = self.clock.date(person.birth_day) if r.random() < 0.6 else None
        nationality = person.nationality if r.random() < 0.9 else None
        district = person.district if r.random() < 0.85 else None
        return cnic, passport, full_name, father, gender, birth, nationality, district

    # --- officers ---

    def _careers(self) -> list[tuple[str, str, int, list[tuple[int, int, int | None]]]]:
        """(full name, designation, tier, postings) of each officer serving while the store is live.

        A posting is (formation index, first day, last day or None while current); officers are
        transferred every few years, mostly within their cadre, and some retire.
        """
        r = self.r
        formations = cat.FORMATIONS
        wanted = int(np.clip(self.cases // 250, 400, 4000))
        staff_weights = [f.case_share or 0.4 for f in formations]
        staff_cum = _cumulative(staff_weights)
        cadres = {
            "CE": (
                [d for d, _, _ in cat.CE_DESIGNATIONS],
                [t for _, _, t in cat.CE_DESIGNATIONS],
                _cumulative([s for _, s, _ in cat.CE_DESIGNATIONS]),
            ),
            "II": (
                [d for d, _, _ in cat.II_DESIGNATIONS],
                [t for _, _, t in cat.II_DESIGNATIONS],
                _cumulative([s for _, s, _ in cat.II_DESIGNATIONS]),
            ),
        }

        def cadre_of(formation: int) -> str:
            return "CE" if formations[formation].kind == "ENFORCEMENT_COLLECTORATE" else "II"

        careers = []
        for _ in range(wanted):
            first = bisect_right(staff_cum, r.random())
            cadre = cadre_of(first)
            names, tiers, cumulative = cadres[cadre]
            which = bisect_right(cumulative, r.random())
            if r.random() < 0.8:
                joined = self.start_day - int(r.uniform(0, 12 * 365))
            else:
                joined = self.start_day + int(r.uniform(0, self.end_day - self.start_day - 60))
            postings: list[tuple[int, int, int | None]] = []
            formation, posted_from = first, joined
            while posted_from < self.end_day:
                length = max(180, int(r.lognormvariate(math.log(4 * 365), 0.5)))
                posted_to = posted_from + length - 1
                if posted_to >= self.end_day:
                    postings.append((formation, posted_from, None))
                    break
                postings.append((formation, posted_from, posted_to))
                if r.random() < 0.12:  # retired or left the service
                    break
                same_cadre = r.random() < 0.75
                while True:
                    nxt = bisect_right(staff_cum, r.random())
                    if nxt != formation and (not same_cadre or cadre_of(nxt) == cadre):
                        break
                formation, posted_from = nxt, posted_to + 1
            postings = [p for p in postings if p[2] is None or p[2] >= self.start_day]
            if not postings:
                continue
            area = self.formation_area[first]
            person = self.new_person(r, int(area), female_share=0.04)
            full_name = " ".join(person.given + ((person.surname,) if person.surname else ()))
            careers.append((full_name, names[which], tiers[which], postings))
        return careers

    def _officers(self) -> None:
        """The officers and officer_postings rows, and who can be picked for a case role when.

        Postings already running at go-live were typed in during its first weeks, later ones
        when ordered; closing a posting bumps its updated_at. A few officer ids are gone from
        the store (legacy purge) and a few officers were typed twice, the copy soft-deleted.
        """
        r = self.r
        formations = cat.FORMATIONS
        candidates = self._careers()
        officer_rows: list[tuple] = []
        posting_rows: list[tuple] = []
        self.active: dict[tuple[int, int], tuple[list[int], ...]] = {}
        self.formation_officers: dict[int, list[int]] = {}
        self.start_month = self._month(self.start_day)
        self.end_month = self._month(self.end_day - 1)
        n_purged = max(2, len(candidates) // 400)
        purged = set(r.sample(range(1, len(candidates) + 1), n_purged))
        self.missing_officer_ids = sorted(purged)
        posting_entries = []
        for officer_id, (full_name, designation, tier, postings) in enumerate(candidates, start=1):
            created, touched = [], []
            for formation, posted_from, posted_to in postings:
                if posted_from < self.start_day:
                    typed_day = self.start_day + int(r.uniform(0, 60))
                else:
                    typed_day = posted_from + int(r.expovariate(1 / 6))
                typed = typed_day * DAY + 4 * 3600 + int(r.uniform(0, 9 * 3600))
                updated = typed
                if posted_to is not None:
                    closed = (posted_to + int(r.uniform(0, 20))) * DAY + 4 * 3600 + int(r.uniform(0, 9 * 3600))
                    updated = max(typed, min(closed, self.end - 1))
                created.append(typed)
                touched.append(updated)
                if officer_id in purged:
                    continue
                posting_entries.append((typed, officer_id, formation, posted_from, posted_to, updated))
                self._make_active(officer_id, tier, formation, posted_from, posted_to)
            if officer_id in purged:
                continue
            officer_created = min(created)
            # A transfer often comes with a new designation typed on the officer too.
            officer_updated = max(touched) if r.random() < 0.5 else officer_created
            service_no = f"{'PCS' if tier >= 3 else 'C'}-{10000 + officer_id * 7:06d}"
            officer_rows.append(
                (officer_id, service_no, full_name, designation, officer_created, officer_updated, None)
            )
        # A few officers typed twice by mistake, the copy soft-deleted.
        next_id = len(candidates) + 1
        for original in r.sample(officer_rows, max(1, len(officer_rows) // 300)):
            created = original[4] + int(r.uniform(3600, 30 * DAY))
            deleted = created + int(r.uniform(DAY, 20 * DAY))
            if deleted >= self.end:
                continue
            officer_rows.append(
                (next_id, original[1] + "/2", original[2].upper(), original[3], created, deleted, deleted)
            )
            next_id += 1
        posting_entries.sort()
        for posting_id, (typed, officer_id, formation, posted_from, posted_to, updated) in enumerate(
            posting_entries, 1
        ):
            posting_rows.append(
                (
                    posting_id,
                    officer_id,
                    formations[formation].code,
                    self.clock.date(posted_from),
                    self.clock.date(posted_to),
                    typed,
                    updated,
                )
            )
        self.officer_rows = officer_rows
        self.posting_rows = posting_rows
        # An officer transferred away and back is listed once.
        self.formation_officers = {f: list(dict.fromkeys(ids)) for f, ids in self.formation_officers.items()}
        self.every_officer = [row[0] for row in officer_rows if row[6] is None]

    @staticmethod
    def _month(epoch_day: int) -> int:
        moment = EPOCH + timedelta(days=epoch_day)
        return moment.year * 12 + moment.month - 1

    def _make_active(self, officer_id: int, tier: int, formation: int, posted_from: int, posted_to: int | None) -> None:
        first = max(self._month(posted_from), self.start_month)
        last = self._month(min(posted_to if posted_to is not None else self.end_day - 1, self.end_day - 1))
        roles = [role for role, tiers in cat.ROLE_TIERS.items() if tier in tiers]
        role_slots = [list(cat.ROLE_TIERS).index(role) for role in roles]
        self.formation_officers.setdefault(formation, []).append(officer_id)
        for month in range(first, last + 1):
            lists = self.active.get((formation, month))
            if lists is None:
                lists = tuple([] for _ in range(len(cat.ROLE_TIERS) + 1))
                self.active[(formation, month)] = lists
            for slot in role_slots:
                lists[slot].append(officer_id)
            lists[-1].append(officer_id)

    def officers_for(self, formation: int, month: int, role_slot: int) -> list[int]:
        """Officers who could fill a case role in a formation in a month (widening when none)."""
        month = min(max(month, self.start_month), self.end_month)
        lists = self.active.get((formation, month))
        if lists is not None:
            if lists[role_slot]:
                return lists[role_slot]
            if lists[-1]:
                return lists[-1]
        return self.formation_officers.get(formation) or self.every_officer

    # --- repeat offenders and repeat vehicles ---

    def _pools(self) -> None:
        """The repeat offenders and repeat vehicles (bounded in number whatever the store size)."""
        r = self.r
        n_people = int(np.clip(self.cases // 30, 50, 30000))
        area_cum = _cumulative([cat.REPEAT_OFFENDER_AREAS[area] for area in AREAS])
        self.repeat_people = [
            self.new_person(r, bisect_right(area_cum, r.random()), female_share=0.02) for _ in range(n_people)
        ]
        # Mildly skewed: the busiest repeat offender turns up a few times more often than the quietest.
        self.repeat_people_cum = _cumulative([1 / (i + 200) ** 0.5 for i in range(n_people)])
        n_vehicles = int(np.clip(self.cases // 40, 30, 20000))
        self.ncp_models = [i for i, m in enumerate(cat.VEHICLE_MODELS) if m.ncp_weight > 0]
        self.ncp_model_cum = _cumulative([cat.VEHICLE_MODELS[i].ncp_weight for i in self.ncp_models])
        self.models_by_type: dict[str, tuple[list[int], list[float]]] = {}
        for i, model in enumerate(cat.VEHICLE_MODELS):
            if model.conveyance_weight > 0:
                self.models_by_type.setdefault(model.vehicle_type, ([], []))
                self.models_by_type[model.vehicle_type][0].append(i)
                self.models_by_type[model.vehicle_type][1].append(model.conveyance_weight)
        self.models_by_type = {t: (ids, _cumulative(w)) for t, (ids, w) in self.models_by_type.items()}
        self.conveyance_type_cum = {
            load: ([t for t, _ in rows], _cumulative([w for _, w in rows]))
            for load, rows in cat.CONVEYANCE_TYPES.items()
        }
        provinces = list(cat.PLATE_SERIES)
        self.plate_provinces = provinces
        self.repeat_ncp = [
            self.new_vehicle(r, _pick(r, self.ncp_models, self.ncp_model_cum), None, ncp=True)
            for _ in range(n_vehicles // 2)
        ]
        self.repeat_conveyances = []
        for _ in range(n_vehicles - n_vehicles // 2):
            vehicle_type = _pick(r, *self.conveyance_type_cum["bulk" if r.random() < 0.5 else "light"])
            ids, cumulative = self.models_by_type[vehicle_type]
            self.repeat_conveyances.append(
                self.new_vehicle(r, _pick(r, ids, cumulative), _choice(r, provinces), ncp=False)
            )
        self.repeat_vehicles_cum = [
            _cumulative([1 / (i + 200) ** 0.5 for i in range(len(pool))])
            for pool in (self.repeat_ncp, self.repeat_conveyances)
        ]

    def new_vehicle(self, r: random.Random, model_index: int, province: str | None, *, ncp: bool) -> _Vehicle:
        """A physical vehicle: its plate (if any), chassis and engine numbers as issued."""
        model = cat.VEHICLE_MODELS[model_index]
        plate: tuple[str, str] | None
        blocks = self.identifier_blocks
        if model.vehicle_type == "BOAT":
            plate = (_choice(r, ("GWD-FB", "PSN-FB", "JWN-FB", "ORM-FB", "KHI-FB")), f"{r.randrange(1, 9999):04d}")
        elif ncp and r.random() < 0.55:
            plate = None  # a non-customs-paid vehicle has never been registered ...
        else:
            # ... or carries a fake number; conveyances have real ones.
            series = cat.PLATE_SERIES[province or _choice(r, self.plate_provinces)]
            letters, n_digits = _choice(r, series)
            plate = (letters, str(10 ** (n_digits - 1) + _below(r, 9 * 10 ** (n_digits - 1))))
        if plate is not None and blocks > 1:
            plate = (f"{plate[0]}-{(self.as_of.year - _below(r, blocks)) % 100:02d}", plate[1])
        chassis = None
        if model.frames:
            digits = 6 if model.vehicle_type == "MOTORCYCLE" else 7
            chassis = (_choice(r, model.frames), str(10 ** (digits - 1) + _below(r, 9 * 10 ** (digits - 1) * blocks)))
        engine = (_choice(r, model.engines), str(10**5 + _below(r, (10**7 - 10**5) * blocks)))
        return _Vehicle(
            model_index,
            plate,
            chassis,
            engine,
            _choice(r, cat.COLOURS),
            model.years[0] + _below(r, model.years[1] - model.years[0] + 1),
        )

    def type_vehicle(self, vehicle: _Vehicle, r: random.Random, *, repeat: bool) -> tuple:
        """(registration_no, chassis_no, engine_no, make, model, colour, model_year)."""
        model = cat.VEHICLE_MODELS[vehicle.model]
        if vehicle.plate is None:
            registration = _choice(r, cat.REGISTRATION_PLACEHOLDERS) if r.random() < 0.6 else None
        else:
            x = r.random()
            if x < (0.75 if repeat else 0.95):
                registration = _type_plate(*vehicle.plate, r)
            elif x < (0.9 if repeat else 0.98):
                registration = _choice(r, cat.REGISTRATION_PLACEHOLDERS)
            else:
                registration = None
        chassis = None
        if vehicle.chassis is not None:
            x = r.random()
            if x < (0.75 if repeat else 0.88):
                chassis = _type_serial(*vehicle.chassis, r)
            elif x < 0.95:
                chassis = None
            else:
                chassis = _choice(r, cat.PLACEHOLDERS)
        x = r.random()
        if x < (0.5 if repeat else 0.7):
            engine = _type_serial(*vehicle.engine, r) if vehicle.engine else None
        elif x < 0.95:
            engine = None
        else:
            engine = _choice(r, cat.PLACEHOLDERS)
        make = model.make if r.random() < 0.95 else None
        if make and r.random() < 0.1:
            make = make.upper()
        model_name = model.model if r.random() < 0.95 else None
        colour = vehicle.colour if r.random() < 0.8 else None
        year = vehicle.year if r.random() < 0.85 else None
        return registration, chassis, engine, make, model_name, colour, year

    # --- schedules of the rare mess ---

    def _schedules(self, rng: np.random.Generator) -> None:
        self.rare: dict[str, np.ndarray] = {}
        for kind, rate in RARE_RATES.items():
            count = round(rate * self.cases)
            if self.cases >= MIN_CASES_FOR_EVERY_MESS:
                count = max(1, count)
            self.rare[kind] = np.sort(rng.choice(self.cases, size=count, replace=False)) if count else np.array([], int)
        # Chains of one vehicle over three cases: A and B share only the chassis number,
        # B and C only the registration (the car was first seized unregistered, then got a
        # plate, then its chassis went untyped).
        chains = int(np.clip(self.cases // 1500, 3, 1000)) if self.cases >= 30 else 0
        r = self.r
        entries = []
        self.chain_vehicles = []
        for chain in range(chains):
            model = _pick(r, self.ncp_models, self.ncp_model_cum)
            while not cat.VEHICLE_MODELS[model].frames:
                model = _pick(r, self.ncp_models, self.ncp_model_cum)
            vehicle = self.new_vehicle(r, model, _choice(r, self.plate_provinces), ncp=False)
            self.chain_vehicles.append(vehicle)
            for step, case in enumerate(np.sort(rng.choice(self.cases, size=3, replace=False)).tolist()):
                entries.append((case, chain, step))
        entries.sort()
        self.chain_cases = np.array([e[0] for e in entries], dtype=np.int64)
        self.chain_links = [(e[1], e[2]) for e in entries]

    def scheduled(self, kind: str, first: int, n: int) -> np.ndarray:
        """Local indices (within a batch) of the cases that get a rare kind of mess."""
        cases = self.rare[kind]
        lo, hi = np.searchsorted(cases, [first, first + n])
        return cases[lo:hi] - first

    # --- the fixed tables ---

    def static_rows(self) -> dict[str, list[tuple]]:
        """Rows of the four reference tables: typed in at go-live, some edited since."""
        r = random.Random(self.seed * 7919 + 1)
        go_live = self.start_day * DAY

        def typed_at(base: int) -> int:
            return base + 4 * 3600 + int(r.uniform(0, 9 * 3600))

        def touched(created: int) -> int:
            if r.random() < 0.3:
                return min(self.end - 1, created + int(r.uniform(DAY, self.end - created - DAY)))
            return created

        formations = []
        for f in cat.FORMATIONS:
            created = typed_at(go_live)
            formations.append((f.code, f.name, f.kind, f.region, f.city, f.parent_code, created, touched(created)))
        locations = []
        for location_id, loc in enumerate(cat.LOCATIONS, start=1):
            created = typed_at(go_live + int(r.uniform(0, 30)) * DAY)
            locations.append(
                (
                    location_id,
                    loc.name,
                    loc.kind,
                    loc.district,
                    loc.province,
                    loc.country,
                    loc.latitude,
                    loc.longitude,
                    created,
                    touched(created),
                )
            )
        return {
            "formations": self._with_text_times(formations, 2, r),
            "officers": self._with_text_times(self.officer_rows, 3, r),
            "officer_postings": self._with_text_times(self.posting_rows, 2, r),
            "locations": self._with_text_times(locations, 2, r),
        }

    def _with_text_times(self, rows: list[tuple], n_times: int, r: random.Random) -> list[tuple]:
        """Rows whose last ``n_times`` fields are epoch seconds (or None), with those typed as text."""
        out = []
        style_cum = _cumulative(STYLE_SHARES)
        styles = np.array([_pick(r, range(4), style_cum) for _ in rows], dtype=np.int64)
        columns = []
        for k in range(n_times):
            seconds = np.array(
                [NULL if row[-n_times + k] is None else row[-n_times + k] for row in rows], dtype=np.int64
            )
            columns.append(self.clock.timestamps(seconds, styles))
        for i, row in enumerate(rows):
            out.append(row[:-n_times] + tuple(column[i] for column in columns))
        return out


# ---------------------------------------------------------------------------------------------
# One batch of cases and everything under them
# ---------------------------------------------------------------------------------------------

Frame = dict[str, np.ndarray]


def _take(frame: Frame, index: np.ndarray) -> Frame:
    return {key: values[index] for key, values in frame.items()}


def _concat(frames: list[Frame]) -> Frame:
    return {key: np.concatenate([f[key] for f in frames]) for key in frames[0]}


def _objects(values: Iterable[Any]) -> np.ndarray:
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _money(paisa: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """PKR as exact numbers: whole rupees as int, others as a float with at most 2 decimals."""
    return _objects(
        None if gone else (p // 100 if p % 100 == 0 else p / 100) for p, gone in zip(paisa.tolist(), missing.tolist())
    )


def _round_money(rng: np.random.Generator, rupees: np.ndarray) -> np.ndarray:
    """Assessed values in paisa: mostly whole rupees, some round hundreds or thousands, a few with paisa."""
    paisa = np.round(rupees * 100).astype(np.int64)
    x = rng.random(len(paisa))
    paisa = np.where(x < 0.80, np.round(paisa / 100) * 100, paisa)
    paisa = np.where((x >= 0.80) & (x < 0.95), np.round(paisa / 10_000) * 10_000, paisa)
    paisa = np.where((x >= 0.95) & (x < 0.98), np.round(paisa / 100_000) * 100_000, paisa)
    return np.maximum(paisa, 100).astype(np.int64)


class _Batch:
    """Cases ``first .. first + n - 1`` (by entry time) with their items, vehicles, persons, officers."""

    def __init__(self, world: _World, index: int, first: int, n: int) -> None:
        self.w = world
        self.first = first
        self.n = n
        self.rng = np.random.default_rng([world.seed, 1, index])
        self.r = random.Random(int(self.rng.integers(2**62)))
        self.live_cases = 0

    def tables(self) -> Iterator[tuple[str, list[tuple]]]:
        """(table, rows) for each case table, produced one table at a time."""
        cases = self._cases()
        vehicles = self._vehicles(cases)
        items = self._items(cases, vehicles)
        self._adjudication(cases, items, vehicles)
        persons = self._persons(cases, vehicles)
        officers = self._case_officers(cases)
        yield from self._assemble(cases, items, vehicles, persons, officers)

    # --- cases ---

    def _cases(self) -> Frame:
        w, rng, n = self.w, self.rng, self.n
        # Entry times: this batch is a consecutive slice of the calendar.
        u = (self.first + np.arange(n) + rng.random(n)) / w.cases
        created = w.entry_days(u) * DAY + _office_time(rng, n)
        created = np.minimum(np.sort(created), w.end - 1)

        formation = w.case_formations[rng.choice(len(w.case_formations), n, p=w.case_formation_p)]
        place = np.empty(n, dtype=np.int64)
        for f in np.unique(formation).tolist():
            mask = formation == f
            place[mask] = rng.choice(w.seizure_places[f], int(mask.sum()), p=w.seizure_place_p[f])
        kind = w.location_kind[place]
        area = w.formation_area[formation]
        cum = w.commodity_cum[kind, area]
        commodity = np.minimum((cum < rng.random(n)[:, None]).sum(axis=1), cum.shape[1] - 1)

        # Upload lag: mostly days, some weeks or months; some formations are habitually late.
        bucket = rng.choice(4, n, p=[0.68, 0.22, 0.08, 0.02])
        lag = np.select(
            [bucket == 0, bucket == 1, bucket == 2],
            [rng.exponential(1.2, n), rng.uniform(7, 42, n), rng.uniform(30, 180, n)],
            rng.uniform(180, 540, n),
        )
        lag = np.minimum(lag * w.formation_lateness[formation] * rng.lognormal(0, 0.2, n), 1000)
        seizure_day = (created - _day_seconds(lag) - 3600) // DAY
        # Seizures happen round the clock, more by night (18:00-06:00 PKT).
        night = rng.random(n) < 0.6
        seizure_time = np.where(night, (13 * 3600 + rng.integers(0, 12 * 3600, n)) % DAY, rng.integers(0, DAY, n))
        seizure = seizure_day * DAY + seizure_time
        too_late = seizure > created - 1800
        seizure[too_late] = created[too_late] - 1800 - rng.integers(0, 6 * 3600, int(too_late.sum()))
        after = w.scheduled("seizure_after_entry", self.first, n)
        seizure[after] = created[after] + _day_seconds(rng.uniform(1, 40, len(after)))
        for i in w.scheduled("future_seizure", self.first, n).tolist():
            seizure[i] = _typo_year(int(seizure[i]))

        origin, destination = self._route_ends(formation, kind, commodity)
        detection = (w.detection_cum[kind] < rng.random(n)[:, None]).sum(axis=1)
        offence = w.commodity_offence[commodity].copy()
        ports = np.isin(kind, [PLACE_KINDS.index(k) for k in ("SEAPORT", "DRY_PORT", "AIRPORT")])
        ordinary = offence == OFFENCES.index("SMUGGLING")
        x = rng.random(n)
        offence[ports & ordinary & (x < 0.25)] = OFFENCES.index("MISDECLARATION")
        transit = np.isin(kind, [PLACE_KINDS.index("SEAPORT"), PLACE_KINDS.index("DRY_PORT")])
        offence[transit & ordinary & (x >= 0.25) & (x < 0.37)] = OFFENCES.index("TRANSIT_PILFERAGE")
        offence[rng.random(n) < 0.02] = OFFENCES.index("OTHER")

        return {
            "created": created,
            "seizure": seizure,
            "formation": formation,
            "place": place,
            "kind": kind,
            "area": area,
            "commodity": commodity,
            "origin": origin,
            "destination": destination,
            "detection": detection,
            "offence": offence,
            "style": _styles(rng, n),
        }

    def _route_ends(
        self, formation: np.ndarray, kind: np.ndarray, commodity: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Origin and destination location ids (0 = unknown) by direction of the smuggling."""
        w, rng, n = self.w, self.rng, len(formation)
        origin = np.zeros(n, dtype=np.int64)
        destination = np.zeros(n, dtype=np.int64)
        outward = w.commodity_outward[commodity]
        vehicles = commodity == w.vehicle_commodity
        airport = kind == PLACE_KINDS.index("AIRPORT")
        x, y = rng.random(n), rng.random(n)

        def choose(options: np.ndarray, mask: np.ndarray) -> np.ndarray:
            return options[rng.integers(0, len(options), int(mask.sum()))] + 1

        for f in np.unique(formation).tolist():
            here = formation == f
            inward = here & ~outward & ~vehicles & ~airport
            m = inward & (x < 0.6)
            origin[m] = choose(w.foreign_origins[f], m)
            m = inward & (x >= 0.6) & (x < 0.85)
            origin[m] = choose(w.domestic_origins[f], m)
            m = here & ~outward & (y < 0.75)
            destination[m] = choose(w.destinations[f], m)
            m = here & outward & ~airport & (x < 0.7)
            origin[m] = choose(w.destinations[f], m)
            m = here & outward & ~airport & (y < 0.8)
            destination[m] = choose(w.foreign_destinations[f], m)
            m = here & vehicles & (x < 0.6)
            origin[m] = choose(w.domestic_origins[f], m)
            m = here & vehicles & (x >= 0.6) & (x < 0.8)
            origin[m] = choose(w.foreign_origins[f], m)
        m = airport & ~outward & (x < 0.85)
        origin[m] = choose(w.air_places, m)
        m = airport & outward & (y < 0.8)
        destination[m] = choose(w.air_places, m)
        return origin, destination

    # --- vehicles ---

    def _vehicles(self, c: Frame) -> Frame:
        w, rng, r, n = self.w, self.rng, self.r, self.n
        ncp = c["commodity"] == w.vehicle_commodity
        x = rng.random(n)
        ncp_count = np.where(x < 0.88, 1, np.where(x < 0.96, 2, rng.integers(3, 6, n)))
        conveys = ~ncp & (rng.random(n) < w.conveyance_chance[c["kind"]])
        conveyance_count = conveys * np.where(rng.random(n) < 0.06, 2, 1)
        count = np.where(ncp, ncp_count, conveyance_count)
        case = np.repeat(np.arange(n), count)
        coastal = c["kind"][case] == PLACE_KINDS.index("COASTAL")

        rows = []
        for k, on_coast in zip(case.tolist(), coastal.tolist()):
            area = AREAS[int(c["area"][k])]
            if ncp[k]:
                involvement = "BOTH" if (count[k] == 1 and r.random() < 0.1) else "SEIZED_GOODS"
                pool, cum = w.repeat_ncp, w.repeat_vehicles_cum[0]
                if r.random() < REPEAT_VEHICLE_RATE:
                    vehicle, repeat = _pick(r, pool, cum), True
                else:
                    model = _pick(r, w.ncp_models, w.ncp_model_cum)
                    vehicle, repeat = w.new_vehicle(r, model, None, ncp=True), False
            else:
                involvement = "CONVEYANCE"
                if r.random() < REPEAT_VEHICLE_RATE:
                    vehicle, repeat = _pick(r, w.repeat_conveyances, w.repeat_vehicles_cum[1]), True
                else:
                    if on_coast and r.random() < 0.7:
                        vehicle_type = "BOAT"
                    else:
                        vehicle_type = _pick(r, *w.conveyance_type_cum[w.commodity_load[int(c["commodity"][k])]])
                    ids, cumulative = w.models_by_type[vehicle_type]
                    province = cat.AREA_PROVINCE[area] if r.random() < 0.8 else None
                    vehicle, repeat = w.new_vehicle(r, _pick(r, ids, cumulative), province, ncp=False), False
            rows.append((k, vehicle, involvement, w.type_vehicle(vehicle, r, repeat=repeat)))

        # The scheduled chains: the same car in three cases, linked only pairwise.
        lo, hi = np.searchsorted(w.chain_cases, [self.first, self.first + n])
        for position in range(lo, hi):
            k = int(w.chain_cases[position]) - self.first
            chain, step = w.chain_links[position]
            vehicle = w.chain_vehicles[chain]
            model = cat.VEHICLE_MODELS[vehicle.model]
            assert vehicle.chassis is not None and vehicle.plate is not None
            if step == 0:
                typed = (
                    _choice(r, ("UNREGISTERED", "Unregistered", None)),
                    f"{vehicle.chassis[0]}-{vehicle.chassis[1]}",
                )
                involvement = "SEIZED_GOODS"
            elif step == 1:
                typed = (_type_plate(*vehicle.plate, r), f"{vehicle.chassis[0]}{vehicle.chassis[1]}")
                involvement = "CONVEYANCE"
            else:
                typed = (f"{vehicle.plate[0].lower()}{vehicle.plate[1]}", _choice(r, (None, "N/A")))
                involvement = "CONVEYANCE"
            rows.append(
                (
                    k,
                    vehicle,
                    involvement,
                    (typed[0], typed[1], None, model.make, model.model, vehicle.colour, vehicle.year),
                )
            )

        rows.sort(key=lambda row: row[0])
        m = len(rows)
        case = np.array([row[0] for row in rows], dtype=np.int64)
        models = [cat.VEHICLE_MODELS[row[1].model] for row in rows]
        involvement = _objects(row[2] for row in rows)
        seized = np.array([row[2] != "CONVEYANCE" for row in rows], dtype=bool)
        value_lakh = np.array([rng.uniform(*model.value_lakh) for model in models]) if m else np.zeros(0)
        value_paisa = np.round(value_lakh * 1e5 * w.prices(c["seizure"][case]) / 1000).astype(np.int64) * 100_000
        valued = np.where(seized, rng.random(m) < 0.9, rng.random(m) < 0.5)
        confiscated = np.where(seized & (involvement != "BOTH"), False, rng.random(m) < 0.7)
        typed = list(zip(*[row[3] for row in rows])) if m else [()] * 7
        frame: Frame = {
            "case": case,
            "registration_no": _objects(typed[0]),
            "chassis_no": _objects(typed[1]),
            "engine_no": _objects(typed[2]),
            "make": _objects(typed[3]),
            "model": _objects(typed[4]),
            "colour": _objects(typed[5]),
            "model_year": _objects(typed[6]),
            "vehicle_type": _objects(model.vehicle_type for model in models),
            "involvement": involvement,
            "confiscated_u_s_157": _objects(bool(v) for v in confiscated.tolist()),
            "value_pkr": _money(value_paisa, ~valued),
            "value_paisa": np.where(valued & seized, value_paisa, 0),
            "line": np.array([w.model_line[row[1].model] for row in rows], dtype=np.int64),
        }
        return frame

    # --- items ---

    def _items(self, c: Frame, vehicles: Frame) -> Frame:
        w, rng, r = self.w, self.rng, self.r
        goods = c["commodity"] != w.vehicle_commodity
        count = np.where(goods, 1 + np.minimum(rng.poisson(w.extra_lines[c["commodity"]]), 7), 0)
        case = np.repeat(np.arange(self.n), count)
        m = len(case)
        position = np.arange(m) - np.repeat(np.cumsum(count) - count, count)
        commodity = c["commodity"][case].copy()
        companions = (position > 0) & (rng.random(m) < 0.3)
        commodity[companions] = rng.choice(len(w.companion_p), int(companions.sum()), p=w.companion_p)

        packing = np.zeros(m, dtype=np.int64)
        origin = _objects([None] * m)
        concealment = _objects([None] * m)
        for k in np.unique(commodity).tolist():
            mask = commodity == k
            size = int(mask.sum())
            ids, cum = w.commodity_packings[k]
            packing[mask] = ids[np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(ids) - 1)]
            codes = w.origin_codes[k]
            origin[mask] = _objects(codes[j] for j in rng.choice(len(codes), size, p=w.origin_p[k]).tolist())
            hidden = cat.COMMODITIES[k].concealments
            if hidden:
                concealment[mask] = _objects(hidden[j] for j in rng.integers(0, len(hidden), size).tolist())
        origin[rng.random(m) < 0.15] = None
        concealment[rng.random(m) < 0.65] = None

        decimals = w.packing_decimals[packing]
        scale = 10.0**decimals
        quantity = np.exp(np.log(w.packing_median[packing]) + w.packing_spread[packing] * rng.standard_normal(m))
        quantity = np.maximum(np.round(quantity * scale) / scale, 1 / scale)
        price = w.packing_price[packing] * w.prices(c["seizure"][case]) * rng.lognormal(0, 0.25, m)
        value_paisa = _round_money(rng, quantity * price)
        line = w.packing_line[packing]
        units = [w.packing_units[p][bisect_right(w.unit_cum[p], r.random())] for p in packing.tolist()]
        descriptions = w.line_descriptions
        picks = rng.integers(0, 1 << 30, m).tolist()
        description = [descriptions[ln][k % len(descriptions[ln])] for ln, k in zip(line.tolist(), picks)]
        quantities = [int(q) if d == 0 else q for q, d in zip(quantity.tolist(), decimals.tolist())]

        # Non-customs-paid vehicles seized as goods get an item line now and then.
        seized = (
            (vehicles["involvement"] != "CONVEYANCE")
            & (vehicles["line"] >= 0)
            & (rng.random(len(vehicles["case"])) < 0.3)
        )
        v_case = vehicles["case"][seized]
        v_line = vehicles["line"][seized]
        v_description = [
            f"{make or ''} {model or 'vehicle'}{f' model {year}' if year else ''}{suffix}".strip()
            for make, model, year, suffix in zip(
                vehicles["make"][seized].tolist(),
                vehicles["model"][seized].tolist(),
                vehicles["model_year"][seized].tolist(),
                [_choice(r, (", non-customs-paid", " (NCP)", ", without documents", "")) for _ in range(len(v_case))],
            )
        ]
        v_value = vehicles["value_paisa"][seized]
        n_v = len(v_case)

        frame: Frame = {
            "case": np.concatenate([case, v_case]),
            "line": np.concatenate([line, v_line]),
            "description": _objects(description + v_description),
            "quantity": _objects(quantities + [1] * n_v),
            "unit": _objects(units + [_choice(r, ("Nos", "PCS", "Unit", "No.")) for _ in range(n_v)]),
            "value_paisa": np.concatenate([value_paisa, v_value]),
            "origin_country": _objects(list(origin) + [_choice(r, ("JP", "JP", "AF", None)) for _ in range(n_v)]),
            "concealment": _objects(list(concealment) + [None] * n_v),
        }
        frame = _take(frame, np.argsort(frame["case"], kind="stable"))
        total = len(frame["case"])
        value_missing = (rng.random(total) < 0.03) | (frame["value_paisa"] <= 0)
        quantity_missing = rng.random(total) < 0.02
        frame["quantity"][quantity_missing] = None
        frame["unit"][quantity_missing & (rng.random(total) < 0.6)] = None
        negative = rng.choice(
            total, size=min(total, len(w.scheduled("negative_quantity", self.first, self.n))), replace=False
        )
        for i in negative.tolist():
            frame["quantity"][i] = -(frame["quantity"][i] or 1)
        frame["value_pkr"] = _money(frame["value_paisa"], value_missing)
        frame["value_paisa"] = np.where(value_missing, 0, frame["value_paisa"])
        formats = rng.choice(len(HS_FORMATS), total, p=w.hs_format_p).tolist()
        picks = rng.integers(0, 1 << 30, total).tolist()
        line_formats = w.line_formats
        frame["hs_code"] = _objects(
            (variants := line_formats[ln][f])[k % len(variants)]
            for ln, f, k in zip(frame["line"].tolist(), formats, picks)
        )
        return frame

    # --- status, adjudication, fines ---

    def _adjudication(self, c: Frame, items: Frame, vehicles: Frame) -> None:
        """Status progression, outcome and fines, consistent with each other; updated_at follows the edits."""
        w, rng, n = self.w, self.rng, self.n
        end = w.end
        created = c["created"]

        def office(t: np.ndarray) -> np.ndarray:
            return (t // DAY) * DAY + _office_time(rng, len(t))

        scn_at = office(created + _day_seconds(np.maximum(2, rng.lognormal(math.log(35), 0.6, n))))
        adjudicated_at = office(scn_at + _day_seconds(np.maximum(7, rng.lognormal(math.log(150), 0.7, n))))
        appeal_at = office(adjudicated_at + _day_seconds(rng.uniform(20, 90, n)))
        has_scn = rng.random(n) < 0.93
        has_adjudication = has_scn & (rng.random(n) < 0.95)
        has_appeal = has_adjudication & (rng.random(n) < 0.18)
        closes = has_adjudication & (rng.random(n) < 0.85)
        closed_at = office(
            np.where(
                has_appeal,
                appeal_at + _day_seconds(np.maximum(30, rng.lognormal(math.log(400), 0.5, n))),
                adjudicated_at + _day_seconds(np.maximum(5, rng.lognormal(math.log(60), 0.8, n))),
            )
        )
        status = np.zeros(n, dtype=np.int64)
        updated = created.copy()
        for code, happens, at in (
            (1, has_scn, scn_at),
            (2, has_adjudication, adjudicated_at),
            (3, has_appeal, appeal_at),
            (4, closes, closed_at),
        ):
            done = happens & (at < end)
            status[done] = code
            updated[done] = np.maximum(updated[done], at[done])
        # Typo corrections and other edits.
        edit_at = created + _day_seconds(rng.exponential(12, n)) + 600
        edited = (rng.random(n) < 0.2) & (edit_at < end)
        updated[edited] = np.maximum(updated[edited], edit_at[edited])

        adjudicated = status >= 2
        banned = w.banned[c["commodity"]]
        ncp = c["commodity"] == w.vehicle_commodity
        x = rng.random(n)
        # Banned goods are never redeemed.
        banned_outcome = np.array([0, 2, 3])[np.minimum(np.searchsorted([0.9, 0.95], x, side="right"), 2)]
        ncp_outcome = np.minimum(np.searchsorted([0.55, 0.85, 0.93], x, side="right"), 3)
        other_outcome = np.minimum(np.searchsorted([0.60, 0.82, 0.91], x, side="right"), 3)
        outcome = np.select([banned, ncp], [banned_outcome, ncp_outcome], other_outcome)
        total_paisa = np.bincount(items["case"], weights=items["value_paisa"], minlength=n)
        total_paisa += np.bincount(vehicles["case"], weights=vehicles["value_paisa"], minlength=n)
        rupees = total_paisa / 100
        unknown = rupees <= 0
        redemption = np.where(unknown, rng.uniform(50_000, 500_000, n), rupees * rng.uniform(0.2, 0.6, n))
        redemption = np.maximum(5_000, np.round(redemption / 1000) * 1000).astype(np.int64)
        penalty = np.where(unknown, rng.uniform(10_000, 200_000, n), rupees * rng.uniform(0.02, 0.15, n))
        penalty = np.maximum(5_000, np.round(penalty / 500) * 500).astype(np.int64)
        has_redemption = adjudicated & (outcome == 1)
        has_penalty = adjudicated & (outcome <= 1) & (rng.random(n) < 0.65)

        c["status"] = _objects(STATUSES[s] for s in status.tolist())
        c["adjudication_outcome"] = _objects(
            OUTCOMES[o] if a else None for o, a in zip(outcome.tolist(), adjudicated.tolist())
        )
        adjudicated_day = (adjudicated_at + PKT) // DAY
        c["adjudicated_on"] = _objects(
            w.clock.date(d) if a else None for d, a in zip(adjudicated_day.tolist(), adjudicated.tolist())
        )
        c["redemption_fine_pkr"] = _objects(
            v if h else None for v, h in zip(redemption.tolist(), has_redemption.tolist())
        )
        c["personal_penalty_pkr"] = _objects(v if h else None for v, h in zip(penalty.tolist(), has_penalty.tolist()))
        deleted = np.full(n, NULL)
        gone = w.scheduled("deleted_case", self.first, n)
        deleted_at = created[gone] + _day_seconds(rng.uniform(1, 30, len(gone)))
        keep = deleted_at < end
        deleted[gone[keep]] = deleted_at[keep]
        updated[gone[keep]] = np.maximum(updated[gone[keep]], deleted_at[keep])
        c["updated"] = updated
        c["deleted"] = deleted

    # --- persons ---

    def _persons(self, c: Frame, vehicles: Frame) -> Frame:
        w, rng, r, n = self.w, self.rng, self.r, self.n
        has_vehicle = np.bincount(vehicles["case"], minlength=n) > 0
        airport = c["kind"] == PLACE_KINDS.index("AIRPORT")
        situation = np.where(airport, 2, np.where(has_vehicle, 0, 1))
        present = rng.random((n, len(PERSON_ROLES))) < PERSON_ROLE_CHANCES[situation]
        case, role = np.nonzero(present)  # row-major: grouped by case, roles in order
        custody_cum = {group: _cumulative(shares) for group, shares in CUSTODY_SHARES.items()}
        rows = []
        for k, role_index in zip(case.tolist(), role.tolist()):
            role_name = PERSON_ROLES[role_index]
            area = int(c["area"][k])
            if r.random() < REPEAT_PERSON_RATE:
                person, repeat = _pick(r, w.repeat_people, w.repeat_people_cum), True
            else:
                female = 0.15 if airport[k] else 0.02
                person, repeat = w.new_person(r, area, female_share=female), False
            group = "caught" if role_name in CAUGHT_ROLES else "behind" if role_name in BEHIND_ROLES else "other"
            custody = _pick(r, CUSTODY, custody_cum[group])
            rows.append((*w.type_person(person, r, repeat=repeat), role_name, custody))
        columns = list(zip(*rows)) if rows else [()] * 10
        names = (
            "cnic",
            "passport_no",
            "full_name",
            "father_name",
            "gender",
            "date_of_birth",
            "nationality",
            "home_district",
            "role",
            "custody_status",
        )
        frame: Frame = {"case": case.astype(np.int64)}
        frame.update({name: _objects(column) for name, column in zip(names, columns)})
        return frame

    # --- case officers ---

    def _case_officers(self, c: Frame) -> Frame:
        w, rng, r, n = self.w, self.rng, self.r, self.n
        roles = list(cat.ROLE_TIERS)
        seizure = np.clip(c["seizure"], 0, w.end - 1)
        months = (seizure.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) + 1970 * 12).tolist()
        has_lead = (rng.random(n) < 0.6).tolist()
        members = np.minimum(rng.poisson(1.2, n), 4).tolist()
        has_investigator = (rng.random(n) < 0.45).tolist()
        intelligence = c["detection"] == self.w.detection_methods.index("INTELLIGENCE")
        has_handler = (rng.random(n) < np.where(intelligence, 0.25, 0.02)).tolist()
        formation = c["formation"].tolist()
        missing = set(w.scheduled("missing_officer", self.first, n).tolist())
        cases, officers, role_names = [], [], []

        def add(k: int, role: str, count: int = 1) -> None:
            pool = w.officers_for(formation[k], months[k], roles.index(role))
            start = int(r.random() * len(pool))
            for j in range(min(count, len(pool))):
                cases.append(k)
                officers.append(pool[(start + j) % len(pool)])
                role_names.append(role)

        for k in range(n):
            add(k, "SEIZING_OFFICER")
            if has_lead[k]:
                add(k, "TEAM_LEAD")
            if members[k]:
                add(k, "TEAM_MEMBER", members[k])
            if has_investigator[k]:
                add(k, "INVESTIGATING_OFFICER")
            if has_handler[k]:
                add(k, "INFORMER_HANDLER")
            if k in missing:
                cases.append(k)
                officers.append(_choice(r, w.missing_officer_ids))
                role_names.append("TEAM_MEMBER")
        return {
            "case": np.array(cases, dtype=np.int64),
            "officer_id": np.array(officers, dtype=np.int64),
            "role": _objects(role_names),
        }

    # --- ids, duplicates, orphans, rows ---

    def _child_times(self, case_created: np.ndarray, later_share: float) -> tuple[np.ndarray, ...]:
        """created/updated/deleted/style for child rows typed with (or after) their case."""
        w, rng, n = self.w, self.rng, len(case_created)
        created = case_created + rng.integers(30, 1800, n)
        later = rng.random(n) < later_share
        created[later] += _day_seconds(rng.exponential(20, int(later.sum()))) + 3600
        created = np.minimum(created, w.end - 1)
        updated = created.copy()
        edit_at = created + _day_seconds(rng.exponential(30, n)) + 600
        edited = (rng.random(n) < 0.1) & (edit_at < w.end)
        updated[edited] = edit_at[edited]
        deleted = np.full(n, NULL)
        deleted_at = updated + _day_seconds(rng.exponential(15, n)) + 600
        removed = (rng.random(n) < CHILD_DELETE_RATE) & (deleted_at < w.end)
        deleted[removed] = deleted_at[removed]
        updated[removed] = deleted_at[removed]
        return created, updated, deleted, _styles(rng, n)

    def _assemble(self, c: Frame, items: Frame, vehicles: Frame, persons: Frame, officers: Frame) -> TableRows:
        w, rng, r, n = self.w, self.rng, self.r, self.n
        end = w.end
        created = c["created"]

        # Duplicates: the same case typed again a little later; the copy is soft-deleted once noticed.
        duplicated = np.flatnonzero(rng.random(n) < DUPLICATE_RATE)
        dup_created = created[duplicated] + _day_seconds(rng.exponential(2.0, len(duplicated))) + 600
        keep = dup_created < end
        duplicated, dup_created = duplicated[keep], dup_created[keep]
        dup_deleted = dup_created + _day_seconds(rng.uniform(1, 60, len(duplicated)))
        dup_deleted = np.where(dup_deleted < end, dup_deleted, NULL)
        # Orphans: a case id taken and then lost (legacy purge), an item left pointing at it.
        with_items = np.unique(items["case"])
        n_orphans = min(len(with_items), len(w.scheduled("orphan_item", self.first, n)))
        orphaned = np.sort(rng.choice(with_items, size=n_orphans, replace=False)) if n_orphans else np.array([], int)

        # Case ids follow entry order.
        entry_kind = np.concatenate([np.zeros(n, int), np.ones(len(duplicated), int), np.full(len(orphaned), 2)])
        entry_source = np.concatenate([np.arange(n), duplicated, orphaned])
        entry_created = np.concatenate([created, dup_created, created[orphaned] + 60])
        order = np.argsort(entry_created, kind="stable")
        entry_id = np.empty(len(order), dtype=np.int64)
        entry_id[order] = w.next_case_id + np.arange(len(order))
        w.next_case_id += len(order)
        case_id = entry_id[:n]
        dup_id = entry_id[n : n + len(duplicated)]
        orphan_id = entry_id[n + len(duplicated) :]

        # Case numbers, per formation and year of entry, in entry order.
        formation = c["formation"].tolist()
        case_no: list[str | None] = [None] * n
        dup_no: list[str | None] = [None] * len(duplicated)
        years = (
            ((entry_created + PKT).astype("datetime64[s]").astype("datetime64[Y]")).astype(np.int64) + 1970
        ).tolist()
        for e in order.tolist():
            kind, source = int(entry_kind[e]), int(entry_source[e])
            if kind == 2:
                continue
            if kind == 1 and r.random() < 0.8:
                dup_no[e - n] = case_no[source]
                continue
            key = (formation[source], years[e])
            seq = w.case_numbers.get(key, 0) + 1
            w.case_numbers[key] = seq
            text = cat.FORMATIONS[formation[source]].case_no_pattern.format(year=years[e], yy=years[e] % 100, seq=seq)
            if kind == 0:
                case_no[source] = text
            else:
                dup_no[e - n] = text

        cases = self._case_rows(c, case_id, case_no)
        dups = self._duplicate_case_rows(cases, duplicated, dup_id, dup_no, dup_created, dup_deleted)
        self.live_cases = int(np.sum(cases["deleted_at"] == NULL) + np.sum(dups["deleted_at"] == NULL))
        case_table = _take(_concat([cases, dups]), np.argsort(np.concatenate([case_id, dup_id]), kind="stable"))

        yield "cases", self._rows("cases", case_table)
        del case_table, cases, dups
        children = (
            ("seizure_items", items, "item_id", 0.08),
            ("case_vehicles", vehicles, "case_vehicle_id", 0.03),
            ("case_persons", persons, "case_person_id", 0.1),
            ("case_officers", officers, None, 0.05),
        )
        for table, frame, id_column, later_share in children:
            frame = dict(frame)
            frame["case_id"] = case_id[frame["case"]]
            frame["created_at"], frame["updated_at"], frame["deleted_at"], frame["style"] = self._child_times(
                created[frame["case"]], later_share
            )
            copies = self._duplicate_children(frame, duplicated, dup_id, dup_created, dup_deleted)
            parts = [frame, copies]
            if table == "seizure_items" and len(orphaned):
                first_rows = np.searchsorted(frame["case"], orphaned)
                orphans = _take(frame, first_rows)
                orphans["case_id"] = orphan_id
                parts.append(orphans)
            merged = _concat(parts)
            merged = _take(merged, np.argsort(merged["case_id"], kind="stable"))
            if id_column:
                merged[id_column] = w.next_child_id[table] + np.arange(len(merged["case_id"]))
                w.next_child_id[table] += len(merged["case_id"])
            yield table, self._rows(table, merged)

    def _case_rows(self, c: Frame, case_id: np.ndarray, case_no: list[str | None]) -> Frame:
        w, rng, r, n = self.w, self.rng, self.r, self.n
        offences = [OFFENCES[o] for o in c["offence"].tolist()]
        legal = []
        for offence in offences:
            if r.random() < 0.06:
                legal.append(None)
                continue
            text = _choice(r, cat.LEGAL_SECTIONS[offence])
            x = r.random()
            if x < 0.2:
                text = text.replace(", ", ",")
            elif x < 0.25:
                text = text.replace(", ", " / ")
            elif x < 0.32:
                text = "Sec " + text
            legal.append(text)
        routes = [_choice(r, w.routes[f]) if r.random() < 0.55 else None for f in c["formation"].tolist()]
        fir_chance = np.where(np.isin(c["offence"], [OFFENCES.index(o) for o in ("NARCOTICS", "CURRENCY")]), 0.7, 0.12)
        has_fir = (rng.random(n) < fir_chance).tolist()
        years = ((c["seizure"].astype("datetime64[s]").astype("datetime64[Y]")).astype(np.int64) + 1970).tolist()
        fir = []
        for has, year in zip(has_fir, years):
            if not has:
                fir.append(None)
                continue
            number = r.randrange(1, 999)
            fir.append(_choice(r, (f"{number}/{year % 100:02d}", f"FIR No. {number}/{year}", f"{number}-{year}")))
        remarks = [_choice(r, cat.REMARKS) if r.random() < 0.12 else None for _ in range(n)]
        place = c["place"] + 1
        return {
            "case_id": case_id,
            "case_no": _objects(case_no),
            "formation_code": _objects(cat.FORMATIONS[f].code for f in c["formation"].tolist()),
            "seizure_at": c["seizure"],
            "seizure_location_id": _objects(p if r.random() < 0.97 else None for p in place.tolist()),
            "origin_location_id": _objects(o or None for o in c["origin"].tolist()),
            "destination_location_id": _objects(d or None for d in c["destination"].tolist()),
            "route_via": _objects(routes),
            "detection_method": _objects(w.detection_methods[d] for d in c["detection"].tolist()),
            "offence_nature": _objects(offences),
            "legal_sections": _objects(legal),
            "status": c["status"],
            "adjudication_outcome": c["adjudication_outcome"],
            "adjudicated_on": c["adjudicated_on"],
            "redemption_fine_pkr": c["redemption_fine_pkr"],
            "personal_penalty_pkr": c["personal_penalty_pkr"],
            "fir_no": _objects(fir),
            "remarks": _objects(remarks),
            "created_at": c["created"],
            "updated_at": c["updated"],
            "deleted_at": c["deleted"],
            "style": c["style"],
        }

    def _duplicate_case_rows(
        self,
        cases: Frame,
        duplicated: np.ndarray,
        dup_id: np.ndarray,
        dup_no: list,
        dup_created: np.ndarray,
        dup_deleted: np.ndarray,
    ) -> Frame:
        rng, m = self.rng, len(duplicated)
        copies = _take(cases, duplicated)
        copies["case_id"] = dup_id
        copies["case_no"] = _objects(dup_no)
        # Typed again from the same seizure report, sometimes with the time left out.
        date_only = rng.random(m) < 0.15
        seizure = copies["seizure_at"].copy()
        seizure[date_only] = (seizure[date_only] + PKT) // DAY * DAY - PKT
        copies["seizure_at"] = seizure
        copies["status"] = _objects(["SEIZED"] * m)
        for column in ("adjudication_outcome", "adjudicated_on", "redemption_fine_pkr", "personal_penalty_pkr"):
            copies[column] = _objects([None] * m)
        copies["created_at"] = dup_created
        copies["deleted_at"] = dup_deleted
        copies["updated_at"] = np.where(dup_deleted != NULL, dup_deleted, dup_created)
        copies["style"] = _styles(rng, m)
        return copies

    def _duplicate_children(
        self, frame: Frame, duplicated: np.ndarray, dup_id: np.ndarray, dup_created: np.ndarray, dup_deleted: np.ndarray
    ) -> Frame:
        """Children of the typed-again cases: copied; deleted with their case, or (now and then) forgotten."""
        rng = self.rng
        if len(duplicated):
            which = np.minimum(np.searchsorted(duplicated, frame["case"]), len(duplicated) - 1)
            copied = np.flatnonzero(duplicated[which] == frame["case"])
        else:
            which = copied = np.array([], dtype=np.int64)
        copies = _take(frame, copied)
        k = which[copied]
        m = len(copied)
        copies["case_id"] = dup_id[k]
        copies["created_at"] = np.minimum(dup_created[k] + rng.integers(30, 1800, m), self.w.end - 1)
        follows = rng.random(m) < 0.6
        deleted = np.where(follows & (dup_deleted[k] != NULL), dup_deleted[k], NULL)
        copies["deleted_at"] = deleted
        copies["updated_at"] = np.where(
            deleted != NULL, np.maximum(deleted, copies["created_at"]), copies["created_at"]
        )
        copies["style"] = _styles(rng, m)
        return copies

    def _rows(self, table: str, frame: Frame) -> list[tuple]:
        clock = self.w.clock
        columns: list[list[Any]] = []
        for name in column_names(table):
            values = frame[name]
            if name in ("created_at", "updated_at", "deleted_at", "seizure_at"):
                columns.append(clock.timestamps(values, frame["style"]))
            else:
                columns.append(values.tolist())
        return list(zip(*columns))
