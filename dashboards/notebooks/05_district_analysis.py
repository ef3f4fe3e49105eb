# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 区县月度分析
#
# 本区当月的留存队列、参保缺口、驿站覆盖和小哥码注册,与全市对照。数字与驾驶舱、月度指标包相同;人数少于 5 的格子已按披露控制规则隐藏,显示为“<5”;“—”表示没有数据。

# %% tags=["parameters"]
# `xiaoge release` runs this notebook for every district with these papermill parameters and
# puts its page, without the code cells, in the district's pack folder. It reads the published
# marts only (warehouse.workbench).
month = None  # 报告月份,如 "2025-06";None 为最新发布的月份
district = "330106"  # 区县代码

# %%
import pandas as pd
from IPython.display import Markdown, display

from warehouse.present.format import MISSING, change, month_zh, number, percent, value
from warehouse.privacy import SUPPRESSED, is_flagged
from warehouse.workbench import kpi, month_figures, report_month, sql

month = report_month(month)
month_start = pd.Timestamp(f"{month}-01")
district_name = sql("select district_name from dim_district where district_code = ?", [district])[
    "district_name"
].iloc[0]
# Each KPI's figure this month as the cards and `xiaoge kpi` show it: all groups, and the
# front-line delivery riders (the insurance rates' group).
figures = {
    (area, group): month_figures(month, area, group).set_index("kpi_id")
    for area in (district, None)
    for group in (None, "delivery")
}


def show(frame: pd.DataFrame) -> None:
    display(frame.style.hide(axis="index"))


def people(count: float | None, hidden: object = False) -> str:
    """A count of people as published: "<5" where hidden or between 1 and 4."""
    if is_flagged(hidden) or (count == count and count is not None and 0 < count < 5):
        return SUPPRESSED
    return number(count)


def this_month(kpi_id: str, area: str | None, group: str | None = None) -> pd.Series | None:
    """The KPI's figure for the area in the report month (None: not reported)."""
    found = figures[(area, group)]
    return found.loc[kpi_id] if kpi_id in found.index else None


def shown(row: pd.Series | None) -> str:
    if row is None:
        return MISSING
    return value(row["value"], row["value_kind"], row["unit"], suppressed=row["value_suppressed"])


display(Markdown(f"## {district_name} · {month_zh(month)}"))

# %% [markdown]
# ### 本月指标
#
# 参保率为一线外卖骑手的参保率。

# %%
TOPICS = [
    "workforce_active",
    "tenure_over_1y_share",
    "monthly_churn_rate",
    "insurance_rate_pension",
    "insurance_rate_medical",
    "insurance_rate_work_injury",
    "insurance_rate_occupational_injury",
    "stations_active",
    "station_15min_coverage_rate",
    "xiaogema_registration_rate",
]
rows = []
for kpi_id in TOPICS:
    here, city = this_month(kpi_id, district), this_month(kpi_id, None)
    if here is not None or city is not None:
        name = (here if here is not None else city)["name_zh"]
        rows.append({"指标": name, "本区": shown(here), "全市": shown(city)})
show(pd.DataFrame(rows))

# %% [markdown]
# ### 留存队列
#
# 按首次在岗的季度分队列:起始人数,以及 6 个月、12 个月后仍在岗的比例(最近四个已满 6 个月的队列)。

