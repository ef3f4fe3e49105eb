"""The worker population's three systems, written in one pass: platform, social_insurance
and xiaogema (`warehouse.generate.<system>`).

One simulated population (`population`) feeds every file:

- platform/<M>/worker_roster__<p>, monthly_activity__<p>: one file per platform and month;
- social_insurance/<M>/enrolment.csv (GBK): person x insurance type for the month;
- xiaogema/<M>/registrations.csv, compound_entries.csv (UTF-8 with BOM), from 2024-07.

The three systems share one defect stream, drawn month by month in that order, so the same seed
gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.generate import platform, social_insurance, xiaogema
from warehouse.generate.defects import DefectLog
from warehouse.generate.files import LandingWriter
from warehouse.generate.places import Places
from warehouse.generate.population import simulate

DEFECT_RATE = 0.004


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
    regs = xiaogema.registrations(pop)
    rng = np.random.default_rng([seed, 202])
    xiaogema.apply_uplift(rng, pop, regs)
    insured = social_insurance.insurance_rows(pop)
    injury = insured[insured["kind"] == 3]
    writer = LandingWriter(out, np.random.default_rng([seed, 404]), DEFECT_RATE, log)
    payer_rng = np.random.default_rng([seed, 505])
    entries = xiaogema.compound_entries(pop, places, scale, seed)
    rows_by_month = dict(tuple(pop.rows.groupby("month")))
    insured_by_month = dict(tuple(insured.groupby("month")))
    regs_by_month = dict(tuple(regs.groupby("month")))
    people = {
        c: pop.people[c].to_numpy(dtype=object)
        for c in ("id_number", "name", "phone", "district_code", "street_code")
    }
    injury_by_month = dict(tuple(injury.groupby("month")["person"]))
    for m, period in enumerate(pop.window):
        month = str(period)
        rows = rows_by_month.get(m, pop.rows.iloc[:0])
        platform.write_month(writer, pop, people, rows, m, injury_by_month.get(m, pd.Series([])))
        social_insurance.write_month(writer, people, insured_by_month.get(m), month, payer_rng)
        xiaogema.write_month(writer, people, regs_by_month.get(m), entries.get(month), period)
    return writer.written
