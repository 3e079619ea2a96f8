"""The feeds configuration: committed defaults, a site's override, and the checks on load.

``feeds.default.toml`` (beside this module) holds the six contract feeds and the ``local``
destination. A site's file, ``$ANTISMUGGLING_FEEDS_CONFIG`` or else ``<home>/feeds/feeds.toml``
when it exists, is merged over it table by table: a site sets a built-in feed's schedule,
time zone, destinations, format or ``enabled``, adds destinations (SFTP, encryption to a
partner's key) and feeds of its own, and never edits code.

Loading refuses, with a message naming what is wrong: a change to what the contract fixes
for a built-in feed (partner, personal-data class, mode, entities, filter), an unknown
destination, format, mode, class, a malformed schedule or time zone, a column the model
does not have, and - the point of it all - any column a non-nominal feed asks for that the
personal-data rules forbid (``personal_data.forbidden_reason``).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from antismuggling.config import Settings
from antismuggling.feeds.contracts import FEEDS_SCHEMA, feed_model_contracts
from antismuggling.feeds.personal_data import NON_NOMINAL, PERSONAL_DATA_CLASSES, forbidden_reason
from antismuggling.feeds.refs import PSEUDONYMS

FEEDS_CONFIG_ENV = "ANTISMUGGLING_FEEDS_CONFIG"
DEFAULT_CONFIG_PATH = Path(__file__).with_name("feeds.default.toml")
SITE_CONFIG_NAME = "feeds.toml"

BUILTIN_FEEDS = ("ncen", "cen", "ntc", "psw", "lea-anf", "lea-fia")
SITE_CHANGEABLE = frozenset({"schedule", "timezone", "destinations", "format", "enabled"})
MODES = ("delta", "full")
FORMATS = ("csv", "parquet")
DESTINATION_TYPES = ("local", "sftp")
DEFAULT_TIMEZONE = "Asia/Karachi"

_FEED_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$|^[A-Za-z]{3}(-[A-Za-z]{3})?$")
_FEED_KEYS = frozenset({"partner", "personal_data", "mode", "schedule", "timezone", "format", "destinations",
                        "enabled", "entities", "filter", "schema_version", "description"})
_ENTITY_KEYS = frozenset({"model", "key", "columns"})
_DESTINATION_KEYS = {
    "local": frozenset({"type", "path", "encrypt_to"}),
    "sftp": frozenset({"type", "host", "port", "user", "key_file", "host_key", "remote_dir", "encrypt_to",
                       "retries", "backoff_seconds", "timeout_seconds"}),
}


class FeedsConfigError(ValueError):
    """The feeds configuration cannot be used; the message says where and why."""


@dataclass(frozen=True)
class EntityConfig:
    name: str
    schema: str
    table: str
    source_columns: tuple[str, ...]     # selected from the snapshot table, in order
    columns: tuple[str, ...]            # delivered, in order (source names with pseudonyms applied)
    source_key: tuple[str, ...]
    key: tuple[str, ...]                # delivered key columns
    pseudonyms: tuple[tuple[str, str], ...] = ()  # (source column, delivered column)
    contract_types: tuple[tuple[str, str], ...] = ()  # source column -> declared type (feeds models)

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True)
class DestinationConfig:
    name: str
    type: str
    path: Path | None = None
    host: str | None = None
    port: int = 22
    user: str | None = None
    key_file: Path | None = None
    host_key: str | None = None
    remote_dir: str = "."
    encrypt_to: Path | None = None
    retries: int = 3
    backoff_seconds: float = 2.0
    timeout_seconds: float = 15.0

    def describe(self) -> str:
        if self.type == "sftp":
            return f"sftp://{self.user}@{self.host}:{self.port}{'' if self.remote_dir.startswith('/') else '/'}{self.remote_dir}"
        return str(self.path)


@dataclass(frozen=True)
class FeedConfig:
    id: str
    partner: str
    personal_data: str
    mode: str
    schedule: str
    timezone: str
    format: str
    destinations: tuple[str, ...]
    enabled: bool
    entities: tuple[EntityConfig, ...]
    filter: tuple[tuple[str, tuple[str, ...]], ...] = ()
    schema_version: str = "1"
    builtin: bool = False
    description: str | None = None

    @property
    def nominal(self) -> bool:
        return self.personal_data != NON_NOMINAL

    def entity(self, name: str) -> EntityConfig:
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(name)


@dataclass(frozen=True)
class FeedsConfig:
    feeds: dict[str, FeedConfig]
    destinations: dict[str, DestinationConfig]
    sources: tuple[Path, ...] = field(default_factory=tuple)

    def feed(self, feed_id: str) -> FeedConfig:
        try:
            return self.feeds[feed_id]
        except KeyError:
            known = ", ".join(sorted(self.feeds))
            raise FeedsConfigError(f"no feed '{feed_id}' is configured (feeds: {known})") from None

    def destination(self, name: str) -> DestinationConfig:
        try:
            return self.destinations[name]
        except KeyError:
            raise FeedsConfigError(f"no destination '{name}' is configured") from None


# ---------------------------------------------------------------------------------------------
# Loading


def feeds_dir(settings: Settings) -> Path:
    """``<home>/feeds``: ledger, outbox, signing key, reference secret, site configuration."""
    return settings.home / "feeds"


def site_config_path(settings: Settings) -> Path | None:
    named = os.environ.get(FEEDS_CONFIG_ENV)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise FeedsConfigError(f"{FEEDS_CONFIG_ENV} names {path}, which does not exist")
        return path
    path = feeds_dir(settings) / SITE_CONFIG_NAME
    return path if path.is_file() else None


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise FeedsConfigError(f"{path}: not valid TOML: {exc}") from None


def load_feeds_config(settings: Settings, *, site_path: Path | None = None,
                      default_path: Path = DEFAULT_CONFIG_PATH) -> FeedsConfig:
    """The committed defaults with the site's file merged over them, checked."""
    base = _read_toml(default_path)
    sources = [default_path]
    site_path = site_path if site_path is not None else site_config_path(settings)
    site = {}
    if site_path is not None:
        site = _read_toml(site_path)
        sources.append(site_path)
    merged = _merge(base, site, site_path)
    destinations = {name: _destination(name, raw, settings) for name, raw in (merged.get("destinations") or {}).items()}
    contracts = feed_model_contracts()
    feeds = {}
    for feed_id, raw in (merged.get("feeds") or {}).items():
        feeds[feed_id] = _feed(feed_id, raw, destinations, contracts)
    missing = [f for f in BUILTIN_FEEDS if f not in feeds]
    if missing:
        raise FeedsConfigError(f"the contract's feeds {missing} are missing from {default_path}")
    return FeedsConfig(feeds=feeds, destinations=destinations, sources=tuple(sources))


