"""Shared settings of the access tests: the app, a district, a login provider's secrets and an
access file with one user per role."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")
XIHU = "330106"
AUTH = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "a-test-cookie-secret-that-is-long-enough",
        "client_id": "xiaoge",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}
ACCESS = f"""
users:
  leader@hz.example: city
  xihu@hz.example: district:{XIHU}
  Analyst@HZ.example: analyst
"""


def start_app(
    monkeypatch: pytest.MonkeyPatch, home: Path, user: dict | None, auth: bool = True
) -> AppTest:
    """The app over `home`, with a login provider configured (unless `auth` is false) and
    `user` signed in (None: nobody)."""
    monkeypatch.setenv("XIAOGE_HOME", str(home))
    at = AppTest.from_file(APP, default_timeout=60)
    if auth:
        at.secrets = AUTH
    if user is not None:
        at.user = user
    return at.run()
