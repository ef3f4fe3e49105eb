"""人社: the social_insurance system's monthly enrolment file (GBK), person x insurance type.

Riders' own pension participation is very low while station managers are insured; the
occupational-injury protection (职业伤害保障) covers the platforms in the national pilot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from warehouse.generate.files import LandingWriter
from warehouse.generate.population import Population

SYSTEM = "social_insurance"
# Platforms in the national occupational-injury protection pilot (Zhejiang is a pilot province).
INJURY_PILOT = {"meituan", "eleme", "dada", "shansong", "sf_intra", "didi", "caocao", "t3"}
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


def write_month(
    writer: LandingWriter,
    people: dict,
    insured: pd.DataFrame | None,
    month: str,
    payer_rng: np.random.Generator,
) -> None:
    """The month's enrolment file: one row per person and insurance type insured that month."""
    if insured is None or not len(insured):
        return
    enrol_t = writer.table(SYSTEM, "enrolment")
    payer, base = _payer_and_base(payer_rng, insured)
    person = insured["person"].to_numpy()
    enrol = pd.DataFrame(
        {
            "id_number": people["id_number"][person],
            "person_name": people["name"][person],
            "insurance_type": np.array(INSURANCE)[insured["kind"].to_numpy()],
            "payer": payer,
            "contribution_base": base,
        }
    )
    writer.emit(SYSTEM, month, enrol_t, enrol, "csv-gbk",
                ["duplicate", "invalid_id_check_digit"])  # fmt: skip
