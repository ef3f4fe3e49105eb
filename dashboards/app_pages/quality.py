"""数据质量: freshness per source, quarantined rows and why, the latest audit and its report."""

import pandas as pd
import streamlit as st

from dashboards import data
from dashboards.i18n import t
from dashboards.views import build_caption, download_csv, start_page

scope = start_page()
st.title(t("quality"))
report = data.operations_status()
published, last = report["published"], report["last_build"]

st.metric(t("published_build"), published["build_id"], help=str(published["built_at"]), border=True)
st.subheader(t("audit"))
if last and last["status"] == "failed":
    st.error(t("audit_failed", build_id=last["build_id"], message=last["message"]))
audit = published.get("audit") or {}
if audit:
    st.success(t("audit_passed", checks=audit["checks"], warnings=audit["warnings"]))
    for message in audit["messages"]:
        st.warning(message)
    if audit.get("data_docs"):
        st.markdown(f"[{t('data_docs')}](file://{audit['data_docs']})  \n`{audit['data_docs']}`")

if report["held"]:
    st.subheader(t("held_corrections"))
    for item in report["held"]:
        st.warning(
            t(
                "held_correction",
                file=item["file_path"],
                before=item["current_rows_accepted"],
                after=item["rows_accepted"],
                reason=item["reason"],
                command=item["command"],
            )
        )

st.subheader(t("sources"))
sources = pd.DataFrame(report["sources"])
st.dataframe(sources, hide_index=True, width="stretch")
download_csv(sources, "sources", "sources")

st.subheader(t("quarantine"))
reasons = data.quarantine_reasons()
st.dataframe(reasons, hide_index=True, width="stretch")
download_csv(reasons, "quarantine_reasons", "quarantine")
build_caption()
