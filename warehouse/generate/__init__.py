"""Deterministic synthetic landing files, calibrated to the figures of the source article.

One module per source system, as in `warehouse/contracts/<system>.yml`: `organisation`,
`service_network`, `services`, and `platform`, `social_insurance` and `xiaogema`, which see one
simulated worker population (`population`) and are written in one pass by `workforce`.
Shared helpers: `calendar`, `places`, `identities`, `lifecycle` (registries that grow month by
month), `defects`, `files` and `xlsx`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from warehouse.generate import organisation, service_network, services, workforce
from warehouse.generate.defects import DefectLog
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
    log = DefectLog()
    written += organisation.write(out, places, start, end, seed, log)
    written += service_network.write(out, places, start, end, seed, scale, log)
    written += services.write(out, places, start, end, seed, log)
    written += workforce.write(out, places, start, end, seed, scale, log)
    log.write(out)
    return written
