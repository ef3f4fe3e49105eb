"""Corrections that would lose rows are held for a person.

A re-delivery that would lose rows (accepted rows down by more than XIAOGE_CORRECTION_MAX_DROP,
or more than XIAOGE_CORRECTION_MAX_QUARANTINE of its rows quarantined) is held: nothing is
written to the raw zone and the hold is noted in `held/corrections.json` until
`accept_correction` applies it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from warehouse.config import Home, env_number
from warehouse.ingest.landing import FileResult
from warehouse.ingest.store import write_json_atomic

MAX_DROP_ENV = "XIAOGE_CORRECTION_MAX_DROP"
MAX_QUARANTINE_ENV = "XIAOGE_CORRECTION_MAX_QUARANTINE"
DEFAULT_MAX_SHARE = 0.2


@dataclass(frozen=True)
class CorrectionLimits:
    """How much a re-delivery may lose before a person has to accept it (shares, 0..1)."""

    max_drop: float = DEFAULT_MAX_SHARE  # of the current delivery's accepted rows
    max_quarantine: float = DEFAULT_MAX_SHARE  # of the re-delivery's rows


def correction_limits() -> CorrectionLimits:
    return CorrectionLimits(_share(MAX_DROP_ENV), _share(MAX_QUARANTINE_ENV))


def _share(variable: str) -> float:
    return env_number(
        variable, DEFAULT_MAX_SHARE, low=0, high=1, fix="请设为 0 到 1 之间的比例,例如 0.2"
    )


def hold_reason(
    previous: dict,
    rows_read: int,
    rows_accepted: int,
    rows_quarantined: int,
    limits: CorrectionLimits,
) -> str | None:
    """Why a re-delivery must wait for a person (None: apply it). `previous` is the ledger row
    of the file's current delivery.

    Held when it would lower the file's accepted rows by more than `max_drop`, or when more
    than `max_quarantine` of its rows are quarantined and that is a larger share than the
    current delivery's (a correction that improves a bad file is not held for being bad).
    """
    reasons = []
    before = previous["rows_accepted"]
    if before > 0 and (before - rows_accepted) / before > limits.max_drop:
        reasons.append(
            f"入库行减少 {(before - rows_accepted) / before:.0%},超过上限 {limits.max_drop:.0%}"
        )
    share = rows_quarantined / rows_read if rows_read else 0.0
    share_before = (
        previous["rows_quarantined"] / previous["rows_read"] if previous["rows_read"] else 0.0
    )
    if share > limits.max_quarantine and share > share_before:
        reasons.append(
            f"隔离 {rows_quarantined}/{rows_read} 行({share:.0%}),超过上限 {limits.max_quarantine:.0%}"
        )
    return ";".join(reasons) or None


def accept_command(file_path: str) -> str:
    return f"xiaoge ingest --accept-correction {file_path}"


class HeldCorrections:
    """Re-deliveries waiting for a person, by landing path: `held/corrections.json` under the
    home, outside the raw zone (a held correction changes nothing there). Only the numbers
    are kept; accepting one reads the landing file again."""

    def __init__(self, home: Home) -> None:
        self.path = held_file(home)
        self.items: dict[str, dict] = {}
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.items = {item["file_path"]: item for item in data["held"]}
        self.changed = False

    def get(self, file_path: str) -> dict | None:
        return self.items.get(file_path)

    def put(self, item: dict) -> None:
        self.items[item["file_path"]] = item
        self.changed = True

    def drop(self, file_path: str) -> None:
        if self.items.pop(file_path, None) is not None:
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        self.path.parent.mkdir(exist_ok=True)
        data = {"held": [self.items[key] for key in sorted(self.items)]}
        write_json_atomic(self.path, data)
        self.changed = False


def held_file(home: Home) -> Path:
    return home.root / "held" / "corrections.json"


def held_corrections(home: Home) -> list[dict]:
    """The corrections waiting for a person, each with the command that applies it."""
    return [
        item | {"command": accept_command(item["file_path"])}
        for item in HeldCorrections(home).items.values()
    ]


def held_message(file_path: str, before: int | None, after: int, reason: str) -> str:
    return (
        f"更正会使入库行从 {before} 变为 {after}:{reason};已暂缓,已入库的数据未改动,"
        f"核对无误后运行 {accept_command(file_path)}"
    )


def still_held(item: dict) -> FileResult:
    """A held correction met again, unchanged: held again, from its numbers (not re-read)."""
    before, after = item["current_rows_accepted"], item["rows_accepted"]
    return FileResult(
        path=item["file_path"],
        status="held",
        message=held_message(item["file_path"], before, after, item["reason"]),
        rows_read=item["rows_read"],
        rows_accepted=after,
        rows_quarantined=item["rows_quarantined"],
        rows_accepted_before=before,
        reason=item["reason"],
    )
