"""Reading protected figures, and writing hidden ones for people to read.

The figures are protected once, when a build is published (warehouse/disclosure): the served
file's person-count tables already have every hidden figure null, with `*_suppressed` flags.
This module reads them (cached per published file) and writes hidden figures as "<5".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

SUPPRESSED = "<5"
# The figures the disclosure-control gate may hide, per served table, and the flag that says
# so: the gate writes them (warehouse/disclosure), readers show "<5" for them.
PROTECTED_COLUMNS = {
    "fct_kpi_monthly": {
        "kpi_value": "value_suppressed",
        "numerator": "numerator_suppressed",
        "denominator": "denominator_suppressed",
    },
    "fct_workforce_tenure_monthly": {"workers": "workers_suppressed"},
    "fct_worker_cohorts_retained": {
        "starters": "starters_suppressed",
        "retained_workers": "retained_suppressed",
        "retention_rate": "retention_rate_suppressed",
    },
}
# The names the dashboards' queries give some of those columns.
_ALIASES = {"value": "kpi_value", "retention": "retention_rate"}
FLAG_OF = {column: flag for table in PROTECTED_COLUMNS.values() for column, flag in table.items()}
FLAG_OF |= {alias: FLAG_OF[column] for alias, column in _ALIASES.items()}


@lru_cache(maxsize=4)
def _protected(db: Path, version: str) -> pd.DataFrame:
    from warehouse.duck import connect

    with connect(db, read_only=True) as con:
        return con.execute(
            "select * from fct_kpi_monthly order by kpi_id, month_start, area_level, "
            "district_code nulls first, group_code nulls first, platform_code nulls first"
        ).df()


def protected_rows(db: Path) -> pd.DataFrame:
    """`fct_kpi_monthly` of a published file, as protected at publish (cached per file)."""
    stat = db.stat()
    return _protected(db, f"{stat.st_ino}-{stat.st_mtime_ns}")


def is_flagged(flag: object) -> bool:
    """A suppression flag from a query: True, or missing/NA/False."""
    try:
        return flag is not None and flag == flag and bool(flag)
    except TypeError:  # pandas.NA has no truth value
        return False


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for people to read: every hidden figure written as "<5", flags dropped."""
    out = frame.copy()
    for column, flag in FLAG_OF.items():
        if column in out.columns and flag in out.columns:
            mask = out[flag].map(is_flagged).astype(bool)
            out[column] = out[column].astype(object).where(~mask, SUPPRESSED)
    return out.drop(columns=[f for f in set(FLAG_OF.values()) if f in out.columns])
