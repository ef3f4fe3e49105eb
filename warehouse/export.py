"""The monthly KPI pack: frozen, versioned folders under exports/<month>/v<N>/.

A district's pack lives under exports/<month>/district-<code>/v<N>/.

A pack is never rewritten. Exporting a month whose numbers equal the latest pack's writes
nothing; different numbers (a late correction was loaded) make a new version.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from warehouse import __version__
from warehouse.config import Home
from warehouse.errors import UserError
from warehouse.published import available_months, build_info, query

NUMBERS_FILE = "kpis.csv"


@dataclass(frozen=True)
class ExportOutcome:
    folder: Path
    version: int
    created: bool
    message: str


def kpi_rows(home: Home, month: str, district: str | None) -> pd.DataFrame:
    """The month's KPI rows in long format, city-wide and per district (or one district)."""
    return query(
        home,
        """
        select k.kpi_id, c.name_zh as kpi_name, strftime(k.month_start, '%Y-%m') as month,
               coalesce(d.district_name, '全市') as area, k.district_code, k.group_code,
               k.platform_code, k.kpi_value as value, k.numerator, k.denominator, c.unit
        from fct_kpi_monthly as k
        join kpi_catalogue as c using (kpi_id)
        left join dim_district as d using (district_code)
        where strftime(k.month_start, '%Y-%m') = ?
          and (? is null or k.district_code = ?)
        order by k.kpi_id, k.area_level, k.district_code nulls first, k.group_code, k.platform_code
        """,
        [month, district, district],
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(home: Home, month: str | None, district: str | None = None) -> ExportOutcome:
    months = available_months(home)
    if month not in months:
        raise UserError(f"没有 {month} 的数据:已发布的月份为 {months[0]} 至 {months[-1]}")
    rows = kpi_rows(home, month, district)
    if rows.empty:
        raise UserError(f"区县代码 {district} 在 {month} 没有指标数据:请检查代码")
    base = (
        home.exports / month if district is None else home.exports / month / f"district-{district}"
    )
    existing = sorted(int(p.name[1:]) for p in base.glob("v*") if p.name[1:].isdigit())
    with tempfile.TemporaryDirectory(dir=home.exports, prefix=".export-") as tmp:
        staging = Path(tmp) / "pack"
        staging.mkdir()
        numbers = staging / NUMBERS_FILE
        rows.to_csv(numbers, index=False, encoding="utf-8-sig")
        if existing:
            latest = base / f"v{existing[-1]}"
            if _sha256(latest / NUMBERS_FILE) == _sha256(numbers):
                return ExportOutcome(
                    latest,
                    existing[-1],
                    False,
                    f"{month} 的数字没有变化,已由 {latest} 保存,未写新版本",
                )
        version = (existing[-1] + 1) if existing else 1
        manifest = {
            "month": month,
            "district_code": district,
            "version": version,
            **build_info(home),
            "tool_version": __version__,
            "files": {p.name: _sha256(p) for p in sorted(staging.iterdir())},
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        target = base / f"v{version}"
        base.mkdir(parents=True, exist_ok=True)
        os.rename(staging, target)  # a pack appears whole or not at all
    shutil.rmtree(Path(tmp), ignore_errors=True)
    return ExportOutcome(target, version, True, f"已导出 {month} 第 {version} 版 -> {target}")
