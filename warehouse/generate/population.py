"""The simulated worker population that the platform, social_insurance and xiaogema systems
all see: people with spells on platforms, month by month.

Calibrated to the article at the window's last month: 20% of active delivery riders with over
a year's tenure (heavy churn: most riders stay a few months, a small core stays for years,
adjusted exactly at the last month). Everything is vectorised over people and rows; the only
loops are over months and groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from warehouse.generate import identities
from warehouse.generate.calendar import months
from warehouse.generate.places import Places

TENURE_TARGET = 0.20  # share of active delivery workers with 12+ months, at the last month


@dataclass(frozen=True)
class GroupSpec:
    group: str
    active: dict[str, int]  # active people in the first month, by scale
    growth: float  # growth of the workforce over the window
    platforms: dict[
        str, float
    ]  # share of people whose main platform it is (small scale may drop some)
    core_share: float  # share of newcomers who stay for years
    core_hazard: float  # monthly leaving probability of those who stay
    transient_hazard: float  # and of everyone else
    multi_platform: float  # share working for a second platform of the group
    manager_share: float  # share of the core who become station managers
    work_types: dict[str, float]  # front-line work types
    orders_per_day: float
    yuan_per_order: float
    age_mean: float
    male: float


GROUPS = [
    GroupSpec(
        "delivery", {"small": 1300, "city": 66000}, 0.18,
        {"meituan": 0.44, "eleme": 0.31, "sf_intra": 0.08, "dada": 0.08, "uu": 0.05, "shansong": 0.04},
        core_share=0.014, core_hazard=0.02, transient_hazard=0.15, multi_platform=0.15,
        manager_share=0.45, work_types={"专送": 0.45, "众包": 0.55},
        orders_per_day=28, yuan_per_order=8.2, age_mean=31, male=0.91,
    ),
    GroupSpec(
        "express", {"small": 350, "city": 38000}, 0.10,
        {"zto": 0.30, "yto": 0.22, "sf_express": 0.32, "jd_logistics": 0.16},
        core_share=0.08, core_hazard=0.02, transient_hazard=0.09, multi_platform=0.0,
        manager_share=0.35, work_types={"全职": 0.40, "加盟": 0.60},
        orders_per_day=110, yuan_per_order=1.9, age_mean=35, male=0.85,
    ),
    GroupSpec(
        "ride_hailing", {"small": 450, "city": 90000}, 0.06,
        {"didi": 0.66, "caocao": 0.20, "t3": 0.14},
        core_share=0.10, core_hazard=0.015, transient_hazard=0.08, multi_platform=0.2,
        manager_share=0.0, work_types={"众包": 0.75, "加盟": 0.25},
        orders_per_day=16, yuan_per_order=24.0, age_mean=38, male=0.95,
    ),
]  # fmt: skip
SMALL_PLATFORMS = {
    "meituan",
    "eleme",
    "sf_intra",
    "dada",
    "uu",
    "shansong",
    "zto",
    "sf_express",
    "didi",
    "t3",
}
# Seasonal factor of the active workforce by calendar month: the Spring Festival dip,
# the summer and Double-11 peaks.
SEASON = np.array([0.97, 0.90, 0.98, 1.0, 1.0, 1.02, 1.05, 1.05, 1.0, 1.0, 1.04, 1.03])
MAX_TENURE = 100  # months before the window a worker can have started (the platforms' age)


@dataclass
class Population:
    """People (one row each) and spells (person x platform) over the window's month indexes."""

    window: list[pd.Period]
    people: pd.DataFrame
    spells: pd.DataFrame
    insurance_u: np.ndarray  # a person's fixed propensity for each insurance type
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # spell x month on the books


def _geometric(rng: np.random.Generator, hazard: np.ndarray) -> np.ndarray:
    return rng.geometric(hazard)


