"""Where everything lives. One home folder holds all working data; the repo holds the code."""

from __future__ import annotations

import grp
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from warehouse.errors import UserError

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
SEEDS_DIR = REPO_ROOT / "seeds"
DASHBOARD_APP = REPO_ROOT / "dashboards" / "app.py"

PUBLISHED_DB_NAME = "xiaoge.duckdb"
HOME_GROUP_ENV = "XIAOGE_HOME_GROUP"
# On a cluster the raw zone is shared storage that the ingest writes and Spark reads
RAW_URI_ENV = "XIAOGE_RAW_URI"


@dataclass(frozen=True)
class FileModes:
    """Who may read what is written under the home: the owner only (0700 folders, 0600
    files), or also one named group (`XIAOGE_HOME_GROUP`: 2750 folders owned by that group,
    0640 files). The setgid bit makes everything made later in a folder inherit its group."""

    folders: int
    files: int
    umask: int
    group_id: int | None = None
    group_name: str | None = None


PRIVATE = FileModes(folders=0o700, files=0o600, umask=0o077)


def file_modes() -> FileModes:
    """The modes from `XIAOGE_HOME_GROUP` (unset or empty: private to the owner)."""
    name = os.environ.get(HOME_GROUP_ENV, "").strip()
    if not name:
        return PRIVATE
    try:
        group = grp.getgrnam(name)
    except KeyError:
        raise UserError(
            f"{HOME_GROUP_ENV}={name} 不是本机的用户组:请设为已有的组名(getent group 可查),"
            "或不设置(仅属主可读写)"
        ) from None
    return FileModes(
        folders=0o2750, files=0o640, umask=0o027, group_id=group.gr_gid, group_name=name
    )


def restrict_new_files() -> FileModes:
    """Set this process's umask from the setting and return the modes.

    Child processes (dbt, Chromium, ingest workers, Streamlit after `xiaoge serve`) inherit
    the umask, so what they write under the home gets the same modes without each knowing.
    """
    modes = file_modes()
    os.umask(modes.umask)
    return modes


@dataclass(frozen=True)
class Home:
    """The working-data folder (`XIAOGE_HOME`, default `./data`)."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def raw_uri(self) -> str:
        """The raw zone as a URI: `XIAOGE_RAW_URI`, or the home's raw/ folder."""
        return os.environ.get(RAW_URI_ENV, "").strip() or (self.root / "raw").as_uri()

    @property
    def raw(self) -> Path:
        return local_path(self.raw_uri)

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
        """Create the folders with the home's modes, or explain in one line why they cannot be
        created. Also sets this process's umask, for callers that are not the CLI."""
        modes = restrict_new_files()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            # A home made before this rule, or by another tool (mkdir, a test's tmp folder),
            # may be open to others: the root and the top folders get the modes every time.
            for folder in (
                self.root,
                self.landing,
                self.raw,
                self.build,
                self.published,
                self.exports,
            ):
                folder.mkdir(parents=True, exist_ok=True)
                self._set_folder_mode(folder, modes)
            # one probe per process: two commands starting at once must not remove each
            # other's probe (and then report the home unwritable)
            probe = self.root / f".write-probe-{os.getpid()}"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise UserError(
                f"XIAOGE_HOME {self.root} 不可写({exc.strerror}):"
                "请把 XIAOGE_HOME 设为一个可以写入的目录"
            ) from None
        return self

    def _set_folder_mode(self, folder: Path, modes: FileModes) -> None:
        if modes.group_id is not None and folder.stat().st_gid != modes.group_id:
            try:
                os.chown(folder, -1, modes.group_id)
            except PermissionError:
                raise UserError(
                    f"不能把 {folder} 交给用户组 {modes.group_name}:请先把当前用户加入该组,"
                    f"或改设 {HOME_GROUP_ENV}"
                ) from None
        if stat.S_IMODE(folder.stat().st_mode) != modes.folders:
            os.chmod(folder, modes.folders)


def local_path(uri: str) -> Path:
    """The folder a raw-zone URI names on this machine: file:// URIs (shared storage mounted
    here, such as HDFS through its NFS gateway or OSS through ossfs) and plain paths."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return Path(unquote(parsed.path) if parsed.scheme else uri).expanduser().resolve()
    raise UserError(
        f"{RAW_URI_ENV}={uri}:导入只能写入本机可见的目录(file:// 或路径);"
        "HDFS、S3、OSS 请挂载到本机后用 file:// 指向挂载点,见 docs/scale-out.md"
    )


def docs_site(home: Home) -> Path:
    """Where `xiaoge docs` writes dbt's documentation site (read by the analysts' docs page)."""
    return home.build / "docs" / "index.html"


def home() -> Home:
    """The home folder from `XIAOGE_HOME`, relative paths taken from the current folder."""
    return Home(Path(os.environ.get("XIAOGE_HOME", "data")).expanduser().resolve())


def duckdb_settings() -> dict[str, str]:
    """DuckDB resource limits for every connection we open (set from the environment)."""
    return {
        "memory_limit": os.environ.get("XIAOGE_DUCKDB_MEMORY_LIMIT", "6GB"),
        "threads": os.environ.get("XIAOGE_DUCKDB_THREADS", str(os.cpu_count() or 2)),
    }


def dbt_project_dir() -> Path:
    """The dbt project to build: the repo's, or another (XIAOGE_DBT_PROJECT_DIR), e.g. an
    analyst's working copy."""
    return Path(os.environ.get("XIAOGE_DBT_PROJECT_DIR", DBT_PROJECT_DIR)).resolve()


def env_number(name: str, default: float, *, low: float, high: float = math.inf, fix: str) -> float:
    """A number from the environment variable `name` (`default` when unset); a value that is not
    a number in [low, high] is refused in one line that ends with `fix`."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        raise UserError(f"{name}={text} 无效:{fix}")
    return value
