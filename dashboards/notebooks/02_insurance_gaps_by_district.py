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
# # 参保缺口:按区县
#
# 各区县一线外卖骑手养老、医疗、工伤与职业伤害保障的参保率,找出缺口最大的区县。数据来自公开集市 `fct_kpi_monthly`;人数过少的区县,参保率已按披露控制规则隐藏(空值),表中显示为“—”,不参与排序。

# %%
import plotly.express as px

from warehouse.workbench import kpi, sql

# %%
latest = sql("select max(month_start) as m from fct_kpi_monthly")["m"].iloc[0]
rates = sql(
    """
    select k.kpi_id, c.name_zh, d.district_name, k.kpi_value as rate, k.numerator, k.denominator
    from fct_kpi_monthly as k
    join dim_kpi as c using (kpi_id)
    join dim_district as d using (district_code)
    where k.kpi_id like 'insurance_rate_%' and k.area_level = 'district'
      and k.group_code = 'delivery' and k.platform_code is null and k.month_start = ?
""",
    [latest],
)
table = rates.pivot_table(index="district_name", columns="name_zh", values="rate", dropna=False)
table.style.format("{:.1%}", na_rep="—")

# %%
city = {
    kpi_id: kpi(kpi_id, group="delivery").iloc[-1]["value"] for kpi_id in rates["kpi_id"].unique()
}
rates["gap_to_city"] = rates["rate"] - rates["kpi_id"].map(city)
gaps = rates.dropna(subset=["gap_to_city"]).sort_values("gap_to_city").groupby("name_zh").head(3)
gaps[["name_zh", "district_name", "rate", "gap_to_city", "denominator"]]

# %%
px.bar(
    rates.dropna(subset=["rate"]),
    x="district_name",
    y="rate",
    color="name_zh",
    barmode="group",
    title="各区县一线外卖骑手参保率",
    labels={"rate": "参保率", "district_name": "区县", "name_zh": "险种"},
)