def _simulate_group(
    rng: np.random.Generator, spec: GroupSpec, scale: str, n_months: int, window: list[pd.Period]
) -> pd.DataFrame:
    """Entry and last active month (indexes into the window) of every person of a group."""
    base = spec.active[scale]
    trend = (
        1 + spec.growth * np.linspace(0, 1, n_months) + np.cumsum(rng.normal(0, 0.008, n_months))
    )
    target = np.round(base * trend * SEASON[[m.month - 1 for m in window]]).astype(int)
    hazards = np.array([spec.core_hazard, spec.transient_hazard])
    # the first month's stock: tenure distributed as in a steady state
    stock_weight = np.array([spec.core_share, 1 - spec.core_share]) / hazards
    kind = rng.choice(2, target[0], p=stock_weight / stock_weight.sum())
    tenure = np.minimum(_geometric(rng, hazards[kind]) - 1, MAX_TENURE)
    entry = [-tenure]
    last = [_geometric(rng, hazards[kind]) - 1]
    kinds = [kind]
    for m in range(1, n_months):
        survivors = sum(int((x >= m).sum()) for x in last)
        arrivals = max(target[m] - survivors, int(0.02 * target[m]))
        kind = (rng.random(arrivals) >= spec.core_share).astype(int)
        entry.append(np.full(arrivals, m))
        last.append(m + _geometric(rng, hazards[kind]) - 1)
        kinds.append(kind)
    frame = pd.DataFrame(
        {
            "entry": np.concatenate(entry),
            "last": np.concatenate(last),
            "core": np.concatenate(kinds) == 0,
        }
    )
    frame["group"] = spec.group
    return frame


def _calibrate_tenure(rng: np.random.Generator, frame: pd.DataFrame, end: int) -> None:
    """Make exactly TENURE_TARGET of the group's active people at the last month long-tenured,
    by letting a few (long- or short-tenured) people leave one month earlier."""
    active = (frame["entry"] <= end) & (frame["last"] >= end)
    long = active & (frame["entry"] <= end - 12)
    n, n_long = int(active.sum()), int(long.sum())
    if n_long > TENURE_TARGET * n:
        k = round((n_long - TENURE_TARGET * n) / (1 - TENURE_TARGET))
        pool = np.flatnonzero(long & ~frame["core"])
        if len(pool) < k:
            pool = np.flatnonzero(long)
    else:
        k = round(n - n_long / TENURE_TARGET)
        pool = np.flatnonzero(active & ~long & (frame["entry"] < end))
    chosen = rng.choice(pool, size=min(k, len(pool)), replace=False)
    frame.loc[frame.index[chosen], "last"] = end - 1


def pick(rng: np.random.Generator, options: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(options))
    weights = np.array(list(options.values()))
    return keys[rng.choice(len(keys), n, p=weights / weights.sum())]


def _streets(rng: np.random.Generator, places: Places, districts: np.ndarray) -> np.ndarray:
    streets = places.streets
    out = np.empty(len(districts), dtype=object)
    for code, options in streets.groupby("district_code")["street_code"]:
        where = np.flatnonzero(districts == code)
        out[where] = options.to_numpy()[rng.integers(len(options), size=len(where))]
    return out


