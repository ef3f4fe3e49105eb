"""Named points where crash tests can stop a build and kill it there."""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_point(name: str, marker_dir: Path) -> None:
    """With XIAOGE_PAUSE_AT=<name>, leave a marker file and wait (XIAOGE_PAUSE_SECONDS, default
    60), so a test can kill the process exactly here. Without it, do nothing."""
    if os.environ.get("XIAOGE_PAUSE_AT") == name:
        (marker_dir / f"paused-at-{name}").touch()
        time.sleep(float(os.environ.get("XIAOGE_PAUSE_SECONDS", "60")))
