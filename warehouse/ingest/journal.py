"""Committing an ingest: the journal, the ledger save and the switch of current parts, and
the recovery that finishes a run killed part-way.

New deliveries are written to the store first; then a journal names the files whose current
delivery changes, the ledger is saved (the commit), the current parts are linked, and the
journal is removed. A run that finds a journal re-links the files it names from the ledger, so
a run killed at any point leaves the current parts as the saved ledger says, and its next run
loads what was not committed, without doubling or losing rows.
"""

from __future__ import annotations

import json

from warehouse import homelock, ledger
from warehouse.config import Home
from warehouse.crashpoints import pause_point
from warehouse.ingest.store import DELIVERIES, link_atomic, row_parts, write_json_atomic

JOURNAL = "_ledger.journal.json"  # files whose current parts are being switched


def commit(home: Home, book: ledger.Ledger, changed: list[str]) -> None:
    """Save the ledger and make the current parts of the changed files match it.

    The journal written first names those files, so that a run killed after the ledger is
    saved and before every part is switched is finished by `recover` at the next start.
    """
    if not changed:
        return
    journal = home.raw / JOURNAL
    files = sorted(set(changed))
    write_json_atomic(journal, {"files": files})
    pause_point("ingest-ledger", home.root)
    book.save()
    pause_point("ingest-switch", home.root)
    for file_path in files:
        switch_current(home, book, file_path)
    journal.unlink()


def switch_current(home: Home, book: ledger.Ledger, file_path: str) -> None:
    """Link a file's current delivery (per the ledger) as its current parts."""
    row = book.current(file_path)
    if row is None:
        return
    target = row_parts(home, row)
    if not target.stored.exists():
        return  # loaded before the delivery store existed: its current part is its only copy
    link_atomic(target.stored, target.current)
    if row["rows_quarantined"] and target.stored_quarantine.exists():
        link_atomic(target.stored_quarantine, target.current_quarantine)
    else:
        target.current_quarantine.unlink(missing_ok=True)


def keep_in_store(home: Home, row: dict | None) -> None:
    """Make sure a delivery that stops being current is in the store (one loaded before the
    store existed has its current parts only): link them there before they are replaced."""
    if row is None:
        return
    target = row_parts(home, row)
    if not target.stored.exists() and target.current.exists():
        link_atomic(target.current, target.stored)
        if target.current_quarantine.exists():
            link_atomic(target.current_quarantine, target.stored_quarantine)


def recover(home: Home, lock: homelock.Lock) -> None:
    """Finish what a killed ingest left: switch the files its journal names to the ledger's
    current deliveries; after any command that died holding the lock, remove its temporary
    files and the stored parts of deliveries it never recorded."""
    journal = home.raw / JOURNAL
    if journal.exists():
        book = ledger.Ledger(home)
        for file_path in json.loads(journal.read_text(encoding="utf-8"))["files"]:
            switch_current(home, book, file_path)
        journal.unlink()
    if lock.interrupted is None:
        return
    book = ledger.Ledger(home)
    recorded = set()
    for row in book.rows:
        target = row_parts(home, row)
        recorded |= {target.stored, target.stored_quarantine}
    for path in home.raw.rglob(".*.tmp"):
        path.unlink(missing_ok=True)
    store = home.raw / DELIVERIES
    for path in store.rglob("*.parquet") if store.exists() else []:
        if path not in recorded:
            path.unlink()
