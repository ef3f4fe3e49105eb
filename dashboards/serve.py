"""What `xiaoge serve` runs: the dashboards (app.py) as Streamlit's ASGI app, behind the
session gate (dashboards/session_gate.py) that keeps downloads and files from visitors without
a session.

`streamlit run dashboards/serve.py` finds `app` below and serves it with uvicorn, taking the
same options (port, address, secrets files) as `streamlit run dashboards/app.py` would.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from dashboards.session_gate import SessionGate

app = st.App(Path(__file__).with_name("app.py"), middleware=[Middleware(SessionGate)])
