"""Entry point: `streamlit run dashboards/app.py` (or `xiaoge serve`).

Draws the shared sidebar (language and filters, kept across pages) and the navigation; the
theme pages come from the themes seed, in its order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards.filters import sidebar
from dashboards.i18n import lang, t
from warehouse.config import SEEDS_DIR

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(
    page_title="小哥友好城市 指标仓", page_icon=":material/two_wheeler:", layout="wide"
)
sidebar()

themes = pd.read_csv(SEEDS_DIR / "kpi_themes.csv").sort_values("page_order")
theme_pages = [
    st.Page(
        PAGES / f"{row.theme}.py",
        title=getattr(row, f"name_{lang()}"),
        icon=row.icon,
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
                icon=":material/dashboard:",
                url_path="overview",
                default=True,
            ),
            *theme_pages,
        ],
        t("operations"): [
            st.Page(
                PAGES / "reports.py",
                title=t("reports"),
                icon=":material/inventory_2:",
                url_path="reports",
            ),
            st.Page(
                PAGES / "quality.py",
                title=t("quality"),
                icon=":material/fact_check:",
                url_path="quality",
            ),
            st.Page(
                PAGES / "dictionary.py",
                title=t("dictionary"),
                icon=":material/menu_book:",
                url_path="dictionary",
            ),
            st.Page(
                PAGES / "bigscreen.py",
                title=t("bigscreen"),
                icon=":material/tv:",
                url_path="bigscreen",
            ),
        ],
    }
)
navigation.run()
