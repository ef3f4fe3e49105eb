"""The filters in the sidebar, drawn once by the app entry and kept across pages."""

from __future__ import annotations

import streamlit as st

from dashboards import data
from dashboards.auth import require_viewer
from dashboards.i18n import lang, t

KEYS = ("month", "district_code", "group_code", "platform_code")


def sidebar() -> None:
    """Draw the language switch and, once data is published, the month/area/group filters."""
    st.sidebar.radio(
        t("language"),
        options=["zh", "en"],
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        key="lang",
        horizontal=True,
    )
    if not data.is_published():
        return
    months = data.months()
    if st.session_state.get("month") not in months:
        st.session_state["month"] = months[-1]
    st.sidebar.selectbox(t("month"), options=months, key="month")

    districts = data.districts()
    # 未知区县 has rows in district charts, but is not a place to filter the pages to
    districts = districts[districts["district_kind"] != "unknown"]
    names = dict(
        zip(districts["district_code"], districts[_name_column("district_name")], strict=True)
    )
    own = require_viewer().district_code
    if own is not None:  # a district role: its own district, no whole-city option
        st.session_state["district_code"] = own
    elif st.session_state.get("district_code") not in (None, *names):
        st.session_state["district_code"] = None
    st.sidebar.selectbox(
        t("district"),
        options=[own] if own is not None else [None, *names],
        format_func=lambda code: t("whole_city") if code is None else names[code],
        key="district_code",
    )
    groups = data.groups()
    group_names = dict(
        zip(
            groups["group_code"],
            groups["group_name" if lang() == "zh" else "group_name_en"],
            strict=True,
        )
    )
    st.sidebar.selectbox(
        t("group"),
        options=[None, *group_names],
        format_func=lambda code: t("all") if code is None else group_names[code],
        key="group_code",
    )
    platforms = data.platforms()
    group = st.session_state.get("group_code")
    if group is not None:
        platforms = platforms[platforms["group_code"] == group]
    platform_names = dict(
        zip(
            platforms["platform_code"],
            platforms["platform_name" if lang() == "zh" else "platform_name_en"],
            strict=True,
        )
    )
    if st.session_state.get("platform_code") not in (None, *platform_names):
        st.session_state["platform_code"] = None
    st.sidebar.selectbox(
        t("platform"),
        options=[None, *platform_names],
        format_func=lambda code: t("all") if code is None else platform_names[code],
        key="platform_code",
    )


def _name_column(base: str) -> str:
    return base if lang() == "zh" else f"{base}_pinyin"


def current() -> data.Scope | None:
    """The scope the filters select, or None while nothing is published."""
    if not data.is_published() or "month" not in st.session_state:
        return None
    return data.restrict(data.Scope(*(st.session_state.get(key) for key in KEYS)))


def district_label(scope: data.Scope) -> str:
    if scope.district_code is None:
        return t("whole_city")
    districts = data.districts().set_index("district_code")
    return districts.loc[scope.district_code, _name_column("district_name")]


def drill_into(district_code: str) -> None:
    """Filter every page to one district (from a click on a chart)."""
    own = require_viewer().district_code
    st.session_state["district_code"] = own if own is not None else district_code


def drill_from_chart(chart_key: str) -> None:
    """A click on a district in a chart (bars or map) filters every page to it. Used as the
    chart's on_select callback: it runs before the page draws the sidebar, the only time the
    district filter may be set."""
    selection = st.session_state[chart_key]["selection"]
    codes = [point.get("customdata") for point in selection["points"]]
    codes = [code for code in codes if code]
    if codes:
        drill_into(codes[0])
