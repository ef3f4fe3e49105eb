"""Operator actions on the ledger: accept a held correction, revert a file's delivery."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse import homelock, ledger
from warehouse.config import Home
from warehouse.duck import connect
from warehouse.errors import UserError
from warehouse.ingest.corrections import HeldCorrections
from warehouse.ingest.journal import commit, keep_in_store, recover
from warehouse.ingest.landing import FileRefused, FileResult, checksum, identify
from warehouse.ingest.load import ingest_file
from warehouse.ingest.store import row_parts


def landing_relative(home: Home, file: Path | str) -> str:
    """A landing file's path relative to landing/, from a path (absolute, or relative to the
    working folder) or from the landing-relative path the messages print."""
    given = Path(file).expanduser()
    candidates = [given.resolve()]
    if not given.is_absolute():
        candidates.append((home.landing / given).resolve())
    inside = []
    for candidate in candidates:
        try:
            inside.append((candidate, candidate.relative_to(home.landing).as_posix()))
        except ValueError:
            continue
    for candidate, relative in inside:
        if candidate.exists():
            return relative
    if inside:
        return inside[-1][1]
    raise UserError(
        f"{file} 不在落地区 {home.landing} 内;请给出落地区中的文件,"
        "例如 platform/2025-06/worker_roster__meituan.csv"
    )


def accept_correction(
    home: Home, file: Path | str, on_wait: Callable[[str], None] | None = None
) -> FileResult:
    """Apply a held correction: read the landing file again and make it current whatever it
    loses; the ledger notes that an operator accepted it."""
    home.ensure()
    with homelock.exclusive(home, "ingest", on_wait) as lock:
        recover(home, lock)
        relative = landing_relative(home, file)
        held = HeldCorrections(home)
        item = held.get(relative)
        if item is None:
            raise UserError(f"{relative} 没有暂缓的更正;暂缓的更正见 xiaoge status")
        path = home.landing / relative
        if not path.is_file():
            raise UserError(f"{relative} 已不在落地区,无法应用暂缓的更正;请让报送方重新报送")
        file_checksum = checksum(path)
        if file_checksum != item["checksum"]:
            raise UserError(
                f"{relative} 在暂缓后又被替换,未应用;请先运行 xiaoge ingest {relative} 重新检查"
            )
        try:
            source = identify(home, path)
        except FileRefused as refusal:
            raise UserError(f"{relative}: {refusal}") from None
        book = ledger.Ledger(home)
        previous = book.current(relative)
        with tempfile.TemporaryDirectory(prefix="xiaoge-ingest-") as scratch:
            workdir = Path(scratch)
            with connect() as con:
                try:
                    result = ingest_file(home, con, workdir, source, file_checksum, previous)
                except FileRefused as refusal:
                    raise UserError(f"{relative}: {refusal}") from None
        stamp = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
        before = previous["rows_accepted"] if previous else 0
        note = (
            f"{stamp} 操作员确认应用暂缓的更正:入库行 {before} -> {result.rows_accepted}:"
            f"{item['reason']}"
        )
        keep_in_store(home, previous)
        book.record(
            source,
            file_checksum,
            result,
            accepted_by_operator=True,
            note=note,
            quarantine_reasons=result.quarantine_reasons,
        )
        commit(home, book, [relative])
        held.drop(relative)
        held.save()
        return result


@dataclass(frozen=True)
class Reverted:
    file_path: str
    taken_back: dict  # the ledger row of the delivery that was current
    restored: dict  # the ledger row of the delivery that is current again


def revert(home: Home, file: Path | str, on_wait: Callable[[str], None] | None = None) -> Reverted:
    """Make a file's previous delivery current again; the current one becomes `reverted`."""
    home.ensure()
    with homelock.exclusive(home, "ingest", on_wait) as lock:
        recover(home, lock)
        relative = landing_relative(home, file)
        book = ledger.Ledger(home)
        current = book.current(relative)
        if current is None:
            raise UserError(f"{relative} 没有导入过,无从撤回;已导入的文件见 xiaoge status")
        previous = book.restorable(relative)
        if previous is None:
            why = (
                "只导入过当前这一版"
                if len(book.deliveries(relative)) == 1
                else "当前版本之前没有未被撤回的版本"
            )
            raise UserError(f"{relative} 没有更早的导入版本可恢复({why}),未撤回")
        if not row_parts(home, previous).stored.exists():
            raise UserError(
                f"{relative} 的上一版导入于旧版本程序,其数据未保留,无法恢复;"
                "请让报送方重新报送那一版"
            )
        keep_in_store(home, current)
        taken_back, restored = book.revert(relative)
        commit(home, book, [relative])
        return Reverted(relative, taken_back, restored)
