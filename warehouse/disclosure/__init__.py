"""Disclosure control: the one gate every published person count passes.

At publish time the person-count tables (fct_kpi_monthly's person KPIs, the tenure bands and
the retention cohorts) are read from the build database, protected, and only the protected
copies go into the served file. Nothing downstream (dashboards, `xiaoge kpi`, packs,
notebooks) sees an unprotected person count, so nothing downstream can forget the rule.

- Primary suppression: a person count from 1 to threshold-1 (default 4) is sensitive and
  hidden. Zero is shown: it identifies nobody.
- Secondary suppression over linked tables: more cells are hidden until, from everything
  published, no sensitive count (hidden, or a derivable one such as a rate's complement) can
  be narrowed by linear programming to an interval that misses 0 or the threshold: the
  protection-interval model of τ-ARGUS and sdcTable (warehouse/disclosure/lp.py), over the
  relations in warehouse/disclosure/model.py.
- A rate is hidden when its numerator or denominator is; city-wide headline figures are
  never chosen for secondary suppression while another cell can protect, and the rest of a
  headline rate's denominator (its complement) is public by design, however small.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from warehouse.disclosure.lp import Model, Protection, exposed, intervals, protect
from warehouse.disclosure.model import Cells, build_model, cohort_cells, kpi_cells, tenure_cells
from warehouse.errors import UserError
from warehouse.privacy import PROTECTED_COLUMNS

THRESHOLD_ENV = "XIAOGE_DISCLOSURE_THRESHOLD"
KPI_TABLE = "fct_kpi_monthly"
TENURE_TABLE = "fct_workforce_tenure_monthly"
COHORT_TABLE = "fct_worker_cohorts_retained"
PROTECTED_TABLES = (KPI_TABLE, TENURE_TABLE, COHORT_TABLE)
# Which flag each protected column gets (a derived value's too).
FLAGS = PROTECTED_COLUMNS
DERIVED = {  # a value computed from protected parts is hidden with any of them
    KPI_TABLE: ("kpi_value", ("numerator", "denominator")),
    COHORT_TABLE: ("retention_rate", ("starters", "retained_workers")),
}


def threshold() -> int:
    """The smallest person count that may be published (`XIAOGE_DISCLOSURE_THRESHOLD`, 5)."""
    text = os.environ.get(THRESHOLD_ENV, "5").strip()
    if not text.isdigit() or int(text) < 2:
        raise UserError(f"{THRESHOLD_ENV}={text} 无效:请设为不小于 2 的整数(默认 5)")
    return int(text)


@dataclass(frozen=True)
class Protected:
    """The protected tables (hidden figures null, with `*_suppressed` flags) and a summary."""

    tables: dict[str, pd.DataFrame]
    summary: dict


def table_cells(tables: dict[str, pd.DataFrame], catalogue: pd.DataFrame) -> pd.DataFrame:
    """Every published person-count cell of the protected tables."""
    parts = [kpi_cells(tables[KPI_TABLE], catalogue)]
    if TENURE_TABLE in tables:
        parts.append(tenure_cells(tables[TENURE_TABLE]))
    if COHORT_TABLE in tables:
        parts.append(cohort_cells(tables[COHORT_TABLE]))
    return pd.concat([p for p in parts if not p.empty], ignore_index=True)


def partitions_from(frame: pd.DataFrame) -> dict[str, list[list[str]]]:
    """`people_partitions` seed rows -> {whole: [parts, ...]}."""
    out: dict[str, list[list[str]]] = {}
    for row in frame.itertuples(index=False):
        out.setdefault(row.whole, []).append(str(row.parts).split("+"))
    return out


def attacker_model(
    tables: dict[str, pd.DataFrame], catalogue: pd.DataFrame, partitions: pd.DataFrame
) -> Cells:
    """The linear model of everything published and derivable, with the true values."""
    return build_model(table_cells(tables, catalogue), partitions_from(partitions), threshold())


def protect_tables(
    tables: dict[str, pd.DataFrame], catalogue: pd.DataFrame, partitions: pd.DataFrame
) -> Protected:
    """Hide what must be hidden in the person-count tables (true values in, protected out)."""
    built = attacker_model(tables, catalogue, partitions)
    model = built.model
    protection = Protection(threshold())
    hidden = protect(model, protection)
    cells = built.cells.assign(hidden=hidden[built.cells["var"].to_numpy()])
    out = {
        name: apply(frame, cells[cells["table"] == name], name) for name, frame in tables.items()
    }
    primary_cells = int(model.primary[cells["var"]].sum())
    summary = {
        "threshold": protection.threshold,
        "cells": len(cells),
        "hidden_cells": int(cells["hidden"].sum()),
        "primary_cells": primary_cells,
        "hidden_share": round(float(cells["hidden"].mean()), 6) if len(cells) else 0.0,
        "primary_share": round(primary_cells / len(cells), 6) if len(cells) else 0.0,
        "hidden_headlines": int((cells["hidden"] & model.locked[cells["var"]]).sum()),
        "small_headline_complements": int(
            (built.variables["exempt"] & (model.value > 0) & (model.value < threshold())).sum()
        ),
        "variables": len(model),
        "constraints": len(model.constraints),
    }
    return Protected(out, summary)


def apply(frame: pd.DataFrame, cells: pd.DataFrame, table: str) -> pd.DataFrame:
    """Null the hidden cells of one table and add its `*_suppressed` flags."""
    out = frame.copy()
    for column, flag in FLAGS[table].items():
        mask = np.zeros(len(out), dtype=bool)
        rows = cells.loc[(cells["column"] == column) & cells["hidden"], "row"]
        mask[out.index.get_indexer(rows)] = True
        out[flag] = mask
    if table in DERIVED:
        value, parts = DERIVED[table]
        hidden_parts = out[[FLAGS[table][p] for p in parts]].any(axis=1)
        out[FLAGS[table][value]] = out[FLAGS[table][value]] | hidden_parts
    for column, flag in FLAGS[table].items():
        out.loc[out[flag], column] = np.nan
    return out


def audit(model: Model, visible: np.ndarray) -> tuple[int, list[int]]:
    """How many sensitive counts a reader who sees `visible` cannot see, and which of them
    they can narrow below the protection interval (should be none)."""
    protection = Protection(threshold())
    bounds = intervals(model, visible, protection=protection)
    return len(bounds), exposed(model, bounds, protection)


__all__ = [
    "PROTECTED_TABLES",
    "Cells",
    "Protected",
    "attacker_model",
    "audit",
    "protect_tables",
    "threshold",
]
