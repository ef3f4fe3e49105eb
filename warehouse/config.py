"""Where everything lives. One home folder holds all working data; the repo holds the code."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from warehouse.errors import UserError

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
SEEDS_DIR = REPO_ROOT / "seeds"
DASHBOARD_APP = REPO_ROOT / "dashboards" / "app.py"

HOME_SUBDIRS = ("landing", "raw", "build", "published", "exports")
PUBLISHED_DB_NAME = "xiaoge.duckdb"


@dataclass(frozen=True)
class Home:
    """The working-data folder (`XIAOGE_HOME`, default `./data`)."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def published_db(self) -> Path:
        return self.published / PUBLISHED_DB_NAME

    @property
    def ledger(self) -> Path:
        return self.raw / "_ledger.parquet"

    def ensure(self) -> Home:
        """Create the folders, or explain in one line why they cannot be created."""
        try:
            for name in HOME_SUBDIRS:
                (self.root / name).mkdir(parents=True, exist_ok=True)
            probe = self.root / ".write-probe"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise UserError(
                f"XIAOGE_HOME {self.root} 不可写({exc.strerror}):"
                "请把 XIAOGE_HOME 设为一个可以写入的目录"
            ) from None
        return self


def home() -> Home:
    """The home folder from `XIAOGE_HOME`, relative paths taken from the current folder."""
    return Home(Path(os.environ.get("XIAOGE_HOME", "data")).expanduser().resolve())


def duckdb_settings() -> dict[str, str]:
    """DuckDB resource limits for every connection we open (set from the environment)."""
    return {
        "memory_limit": os.environ.get("XIAOGE_DUCKDB_MEMORY_LIMIT", "4GB"),
        "threads": os.environ.get("XIAOGE_DUCKDB_THREADS", str(os.cpu_count() or 2)),
    }


def dbt_project_dir() -> Path:
    """The dbt project to build: the repo's, or another (XIAOGE_DBT_PROJECT_DIR), e.g. an
    analyst's working copy."""
    return Path(os.environ.get("XIAOGE_DBT_PROJECT_DIR", DBT_PROJECT_DIR)).resolve()
