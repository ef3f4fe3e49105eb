"""One writer at a time per home: `xiaoge ingest` and `xiaoge build` take an exclusive lock.

The lock is an advisory `flock` on `$XIAOGE_HOME/.xiaoge.lock` (standard library, no extra
package; the warehouse runs on Linux). The kernel drops it when its process ends, however it
ends, so a process killed with SIGKILL never leaves the home locked. A second command waits,
saying so once, until the first is done, or gives up after `XIAOGE_LOCK_TIMEOUT` seconds
(default two hours; 0: do not wait, refuse at once).

While held, the lock file names its holder (`ingest 1234 2025-07-01T08:00:00`); a clean
release empties it. So a command that finds the file not empty after taking the lock knows its
predecessor died while holding it (`Lock.interrupted`), and ingest tidies what it left.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from warehouse.config import Home, env_number
from warehouse.errors import UserError

LOCK_NAME = ".xiaoge.lock"
TIMEOUT_ENV = "XIAOGE_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 7200.0  # a city-scale build can take most of an hour
POLL_SECONDS = 0.2


@dataclass
class Lock:
    path: Path
    fd: int
    interrupted: str | None  # the holder line of a predecessor that died holding the lock
    depth: int = 1


_held: dict[Path, Lock] = {}  # this process's locks, so that nested use does not deadlock


def lock_path(home: Home) -> Path:
    return home.root / LOCK_NAME


def timeout_seconds() -> float:
    return env_number(TIMEOUT_ENV, DEFAULT_TIMEOUT, low=0, fix="请设为等待的秒数,例如 600")


@contextmanager
def exclusive(
    home: Home, what: str, on_wait: Callable[[str], None] | None = None
) -> Iterator[Lock]:
    """Hold the home's lock for the body; wait (telling `on_wait` once) while another holds it."""
    path = lock_path(home.ensure())
    timeout_seconds()  # a bad setting is refused even when nobody else holds the lock
    held = _held.get(path)
    if held is not None:  # already ours (e.g. `xiaoge build` around build())
        held.depth += 1
        try:
            yield held
        finally:
            held.depth -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # the home's umask gives 0600 / 0640
    try:
        _acquire(fd, path, on_wait)
        previous = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
        os.ftruncate(fd, 0)
        started = datetime.now().isoformat(timespec="seconds")
        os.pwrite(fd, f"{what} {os.getpid()} {started}\n".encode(), 0)
        lock = _held[path] = Lock(path, fd, previous or None)
        try:
            yield lock
        finally:
            del _held[path]
            os.ftruncate(fd, 0)  # a clean end: the next holder finds it empty
    finally:
        os.close(fd)  # also releases the flock


def _acquire(fd: int, path: Path, on_wait: Callable[[str], None] | None) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    timeout = timeout_seconds()
    holder = _describe(os.pread(fd, 4096, 0).decode("utf-8", "replace").strip())
    if timeout == 0:  # do not wait: refuse
        raise UserError(
            f"另一个导入或构建正在进行{holder};请等它完成后再运行"
            f"(或设 {TIMEOUT_ENV} 为等待的秒数,锁文件 {path})"
        )
    if on_wait is not None:
        on_wait(f"另一个导入或构建正在进行{holder},等待…(最多 {timeout:g} 秒)")
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise UserError(
                    f"另一个导入或构建正在进行{holder},等待 {timeout:g} 秒后仍未结束;"
                    f"请等它完成后再运行(锁文件 {path},可用 {TIMEOUT_ENV} 设置等待秒数)"
                ) from None
            time.sleep(POLL_SECONDS)


def _describe(holder: str) -> str:
    """`(xiaoge ingest,进程 1234,始于 …)` from the lock file's holder line."""
    parts = holder.split()
    if len(parts) < 3:
        return ""
    return f"(xiaoge {parts[0]},进程 {parts[1]},始于 {parts[2]})"
