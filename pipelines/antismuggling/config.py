"""Where things live: settings from the environment (or an optional config file).

Every path the product writes is derived from one data directory, ``ANTISMUGGLING_HOME``;
the operational store is named by one URL, ``ANTISMUGGLING_OPS_URL``. The data directory holds
unmasked CNICs and names, so everything in it is its owner's only (``keep_files_private``,
``secure_home``).
"""

from __future__ import annotations

import ipaddress
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DASHBOARD_DIR = PROJECT_ROOT / "dashboard"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

CONFIG_FILE_ENV = "ANTISMUGGLING_CONFIG"
OPS_URL_ENV = "ANTISMUGGLING_OPS_URL"
HOME_ENV = "ANTISMUGGLING_HOME"
BIND_ENV = "ANTISMUGGLING_BIND"
DAGSTER_READ_ONLY_ENV = "ANTISMUGGLING_DAGSTER_READ_ONLY"
QUERY_MEMORY_LIMIT_ENV = "ANTISMUGGLING_QUERY_MEMORY_LIMIT"
QUERY_TIMEOUT_ENV = "ANTISMUGGLING_QUERY_TIMEOUT_SECONDS"
QUERY_TEMP_DIR_ENV = "ANTISMUGGLING_QUERY_TEMP_DIR"
QUERY_TEMP_LIMIT_ENV = "ANTISMUGGLING_QUERY_TEMP_LIMIT"
# DuckDB memory_limit of the build (the load, dbt's connections): beyond it DuckDB
# spills to the build's temp directory (build_temp_dir) instead of growing
BUILD_MEMORY_LIMIT_ENV = "ANTISMUGGLING_BUILD_MEMORY_LIMIT"
DEFAULT_BUILD_MEMORY_LIMIT = "3GB"
# DuckDB memory_limit of the checks' connections (the suites, the reconciliation): a suite's only
# holds its batch, which spills, while pandas takes a part of it at a time beside it
# (quality.runner); at 10M cases 1GB instead of 3GB lowered the suites' peak from 4.1 to 2.5 GB
# for 6% more time
CHECK_MEMORY_LIMIT_ENV = "ANTISMUGGLING_CHECK_MEMORY_LIMIT"
DEFAULT_CHECK_MEMORY_LIMIT = "1GB"
KEYS = (
    OPS_URL_ENV, HOME_ENV, BIND_ENV, DAGSTER_READ_ONLY_ENV,
    QUERY_MEMORY_LIMIT_ENV, QUERY_TIMEOUT_ENV, QUERY_TEMP_DIR_ENV, QUERY_TEMP_LIMIT_ENV, BUILD_MEMORY_LIMIT_ENV,
    CHECK_MEMORY_LIMIT_ENV,
)
GROUP_OR_OTHER = stat.S_IRWXG | stat.S_IRWXO
# The database the marts and feeds are built in, attached to the build database under this
# name (dbt_project/profiles.yml); not named like a schema in it, or `marts.x` is ambiguous.
NEXT_SNAPSHOT_ALIAS = "next_snapshot"


def next_snapshot_path(warehouse_path: Path) -> Path:
    """The marts and feeds of ``warehouse_path``, in a file of their own beside it: publishing
    copies the file whole instead of every table."""
    return warehouse_path.with_name(f"{warehouse_path.stem}-next-snapshot.duckdb")


def _config_file_values() -> dict[str, str]:
    """Values from the optional TOML config file (same keys as the environment)."""
    path = os.environ.get(CONFIG_FILE_ENV)
    candidates = [Path(path)] if path else [Path.cwd() / "antismuggling.toml"]
    for candidate in candidates:
        if candidate.is_file():
            with candidate.open("rb") as fh:
                data = tomllib.load(fh)
            return {k: str(v) for k, v in data.items() if k in KEYS}
        if path:
            raise FileNotFoundError(f"config file {candidate} (from {CONFIG_FILE_ENV}) does not exist")
    return {}


@dataclass(frozen=True)
class Settings:
    home: Path
    ops_url: str
    bind: str = "127.0.0.1"  # where the demo's servers listen
    dagster_read_only: bool = True  # the Dagster UI cannot launch runs (it has no sign-in)
    query_memory_limit: str = "2GB"  # DuckDB memory_limit of `antismuggling query`
    query_timeout_seconds: float = 300.0
    query_temp_limit: str = "10GB"  # DuckDB max_temp_directory_size: spill to disk, but not without end
    query_temp_override: Path | None = None
    build_memory_limit: str = DEFAULT_BUILD_MEMORY_LIMIT
    check_memory_limit: str = DEFAULT_CHECK_MEMORY_LIMIT

    @property
    def bind_is_loopback(self) -> bool:
        return is_loopback(self.bind)

    @property
    def query_temp_dir(self) -> Path:
        """Where a query spills what does not fit in memory: private, and never under published/
        (which other readers list)."""
        return self.query_temp_override or self.home / "tmp" / "query"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def build_temp_dir(self) -> Path:
        return build_temp_dir(self.warehouse_path)

    @property
    def warehouse_path(self) -> Path:
        """The build database: raw copy of the store plus the dbt schemas up to the marts. Only the
        pipeline opens it."""
        return self.warehouse_dir / "build.duckdb"

    @property
    def refresh_lock_path(self) -> Path:
        return self.warehouse_dir / "refresh.lock"

    @property
    def children_lock_path(self) -> Path:
        """Held shared by every process a refresh starts, for as long as it lives (``antismuggling.children``)."""
        return self.warehouse_dir / "children.lock"

    @property
    def published_dir(self) -> Path:
        """Immutable published snapshots plus the CURRENT pointer readers follow."""
        return self.home / "published"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def access_dir(self) -> Path:
        """Users and the audit trail: private, and never under published/ or warehouse/ (which readers open)."""
        return self.home / "access"

    @property
    def users_db_path(self) -> Path:
        return self.access_dir / "users.db"

    @property
    def demo_store_path(self) -> Path:
        return self.home / "demo" / "ops.db"

    def ensure_dirs(self) -> None:
        make_private_dir(self.home)
        for d in (self.warehouse_dir, self.build_temp_dir, self.published_dir, self.exports_dir, self.dagster_home):
            make_private_dir(d)


