"""Planning a build: full or incremental from which month (the served build's landing files and
model fingerprint against what is loaded now), and where the snapshot history continues from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from warehouse import __version__, ledger
from warehouse.config import PUBLISHED_DB_NAME, Home, dbt_project_dir
from warehouse.duck import connect
from warehouse.published import month_start
from warehouse.served import served_build_database


@dataclass(frozen=True)
class BuildPlan:
    """Full, or incremental from a month (YYYY-MM-01); with why, for the user."""

    rebuild_from: str | None
    reason: str

    @property
    def incremental(self) -> bool:
        return self.rebuild_from is not None


NOT_COMPUTING = ("profiles.yml", "dbt-bouncer.yml")


def project_fingerprint() -> str:
    """A digest of everything that decides what the build computes: the dbt project, its
    seeds and the tool's version. An incremental build is only safe when it is unchanged."""
    project = dbt_project_dir()
    digest = hashlib.sha256(__version__.encode())
    roots = [project, (project / "../seeds").resolve()]
    for root in roots:
        for path in sorted(root.rglob("*")):
            # connection settings (profiles.yml: memory, Spark's master), lint settings and
            # dbt's own files (.user.yml, written by its first run) do not change results
            parts = path.relative_to(root).parts
            skipped = {"target", "logs", "dbt_packages", *NOT_COMPUTING} & set(parts)
            hidden = any(part.startswith(".") for part in parts)
            if (
                path.is_file()
                and not skipped
                and not hidden
                and path.suffix in (".sql", ".yml", ".yaml", ".csv")
            ):
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def plan_build(home: Home, full: bool = False) -> BuildPlan:
    """Full or incremental, and from which month: the month before the earliest month whose
    files changed since the served build (its flags such as "active next month" change too)."""
    if full:
        return BuildPlan(None, "按要求全量构建")
    if not home.published_db.exists():
        return BuildPlan(None, "首次构建")
    with connect(home.published_db, read_only=True) as con:
        columns = {row[0] for row in con.execute("describe xiaoge_build").fetchall()}
        if "project_fingerprint" not in columns:
            return BuildPlan(None, "已发布版本缺少模型指纹")
        if (
            "engine" in columns
            and con.execute("select engine from xiaoge_build").fetchone()[0] != "duckdb"
        ):
            # its intermediate and person-level tables stayed on the Spark side
            return BuildPlan(None, "已发布版本由 Spark 构建")
        served_fingerprint = con.execute("select project_fingerprint from xiaoge_build").fetchone()[
            0
        ]
        served = set(
            con.execute("select file_path, checksum, month from xiaoge_build_sources").fetchall()
        )
    if served_build_database(home) is None:
        return BuildPlan(None, "已发布版本的构建库已不在")
    if served_fingerprint != project_fingerprint():
        return BuildPlan(None, "模型或种子数据已改变")
    loaded = {
        (r["file_path"], r["checksum"], r["month"])
        for r in ledger.read(home)
        if r["status"] == "loaded"
    }
    changed = sorted(month for _, _, month in loaded ^ served)
    if not changed:
        return BuildPlan(month_start(max(m for _, _, m in loaded), 1).isoformat(), "没有新文件")
    return BuildPlan(month_start(changed[0], -1).isoformat(), f"{changed[0]} 起有新文件")


def snapshot_history(home: Home) -> Path | None:
    """The build database whose snapshot tables a full build continues: the served build's,
    or, when the served version was built on Spark (which keeps no snapshots), the newest
    published DuckDB build still kept."""
    served = served_build_database(home)
    if served is not None:
        return served
    versions = home.published / "versions"
    for folder in sorted(versions.iterdir() if versions.exists() else [], reverse=True):
        database = home.build / folder.name / PUBLISHED_DB_NAME
        if (folder / "version.json").exists() and database.exists():
            return database
    return None
