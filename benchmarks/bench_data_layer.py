"""How long each query of the dashboard's data layer takes, called directly.

    uv run python benchmarks/bench_data_layer.py /path/to/ANTISMUGGLING_HOME [--repeat 5] [--out results.json]

Calls every public query function of ``dashboard/data.py`` (every function of the module
whose first parameter is a ``Snapshot``) in this process, with no browser and no
Streamlit server, over the snapshot published in that data directory
(``published/CURRENT``), as three readers see it (``Scope.for_principal``, as the
dashboard builds a signed-in user's scope):

* ``dg``: every formation, personal data in clear;
* ``analyst``: every formation, personal data masked;
* ``formation_officer``: only the busiest formation (the one with the most cases).

A function of a period and formations is called over each of a few filters, as a page
would be: the whole period, the last 12 full months, the last full calendar year and, for
the readers who may choose formations, the last 12 full months of the busiest formation.
A function of the snapshot alone, and a look-up, is called once per round. Look-ups get
arguments read from the reader's own views: the officer with the most cases, the person
in the most cases, the most seized registration (and a part of it, for the suggestions),
the HS chapter with the most value, the quarantined rows. Every call is made ``--repeat``
times (rounds); nothing is warmed up first, so the first round is counted too.

Streamlit's cache does not hide the cost. Each function is called undecorated:
``st.cache_data`` wraps it with ``functools.update_wrapper``, so the original is its
``__wrapped__`` (``comparison_kpis`` is not cached and is called as it is). Before each
call the cache of every query function of the module is cleared, so the cached queries a
function calls (``comparison_kpis`` runs ``case_kpis`` and ``adjudication_kpis`` twice)
run too. The snapshot-level caches (the functions of the snapshot alone:
``filter_options``, ``capabilities``, ``data_watermark``…) stay warm, as they are on any
page but the first after a publication; those functions are measured themselves. The calls
of one filter share one connection, as a page run does (``data.page_run``); opening it
(with one small query) is timed apart, as "connection", and not counted in the functions'
figures.

Prints, per function and reader: calls, median, p95 and worst milliseconds; every function
whose p95 is over the target (300 ms) for some reader is flagged, and a summary line gives
how many are. The exit code is 0 whatever the figures (a measurement, not a test); with
``--out`` the results, every sample included, are written as JSON. If the data directory
has no person-key secret yet (``access/``), one is created, as the dashboard does when it
first opens a snapshot.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the dashboard package

TARGET_MS = 300.0
ROLES = ("dg", "analyst", "formation_officer")
TOP_COMMODITIES = 15  # as the Overview asks for (views/overview.py, TOP_N)


class Skip(Exception):
    """A function this reader cannot be given arguments for (said why)."""


@dataclass(frozen=True)
class Filter:
    label: str
    start: date
    end: date
    formations: tuple[str, ...] = ()


@dataclass
class Reader:
    """One role's view of the snapshot, its filters and its look-up arguments."""

    role: str
    snapshot: object  # dashboard.data.Snapshot
    description: str
    filters: list[Filter]
    formation: str  # the busiest formation it sees (formation_months without a formation chosen)
    as_of: date  # where the data ends (filters.data_end), as the Overview passes it
    n_cases: int
    lookups: dict[str, object] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # what each look-up argument is, without its value

    def need(self, key: str) -> object:
        value = self.lookups.get(key)
        if value is None:
            raise Skip(f"no {self.notes.get(key, key)} in this reader's views")
        return value


# How each function is called: "snapshot" (the snapshot alone) and "lookup" once per round,
# "filter" once per filter; the builder gives the arguments after the snapshot.
Builder = Callable[[Reader, Filter | None], tuple]
_PERIOD: Builder = lambda r, f: (f.start, f.end, f.formations)  # noqa: E731
_SNAPSHOT: Builder = lambda r, f: ()  # noqa: E731