def _merge(base: dict, site: dict, site_path: Path | None) -> dict:
    unknown = set(site) - {"feeds", "destinations"}
    if unknown:
        raise FeedsConfigError(f"{site_path}: unknown top-level keys {sorted(unknown)} (only [feeds.*] and [destinations.*])")
    merged = {"destinations": dict(base.get("destinations") or {}), "feeds": dict(base.get("feeds") or {})}
    for name, raw in (site.get("destinations") or {}).items():
        if not isinstance(raw, dict):
            raise FeedsConfigError(f"{site_path}: destinations.{name} must be a table")
        merged["destinations"][name] = {**merged["destinations"].get(name, {}), **raw}
    for feed_id, raw in (site.get("feeds") or {}).items():
        if not isinstance(raw, dict):
            raise FeedsConfigError(f"{site_path}: feeds.{feed_id} must be a table")
        if feed_id in BUILTIN_FEEDS:
            fixed = sorted(set(raw) - SITE_CHANGEABLE)
            if fixed:
                raise FeedsConfigError(
                    f"{site_path}: feed '{feed_id}' is fixed by the feeds contract; a site may change only "
                    f"{', '.join(sorted(SITE_CHANGEABLE))}, not {', '.join(fixed)}"
                )
            merged["feeds"][feed_id] = {**merged["feeds"][feed_id], **raw}
        else:
            merged["feeds"][feed_id] = {**raw, "_site": True}
    return merged


