"""The leadership dashboards (Streamlit)."""
