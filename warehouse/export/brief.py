"""The one-page 月度简报 as a government report: a red title block (数据截至, 发布日期, 版本),
the 更正说明 of a new version, a 摘要 written from the data, the KPI table with targets and
三色 status, two key trends (kaleido) and the provenance as footnotes. HTML with the images
embedded, and a PDF printed by Chromium on one A4 page. Every figure is written by
warehouse.present.format, as on the cards; no audit message or identifier is printed."""

from __future__ import annotations

import base64
import html
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path

import pandas as pd

from warehouse.errors import UserError
from warehouse.kpis import Run, Scope, series
from warehouse.present.format import MISSING, date_zh, month_zh, value
from warehouse.present.summary import column, key_kpis, moved, summary_zh

TITLE = "小哥友好城市建设月度简报"
CITY = "杭州市"
CHART_COUNT = 2
CHART_MONTHS = 13
# Pixels of one chart: two side by side fill the A4 text width, so 20-pixel titles print
# at about 9 points; scale 2 keeps the lines sharp.
CHART_SIZE = {"width": 600, "height": 270, "scale": 2}
REVISIONS_SHOWN = 6
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@contextmanager
def one_chart_browser() -> Iterator[None]:
    """Charts drawn inside share one headless browser (kaleido's sync server). Starting one
    takes about 3 seconds, and a release draws the charts of 14 packs."""
    import kaleido
    import plotly.io as pio

    options = {
        name: getattr(pio.defaults, name)
        for name in ("plotlyjs", "mathjax", "headers")
        if getattr(pio.defaults, name)
    }
    kaleido.start_sync_server(silence_warnings=True, **options)
    try:
        with warnings.catch_warnings():
            # plotly passes these options with every chart; the server already has them
            warnings.filterwarnings("ignore", "The kopts argument is ignored", UserWarning)
            yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def write_charts(
    folder: Path, run: Run, scope: Scope, headline: pd.DataFrame, theme_names: dict[str, str]
) -> list[Path]:
    """The key trends of the month (see summary.key_kpis), as PNGs for the brief."""
    import plotly.io as pio
    from kaleido.errors import JavascriptError

    folder.mkdir()
    chosen = key_kpis(headline, CHART_COUNT)
    figures = [trend_figure(run, scope, kpi) for _, kpi in chosen.iterrows()]
    paths = [folder / f"{kpi_id}.png" for kpi_id in chosen["kpi_id"]]
    # On a busy machine a tab kaleido reloads can be used before its script has loaded
    # ("kaleido_scopes is not defined"): such charts are drawn again below, where a chart
    # that truly fails fails again.
    if figures:
        with suppress(JavascriptError):
            pio.write_images(figures, paths, **CHART_SIZE)
    for figure, path in zip(figures, paths, strict=True):
        if not path.exists():  # a busy machine can drop one of kaleido's batch: draw it alone
            pio.write_image(figure, path, **CHART_SIZE)
    return paths


def trend_figure(run: Run, scope: Scope, kpi: pd.Series):
    """A KPI's last 13 months up to the scope's month, with its target line."""
    from warehouse.present.charts import trend_line

    trend = series(run, kpi["kpi_id"], scope).tail(CHART_MONTHS)
    target = kpi.get("target")
    return trend_line(
        trend,
        f"{kpi['name_zh']}(近{len(trend)}个月)",
        kpi["name_zh"],
        kpi["value_kind"],
        target=None if target is None or pd.isna(target) else float(target),
        height=CHART_SIZE["height"],
        target_label="目标",
    )


