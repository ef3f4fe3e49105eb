"""Small-cell suppression: the one place that decides which published figures are hidden.

A person count from 1 to 4 could point at someone, so it is never published: it is shown as
"<5". Zero is shown (it identifies nobody). The KPIs whose figures count people are marked
`counts_people` in the KPI catalogue: for a count KPI its value, for a rate its numerator
and denominator. A rate (or average) whose numerator or denominator is hidden is hidden too.

Complementary suppression: cells that add up to a published total form a family (the
districts under the city, the groups under an area, the platforms under a group). In every
family either no cell is hidden, or at least two are and the hidden children add up to at
least 5; otherwise the smallest other cell is hidden as well, so a hidden cell cannot be
worked out from a shown total and its shown siblings. Hiding a cell can break another
family it belongs to, so the rule is applied until nothing changes.

Dashboards and exports both read `fct_kpi_monthly` through `protected_rows`, so they hide
exactly the same cells.
"""

from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

SMALL = 5
SUPPRESSED = "<5"
MEASURES = ("kpi_value", "numerator", "denominator")
FLAGS = {
    "kpi_value": "value_suppressed",
    "numerator": "numerator_suppressed",
    "denominator": "denominator_suppressed",
}
KEY = ("kpi_id", "month_start", "area_level", "district_code", "group_code", "platform_code")


def is_small(count: float | None) -> bool:
    """A person count that must not be published: 1 to 4 (zero is published)."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return False
    return 0 < count < SMALL


def _families(rows: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """(parent position, child positions) for every total that is published with its parts."""
    keys = rows[list(KEY)].astype(object).where(rows[list(KEY)].notna(), None)
    position = {tuple(key): i for i, key in enumerate(keys.itertuples(index=False, name=None))}
    families: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, (kpi, month, level, district, group, platform) in enumerate(
        keys.itertuples(index=False, name=None)
    ):
        parents = []
        if level == "district" and platform is None:  # districts add up to the city
            parents.append(("area", (kpi, month, "city", None, group, None)))
        if group is not None and platform is None:  # groups add up to the area
            parents.append(("group", (kpi, month, level, district, None, None)))
        if platform is not None:  # platforms add up to their group in the area
            parents.append(("platform", (kpi, month, level, district, group, None)))
        for relation, parent_key in parents:
            parent = position.get(parent_key)
            if parent is not None:
                families[(relation, parent)].append(i)
    return [(parent, children) for (_relation, parent), children in families.items()]


def _suppress_measure(values: np.ndarray, families: list[tuple[int, list[int]]]) -> np.ndarray:
    """Primary (1-4) plus complementary suppression of one measure; returns the hidden mask."""
    present = ~np.isnan(values)
    hidden = present & (values > 0) & (values < SMALL)
    changed = True
    while changed:
        changed = False
        for parent, children in families:
            members = [m for m in (parent, *children) if present[m]]
            gone = [m for m in members if hidden[m]]
            if not gone:
                continue
            hidden_children = [c for c in children if present[c] and hidden[c]]
            exposed = len(gone) == 1 or (
                present[parent]
                and not hidden[parent]
                and 0 < sum(values[c] for c in hidden_children) < SMALL
            )
            if not exposed:
                continue
            candidates = sorted(
                (c for c in children if present[c] and not hidden[c]),
                key=lambda c: (values[c] <= 0, values[c], c),
            )
            if candidates and values[candidates[0]] > 0:
                extra = candidates[0]
            elif present[parent] and not hidden[parent]:
                extra = parent
            elif candidates:
                extra = candidates[0]
            else:
                continue
            hidden[extra] = True
            changed = True
    return hidden


def suppress(rows: pd.DataFrame, people_kpis: set[str]) -> pd.DataFrame:
    """`fct_kpi_monthly`-shaped rows with hidden figures set to null and flag columns added.

    Adds `value_suppressed`, `numerator_suppressed` and `denominator_suppressed` (booleans).
    Only rows of the KPIs in `people_kpis` are touched; the rest pass through.
    """
    out = rows.reset_index(drop=True).copy()
    for flag in FLAGS.values():
        out[flag] = False
    people = out["kpi_id"].isin(people_kpis).to_numpy()
    if not people.any():
        return out
    subset = out[people].reset_index()
    families = _families(subset)
    has_parts = subset["numerator"].notna() | subset["denominator"].notna()
    hidden_rows = np.zeros(len(subset), dtype=bool)
    for measure in MEASURES:
        values = subset[measure].astype(float).to_numpy().copy()
        if measure == "kpi_value":  # a rate or average is protected through its parts
            values[has_parts.to_numpy()] = np.nan
        mask = _suppress_measure(values, families)
        out.loc[subset.loc[mask, "index"], FLAGS[measure]] = True
        hidden_rows |= mask
    # A value computed from a hidden numerator or denominator is hidden with it.
    out.loc[subset.loc[hidden_rows, "index"], "value_suppressed"] = True
    for measure, flag in FLAGS.items():
        out.loc[out[flag], measure] = np.nan
    return out


def people_kpis_from(catalogue: pd.DataFrame) -> set[str]:
    """KPI ids whose figures count people, from the catalogue's `counts_people` column."""
    if "counts_people" not in catalogue.columns:
        from warehouse.config import SEEDS_DIR  # published before the column existed

        catalogue = pd.read_csv(SEEDS_DIR / "kpi_catalogue.csv")
    flags = catalogue["counts_people"].astype(str).str.lower().isin(["true", "1", "yes"])
    return set(catalogue.loc[flags, "kpi_id"])


@lru_cache(maxsize=4)
def _protected(db: Path, version: str) -> pd.DataFrame:
    from warehouse.duck import connect

    con = connect(db, read_only=True)
    try:
        # A fixed row order: ties between equally small cells are broken the same way in
        # every build, so unchanged numbers are suppressed the same way in every pack.
        rows = con.execute(
            "select * from fct_kpi_monthly order by kpi_id, month_start, area_level, "
            "district_code nulls first, group_code nulls first, platform_code nulls first"
        ).df()
        catalogue = con.execute("select * from kpi_catalogue").df()
    finally:
        con.close()
    return suppress(rows, people_kpis_from(catalogue))


def protected_rows(db: Path) -> pd.DataFrame:
    """`fct_kpi_monthly` of a published file with small person counts hidden (cached per file)."""
    stat = db.stat()
    return _protected(db, f"{stat.st_ino}-{stat.st_mtime_ns}")


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for people to read: every hidden figure written as "<5"."""
    out = frame.copy()
    pairs = {
        "kpi_value": "value_suppressed",
        "value": "value_suppressed",
        "numerator": "numerator_suppressed",
        "denominator": "denominator_suppressed",
    }
    for column, flag in pairs.items():
        if column in out.columns and flag in out.columns:
            mask = out[flag].fillna(False).astype(bool)
            out[column] = out[column].astype(object).where(~mask, SUPPRESSED)
    return out.drop(columns=[f for f in FLAGS.values() if f in out.columns])
