"""党组织: the organisation system. The party-organisation registry (growing 13 -> 50 for the
delivery group) and the organisations' activity: membership returns, round-table meetings,
volunteer teams and their deeds.

Volunteer teams grow to 74 by the window's end (the article's "70余支"), 萧山 平安骑手 and
滨江 长河e警 among the first. The registries get only duplicated rows as defects.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from faker import Faker

from warehouse.contracts import systems
from warehouse.generate.calendar import month_end, months
from warehouse.generate.defects import DefectLog, inject
from warehouse.generate.files import landing_path, write_csv
from warehouse.generate.lifecycle import anchored_curve, lifecycle, street_weights
from warehouse.generate.places import Places

SYSTEM = "organisation"

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


def write_registry(out: Path, places: Places, start: str, end: str, seed: int) -> list[Path]:
    """One registry file per month: organisations established by that month's end."""
    contract = systems()[SYSTEM].table("party_orgs")
    orgs = registry(places, start, end, seed)
    written = []
    for month in months(start, end):
        cutoff = month_end(month)
        snapshot = orgs[orgs["established_date"] <= cutoff].copy()
        # A dissolution is reported from the month it happens in, not before.
        later = snapshot["dissolved_date"].notna() & (snapshot["dissolved_date"] > cutoff)
        snapshot.loc[later, "dissolved_date"] = None
        path = landing_path(out, SYSTEM, str(month), "party_orgs")
        written.append(write_csv(path, contract, snapshot, encoding="gbk"))
    return written


TEAM_ANCHORS = {"2023-01": 21, "2023-06": 27, "2023-12": 40, "2024-06": 52, "2024-12": 64,
                "2025-06": 74}  # fmt: skip
# The two teams the article names, formed before the window and never dissolved.
NAMED_TEAMS = [("平安骑手", "330109", "萧山"), ("长河e警", "330108", "滨江")]
TEAM_SUFFIXES = [
    "骑士侠先锋队",
    "骑士侠志愿服务队",
    "骑士侠平安服务队",
    "小哥暖心队",
    "骑士侠守护队",
]
DEED_TYPES = {"隐患上报": 0.38, "平安巡防": 0.2, "助老帮困": 0.12, "拾金不昧": 0.11,
              "线索提供": 0.11, "灭火": 0.05, "救人": 0.03}  # fmt: skip
TOPICS = ["小区通行", "午间就餐", "电动车充电", "配送时限", "交通安全", "职业伤害保障", "驿站布局",
          "恶劣天气配送", "差评申诉", "技能培训"]  # fmt: skip
EVENT_DEFECT_RATE = 0.008
# Tables of a few dozen rows a month need a higher rate to carry any defect at all.
SMALL_TABLE_DEFECT_RATE = 0.03


def _progress(window: list[pd.Period]) -> np.ndarray:
    return np.linspace(0.0, 1.0, len(window))


