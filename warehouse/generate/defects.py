"""Known bad rows the generator puts into landing files, and the manifest that lists them.

Real deliveries carry duplicated rows, invalid ID numbers, unknown codes, negative counts and
dates outside the month. The generator injects a known small share of each, and records every
one in `_defects.json` at the top of the output folder, so tests can prove ingest catches them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from warehouse import strict_json
from warehouse.contracts import Table

MANIFEST = "_defects.json"
DefectKind = Literal[
    "duplicate", "invalid_id_check_digit", "unknown_code", "negative_count", "date_outside_month"
]
# The reason text ingest gives for each kind (the part every such reason contains).
REASON_MARKERS: dict[str, str] = {
    "duplicate": "主键重复",
    "invalid_id_check_digit": "校验位",
    "unknown_code": "代码未知",
    "negative_count": "小于",
    "date_outside_month": "不在报送月份内",
}


@dataclass(frozen=True)
class Defect:
    file: str  # landing path relative to the output folder, with forward slashes
    row: int  # 1-based data row in the written file (the header is row 0)
    kind: str
    column: str  # the contract's column header


@dataclass
class DefectLog:
    defects: list[Defect] = field(default_factory=list)

    def write(self, out: Path) -> Path:
        path = out / MANIFEST
        rows = sorted((asdict(d) for d in self.defects), key=lambda d: (d["file"], d["row"]))
        path.write_text(strict_json.dumps(rows, indent=1), encoding="utf-8")
        return path


def read_manifest(out: Path) -> list[Defect]:
    return [Defect(**d) for d in json.loads((out / MANIFEST).read_text(encoding="utf-8"))]


def inject(
    frame: pd.DataFrame,
    table: Table,
    kinds: list[DefectKind],
    rng: np.random.Generator,
    rate: float,
    log: DefectLog,
    file: str,
) -> pd.DataFrame:
    """Break about `rate` of the rows, one defect per broken row, and log where each one is.

    `frame` holds the file's good rows in file order, columns named as in the contract. The
    returned frame is what to write; logged row numbers (1-based data rows) refer to it. A
    duplicate is written right after its original, so it is the second occurrence.
    """
    frame = frame.reset_index(drop=True).copy()
    applicable = [(k, c) for k in kinds if (c := _column_for(table, k)) is not None]
    n_bad = min(len(frame), round(len(frame) * rate))
    if n_bad == 0 or not applicable:
        return frame
    picks = sorted(int(r) for r in rng.choice(len(frame), size=n_bad, replace=False))
    duplicated: list[int] = []
    broken: list[tuple[int, str, str]] = []
    for row in picks:
        kind, column = applicable[int(rng.integers(len(applicable)))]
        if kind == "duplicate":
            duplicated.append(row)
            continue
        frame[column.name] = frame[column.name].astype(object)
        value = frame.at[row, column.name]
        if kind == "invalid_id_check_digit":
            frame.at[row, column.name] = _break_check_digit(str(value))
        elif kind == "unknown_code":
            frame.at[row, column.name] = "999999999"
        elif kind == "negative_count":
            frame.at[row, column.name] = -int(rng.integers(1, 50))
        elif kind == "date_outside_month":
            frame.at[row, column.name] = pd.Timestamp(value) - pd.Timedelta(days=62)
        broken.append((row, kind, column.header))

    def written_row(original: int) -> int:
        """1-based data row of an original row once the duplicates are inserted."""
        return original + sum(1 for d in duplicated if d < original) + 1

    key_header = table.column(table.key[0]).header
    for row in duplicated:
        log.defects.append(Defect(file, written_row(row) + 1, "duplicate", key_header))
    for row, kind, header in broken:
        log.defects.append(Defect(file, written_row(row), kind, header))
    order = sorted([*range(len(frame)), *duplicated])
    return frame.iloc[order].reset_index(drop=True)


def _column_for(table: Table, kind: str):
    """The first column of the table that the kind of defect applies to, if any."""
    for column in table.columns:
        if kind == "duplicate":
            return table.column(table.key[0])
        if kind == "invalid_id_check_digit" and column.pii == "id_number":
            return column
        if kind == "unknown_code" and column.allowed is not None and column.name.endswith("_code"):
            return column
        if kind == "negative_count" and column.minimum is not None and column.minimum >= 0:
            return column
        if kind == "date_outside_month" and column.within_month:
            return column
    return None


def _break_check_digit(id_number: str) -> str:
    """The same ID number with a wrong GB 11643 check digit."""
    digits = "0123456789X"
    wrong = digits[(digits.index(id_number[-1].upper()) + 1) % len(digits)]
    return id_number[:-1] + wrong
