"""Filters chosen in the sidebar and kept across pages (in session state)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboards import data
from dashboards.i18n import lang, t


@dataclass(frozen=True)
class Filters:
    month: str
    district_code: str | None
    district_name: str | None


def sidebar() -> Filters | None:
    """Draw the shared filters; None when nothing is published yet."""
    st.sidebar.radio(
        t("language"),
        options=["zh", "en"],
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        key="lang",
        horizontal=True,
    )
    if not data.is_published():
        return None
    months = data.months()
    if st.session_state.get("month") not in months:
        st.session_state["month"] = months[-1]
    month = st.sidebar.selectbox(t("month"), options=months, key="month")
    districts = data.districts()
    name_column = "district_name" if lang() == "zh" else "district_name_pinyin"
    names = dict(zip(districts["district_code"], districts[name_column], strict=True))
    district_code = st.sidebar.selectbox(
        t("district"),
        options=[None, *names],
        format_func=lambda code: t("whole_city") if code is None else names[code],
        key="district_code",
    )
    return Filters(month, district_code, names.get(district_code) if district_code else None)
