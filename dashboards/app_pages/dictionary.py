"""指标说明: every KPI of the catalogue with its definition, unit, source model and lineage."""

import streamlit as st

from dashboards import data
from dashboards.i18n import lang, t
from dashboards.views import download_csv, start_page
from warehouse.build import DOCS_STATIC

scope = start_page()
st.title(t("dictionary"))
catalogue = data.catalogue()
themes = data.themes().set_index("theme")[f"name_{lang()}"]
docs_site = DOCS_STATIC.exists()
for theme, kpis in catalogue.groupby("theme", sort=False):
    st.subheader(themes.get(theme, theme))
    for kpi in kpis.itertuples(index=False):
        with st.expander(f"{getattr(kpi, f'name_{lang()}')} · `{kpi.kpi_id}`"):
            st.write(getattr(kpi, f"definition_{lang()}"))
            lineage = f"`{kpi.source_model}` → `fct_kpi_monthly`"
            if docs_site:  # dbt's docs, served by the app (`xiaoge docs` writes them)
                lineage = f"[{kpi.source_model}](/app/static/dbt_docs.html#!/model/model.xiaoge.{kpi.source_model}) → `fct_kpi_monthly`"
            st.markdown(f"**{t('lineage')}**: {lineage} · {kpi.unit or ''} · {kpi.value_kind}")
download_csv(catalogue, "kpi_catalogue", "catalogue")
