"""What is loaded and what is served: the facts behind `xiaoge status`."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from warehouse import ledger
from warehouse.build import current, versions
from warehouse.config import Home
from warehouse.contracts import systems


def status(home: Home) -> dict:
    rows = ledger.read(home)
    by_table: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        if row["status"] == "loaded":
            by_table[(row["system"], row["table_name"])].append(row)
    now = datetime.now(UTC).replace(tzinfo=None)
    sources = []
    for system in systems().values():
        for table in system.tables:
            loaded = by_table.get((system.system, table.name), [])
            last_loaded = max((r["ingested_at"] for r in loaded), default=None)
            sources.append(
                {
                    "system": system.system,
                    "table": table.name,
                    "files": len(loaded),
                    "rows_accepted": sum(r["rows_accepted"] for r in loaded),
                    "rows_quarantined": sum(r["rows_quarantined"] for r in loaded),
                    "last_month": max((r["month"] for r in loaded), default=None),
                    "last_loaded_at": last_loaded.isoformat() if last_loaded else None,
                    "days_since_load": (now - last_loaded).days if last_loaded else None,
                }
            )
    return {
        "home": str(home.root),
        "published": current(home),
        "versions": versions(home),
        "sources": sources,
    }