CALLS: dict[str, tuple[str, Builder]] = {
    "last_checked": ("snapshot", _SNAPSHOT),
    "publish_info": ("snapshot", _SNAPSHOT),
    "table_rows": ("snapshot", _SNAPSHOT),
    "data_quality_summary": ("snapshot", _SNAPSHOT),
    "filter_options": ("snapshot", _SNAPSHOT),
    "data_watermark": ("snapshot", _SNAPSHOT),
    "capabilities": ("snapshot", _SNAPSHOT),
    "hs_reference": ("snapshot", _SNAPSHOT),
    "locations": ("snapshot", _SNAPSHOT),
    "hs_chapters": ("snapshot", _SNAPSHOT),
    "data_quality_checks": ("snapshot", _SNAPSHOT),
    "expectation_results": ("snapshot", _SNAPSHOT),
    "case_kpis": ("filter", _PERIOD),
    "adjudication_kpis": ("filter", lambda r, f: (f.start, f.end, f.formations, r.as_of)),
    "comparison_kpis": ("filter", _PERIOD),
    "cases_by_month": ("filter", _PERIOD),
    "month_completeness": ("filter", lambda r, f: (f.start, f.end, f.formations, r.as_of)),
    "cases_by_formation": ("filter", _PERIOD),
    "top_commodities": ("filter", lambda r, f: ("hs2", f.start, f.end, f.formations, TOP_COMMODITIES)),
    "hs_status_breakdown": ("filter", _PERIOD),
    "leadership_kpis": ("filter", _PERIOD),
    "formation_league": ("filter", _PERIOD),
    "formation_standing": ("filter", lambda r, f: (f.start, f.end)),
    "formation_months": ("filter", lambda r, f: ((f.formations or (r.formation,))[0], f.start, f.end)),
    "upload_lag_distribution": ("filter", _PERIOD),
    "upload_lag_kpis": ("filter", _PERIOD),
    "officer_table": ("filter", _PERIOD),
    "officer_cases": ("filter", lambda r, f: (r.need("officer_id"), f.start, f.end, f.formations)),
    "hs_comparison_months": ("filter", lambda r, f: (f.start, f.end)),
    "hs_totals": ("filter", _PERIOD),
    "hs_code_trend": ("filter", lambda r, f: ("chapter", r.need("hs_chapter"), f.start, f.end, f.formations)),
    "notified_items": ("filter", _PERIOD),
    "route_flows": ("filter", _PERIOD),
    "repeat_vehicles": ("filter", _PERIOD),
    "top_offenders": ("filter", _PERIOD),
    "data_quality_by_formation": ("filter", _PERIOD),
    "vehicle_seizures": ("lookup", lambda r, f: (r.need("vehicle_text"), r.need("vehicle_kinds"))),
    "vehicles": ("lookup", lambda r, f: (r.need("vehicle_keys"),)),
    "vehicle_suggestions": ("lookup", lambda r, f: (r.need("vehicle_part"),)),
    "offender": ("lookup", lambda r, f: (r.need("person_key"),)),
    "offender_network": ("lookup", lambda r, f: (r.need("person_key"),)),
    "data_quality_rows": ("lookup", lambda r, f: ("quarantined", None)),  # the page's default: all checks
}


# --------------------------------------------------------------------------- the module


def _undecorated(fn: Callable) -> Callable:
    """The function under ``st.cache_data`` (``functools.update_wrapper`` sets ``__wrapped__``)."""
    return getattr(fn, "__wrapped__", fn)


def _query_functions() -> list[str]:
    """The public functions of dashboard.data whose first parameter is a Snapshot, in module
    order; the context manager ``page_run`` is not a query."""
    from dashboard import data

    found = []
    for name, obj in vars(data).items():
        fn = _undecorated(obj) if callable(obj) else None
        if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != data.__name__:
            continue
        if inspect.isgeneratorfunction(fn):
            continue
        params = list(inspect.signature(fn).parameters.values())
        if params and params[0].annotation in ("Snapshot", data.Snapshot):
            found.append((fn.__code__.co_firstlineno, name))
    return [name for _, name in sorted(found)]


def _query_caches() -> list[Callable]:
    """The st.cache_data functions of dashboard.data that take more than the snapshot."""
    from dashboard import data

    return [
        obj
        for obj in vars(data).values()
        if callable(getattr(obj, "clear", None))
        and hasattr(obj, "__wrapped__")
        and len(inspect.signature(obj.__wrapped__).parameters) > 1
    ]


