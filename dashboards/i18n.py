"""The dashboards' interface text in Chinese (default) and English."""

from __future__ import annotations

import streamlit as st

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"zh": "小哥友好城市 指标仓", "en": "Courier-Friendly City KPIs"},
    "overview": {"zh": "总览", "en": "Overview"},
    "language": {"zh": "语言 / Language", "en": "语言 / Language"},
    "month": {"zh": "月份", "en": "Month"},
    "district": {"zh": "区县", "en": "District"},
    "whole_city": {"zh": "全市", "en": "Whole city"},
    "no_data": {
        "zh": "还没有已发布的数据。请先运行 `xiaoge demo`,或 `xiaoge ingest` 后 `xiaoge build`。",
        "en": "No data has been published yet. Run `xiaoge demo`, or `xiaoge ingest` then `xiaoge build`.",
    },
    "mom": {"zh": "较上月", "en": "vs last month"},
    "trend_title": {"zh": "{name}(按月)", "en": "{name} by month"},
    "by_district_title": {"zh": "{name}:各区县({month})", "en": "{name} by district ({month})"},
    "build": {
        "zh": "数据版本 {build_id},构建于 {built_at}",
        "en": "Build {build_id}, built {built_at}",
    },
}


def lang() -> str:
    return st.session_state.get("lang", "zh")


def t(key: str, **values: object) -> str:
    return TEXT[key][lang()].format(**values)
