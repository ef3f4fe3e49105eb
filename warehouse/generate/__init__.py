"""Deterministic synthetic landing files, calibrated to the figures of the source article."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from warehouse.generate import organisation
from warehouse.generate.places import Places

Scale = Literal["small", "city"]
DEFAULT_START = "2023-01"
DEFAULT_END = "2025-06"
DEFAULT_SEED = 20250801


def generate(
    out: Path,
    scale: Scale = "small",
    seed: int = DEFAULT_SEED,
    start: str = DEFAULT_START,
    end: str = DEFAULT_END,
) -> list[Path]:
    """Write every source system's monthly files under `out/<system>/<YYYY-MM>/`."""
    places = Places.load()
    written: list[Path] = []
    written += organisation.write(out, places, start, end, seed)
    return written
