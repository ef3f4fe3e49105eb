"""The worker population and the three systems that see it: platforms, 人社 and 小哥码.

One simulated population (people with spells on platforms, month by month) feeds every file:

- platform/<M>/worker_roster__<p>, monthly_activity__<p>: one file per platform and month,
  in the platform's own format (UTF-8 CSV, GBK CSV or XLSX, see FORMATS);
- social_insurance/<M>/enrolment.csv (GBK): person x insurance type for the month;
- xiaogema/<M>/registrations.csv, compound_entries.csv (UTF-8 with BOM), from 2024-07.

Calibrated to the article at the window's last month: 20% of active delivery riders with over
a year's tenure (heavy churn: most riders stay a few months, a small core stays for years,
adjusted exactly at the last month); riders' own pension participation very low while station
managers are insured; 小哥码 launched 2024-07 with 6 delivery platforms linked one after
another, 4-5 minutes saved per entry and about 500 yuan more a month for registered riders.
Everything is vectorised over people and rows; the only loops are over months and files.

A late correction: `write_late_correction(out)` re-delivers one earlier month's activity file
of one platform with corrected income (same landing path, new content), as platforms do;
ingest treats it as superseding the first delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.contracts import systems
from warehouse.generate import identities
from warehouse.generate.calendar import months
from warehouse.generate.defects import DefectLog, inject
from warehouse.generate.files import landing_path, write_csv
from warehouse.generate.places import Places
from warehouse.generate.xlsx import write_xlsx

XIAOGEMA_LAUNCH = "2024-07"
# Month each linked platform joined 小哥码 (all six by 2025-01).
XIAOGEMA_LINKS = {
    "meituan": "2024-07", "eleme": "2024-07", "sf_intra": "2024-09",
    "dada": "2024-10", "uu": "2024-12", "shansong": "2025-01",
}  # fmt: skip
# Platforms in the national occupational-injury protection pilot (Zhejiang is a pilot province).
INJURY_PILOT = {"meituan", "eleme", "dada", "shansong", "sf_intra", "didi", "caocao", "t3"}
FORMATS = {
    "meituan": "csv-utf8", "eleme": "xlsx", "sf_intra": "csv-gbk", "dada": "csv-utf8",
    "uu": "csv-gbk", "shansong": "xlsx", "zto": "csv-gbk", "yto": "csv-utf8",
    "sf_express": "csv-utf8", "jd_logistics": "xlsx", "didi": "csv-utf8", "caocao": "csv-gbk",
    "t3": "xlsx",
}  # fmt: skip
TENURE_TARGET = 0.20  # share of active delivery workers with 12+ months, at the last month
DEFECT_RATE = 0.004
CORRECTION = ("2025-03", "meituan")  # the late-corrected activity file


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


def _pick(rng: np.random.Generator, options: dict[str, float], n: int) -> np.ndarray:
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
        main = _pick(rng, options, len(idx))
        spells.append(
            pd.DataFrame(
                {"person": idx, "platform": main, "start": frame["entry"], "end": frame["last"]}
            )
        )
        second = rng.random(len(idx)) < spec.multi_platform
        if second.any() and len(options) > 1:
            sub = frame[second]
            other = _pick(rng, options, len(sub))
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
        work_type[where] = _pick(rng, spec.work_types, int(where.sum()))
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


# --- insurance ----------------------------------------------------------------------------

INSURANCE = ["养老保险", "医疗保险", "工伤保险", "职业伤害保障"]


def _insurance_probability(pop: Population, rows: pd.DataFrame) -> np.ndarray:
    """Probability (n rows x 4 types) that a person is insured in a month, given who they are."""
    progress = rows["month"].to_numpy() / max(len(pop.window) - 1, 1)
    group = rows["group"].to_numpy()
    manager = rows["manager"].to_numpy()
    work_type = rows["work_type"].to_numpy()
    pilot = rows["platform"].isin(INJURY_PILOT).to_numpy()
    p = np.zeros((len(rows), 4))
    employed = np.isin(work_type, ["专送", "全职"])
    base = {
        "delivery": (0.09 + 0.05 * progress + 0.05 * employed, 0.24 + 0.06 * progress, 0.02 + 0.12 * employed),
        "express": (0.25 + 0.45 * employed, 0.35 + 0.40 * employed, 0.20 + 0.65 * employed),
        "ride_hailing": (0.18 + 0.04 * progress, 0.30, 0.03),
    }  # fmt: skip
    for g, (pension, medical, injury) in base.items():
        where = group == g
        p[where, 0] = np.broadcast_to(pension, len(rows))[where]
        p[where, 1] = np.broadcast_to(medical, len(rows))[where]
        p[where, 2] = np.broadcast_to(injury, len(rows))[where]
    p[:, 3] = np.where(pilot, 0.74 + 0.16 * progress, 0.0)
    p[manager] = [0.93, 0.95, 0.88, 0.5]
    return p


def insurance_rows(pop: Population) -> pd.DataFrame:
    """person x month x insurance type, for people active in the month (main spell's view)."""
    main = pop.rows[pop.rows["main"]]
    probability = _insurance_probability(pop, main)
    u = pop.insurance_u[main["person"].to_numpy()]
    insured = u < probability
    row, kind = np.nonzero(insured)
    out = pd.DataFrame(
        {
            "person": main["person"].to_numpy()[row],
            "month": main["month"].to_numpy()[row],
            "kind": kind,
            "manager": main["manager"].to_numpy()[row],
            "work_type": main["work_type"].to_numpy()[row],
        }
    )
    return out.sort_values(["month", "person", "kind"], kind="stable").reset_index(drop=True)


def _payer_and_base(rng: np.random.Generator, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    n = len(frame)
    manager = frame["manager"].to_numpy()
    employed = frame["work_type"].isin(["专送", "全职"]).to_numpy()
    kind = frame["kind"].to_numpy()
    payer = np.where(manager, np.where(rng.random(n) < 0.6, "平台", "第三方"),
                     np.where(employed, "第三方", "个人"))  # fmt: skip
    payer = np.where(kind == 3, "平台", payer)
    payer = np.where((kind == 2) & (payer == "个人"), "第三方", payer)
    base = np.where(manager, rng.uniform(6500, 11000, n), 4462.0).round(0)
    base = np.where(kind == 3, 0.0, base)
    return payer, base


# --- 小哥码 ---------------------------------------------------------------------------------


def registrations(pop: Population) -> pd.DataFrame:
    """(person, platform, month index, day) of each 小哥码 registration."""
    window = [str(m) for m in pop.window]
    spells = pop.spells[pop.spells["platform"].isin(XIAOGEMA_LINKS)]
    link = spells["platform"].map(
        {p: window.index(m) if m in window else len(window) for p, m in XIAOGEMA_LINKS.items()}
    )
    person = spells["person"].to_numpy()
    month = (
        np.maximum(link.to_numpy(), spells["start"].to_numpy())
        + pop.people["xiaogema_lag"].to_numpy()[person]
    )
    keep = (
        ~pop.people["xiaogema_never"].to_numpy()[person]
        & (month <= spells["end"].to_numpy())
        & (month < len(window))
    )
    out = pd.DataFrame(
        {
            "person": person[keep],
            "platform": spells["platform"].to_numpy()[keep],
            "month": month[keep],
            "day": spells["onboard_day"].to_numpy()[keep],
        }
    )
    return out.sort_values(["month", "person", "platform"]).reset_index(drop=True)


def _apply_uplift(rng: np.random.Generator, pop: Population, regs: pd.DataFrame) -> None:
    """Registered front-line delivery riders earn about 500 yuan a month more than the others
    (rising as more compounds and platforms are linked): set the monthly gap exactly."""
    rows = pop.rows
    first_reg = regs.groupby("person")["month"].min()
    registered_from = rows["person"].map(first_reg).fillna(np.inf).to_numpy()
    riders = (rows["group"] == "delivery").to_numpy() & ~rows["manager"].to_numpy()
    launch = (pd.Period(XIAOGEMA_LAUNCH, freq="M") - pop.window[0]).n
    for m in range(max(launch, 0), len(pop.window)):
        in_month = riders & (rows["month"].to_numpy() == m)
        per_person = rows[in_month].groupby("person")["income_yuan"].sum()
        registered = np.isin(per_person.index, first_reg[first_reg <= m].index)
        if registered.all() or not registered.any():
            continue
        gap = per_person[registered].mean() - per_person[~registered].mean()
        ramp = min(1.0, (m - launch + 1) / 10)
        target = 300 + 200 * ramp + rng.normal(0, 8)
        shift = target - gap
        lift = in_month & rows["main"].to_numpy() & (registered_from <= m)
        rows.loc[lift, "income_yuan"] = np.maximum(rows.loc[lift, "income_yuan"] + shift, 0)


def compound_entries(
    pop: Population, places: Places, scale: str, seed: int
) -> dict[str, pd.DataFrame]:
    """Daily entries per compound and platform, by month (from the launch), as file frames."""
    rng = np.random.default_rng([seed, 303])
    n_compounds = 60 if scale == "small" else 2600
    per_day = 14 if scale == "small" else 60
    weight = places.streets["district_code"].map(
        places.districts.set_index("district_code")["weight"]
    )
    weight = (
        weight / places.streets.groupby("district_code")["street_code"].transform("count")
    ).to_numpy()
    street = places.streets["street_code"].to_numpy()[
        rng.choice(len(places.streets), n_compounds, p=weight / weight.sum())
    ]
    compound = np.array([f"XQ{s}{i:04d}" for i, s in enumerate(street)])
    size = rng.lognormal(0, 0.6, n_compounds)
    seconds = rng.normal(268, 22, n_compounds).clip(180, 360)
    share = {p: w for p, w in GROUPS[0].platforms.items()}
    out = {}
    for period in pop.window:
        if str(period) < XIAOGEMA_LAUNCH:
            continue
        linked = [p for p, start in XIAOGEMA_LINKS.items() if start <= str(period)]
        days = pd.date_range(period.start_time, period.end_time.normalize(), freq="D")
        since_launch = (period - pd.Period(XIAOGEMA_LAUNCH, freq="M")).n
        ramp = 0.35 + 0.65 * min(1.0, (since_launch + 1) / 8)
        c, d, p = np.meshgrid(
            np.arange(n_compounds), np.arange(len(days)), np.arange(len(linked)), indexing="ij"
        )
        c, d, p = c.ravel(), d.ravel(), p.ravel()
        platform_share = np.array([share[x] for x in linked])[p]
        weekend = days.day_of_week.to_numpy()[d] >= 5
        lam = per_day * size[c] * platform_share * ramp * np.where(weekend, 1.15, 1.0)
        entries = rng.poisson(lam)
        keep = entries > 0
        entries = entries[keep]
        c, d, p = c[keep], d[keep], p[keep]
        improve = 0.97 + 0.03 * ramp
        saved = np.round(entries * seconds[c] * improve * rng.normal(1, 0.04, len(entries))).astype(
            int
        )
        out[str(period)] = pd.DataFrame(
            {
                "compound_id": compound[c],
                "street_code": street[c],
                "platform_code": np.array(linked)[p],
                "entry_date": days[d],
                "entries": entries,
                "seconds_saved": np.maximum(saved, 0),
            }
        )
    return out


# --- writing ------------------------------------------------------------------------------


def _write(path: Path, fmt: str, table, frame: pd.DataFrame) -> Path:
    if fmt == "xlsx":
        return write_xlsx(path.with_suffix(".xlsx"), table, frame)
    encoding = {"csv-utf8": "utf-8", "csv-gbk": "gbk", "csv-bom": "utf-8-sig"}[fmt]
    return write_csv(path, table, frame, encoding=encoding)


def _month_dates(period: pd.Period, day: np.ndarray) -> pd.Series:
    return pd.Series(
        period.start_time + pd.to_timedelta(np.minimum(day, period.days_in_month) - 1, unit="D")
    )


def _spell_dates(pop: Population, spell: np.ndarray, which: str) -> pd.Series:
    """Onboard (start) or offboard (end) date of spells, from their month index and day."""
    spells = pop.spells
    index = spells[which].to_numpy()[spell]
    day = spells["onboard_day" if which == "start" else "offboard_day"].to_numpy()[spell]
    periods = pd.PeriodIndex.from_ordinals(pop.window[0].ordinal + index, freq="M")
    return pd.Series(periods.to_timestamp() + pd.to_timedelta(np.minimum(day, 28) - 1, unit="D"))


def _roster_frame(pop: Population, people: dict, rows: pd.DataFrame, m: int) -> pd.DataFrame:
    spells = pop.spells
    person = rows["person"].to_numpy()
    spell = rows["spell"].to_numpy()
    manager = rows["manager"].to_numpy()
    work_type = rows["work_type"].to_numpy()
    on_station = np.isin(work_type, ["专送", "全职", "加盟"]) & (
        rows["group"].to_numpy() != "ride_hailing"
    )
    district = people["district_code"][person]
    street = people["street_code"][person]
    station = np.where(
        on_station,
        np.char.add(np.char.add(rows["platform"].to_numpy().astype(str), "-"), street.astype(str)),
        None,
    )
    offboard = _spell_dates(pop, spell, "end")
    offboard[(spells["end"].to_numpy()[spell] != m)] = pd.NaT
    return pd.DataFrame(
        {
            "id_number": people["id_number"][person],
            "worker_name": people["name"][person],
            "phone": people["phone"][person],
            "work_type": work_type,
            "role": np.where(manager, "站点管理人员", "一线人员"),
            "station_id": station,
            "district_code": district,
            "street_code": np.where(on_station, street, None),
            "onboard_date": _spell_dates(pop, spell, "start").to_numpy(),
            "offboard_date": offboard.to_numpy(),
        }
    )


def _activity_frame(people: dict, rows: pd.DataFrame, covered: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_number": people["id_number"][rows["person"].to_numpy()],
            "active_days": rows["active_days"].to_numpy(),
            "orders": rows["orders"].to_numpy(),
            "online_hours": rows["online_hours"].to_numpy(),
            "income_yuan": rows["income_yuan"].round(2).to_numpy(),
            "injury_covered_orders": np.where(covered, rows["orders"].to_numpy(), 0),
        }
    )


def write(
    out: Path,
    places: Places,
    start: str,
    end: str,
    seed: int,
    scale: str = "small",
    log: DefectLog | None = None,
) -> list[Path]:
    """Write the platform, social_insurance and xiaogema systems' files for the window."""
    log = log if log is not None else DefectLog()
    pop = simulate(places, scale, seed, start, end)
    regs = registrations(pop)
    rng = np.random.default_rng([seed, 202])
    _apply_uplift(rng, pop, regs)
    insured = insurance_rows(pop)
    injury = insured[insured["kind"] == 3]
    contracts = {name: systems()[name] for name in ("platform", "social_insurance", "xiaogema")}
    roster_t = contracts["platform"].table("worker_roster")
    activity_t = contracts["platform"].table("monthly_activity")
    enrol_t = contracts["social_insurance"].table("enrolment")
    regs_t = contracts["xiaogema"].table("registrations")
    entries_t = contracts["xiaogema"].table("compound_entries")
    defect_rng = np.random.default_rng([seed, 404])
    payer_rng = np.random.default_rng([seed, 505])
    entries = compound_entries(pop, places, scale, seed)
    written: list[Path] = []
    rows_by_month = dict(tuple(pop.rows.groupby("month")))
    insured_by_month = dict(tuple(insured.groupby("month")))
    regs_by_month = dict(tuple(regs.groupby("month")))
    people = {
        c: pop.people[c].to_numpy(dtype=object)
        for c in ("id_number", "name", "phone", "district_code", "street_code")
    }
    injury_by_month = dict(tuple(injury.groupby("month")["person"]))

    def emit(system: str, month: str, table, frame, fmt: str, kinds, sender: str | None = None):
        path = landing_path(out, system, month, table.name, sender)
        if fmt == "xlsx":
            path = path.with_suffix(".xlsx")
        rel = path.relative_to(out).as_posix()
        frame = inject(frame, table, kinds, defect_rng, DEFECT_RATE, log, rel)
        written.append(_write(path, fmt, table, frame))

    for m, period in enumerate(pop.window):
        month = str(period)
        rows = rows_by_month.get(m, pop.rows.iloc[:0])
        for platform, prows in rows.groupby("platform", sort=True):
            prows = prows.sort_values("person", kind="stable")
            fmt = FORMATS[platform]
            roster = _roster_frame(pop, people, prows, m)
            emit("platform", month, roster_t, roster, fmt,
                 ["duplicate", "invalid_id_check_digit", "unknown_code"], platform)  # fmt: skip
            covered = np.isin(
                prows["person"].to_numpy(), injury_by_month.get(m, pd.Series([])).to_numpy()
            ) & (platform in INJURY_PILOT)
            activity = _activity_frame(people, prows, covered)
            emit("platform", month, activity_t, activity, fmt,
                 ["duplicate", "invalid_id_check_digit", "negative_count"], platform)  # fmt: skip
        ins = insured_by_month.get(m)
        if ins is not None and len(ins):
            payer, base = _payer_and_base(payer_rng, ins)
            person = ins["person"].to_numpy()
            enrol = pd.DataFrame(
                {
                    "id_number": people["id_number"][person],
                    "person_name": people["name"][person],
                    "insurance_type": np.array(INSURANCE)[ins["kind"].to_numpy()],
                    "payer": payer,
                    "contribution_base": base,
                }
            )
            emit("social_insurance", month, enrol_t, enrol, "csv-gbk",
                 ["duplicate", "invalid_id_check_digit"])  # fmt: skip
        reg = regs_by_month.get(m)
        if reg is not None and len(reg):
            person = reg["person"].to_numpy()
            frame = pd.DataFrame(
                {
                    "id_number": people["id_number"][person],
                    "phone": people["phone"][person],
                    "platform_code": reg["platform"].to_numpy(),
                    "registration_date": _month_dates(period, reg["day"].to_numpy()).to_numpy(),
                }
            )
            emit("xiaogema", month, regs_t, frame, "csv-bom",
                 ["invalid_id_check_digit", "unknown_code", "date_outside_month"])  # fmt: skip
        if month in entries:
            emit("xiaogema", month, entries_t, entries[month], "csv-bom",
                 ["duplicate", "unknown_code", "negative_count", "date_outside_month"])  # fmt: skip
    return written


def write_late_correction(
    out: Path, month: str = CORRECTION[0], platform: str = CORRECTION[1]
) -> Path:
    """Re-deliver one platform's activity file for an earlier month with corrected income.

    The platform found it under-reported income for about 5% of its workers that month and
    sends the whole file again (same name, same rows, same defects, new amounts), as a late
    correction does; ingest supersedes the first delivery. Returns the file's path.
    """
    path = landing_path(out, "platform", month, "monthly_activity", platform)
    table = systems()["platform"].table("monthly_activity")
    encoding = {"csv-utf8": "utf-8", "csv-gbk": "gbk", "csv-bom": "utf-8-sig"}[FORMATS[platform]]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
    frame.columns = [c.name for c in table.columns]
    income = pd.to_numeric(frame["income_yuan"], errors="coerce")
    rng = np.random.default_rng(20250415)
    fix = (income > 0).to_numpy() & (rng.random(len(frame)) < 0.05)
    frame.loc[fix, "income_yuan"] = (income[fix] + 300).round(2).map("{:.2f}".format)
    return write_csv(path, table, frame, encoding=encoding)