def write_brief(
    folder: Path,
    month: str,
    district: str | None,
    headline: pd.DataFrame,
    charts: list[Path],
    meta: dict,
    theme_names: dict[str, str] | None = None,
) -> None:
    """The 月度简报 as HTML (images embedded) and as a PDF printed by Chromium.

    `theme_names` (theme -> Chinese name) adds the 领域 column; without it the table has none.
    """
    area = f"{CITY}{meta.get('district_name') or ''}" if district else CITY
    notes = _footnotes(headline)
    body = "".join(
        [
            _title_block(month, district, headline, meta),
            _revision_box(meta.get("revision")),
            "<h2>一、摘要</h2>",
            f"<p class=summary>{html.escape(summary_zh(headline, month, area, meta))}</p>",
            "<h2>二、主要指标</h2>",
            _table(headline, notes, theme_names),
            _charts(charts),
            _footnote_block(notes, meta, headline),
        ]
    )
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{CITY}{TITLE} {month_zh(month)}</title>
<style>{STYLE}</style><script>{FIT_ONE_PAGE}</script></head><body>{body}</body></html>"""
    target = folder / "brief.html"
    target.write_text(page, encoding="utf-8")
    _print_pdf(target, folder / "brief.pdf")


# A month with many revisions or sources would spill onto a second page: shrink the page to
# fit the A4 text area (182 x 277 mm, the @page margins below) before Chromium prints it.
FIT_ONE_PAGE = """
window.addEventListener("load", function () {
  var room = 277 * 96 / 25.4, height = document.body.scrollHeight;
  if (height > room) document.body.style.zoom = (0.98 * room / height).toFixed(3);
});
"""

STYLE = """
@page { size: A4; margin: 11mm 14mm 9mm; }
body { font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       font-size: 7.5pt; line-height: 1.25; color: #222; margin: 0; width: 182mm; }
.title { color: #c8161d; font-size: 21pt; font-weight: bold; text-align: center;
         letter-spacing: 1pt; margin: 0; }
.subtitle { text-align: center; font-size: 11pt; margin: 1.5mm 0 2mm; }
.issue { display: flex; justify-content: space-between; font-size: 8.5pt; }
.rule { border-top: 2pt solid #c8161d; border-bottom: 0.6pt solid #c8161d; height: 0.8pt;
        margin: 1mm 0 2mm; }
h2 { font-size: 10.5pt; margin: 2mm 0 1mm; }
p.summary { text-indent: 2em; line-height: 1.45; margin: 0; font-size: 8.5pt; }
.revision { border: 1pt solid #c8161d; padding: 1mm 2mm; margin-bottom: 1mm; }
.revision b { color: #c8161d; }
.revision ul { margin: 0.5mm 0 0; padding-left: 5mm; }
.revision .files { color: #555; font-size: 7pt; }
table { border-collapse: collapse; width: 100%; }
th { background: #f3e3e3; border: 0.5pt solid #999; padding: 0.3mm 1.2mm; font-weight: bold; }
td { border: 0.5pt solid #bbb; padding: 0 1.2mm; }
td.c { width: 17%; }
td.n { text-align: right; white-space: nowrap; }
td.theme { text-align: center; background: #fafafa; }
.dot { font-size: 8pt; }
.note { font-size: 6pt; line-height: 1; vertical-align: top; color: #555; }
.charts { display: flex; justify-content: space-between; margin-top: 1.5mm; }
.charts img { width: 49.5%; border: 0.5pt solid #ddd; }
.notes { border-top: 0.5pt solid #999; margin-top: 1.5mm; padding-top: 0.8mm; font-size: 7pt;
         color: #444; line-height: 1.35; }
"""


def _title_block(month: str, district: str | None, headline: pd.DataFrame, meta: dict) -> str:
    scope = f"区县:{meta.get('district_name') or district}" if district else "全市"
    published = meta.get("published_on") or date.today().isoformat()
    return (
        f"<p class=title>{CITY}{TITLE}</p>"
        f"<p class=subtitle>{month_zh(month)} · {html.escape(scope)}</p>"
        "<div class=issue>"
        f"<span>数据截至:{month_zh(_data_as_of(month, headline, meta))}</span>"
        f"<span>发布日期:{date_zh(published)}</span>"
        f"<span>版本:第 {int(meta['version'])} 版</span></div><div class=rule></div>"
    )


def _data_as_of(month: str, headline: pd.DataFrame, meta: dict) -> str:
    """The pack's 数据截至: E's meta value, else the earliest of the KPIs', else the month."""
    if meta.get("data_as_of"):
        return meta["data_as_of"]
    months = column(headline, "data_as_of").dropna()
    return min(months) if not months.empty else month


def _revision_box(revision: dict | None) -> str:
    if not revision:
        return ""
    changes = revision.get("changes") or []
    items = []
    for item in changes[:REVISIONS_SHOWN]:
        where = "·".join(
            str(part)
            for part in (item.get("area"), item.get("group_name"), item.get("platform_name"))
            if part
        )
        files = "、".join(str(f) for f in item.get("files") or [])
        items.append(
            f"<li>{html.escape(str(item.get('kpi_name', '')))}({html.escape(where)}):"
            f"{html.escape(str(item.get('old')))} → {html.escape(str(item.get('new')))}"
            + (f"<span class=files>;更正的来源文件:{html.escape(files)}</span>" if files else "")
            + "</li>"
        )
    more = len(changes) - REVISIONS_SHOWN
    if more > 0:
        items.append(f"<li>另有 {more} 项,详见 kpis.xlsx「更正说明」。</li>")
    return (
        f"<div class=revision><b>更正说明</b>:本版更正第 {revision.get('previous_version')} 版中"
        f" {len(changes)} 项数字,原因是来源数据的更正文件已到达。<ul>{''.join(items)}</ul></div>"
    )


def _status_cell(kpi: pd.Series) -> str:
    name, colour = kpi.get("status_name_zh"), kpi.get("status_colour")
    if not isinstance(name, str) or not name:
        return MISSING
    dot = f"<span class=dot style='color:{html.escape(str(colour))}'>●</span> " if colour else ""
    return f"{dot}{html.escape(name)}"


def _table(headline: pd.DataFrame, notes: dict[str, int], theme_names: dict | None) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in (["领域"] if theme_names else []) + ["指标", "本月", "较上月", "目标", "状态"]
    )
    rows, sizes = [], headline.groupby("theme", sort=False).size()
    previous_theme = None
    for _, kpi in headline.iterrows():
        cells = ""
        if theme_names and kpi["theme"] != previous_theme:
            name = html.escape(theme_names.get(kpi["theme"], ""))
            cells += f"<td class=theme rowspan={sizes[kpi['theme']]}>{name}</td>"
        previous_theme = kpi["theme"]
        target = kpi.get("target")
        shown = value(
            kpi["value"], kpi["value_kind"], kpi["unit"], suppressed=kpi["value_suppressed"]
        )
        aim = value(target, kpi["value_kind"], kpi["unit"]) if target is not None else MISSING
        note = CIRCLED[notes[_note_key(kpi)] - 1] if notes else ""
        cells += (
            f"<td>{html.escape(kpi['name_zh'])}<span class=note>{note}</span></td>"
            f"<td class='n c'>{html.escape(shown)}</td>"
            f"<td class='n c'>{moved(kpi) or MISSING}</td>"
            f"<td class='n c'>{html.escape(aim)}</td><td class=c>{_status_cell(kpi)}</td>"
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _note_key(kpi: pd.Series) -> str:
    """A KPI's provenance footnote: its sources with their 数据截至, and its audit result."""
    parts = [kpi.get("sources_zh"), kpi.get("audit_zh")]
    text = ";".join(str(p) for p in parts if isinstance(p, str) and p)
    return f"来源:{text}" if text else "来源系统与数据截至见 kpis.xlsx「说明」"


def _footnotes(headline: pd.DataFrame) -> dict[str, int]:
    """Footnote number of each distinct provenance text, in order of first use; KPIs with the
    same sources share one footnote, so the page carries few."""
    numbers: dict[str, int] = {}
    for _, kpi in headline.iterrows():
        numbers.setdefault(_note_key(kpi), len(numbers) + 1)
    return numbers if len(numbers) <= len(CIRCLED) else {}


def _audit_text(meta: dict) -> str:
    """The audit as a leader reads it: E's sentence, else the counts (never the messages)."""
    if meta.get("audit_summary_zh"):
        return str(meta["audit_summary_zh"])
    audit = meta.get("audit") or {}
    if audit.get("passed") is None:
        return "未做数据质量检查"
    verdict = "数据质量检查通过" if audit["passed"] else "数据质量检查未通过"
    warnings = int(audit.get("warnings") or 0)
    return verdict + (f",{warnings} 项提示已复核" if warnings else "")


def _footnote_block(notes: dict[str, int], meta: dict, headline: pd.DataFrame) -> str:
    lines = [f"{CIRCLED[n - 1]} {html.escape(text)}" for text, n in notes.items()]
    build = meta.get("build_id") or next(iter(column(headline, "build_id").dropna()), "")
    lines.append(
        "注:指标口径见 kpis.xlsx「说明」;"
        f"{html.escape(_audit_text(meta))};数据版本 {html.escape(str(build))}。"
        "“<5”为按统计披露规则隐去的小数值,“—”为无数据或无目标。"
    )
    return f"<div class=notes>{'<br>'.join(lines)}</div>"


def _charts(charts: list[Path]) -> str:
    images = "".join(
        f'<img src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}"'
        ' alt="指标趋势图">'
        for p in charts[:CHART_COUNT]
    )
    return f"<div class=charts>{images}</div>" if images else ""


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