def _destination(name: str, raw: dict, settings: Settings) -> DestinationConfig:
    where = f"destination '{name}'"
    if not _IDENTIFIER.match(name.replace("-", "_")):
        raise FeedsConfigError(f"{where}: a destination name is letters, digits, '-' and '_'")
    kind = raw.get("type", "local")
    if kind not in DESTINATION_TYPES:
        raise FeedsConfigError(f"{where}: type must be one of {DESTINATION_TYPES}, not {kind!r}")
    unknown = set(raw) - _DESTINATION_KEYS[kind]
    if unknown:
        raise FeedsConfigError(f"{where}: unknown keys {sorted(unknown)} for a {kind} destination")
    encrypt_to = Path(raw["encrypt_to"]).expanduser() if raw.get("encrypt_to") else None
    if kind == "local":
        path = Path(raw["path"]).expanduser() if raw.get("path") else feeds_dir(settings) / "outbox"
        return DestinationConfig(name=name, type="local", path=path, encrypt_to=encrypt_to)
    for required in ("host", "user", "key_file", "host_key"):
        if not raw.get(required):
            raise FeedsConfigError(f"{where}: an sftp destination needs {required}"
                                   + (" (the server's public key, pinned: 'ssh-ed25519 AAAA...')" if required == "host_key" else ""))
    host_key = str(raw["host_key"]).split()
    if len(host_key) < 2:
        raise FeedsConfigError(f"{where}: host_key must be '<type> <base64>' as in known_hosts, e.g. 'ssh-ed25519 AAAA...'")
    try:
        port = int(raw.get("port", 22))
        retries = int(raw.get("retries", 3))
        backoff = float(raw.get("backoff_seconds", 2.0))
        timeout = float(raw.get("timeout_seconds", 15.0))
    except (TypeError, ValueError) as exc:
        raise FeedsConfigError(f"{where}: {exc}") from None
    if not 0 < port < 65536 or retries < 1 or backoff < 0 or timeout <= 0:
        raise FeedsConfigError(f"{where}: port 1-65535, retries >= 1, backoff_seconds >= 0, timeout_seconds > 0")
    return DestinationConfig(
        name=name, type="sftp", host=str(raw["host"]), port=port, user=str(raw["user"]),
        key_file=Path(raw["key_file"]).expanduser(), host_key=" ".join(host_key[:2]),
        remote_dir=str(raw.get("remote_dir", ".")), encrypt_to=encrypt_to, retries=retries,
        backoff_seconds=backoff, timeout_seconds=timeout,
    )


def validate_cron(expression: str) -> bool:
    fields = expression.split()
    return len(fields) == 5 and all(_CRON_FIELD.match(f) for f in fields)


def _feed(feed_id: str, raw: dict, destinations: dict[str, DestinationConfig], contracts) -> FeedConfig:
    where = f"feed '{feed_id}'"
    site = raw.pop("_site", False) if isinstance(raw, dict) else False
    raw = dict(raw)
    if not _FEED_ID.match(feed_id):
        raise FeedsConfigError(f"{where}: a feed id is lower-case letters, digits and '-', starting with a letter")
    unknown = set(raw) - _FEED_KEYS
    if unknown:
        raise FeedsConfigError(f"{where}: unknown keys {sorted(unknown)}")
    for required in ("partner", "personal_data", "mode", "schedule", "entities"):
        if required not in raw:
            raise FeedsConfigError(f"{where}: '{required}' is required")
    personal_data = raw["personal_data"]
    if personal_data not in PERSONAL_DATA_CLASSES:
        raise FeedsConfigError(f"{where}: personal_data must be one of {PERSONAL_DATA_CLASSES}, not {personal_data!r}")
    mode = raw["mode"]
    if mode not in MODES:
        raise FeedsConfigError(f"{where}: mode must be one of {MODES}, not {mode!r}")
    fmt = raw.get("format", "csv")
    if fmt not in FORMATS:
        raise FeedsConfigError(f"{where}: format must be one of {FORMATS}, not {fmt!r}")
    schedule = str(raw["schedule"])
    if not validate_cron(schedule):
        raise FeedsConfigError(f"{where}: schedule {schedule!r} is not a five-field cron expression")
    timezone = str(raw.get("timezone", DEFAULT_TIMEZONE))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise FeedsConfigError(f"{where}: unknown time zone {timezone!r}") from None
    dests = raw.get("destinations", ["local"])
    if isinstance(dests, str) or not dests:
        raise FeedsConfigError(f"{where}: destinations must be a non-empty list of destination names")
    for name in dests:
        if name not in destinations:
            raise FeedsConfigError(f"{where}: destination '{name}' is not defined in [destinations]")
    if len(set(dests)) != len(dests):
        raise FeedsConfigError(f"{where}: a destination is listed twice")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise FeedsConfigError(f"{where}: enabled must be true or false")
    filters = raw.get("filter") or {}
    if not isinstance(filters, dict):
        raise FeedsConfigError(f"{where}: filter must be a table of column = [values]")
    filter_items = []
    for column, values in filters.items():
        if not _IDENTIFIER.match(column):
            raise FeedsConfigError(f"{where}: filter column {column!r} is not a column name")
        values = [values] if isinstance(values, (str, int)) else list(values)
        if not values:
            raise FeedsConfigError(f"{where}: filter on {column} lists no value")
        filter_items.append((column, tuple(str(v) for v in values)))
    entities_raw = raw["entities"]
    if not isinstance(entities_raw, dict) or not entities_raw:
        raise FeedsConfigError(f"{where}: entities must be a table of entity = {{ model = ... }}")
    entities = tuple(
        _entity(where, feed_id, name, spec, personal_data, dict(filter_items), contracts, site)
        for name, spec in entities_raw.items()
    )
    return FeedConfig(
        id=feed_id, partner=str(raw["partner"]), personal_data=personal_data, mode=mode, schedule=schedule,
        timezone=timezone, format=fmt, destinations=tuple(dests), enabled=enabled, entities=entities,
        filter=tuple(filter_items), schema_version=str(raw.get("schema_version", "1")),
        builtin=feed_id in BUILTIN_FEEDS, description=raw.get("description"),
    )


