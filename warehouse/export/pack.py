"""The monthly KPI pack: frozen, versioned folders under exports/<month>/v<N>/, their
manifest, and the difference between two versions.

A district's pack lives under exports/<month>/district-<code>/v<N>/. A pack is never rewritten:
exporting a month whose numbers equal the latest pack's writes nothing; different numbers (a
late correction was loaded) make a new version, which opens with its 更正说明 (revision.py:
each changed figure, old and new, and the corrected landing files; corrections.csv, the
manifest, the workbook and the brief), and `diff` spells out what changed.

Every figure is read through `warehouse.access.scoped_query`, so a pack hides the same small
person counts as the dashboards ("<5" in kpis.csv, kpis.xlsx and the brief; null with a
`*_suppressed` flag in kpis.parquet), and an export made as a district user
(`--as-user`) can only be of that user's district. Each export is written to the access log.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from warehouse import __version__, names, strict_json
from warehouse.access import Role, Viewer, log_access
from warehouse.config import Home
from warehouse.errors import UserError
from warehouse.export.brief import write_brief, write_charts
from warehouse.export.notes import audit_summary_zh
from warehouse.export.revision import (
    CORRECTIONS_FILE,
    FIGURE_KEYS,
    NUMBERS_FILE,
    changed_rows,
    read_numbers,
    revision,
    write_corrections,
)
from warehouse.export.xlsx import code_names, write_xlsx
from warehouse.kpis import Scope, headline, month_rows, reader, theme_names
from warehouse.privacy import shown
from warehouse.published import build_info, published_month, query


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


def latest_pack(home: Home, month: str, district: str | None) -> Path | None:
    """The newest version's folder of a month's (or a district's) pack; None before the first."""
    versions = pack_versions(home, month, district)
    return pack_folder(home, month, district) / f"v{versions[-1]}" if versions else None


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
        return {
            "passed": None,
            "errors": None,
            "warnings": None,
            "messages": [],
            "summary_zh": audit_summary_zh(None, None),
        }
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
        "summary_zh": audit_summary_zh(findings, audit["passed"]),
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
    month = published_month(home, month)
    district_name = None
    if district is not None:
        names = query(
            home, "select district_name from dim_district where district_code = ?", [district]
        )
        if names.empty:
            raise UserError(f"没有区县代码 {district}:请用 xiaoge kpi --json 查看可用的区县代码")
        district_name = names.iloc[0, 0]
    run = reader(home, district)
    rows = month_rows(run, month, district)
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
        audit = _build_audit(home, info["build_id"], district, month)
        scope = Scope(month, district)
        headlines, themes = headline(run, scope), theme_names(run)
        sources = _source_files(home)
        step("核对与上一版的差异")
        meta = {
            "month": month,
            "district_code": district,
            "district_name": district_name,
            "version": version,
            **info,
            "audit": {k: v for k, v in audit.items() if k != "summary_zh"},
            "audit_summary_zh": audit["summary_zh"],
            "published_on": date.today().isoformat(),
            "data_as_of": _data_as_of(headlines, sources, month),
            "revision": (
                revision(run, base / f"v{existing[-1]}", read_numbers(numbers), sources)
                if existing
                else None
            ),
            "tool_version": __version__,
        }
        if meta["revision"] is not None:
            write_corrections(staging / CORRECTIONS_FILE, meta["revision"])
        step("写入 kpis.parquet 和 kpis.xlsx")
        rows.to_parquet(staging / "kpis.parquet", index=False)
        write_xlsx(staging / "kpis.xlsx", shown(rows), headlines, meta, themes, code_names(run))
        step("绘制图表")
        charts = write_charts(staging / "charts", run, scope, headlines, themes)
        step("生成月度简报 PDF")
        write_brief(staging, month, district, headlines, charts, meta, theme_names=themes)
        manifest = {
            **meta,
            "disclosure": _disclosure(home),
            "source_files": sources,
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
    changed = changed_rows(
        read_numbers(base / f"v{old}" / NUMBERS_FILE), read_numbers(base / f"v{new}" / NUMBERS_FILE)
    )
    result = changed[[*FIGURE_KEYS, "value_old", "value_new"]].copy()
    for column in ("value_old", "value_new"):  # numbers as numbers; "<5" stays "<5"
        numbers = pd.to_numeric(result[column], errors="coerce")
        result[column] = numbers.astype(object).where(numbers.notna(), result[column])
    result = result.rename(columns={"value_old": f"v{old}", "value_new": f"v{new}"})
    return result.reset_index(drop=True)


def _data_as_of(headlines: pd.DataFrame, sources: list[dict], month: str) -> str:
    """The pack's 数据截至: the earliest of its KPIs' (from the headline's provenance), or,
    where the served file has none, the earliest of each source table's latest month."""
    if "data_as_of" in headlines:
        months = headlines["data_as_of"].dropna()
        if not months.empty:
            return str(months.min())
    latest: dict[tuple[str, str], str] = {}
    for source in sources:
        if source["month"] and source["month"] <= month:
            key = (source["system"], source["table_name"])
            latest[key] = max(latest.get(key, ""), source["month"])
    return min(latest.values(), default=month)
