"""The ingest ledger: one row per landed file, kept as a Parquet file in the raw zone.

The ledger is rewritten whole at the end of each ingest run (it holds one row per file, so it
stays small) under a temporary name and renamed into place, so a crash never leaves it
half-written.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.config import Home

if TYPE_CHECKING:
    from warehouse.ingest import FileResult, LandingFile

SCHEMA = pa.schema(
    [
        ("file_path", pa.string()),
        ("checksum", pa.string()),
        ("system", pa.string()),
        ("table_name", pa.string()),
        ("month", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_accepted", pa.int64()),
        ("rows_quarantined", pa.int64()),
        ("status", pa.string()),
        ("superseded_by", pa.string()),
        ("ingested_at", pa.timestamp("s")),
    ]
)


def read(home: Home) -> list[dict]:
    if not home.ledger.exists():
        return []
    return pq.read_table(home.ledger).to_pylist()


def loaded_files(home: Home) -> set[tuple[str, str]]:
    """(landing path, checksum) of every file whose rows are in the raw zone.

    A file is the same delivery only at the same place: an unchanged registry sent for two
    months has the same bytes but is two deliveries.
    """
    return Ledger(home).loaded_files()


class Ledger:
    """The ledger in memory for one ingest run; `save` writes it whole, atomically.

    If a run dies before saving, the parts it wrote have no ledger rows yet; the next run
    loads those files again and rewrites the same parts, so nothing is lost or doubled.
    """

    def __init__(self, home: Home) -> None:
        self.home = home
        self.rows = read(home)

    def loaded_files(self) -> set[tuple[str, str]]:
        return {
            (row["file_path"], row["checksum"]) for row in self.rows if row["status"] == "loaded"
        }

    def record(self, source: LandingFile, checksum: str, result: FileResult) -> None:
        """Add a loaded file; an earlier delivery of the same file is marked superseded."""
        for row in self.rows:
            if row["file_path"] == source.relative and row["status"] == "loaded":
                row["status"] = "superseded"
                row["superseded_by"] = checksum
        self.rows.append(
            {
                "file_path": source.relative,
                "checksum": checksum,
                "system": source.system,
                "table_name": source.table.name,
                "month": source.month,
                "rows_read": result.rows_read,
                "rows_accepted": result.rows_accepted,
                "rows_quarantined": result.rows_quarantined,
                "status": "loaded",
                "superseded_by": None,
                "ingested_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
            }
        )

    def save(self) -> None:
        target = self.home.ledger
        tmp = target.with_name(f".{target.name}.tmp")
        pq.write_table(pa.Table.from_pylist(self.rows, schema=SCHEMA), tmp)
        os.replace(tmp, target)
