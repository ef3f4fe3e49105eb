"""The ingest ledger: one row per delivery of a landed file, kept as a Parquet file in the raw zone.

A file's deliveries are its rows in ledger order. Exactly one of them is current (status
`loaded`); an earlier one replaced by a later delivery is `superseded`; one taken back with
`xiaoge ingest --revert` is `reverted`. Every delivery's rows are kept in the raw zone's
delivery store (see `warehouse.ingest`), so a superseded delivery can be made current again.
The ledger knows a delivery only by the few fields it records (`DeliveredFile`, `LoadCounts`),
so it does not depend on the ingest package that writes it.

The ledger is rewritten whole at the end of each ingest run (it holds one row per delivery, so
it stays small) under a temporary name and renamed into place, so a crash never leaves it
half-written. Readers that want what is loaded now select `status = 'loaded'`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.config import Home
from warehouse.duck import shared_connection

if TYPE_CHECKING:
    from warehouse.contracts import Table

LOADED = "loaded"  # the current delivery of its file: its rows are in the current raw parts
SUPERSEDED = "superseded"  # replaced by a later delivery of the same file; rows kept
REVERTED = "reverted"  # taken back by `xiaoge ingest --revert`; rows kept

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
        # a held correction (it would have lost rows) applied by `--accept-correction`
        ("accepted_by_operator", pa.bool_()),
        # what an operator did to this delivery, and when (accepted, reverted, restored)
        ("note", pa.string()),
        # the quarantined rows per reason (a row with two reasons counts under each), so the
        # quality page sums the ledger instead of reading every quarantine part
        (
            "quarantine_reasons",
            pa.list_(pa.struct([("reason", pa.string()), ("rows", pa.int64())])),
        ),
    ]
)
# Columns added after the first ledgers were written, with their value in those ledgers.
ADDED_COLUMNS = {"accepted_by_operator": False, "note": None, "quarantine_reasons": None}


class DeliveredFile(Protocol):
    """The landing file a delivery came in (`warehouse.ingest.landing.LandingFile`)."""

    @property
    def relative(self) -> str: ...  # system/month/name under landing/

    @property
    def system(self) -> str: ...

    @property
    def month(self) -> str: ...

    @property
    def table(self) -> Table: ...


class LoadCounts(Protocol):
    """A delivery's row counts (`warehouse.ingest.landing.FileResult`)."""

    rows_read: int
    rows_accepted: int
    rows_quarantined: int


def read(home: Home, columns: list[str] | None = None) -> list[dict]:
    """Every delivery, in the order they were recorded (also from a ledger of an earlier
    version without the newer columns); with `columns`, only those (a reader that does not
    need the per-reason counts skips them)."""
    if not home.ledger.exists():
        return []
    wanted = SCHEMA.names if columns is None else columns
    present = set(pq.read_schema(home.ledger).names)
    rows = pq.read_table(home.ledger, columns=[c for c in wanted if c in present]).to_pylist()
    for row in rows:
        for column in wanted:
            if column in ADDED_COLUMNS:
                row.setdefault(column, ADDED_COLUMNS[column])
    return rows


def loaded_files(home: Home) -> set[tuple[str, str]]:
    """(landing path, checksum) of every file whose rows are in the raw zone.

    A file is the same delivery only at the same place: an unchanged registry sent for two
    months has the same bytes but is two deliveries.
    """
    return Ledger(home).loaded_files()


