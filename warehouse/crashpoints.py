"""Named points where crash tests can stop a build and kill it there."""

from __future__ import annotations

import os
import time
from pathlib import Path

_passed: set[str] = set()  # the points this process has paused at already


def pause_point(name: str, marker_dir: Path) -> None:
    """With XIAOGE_PAUSE_AT naming this point (a comma-separated list may name several), leave
    a marker file and wait until XIAOGE_PAUSE_SECONDS (default 60) have passed or the marker
    is removed, so a test can kill the process exactly here, or let it go on to the next
    point. A process pauses at each point once, however often it passes it. Without
    XIAOGE_PAUSE_AT, do nothing."""
    if name not in os.environ.get("XIAOGE_PAUSE_AT", "").split(",") or name in _passed:
        return
    _passed.add(name)
    marker = marker_dir / f"paused-at-{name}"
    marker.touch()
    deadline = time.monotonic() + float(os.environ.get("XIAOGE_PAUSE_SECONDS", "60"))
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
