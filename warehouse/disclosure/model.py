"""From the published person-count tables to the linear model an attacker would use.

Every published person count is a cell. Cells that count the same people are one variable:
the catalogue names the population a KPI's numerator and denominator count
(`numerator_population`, `denominator_population`; `@-1` for the month before), so
`workforce_active`, `tenure_over_1y_share`'s denominator and next month's
`monthly_churn_rate` denominator are one number. The relations between variables:

- a rate's complement (denominator minus numerator) is a person count too;
- the partitions in `seeds/people_populations.csv` (active workers = front-line workers +
  station managers, ...), with a part nobody publishes as a derived variable;
- breakdowns: districts under the city, groups under all groups, platforms under a group.
  For each family, every relation that holds in the true figures is given to the attacker:
  equality of the parts' sum and the total, or else the sum above or below the total, and
  each part at most the total. Giving the attacker every relation that holds is the
  cautious choice: a relation that holds here by chance only makes the attacker stronger.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from warehouse.disclosure.lp import EQ, LE, Model

KEY = ["population", "month_start", "area_level", "district_code", "group_code", "platform_code"]
NO_CODE = ""  # a missing code in a key ("all districts", "all groups", ...)


@dataclass(frozen=True)
class Cells:
    """Published cells (one row each: table, row, column, key, value, locked) and the model
    built over them, with each cell's variable."""

    cells: pd.DataFrame
    variables: pd.DataFrame
    model: Model


def _shift(months: pd.Series, offset: int) -> pd.Series:
    return (pd.to_datetime(months) + pd.DateOffset(months=offset)).dt.date


def _population(spec: str) -> tuple[str, int]:
    """'active_workers@-1' -> ('active_workers', -1)."""
    name, _, offset = str(spec).partition("@")
    return name, int(offset or 0)


