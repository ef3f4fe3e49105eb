"""指标说明: every KPI of the catalogue with its definition, unit, source model and lineage,
then the terms the definitions share."""

import streamlit as st

from dashboards import data
from dashboards.auth import require_viewer
from dashboards.i18n import lang, t
from dashboards.views import download_csv, start_page
from warehouse.config import docs_site, home

scope = start_page()
st.title(t("dictionary"))
st.info(t("status_rule"))  # how every card's 三色 status is given (fct_kpi_status)
catalogue = data.catalogue()
themes = data.themes().set_index("theme")[f"name_{lang()}"]
# Lineage links into dbt's docs only for analysts, the only role whose navigation has them.
linked = require_viewer().role.sees_model_docs and docs_site(home()).exists()
for theme, kpis in catalogue.groupby("theme", sort=False):
    st.subheader(themes.get(theme, theme))
    for kpi in kpis.itertuples(index=False):
        with st.expander(f"{getattr(kpi, f'name_{lang()}')} · `{kpi.kpi_id}`"):
            st.write(getattr(kpi, f"definition_{lang()}"))
            lineage = f"`{kpi.source_model}` → `fct_kpi_monthly`"
            if linked:  # the analysts' model-docs page, opened at this model
                lineage = (
                    f"[{kpi.source_model}](model-docs?model={kpi.source_model}) → `fct_kpi_monthly`"
                )
            st.markdown(f"**{t('lineage')}**: {lineage} · {kpi.unit or ''} · {kpi.value_kind}")
download_csv(catalogue, "kpi_catalogue", "catalogue")

# The shared terms the definitions name in 【】 (dim_kpi_term).
terms = data.terms()
if not terms.empty:
    st.subheader(t("terms"))
    st.caption(t("terms_note"))
    st.table(
        terms[[f"name_{lang()}", f"definition_{lang()}"]].set_axis(
            [t("term_name"), t("term_definition")], axis="columns"
        ),
        hide_index=True,
    )
