"""Who may see what: roles from the operator's access file, the scoped query, the access log.

The access file (`$XIAOGE_HOME/access.yml`, or the path in `XIAOGE_ACCESS_FILE`) maps a
user's e-mail address (or OIDC subject) to a role:

    users:
      leader@hz.gov.cn: city
      xihu@hz.gov.cn: district:330106
      analyst@hz.gov.cn: analyst

`city` sees everything; `district:<code>` sees its own district only; `analyst` sees
everything plus the data-quality page. A user who is not listed has no access.

`scoped_query` is the one way the dashboards and exports read the published warehouse: it
hides small person counts (warehouse.privacy) and, for a district role, replaces every table
with a `district_code` column by that district's rows, bound as a parameter, before the
query runs, so a query that forgets the district still cannot see another one.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from warehouse.config import SEEDS_DIR, Home
from warehouse.errors import UserError
from warehouse.published import read_only

ACCESS_FILE_ENV = "XIAOGE_ACCESS_FILE"
ROLES = ("city", "analyst", "district:<code>")


@dataclass(frozen=True)
class Role:
    """`city`, `analyst` or `district` (with its district code)."""

    kind: str
    district_code: str | None = None

    @property
    def sees_quality(self) -> bool:
        return self.kind == "analyst"

    def __str__(self) -> str:
        return f"district:{self.district_code}" if self.kind == "district" else self.kind


@dataclass(frozen=True)
class Viewer:
    """A signed-in user (or the demo's local mode) and their role."""

    user: str
    role: Role
    local: bool = False

    @property
    def district_code(self) -> str | None:
        return self.role.district_code


LOCAL_VIEWER = Viewer("local-mode", Role("analyst"), local=True)


def access_file(home: Home) -> Path:
    return Path(os.environ.get(ACCESS_FILE_ENV) or home.root / "access.yml").expanduser()


def _district_codes() -> set[str]:
    return set(pd.read_csv(SEEDS_DIR / "districts.csv", dtype=str)["district_code"])


def parse_role(text: str) -> Role:
    """'city' | 'analyst' | 'district:<code>' -> Role, or a one-line error."""
    value = str(text).strip()
    if value in ("city", "analyst"):
        return Role(value)
    if value.startswith("district:"):
        code = value.removeprefix("district:").strip()
        if code in _district_codes():
            return Role("district", code)
        raise UserError(f"角色 {value!r} 中的区县代码 {code} 不存在")
    raise UserError(f"角色 {value!r} 无效:请用 {'、'.join(ROLES)}")


def load_roles(path: Path) -> dict[str, Role]:
    """The access file's users (keys lower-cased); no file means nobody has a role."""
    import yaml

    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"权限文件 {path} 不是有效的 YAML:{exc}") from None
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, dict):
        raise UserError(f"权限文件 {path} 需要一个 users: 映射(用户 -> 角色)")
    return {str(user).strip().lower(): parse_role(role) for user, role in users.items()}


def role_for(claims: dict, home: Home) -> tuple[str, Role | None]:
    """The user's name (e-mail, else subject) and their role from the access file, if any."""
    roles = load_roles(access_file(home))
    for claim in ("email", "sub"):
        value = claims.get(claim)
        if value and str(value).strip().lower() in roles:
            return str(value), roles[str(value).strip().lower()]
    return str(claims.get("email") or claims.get("sub") or "?"), None


def viewer_for(user: str, home: Home) -> Viewer:
    """A named user's viewer (for `xiaoge export --as-user`), or a one-line error."""
    name, role = role_for({"email": user, "sub": user}, home)
    if role is None:
        raise UserError(f"用户 {user} 不在权限文件 {access_file(home)} 中,没有访问权限")
    return Viewer(name, role)


# --- the scoped, protected query --------------------------------------------------------------


def _tables_with_district(con) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select distinct table_name from information_schema.columns "
            "where column_name = 'district_code' and table_schema = 'main' "
            "and table_catalog = current_database()"
        ).fetchall()
    ]


def scoped_query(
    home: Home, sql: str, params: list | None = None, district_code: str | None = None
) -> pd.DataFrame:
    """Run a parameterised query with small counts hidden and, for a district, only its rows."""
    from warehouse.privacy import protected_rows

    lowered = sql.lower()
    # Computed (and cached) before this query's connection opens: one connection at a time.
    rows = protected_rows(home.published_db) if "fct_kpi_monthly" in lowered else None
    with read_only(home) as con:
        if rows is not None:
            if district_code is not None:  # compared as a value, never put into SQL
                rows = rows[rows["district_code"] == district_code]
            # A registered frame shadows the table, also as `main.fct_kpi_monthly`.
            con.register("fct_kpi_monthly", rows)
        if district_code is not None:
            for table in _tables_with_district(con):
                if table == "fct_kpi_monthly" or not re.search(rf"\b{table}\b", lowered):
                    continue
                # Names come from the catalogue, never from a user; the value is bound.
                con.execute(
                    f'create temp table "{table}" as '
                    f'select * from "{con_database(con)}".main."{table}" '
                    "where district_code = ?::varchar",
                    [district_code],
                )
        return con.execute(sql, params or []).df()


def con_database(con) -> str:
    return con.execute("select current_database()").fetchone()[0]


# --- the access log ---------------------------------------------------------------------------


def access_log(home: Home) -> Path:
    return home.root / "logs" / "access.jsonl"


def log_access(home: Home, viewer: Viewer, action: str, target: str, scope: dict) -> None:
    """Append who did what with which scope to logs/access.jsonl (outside the warehouse file)."""
    path = access_log(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": viewer.user,
        "role": str(viewer.role),
        "local_mode": viewer.local,
        "action": action,
        "target": target,
        "scope": {k: v for k, v in scope.items() if v is not None},
    }
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
