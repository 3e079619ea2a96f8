"""One day of realistic edits to an operational store: what officers type in a working day.

``apply_day_of_edits(store, cases=100, seed=0)`` touches about ``cases`` cases of a store that
follows the source contract (SQLite or PostgreSQL) and returns how many edits of each kind it
made (``DayOfEdits``). The kinds are those the contract describes:

- ``status_move``: a case moves one step along SEIZED -> SCN_ISSUED -> ADJUDICATED
  (-> APPEAL) -> CLOSED, with an outcome and adjudication date when it is adjudicated;
- ``item_value`` / ``item_quantity`` / ``item_hs_code``: a seizure item corrected;
  ``item_deleted``: an item line removed (soft delete);
- ``late_entry``: a new case, with items and officers, whose seizure lies months back;
- ``vehicle_identifier_retyped``: a plate, chassis or engine number of a case vehicle
  corrected; ``vehicle_identifier_unlinked``: a number that two case vehicles shared (so the
  warehouse took them for one vehicle) removed from one of them;
- ``posting_dates`` / ``posting_formation``: an officer posting's dates or formation corrected;
- ``case_formation``: a case moved to another formation;
- ``case_deleted``: a case removed (soft delete), now and then with its child rows.

Every edited row gets ``updated_at`` set to the moment of the edit, a removed one
``deleted_at`` too (the contract's rules; nothing is hard-deleted, ids are never reused).
The moments lie in the day before ``until`` (default: now) and after the latest edit the
store already holds, in increasing order, so consecutive days never go back in time.
The same store, ``seed``, ``cases`` and ``until`` give the same edits.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from datetime import UTC, date, datetime, timedelta
from typing import Any

from antismuggling.store.schema import TABLES, column_names, connect
from antismuggling.store.urls import StoreURL

PKT = timedelta(hours=5)  # the contract's local time: a seizure date is the PKT date
DAY = timedelta(days=1)

# Shares of a day's edits (per 100 touched cases). Status moves dominate a real day.
EDIT_SHARES: dict[str, int] = {
    "status_move": 35,
    "item_value": 10,
    "item_quantity": 6,
    "item_hs_code": 9,
    "item_deleted": 5,
    "late_entry": 5,
    "vehicle_identifier_retyped": 6,
    "vehicle_identifier_unlinked": 4,
    "posting_dates": 3,
    "posting_formation": 2,
    "case_formation": 5,
    "case_deleted": 5,
}

# The contract's status path: SEIZED -> SCN_ISSUED -> ADJUDICATED (-> APPEAL) -> CLOSED.
NEXT_STATUS: dict[str, tuple[str, ...]] = {
    "SEIZED": ("SCN_ISSUED",),
    "SCN_ISSUED": ("ADJUDICATED",),
    "ADJUDICATED": ("APPEAL", "CLOSED", "CLOSED"),
    "APPEAL": ("CLOSED",),
}
OUTCOME_WEIGHTS = {"CONFISCATED": 0.6, "REDEEMED": 0.22, "RELEASED": 0.1, "ACQUITTED": 0.08}

# Timestamp text the contract allows in SQLite: separator and suffix.
SQLITE_STYLES = ((" ", ""), ("T", ""), ("T", "Z"), ("T", "+00:00"))

# The marts contract's vehicle identity: placeholders and shortest meaningful numbers.
IDENTIFIER_PLACEHOLDERS = {"NA", "NIL", "NONE", "NULL", "UNREGISTERED", "UNREG", "APPLIEDFOR", "0"}
IDENTIFIER_MIN_LENGTH = {"chassis_no": 6, "engine_no": 5, "registration_no": 4}
# What an officer types when removing a number: nothing, or a placeholder.
REMOVED_IDENTIFIER = (None, None, "N/A", "-", "NIL")

CHILD_TABLES = ("seizure_items", "case_vehicles", "case_persons", "case_officers")
MAX_TRIES = 200  # random picks before a kind of edit gives up for want of a candidate


@dataclass(frozen=True)
class DayOfEdits:
    counts: dict[str, int]  # edits made, per kind (EDIT_SHARES' keys)
    cases_touched: int  # distinct cases edited or entered
    first_at: datetime | None  # moments of the first and last edit (UTC)
    last_at: datetime | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def describe(self) -> str:
        kinds = ", ".join(f"{kind} {n}" for kind, n in self.counts.items() if n)
        moment = "%Y-%m-%d %H:%M:%S"
        span = f" from {self.first_at:{moment}} to {self.last_at:{moment}} UTC" if self.first_at else ""
        return f"{self.total} edits on {self.cases_touched} cases{span}: {kinds or 'none'}"


def apply_day_of_edits(
    store: str | StoreURL | sqlite3.Connection | Any,
    *,
    cases: int = 100,
    seed: int = 0,
    until: datetime | None = None,
) -> DayOfEdits:
    """Apply one day of edits touching about ``cases`` cases, in one transaction.

    ``store`` is a store URL (SQLite or PostgreSQL) or an open connection (``sqlite3`` or
    psycopg 3), which is committed on success and rolled back on failure.
    """
    until = (until or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    if isinstance(store, (str, StoreURL)):
        with connect(store) as connection:
            return _Day(_Connection(connection), cases, seed, until).run()
    try:
        day = _Day(_Connection(store), cases, seed, until).run()
    except BaseException:
        store.rollback()
        raise
    store.commit()
    return day


class _Connection:
    """The few calls the edits need, over sqlite3 or psycopg (``?`` placeholders either way)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.engine = "sqlite" if isinstance(connection, sqlite3.Connection) else "postgresql"

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return list(self.connection.execute(self._sql(sql), tuple(params)).fetchall())

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(self._sql(sql), tuple(params))

    def _sql(self, sql: str) -> str:
        return sql if self.engine == "sqlite" else sql.replace("?", "%s")


