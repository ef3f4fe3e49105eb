"""Each KPI figure judged against the expectations kept with the KPI in the catalogue
(seeds/kpi_catalogue.csv): a plausible range, the way it can move, how far it can move in a
month. Rates over few people get an allowance for chance (RATE_NOISE_Z)."""

from __future__ import annotations

import pandas as pd

from warehouse.duck import quote_ident

# A rate over few people or places is far from its expectations by chance: a rate is flagged
# only when it is beyond its range, or its monthly move beyond its limit, by more than this
# many standard errors (of the share, or of the difference of the two months' shares; each
# share over its denominator n, Agresti-Coull adjusted, (x + 1) / (n + 2), so that 0 of 1
# and 1 of 1 are not taken as certain). At the city's size the allowance is a fraction of a
# percentage point; over 40 people, about 30.
RATE_NOISE_Z = 3.0
# The KPI expectations (seeds/kpi_catalogue.csv), each a check of the KPI suite. Verdicts
# are columns of the frame `kpi_expectation_frame` builds: True passes, False fails, empty
# is not judged (no previous month, no limit set).
KPI_RANGE = "指标值在目录给出的合理范围内"
KPI_TREND = "指标按目录给出的方向变动"
KPI_MOVE = "指标月度变动不超过目录给出的上限"
KPI_VERDICTS = {KPI_RANGE: "in_range", KPI_TREND: "with_trend", KPI_MOVE: "move_within_limit"}
KPI_KEYS = ["kpi_id", "area_level", "district_code", "group_code"]


def kpi_expectation_frame(con) -> pd.DataFrame:
    """The figures the KPI expectations judge, one row each, with last month's figure, the
    catalogue's expectations, the names a warning gives, and a verdict per expectation.

    Rows: fct_kpi_monthly's city-wide, district and group rows (platform breakdowns are not
    judged). On a published file, a figure hidden by disclosure control is not judged, nor
    a move or trend from or to one. Verdict columns (KPI_VERDICTS) hold True, False or None
    (not judged).
    """
    tables = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    kpi_columns = {r[0] for r in con.execute("describe fct_kpi_monthly").fetchall()}
    hidden = "coalesce(k.value_suppressed, false)" if "value_suppressed" in kpi_columns else "false"
    district_names = "dim_district" if "dim_district" in tables else "districts"
    frame = con.execute(
        f"""
        select
            k.kpi_row_id, k.kpi_id, k.month_start, k.area_level, k.district_code, k.group_code,
            k.kpi_value, k.denominator, {hidden} as hidden,
            c.name_zh, c.unit, c.value_kind, c.counts_people,
            c.expected_min, c.expected_max, c.expected_trend,
            c.max_monthly_change_share, c.max_monthly_change_abs,
            d.district_name, g.group_name
        from fct_kpi_monthly as k
        join kpi_catalogue as c using (kpi_id)
        left join {quote_ident(district_names)} as d using (district_code)
        left join worker_groups as g using (group_code)
        where k.platform_code is null and k.area_level in ('city', 'district')
        """
    ).df()
    frame = frame.sort_values([*KPI_KEYS, "month_start"]).reset_index(drop=True)
    months = pd.to_datetime(frame["month_start"])
    frame["month_index"] = months.dt.year * 12 + months.dt.month
    grouped = frame.groupby(KPI_KEYS, dropna=False)
    follows = (frame["month_index"] - grouped["month_index"].shift()) == 1
    for column in ("kpi_row_id", "kpi_value", "denominator", "hidden"):
        frame[f"previous_{column}"] = grouped[column].shift().where(follows)
    # a KPI broken down by group names the group in its warnings
    frame["names_group"] = frame.groupby("kpi_id")["group_code"].transform(
        lambda g: g.nunique(dropna=False) > 1
    )
    frame["in_range"] = _verdicts(frame, _in_range(frame), judged=frame["kpi_value"].notna())
    moves = frame["kpi_value"].notna() & frame["previous_kpi_value"].notna()
    moves &= ~frame["previous_hidden"].astype("boolean").fillna(False).astype(bool)
    trend = frame["expected_trend"].fillna("")
    frame["with_trend"] = _verdicts(
        frame,
        _with_trend(frame, trend),
        judged=moves & trend.isin(["non_decreasing", "non_increasing"]),
    )
    within, judged = _move_within_limit(frame)
    frame["move_within_limit"] = _verdicts(frame, within, judged=moves & judged)
    return frame.drop(columns=["month_index"])


def _verdicts(frame: pd.DataFrame, passed: pd.Series, judged: pd.Series) -> pd.Series:
    """True/False where judged and shown, None elsewhere (GE skips missing values)."""
    judged = judged & ~frame["hidden"].astype(bool)
    return pd.Series(
        [bool(p) if j else None for p, j in zip(passed, judged, strict=True)],
        index=frame.index,
        dtype=object,
    )


def _in_range(frame: pd.DataFrame) -> pd.Series:
    value = frame["kpi_value"]
    allowance = _chance(frame, RATE_NOISE_Z * _share_error(value, frame["denominator"]))
    low = value >= frame["expected_min"].where(frame["expected_min"].notna(), value) - allowance
    high = value <= frame["expected_max"].where(frame["expected_max"].notna(), value) + allowance
    return low & high


def _share_error(share: pd.Series, base: pd.Series) -> pd.Series:
    """Standard error of a share over `base` (Agresti-Coull: one more yes and one more no)."""
    adjusted = (share * base + 1) / (base + 2)
    return (adjusted * (1 - adjusted) / (base + 2)).clip(lower=0).pow(0.5)


def _chance(frame: pd.DataFrame, allowance: pd.Series) -> pd.Series:
    """The allowance for chance where it applies: rates with a known denominator."""
    return allowance.where((frame["value_kind"] == "rate") & allowance.notna(), 0.0)


def _with_trend(frame: pd.DataFrame, trend: pd.Series) -> pd.Series:
    change = frame["kpi_value"] - frame["previous_kpi_value"]
    tolerance = 1e-9  # a figure that stays put is no move, whatever the float rounding
    return ~(
        ((trend == "non_decreasing") & (change < -tolerance))
        | ((trend == "non_increasing") & (change > tolerance))
    )


def _move_within_limit(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Whether each monthly move is within its limits, and whether any limit can judge it.

    A move is beyond its limits only when it is beyond every limit the catalogue sets: the
    share of last month's value (which cannot judge a move from zero) and the absolute
    limit, which for a rate is widened by the chance allowance (RATE_NOISE_Z).
    """
    value, previous = frame["kpi_value"], frame["previous_kpi_value"]
    change = (value - previous).abs()
    share_limit = frame["max_monthly_change_share"]
    abs_limit = frame["max_monthly_change_abs"]
    allowance = _chance(
        frame,
        RATE_NOISE_Z
        * (
            _share_error(value, frame["denominator"]).pow(2)
            + _share_error(previous, frame["previous_denominator"]).pow(2)
        ).pow(0.5),
    )
    judged_abs = abs_limit.notna()
    judged_share = share_limit.notna() & previous.notna() & (previous != 0)
    beyond_abs = ~judged_abs | (change > abs_limit + allowance)
    beyond_share = ~judged_share | (change > share_limit * previous.abs())
    judged = judged_abs | judged_share
    return ~(beyond_abs & beyond_share & judged), judged
