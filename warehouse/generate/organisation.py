"""党组织: the party-organisation registry, growing 13 -> 50 for the delivery group."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from faker import Faker

from warehouse.contracts import systems
from warehouse.generate.calendar import month_end, months
from warehouse.generate.files import landing_path, write_csv
from warehouse.generate.places import Places

# (first count, last count, share of growth reached at the 40% and 70% marks of the window):
# slow first year, the 2024 集中攻坚 campaign, then consolidation.
GROWTH = {
    "网约配送员": (13, 50, 0.20, 0.85),
    "快递员": (6, 18, 0.30, 0.80),
    "网约车司机": (4, 12, 0.25, 0.75),
}
GROUP_PLATFORMS = {
    "网约配送员": ["meituan", "eleme", "sf_intra", "dada", "uu", "shansong"],
    "快递员": ["zto", "yto", "sf_express", "jd_logistics"],
    "网约车司机": ["didi", "caocao", "t3"],
}
EARLY_TYPES = ["独立党支部", "独立党支部", "行业党委", "联合党支部"]
CAMPAIGN_TYPES = ["联合党支部", "流动党员党支部", "流动党员党支部", "独立党支部"]
# Mergers during the campaign: (group, share of the window) at which one organisation dissolves.
DISSOLUTIONS = [("网约配送员", 0.35), ("网约配送员", 0.72), ("快递员", 0.6)]


def active_curve(n_months: int, first: int, last: int, at40: float, at70: float) -> list[int]:
    """Active organisations per month: exact at both ends, rising in steps, never falling."""
    x = np.linspace(0.0, 1.0, n_months)
    share = np.interp(x, [0.0, 0.4, 0.7, 1.0], [0.0, at40, at70, 1.0])
    counts = np.round(first + (last - first) * share).astype(int)
    counts[0], counts[-1] = first, last
    return np.maximum.accumulate(counts).tolist()


def registry(places: Places, start: str, end: str, seed: int) -> pd.DataFrame:
    """Every organisation with its establishment and dissolution dates."""
    rng = np.random.default_rng(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    window = months(start, end)
    n = len(window)
    orgs: list[dict] = []
    for group, (first, last, at40, at70) in GROWTH.items():
        curve = active_curve(n, first, last, at40, at70)
        dissolve_at = sorted(int(share * (n - 1)) for g, share in DISSOLUTIONS if g == group)
        active: list[dict] = []
        for i, month in enumerate(window):
            for _ in range(dissolve_at.count(i)):
                victim = active.pop(int(rng.integers(len(active))))
                victim["dissolved_date"] = month_end(month) - pd.Timedelta(
                    days=int(rng.integers(0, 20))
                )
            while len(active) < curve[i]:
                established = (
                    month_end(month) - pd.Timedelta(days=int(rng.integers(0, 25)))
                    if i > 0
                    else pd.Timestamp(start) - pd.Timedelta(days=int(rng.integers(30, 900)))
                )
                types = EARLY_TYPES if i < n * 0.35 else CAMPAIGN_TYPES
                org = _new_org(rng, fake, places, group, types, len(orgs) + 1, established)
                orgs.append(org)
                active.append(org)
    return pd.DataFrame(orgs)


def _new_org(rng, fake, places: Places, group: str, types, number: int, established) -> dict:
    district = places.pick_district(rng)
    org_type = types[int(rng.integers(len(types)))]
    platform = None
    if org_type in ("独立党支部", "流动党员党支部") or rng.random() < 0.3:
        candidates = GROUP_PLATFORMS[group]
        platform = candidates[int(rng.integers(len(candidates)))]
    street = places.pick_street(rng, district["district_code"]) if org_type != "行业党委" else None
    platform_name = places.platform_name(platform) if platform else ""
    place = street["street_name"] if street is not None else district["district_name"]
    return {
        "org_id": f"DZZ{number:05d}",
        "org_name": f"{place}{platform_name}{group}{org_type}",
        "org_type": org_type,
        "group_name": group,
        "platform_code": platform,
        "district_code": district["district_code"],
        "street_code": street["street_code"] if street is not None else None,
        "established_date": established,
        "dissolved_date": None,
        "secretary_name": fake.name(),
    }


def write(out: Path, places: Places, start: str, end: str, seed: int) -> list[Path]:
    """One registry file per month: organisations established by that month's end."""
    contract = systems()["organisation"].table("party_orgs")
    orgs = registry(places, start, end, seed)
    written = []
    for month in months(start, end):
        cutoff = month_end(month)
        snapshot = orgs[orgs["established_date"] <= cutoff].copy()
        # A dissolution is reported from the month it happens in, not before.
        later = snapshot["dissolved_date"].notna() & (snapshot["dissolved_date"] > cutoff)
        snapshot.loc[later, "dissolved_date"] = None
        path = landing_path(out, "organisation", str(month), "party_orgs")
        written.append(write_csv(path, contract, snapshot, encoding="gbk"))
    return written
