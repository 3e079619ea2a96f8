"""The feed models' contracts, read from their dbt YAML (``dbt_project/models/feeds/*.yml``).

dbt enforces them when it builds the models (``contract: {enforced: true}``); the feeds
library reads the same file so that the configuration can be checked (columns asked for,
personal-data class, key) before any snapshot is opened, and a snapshot can be checked
against what the contract says it must hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from antismuggling.config import DBT_PROJECT_DIR

FEED_MODELS_DIR = DBT_PROJECT_DIR / "models" / "feeds"
FEEDS_SCHEMA = "feeds"


@dataclass(frozen=True)
class ModelContract:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, data type as declared, upper-cased)
    key: tuple[str, ...]
    personal_data: str | None
    descriptions: tuple[tuple[str, str], ...] = ()  # (column, description from the YAML), where given
    description: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def type_of(self, column: str) -> str:
        return dict(self.columns)[column]


def normalise_type(data_type: str) -> str:
    """DuckDB type names as ``information_schema`` spells them: ``DECIMAL(18,2)``, ``VARCHAR``."""
    text = data_type.strip().upper().replace(" ", "")
    aliases = {"INT8": "BIGINT", "LONG": "BIGINT", "INT": "INTEGER", "INT4": "INTEGER", "STRING": "VARCHAR",
               "TEXT": "VARCHAR", "BOOL": "BOOLEAN", "FLOAT8": "DOUBLE", "NUMERIC": "DECIMAL"}
    base, _, rest = text.partition("(")
    base = aliases.get(base, base)
    return f"{base}({rest}" if rest else base


@lru_cache(maxsize=4)
def _load(directory: str, stamp: float) -> dict[str, ModelContract]:
    import yaml

    contracts: dict[str, ModelContract] = {}
    for path in sorted(Path(directory).glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in doc.get("models") or []:
            config = model.get("config") or {}
            meta = {**(model.get("meta") or {}), **(config.get("meta") or {})}
            if not (config.get("contract") or {}).get("enforced"):
                continue
            columns = tuple(
                (column["name"], normalise_type(str(column.get("data_type", ""))))
                for column in model.get("columns") or []
            )
            contracts[model["name"]] = ModelContract(
                name=model["name"],
                columns=columns,
                key=tuple(meta.get("feed_key") or ()),
                personal_data=meta.get("personal_data"),
                descriptions=tuple(
                    (column["name"], " ".join(str(column["description"]).split()))
                    for column in model.get("columns") or [] if column.get("description")
                ),
                description=" ".join(str(model["description"]).split()) if model.get("description") else None,
            )
    return contracts


def feed_model_contracts(directory: Path = FEED_MODELS_DIR) -> dict[str, ModelContract]:
    """Every contracted model of ``models/feeds`` by name."""
    directory = Path(directory)
    stamp = max((p.stat().st_mtime for p in directory.glob("*.yml")), default=0.0)
    return _load(str(directory), stamp)
