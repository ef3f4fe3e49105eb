"""The district map: a KPI across the 13 districts, by value or by 三色 status; a click on a
district filters every page to it, as a click on its bar does."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import data, filters
from dashboards.i18n import lang, pick, t
from warehouse import kpi_status
from warehouse.present import maps

# no wheel zoom: the page scrolls past the map
MAP_CONFIG = {
    "displaylogo": False,
    "scrollZoom": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
LAYERS = ("value", "status")
STATUS_COLUMNS = ("status", "status_colour", "status_name_zh", "status_suppressed")


def kpi_map(kpi: pd.Series, scope: data.Scope, key: str) -> None:
    """The chosen KPI's map with its layer switch (数值 / 三色状态); the whole city's view
    only, as the district bars are."""
    if scope.district_code is not None:
        return
    frame = data.district_map_values(kpi["kpi_id"], scope)
    if frame.empty:
        return
    layer = st.radio(
        t("map_layer"),
        options=LAYERS,
        format_func=lambda code: t(f"map_layer_{code}"),
        horizontal=True,
        key=f"map-layer-{key}",
    )
    name = pick(kpi, "name")
    name_column = "district_name" if lang() == "zh" else "district_name_pinyin"
    title = t("map_title", name=name, month=scope.month)
    if layer == "value":
        # the scale's unit: % for rates, else the catalogue's Chinese unit (none in English)
        unit = "%" if kpi["value_kind"] == "rate" else kpi["unit"] if lang() == "zh" else ""
        figure = maps.value_map(
            frame,
            title,
            t("map_scale", name=name, unit=unit) if unit else name,
            name_column,
            kpi["value_kind"],
            kpi["unit"],
            lang(),
        )
    else:
        frame = _with_status(frame)
        if frame["status"].isna().all():
            st.caption(t("map_no_status"))
        figure = maps.status_map(
            frame,
            title,
            name_column,
            kpi["value_kind"],
            {"none": t("map_no_status"), "hidden": t("status_hidden")},
            kpi["unit"],
            lang(),
        )
    chart_key = f"map-{key}-{layer}"
    st.plotly_chart(
        figure,
        width="stretch",
        config=MAP_CONFIG,
        key=chart_key,
        on_select=lambda: filters.drill_from_chart(chart_key),
        selection_mode="points",
    )
    st.caption(t("map_hint"))


def _with_status(frame: pd.DataFrame) -> pd.DataFrame:
    """The districts' status columns; none known where the figures carry no status yet.
    In English the status words are the interface's, not the mart's Chinese."""
    frame = frame.copy()
    for column in STATUS_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    if lang() != "zh":
        frame["status_name_zh"] = frame["status"].map(
            lambda code: status.name_en if (status := kpi_status.known(code)) else None
        )
    return frame


def overview_map(headline: pd.DataFrame, scope: data.Scope) -> None:
    """The overview's map: a KPI chosen from those reported this month."""
    if scope.district_code is not None:
        return
    reported = headline[headline["reported"]]
    if reported.empty:
        return
    st.subheader(t("map_heading"))
    names = dict(zip(reported["kpi_id"], reported[f"name_{lang()}"], strict=True))
    # it opens on the first of the programme's goals (a KPI with a target)
    goals = [i for i, has in enumerate(reported["has_target"].fillna(False)) if has]
    chosen = st.selectbox(
        t("choose_kpi"),
        options=list(names),
        index=goals[0] if goals else 0,
        format_func=names.get,
        key="map-kpi-overview",
    )
    kpi = reported.set_index("kpi_id").loc[chosen].copy()
    kpi["kpi_id"] = chosen
    kpi_map(kpi, scope, "overview")
