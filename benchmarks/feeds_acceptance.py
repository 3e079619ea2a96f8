"""Issue 11's acceptance run of the partner feeds, end to end with the real command line.

    python3 run.py -- python benchmarks/feeds_acceptance.py [--root /work/feeds_acceptance] [--cases 100000] [--until 2026-12-01]

In a fresh data directory under ROOT (refused if it exists, unless --reset):

1. ``antismuggling generate --cases N``, ``antismuggling refresh --full``;
2. ``antismuggling feeds run FEED`` for every feed (timed: the whole command, process start
   included);
3. the store edited by hand: 100 updates (cases' status, detection method and offence -
   ten NARCOTICS cases become CURRENCY, so they move from lea-anf to lea-fia -, items' values
   and quantities, persons' names, vehicles' registrations), 10 soft deletes (5 cases, 5
   items), 50 new cases (copies of live cases with their items, persons and vehicles);
4. ``antismuggling refresh``; every feed again;
5. ``antismuggling feeds verify`` on every delivery with only the exported public key (in an
   empty data directory, as a partner), and on a copy of each feed's first delivery with one
   data byte changed;
6. every value of every file of the non-nominal deliveries (cen, psw) searched for the
   store's CNICs, passports, names, fathers' names, registration, chassis and engine numbers.

Prints a Markdown table per feed (rows by op of both deliveries, seconds, verify verdicts) and
writes everything to ROOT/results.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

FEEDS = ("ncen", "cen", "ntc", "psw", "lea-anf", "lea-fia")
NON_NOMINAL = ("cen", "psw")
EXE = str(Path(sys.executable).parent / "antismuggling")


RESULTS: dict = {}
RESULTS_PATH: list[Path] = []


def save() -> None:
    """What is known so far into ROOT/results.json (kept when a later step fails)."""
    if RESULTS_PATH:
        RESULTS_PATH[0].write_text(json.dumps(RESULTS, indent=2))


def run(*args: str, env: dict, check: bool = True) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    result = subprocess.run([EXE, *args], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        RESULTS["failed"] = {"command": list(args), "exit": result.returncode, "stderr": result.stderr[-3000:]}
        save()
        sys.exit(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr[-3000:]}")
    return result, elapsed


def rows_by_op(folder: Path) -> dict[str, int]:
    manifest = json.loads((folder / "manifest.json").read_text())
    total = {"I": 0, "U": 0, "D": 0}
    for entry in manifest["files"]:
        for op, n in entry["rows_by_op"].items():
            total[op] += n
    return total


def by_entity(folder: Path) -> dict[str, dict[str, int]]:
    manifest = json.loads((folder / "manifest.json").read_text())
    return {e["entity"]: e["rows_by_op"] for e in manifest["files"]}


# --------------------------------------------------------------------------- editing the store


def edit_store(path: Path, seed: int = 11) -> dict[str, int]:
    from antismuggling.store.schema import column_names

    rng = random.Random(seed)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    db = sqlite3.connect(path)
    counts = {"updates": 0, "soft_deletes": 0, "new_cases": 0}

    def live(table: str, key: str, where: str = "1=1", n: int = 10, exclude: set | None = None) -> list[int]:
        ids = [r[0] for r in db.execute(
            f"select {key} from {table} where deleted_at is null and {where} order by {key}")]
        ids = [i for i in ids if not exclude or i not in exclude]
        return rng.sample(ids, n)

    touched: set[int] = set()
    with db:
        # 100 updates
        for case_id in live("cases", "case_id", "offence_nature = 'NARCOTICS'", 10):
            db.execute("update cases set offence_nature = 'CURRENCY', updated_at = ? where case_id = ?", (now, case_id))
            touched.add(case_id)
        for case_id in live("cases", "case_id", "status = 'SEIZED'", 20, touched):
            db.execute("update cases set status = 'SCN_ISSUED', updated_at = ? where case_id = ?", (now, case_id))
            touched.add(case_id)
        for case_id in live("cases", "case_id", "detection_method <> 'INTELLIGENCE'", 10, touched):
            db.execute("update cases set detection_method = 'INTELLIGENCE', updated_at = ? where case_id = ?", (now, case_id))
            touched.add(case_id)
        for item_id in live("seizure_items", "item_id", "value_pkr is not null", 30):
            db.execute("update seizure_items set value_pkr = value_pkr + 1000, quantity = coalesce(quantity, 0) + 1, "
                       "updated_at = ? where item_id = ?", (now, item_id))
        for i, person_id in enumerate(live("case_persons", "case_person_id", n=20)):
            db.execute("update case_persons set full_name = ?, updated_at = ? where case_person_id = ?",
                       (f"Edited Person {i:02d}", now, person_id))
        for i, vehicle_id in enumerate(live("case_vehicles", "case_vehicle_id", n=10)):
            db.execute("update case_vehicles set registration_no = ?, updated_at = ? where case_vehicle_id = ?",
                       (f"ACC-{1000 + i}", now, vehicle_id))
        counts["updates"] = 10 + 20 + 10 + 30 + 20 + 10
        # 10 soft deletes
        for case_id in live("cases", "case_id", n=5, exclude=touched):
            db.execute("update cases set deleted_at = ?, updated_at = ? where case_id = ?", (now, now, case_id))
            touched.add(case_id)
        for item_id in live("seizure_items", "item_id", n=5):
            db.execute("update seizure_items set deleted_at = ?, updated_at = ? where item_id = ?", (now, now, item_id))
        counts["soft_deletes"] = 10
        # 50 new cases, copies of live cases with their children
        keys = {"cases": "case_id", "seizure_items": "item_id", "case_persons": "case_person_id",
                "case_vehicles": "case_vehicle_id"}
        top = {t: db.execute(f"select max({k}) from {t}").fetchone()[0] for t, k in keys.items()}
        for n, template in enumerate(live("cases", "case_id", n=50, exclude=touched), start=1):
            new_case = top["cases"] + n
            for table, key in keys.items():
                columns = column_names(table)
                rows = db.execute(f"select {', '.join(columns)} from {table} where case_id = ? and deleted_at is null",
                                  (template,)).fetchall()
                for row in rows:
                    values = dict(zip(columns, row))
                    if table == "cases":
                        values.update(case_id=new_case, case_no=f"ACC-{new_case}")
                    else:
                        top[table] += 1
                        values.update({key: top[table], "case_id": new_case})
                    values.update(created_at=now, updated_at=now)
                    db.execute(f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
                               [values[c] for c in columns])
        counts["new_cases"] = 50
    db.close()
    return counts


# --------------------------------------------------------------------------- personal-data scan


_NORM = re.compile(r"[^A-Z0-9]")
_LETTERS = re.compile(r"[A-Z]+")
_KEYED_REF = re.compile(r"[A-Z2-7]{52}")  # the feeds' keyed references: 32 HMAC bytes in base32
_PLACEHOLDERS = {"NA", "NIL", "NONE", "NULL", "UNKNOWN", "UNREGISTERED", "APPLIEDFOR", "OTHER", "X", ""}


def store_identifiers(path: Path) -> tuple[set[str], set[str]]:
    """(identifying numbers normalised, multi-word names as letter strings) of the whole store."""
    db = sqlite3.connect(path)
    numbers: set[str] = set()
    names: set[str] = set()
    for sql in ("select cnic from case_persons", "select passport_no from case_persons",
                "select registration_no from case_vehicles", "select chassis_no from case_vehicles",
                "select engine_no from case_vehicles", "select case_no from cases", "select fir_no from cases",
                "select service_no from officers"):
        for (value,) in db.execute(sql):
            norm = _NORM.sub("", str(value or "").upper())
            if len(norm) >= 5 and norm not in _PLACEHOLDERS and not (norm.isdigit() and len(norm) <= 8):
                numbers.add(norm)
    for sql in ("select full_name from case_persons", "select father_name from case_persons",
                "select full_name from officers"):
        for (value,) in db.execute(sql):
            tokens = _LETTERS.findall(str(value or "").upper())
            if len(tokens) >= 2:
                names.add(" ".join(tokens))
    db.close()
    return numbers, names


def scan_folder(folder: Path, numbers: set[str], names: set[str]) -> list[str]:
    """Values of the folder's CSV files that hold a store identifier or name (file, column, kind)."""
    hits = []
    cnic = re.compile(r"(?<!\d)\d{5}\D?\d{7}\D?\d(?!\d)")
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            seen: set[tuple[int, str]] = set()
            for row in reader:
                for i, value in enumerate(row):
                    if not value or (i, value) in seen:
                        continue
                    seen.add((i, value))
                    upper = value.upper()
                    tokens = _NORM.sub(" ", upper).split()
                    candidates = {"".join(tokens)} | {"".join(tokens[j:j + n]) for n in range(1, 5)
                                                      for j in range(len(tokens) - n + 1)}
                    if cnic.search(value):
                        hits.append(f"{path.name}.{header[i]}: CNIC-shaped")
                    if candidates & numbers:
                        hits.append(f"{path.name}.{header[i]}: a store number")
                    if header[i].endswith("_ref") and _KEYED_REF.fullmatch(value):
                        # an HMAC in base32: its letter runs are chance ("S ALI" turns up in
                        # 52 random letters), and a keyed reference cannot carry a name
                        continue
                    letters = _LETTERS.findall(upper)
                    grams = {" ".join(letters[j:j + n]) for n in range(2, 6) for j in range(len(letters) - n + 1)}
                    if grams & names:
                        hits.append(f"{path.name}.{header[i]}: a store name")
    return hits