def quarantine_reasons(home: Home) -> pa.Table | None:
    """The current deliveries' quarantined rows per system, table and reason (most first), from
    the counts recorded at ingest. None when a current delivery with quarantined rows was
    recorded without them (by an earlier version): only its quarantine part knows them then."""
    if not home.ledger.exists() or "quarantine_reasons" not in pq.read_schema(home.ledger).names:
        return None
    con = shared_connection()
    try:
        # tens of thousands of (reason, rows) pairs at city scale (a duplicate key's reason
        # names the key): summed and sorted by DuckDB, ten times faster than in Python
        current = "(select * from read_parquet($ledger) where status = $loaded)"
        where = {"ledger": str(home.ledger), "loaded": LOADED}
        ((uncounted,),) = con.execute(
            f"select count(*) from {current} where quarantine_reasons is null "
            "and rows_quarantined > 0",
            where,
        ).fetchall()
        if uncounted:
            return None
        return con.sql(
            f"""
            with pairs as (
                select system, table_name, unnest(quarantine_reasons) as pair from {current}
            )
            select system, table_name, pair.reason as reason, sum(pair.rows)::bigint as rows
            from pairs
            group by all
            order by rows desc, system, table_name, reason
            """,
            params=where,
        ).to_arrow_table()
    finally:
        con.close()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Ledger:
    """The ledger in memory for one ingest run; `save` writes it whole, atomically."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.rows = read(home)

    def loaded_files(self) -> set[tuple[str, str]]:
        return {(row["file_path"], row["checksum"]) for row in self.rows if row["status"] == LOADED}

    def current(self, file_path: str) -> dict | None:
        """The file's current delivery (status `loaded`), if it has one."""
        return next(
            (r for r in self.rows if r["file_path"] == file_path and r["status"] == LOADED), None
        )

    def deliveries(self, file_path: str) -> list[dict]:
        """Every delivery of a file, oldest first."""
        return [r for r in self.rows if r["file_path"] == file_path]

    def record(
        self,
        source: DeliveredFile,
        checksum: str,
        result: LoadCounts,
        accepted_by_operator: bool = False,
        note: str | None = None,
        quarantine_reasons: dict[str, int] | None = None,
    ) -> dict:
        """Add a loaded delivery; the file's current delivery becomes superseded.

        `quarantine_reasons` counts the delivery's quarantined rows per reason; without it
        (None) its reasons are read from its quarantine part when they are asked for."""
        for row in self.rows:
            if row["file_path"] == source.relative and row["status"] == LOADED:
                row["status"] = SUPERSEDED
                row["superseded_by"] = checksum
        row = {
            "file_path": source.relative,
            "checksum": checksum,
            "system": source.system,
            "table_name": source.table.name,
            "month": source.month,
            "rows_read": result.rows_read,
            "rows_accepted": result.rows_accepted,
            "rows_quarantined": result.rows_quarantined,
            "status": LOADED,
            "superseded_by": None,
            "ingested_at": _now(),
            "accepted_by_operator": accepted_by_operator,
            "note": note,
            "quarantine_reasons": None
            if quarantine_reasons is None
            else [{"reason": k, "rows": v} for k, v in sorted(quarantine_reasons.items())],
        }
        self.rows.append(row)
        return row

    def restorable(self, file_path: str) -> dict | None:
        """The delivery `--revert` makes current again: the latest superseded delivery recorded
        before the current one (reverted deliveries are skipped)."""
        rows = self.deliveries(file_path)
        current = next((i for i, r in enumerate(rows) if r["status"] == LOADED), None)
        if current is None:
            return None
        earlier = [r for r in rows[:current] if r["status"] == SUPERSEDED]
        return earlier[-1] if earlier else None

    def revert(self, file_path: str) -> tuple[dict, dict]:
        """Take back the file's current delivery and make the previous one current again;
        return (taken back, restored). The caller checks `restorable` first."""
        current, previous = self.current(file_path), self.restorable(file_path)
        if current is None or previous is None:
            raise ValueError(f"{file_path} has no delivery to revert to")
        stamp = _now().isoformat(sep=" ")
        current["status"] = REVERTED
        current["superseded_by"] = previous["checksum"]
        current["note"] = _append(current["note"], f"{stamp} 撤回,恢复 {previous['checksum'][:12]}")
        previous["status"] = LOADED
        previous["superseded_by"] = None
        previous["note"] = _append(
            previous["note"], f"{stamp} 撤回 {current['checksum'][:12]} 后恢复为当前版本"
        )
        return current, previous

    def save(self) -> None:
        target = self.home.ledger
        tmp = target.with_name(f".{target.name}.tmp")
        pq.write_table(pa.Table.from_pylist(self.rows, schema=SCHEMA), tmp)
        os.replace(tmp, target)


def _append(note: str | None, text: str) -> str:
    return f"{note};{text}" if note else text
