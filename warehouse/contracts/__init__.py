"""Source contracts: what each source system delivers, read from the YAML files beside this one.

The contracts are the single statement of every source table's columns; ingest enforces them,
the demo generator writes to them and `docs/sources.md` is rendered from them.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from warehouse.config import SEEDS_DIR

CONTRACTS_DIR = Path(__file__).parent

ColumnType = Literal["string", "integer", "decimal", "date", "datetime", "boolean"]
PiiKind = Literal["id_number", "phone", "name"]

DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "boolean": "BOOLEAN",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeedValues(_Strict):
    """Allowed values kept in a reference seed (one source of truth for codes)."""

    seed: str
    column: str

    def values(self) -> frozenset[str]:
        return seed_values(self.seed, self.column)


class Column(_Strict):
    name: str
    header: str
    type: ColumnType
    required: bool
    description: str
    allowed: SeedValues | list[str] | None = None
    minimum: float | None = None
    pii: PiiKind | None = None
    not_after_month_end: bool = False
    within_month: bool = False

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]

    def allowed_values(self) -> frozenset[str] | None:
        if self.allowed is None:
            return None
        if isinstance(self.allowed, SeedValues):
            return self.allowed.values()
        return frozenset(self.allowed)


class Table(_Strict):
    name: str
    name_zh: str
    description: str
    grain: str
    key: list[str]
    columns: list[Column] = Field(min_length=1)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def id_column(self) -> Column | None:
        """The column holding a resident ID number, if any (at most one per table)."""
        found = [c for c in self.columns if c.pii == "id_number"]
        if len(found) > 1:
            raise ValueError(f"{self.name}: at most one column may hold an ID number")
        return found[0] if found else None

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


class System(_Strict):
    system: str
    name_zh: str
    sender: str
    delivery: str
    # Allowed file senders (the `__<sender>` part of the file name), when the system has them.
    senders: SeedValues | None = None
    tables: list[Table]

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)


@cache
def systems() -> dict[str, System]:
    """Every source system's contract, by system name."""
    loaded = {}
    for path in sorted(CONTRACTS_DIR.glob("*.yml")):
        # libyaml's safe loader: the same result as yaml.safe_load, 10 times faster
        text = path.read_text(encoding="utf-8")
        system = System.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))
        loaded[system.system] = system
    return loaded


@cache
def seed_values(seed: str, column: str) -> frozenset[str]:
    with (SEEDS_DIR / f"{seed}.csv").open(encoding="utf-8", newline="") as fh:
        return frozenset(row[column] for row in csv.DictReader(fh))