# --------------------------------------------------------------------------- readers


def _principal(role: str, formation: str):
    from antismuggling.access.roles import Principal

    formations = (formation,) if role == "formation_officer" else ()
    return Principal(f"bench.{role.replace('_', '')}", role, formations, f"Benchmark {role}")


def _open_views(snapshot):
    from antismuggling.access.scope import open_scoped, person_secret
    from antismuggling.config import load_settings

    return open_scoped(Path(snapshot.path), snapshot.scope, person_secret(load_settings().access_dir))


def _first(con, sql: str, params: list | None = None):
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def _busiest_formation(snapshot) -> str | None:
    con = _open_views(snapshot)
    try:
        return _first(
            con,
            "select formation_code from marts.fct_cases where formation_code is not null "
            "group by 1 order by count(*) desc, 1 limit 1",
        )
    finally:
        con.close()


def _filters(options, busiest: str, may_choose: bool) -> list[Filter]:
    from dashboard import filters as page_filters
    from dashboard.formatting import month_end

    whole = page_filters.preset_period("Whole period", options)
    last12 = page_filters.preset_period("Last 12 full months", options)
    out = [Filter("whole period", *whole), Filter("last 12 full months", *last12)]
    end = page_filters.data_end(options)
    year = end.year if end == month_end(end.replace(month=12)) else end.year - 1
    if options.min_date is not None and year >= options.min_date.year:
        out.append(Filter(f"year {year}", max(date(year, 1, 1), options.min_date), date(year, 12, 31)))
    if may_choose:
        out.append(Filter(f"last 12 full months, {busiest}", *last12, (busiest,)))
    return out


def _lookups(reader: Reader) -> None:
    """Look-up arguments from the reader's own views (person keys as those views show them)."""
    from dashboard import data
    from dashboard.search_keys import vehicle_search_key

    con = _open_views(reader.snapshot)
    try:
        reader.n_cases = int(_first(con, "select count(*) from marts.fct_cases") or 0)
        reader.lookups["officer_id"] = _first(
            con,
            "select officer_id from marts.mart_officer_performance where officer_id is not null "
            "group by 1 order by sum(n_cases) desc, 1 limit 1",
        )
        reader.notes["officer_id"] = "officer with the most cases"
        reader.lookups["hs_chapter"] = _first(
            con,
            "select hs_code from marts.mart_hs_trends where hs_level = 'chapter' and hs_code is not null "
            "group by 1 order by sum(value_pkr) desc nulls last, 1 limit 1",
        )
        reader.notes["hs_chapter"] = "HS chapter with the most value"
        reader.lookups["person_key"] = _first(
            con,
            "select offender_key from marts.fct_case_persons where offender_key is not null "
            "group by 1 order by count(distinct case_id) desc, 1 limit 1",
        )
        reader.notes["person_key"] = "person in the most cases"
        registration = _first(
            con,
            "select registration_no from marts.mart_vehicle_recidivism where registration_no is not null "
            "group by 1 order by count(*) desc, 1 limit 1",
        )
    finally:
        con.close()
    reader.notes.update(
        vehicle_text="most seized registration",
        vehicle_kinds="most seized registration",
        vehicle_keys="vehicle of the most seized registration",
        vehicle_part="part of the most seized registration",
    )
    if registration is None:
        return
    key = vehicle_search_key(registration)  # as the look-up box normalises what is typed
    if key.problem is None:
        reader.lookups["vehicle_text"], reader.lookups["vehicle_kinds"] = key.text, key.kinds
        seizures = _undecorated(data.vehicle_seizures)(reader.snapshot, key.text, key.kinds)
        keys = tuple(dict.fromkeys(seizures["vehicle_key"])) if not seizures.empty else ()
        reader.lookups["vehicle_keys"] = keys or None  # as the page passes them
        reader.lookups["vehicle_part"] = key.text[-4:] if len(key.text) >= 4 else None