def membership(
    orgs: pd.DataFrame, window: list[pd.Period], rng: np.random.Generator
) -> pd.DataFrame:
    """One return per organisation active at each month end (all groups)."""
    n = len(orgs)
    base_members = rng.integers(6, 38, size=n)
    mobile_share = rng.uniform(0.5, 0.8, size=n)
    roster = rng.integers(180, 1400, size=n)
    frames = []
    for i, month in enumerate(window):
        cutoff = month_end(month)
        active = (orgs["established_date"] <= cutoff) & (
            orgs["dissolved_date"].isna() | (orgs["dissolved_date"] > cutoff)
        )
        idx = np.flatnonzero(active.to_numpy())
        age = ((cutoff - orgs["established_date"].iloc[idx]).dt.days.to_numpy() / 365).clip(0, 4)
        members = np.round(base_members[idx] * (1 + 0.22 * age) + rng.integers(0, 3, len(idx)))
        mobile = np.round(members * mobile_share[idx])
        registration = 0.42 + 0.46 * _progress(window)[i] + rng.normal(0, 0.05, len(idx))
        registered = rng.binomial(mobile.astype(int), registration.clip(0.05, 0.98))
        frames.append(
            pd.DataFrame(
                {
                    "month": i,
                    "org_id": orgs["org_id"].iloc[idx].to_numpy(),
                    "members": members.astype(int),
                    "mobile_members": mobile.astype(int),
                    "mobile_registered": registered,
                    "workers_on_roster": np.round(roster[idx] * (1 + 0.12 * age)).astype(int),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def teams(places: Places, window: list[pd.Period], rng: np.random.Generator) -> pd.DataFrame:
    curve = anchored_curve(window, TEAM_ANCHORS, rng)
    life = lifecycle(window, curve, 0.006, rng, protected=len(NAMED_TEAMS), backfill_days=1200)
    n = len(life)
    streets = street_weights(places)
    pick = rng.choice(len(streets), size=n, p=streets["p"].to_numpy())
    chosen = streets.iloc[pick].reset_index(drop=True)
    frame = pd.concat([life, chosen[["district_code", "street_name"]]], axis=1)
    frame["team_name"] = chosen["street_name"] + rng.choice(TEAM_SUFFIXES, size=n)
    for k, (name, district, place_name) in enumerate(NAMED_TEAMS):
        frame.loc[k, "district_code"] = district
        frame.loc[k, "team_name"] = f"{place_name}“{name}”骑士侠队伍"
        frame.loc[k, "open_date"] = pd.Timestamp("2020-05-12") + pd.Timedelta(days=400 * k)
    frame["team_id"] = [f"QSX{i + 1:04d}" for i in range(n)]
    frame["members"] = rng.integers(12, 160, size=n)
    frame.loc[: len(NAMED_TEAMS) - 1, "members"] = [420, 260]
    return frame.rename(columns={"open_date": "established_date", "close_date": "dissolved_date"})


def _events(window: list[pd.Period], i: int, n: int, rng: np.random.Generator) -> pd.Series:
    month = window[i]
    return pd.Series(
        month.to_timestamp() + pd.to_timedelta(rng.integers(0, month.days_in_month, n), unit="D")
    ).sort_values(ignore_index=True)


def write_activity(
    out: Path, places: Places, start: str, end: str, seed: int, log: DefectLog
) -> list[Path]:
    """Monthly membership returns, volunteer teams, round tables and deeds, defects injected."""
    contract = systems()[SYSTEM]
    rng = np.random.default_rng([seed, 201])
    window = months(start, end)
    orgs = registry(places, start, end, seed)
    delivery_orgs = orgs[orgs["group_name"] == "网约配送员"]
    returns = membership(orgs, window, rng)
    team_frame = teams(places, window, rng)
    streets = street_weights(places)
    progress = _progress(window)
    written: list[Path] = []
    for i, month in enumerate(window):
        cutoff = month_end(month)
        written.append(
            _write(out, contract.table("membership"), month, returns[returns["month"] == i], rng, log,
                   ["duplicate"], 0.02)
        )  # fmt: skip
        snap = team_frame[team_frame["established_date"] <= cutoff].copy()
        snap.loc[snap["dissolved_date"] > cutoff, "dissolved_date"] = pd.NaT
        written.append(
            _write(
                out, contract.table("volunteer_teams"), month, snap, rng, log, ["duplicate"], 0.01
            )
        )

        # Round tables: a few a month at first, more once the campaign's branches exist.
        n_meet = int(
            rng.poisson(5 + 22 * progress[i] ** 1.3 + (4 if month.month in (3, 6, 9, 12) else 0))
        )
        where = streets.iloc[rng.choice(len(streets), size=n_meet, p=streets["p"].to_numpy())]
        active_orgs = delivery_orgs[
            (delivery_orgs["established_date"] <= cutoff)
            & (delivery_orgs["dissolved_date"].isna() | (delivery_orgs["dissolved_date"] > cutoff))
        ]["org_id"].to_numpy()
        caller = rng.choice(active_orgs, size=n_meet).astype(object)
        caller[rng.random(n_meet) < 0.25] = None
        meetings = pd.DataFrame(
            {
                "meeting_id": [f"YS{month.strftime('%Y%m')}{k + 1:04d}" for k in range(n_meet)],
                "org_id": caller,
                "street_code": where["street_code"].to_numpy(),
                "meeting_date": _events(window, i, n_meet, rng),
                "topics": [
                    "、".join(rng.choice(TOPICS, size=2, replace=False)) for _ in range(n_meet)
                ],
                "attendees": rng.integers(8, 45, size=n_meet),
            }
        )
        written.append(
            _write(out, contract.table("roundtables"), month, meetings, rng, log,
                   ["duplicate", "unknown_code", "negative_count", "date_outside_month"], SMALL_TABLE_DEFECT_RATE)
        )  # fmt: skip

        # Deeds: in proportion to the active teams, more in summer storms and winter.
        active_teams = snap[snap["dissolved_date"].isna()]
        n_deed = int(rng.poisson(len(active_teams) * (1.1 + 0.3 * (month.month in (7, 8, 1)))))
        team_pick = rng.choice(len(active_teams), size=n_deed)
        kinds = np.array(list(DEED_TYPES))
        p = np.array(list(DEED_TYPES.values()))
        deed_type = rng.choice(kinds, size=n_deed, p=p / p.sum())
        deed_street = streets.iloc[rng.choice(len(streets), size=n_deed, p=streets["p"].to_numpy())]
        deeds = pd.DataFrame(
            {
                "deed_id": [f"SJ{month.strftime('%Y%m')}{k + 1:05d}" for k in range(n_deed)],
                "team_id": active_teams["team_id"].to_numpy()[team_pick],
                "deed_type": deed_type,
                "street_code": deed_street["street_code"].to_numpy(),
                "deed_date": _events(window, i, n_deed, rng),
                "summary": pd.Series(deed_type).map(lambda t: f"骑手在配送途中{t}"),
            }
        )
        written.append(
            _write(out, contract.table("volunteer_deeds"), month, deeds, rng, log,
                   ["duplicate", "unknown_code", "date_outside_month"], EVENT_DEFECT_RATE)
        )  # fmt: skip
    return [p for p in written if p is not None]


def _write(out, table, month, rows, rng, log, kinds, rate) -> Path | None:
    if rows.empty:  # nothing happened: no file, as the source sends none
        return None
    path = landing_path(out, SYSTEM, str(month), table.name)
    relative = path.relative_to(out).as_posix()
    rows = inject(rows.reset_index(drop=True), table, kinds, rng, rate, log, relative)
    return write_csv(path, table, rows, encoding="gbk")


def write(out: Path, places: Places, start: str, end: str, seed: int, log: DefectLog) -> list[Path]:
    """Every file of the organisation system: the registry, then the activity tables."""
    return write_registry(out, places, start, end, seed) + write_activity(
        out, places, start, end, seed, log
    )
