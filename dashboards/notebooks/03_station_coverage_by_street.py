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
# # 驿站覆盖与骑手密度:按街道
#
# 骑手多的地方,驿站是否也多?每个街道的驿站数与友好场景的15分钟覆盖率来自公开集市 `dim_station`、`fct_scene_coverage_monthly`(只有场所,没有人);在岗人数只在区县一级公布(指标 `workforce_active`,人数过少的区县已隐藏,为空值),所以骑手密度按区县比较。

# %%
import plotly.express as px

from warehouse.workbench import sql

# %%
latest = sql("select max(month_start) as m from fct_kpi_monthly")["m"].iloc[0]
stations = sql(
    """
    select street_code, count(*) as stations
    from dim_station
    where open_date <= last_day(?::date) and (close_date is null or close_date > last_day(?::date))
    group by street_code
""",
    [latest, latest],
)
coverage = sql(
    """
    select street_code, count(*) as scenes, avg(is_within_15_min) as coverage_15min
    from fct_scene_coverage_monthly
    where month_start = ?
    group by street_code
""",
    [latest],
)
streets = sql(
    """
    select s.street_code, s.street_name, s.district_code, d.district_name
    from dim_street as s
    join dim_district as d using (district_code)
"""
)
by_street = (
    streets.merge(stations, how="left")
    .merge(coverage, how="left")
    .fillna({"stations": 0, "scenes": 0})
)
by_street.sort_values("scenes", ascending=False).head(15)

# %%
px.scatter(
    by_street[by_street["scenes"] > 0],
    x="scenes",
    y="stations",
    hover_name="street_name",
    color="coverage_15min",
    title="各街道友好场景数与驿站数",
    labels={"scenes": "友好场景", "stations": "驿站数", "coverage_15min": "15分钟覆盖率"},
)

# %% [markdown]
# 按区县:在岗人数(全部群体、全部平台)与驿站数,每站人数高的区县是新建驿站的优先地点。人数被隐藏的区县排在最后:

# %%
riders = sql(
    """
    select district_code, kpi_value as riders
    from fct_kpi_monthly
    where kpi_id = 'workforce_active' and area_level = 'district'
      and group_code is null and platform_code is null and month_start = ?
""",
    [latest],
)
by_district = (
    by_street.groupby(["district_code", "district_name"])[["stations", "scenes"]]
    .sum()
    .reset_index()
    .merge(riders, how="left")
)
by_district["riders_per_station"] = by_district["riders"] / by_district["stations"].where(
    by_district["stations"] > 0
)
print(
    "相关系数(在岗人数 vs 驿站数):", round(by_district["riders"].corr(by_district["stations"]), 2)
)
by_district.sort_values("riders_per_station", ascending=False, na_position="last")

# %% [markdown]
# 覆盖率最低的街道(有友好场景的):

# %%
by_street[by_street["scenes"] >= 3].sort_values("coverage_15min").head(10)
