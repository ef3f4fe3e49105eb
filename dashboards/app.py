"""Entry point: `streamlit run dashboards/app.py` (or `xiaoge serve`).

Draws the shared sidebar (language and filters, kept across pages) and the navigation; the
theme pages come from the themes seed, in its order. No page icons: Streamlit's Material
icons load a web font from the internet, and the intranet has none.

Before anything else it checks who is looking (login, or the demo's local mode with a
banner; see dashboards/auth.py). The data-quality and model-docs pages are for analysts only.
Every page view goes to the access log ($XIAOGE_HOME/logs/access.jsonl).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards.auth import gate
from dashboards.filters import current, sidebar
from dashboards.i18n import lang, t
from warehouse.access import log_access
from warehouse.config import SEEDS_DIR, home, restrict_new_files
from warehouse.errors import UserError

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(page_title="小哥友好城市 指标仓", page_icon="🛵", layout="wide")
try:
    # The access log is written under the home: with the home's modes also when Streamlit
    # was started directly (`streamlit run`) rather than by `xiaoge serve`.
    restrict_new_files()
except UserError as error:
    st.error(str(error))
    st.stop()
viewer = gate()
sidebar()

themes = pd.read_csv(SEEDS_DIR / "kpi_themes.csv").sort_values("page_order")
theme_pages = [
    st.Page(
        PAGES / f"{row.theme}.py",
        title=getattr(row, f"name_{lang()}"),
        url_path=row.theme,
    )
    for row in themes.itertuples(index=False)
]
navigation = st.navigation(
    {
        t("app_title"): [
            st.Page(
                PAGES / "overview.py",
                title=t("overview"),
                url_path="overview",
                default=True,
            ),
            *theme_pages,
        ],
        t("operations"): [
            st.Page(
                PAGES / "reports.py",
                title=t("reports"),
                url_path="reports",
            ),
            *(
                [st.Page(PAGES / "quality.py", title=t("quality"), url_path="quality")]
                if viewer.role.sees_quality
                else []
            ),
            st.Page(
                PAGES / "dictionary.py",
                title=t("dictionary"),
                url_path="dictionary",
            ),
            *(
                [st.Page(PAGES / "model_docs.py", title=t("model_docs"), url_path="model-docs")]
                if viewer.role.sees_model_docs
                else []
            ),
            st.Page(
                PAGES / "bigscreen.py",
                title=t("bigscreen"),
                url_path="bigscreen",
            ),
        ],
    },
    # An analyst has 13 pages; past 12 Streamlit would fold some under "View more".
    expanded=True,
)
scope = current()
viewed = (navigation.url_path or "overview", scope)
if st.session_state.get("_last_logged") != viewed:  # a page view, not every widget rerun
    st.session_state["_last_logged"] = viewed
    log_access(home(), viewer, "page", viewed[0], {} if scope is None else vars(scope))
navigation.run()
