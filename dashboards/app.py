"""Entry point: `streamlit run dashboards/app.py` (or `xiaoge serve`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboards.i18n import t

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(page_title="小哥友好城市 指标仓", page_icon="🛵", layout="wide")

navigation = st.navigation(
    [
        st.Page(
            PAGES / "overview.py", title=t("overview"), icon="📊", url_path="overview", default=True
        ),
    ]
)
navigation.run()
