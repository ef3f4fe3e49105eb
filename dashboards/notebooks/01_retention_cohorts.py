# ---
# jupyter:
#   jupytext:
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
# # 留存队列:按群体和区县
#
# 新就业群体入职后每个月还有多少人在岗?按首次在岗的季度分队列,看外卖、快递、网约车三个群体及各区县的留存曲线。数据来自已发布指标仓的公开集市 `fct_worker_cohorts_retained`(只读):只有人数,没有个人行;人数过少、可能暴露个人的格子已按披露控制规则隐藏,读出来是空值,计算时跳过。

# %%
import pandas as pd
import plotly.express as px

from warehouse.workbench import kpi, sql

# %%
cohorts = sql("""
    select c.cohort_start, c.months_in, c.area_level, c.district_code, g.group_name,
           c.starters, c.retained_workers, c.retention_rate
    from fct_worker_cohorts_retained as c
    join dim_worker_group as g using (group_code)
    order by c.area_level, c.district_code, g.group_name, c.cohort_start, c.months_in
""")
cohorts.head()


# %%
def retention(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Retention N months after the first month, pooled over the cohorts whose counts are
    published (a hidden count is null and leaves its cohort out of that point)."""
    shown = frame.dropna(subset=["starters", "retained_workers"])
    pooled = shown.groupby([*by, "months_in"])[["starters", "retained_workers"]].sum().reset_index()
    pooled["retention"] = pooled["retained_workers"] / pooled["starters"]
    return pooled[pooled["months_in"] <= 18]


city = cohorts[cohorts["area_level"] == "city"]
by_group = retention(city, ["group_name"])
px.line(
    by_group,
    x="months_in",
    y="retention",
    color="group_name",
    title="各群体留存曲线(全市)",
    labels={"months_in": "入职后月数", "retention": "留存率", "group_name": "群体"},
)

# %%
one_year = by_group[by_group["months_in"] == 12].set_index("group_name")["retention"]
assert one_year.between(0, 1).all()
one_year.sort_values()

# %% [markdown]
# 各区县外卖骑手的一年留存(人数被隐藏的队列不计入;整个区县都被隐藏时为空):

# %%
districts = sql("select district_code, district_name from dim_district")
by_district = retention(
    cohorts[(cohorts["area_level"] == "district") & (cohorts["group_name"] == "网约配送员")],
    ["district_code"],
)
by_district = districts.merge(
    by_district[by_district["months_in"] == 12], on="district_code", how="left"
)
by_district.sort_values("retention")[["district_name", "starters", "retention"]]

# %% [markdown]
# 一年留存低,从业一年以上的人就少:与文章“从业一年以上的仅占20%”对照指标 `tenure_over_1y_share`(各群体):

# %%
kpi("tenure_over_1y_share").tail(6)
