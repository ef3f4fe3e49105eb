"""The ingest run: every new landing file is loaded (in worker processes when there are
many), refused whole, quarantined by row or held, and the run is committed to the ledger."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warehouse import homelock, ledger
from warehouse.config import Home
from warehouse.crashpoints import pause_point
from warehouse.duck import connect
from warehouse.ingest.corrections import (
    CorrectionLimits,
    HeldCorrections,
    correction_limits,
    still_held,
)
from warehouse.ingest.journal import commit, keep_in_store, recover
from warehouse.ingest.landing import (
    FileRefused,
    FileResult,
    LandingFile,
    checksum,
    discover,
    identify,
)
from warehouse.ingest.load import ingest_file


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    @property
    def refused(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "refused"]

    @property
    def held(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "held"]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


@dataclass(frozen=True)
class Job:
    source: LandingFile
    checksum: str
    previous: dict | None  # the ledger row of the file's current delivery
    limits: CorrectionLimits | None  # None: apply whatever it loses (an accepted correction)


# Files are loaded in this many processes (DuckDB planning and Parquet writing are per file).
WORKERS = min(2, os.cpu_count() or 1)
PARALLEL_FROM = 16  # below this many files, starting processes costs more than it saves
_worker: dict = {}


def ingest(
    home: Home,
    paths: Iterable[Path] | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> IngestReport:
    """Load every new landing file; refuse bad files whole, quarantine bad rows, hold
    re-deliveries that would lose rows."""
    home.ensure()
    limits = correction_limits()
    with homelock.exclusive(home, "ingest", on_wait) as lock:
        recover(home, lock)
        return _ingest(home, discover(home, paths), limits, on_file)


def _ingest(
    home: Home,
    found: list[Path],
    limits: CorrectionLimits,
    on_file: Callable[[FileResult], None] | None,
) -> IngestReport:
    book = ledger.Ledger(home)
    held = HeldCorrections(home)
    reverted = {(r["file_path"], r["checksum"]) for r in book.rows if r["status"] == "reverted"}
    report = IngestReport()

    def done(result: FileResult) -> None:
        report.results.append(result)
        if on_file:
            on_file(result)

    todo: list[Job] = []
    seen: set[str] = set()
    for path in dict.fromkeys(found):  # a file named twice is loaded once
        try:
            source = identify(home, path)
        except FileRefused as refusal:
            done(FileResult(str(path), "refused", str(refusal)))
            continue
        seen.add(source.relative)
        file_checksum = checksum(path)
        current = book.current(source.relative)
        waiting = held.get(source.relative)
        if waiting is not None and waiting["checksum"] != file_checksum:
            held.drop(source.relative)  # replaced in landing since it was held: look again
            waiting = None
        if current is not None and current["checksum"] == file_checksum:
            held.drop(source.relative)
            done(FileResult(source.relative, "skipped", "已导入过(校验和相同),跳过"))
        elif (source.relative, file_checksum) in reverted:
            done(
                FileResult(
                    source.relative,
                    "skipped",
                    "这一版已被撤回(xiaoge ingest --revert),跳过;如需导入,请报送新的文件",
                )
            )
        elif waiting is not None:
            done(still_held(waiting))
        else:
            todo.append(Job(source, file_checksum, current, limits))
    _forget_stale_holds(home, held, seen)
    changed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="xiaoge-ingest-") as scratch:
        try:
            for job, result in zip(todo, _load_all(home, todo, Path(scratch)), strict=True):
                if result.status == "loaded":
                    keep_in_store(home, job.previous)
                    book.record(
                        job.source,
                        job.checksum,
                        result,
                        quarantine_reasons=result.quarantine_reasons,
                    )
                    changed.append(job.source.relative)
                    held.drop(job.source.relative)
                elif result.status == "held":
                    held.put(_held_item(job, result))
                done(result)
        finally:
            pause_point("ingest-commit", home.root)
            commit(home, book, changed)
            held.save()
    return report


def _held_item(job: Job, result: FileResult) -> dict:
    previous = job.previous or {}
    return {
        "file_path": job.source.relative,
        "checksum": job.checksum,
        "system": job.source.system,
        "table_name": job.source.table.name,
        "month": job.source.month,
        "rows_read": result.rows_read,
        "rows_accepted": result.rows_accepted,
        "rows_quarantined": result.rows_quarantined,
        "current_checksum": previous.get("checksum"),
        "current_rows_accepted": previous.get("rows_accepted"),
        "reason": result.reason,
        "held_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
    }


def _forget_stale_holds(home: Home, held: HeldCorrections, seen: set[str]) -> None:
    """Holds whose landing file is gone or was replaced are dropped: only what is in landing
    now can be accepted (a replaced file is looked at again when it is ingested)."""
    for file_path, item in list(held.items.items()):
        if file_path in seen:
            continue
        path = home.landing / file_path
        if not path.is_file() or checksum(path) != item["checksum"]:
            held.drop(file_path)


def _load_all(home: Home, todo: list[Job], scratch: Path) -> Iterator[FileResult]:
    """Each file's result, in order; in worker processes when there are many files."""
    if len(todo) < PARALLEL_FROM or WORKERS < 2:
        _start_worker(scratch)
        yield from (_load(home, job) for job in todo)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        WORKERS, mp_context=context, initializer=_start_worker, initargs=(scratch,)
    ) as pool:
        yield from pool.map(_load, [home] * len(todo), todo, chunksize=4)


def _start_worker(scratch: Path) -> None:
    """One DuckDB connection and scratch folder per process, for all the files it loads."""
    workdir = scratch / str(os.getpid())
    workdir.mkdir(exist_ok=True)
    _worker["con"], _worker["workdir"] = connect(), workdir


def _load(home: Home, job: Job) -> FileResult:
    try:
        return ingest_file(
            home,
            _worker["con"],
            _worker["workdir"],
            job.source,
            job.checksum,
            job.previous,
            job.limits,
        )
    except FileRefused as refusal:
        return FileResult(str(job.source.path), "refused", str(refusal))