def _reader(role: str, busiest: str) -> Reader:
    from dashboard import data, filters as page_filters

    scope = data.Scope.for_principal(_principal(role, busiest))
    snapshot = data.current_snapshot(scope)
    options = _undecorated(data.filter_options)(snapshot)
    description = {
        "dg": "every formation, personal data in clear",
        "analyst": "every formation, personal data masked",
        "formation_officer": f"formation {busiest} only",
    }[role]
    reader = Reader(
        role,
        snapshot,
        description,
        _filters(options, busiest, may_choose=scope.formations is None),
        busiest,
        page_filters.data_end(options),
        0,
    )
    _lookups(reader)
    return reader


# --------------------------------------------------------------------------- measuring


def _clear(caches: list[Callable]) -> None:
    for cached in caches:
        cached.clear()


def _timed(fn: Callable, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def _measure(reader: Reader, names: list[str], repeat: int) -> tuple[dict[str, dict], list[float]]:
    """name -> {"samples": [{"filter", "ms"}], "errors": [...], "skipped": reason|None};
    and the connection times (one per page run)."""
    from dashboard import data

    caches = _query_caches()
    results = {name: {"samples": [], "errors": [], "skipped": None} for name in names}
    connection_ms: list[float] = []
    for _ in range(repeat):
        for flt in [None, *reader.filters]:  # None: the snapshot-level functions and look-ups
            with data.page_run(reader.snapshot):
                connection_ms.append(_timed(_undecorated(data.publish_info), reader.snapshot))  # opens it
                for name in names:
                    kind, build = CALLS[name]
                    if (kind == "filter") != (flt is not None):
                        continue
                    try:
                        args = build(reader, flt)
                    except Skip as skip:
                        results[name]["skipped"] = str(skip)
                        continue
                    _clear(caches)
                    label = flt.label if flt is not None else kind
                    try:
                        ms = _timed(_undecorated(getattr(data, name)), reader.snapshot, *args)
                    except Exception as exc:  # noqa: BLE001 - reported, the others still measured
                        results[name]["errors"].append({"filter": label, "error": f"{type(exc).__name__}: {exc}"})
                    else:
                        results[name]["samples"].append({"filter": label, "ms": round(ms, 3)})
    _clear(caches)
    return results, connection_ms


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _stats(samples: list[dict]) -> dict[str, float] | None:
    values = [s["ms"] for s in samples]
    if not values:
        return None
    return {
        "calls": len(values),
        "median_ms": round(statistics.median(values), 3),
        "p95_ms": round(_percentile(values, 95), 3),
        "worst_ms": round(max(values), 3),
    }


# --------------------------------------------------------------------------- report


def _cell(result: dict) -> str:
    stats = result.get("stats")
    if result["errors"]:
        return f"{'ERROR':>33}"
    if stats is None:
        return f"{'skipped':>33}"
    flag = "!" if stats["p95_ms"] > TARGET_MS else " "
    return (
        f"{stats['calls']:>5} {stats['median_ms']:>8.1f} {stats['p95_ms']:>8.1f}{flag}"
        f" {stats['worst_ms']:>8.1f}"
    )


def _print_table(names: list[str], results: dict[str, dict[str, dict]]) -> None:
    width = max(len(name) for name in names)
    print(f"{'':<{width}}" + "".join(f"  {role:<33}" for role in ROLES))
    print(f"{'function':<{width}}" + f"  {'calls':>5} {'median':>8} {'p95':>8}  {'worst':>8}" * len(ROLES))
    for name in names:
        over = [role for role in ROLES if (results[name][role].get("stats") or {}).get("p95_ms", 0) > TARGET_MS]
        line = f"{name:<{width}}" + "".join(f"  {_cell(results[name][role])}" for role in ROLES)
        print(line + (f"  OVER ({', '.join(over)})" if over else ""))
    print(f"(milliseconds; ! = p95 over the {TARGET_MS:.0f} ms target)")


def _print_notes(names: list[str], results: dict[str, dict[str, dict]]) -> None:
    for name in names:
        for role in ROLES:
            result = results[name][role]
            if result["skipped"]:
                print(f"skipped {name} for {role}: {result['skipped']}")
            for error in result["errors"][:3]:
                print(f"ERROR {name} for {role} ({error['filter']}): {error['error']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("home", type=Path, help="ANTISMUGGLING_HOME holding a published snapshot")
    parser.add_argument("--repeat", type=int, default=5, help="rounds: times each (role, function, filter) call is made")
    parser.add_argument("--out", type=Path, help="write the results (every sample) to this JSON file")
    parser.add_argument("--only", help="comma-separated function names: measure just these")
    args = parser.parse_args()

    os.environ["ANTISMUGGLING_HOME"] = str(args.home.resolve())
    from streamlit.logger import set_log_level

    set_log_level("error")  # not "No runtime found" for every cached function: there is none, on purpose
    from dashboard import data
    dg_snapshot = data.current_snapshot(data.Scope())
    if dg_snapshot is None:
        print(f"nothing is published under {args.home}", file=sys.stderr)
        return 2
    busiest = _busiest_formation(dg_snapshot)
    if busiest is None:
        print(f"the snapshot {dg_snapshot.path} has no case with a formation", file=sys.stderr)
        return 2

    names = _query_functions()
    unknown = [name for name in names if name not in CALLS]
    names = [name for name in names if name in CALLS]
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        if wanted - set(names):
            print(f"not query functions of dashboard/data.py: {', '.join(sorted(wanted - set(names)))}", file=sys.stderr)
            return 2
        names, unknown = [name for name in names if name in wanted], []
    print(f"snapshot: {dg_snapshot.path}; {args.repeat} round(s); target p95 under {TARGET_MS:.0f} ms")

    readers = [_reader(role, busiest) for role in ROLES]
    results: dict[str, dict[str, dict]] = {name: {} for name in names}
    readers_out = {}
    for reader in readers:
        print(f"\n{reader.role}: {reader.description}; {reader.n_cases:,} cases")
        print("  filters: " + "; ".join(f"{f.label} ({f.start} to {f.end})" for f in reader.filters))
        missing = sorted({note for key, note in reader.notes.items() if reader.lookups.get(key) is None})
        if missing:
            print(f"  not in its views: {', '.join(missing)}")
        started = time.monotonic()
        measured, connection_ms = _measure(reader, names, args.repeat)
        for name in names:
            measured[name]["stats"] = _stats(measured[name]["samples"])
            results[name][reader.role] = measured[name]
        print(
            f"  measured in {time.monotonic() - started:.0f} s; page-run connection (open + one small query): "
            f"median {statistics.median(connection_ms):.1f} ms, worst {max(connection_ms):.1f} ms"
        )
        readers_out[reader.role] = {
            "scope": {"formations": reader.snapshot.scope.formations, "mask_pii": reader.snapshot.scope.mask_pii},
            "n_cases": reader.n_cases,
            "filters": [
                {"label": f.label, "start": f.start.isoformat(), "end": f.end.isoformat(), "formations": f.formations}
                for f in reader.filters
            ],
            "lookups": {key: reader.notes[key] for key in reader.notes if reader.lookups.get(key) is not None},
            "connection_ms": [round(ms, 3) for ms in connection_ms],
        }

    print()
    _print_table(names, results)
    _print_notes(names, results)
    for name in unknown:
        print(f"not measured: {name} (this benchmark does not know what arguments to give it)")
    over = [n for n in names if any((results[n][r].get("stats") or {}).get("p95_ms", 0) > TARGET_MS for r in ROLES)]
    n_errors = sum(bool(results[n][r]["errors"]) for n in names for r in ROLES)
    print(
        f"\n{len(over)} of {len(names)} functions over the {TARGET_MS:.0f} ms target (p95, for at least one role)"
        + (f": {', '.join(over)}" if over else "")
        + (f"; {n_errors} (function, role) pairs failed" if n_errors else "")
    )

    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "snapshot": dg_snapshot.path,
                    "repeat": args.repeat,
                    "target_ms": TARGET_MS,
                    "readers": readers_out,
                    "functions": results,
                    "over_target": over,
                    "not_measured": unknown,
                },
                indent=2,
                default=str,
            )
        )
        print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
