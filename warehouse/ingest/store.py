"""Where a delivery's rows live: the delivery store under `raw/_deliveries/`, the current
parts dbt reads, and the atomic writes (Parquet, JSON, links) that put files there.

Each delivery of a landing file (its bytes at one time) is kept for good at
`raw/_deliveries/<system>/<table>/month=<YYYY-MM>/<file stem>/<sha256>[.quarantine].parquet`.
The file's current delivery is the same Parquet file hard-linked at
`raw/<system>/<table>/month=<YYYY-MM>/<file stem>.parquet` (its rejected rows at the same place
under `raw/_quarantine/`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse import strict_json
from warehouse.config import Home
from warehouse.duck import sql_literal
from warehouse.ingest.landing import LandingFile

DELIVERIES = "_deliveries"  # every delivery's parts, current or not: never read by dbt
QUARANTINE = "_quarantine"  # the current deliveries' rejected rows


@dataclass(frozen=True)
class Parts:
    """The Parquet files of one delivery: kept in the store, and linked as the current parts
    when it is its file's current delivery."""

    current: Path
    current_quarantine: Path
    stored: Path
    stored_quarantine: Path


def parts(home: Home, file_path: str, table: str, checksum: str) -> Parts:
    """The parts of the delivery of landing file `file_path` (system/month/name) with this
    checksum, as a ledger row names them."""
    system, month, name = file_path.split("/")
    folder = Path(system) / table / f"month={month}"
    stem = Path(name).stem
    store = home.raw / DELIVERIES / folder / stem
    return Parts(
        current=home.raw / folder / f"{stem}.parquet",
        current_quarantine=home.raw / QUARANTINE / folder / f"{stem}.parquet",
        stored=store / f"{checksum}.parquet",
        stored_quarantine=store / f"{checksum}.quarantine.parquet",
    )


def row_parts(home: Home, row: dict) -> Parts:
    return parts(home, row["file_path"], row["table_name"], row["checksum"])


def part_path(home: Home, source: LandingFile, zone: str = "") -> Path:
    """A file's current part (or, with zone `_quarantine`, its current rejected rows)."""
    base = home.raw / zone if zone else home.raw
    return (
        base
        / source.system
        / source.table.name
        / f"month={source.month}"
        / f"{source.stem}.parquet"
    )


def write_parquet(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    """Write a query's rows to a Parquet file atomically (temporary name, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    con.execute(f"copy ({query}) to {sql_literal(str(tmp))} (format parquet, compression zstd)")
    os.replace(tmp, target)


def write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(strict_json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def link_atomic(source: Path, target: Path) -> None:
    """Put `source`'s file at `target` atomically: a hard link (no copy), or a copy where the
    file system has none."""
    if target.exists() and os.path.samefile(source, target):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    os.replace(tmp, target)
