"""月度报告: the exported monthly packs, each file ready to download."""

from pathlib import Path

import streamlit as st

from dashboards import data
from dashboards.i18n import t
from dashboards.views import start_page

MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".json": "application/json",
    ".parquet": "application/octet-stream",
    ".png": "image/png",
}

scope = start_page()
st.title(t("reports"))
packs = data.exports()
if packs.empty:
    st.info(t("no_packs"))
for pack in packs.sort_values(["month", "version"], ascending=False).itertuples(index=False):
    area = t("whole_city") if pack.district_code is None else pack.district_code
    with st.expander(
        t("pack_title", month=pack.month, area=area, version=pack.version), expanded=False
    ):
        st.caption(pack.build_id)
        folder = Path(pack.folder)
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = file.relative_to(folder).as_posix()
            st.download_button(
                name,
                data=file.read_bytes(),
                file_name=f"{pack.month}_v{pack.version}_{file.name}",
                mime=MIME.get(file.suffix, "application/octet-stream"),
                key=f"{pack.folder}/{name}",
            )