class _Day:
    def __init__(self, db: _Connection, cases: int, seed: int, until: datetime) -> None:
        self.db = db
        self.n = max(0, cases)
        self.r = random.Random(f"day-of-edits:{seed}")
        self.until = until
        self.counts: Counter[str] = Counter()
        self.touched: set[int] = set()
        self.live_cases: list[tuple[int, str | None, str | None]] = db.rows(
            "select case_id, status, formation_code from cases where deleted_at is null order by case_id"
        )
        self.formation_kind = dict(db.rows("select formation_code, kind from formations order by formation_code"))
        # formations that seize (have cases): where a case can be moved, a posting can point
        self.seizing_formations = sorted({f for _, _, f in self.live_cases if f in self.formation_kind})

    # --- the day ---

    def run(self) -> DayOfEdits:
        plan = self._plan()
        moments = self._moments(len(plan))
        edits: dict[str, Callable[[datetime], bool]] = {
            "status_move": self.status_move,
            "item_value": self.item_value,
            "item_quantity": self.item_quantity,
            "item_hs_code": self.item_hs_code,
            "item_deleted": self.item_deleted,
            "late_entry": self.late_entry,
            "vehicle_identifier_retyped": self.vehicle_identifier_retyped,
            "vehicle_identifier_unlinked": self.vehicle_identifier_unlinked,
            "posting_dates": self.posting_dates,
            "posting_formation": self.posting_formation,
            "case_formation": self.case_formation,
            "case_deleted": self.case_deleted,
        }
        done = []
        for kind, moment in zip(plan, moments):
            if self.live_cases and edits[kind](moment):
                self.counts[kind] += 1
                done.append(moment)
        return DayOfEdits(
            counts={kind: self.counts[kind] for kind in EDIT_SHARES},
            cases_touched=len(self.touched),
            first_at=done[0] if done else None,
            last_at=done[-1] if done else None,
        )

    def _plan(self) -> list[str]:
        """The kinds of the day's edits, in the order they are typed: each kind its share of
        ``n`` (at least one of each once ``n`` allows it), the rest drawn by share."""
        kinds = list(EDIT_SHARES)
        counts = {kind: EDIT_SHARES[kind] * self.n // 100 for kind in kinds}
        if self.n >= len(kinds):
            counts = {kind: max(1, count) for kind, count in counts.items()}
        left = self.n - sum(counts.values())
        for kind in self.r.choices(kinds, weights=[EDIT_SHARES[k] for k in kinds], k=max(0, left)):
            counts[kind] += 1
        plan = [kind for kind in kinds for _ in range(counts[kind])][: self.n]
        self.r.shuffle(plan)
        return plan

    def _moments(self, n: int) -> list[datetime]:
        """``n`` increasing whole-second moments in the day before ``until``, after the latest
        edit already in the store (so a second day right after a first one stays after it)."""
        start = max(self.until - DAY, self._latest_edit() or self.until - DAY)
        span = max(0.0, (self.until - start).total_seconds() - 1)
        offsets = sorted(1 + self.r.random() * span for _ in range(n))
        return [min(self.until, start + timedelta(seconds=int(s))) for s in offsets]

    def _latest_edit(self) -> datetime | None:
        since = self.until - DAY
        bound: Any = since.strftime("%Y-%m-%d") if self.db.engine == "sqlite" else since
        latest = None
        for table in TABLES:
            for (value,) in self.db.rows(f"select updated_at from {table} where updated_at >= ?", [bound]):
                moment = _utc(value)
                if moment is not None and moment <= self.until and (latest is None or moment > latest):
                    latest = moment
        return latest

    # --- values as the store holds them ---

    def stamp(self, moment: datetime) -> Any:
        """A timestamp as the store holds it: text in one of the contract's styles in SQLite."""
        if self.db.engine != "sqlite":
            return moment
        separator, suffix = self.r.choice(SQLITE_STYLES)
        return moment.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + suffix

    def day(self, value: date) -> Any:
        return value.isoformat() if self.db.engine == "sqlite" else value

    # --- picking what to edit ---

    def pick_case(self, wanted: Callable[[tuple[int, str | None, str | None]], bool] = lambda c: True) -> tuple | None:
        """A live case not edited yet today (and ``wanted``), marked as touched."""
        for _ in range(MAX_TRIES):
            case = self.live_cases[int(self.r.random() * len(self.live_cases))]
            if case[0] not in self.touched and wanted(case):
                self.touched.add(case[0])
                return case
        return None

    def pick_live_child(self, table: str, key: str, columns: str) -> tuple | None:
        """A live row of ``table`` (its ``key`` first, then ``columns``) of an untouched live case."""
        for _ in range(MAX_TRIES // 10):
            case = self.pick_case()
            if case is None:
                return None
            rows = self.db.rows(
                f"select {key}, {columns} from {table} where case_id = ? and deleted_at is null order by {key}",
                [case[0]],
            )
            if rows:
                return self.r.choice(rows)
            self.touched.discard(case[0])  # nothing of that kind in it: not edited after all
        return None

    def next_id(self, table: str, key: str) -> int:
        return int(self.db.rows(f"select coalesce(max({key}), 0) + 1 from {table}")[0][0])

    # --- cases ---

    def status_move(self, moment: datetime) -> bool:
        case = self.pick_case(lambda c: c[1] in NEXT_STATUS)
        if case is None:
            return False
        case_id, status, _ = case
        new = self.r.choice(NEXT_STATUS[status])
        at = self.stamp(moment)
        if new == "ADJUDICATED":
            outcome = self.r.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]
            fine = _money(self.r.randrange(5, 500) * 1000) if outcome == "REDEEMED" else None
            penalty = (
                _money(self.r.randrange(10, 400) * 500)
                if outcome in ("CONFISCATED", "REDEEMED") and self.r.random() < 0.65 else None
            )
            self.db.run(
                "update cases set status = ?, adjudication_outcome = ?, adjudicated_on = ?, "
                "redemption_fine_pkr = ?, personal_penalty_pkr = ?, updated_at = ? where case_id = ?",
                [new, outcome, self.day((moment + PKT).date()), fine, penalty, at, case_id],
            )
        elif status == "APPEAL" and self.r.random() < 0.25:
            # the appellate tribunal set the order aside: goods released, fines gone
            self.db.run(
                "update cases set status = ?, adjudication_outcome = ?, redemption_fine_pkr = null, "
                "personal_penalty_pkr = null, updated_at = ? where case_id = ?",
                [new, self.r.choice(("RELEASED", "ACQUITTED")), at, case_id],
            )
        else:
            self.db.run("update cases set status = ?, updated_at = ? where case_id = ?", [new, at, case_id])
        return True

    def case_formation(self, moment: datetime) -> bool:
        """Typed under the wrong formation: moved to another of the same kind where possible."""
        case = self.pick_case(lambda c: c[2] is not None)
        if case is None or len(self.seizing_formations) < 2:
            return False
        kind = self.formation_kind.get(case[2])
        same_kind = [f for f in self.seizing_formations if f != case[2] and self.formation_kind[f] == kind]
        target = self.r.choice(same_kind or [f for f in self.seizing_formations if f != case[2]])
        self.db.run("update cases set formation_code = ?, updated_at = ? where case_id = ?",
                    [target, self.stamp(moment), case[0]])
        return True

    def case_deleted(self, moment: datetime) -> bool:
        """A duplicate or a case entered in error removed; half the time its rows go with it
        (otherwise they stay live under a deleted case, as the contract says they do)."""
        case = self.pick_case()
        if case is None:
            return False
        at = self.stamp(moment)
        self.db.run("update cases set deleted_at = ?, updated_at = ? where case_id = ?", [at, at, case[0]])
        if self.r.random() < 0.5:
            for table in CHILD_TABLES:
                self.db.run(
                    f"update {table} set deleted_at = ?, updated_at = ? where case_id = ? and deleted_at is null",
                    [at, at, case[0]],
                )
        return True

    def late_entry(self, moment: datetime) -> bool:
        """A seizure of months ago typed in today: a new case like an existing one (formation,
        places, offence), with a copy of some of its items and its officers."""
        template = self.pick_live_child("seizure_items", "case_id", "item_id")
        if template is None:
            return False
        self.touched.discard(template[0])  # only read
        columns = column_names("cases")
        row = dict(zip(columns, self.db.rows(
            f"select {', '.join(columns)} from cases where case_id = ?", [template[0]])[0]))
        items = self.db.rows(
            f"select {', '.join(column_names('seizure_items'))} from seizure_items "
            "where case_id = ? and deleted_at is null order by item_id", [template[0]])
        case_id = self.next_id("cases", "case_id")
        seized = moment - timedelta(days=self.r.uniform(90, 730))
        # seizures happen round the clock, mostly at night (PKT)
        seized = seized.replace(hour=self.r.choice((14, 17, 20, 22, 1, 6)), minute=self.r.randrange(60), microsecond=0)
        at = self.stamp(moment)
        status = "SEIZED" if self.r.random() < 0.7 else "SCN_ISSUED"
        row.update(
            case_id=case_id, case_no=self.next_case_no(row["case_no"], row["formation_code"], (moment + PKT).year),
            seizure_at=self.stamp(seized), status=status, adjudication_outcome=None, adjudicated_on=None,
            redemption_fine_pkr=None, personal_penalty_pkr=None, fir_no=None, remarks=None,
            created_at=at, updated_at=at, deleted_at=None,
        )
        self.insert("cases", row)
        item_id = self.next_id("seizure_items", "item_id")
        for values in self.r.sample(items, k=min(len(items), self.r.randint(1, 3))):
            item = dict(zip(column_names("seizure_items"), values))
            value = _number(item["value_pkr"])
            item.update(item_id=item_id, case_id=case_id, created_at=at, updated_at=at, deleted_at=None,
                        value_pkr=None if value is None else _money(value * self.r.uniform(0.5, 2.0)))
            self.insert("seizure_items", item)
            item_id += 1
        officer_columns = column_names("case_officers")
        for values in self.db.rows(
            f"select {', '.join(officer_columns)} from case_officers where case_id = ? and deleted_at is null "
            "order by officer_id, role", [template[0]],
        ):
            officer = dict(zip(officer_columns, values))
            officer.update(case_id=case_id, created_at=at, updated_at=at, deleted_at=None)
            self.insert("case_officers", officer)
        self.touched.add(case_id)
        return True

    def next_case_no(self, template: str | None, formation_code: str | None, year: int) -> str | None:
        """The formation's next number of ``year`` (numbering is per formation and year of
        entry) in the template's pattern: ``PSH-2024-000123`` -> one past the highest
        ``PSH-<year>-…``; ``SI-00012/2024``, ``HYD/CE/4/2025`` alike."""
        if not template:
            return template
        runs = list(re.finditer(r"\d+", template))
        if not runs:
            return template + "/L"
        years = [m for m in runs if len(m.group()) == 4 and m.group()[:2] in ("19", "20")]
        year_run = years[-1] if years and len(runs) > 1 else None
        sequence_run = [m for m in runs if m is not year_run][-1]
        # the template as a format string: "PSH-{year}-{seq}"
        pieces, last = [], 0
        for m in sorted(filter(None, (year_run, sequence_run)), key=lambda m: m.start()):
            pieces += [_braces(template[last : m.start()]), "{year}" if m is year_run else "{seq}"]
            last = m.end()
        pattern = "".join(pieces) + _braces(template[last:])
        numbered = re.compile(re.escape(pattern.format(year=year, seq="\0")).replace("\0", r"(\d+)") + "$")
        highest = 0
        for (number,) in self.db.rows("select case_no from cases where formation_code = ?", [formation_code]):
            found = numbered.match(number or "")
            if found:
                highest = max(highest, int(found.group(1)))
        return pattern.format(year=year, seq=f"{highest + 1:0{len(sequence_run.group())}d}")

    def insert(self, table: str, row: dict[str, Any]) -> None:
        columns = column_names(table)
        self.db.run(
            f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns],
        )

    # --- seizure items ---

    def item_value(self, moment: datetime) -> bool:
        item = self.pick_live_child("seizure_items", "item_id", "value_pkr")
        if item is None:
            return False
        value = _number(item[1])
        if value is None or value <= 0:
            new = self.r.randrange(10, 5000) * 1000  # assessed at last
        elif self.r.random() < 0.3:
            new = value * self.r.choice((10, 0.1))  # a digit too many or too few
        else:
            new = value * self.r.uniform(0.6, 1.5)  # re-assessed
        self.db.run("update seizure_items set value_pkr = ?, updated_at = ? where item_id = ?",
                    [_money(max(new, 1)), self.stamp(moment), item[0]])
        return True

    def item_quantity(self, moment: datetime) -> bool:
        item = self.pick_live_child("seizure_items", "item_id", "quantity, unit")
        if item is None:
            return False
        quantity = _number(item[1])
        if quantity is None:
            new: float = self.r.randrange(1, 500)
        elif quantity < 0:
            new = -quantity  # a minus sign typed by mistake
        else:
            new = max(1.0, quantity * self.r.choice((0.5, 2, 10, 1.1, 0.9)))
        counted = quantity is None or float(quantity).is_integer()  # pieces stay whole numbers
        self.db.run("update seizure_items set quantity = ?, updated_at = ? where item_id = ?",
                    [round(new) if counted else round(new, 3), self.stamp(moment), item[0]])
        return True

    def item_hs_code(self, moment: datetime) -> bool:
        """The HS code retyped: reformatted (digits only, or dotted), or reclassified to a code
        typed on another item of the store."""
        item = self.pick_live_child("seizure_items", "item_id", "hs_code")
        if item is None:
            return False
        typed = item[1] or ""
        digits = re.sub(r"\D", "", typed)
        dotted = f"{digits[:4]}.{digits[4:6]}"
        if len(digits) >= 6 and self.r.random() < 0.5:
            new = digits if typed == dotted else dotted  # the same code in the other usual format
        else:
            new = self.other_hs_code(item[0]) or "0802.80"  # betel nuts: the commonest seizure
        self.db.run("update seizure_items set hs_code = ?, updated_at = ? where item_id = ?",
                    [new, self.stamp(moment), item[0]])
        return True

    def other_hs_code(self, item_id: int) -> str | None:
        """The code of a nearby item with at least six digits (codes typed in the store)."""
        for (code,) in self.db.rows(
            "select hs_code from seizure_items where item_id between ? and ? and hs_code is not null "
            "order by item_id", [item_id - 200, item_id + 200],
        ):
            if len(re.sub(r"\D", "", code)) >= 6 and self.r.random() < 0.2:
                return code
        return None

    def item_deleted(self, moment: datetime) -> bool:
        item = self.pick_live_child("seizure_items", "item_id", "case_id")
        if item is None:
            return False
        at = self.stamp(moment)
        self.db.run("update seizure_items set deleted_at = ?, updated_at = ? where item_id = ?", [at, at, item[0]])
        return True

    # --- case vehicles ---

    def vehicle_identifier_retyped(self, moment: datetime) -> bool:
        """A number corrected: a plate retyped in another format, a digit of a chassis or
        engine number fixed (which can split or join vehicles), or a missing engine number
        filled in."""
        vehicle = self.pick_live_child("case_vehicles", "case_vehicle_id", "registration_no, chassis_no, engine_no")
        if vehicle is None:
            return False
        vehicle_id, registration, chassis, engine = vehicle
        choices = []
        if registration and _normalised(registration, "registration_no"):
            choices.append(("registration_no", _retype_plate(registration, self.r)))
        for column, value in (("chassis_no", chassis), ("engine_no", engine)):
            if value and re.search(r"\d", value):
                choices.append((column, _change_a_digit(value, self.r)))
        if not engine:
            choices.append(("engine_no", f"{self.r.choice('ABCDEGHJKLMNPRSTZ')}{self.r.randrange(10**5, 10**7)}"))
        column, new = self.r.choice(choices)
        self.db.run(f"update case_vehicles set {column} = ?, updated_at = ? where case_vehicle_id = ?",
                    [new, self.stamp(moment), vehicle_id])
        return True

    def vehicle_identifier_unlinked(self, moment: datetime) -> bool:
        """A number shared by live vehicles of two different cases removed from one of them:
        the warehouse took them for one vehicle on that number's evidence alone, perhaps."""
        links = self.vehicle_links
        while links:
            column, rows = links.pop(int(self.r.random() * len(links)))
            candidates = [(vid, cid) for vid, cid in rows if cid not in self.touched]
            if not candidates:
                continue
            vehicle_id, case_id = self.r.choice(candidates)
            self.touched.add(case_id)
            self.db.run(f"update case_vehicles set {column} = ?, updated_at = ? where case_vehicle_id = ?",
                        [self.r.choice(REMOVED_IDENTIFIER), self.stamp(moment), vehicle_id])
            return True
        return False

    @cached_property
    def vehicle_links(self) -> list[tuple[str, list[tuple[int, int]]]]:
        """(column, [(case_vehicle_id, case_id)]) for each normalised number shared by live
        vehicles of two or more live cases, pairs first (removing it surely splits them)."""
        groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for vehicle_id, case_id, *numbers in self.db.rows(
            "select v.case_vehicle_id, v.case_id, v.registration_no, v.chassis_no, v.engine_no "
            "from case_vehicles v join cases c on c.case_id = v.case_id "
            "where v.deleted_at is null and c.deleted_at is null order by v.case_vehicle_id"
        ):
            for column, value in zip(("registration_no", "chassis_no", "engine_no"), numbers):
                key = _normalised(value, column)
                if key:
                    groups.setdefault((column, key), []).append((vehicle_id, case_id))
        links = [(column, rows) for (column, _), rows in groups.items() if len({c for _, c in rows}) >= 2]
        pairs = [link for link in links if len(link[1]) == 2]
        return pairs or links

    # --- officer postings ---

    @cached_property
    def postings(self) -> list[tuple]:
        return self.db.rows(
            "select posting_id, formation_code, posted_from, posted_to from officer_postings order by posting_id"
        )

    def pick_posting(self) -> tuple | None:
        """A posting with a readable start date (junk dates are left as typed)."""
        for _ in range(MAX_TRIES if self.postings else 0):
            posting = self.r.choice(self.postings)
            if _date(posting[2]) is not None:
                return posting
        return None

    def posting_dates(self, moment: datetime) -> bool:
        """A transfer order typed with the wrong date: the start or the end moved by days or weeks."""
        posting = self.pick_posting()
        if posting is None:
            return False
        posting_id, _, start_text, end_text = posting
        start, end = _date(start_text), _date(end_text)
        shift = timedelta(days=self.r.choice((-1, 1)) * self.r.randint(1, 60))
        if end is not None and self.r.random() < 0.5:
            column, new = "posted_to", max(start, end + shift)
        else:
            column, new = "posted_from", min(start + shift, end) if end is not None else start + shift
        self.db.run(f"update officer_postings set {column} = ?, updated_at = ? where posting_id = ?",
                    [self.day(new), self.stamp(moment), posting_id])
        return True

    def posting_formation(self, moment: datetime) -> bool:
        """A posting typed against the wrong formation."""
        posting = self.pick_posting()
        others = [f for f in self.seizing_formations if posting is not None and f != posting[1]]
        if not others:
            return False
        self.db.run("update officer_postings set formation_code = ?, updated_at = ? where posting_id = ?",
                    [self.r.choice(others), self.stamp(moment), posting[0]])
        return True