def personal_data_scan(store: Path, results: dict) -> None:
    print("== personal-data scan of the non-nominal deliveries", flush=True)
    numbers, names = store_identifiers(store)
    results["scan"] = {"store_numbers": len(numbers), "store_names": len(names)}
    for feed in NON_NOMINAL:
        hits = []
        for round_name in ("first", "second"):
            hits += scan_folder(Path(results["feeds"][feed][round_name]["folder"]), numbers, names)
        results["scan"][feed] = {"hits": len(hits), "first_hits": hits[:50]}
        print(f"   {feed}: {len(hits)} hits", flush=True)
    # the same scan over the nominal ncen, which must carry them: proof that it finds them
    control = scan_folder(Path(results["feeds"]["ncen"]["first"]["folder"]), numbers, names)
    results["scan"]["ncen (control, nominal)"] = {"hits": len(control)}
    print(f"   control, ncen (nominal): {len(control)} hits", flush=True)


# --------------------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default="/work/feeds_acceptance")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--until", default="2026-12-01", help="the generated store's last day (YYYY-MM-DD), so runs compare")
    parser.add_argument("--reset", action="store_true", help="delete ROOT first")
    parser.add_argument("--rescan", action="store_true",
                        help="only repeat the personal-data scan over ROOT's deliveries (after a change of the scan)")
    args = parser.parse_args()

    root = Path(args.root)
    if args.rescan:
        RESULTS.update(json.loads((root / "results.json").read_text()))
        RESULTS_PATH.append(root / "results.json")
        personal_data_scan(root / "ops.db", RESULTS)
        save()
        return
    if root.exists():
        if not args.reset:
            sys.exit(f"{root} exists: pass --reset to start again from nothing")
        shutil.rmtree(root)
    root.mkdir(parents=True)
    store = root / "ops.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTISMUGGLING_")}
    env.update(ANTISMUGGLING_HOME=str(root / "home"), ANTISMUGGLING_OPS_URL=f"sqlite:///{store}")
    partner_env = {**env, "ANTISMUGGLING_HOME": str(root / "partner")}  # a partner: no data of ours
    results = RESULTS
    results.update({"cases": args.cases, "seed": args.seed, "steps": {}, "feeds": {f: {} for f in FEEDS}})
    RESULTS_PATH.append(root / "results.json")

    def step(label: str, *command: str) -> None:
        print(f"== {label}", flush=True)
        _, seconds = run(*command, env=env)
        results["steps"][label] = round(seconds, 1)
        save()
        print(f"   {seconds:.1f} s", flush=True)

    step("generate", "generate", "--cases", str(args.cases), "--seed", str(args.seed), "--until", args.until)
    step("refresh --full", "refresh", "--full")
    key = root / "antismuggling-feeds.asc"

    def deliver(round_name: str) -> None:
        for feed in FEEDS:
            result, seconds = run("feeds", "run", feed, env=env)
            folder = Path(result.stdout.strip().splitlines()[-1])
            results["feeds"][feed][round_name] = {
                "folder": str(folder), "seconds": round(seconds, 1), "rows_by_op": rows_by_op(folder),
                "rows_by_entity": by_entity(folder),
                "mode": json.loads((folder / "manifest.json").read_text())["mode"],
            }
            save()
            print(f"   {feed:8} {round_name}: {rows_by_op(folder)} in {seconds:.1f} s", flush=True)

    print("== first deliveries", flush=True)
    deliver("first")
    run("feeds", "key", "export", "--out", str(key), env=env)

    print("== editing the store", flush=True)
    results["edits"] = edit_store(store)
    save()
    print(f"   {results['edits']}", flush=True)
    step("refresh", "refresh")
    print("== second deliveries", flush=True)
    deliver("second")

    print("== verify", flush=True)
    tampered_root = root / "tampered"
    tampered_root.mkdir()
    for feed in FEEDS:
        for round_name in ("first", "second"):
            entry = results["feeds"][feed][round_name]
            out, _ = run("feeds", "verify", entry["folder"], "--key", str(key), env=partner_env, check=False)
            entry["verify"] = {"exit": out.returncode, "output": out.stdout.strip()}
        first = Path(results["feeds"][feed]["first"]["folder"])
        copy = tampered_root / feed / first.name
        shutil.copytree(first, copy)
        biggest = max(copy.glob("*.csv"), key=lambda p: p.stat().st_size)
        data = bytearray(biggest.read_bytes())
        position = data.index(b"\r\n") + 2 + len(data[data.index(b"\r\n") + 2:]) // 2  # a byte in the data rows
        while data[position] in b",\r\n\"":
            position += 1
        data[position] = ord("7") if data[position] != ord("7") else ord("8")
        biggest.write_bytes(bytes(data))
        out, _ = run("feeds", "verify", str(copy), "--key", str(key), env=partner_env, check=False)
        results["feeds"][feed]["tampered"] = {"file": biggest.name, "byte": position, "exit": out.returncode,
                                              "output": out.stdout.strip()}
    results["partner_home_created"] = (root / "partner").exists()

    personal_data_scan(store, results)

    results["load_average_at_end"] = os.getloadavg()
    (root / "results.json").write_text(json.dumps(results, indent=2))
    print()
    print(f"store: {args.cases:,} cases; " + ", ".join(f"{k} {v} s" for k, v in results["steps"].items()))
    print(f"edits: {results['edits']}")
    print()
    print("| feed | first delivery (rows by op) | s | second delivery (rows by op) | s | verify first / second | tampered copy |")
    print("|---|---|---|---|---|---|---|")
    for feed in FEEDS:
        r = results["feeds"][feed]

        def ops(d):
            return f"{d['mode']} I={d['rows_by_op']['I']} U={d['rows_by_op']['U']} D={d['rows_by_op']['D']}"

        verdicts = " / ".join("OK" if r[x]["verify"]["exit"] == 0 else "FAILED" for x in ("first", "second"))
        tampered = r["tampered"]["output"].splitlines()
        print(f"| {feed} | {ops(r['first'])} | {r['first']['seconds']} | {ops(r['second'])} | {r['second']['seconds']} "
              f"| {verdicts} | exit {r['tampered']['exit']}: {tampered[-1].strip() if tampered else ''} |")
    print()
    for feed in FEEDS:
        print(f"{feed} verify (second): {results['feeds'][feed]['second']['verify']['output'][:400]}")
    print(f"personal-data scan: {results['scan']}")
    print(f"partner data directory created by verify: {results['partner_home_created']}")
    print(f"load average at the end (1, 5, 15 min; {os.cpu_count()} CPUs): {results['load_average_at_end']}")


if __name__ == "__main__":
    main()
