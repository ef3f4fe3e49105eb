"""The one-page 月度简报: trend charts (kaleido), HTML with the images embedded, and a PDF
printed by Chromium. Figures are written by warehouse.present.format, as on the cards."""

from __future__ import annotations

import base64
import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from warehouse.errors import UserError
from warehouse.kpis import Run, Scope, series
from warehouse.present.format import change, value


def write_charts(
    folder: Path, run: Run, scope: Scope, headline: pd.DataFrame, theme_names: dict[str, str]
) -> list[Path]:
    """One trend chart per theme (its first KPI), rendered by kaleido through Chromium."""
    import plotly.io as pio

    from warehouse.present.charts import trend_line

    folder.mkdir()
    figures, paths = [], []
    for theme, group in headline.dropna(subset=["value"]).groupby("theme", sort=False):
        kpi = group.iloc[0]
        title = f"{kpi['name_zh']}({theme_names.get(theme, theme)})"
        trend = series(run, kpi["kpi_id"], scope)
        figures.append(trend_line(trend, title, kpi["name_zh"], kpi["value_kind"]))
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
        shown = html.escape(
            value(kpi.value, kpi.value_kind, kpi.unit, suppressed=kpi.value_suppressed)
        )
        moved = change(kpi.value, kpi.previous_month, kpi.value_kind, points=" 个百分点")
        rows.append(
            f"<td>{html.escape(kpi.name_zh)}</td><td class=n>{shown}</td>"
            f"<td class=n>{moved or '—'}</td>"
        )
        if pd.notna(kpi.target) and pd.notna(kpi.value):
            below = kpi.value < kpi.target if kpi.direction == "up" else kpi.value > kpi.target
            if below:
                alerts.append(
                    f"{html.escape(kpi.name_zh)} 为 {shown},"
                    f"未达目标 {html.escape(value(kpi.target, kpi.value_kind, kpi.unit))}"
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