def build_temp_dir(warehouse_path: Path) -> Path:
    """Where the build's DuckDB connections spill (beside the build database, private)."""
    return warehouse_path.parent / "tmp"


def load_settings() -> Settings:
    file_values = _config_file_values()

    def get(key: str) -> str | None:
        return os.environ.get(key) or file_values.get(key)

    home = Path(get(HOME_ENV) or PROJECT_ROOT / "data").expanduser().resolve()
    ops_url = get(OPS_URL_ENV) or f"sqlite:///{home / 'demo' / 'ops.db'}"
    defaults = Settings(home=home, ops_url=ops_url)
    temp_dir = get(QUERY_TEMP_DIR_ENV)
    return Settings(
        home=home,
        ops_url=ops_url,
        bind=get(BIND_ENV) or defaults.bind,
        dagster_read_only=_flag(get(DAGSTER_READ_ONLY_ENV), DAGSTER_READ_ONLY_ENV, defaults.dagster_read_only),
        query_memory_limit=get(QUERY_MEMORY_LIMIT_ENV) or defaults.query_memory_limit,
        query_timeout_seconds=_positive(get(QUERY_TIMEOUT_ENV), QUERY_TIMEOUT_ENV, defaults.query_timeout_seconds),
        query_temp_limit=get(QUERY_TEMP_LIMIT_ENV) or defaults.query_temp_limit,
        query_temp_override=Path(temp_dir).expanduser().resolve() if temp_dir else None,
        build_memory_limit=get(BUILD_MEMORY_LIMIT_ENV) or defaults.build_memory_limit,
        check_memory_limit=get(CHECK_MEMORY_LIMIT_ENV) or defaults.check_memory_limit,
    )


def _flag(value: str | None, key: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{key} must be true or false, not {value!r}")


def _positive(value: str | None, key: str, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0 or number == float("inf"):
        raise ValueError(f"{key} must be a positive number of seconds, not {value!r}")
    return number


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is reachable from this machine only."""
    if host.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it may resolve to a public address


# ---------------------------------------------------------------------------------------------
# Owner-only files


def keep_files_private() -> None:
    """Files and folders this process (and every child it starts) creates are its owner's only.

    Called by every entry point: the command line, the Dagster code location, ``run_refresh``.
    """
    current = os.umask(0o077)
    os.umask(current | 0o077)  # never loosen a stricter umask


def make_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & GROUP_OR_OTHER and path.stat().st_uid == os.getuid():
        path.chmod(0o700)


@dataclass(frozen=True)
class ExposedPaths:
    fixed: list[Path]  # were group/other-accessible, made owner-only
    foreign: list[Path]  # group/other-accessible but another account's: cannot be fixed here

    def __bool__(self) -> bool:
        return bool(self.fixed or self.foreign)

    def describe(self, home: Path) -> str:
        def some(paths: list[Path]) -> str:
            names = ", ".join(str(p.relative_to(home)) if p != home else str(p) for p in paths[:3])
            return names + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")

        parts = []
        if self.fixed:
            parts.append(f"{len(self.fixed)} path(s) under {home} were readable by other accounts and are now "
                         f"owner-only ({some(self.fixed)})")
        if self.foreign:
            parts.append(f"{len(self.foreign)} path(s) under {home} belong to another account and are readable "
                         f"by others: fix them by hand ({some(self.foreign)})")
        return "; ".join(parts)


def secure_home(home: Path) -> ExposedPaths:
    """Make the data directory and everything in it owner-only; say what was not.

    Snapshots and the build warehouse hold unmasked CNICs and names, Dagster's run history
    error messages: no other account on the machine may read them. Symbolic links are left alone.
    """
    fixed: list[Path] = []
    foreign: list[Path] = []
    if not home.is_dir():
        return ExposedPaths(fixed, foreign)
    uid = os.getuid()

    def tighten(path: Path) -> None:
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or not info.st_mode & GROUP_OR_OTHER:
                return
            if info.st_uid != uid:
                foreign.append(path)
                return
            path.chmod(stat.S_IMODE(info.st_mode) & ~GROUP_OR_OTHER)
        except FileNotFoundError:  # removed meanwhile (a pruned snapshot, a finished temp file)
            return
        fixed.append(path)

    tighten(home)
    for root, dirs, files in os.walk(home):
        for name in (*dirs, *files):
            tighten(Path(root) / name)
    return ExposedPaths(fixed, foreign)
