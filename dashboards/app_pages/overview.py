"""总览: headline KPI cards and the party-organisation trend."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, data
from dashboards.filters import sidebar
from dashboards.format import change, number, percent
from dashboards.i18n import lang, t

HEADLINE_KPI = "party_orgs"

filters = sidebar()
st.title(t("app_title"))

if filters is None:
    st.info(t("no_data"))
    st.stop()

catalogue = data.catalogue()
name_column = "name_zh" if lang() == "zh" else "name_en"
definition_column = "definition_zh" if lang() == "zh" else "definition_en"
area = filters.district_name or t("whole_city")
st.subheader(f"{area} · {filters.month}")

cards = st.columns(min(4, len(catalogue)) or 1)
for index, kpi in enumerate(catalogue.itertuples(index=False)):
    series = data.kpi_series(kpi.kpi_id, filters.district_code)
    upto = series[series["month"] <= filters.month]
    current = upto["value"].iloc[-1] if not upto.empty else None
    previous = upto["value"].iloc[-2] if len(upto) > 1 else None
    show = (
        percent if kpi.value_kind == "rate" else (lambda v, unit=kpi.unit: number(v, unit, lang()))
    )
    delta = change(current, previous)
    with cards[index % len(cards)]:
        st.metric(
            label=getattr(kpi, name_column),
            value=show(current),
            delta=None if delta is None else f"{delta:+,.0f} {t('mom')}",
            help=getattr(kpi, definition_column),
            border=True,
        )

headline = catalogue.set_index("kpi_id").loc[HEADLINE_KPI]
headline_name = headline[name_column]
series = data.kpi_series(HEADLINE_KPI, filters.district_code)
st.plotly_chart(
    charts.trend_line(series, t("trend_title", name=headline_name), headline_name),
    width="stretch",
    config={"displaylogo": False},
)
if filters.district_code is None:
    by_district = data.kpi_by_district(HEADLINE_KPI, filters.month)
    district_names = "district_name" if lang() == "zh" else "district_name_pinyin"
    st.plotly_chart(
        charts.district_bars(
            by_district,
            t("by_district_title", name=headline_name, month=filters.month),
            district_names,
        ),
        width="stretch",
        config={"displaylogo": False},
    )

info = data.build_info()
st.caption(t("build", build_id=info["build_id"], built_at=str(info["built_at"])[:19]))
