"""模型文档: dbt's documentation site (models, columns, tests, lineage), for analysts only.

Drawn inside the analyst's session from the file `xiaoge docs` writes under the home, never
served as a static file: a URL the server hands out would reach anyone who has it, signed in
or not (docs/access.md). `?model=<name>` opens the site at that model (the KPI dictionary
links here).
"""

import re

import streamlit as st

from dashboards.auth import require_viewer
from dashboards.i18n import t
from warehouse.config import docs_site, home

st.title(t("model_docs"))
# The page is only in an analyst's navigation; this check keeps it so if that ever changes.
if not require_viewer().role.sees_model_docs:
    st.error(t("analysts_only"))
    st.stop()
site = docs_site(home())
if not site.exists():
    st.info(t("no_model_docs"))
    st.stop()
html = site.read_text(encoding="utf-8")
model = st.query_params.get("model", "")
if re.fullmatch(r"[a-z][a-z0-9_]*", model):  # a model name, so nothing else reaches the script
    # dbt's docs route by the URL fragment: set it before the site's own script reads it.
    opener = f"<script>location.hash = '#!/model/model.xiaoge.{model}';</script>"
    html = html.replace("<head>", "<head>" + opener, 1)
st.iframe(html, height=900, alt=t("model_docs"))
