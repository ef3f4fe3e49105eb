"""Writing landing files the way each source delivers them, with the contract's headers."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from warehouse.contracts import Table


def landing_path(out: Path, system: str, month: str, table: str, sender: str | None = None) -> Path:
    name = f"{table}__{sender}" if sender else table
    return out / system / month / f"{name}.csv"


def write_csv(path: Path, table: Table, frame: pd.DataFrame, encoding: str) -> Path:
    """Write `frame` (columns named as in the contract) under the source's own headers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = frame[[c.name for c in table.columns]]
    ordered.to_csv(
        path,
        index=False,
        header=table.headers,
        encoding=encoding,
        lineterminator="\r\n",
        quoting=csv.QUOTE_MINIMAL,
        date_format="%Y-%m-%d",
    )
    return path