def kpi_cells(rows: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Cells of fct_kpi_monthly: a count KPI's value, a rate's numerator and denominator."""
    people = catalogue[catalogue["counts_people"].astype(str).str.lower().isin(["true", "1"])]
    out = []
    grouped_kpis = set(
        rows.loc[rows["group_code"].isna() & (rows["area_level"] == "city"), "kpi_id"]
    )
    for spec in people.itertuples(index=False):
        frame = rows[rows["kpi_id"] == spec.kpi_id]
        if frame.empty:
            continue
        measures = (
            [("kpi_value", spec.numerator_population)]
            if spec.value_kind == "count"
            else [
                ("numerator", spec.numerator_population),
                ("denominator", spec.denominator_population),
            ]
        )
        # the city-wide headline: all groups, or the first group where the KPI has no
        # all-groups row (as `xiaoge kpi` and the cards pick it)
        headline = (frame["area_level"] == "city") & frame["platform_code"].isna()
        if spec.kpi_id in grouped_kpis:
            headline &= frame["group_code"].isna()
        else:
            headline &= frame["group_code"] == frame["group_code"].dropna().min()
        for column, population in measures:
            name, offset = _population(population)
            out.append(
                pd.DataFrame(
                    {
                        "table": "fct_kpi_monthly",
                        "row": frame.index,
                        "column": column,
                        "kpi_id": spec.kpi_id,
                        "population": name,
                        "month_start": _shift(frame["month_start"], offset),
                        "area_level": frame["area_level"],
                        "district_code": frame["district_code"],
                        "group_code": frame["group_code"],
                        "platform_code": frame["platform_code"],
                        "value": frame[column].astype(float),
                        "locked": headline,
                    }
                )
            )
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def tenure_cells(rows: pd.DataFrame) -> pd.DataFrame:
    """Cells of fct_workforce_tenure_monthly: workers per tenure band."""
    return pd.DataFrame(
        {
            "table": "fct_workforce_tenure_monthly",
            "row": rows.index,
            "column": "workers",
            "population": "tenure_" + rows["tenure_band"].astype(str),
            "month_start": pd.to_datetime(rows["month_start"]).dt.date,
            "area_level": rows["area_level"],
            "district_code": rows["district_code"],
            "group_code": rows["group_code"],
            "platform_code": None,
            "value": rows["workers"].astype(float),
            "locked": False,
        }
    )


def cohort_cells(rows: pd.DataFrame) -> pd.DataFrame:
    """Cells of fct_worker_cohorts_retained: starters, and workers retained N months on.
    Retained in month 0 are the starters themselves: one variable."""
    cohort = pd.to_datetime(rows["cohort_start"]).dt.strftime("%Y-%m")
    common = {
        "table": "fct_worker_cohorts_retained",
        "row": rows.index,
        "month_start": pd.to_datetime(rows["cohort_start"]).dt.date,
        "area_level": rows["area_level"],
        "district_code": rows["district_code"],
        "group_code": rows["group_code"],
        "platform_code": None,
        "locked": False,
    }
    starters = pd.DataFrame(
        {**common, "column": "starters", "population": "cohort_starters_" + cohort,
         "value": rows["starters"].astype(float)}
    )  # fmt: skip
    retained = pd.DataFrame(
        {
            **common,
            "column": "retained_workers",
            "population": np.where(
                rows["months_in"] == 0,
                "cohort_starters_" + cohort,
                "cohort_retained_" + cohort + "_" + rows["months_in"].astype(str),
            ),
            "value": rows["retained_workers"].astype(float),
        }
    )
    return pd.concat([starters, retained], ignore_index=True)


class _Builder:
    """Variables keyed by population and breakdown, and the constraints between them."""

    def __init__(self, cells: pd.DataFrame) -> None:
        keys = cells[KEY].astype(object).where(cells[KEY].notna(), NO_CODE)
        self.cells = cells.assign(**{k: keys[k] for k in KEY})
        grouped = self.cells.groupby(KEY, sort=False, dropna=False)
        variables = grouped.agg(value=("value", "first"), highest=("value", "max"),
                                lowest=("value", "min"), locked=("locked", "any")).reset_index()  # fmt: skip
        clash = variables[variables["highest"] - variables["lowest"] > 1e-6]
        if not clash.empty:
            raise ValueError(f"cells declared as one population differ: {clash.iloc[0].to_dict()}")
        variables["published"] = True
        self.variables = variables.drop(columns=["highest", "lowest"])
        # plain arrays beside the frame: the relations below look variables up one by one
        self._keys = list(self.variables[KEY].itertuples(index=False, name=None))
        self._values = self.variables["value"].to_numpy(dtype=float)
        self._locked = self.variables["locked"].to_numpy(dtype=bool)
        self.index = {key: i for i, key in enumerate(self._keys)}
        self.extra: list[dict] = []
        self.exempt: set[int] = set()  # derived counts public by design (headline complements)
        self.constraints: list[tuple[np.ndarray, np.ndarray, str]] = []

    def value(self, i: int) -> float:
        n = len(self._values)
        return float(self._values[i]) if i < n else self.extra[i - n]["value"]

    def derived(self, key: tuple, value: float) -> int:
        """A variable nobody publishes, with its true value worked out from others."""
        i = self.index.get(key)
        if i is None:
            i = len(self.variables) + len(self.extra)
            self.index[key] = i
            self.extra.append({**dict(zip(KEY, key, strict=True)), "value": value,
                               "locked": False, "published": False})  # fmt: skip
        return i

    def add(self, members: list[int], coefs: list[float], kind: str) -> None:
        self.constraints.append((np.array(members), np.array(coefs, dtype=float), kind))

    def complements(self, cells: pd.DataFrame) -> None:
        """denominator = numerator + complement, for every published rate."""
        rates = cells[cells["column"].isin(["numerator", "denominator"])]
        pairs = rates.pivot_table(
            index=["table", "row"], columns="column", values="var", aggfunc="first"
        )
        for numerator, denominator in pairs[["numerator", "denominator"]].itertuples(index=False):
            num_key, den_key = self.key_of(int(numerator)), self.key_of(int(denominator))
            key = (f"{den_key[0]}-minus-{num_key[0]}", *num_key[1:])
            value = self.value(int(denominator)) - self.value(int(numerator))
            if value < -1e-9:
                continue  # not a part of the denominator (a ratio of two counts)
            complement = self.derived(key, value)
            self.add([int(denominator), int(numerator), complement], [1, -1, -1], EQ)
            if self.is_locked(int(numerator)) and self.is_locked(int(denominator)):
                # a city-wide headline rate is always published with its parts, so the rest
                # of its denominator is public by design, however small
                self.exempt.add(complement)

    def is_locked(self, i: int) -> bool:
        return i < len(self._locked) and bool(self._locked[i])

    def key_of(self, i: int) -> tuple:
        n = len(self._keys)
        return self._keys[i] if i < n else tuple(self.extra[i - n][k] for k in KEY)

    def partitions(self, partitions: dict[str, list[list[str]]]) -> None:
        """whole = sum(parts) wherever at most one of them is unpublished (derived)."""
        # sorted: the order variables are made in breaks ties, and must not vary by process
        breakdowns = sorted({key[1:] for key in self.index}, key=lambda k: tuple(map(str, k)))
        for whole, parts in ((w, p) for w, splits in partitions.items() for p in splits):
            for rest in breakdowns:
                names = [whole, *parts]
                found = [self.index.get((name, *rest)) for name in names]
                missing = [j for j, i in enumerate(found) if i is None]
                if len(missing) > 1:
                    continue
                values = [self.value(i) if i is not None else 0.0 for i in found]
                if missing:
                    j = missing[0]
                    others = sum(v for k, v in enumerate(values) if k not in (0, j))
                    value = others if j == 0 else values[0] - others
                    if value < -1e-9:
                        continue
                    found[j] = self.derived((names[j], *rest), value)
                    values[j] = value
                if abs(values[0] - sum(values[1:])) < 1e-9:
                    self.add(found, [1.0] + [-1.0] * len(parts), EQ)

    def families(self) -> None:
        """Districts under the city, groups under all groups, platforms under a group."""
        keys = pd.DataFrame(list(self.index), columns=KEY)
        keys["var"] = list(self.index.values())
        district, group, platform = (
            keys[c] != NO_CODE for c in ("district_code", "group_code", "platform_code")
        )
        city = keys["area_level"] == "city"
        lookup = {
            tuple(k): v
            for k, v in zip(keys[KEY].itertuples(index=False, name=None), keys["var"], strict=True)
        }
        plans = [
            (keys[district & ~platform], {"area_level": "city", "district_code": NO_CODE}),
            (keys[group & ~platform], {"group_code": NO_CODE}),
            (keys[city & platform], {"platform_code": NO_CODE}),
        ]
        for children, parent_key in plans:
            parents = children.assign(**parent_key)
            children = children.assign(
                parent=[
                    lookup.get(tuple(k)) for k in parents[KEY].itertuples(index=False, name=None)
                ]
            )
            for parent, family in children.dropna(subset=["parent"]).groupby("parent"):
                self.relate(int(parent), family["var"].astype(int).tolist())

    def cohorts_within_starters(self) -> None:
        """A cohort's workers retained N months on are some of its starters."""
        for key, i in list(self.index.items()):
            if key[0].startswith("cohort_retained_"):
                cohort = key[0].removeprefix("cohort_retained_").rsplit("_", 1)[0]
                starters = self.index.get((f"cohort_starters_{cohort}", *key[1:]))
                if starters is not None:
                    self.add([i, starters], [1.0, -1.0], LE)

    def relate(self, parent: int, children: list[int]) -> None:
        total, parts = self.value(parent), [self.value(c) for c in children]
        if abs(total - sum(parts)) < 1e-9:
            self.add([parent, *children], [1.0] + [-1.0] * len(children), EQ)
            return
        if sum(parts) > total:
            self.add([parent, *children], [1.0] + [-1.0] * len(children), LE)
        else:
            self.add([parent, *children], [-1.0] + [1.0] * len(children), LE)
        for child, part in zip(children, parts, strict=True):
            if part <= total:
                self.add([child, parent], [1.0, -1.0], LE)


def build_model(
    cells: pd.DataFrame, partitions: dict[str, list[list[str]]], threshold: float
) -> Cells:
    """The attacker's model over `cells` (from kpi_cells, tenure_cells, cohort_cells)."""
    builder = _Builder(cells)
    lookup = builder.index
    cells = builder.cells.assign(
        var=[lookup[tuple(k)] for k in builder.cells[KEY].itertuples(index=False, name=None)]
    )
    builder.complements(cells)
    builder.partitions(partitions)
    builder.families()
    builder.cohorts_within_starters()
    variables = pd.concat(
        [builder.variables, pd.DataFrame(builder.extra, columns=builder.variables.columns)],
        ignore_index=True,
    )
    value = variables["value"].to_numpy(dtype=float)
    exempt = np.isin(np.arange(len(value)), sorted(builder.exempt))
    variables["exempt"] = exempt
    model = Model(
        value=value,
        published=variables["published"].to_numpy(dtype=bool),
        primary=(value > 0) & (value < threshold) & ~exempt,
        locked=variables["locked"].to_numpy(dtype=bool),
        cost=value + 1.0,
        constraints=builder.constraints,
    )
    return Cells(cells, variables, model)
