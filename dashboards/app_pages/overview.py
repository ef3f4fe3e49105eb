"""总览: where the programme stands this month, what changed, and the month's alerts."""

import streamlit as st

from dashboards import data, district_map
from dashboards.i18n import t
from dashboards.views import alerts, build_caption, kpi_cards, page_header, start_page, trend

scope = start_page()
page_header(t("overview"), scope)
headline = data.headline(scope)
kpi_cards(headline, scope)
# The programme's counted goals (50 party organisations, 3,025 stations: count KPIs with a
# target) get their trend in full, the first two in page order; a district's are its own.
with_target = headline[headline["has_target"] & (headline["value_kind"] == "count")]
for column, (_, kpi) in zip(
    st.columns(max(1, min(2, len(with_target)))), with_target.iterrows(), strict=False
):
    with column:
        trend(kpi, scope, f"overview-{kpi['kpi_id']}")
district_map.overview_map(headline, scope)
st.subheader(t("alerts"))
found = alerts(headline)
for alert in found:
    st.warning(alert, icon="⚠️")
if not found:
    st.success(t("no_alerts"))
build_caption()
