"""Landing discovery: which files to consider, which contract each answers to, its checksum,
and the records of what came of it (`LandingFile`, `FileResult`, `FileRefused`).

A landing file lives at `landing/<system>/<YYYY-MM>/<table>[__<sender>].<csv|xlsx>`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from warehouse.config import Home
from warehouse.contracts import Table, systems
from warehouse.errors import UserError

LANDING_FILE = re.compile(r"^(?P<table>[a-z_]+?)(?:__(?P<sender>[a-z0-9_]+))?\.(?P<ext>csv|xlsx)$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
READ_CHUNK = 1 << 22


class FileRefused(Exception):
    """The whole file is refused; nothing from it is written."""


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative: str
    system: str
    month: str
    table: Table
    stem: str
    ext: str
    sender: str | None = None


@dataclass
class FileResult:
    path: str
    status: str  # loaded, skipped, refused, held
    message: str = ""
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_accepted_before: int | None = None  # the current delivery's, for a re-delivery
    reason: str = ""  # why a re-delivery is held
    # a loaded delivery's quarantined rows per reason, for the ledger
    quarantine_reasons: dict[str, int] | None = None


def discover(home: Home, paths: Iterable[Path] | None) -> list[Path]:
    """The files to consider: the given files and folders, or the whole landing zone."""
    roots = [Path(p).resolve() for p in paths] if paths else [home.landing]
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found.extend(
                p for p in sorted(root.rglob("*")) if p.is_file() and not _is_control_file(p)
            )
        elif root.is_file():
            found.append(root)
        else:
            raise UserError(f"{root}: 文件或目录不存在,请检查路径")
    return found


def _is_control_file(path: Path) -> bool:
    """Temporary files and control files (such as the generator's _defects.json) are not data."""
    return path.name.startswith((".", "_"))


def identify(home: Home, path: Path) -> LandingFile:
    """Which contract a file answers to, from where it sits in the landing zone."""
    fix = "landing/<系统>/<YYYY-MM>/<表名>.csv|xlsx"
    try:
        relative = path.resolve().relative_to(home.landing)
    except ValueError:
        raise FileRefused(f"不在落地区 {home.landing} 内;请放到 {fix}") from None
    parts = relative.parts
    if len(parts) != 3:
        raise FileRefused(f"位置不对;请放到 {fix}")
    system_name, month, file_name = parts
    contract = systems().get(system_name)
    if contract is None:
        known = ", ".join(systems())
        raise FileRefused(f"未知的来源系统 {system_name};请放到已知系统的目录: {known}")
    if not MONTH.match(month):
        raise FileRefused(f"月份目录 {month} 不是 YYYY-MM 格式;请按报送月份命名目录,例如 2025-06")
    match = LANDING_FILE.match(file_name)
    table = contract.table(match["table"]) if match else None
    if match is None or table is None:
        known = ", ".join(t.name for t in contract.tables)
        raise FileRefused(
            f"未知文件 {file_name};请按表名命名文件({system_name} 系统的表: {known},扩展名 .csv 或 .xlsx)"
        )
    sender = match["sender"]
    if contract.senders is not None and sender not in contract.senders.values():
        known = ", ".join(sorted(contract.senders.values()))
        raise FileRefused(
            f"文件名 {file_name} 缺少或写错了报送方代码;请命名为 {match['table']}__<代码>,代码之一: {known}"
        )
    return LandingFile(
        path=path,
        relative=relative.as_posix(),
        system=system_name,
        month=month,
        table=table,
        stem=Path(file_name).stem,
        ext=match["ext"],
        sender=sender,
    )


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
