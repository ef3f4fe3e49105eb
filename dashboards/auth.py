"""Who is looking: OIDC login through `st.login`, or the demo's local mode.

Local mode (no login, everything visible, a banner on every page) is on only when no secrets
file has an `[auth]` section. There is no switch to turn it on: once a provider is
configured, every visitor must log in, and only users listed in the access file get in. A
secrets file that exists but cannot be read locks the app rather than opening it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import streamlit as st

from dashboards.i18n import t
from warehouse.access import LOCAL_VIEWER, Viewer, role_for
from warehouse.config import home
from warehouse.errors import UserError


class AccessDenied(RuntimeError):
    """Raised by the data module when nobody with a role is signed in."""


def _secrets_files() -> list[Path]:
    from streamlit import config

    return [Path(entry) for entry in config.get_option("secrets.files") or []]


def auth_configured() -> bool:
    """Whether a login provider is configured (an `[auth]` section in any secrets file)."""
    for path in _secrets_files():
        if path.is_file():
            try:
                parsed = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return True  # fail closed: an unreadable secrets file never means "no login"
            if "auth" in parsed:
                return True
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets at all
        return False


def viewer() -> Viewer | None:
    """The signed-in user with a role, local mode's viewer, or None (no access)."""
    if not auth_configured():
        return LOCAL_VIEWER
    if not st.user.is_logged_in:
        return None
    try:
        name, role = role_for(st.user.to_dict(), home())
    except UserError:
        return None  # a broken access file grants nothing
    return None if role is None else Viewer(name, role)


def require_viewer() -> Viewer:
    """For the data module: the viewer, or AccessDenied. No query runs without one."""
    found = viewer()
    if found is None:
        raise AccessDenied("no signed-in user with a role")
    return found


def gate() -> Viewer:
    """Draw the login page or the no-access message and stop, or return the viewer."""
    if not auth_configured():
        st.warning(t("local_mode_banner"))
        return LOCAL_VIEWER
    if not st.user.is_logged_in:
        st.title(t("app_title"))
        st.info(t("login_needed"))
        st.button(t("login"), on_click=st.login, type="primary", key="login")
        st.stop()
    try:
        name, role = role_for(st.user.to_dict(), home())
    except UserError as error:
        st.error(t("access_file_broken", error=str(error)))
        st.stop()
    if role is None:
        st.title(t("app_title"))
        st.error(t("no_access", user=name))
        st.button(t("logout"), on_click=st.logout, key="logout")
        st.stop()
    signed_in = Viewer(name, role)
    st.sidebar.caption(t("signed_in_as", user=name, role=str(role)))
    st.sidebar.button(t("logout"), on_click=st.logout, key="logout")
    return signed_in
