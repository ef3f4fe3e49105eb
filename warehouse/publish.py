"""Publish, roll back and prune: which finished build is served, and the versions kept.

Publishing writes a build's public file (`warehouse.served`) into
`published/versions/<build_id>/` and then renames a link of it onto `published/xiaoge.duckdb`,
so a reader opens either the old file or the new one, never a partial one. The last `keep`
versions are kept for rollback.
"""

from __future__ import annotations

import json
import os
import shutil

from warehouse.audit import release_held
from warehouse.build import BuildResult, write_json_atomic
from warehouse.config import PUBLISHED_DB_NAME, Home
from warehouse.crashpoints import pause_point
from warehouse.errors import UserError
from warehouse.provenance import write_audit_findings
from warehouse.published import current, versions
from warehouse.served import write_public_database

DEFAULT_KEEP = int(os.environ.get("XIAOGE_KEEP_VERSIONS", "6"))


def publish(home: Home, result: BuildResult, keep: int = DEFAULT_KEEP) -> dict:
    """Make a finished build the served one, atomically, and keep it as a version.

    The version's record (version.json) is written only once the file is served, so a crash
    part-way leaves no version that was never published. Returns the disclosure-control
    summary (cells, hidden cells, shares).
    """
    version_dir = home.published / "versions" / result.build_id
    version_dir.mkdir(parents=True, exist_ok=True)
    version_db = version_dir / PUBLISHED_DB_NAME
    disclosure_file = result.database.parent / "disclosure.json"
    if not version_db.exists():
        # marts and seeds only, person counts through the disclosure-control gate
        summary = write_public_database(result.database, result.database.parent, version_db)
        write_json_atomic(disclosure_file, summary)
    audit = json.loads((result.database.parent / "audit.json").read_text(encoding="utf-8"))
    # KPI warnings about people are written out only where the served figures show them
    audit = release_held(audit, version_db)
    # the findings go into the file before it is served: readers see a KPI's audit result
    write_audit_findings(version_db, audit)
    _switch_to(home, result.build_id)
    record = {
        "build_id": result.build_id,
        "built_at": result.built_at,
        "audit": audit,
        "disclosure": json.loads(disclosure_file.read_text(encoding="utf-8")),
    }
    write_json_atomic(version_dir / "version.json", record)
    _prune(home, keep)
    return record["disclosure"]


def _switch_to(home: Home, build_id: str) -> None:
    """Atomically point published/xiaoge.duckdb at a version's file."""
    for stale in home.published.glob(f".{PUBLISHED_DB_NAME}.*.tmp"):
        stale.unlink(missing_ok=True)  # left by a publish that was killed
    staged = home.published / f".{PUBLISHED_DB_NAME}.{build_id}.tmp"
    os.link(home.published / "versions" / build_id / PUBLISHED_DB_NAME, staged)
    pause_point("publish", home.published)
    os.replace(staged, home.published_db)


def rollback(home: Home, build_id: str | None = None) -> str:
    """Serve an earlier version again: the given one, or the one before the current."""
    available = [v["build_id"] for v in versions(home)]
    now = current(home)
    if build_id is None:
        older = [b for b in available if now is None or b < now["build_id"]]
        if not older:
            raise UserError("没有更早的已发布版本可以回滚")
        build_id = older[0]
    if build_id not in available:
        listed = ", ".join(available) or "无"
        raise UserError(f"没有版本 {build_id};可用版本: {listed}")
    _switch_to(home, build_id)
    return build_id


def _prune(home: Home, keep: int) -> None:
    """Keep the newest `keep` versions and the served one; drop older versions, their build
    folders, and folders of builds that failed or were never published."""
    served = (current(home) or {}).get("build_id")
    kept = {v["build_id"] for v in versions(home)[:keep]} | {served}
    for folder in (home.published / "versions", home.build):
        for path in folder.iterdir() if folder.exists() else []:
            if (
                path.is_dir()
                and path.name not in kept
                and path.name < max(kept - {None}, default="")
            ):
                shutil.rmtree(path, ignore_errors=True)
