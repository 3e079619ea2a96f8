"""The expectation suites kept in ``expectations/``.

Each suite is two files side by side:

- ``<name>.json``: a Great Expectations suite (``name``, ``expectations``, ``meta``) exactly as
  ``gx.ExpectationSuite(**json)`` reads it. Every expectation states its ``severity``:
  ``critical`` (a hard rule: the row is kept out of the marts, or the mart is wrong; reported
  as an ERROR) or ``warning`` (a soft rule: the row is flagged and counted; WARN).
  ``meta.asset_key`` names the Dagster asset the suite checks, ``meta.batch`` the SQL file,
  ``meta.scope`` says in words which rows the batch holds, ``meta.rebuilt_only`` (marts) that
  after a build of the changed cases only the batch holds only the rows that build rebuilt,
  and which those are (the batch SQL filters on the variable ``rebuilt_only``), and ``meta.parameters`` maps a
  suite parameter (``{"$PARAMETER": name}`` in an expectation) to the SQL that yields its
  value list. ``today_pkt`` (the refresh's local date, Asia/Karachi) is always available.
- ``<batch>.sql``: one SELECT over the warehouse returning exactly the columns the suite needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from antismuggling.config import EXPECTATIONS_DIR

LAYERS = ("source", "marts")
SEVERITIES = {"critical": "ERROR", "warning": "WARN"}
BUILTIN_PARAMETERS = ("today_pkt",)


class SuiteDefinitionError(ValueError):
    """A suite file in ``expectations/`` is malformed."""


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    layer: str  # "source" or "marts"
    path: Path
    asset_key: tuple[str, ...]
    batch_sql: str
    scope: str
    parameter_sql: dict[str, str] = field(default_factory=dict)
    definition: dict[str, Any] = field(default_factory=dict)
    rebuilt_only: str | None = None  # which rows an incremental build rebuilt, in words

    @property
    def asset_key_string(self) -> str:
        return "/".join(self.asset_key)

    @property
    def expectation_count(self) -> int:
        return len(self.definition["expectations"])


def load_suite(path: Path, layer: str) -> SuiteSpec:
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteDefinitionError(f"{path}: {exc}") from exc
    meta = definition.get("meta") or {}
    problems = []
    for key in ("asset_key", "batch", "scope"):
        if not meta.get(key):
            problems.append(f"meta.{key} is missing")
    expectations = definition.get("expectations")
    if not expectations:
        problems.append("no expectations")
    for i, expectation in enumerate(expectations or []):
        if expectation.get("severity") not in SEVERITIES:
            problems.append(f"expectation {i} ({expectation.get('type')}) must set severity to one of {sorted(SEVERITIES)}")
    batch_path = path.parent / str(meta.get("batch", ""))
    if meta.get("batch") and not batch_path.is_file():
        problems.append(f"batch file {batch_path.name} does not exist")
    parameters = meta.get("parameters") or {}
    referenced = _referenced_parameters(expectations or [])
    unknown = referenced - set(parameters) - set(BUILTIN_PARAMETERS)
    if unknown:
        problems.append(f"parameters without a definition: {', '.join(sorted(unknown))}")
    if problems:
        raise SuiteDefinitionError(f"{path}: " + "; ".join(problems))
    return SuiteSpec(
        name=definition["name"],
        layer=layer,
        path=path,
        asset_key=tuple(meta["asset_key"]),
        batch_sql=batch_path.read_text(encoding="utf-8"),
        scope=meta["scope"],
        parameter_sql={name: str(sql) for name, sql in parameters.items()},
        definition=definition,
        rebuilt_only=meta.get("rebuilt_only"),
    )


def load_suites(directory: Path = EXPECTATIONS_DIR, layer: str | None = None) -> list[SuiteSpec]:
    """Every suite under ``directory/<layer>/``, sorted by name."""
    suites = []
    for each in LAYERS if layer is None else (layer,):
        for path in sorted((directory / each).glob("*.json")):
            suites.append(load_suite(path, each))
    names = [s.name for s in suites]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SuiteDefinitionError(f"duplicate suite names: {', '.join(sorted(duplicates))}")
    return suites


def _referenced_parameters(expectations: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "$PARAMETER" in value:
                found.add(str(value["$PARAMETER"]))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for expectation in expectations:
        walk(expectation.get("kwargs", {}))
    return found