def simulate(places: Places, scale: str, seed: int, start: str, end: str) -> Population:
    """The whole population: people, their spells on platforms and every spell-month."""
    rng = np.random.default_rng([seed, 101])
    window = months(start, end)
    n_months = len(window)
    frames = []
    for spec in GROUPS:
        frame = _simulate_group(rng, spec, scale, n_months, window)
        if spec.group == "delivery":
            _calibrate_tenure(rng, frame, n_months - 1)
        frames.append(frame)
    people = pd.concat(frames, ignore_index=True)
    people = people[people["last"] >= 0].reset_index(drop=True)
    n = len(people)
    specs = {s.group: s for s in GROUPS}
    age_mean = people["group"].map({g: s.age_mean for g, s in specs.items()}).to_numpy()
    ages = np.clip(rng.normal(age_mean, 8.0), 18, 59)
    male = rng.random(n) < people["group"].map({g: s.male for g, s in specs.items()}).to_numpy()
    people["id_number"] = identities.id_numbers(rng, ages, male)
    people["name"] = identities.names(rng, n)
    people["phone"] = identities.mobiles(rng, n)
    manager_share = people["group"].map({g: s.manager_share for g, s in specs.items()})
    people["manager"] = people["core"] & (rng.random(n) < manager_share.to_numpy())
    district_idx = rng.choice(len(places.districts), n, p=places.districts["weight"].to_numpy())
    people["district_code"] = places.districts["district_code"].to_numpy()[district_idx]
    people["street_code"] = _streets(rng, places, people["district_code"].to_numpy())
    insurance_u = rng.random((n, 4))
    people["xiaogema_never"] = rng.random(n) < 0.12
    people["xiaogema_lag"] = rng.geometric(0.35, n) - 1

    platforms_in_scale = {
        g: {p: w for p, w in s.platforms.items() if scale == "city" or p in SMALL_PLATFORMS}
        for g, s in specs.items()
    }
    spells = []
    for group, frame in people.groupby("group"):
        spec = specs[group]
        options = platforms_in_scale[group]
        idx = frame.index.to_numpy()
        main = pick(rng, options, len(idx))
        spells.append(
            pd.DataFrame(
                {"person": idx, "platform": main, "start": frame["entry"], "end": frame["last"]}
            )
        )
        second = rng.random(len(idx)) < spec.multi_platform
        if second.any() and len(options) > 1:
            sub = frame[second]
            other = pick(rng, options, len(sub))
            clash = other == main[second]
            keys = list(options)
            other[clash] = [keys[(keys.index(p) + 1) % len(keys)] for p in other[clash]]
            span = (sub["last"] - sub["entry"]).to_numpy()
            begin = sub["entry"].to_numpy() + (rng.random(len(sub)) * (span // 2 + 1)).astype(int)
            spells.append(
                pd.DataFrame(
                    {"person": sub.index, "platform": other, "start": begin, "end": sub["last"]}
                )
            )
    spells_frame = pd.concat(spells, ignore_index=True)
    spells_frame["main"] = ~spells_frame.duplicated("person")
    group = people["group"].to_numpy()[spells_frame["person"]]
    manager = people["manager"].to_numpy()[spells_frame["person"]] & spells_frame["main"].to_numpy()
    work_type = np.empty(len(spells_frame), dtype=object)
    for g, spec in specs.items():
        where = group == g
        work_type[where] = pick(rng, spec.work_types, int(where.sum()))
    work_type[manager] = np.where(group[manager] == "express", "全职", "专送")
    spells_frame["group"] = group
    spells_frame["manager"] = manager
    spells_frame["work_type"] = work_type
    day_of_month = rng.integers(1, 29, (len(spells_frame), 2))
    spells_frame["onboard_day"] = day_of_month[:, 0]
    spells_frame["offboard_day"] = day_of_month[:, 1]
    same_month = (spells_frame["start"] == spells_frame["end"]).to_numpy()
    spells_frame.loc[same_month, "offboard_day"] = spells_frame.loc[
        same_month, ["onboard_day", "offboard_day"]
    ].max(axis=1)
    population = Population(window, people, spells_frame, insurance_u)
    population.rows = _spell_months(rng, population)
    return population


def _spell_months(rng: np.random.Generator, pop: Population) -> pd.DataFrame:
    """One row per spell and month of the window it is on the books, with the month's activity."""
    spells = pop.spells
    n_months = len(pop.window)
    first = spells["start"].clip(lower=0).to_numpy()
    last = spells["end"].clip(upper=n_months - 1).to_numpy()
    length = np.maximum(last - first + 1, 0)
    spell = np.repeat(np.arange(len(spells)), length)
    offset = np.arange(len(spell)) - np.repeat(np.cumsum(length) - length, length)
    rows = pd.DataFrame({"spell": spell, "month": first[spell] + offset})
    rows["person"] = spells["person"].to_numpy()[spell]
    rows["platform"] = spells["platform"].to_numpy()[spell]
    rows["group"] = spells["group"].to_numpy()[spell]
    rows["main"] = spells["main"].to_numpy()[spell]
    rows["manager"] = spells["manager"].to_numpy()[spell]
    rows["work_type"] = spells["work_type"].to_numpy()[spell]
    n = len(rows)
    specs = {s.group: s for s in GROUPS}
    days_in_month = np.array([m.days_in_month for m in pop.window])[rows["month"]]
    partial = (rows["month"].to_numpy() == spells["start"].to_numpy()[spell]) | (
        rows["month"].to_numpy() == spells["end"].to_numpy()[spell]
    )
    share = np.where(rows["main"], rng.normal(0.8, 0.1, n), rng.normal(0.3, 0.1, n))
    share = np.where(partial, share * rng.uniform(0.3, 0.9, n), share)
    days = np.clip(np.round(days_in_month * share), 1, days_in_month).astype(int)
    per_day = rows["group"].map({g: s.orders_per_day for g, s in specs.items()}).to_numpy()
    crowd = rows["work_type"].to_numpy() == "众包"
    per_day = per_day * np.where(crowd, 0.75, 1.0) * rng.lognormal(0, 0.25, n)
    orders = np.round(days * per_day * np.where(rows["manager"], 0.3, 1.0)).astype(int)
    yuan = rows["group"].map({g: s.yuan_per_order for g, s in specs.items()}).to_numpy()
    income = orders * yuan * rng.lognormal(0, 0.08, n) + np.where(rows["manager"], 4500.0, 0.0)
    rows["active_days"] = days
    rows["orders"] = orders
    rows["online_hours"] = np.round(days * rng.normal(9.5, 1.5, n).clip(3, 14), 1)
    rows["income_yuan"] = income
    return rows
