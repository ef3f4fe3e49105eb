"""What is loaded and what is served: the facts behind `xiaoge status`."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime

from warehouse import ledger
from warehouse.config import Home
from warehouse.contracts import systems
from warehouse.ingest import held_corrections
from warehouse.published import current, versions

# what the report needs of each delivery (not the per-reason quarantine counts)
LEDGER_COLUMNS = [
    "system",
    "table_name",
    "month",
    "rows_accepted",
    "rows_quarantined",
    "status",
    "ingested_at",
]


def status(home: Home) -> dict:
    rows = ledger.read(home, columns=LEDGER_COLUMNS)
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
    published = current(home)
    kept = versions(home)
    if published is not None:
        served = next((v for v in kept if v["build_id"] == published["build_id"]), {})
        published["audit"] = _audit_summary(served.get("audit"))
    return {
        "home": str(home.root),
        "published": published,
        "last_build": last_build(home),
        "versions": [{"build_id": v["build_id"], "built_at": v["built_at"]} for v in kept],
        "sources": sources,
        # re-deliveries that would lose rows, waiting for `xiaoge ingest --accept-correction`
        "held": held_corrections(home),
    }


def _audit_summary(audit: dict | None) -> dict | None:
    if audit is None:
        return None
    return {key: audit[key] for key in ("passed", "checks", "errors", "warnings", "data_docs")} | {
        "messages": [f["message"] for f in audit["findings"]]
    }


def last_build(home: Home) -> dict | None:
    """The most recent build attempt, published or not, with why it failed if it did."""
    records = sorted(home.build.glob("*/build.json")) if home.build.exists() else []
    if not records:
        return None
    record = json.loads(records[-1].read_text(encoding="utf-8"))
    audit = records[-1].with_name("audit.json")
    if audit.exists():
        record["audit"] = _audit_summary(json.loads(audit.read_text(encoding="utf-8")))
    return record
