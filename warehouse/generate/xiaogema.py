"""小哥码: the xiaogema system's registrations and daily compound entries (UTF-8 with BOM),
from the launch in 2024-07.

Six delivery platforms are linked one after another; an entry saves 4-5 minutes, and
registered riders earn about 500 yuan more a month (set on the population's activity rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from warehouse.generate.files import LandingWriter
from warehouse.generate.places import Places
from warehouse.generate.population import GROUPS, Population

SYSTEM = "xiaogema"
XIAOGEMA_LAUNCH = "2024-07"
# Month each linked platform joined 小哥码 (all six by 2025-01).
XIAOGEMA_LINKS = {
    "meituan": "2024-07", "eleme": "2024-07", "sf_intra": "2024-09",
    "dada": "2024-10", "uu": "2024-12", "shansong": "2025-01",
}  # fmt: skip


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


def apply_uplift(rng: np.random.Generator, pop: Population, regs: pd.DataFrame) -> None:
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
    # city: about 104 million entries over the window, the programme's size (100 million+)
    n_compounds = 60 if scale == "small" else 5000
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


def _month_dates(period: pd.Period, day: np.ndarray) -> pd.Series:
    return pd.Series(
        period.start_time + pd.to_timedelta(np.minimum(day, period.days_in_month) - 1, unit="D")
    )


def write_month(
    writer: LandingWriter,
    people: dict,
    registered: pd.DataFrame | None,
    entries: pd.DataFrame | None,
    period: pd.Period,
) -> None:
    """The month's registrations and compound entries (none before the launch)."""
    month = str(period)
    if registered is not None and len(registered):
        person = registered["person"].to_numpy()
        frame = pd.DataFrame(
            {
                "id_number": people["id_number"][person],
                "phone": people["phone"][person],
                "platform_code": registered["platform"].to_numpy(),
                "registration_date": _month_dates(period, registered["day"].to_numpy()).to_numpy(),
            }
        )
        writer.emit(SYSTEM, month, writer.table(SYSTEM, "registrations"), frame, "csv-bom",
                    ["invalid_id_check_digit", "unknown_code", "date_outside_month"])  # fmt: skip
    if entries is not None:
        writer.emit(SYSTEM, month, writer.table(SYSTEM, "compound_entries"), entries, "csv-bom",
                    ["duplicate", "unknown_code", "negative_count", "date_outside_month"])  # fmt: skip