# %%
cohorts = sql(
    """
    select c.cohort_start, c.months_in, g.group_name, c.starters, c.starters_suppressed,
           c.retention_rate, c.retention_rate_suppressed
    from fct_worker_cohorts_retained as c
    join dim_worker_group as g using (group_code)
    where c.area_level = 'district' and c.district_code = ? and c.months_in in (6, 12)
      and c.last_month_start <= ?
    """,
    [district, month_start],
)
recent = sorted(cohorts.loc[cohorts["months_in"] == 6, "cohort_start"].unique())[-4:]
retention = []
for (group, start), cohort in cohorts[cohorts["cohort_start"].isin(recent)].groupby(
    ["group_name", "cohort_start"]
):
    at = cohort.set_index("months_in")
    rate = {
        m: value(
            at.loc[m, "retention_rate"],
            "rate",
            None,
            suppressed=at.loc[m, "retention_rate_suppressed"],
        )
        if m in at.index
        else MISSING
        for m in (6, 12)
    }
    first = at.iloc[0]
    retention.append(
        {
            "群体": group,
            "队列": f"{start.year}年第{(start.month - 1) // 3 + 1}季度",
            "起始人数": people(first["starters"], first["starters_suppressed"]),
            "6个月留存": rate[6],
            "12个月留存": rate[12],
        }
    )
show(pd.DataFrame(retention))

# %% [markdown]
# ### 参保缺口
#
# 一线外卖骑手各险种参保率与全市的差距;未参保人数为在岗一线人数减参保人数。

# %%
gaps = []
for kpi_id in [k for k in TOPICS if k.startswith("insurance_rate_")]:
    here, city = this_month(kpi_id, district, "delivery"), this_month(kpi_id, None, "delivery")
    if here is None:
        continue
    hidden = bool(here["numerator_suppressed"] or here["denominator_suppressed"])
    gap = (
        None
        if city is None or hidden
        else change(here["value"], city["value"], "rate", " 个百分点")
    )
    gaps.append(
        {
            "险种": here["name_zh"],
            "本区参保率": shown(here),
            "全市参保率": shown(city),
            "与全市相比": gap or MISSING,
            "未参保人数": SUPPRESSED if hidden else people(here["denominator"] - here["numerator"]),
        }
    )
show(pd.DataFrame(gaps))

# %% [markdown]
# ### 驿站覆盖:按街道
#
# 月末在营的驿站、友好场景,以及 15 分钟骑行(3 公里)内有驿站的友好场景比例。只有场所,没有人。

# %%
streets = sql(
    """
    with stations as (
        select street_code, count(*) as stations
        from dim_station
        where open_date <= last_day(?::date)
          and (close_date is null or close_date > last_day(?::date))
        group by street_code
    ),
    scenes as (
        select street_code, count(*) as scenes, avg(is_within_15_min::int) as covered
        from fct_scene_coverage_monthly
        where month_start = ?
        group by street_code
    )
    select s.street_name, coalesce(st.stations, 0) as stations,
           coalesce(sc.scenes, 0) as scenes, sc.covered
    from dim_street as s
    left join stations as st using (street_code)
    left join scenes as sc using (street_code)
    where s.district_code = ?
    order by sc.covered nulls last, s.street_name
    """,
    [month_start, month_start, month_start, district],
)
show(
    pd.DataFrame(
        {
            "街道": streets["street_name"],
            "驿站(个)": streets["stations"].map(number),
            "友好场景(个)": streets["scenes"].map(number),
            "15分钟覆盖率": streets["covered"].map(percent),
        }
    )
)

# %% [markdown]
# ### 小哥码注册
#
# 近六个月本区的小哥码注册率和已注册人数,与全市对照。

# %%
here = kpi("xiaogema_registration_rate", district=district)
city = kpi("xiaogema_registration_rate").set_index("month_start")["value"]
recent = here[here["month_start"] <= month_start].tail(6)
show(
    pd.DataFrame(
        {
            "月份": recent["month_start"].dt.strftime("%Y-%m").map(month_zh),
            "本区注册率": [
                value(v, "rate", None, suppressed=hidden)
                for v, hidden in zip(recent["value"], recent["value_suppressed"], strict=True)
            ],
            "已注册人数": [
                people(n, hidden)
                for n, hidden in zip(
                    recent["numerator"], recent["numerator_suppressed"], strict=True
                )
            ],
            "全市注册率": recent["month_start"].map(city).map(percent),
        }
    )
)
