"""Writing landing files the way each source delivers them, with the contract's headers: the
file helpers every system's generator shares, and `LandingWriter` for systems that share one
defect stream."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.contracts import Table, systems
from warehouse.generate.defects import DefectKind, DefectLog, inject
from warehouse.generate.xlsx import write_xlsx


def landing_path(out: Path, system: str, month: str, table: str, sender: str | None = None) -> Path:
    name = f"{table}__{sender}" if sender else table
    return out / system / month / f"{name}.csv"


def write_csv(path: Path, table: Table, frame: pd.DataFrame, encoding: str) -> Path:
    """Write `frame` (columns named as in the contract) under the source's own headers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = frame[[c.name for c in table.columns]]
    ordered.to_csv(
        path,
        index=False,
        header=table.headers,
        encoding=encoding,
        lineterminator="\r\n",
        quoting=csv.QUOTE_MINIMAL,
        date_format="%Y-%m-%d",
    )
    return path


# How a source's text files are encoded, by the format name the generators use.
ENCODINGS = {"csv-utf8": "utf-8", "csv-gbk": "gbk", "csv-bom": "utf-8-sig"}


def write_file(path: Path, fmt: str, table: Table, frame: pd.DataFrame) -> Path:
    """Write `frame` as CSV in the format's encoding, or as an XLSX workbook (`fmt` "xlsx")."""
    if fmt == "xlsx":
        return write_xlsx(path.with_suffix(".xlsx"), table, frame)
    return write_csv(path, table, frame, encoding=ENCODINGS[fmt])


class LandingWriter:
    """Writes landing files of several systems that share one defect stream: each file gets
    about `rate` of its rows broken (logged in `log`) before it is written."""

    def __init__(self, out: Path, rng: np.random.Generator, rate: float, log: DefectLog) -> None:
        self.out, self.rng, self.rate, self.log = out, rng, rate, log
        self.written: list[Path] = []

    @staticmethod
    def table(system: str, name: str) -> Table:
        return systems()[system].table(name)

    def emit(
        self,
        system: str,
        month: str,
        table: Table,
        frame: pd.DataFrame,
        fmt: str,
        kinds: list[DefectKind],
        sender: str | None = None,
    ) -> None:
        """Inject the defects into `frame` and write it as the system's file for the month."""
        path = landing_path(self.out, system, month, table.name, sender)
        if fmt == "xlsx":
            path = path.with_suffix(".xlsx")
        relative = path.relative_to(self.out).as_posix()
        frame = inject(frame, table, kinds, self.rng, self.rate, self.log, relative)
        self.written.append(write_file(path, fmt, table, frame))
