"""Platforms: each platform's monthly worker roster and activity file, in its own format
(UTF-8 CSV, GBK CSV or XLSX, see FORMATS), and a late correction.

A late correction: `write_late_correction(out)` re-delivers one earlier month's activity file
of one platform with corrected income (same landing path, new content), as platforms do;
ingest treats it as superseding the first delivery.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.contracts import systems
from warehouse.generate.files import ENCODINGS, LandingWriter, landing_path, write_csv
from warehouse.generate.population import Population
from warehouse.generate.social_insurance import INJURY_PILOT

SYSTEM = "platform"
FORMATS = {
    "meituan": "csv-utf8", "eleme": "xlsx", "sf_intra": "csv-gbk", "dada": "csv-utf8",
    "uu": "csv-gbk", "shansong": "xlsx", "zto": "csv-gbk", "yto": "csv-utf8",
    "sf_express": "csv-utf8", "jd_logistics": "xlsx", "didi": "csv-utf8", "caocao": "csv-gbk",
    "t3": "xlsx",
}  # fmt: skip
CORRECTION = ("2025-03", "meituan")  # the late-corrected activity file


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


def write_month(
    writer: LandingWriter,
    pop: Population,
    people: dict,
    rows: pd.DataFrame,
    m: int,
    injury_covered: pd.Series,
) -> None:
    """Month `m`'s roster and activity file of every platform with workers on its books;
    `injury_covered` holds the people with occupational-injury protection that month."""
    month = str(pop.window[m])
    roster_t = writer.table(SYSTEM, "worker_roster")
    activity_t = writer.table(SYSTEM, "monthly_activity")
    for platform, prows in rows.groupby("platform", sort=True):
        prows = prows.sort_values("person", kind="stable")
        fmt = FORMATS[platform]
        roster = _roster_frame(pop, people, prows, m)
        writer.emit(SYSTEM, month, roster_t, roster, fmt,
                    ["duplicate", "invalid_id_check_digit", "unknown_code"], platform)  # fmt: skip
        covered = np.isin(prows["person"].to_numpy(), injury_covered.to_numpy()) & (
            platform in INJURY_PILOT
        )
        activity = _activity_frame(people, prows, covered)
        writer.emit(SYSTEM, month, activity_t, activity, fmt,
                    ["duplicate", "invalid_id_check_digit", "negative_count"], platform)  # fmt: skip


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
    encoding = ENCODINGS[FORMATS[platform]]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
    frame.columns = [c.name for c in table.columns]
    income = pd.to_numeric(frame["income_yuan"], errors="coerce")
    rng = np.random.default_rng(20250415)
    fix = (income > 0).to_numpy() & (rng.random(len(frame)) < 0.05)
    frame.loc[fix, "income_yuan"] = (income[fix] + 300).round(2).map("{:.2f}".format)
    return write_csv(path, table, frame, encoding=encoding)
