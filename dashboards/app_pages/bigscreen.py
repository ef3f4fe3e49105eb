"""大屏: the overview for a command-centre wall, dark and large, rotating through the themes."""

import streamlit as st

from dashboards import data
from dashboards.i18n import lang
from dashboards.views import PLOT_CONFIG, start_page
from warehouse.present import charts
from warehouse.present.format import value

ROTATE_SECONDS = 20

st.markdown(
    """
    <style>
    .stApp, header { background: #0b1a33 !important; color: #f5f5f5; }
    section[data-testid="stSidebar"] { display: none; }
    [data-testid="stMetricValue"] { font-size: 3.2rem; color: #ffd166; }
    [data-testid="stMetricLabel"] p { font-size: 1.3rem; color: #f5f5f5; }
    h1, h2 { color: #f5f5f5 !important; }
    </style>
    """,
    unsafe_allow_html=True,
)
scope = start_page()
themes = data.themes()


@st.fragment(run_every=ROTATE_SECONDS)
def rotating_theme() -> None:
    position = st.session_state.get("bigscreen_position", -1) + 1
    st.session_state["bigscreen_position"] = position
    theme = themes.iloc[position % len(themes)]
    st.title(f"{theme[f'name_{lang()}']} · {scope.month}")
    headline = data.headline(scope, theme["theme"])
    slots = st.columns(max(1, min(4, len(headline))))
    for index, kpi in enumerate(headline.itertuples(index=False)):
        with slots[index % len(slots)]:
            st.metric(
                getattr(kpi, f"name_{lang()}"),
                value(kpi.value, kpi.value_kind, kpi.unit, lang(), kpi.value_suppressed),
            )
    if not headline.empty:
        first = headline.iloc[0]
        series = data.series(first["kpi_id"], scope)
        figure = charts.trend_line(
            series,
            first[f"name_{lang()}"],
            first[f"name_{lang()}"],
            first["value_kind"],
            height=420,
            dark=True,
        )
        st.plotly_chart(figure, width="stretch", config=PLOT_CONFIG, key=f"bigscreen-{position}")


rotating_theme()
