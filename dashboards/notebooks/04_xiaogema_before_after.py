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
# # 小哥码:上线前后
#
# 小哥码 2024 年 7 月上线,打通 6 大平台。看上线前后接入平台数、注册率,以及上线后每单节省时间和注册骑手的月增收。数据来自公开集市 `fct_kpi_monthly` 的 `xiaogema_*` 指标(增收按指标目录的定义,比较注册与未注册骑手,不读个人数据);上线前没有通行和增收数据,为空值。

# %%
import pandas as pd
import plotly.express as px

from warehouse.workbench import kpi

# %%
launch = pd.Timestamp("2024-07-01")
indicators = [
    "xiaogema_platforms",
    "xiaogema_registration_rate",
    "xiaogema_minutes_saved_per_order",
    "xiaogema_income_uplift_yuan",
]
summary = pd.DataFrame(
    {k: kpi(k, group="delivery").set_index("month_start")["value"] for k in indicators}
)
summary.index = pd.to_datetime(summary.index)
assert summary.loc[summary.index < launch, "xiaogema_platforms"].fillna(0).eq(0).all()
summary["period"] = ["上线后" if m >= launch else "上线前" for m in summary.index]
summary.groupby("period")[indicators].mean()

# %%
px.line(
    summary.reset_index(),
    x="month_start",
    y="xiaogema_income_uplift_yuan",
    title="注册骑手比未注册骑手的月增收",
    labels={"xiaogema_income_uplift_yuan": "月增收(元)", "month_start": "月份"},
)

# %%
px.line(
    summary.reset_index(),
    x="month_start",
    y="xiaogema_registration_rate",
    title="小哥码注册率(一线外卖骑手)",
    labels={"xiaogema_registration_rate": "注册率", "month_start": "月份"},
)

# %%
summary.tail(12)
