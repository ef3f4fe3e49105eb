"""The monthly KPI pack: frozen, versioned folders under exports/<month>/v<N>/.

A district's pack lives under exports/<month>/district-<code>/v<N>/. A pack is never rewritten:
exporting a month whose numbers equal the latest pack's writes nothing; different numbers (a
late correction was loaded) make a new version, and `diff` spells out what changed.

Every figure is read through `warehouse.access.scoped_query`, so a pack hides the same small
person counts as the dashboards ("<5" in kpis.csv, kpis.xlsx and the brief; null with a
`*_suppressed` flag in kpis.parquet), and an export made as a district user
(`--as-user`) can only be of that user's district. Each export is written to the access log.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from warehouse import __version__, names, strict_json
from warehouse.access import Role, Viewer, log_access, scoped_query
from warehouse.config import Home
from warehouse.errors import UserError
from warehouse.privacy import SUPPRESSED, shown
from warehouse.published import (
    area_targets,
    available_months,
    build_info,
    month_start,
    query,
)

NUMBERS_FILE = "kpis.csv"
LONG_COLUMNS = {
    "kpi_id": "指标代码",
    "kpi_name": "指标名称",
    "month": "月份",
    "area": "区域",
    "district_code": "区县代码",
    "group_code": "群体",
    "platform_code": "平台",
    "value": "数值",
    "numerator": "分子",
    "denominator": "分母",
    "unit": "单位",
}
THEMES_ZH = {
    "party": "组织覆盖",
    "rights": "权益保障",
    "service": "服务阵地",
    "workforce": "队伍稳定",
    "training": "技能培训",
    "xiaogema": "小哥码",
    "governance": "平安治理",
}


@dataclass(frozen=True)
class ExportOutcome:
    folder: Path
    version: int
    created: bool
    message: str


def pack_folder(home: Home, month: str, district: str | None) -> Path:
    """Where a month's (or a district's) packs live; only real names become folder names."""
    names.month(month)
    if district is not None:
        names.district(district)
    return (
        home.exports / month if district is None else home.exports / month / f"district-{district}"
    )


def pack_versions(home: Home, month: str, district: str | None) -> list[int]:
    base = pack_folder(home, month, district)
    return (
        sorted(int(p.name[1:]) for p in base.glob("v*") if p.name[1:].isdigit())
        if base.exists()
        else []
    )


def kpi_rows(home: Home, month: str, district: str | None) -> pd.DataFrame:
    """The month's KPI rows in long format: city-wide and every district, or one district.

    Small person counts are null, with `value_suppressed`, `numerator_suppressed` and
    `denominator_suppressed` saying which.
    """
    return scoped_query(
        home,
        """
        select k.kpi_id, c.name_zh as kpi_name, strftime(k.month_start, '%Y-%m') as month,
               coalesce(d.district_name, '全市') as area, k.district_code, k.group_code,
               k.platform_code, k.kpi_value as value, k.numerator, k.denominator, c.unit,
               k.value_suppressed, k.numerator_suppressed, k.denominator_suppressed
        from fct_kpi_monthly as k
        join kpi_catalogue as c using (kpi_id)
        left join dim_district as d using (district_code)
        where k.month_start = ?
          and (?::varchar is null or k.district_code = ?::varchar)
        order by k.kpi_id, k.area_level, k.district_code nulls first, k.group_code nulls first,
                 k.platform_code nulls first
        """,
        [month_start(month), district, district],
        district,
    )


def _headline(home: Home, month: str, district: str | None) -> pd.DataFrame:
    """Each catalogue KPI's headline value this month and last month, with its definition
    (and its target for a city-wide pack only)."""
    frame = scoped_query(
        home,
        """
        with rows as (
            select k.*, row_number() over (
                partition by k.kpi_id, k.month_start order by k.group_code nulls first) as pick
            from fct_kpi_monthly as k
            where k.platform_code is null
              and k.area_level = case when ?::varchar is null then 'city' else 'district' end
              and (?::varchar is null or k.district_code = ?::varchar)
        ),
        headline as (select * from rows where pick = 1)
        select c.kpi_id, c.name_zh, c.definition_zh, c.unit, c.value_kind, c.direction, c.theme,
               c.target, c.source_model, now.kpi_value as value, before.kpi_value as previous,
               coalesce(now.value_suppressed, false) as value_suppressed
        from kpi_catalogue as c
        left join headline as now on now.kpi_id = c.kpi_id and now.month_start = ?
        left join headline as before on before.kpi_id = c.kpi_id
            and before.month_start = ?::date - interval 1 month
        order by c.theme, c.kpi_id
        """,
        [district, district, district, month_start(month), month_start(month)],
        district,
    )
    return area_targets(frame, district)


def _series(home: Home, kpi_id: str, month: str, district: str | None) -> pd.DataFrame:
    return scoped_query(
        home,
        """
        select strftime(month_start, '%Y-%m') as month, kpi_value as value
        from fct_kpi_monthly
        where kpi_id = ? and platform_code is null and month_start <= ?
          and area_level = case when ?::varchar is null then 'city' else 'district' end
          and (?::varchar is null or district_code = ?::varchar)
        qualify row_number() over (partition by month_start order by group_code nulls first) = 1
        order by month_start
        """,
        [kpi_id, month_start(month), district, district, district],
        district,
    )


def _disclosure(home: Home) -> dict:
    """The publish's disclosure-control summary: cells, primary and hidden, and their shares."""
    frame = query(home, "select * from xiaoge_disclosure")
    return {k: (int(v) if float(v).is_integer() else float(v)) for k, v in frame.iloc[0].items()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _display(
    value: float | None, value_kind: str, unit: str | None, suppressed: bool = False
) -> str:
    if suppressed:
        return SUPPRESSED
    if value is None or pd.isna(value):
        return "—"
    if value_kind == "rate":
        return f"{value * 100:.1f}%"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{unit or ''}"


def write_xlsx(path: Path, rows: pd.DataFrame, headline: pd.DataFrame, meta: dict) -> None:
    """A sheet per theme, the definitions on 说明, build and audit on 元数据."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    header_font, header_fill = (
        Font(bold=True, color="FFFFFF"),
        PatternFill("solid", fgColor="C8161D"),
    )
    themes = headline.set_index("kpi_id")["theme"].to_dict()
    kinds = headline.set_index("kpi_id")["value_kind"].to_dict()

    def sheet(
        title: str, frame: pd.DataFrame, widths: dict[str, int], formats: dict[str, str]
    ) -> None:
        ws = book.create_sheet(title[:31])
        ws.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in record])
        for index, column in enumerate(frame.columns, start=1):
            cell = ws.cell(row=1, column=index)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
            ws.column_dimensions[get_column_letter(index)].width = widths.get(column, 14)
            for row in range(2, ws.max_row + 1):
                target = ws.cell(row=row, column=index)
                if column in formats:
                    target.number_format = formats[column]
        ws.freeze_panes = "A2"

    long = rows.rename(columns=LONG_COLUMNS)
    for theme in dict.fromkeys(headline["theme"]):
        theme_rows = long[long["指标代码"].map(themes) == theme].copy()
        if theme_rows.empty:
            continue
        rate = theme_rows["指标代码"].map(kinds) == "rate"
        theme_rows.loc[rate, "单位"] = "比例"
        sheet(
            THEMES_ZH.get(theme, theme),
            theme_rows,
            {"指标名称": 22, "区域": 10, "数值": 14, "分子": 14, "分母": 14},
            {"数值": "#,##0.0###", "分子": "#,##0", "分母": "#,##0"},
        )
    definitions = headline[
        ["kpi_id", "name_zh", "definition_zh", "unit", "value_kind", "source_model"]
    ].rename(
        columns={
            "kpi_id": "指标代码",
            "name_zh": "指标名称",
            "definition_zh": "定义",
            "unit": "单位",
            "value_kind": "类型",
            "source_model": "来源模型",
        }
    )
    sheet("说明", definitions, {"指标名称": 22, "定义": 70, "来源模型": 34}, {})
    metadata = pd.DataFrame(
        [
            ("月份", meta["month"]),
            ("区域", meta["district_code"] or "全市"),
            ("版本", f"v{meta['version']}"),
            ("构建编号", meta["build_id"]),
            ("构建时间", meta["built_at"]),
            ("审计结果", "通过" if meta["audit"]["passed"] else "未通过"),
            ("审计警告", meta["audit"]["warnings"]),
            ("工具版本", meta["tool_version"]),
        ],
        columns=["项目", "内容"],
    )
    sheet("元数据", metadata, {"项目": 14, "内容": 40}, {})
    book.properties.creator = "小哥友好城市 指标仓"
    book.save(path)


def write_charts(
    folder: Path, home: Home, month: str, district: str | None, headline: pd.DataFrame
) -> list[Path]:
    """One trend chart per theme (its first KPI), rendered by kaleido through Chromium."""
    import plotly.io as pio

    from warehouse.present.charts import trend_line

    folder.mkdir()
    figures, paths = [], []
    for theme, group in headline.dropna(subset=["value"]).groupby("theme", sort=False):
        kpi = group.iloc[0]
        series = _series(home, kpi["kpi_id"], month, district)
        figures.append(
            trend_line(series, f"{kpi['name_zh']}({THEMES_ZH.get(theme, theme)})", kpi["name_zh"])
        )
        paths.append(folder / f"{kpi['kpi_id']}.png")
    pio.write_images(figures, paths, width=900, height=420, scale=1)
    return paths


def write_brief(
    folder: Path,
    month: str,
    district: str | None,
    headline: pd.DataFrame,
    charts: list[Path],
    meta: dict,
) -> None:
    """The one-page 月度简报 as HTML (images embedded) and as a PDF printed by Chromium."""
    year, mon = month.split("-")
    area = meta.get("district_name") or "杭州市"
    rows = []
    alerts = [html.escape(w) for w in meta["audit"]["messages"]]
    for kpi in headline.itertuples(index=False):
        change = "—"
        if pd.notna(kpi.value) and pd.notna(kpi.previous):
            delta = kpi.value - kpi.previous
            change = (
                f"{delta * 100:+.1f} 个百分点" if kpi.value_kind == "rate" else f"{delta:+,.0f}"
            )
        rows.append(
            f"<td>{html.escape(kpi.name_zh)}</td><td class=n>{_display(kpi.value, kpi.value_kind, kpi.unit, kpi.value_suppressed)}</td>"
            f"<td class=n>{change}</td>"
        )
        if pd.notna(kpi.target) and pd.notna(kpi.value):
            below = kpi.value < kpi.target if kpi.direction == "up" else kpi.value > kpi.target
            if below:
                alerts.append(
                    f"{html.escape(kpi.name_zh)} 为 {_display(kpi.value, kpi.value_kind, kpi.unit)},"
                    f"未达目标 {_display(kpi.target, kpi.value_kind, kpi.unit)}"
                )
    images = "".join(
        f'<img src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}" alt="{p.stem}">'
        for p in charts[:4]
    )
    alert_items = "".join(f"<li>{a}</li>" for a in alerts) or "<li>本月无预警</li>"
    # Two KPIs a row, so the whole catalogue fits one A4 page.
    table_rows = "".join(f"<tr>{''.join(rows[i : i + 2])}</tr>" for i in range(0, len(rows), 2))
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{area}小哥友好城市建设月度简报 {year}年{int(mon)}月</title>
<style>
@page {{ size: A4; margin: 12mm; }}
body {{ font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; font-size: 8.5pt; color: #222; }}
h1 {{ color: #c8161d; font-size: 17pt; margin: 0 0 2mm; }}
.meta {{ color: #666; font-size: 8.5pt; margin-bottom: 3mm; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 3mm; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 0.7mm 1.5mm; }}
th {{ background: #c8161d; color: #fff; text-align: left; }}
td.n {{ text-align: right; white-space: nowrap; }}
.charts img {{ width: 49%; }}
li {{ font-size: 8pt; }}
h2 {{ font-size: 12pt; margin: 2mm 0 1mm; }}
ul {{ margin: 0 0 2mm; }}
</style></head><body>
<h1>{area}小哥友好城市建设 月度简报({year}年{int(mon)}月)</h1>
<div class="meta">数据版本 {meta["build_id"]} · 第 {meta["version"]} 版 · 审计{"通过" if meta["audit"]["passed"] else "未通过"}</div>
<table><tr><th>指标</th><th>本月</th><th>较上月</th><th>指标</th><th>本月</th><th>较上月</th></tr>{table_rows}</table>
<h2>预警与提示</h2><ul>{alert_items}</ul>
<div class="charts">{images}</div>
</body></html>"""
    target = folder / "brief.html"
    target.write_text(page, encoding="utf-8")
    _print_pdf(target, folder / "brief.pdf")


def _chromium() -> str:
    for candidate in (
        os.environ.get("BROWSER_PATH"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate:
            return candidate
    raise UserError(
        "找不到 Chromium,无法生成 PDF:请运行 make install(或 apt-get install -y chromium)"
    )


def _print_pdf(source: Path, target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="xiaoge-chromium-") as profile:
        subprocess.run(
            [
                _chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={target}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def _source_files(home: Home) -> list[dict]:
    frame = query(
        home,
        "select file_path, checksum, system, table_name, month from xiaoge_build_sources order by file_path",
    )
    return frame.to_dict(orient="records")


def _build_audit(home: Home, build_id: str, district: str | None, month: str) -> dict:
    """The build's audit as a pack reports it: a city pack the findings about the whole
    build and every KPI warning of its month; a district pack only the KPI warnings about
    its district in its month.

    Checks over the whole build (a mart's row count against the last build, the catalogue
    complete) are about no one district, so a district's pack carries none of them rather
    than the city's warnings as its own. A KPI warning names its figure's district and month.
    """
    record = home.published / "versions" / build_id / "version.json"
    audit = json.loads(record.read_text(encoding="utf-8"))["audit"] if record.exists() else None
    if audit is None:
        return {"passed": None, "errors": None, "warnings": None, "messages": []}
    findings = [
        f
        for f in audit["findings"]
        if f.get("month") in (None, month)
        and (district is None or (f.get("month") and f.get("district_code") == district))
    ]
    return {
        "passed": audit["passed"],
        "errors": sum(f["severity"] == "error" for f in findings),
        "warnings": sum(f["severity"] == "warning" for f in findings),
        "messages": [f["message"] for f in findings],
    }


def export(
    home: Home,
    month: str | None,
    district: str | None = None,
    on_step: Callable[[str], None] | None = None,
    viewer: Viewer | None = None,
) -> ExportOutcome:
    """Write the month's pack, unless the latest version already holds the same numbers.

    `viewer` is who asks (None: the operator at the console, who may export any area). A
    district user gets their own district's pack only. The export goes to the access log.
    """
    if viewer is not None and viewer.district_code is not None:
        if district not in (None, viewer.district_code):
            raise UserError(
                f"用户 {viewer.user} 的角色是 {viewer.role},只能导出本区县 {viewer.district_code}"
                f",不能导出 {district}"
            )
        district = viewer.district_code
    outcome = _export(home, month, district, on_step)
    who = viewer or Viewer(f"operator:{_login_name()}", Role("city"))
    log_access(
        home,
        who,
        "export",
        str(outcome.folder.relative_to(home.root)),
        {"month": month, "district_code": district, "new_version": outcome.created},
    )
    return outcome


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _export(
    home: Home,
    month: str | None,
    district: str | None,
    on_step: Callable[[str], None] | None,
) -> ExportOutcome:
    step = on_step or (lambda _text: None)
    months = available_months(home)
    if month is None:
        raise UserError("请用 --month YYYY-MM 指定要导出的月份")
    month_start(month)
    if month not in months:
        raise UserError(f"没有 {month} 的数据:已发布的月份为 {months[0]} 至 {months[-1]}")
    district_name = None
    if district is not None:
        names = query(
            home, "select district_name from dim_district where district_code = ?", [district]
        )
        if names.empty:
            raise UserError(f"没有区县代码 {district}:请用 xiaoge kpi --json 查看可用的区县代码")
        district_name = names.iloc[0, 0]
    rows = kpi_rows(home, month, district)
    base = pack_folder(home, month, district)
    existing = pack_versions(home, month, district)
    home.exports.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.exports, prefix=".export-") as tmp:
        staging = Path(tmp) / "pack"
        staging.mkdir()
        numbers = staging / NUMBERS_FILE
        shown(rows).to_csv(numbers, index=False, encoding="utf-8-sig")
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
        info = build_info(home)
        meta = {
            "month": month,
            "district_code": district,
            "district_name": district_name,
            "version": version,
            **info,
            "audit": _build_audit(home, info["build_id"], district, month),
            "tool_version": __version__,
        }
        headline = _headline(home, month, district)
        step("写入 kpis.parquet 和 kpis.xlsx")
        rows.to_parquet(staging / "kpis.parquet", index=False)
        write_xlsx(staging / "kpis.xlsx", shown(rows), headline, meta)
        step("绘制图表")
        charts = write_charts(staging / "charts", home, month, district, headline)
        step("生成月度简报 PDF")
        write_brief(staging, month, district, headline, charts, meta)
        manifest = {
            **meta,
            "disclosure": _disclosure(home),
            "source_files": _source_files(home),
            "files": {
                p.relative_to(staging).as_posix(): _sha256(p)
                for p in sorted(staging.rglob("*"))
                if p.is_file()
            },
        }
        (staging / "manifest.json").write_text(
            strict_json.dumps(manifest, indent=2), encoding="utf-8"
        )
        target = base / f"v{version}"
        base.mkdir(parents=True, exist_ok=True)
        os.rename(staging, target)  # a pack appears whole or not at all
    return ExportOutcome(target, version, True, f"已导出 {month} 第 {version} 版 -> {target}")


def diff(
    home: Home, month: str, district: str | None, old: int | None, new: int | None
) -> pd.DataFrame:
    """KPI rows whose value differs between two versions of a month's pack (default: the last two)."""
    versions = pack_versions(home, month, district)
    if len(versions) < 2 and (old is None or new is None):
        have = ", ".join(f"v{v}" for v in versions) or "无"
        raise UserError(f"{month} 只有版本 {have},没有可比较的两个版本")
    old = old if old is not None else versions[-2]
    new = new if new is not None else versions[-1]
    for version in (old, new):
        if version not in versions:
            raise UserError(
                f"{month} 没有 v{version};已有版本: {', '.join(f'v{v}' for v in versions)}"
            )
    base = pack_folder(home, month, district)
    keys = ["kpi_id", "kpi_name", "area", "group_code", "platform_code"]
    before = pd.read_csv(
        base / f"v{old}" / NUMBERS_FILE, encoding="utf-8-sig", dtype={"district_code": str}
    )
    after = pd.read_csv(
        base / f"v{new}" / NUMBERS_FILE, encoding="utf-8-sig", dtype={"district_code": str}
    )
    merged = before.merge(after, on=keys, how="outer", suffixes=("_old", "_new"))
    old_numbers = pd.to_numeric(merged["value_old"], errors="coerce")
    new_numbers = pd.to_numeric(merged["value_new"], errors="coerce")
    same_text = merged["value_old"].astype(str) == merged["value_new"].astype(str)
    changed = merged[~(((old_numbers - new_numbers).abs() <= 1e-9) | same_text)]
    result = changed[[*keys, "value_old", "value_new"]].copy()
    for column in ("value_old", "value_new"):  # numbers as numbers; "<5" stays "<5"
        numbers = pd.to_numeric(result[column], errors="coerce")
        result[column] = numbers.astype(object).where(numbers.notna(), result[column])
    result = result.rename(columns={"value_old": f"v{old}", "value_new": f"v{new}"})
    return result.reset_index(drop=True)