# --- values --------------------------------------------------------------------------------------


def _utc(value: Any) -> datetime | None:
    """A timestamp of the store (text in SQLite, aware datetime from PostgreSQL) in UTC, or None."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None  # junk typed into a numeric column stays as it is


def _money(value: float) -> int | float:
    """PKR as the generator writes it: whole rupees as int, else two decimals."""
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def _normalised(value: str | None, column: str) -> str | None:
    """A vehicle number as the marts contract compares it, or None when it identifies nothing."""
    text = re.sub(r"[^A-Z0-9]", "", (value or "").upper())
    if not text or text in IDENTIFIER_PLACEHOLDERS or len(text) < IDENTIFIER_MIN_LENGTH[column]:
        return None
    return text


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _retype_plate(plate: str, r: random.Random) -> str:
    """The same plate in another format: ``lea 1234`` -> ``LEA-1234`` and the like."""
    match = re.match(r"\s*([A-Za-z-]*?)[\s-]*(\d+)\s*$", plate)
    if match is None or not match.group(1):
        return plate.strip().upper()
    letters, digits = match.group(1).upper().strip("-"), match.group(2)
    options = [f"{letters}-{digits}", f"{letters} {digits}", f"{letters}{digits}", f"{letters.lower()}{digits}"]
    return r.choice([o for o in options if o != plate] or options)


def _change_a_digit(value: str, r: random.Random) -> str:
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    i = r.choice(positions)
    digit = str((int(value[i]) + r.randint(1, 9)) % 10)
    return value[:i] + digit + value[i + 1 :]


__all__ = ["EDIT_SHARES", "NEXT_STATUS", "DayOfEdits", "apply_day_of_edits"]