def _entity(where: str, feed_id: str, name: str, spec, personal_data: str, filters: dict, contracts, site: bool) -> EntityConfig:
    where = f"{where} entity '{name}'"
    if not _IDENTIFIER.match(name):
        raise FeedsConfigError(f"{where}: an entity name is letters, digits and '_'")
    if isinstance(spec, str):
        spec = {"model": spec}
    if not isinstance(spec, dict) or "model" not in spec:
        raise FeedsConfigError(f"{where}: needs a model")
    unknown = set(spec) - _ENTITY_KEYS
    if unknown:
        raise FeedsConfigError(f"{where}: unknown keys {sorted(unknown)}")
    model = str(spec["model"])
    schema, _, table = model.rpartition(".")
    schema = schema or FEEDS_SCHEMA
    if not (_IDENTIFIER.match(schema) and _IDENTIFIER.match(table)):
        raise FeedsConfigError(f"{where}: model {model!r} is not `name` or `schema.name`")
    contract = contracts.get(table) if schema == FEEDS_SCHEMA else None
    if schema == FEEDS_SCHEMA and contract is None:
        raise FeedsConfigError(f"{where}: model {table} has no contract in dbt_project/models/feeds")
    nominal = personal_data != NON_NOMINAL
    pseudonyms = {} if nominal else dict(PSEUDONYMS)
    reverse = {out: src for src, out in pseudonyms.items()}

    asked = spec.get("columns")
    if asked is not None:
        if isinstance(asked, str) or not asked:
            raise FeedsConfigError(f"{where}: columns must be a non-empty list")
        asked = [str(c) for c in asked]
        for column in asked:
            reason = forbidden_reason(column, personal_data)
            if reason:
                raise FeedsConfigError(f"{where} (personal data: {personal_data}): {reason}")
        source_columns = [reverse.get(c, c) for c in asked]
    elif contract is not None:
        source_columns = list(contract.column_names)
    else:
        raise FeedsConfigError(f"{where}: model {model} has no contract here; list its columns")

    contract_columns = set(contract.column_names) if contract is not None else set()
    if contract is not None:
        for column in source_columns:
            if column not in contract_columns:
                raise FeedsConfigError(f"{where}: column '{column}' is not in the contract of {table}")
    key = spec.get("key")
    source_key = [reverse.get(str(c), str(c)) for c in key] if key else list(contract.key if contract else ())
    if not source_key:
        raise FeedsConfigError(f"{where}: no key (set key = [...])")
    for column in source_key:
        if column not in source_columns:
            raise FeedsConfigError(f"{where}: key column '{column}' is not among the columns delivered")
    for column in filters:
        if contract is not None and column not in contract_columns:
            raise FeedsConfigError(f"{where}: filter column '{column}' is not in the contract of {table}")
    delivered = [pseudonyms.get(c, c) for c in source_columns]
    for column in delivered:
        reason = forbidden_reason(column, personal_data)
        if reason:
            raise FeedsConfigError(f"{where} (personal data: {personal_data}): {reason}")
    if len(set(delivered)) != len(delivered):
        raise FeedsConfigError(f"{where}: a column is delivered twice")
    if {"op", "feed_seq"} & set(delivered):
        raise FeedsConfigError(f"{where}: 'op' and 'feed_seq' are added by the feed; a model may not have them")
    return EntityConfig(
        name=name, schema=schema, table=table,
        source_columns=tuple(source_columns), columns=tuple(delivered),
        source_key=tuple(source_key), key=tuple(pseudonyms.get(c, c) for c in source_key),
        pseudonyms=tuple((s, o) for s, o in pseudonyms.items() if s in source_columns),
        contract_types=tuple(contract.columns) if contract else (),
    )
