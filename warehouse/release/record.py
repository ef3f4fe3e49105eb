"""The release record: exports/<month>/releases/release-<n>.json, and the same in Chinese for
people, release-<n>.md.

It says who ran the release and when, which build it published or used, each pack (version,
new or unchanged), the city's headline KPIs against last month, the audit's warnings in words,
the corrections held for a person, the files refused, and each new version's 更正说明.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from warehouse import strict_json
from warehouse.config import Home
from warehouse.export import ExportOutcome, pack_revision
from warehouse.export.notes import warnings_zh
from warehouse.ingest.landing import FileResult
from warehouse.kpis import Scope, headline, reader
from warehouse.present.format import change, value
from warehouse.published import build_info

RECORDS = "releases"


@dataclass(frozen=True)
class Output:
    """One thing the release wrote or found unchanged for an area: a pack, or a district's
    analysis page (outcome.folder is then the HTML file)."""

    area: str  # 全市 or the district's name
    district_code: str | None
    outcome: ExportOutcome
    kind: str = "pack"  # or "analysis"


@dataclass(frozen=True)
class ReleaseFacts:
    month: str
    run_by: str
    started_at: datetime
    build_reasons: list[str]
    built: str | None
    ingested: list[FileResult]
    held: list[dict]
    outputs: list[Output]


def records_folder(home: Home, month: str) -> Path:
    return home.exports / month / RECORDS


def release_numbers(home: Home, month: str) -> list[int]:
    folder = records_folder(home, month)
    found = folder.glob("release-*.json") if folder.exists() else []
    numbers = (p.stem.removeprefix("release-") for p in found)
    return sorted(int(n) for n in numbers if n.isdigit())


def write_record(home: Home, facts: ReleaseFacts) -> Path:
    """Write the next release record of the month (JSON and Markdown); returns the JSON's path."""
    record = build_record(home, facts)
    folder = records_folder(home, facts.month)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"release-{record['release']}.json"
    path.with_suffix(".md").write_text(markdown(record), encoding="utf-8")
    path.write_text(strict_json.dumps(record, indent=2), encoding="utf-8")  # last: it counts
    return path


def build_record(home: Home, facts: ReleaseFacts) -> dict:
    info = build_info(home)
    loaded = [r for r in facts.ingested if r.status == "loaded"]
    return {
        "release": (release_numbers(home, facts.month) or [0])[-1] + 1,
        "month": facts.month,
        "run_by": facts.run_by,
        "started_at": facts.started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "build_id": info["build_id"],
        "built_now": facts.built is not None,
        "build_reasons": facts.build_reasons,
        "ingest": {
            "loaded": [r.path for r in loaded],
            "skipped": sum(r.status == "skipped" for r in facts.ingested),
            "refused": [
                {"file_path": r.path, "message": r.message}
                for r in facts.ingested
                if r.status == "refused"
            ],
        },
        "packs": [_pack(home, o) for o in facts.outputs if o.kind == "pack"],
        "district_analyses": [
            {
                "area": o.area,
                "district_code": o.district_code,
                "pack_version": o.outcome.version,
                "file": o.outcome.folder.relative_to(home.root).as_posix(),
                "new": o.outcome.created,
            }
            for o in facts.outputs
            if o.kind == "analysis"
        ],
        "since_last_month": since_last_month(home, facts.month),
        "warnings": warnings_zh(_month_findings(home, info["build_id"], facts.month)),
        "held_corrections": [
            {
                "file_path": item["file_path"],
                "rows_now": item["current_rows_accepted"],
                "rows_if_accepted": item["rows_accepted"],
                "reason": item["reason"],
                "command": item["command"],
            }
            for item in facts.held
        ],
    }


def _pack(home: Home, output: Output) -> dict:
    done = output.outcome
    revision = pack_revision(done.folder) if done.created else None
    return {
        "area": output.area,
        "district_code": output.district_code,
        "version": done.version,
        "new": done.created,
        "folder": done.folder.relative_to(home.root).as_posix(),
        "revision": revision,
    }


def since_last_month(home: Home, month: str) -> list[dict]:
    """The city's headline KPIs this month and last, as the brief writes them."""
    rows = headline(reader(home), Scope(month))
    out = []
    for kpi in rows.to_dict(orient="records"):
        kind, unit = kpi["value_kind"], kpi["unit"]
        out.append(
            {
                "kpi_id": kpi["kpi_id"],
                "name": kpi["name_zh"],
                "value": value(kpi["value"], kind, unit, suppressed=kpi["value_suppressed"]),
                "previous_month": value(kpi["previous_month"], kind, unit),
                "change": change(kpi["value"], kpi["previous_month"], kind, " 个百分点")
                if not kpi["value_suppressed"]
                else None,
                # no status (no target, or a figure hidden) may come back as NaN
                "status": status if isinstance(status := kpi.get("status_name_zh"), str) else None,
            }
        )
    return out


def _month_findings(home: Home, build_id: str, month: str) -> list[dict]:
    """The served build's audit findings about the month or the whole build."""
    path = home.published / "versions" / build_id / "version.json"
    if not path.exists():
        return []
    audit = json.loads(path.read_text(encoding="utf-8")).get("audit") or {}
    return [f for f in audit.get("findings", []) if f.get("month") in (None, month)]


def markdown(record: dict) -> str:
    """The record for people, in Chinese."""
    new = [p for p in record["packs"] if p["new"]]
    lines = [
        f"# {record['month']} 月度发布记录(第 {record['release']} 次)",
        "",
        f"- 执行人:{record['run_by']}",
        f"- 时间:{record['started_at']} 至 {record['finished_at']}",
        f"- 使用的构建:{record['build_id']}"
        + (
            f"(本次构建并发布:{';'.join(record['build_reasons'])})"
            if record["built_now"]
            else "(沿用已发布的构建)"
        ),
        f"- 导入:新导入 {len(record['ingest']['loaded'])} 个文件,跳过 {record['ingest']['skipped']} 个已导入文件,"
        f"拒收 {len(record['ingest']['refused'])} 个",
        f"- 指标包:新写 {len(new)} 个,未变 {len(record['packs']) - len(new)} 个",
        f"- 区县分析:新写 {sum(a['new'] for a in record['district_analyses'])} 个,"
        f"未变 {sum(not a['new'] for a in record['district_analyses'])} 个",
        "",
        "## 指标包",
        "",
        "| 区域 | 版本 | 本次 | 位置 |",
        "| --- | --- | --- | --- |",
    ]
    for pack in record["packs"]:
        state = "新版本" if pack["new"] else "未变"
        lines.append(f"| {pack['area']} | 第 {pack['version']} 版 | {state} | {pack['folder']} |")
    lines += [
        "",
        "## 与上月相比(全市)",
        "",
        "| 指标 | 本月 | 上月 | 变化 | 状态 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kpi in record["since_last_month"]:
        cells = [
            kpi["name"],
            kpi["value"],
            kpi["previous_month"],
            kpi["change"] or "—",
            kpi["status"] or "—",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## 审计提示", ""]
    lines += [f"- {w}" for w in record["warnings"]] or ["- 无"]
    lines += ["", "## 暂缓的更正", ""]
    lines += [
        f"- {h['file_path']}:入库行 {h['rows_now']} -> {h['rows_if_accepted']}({h['reason']});"
        f"核对无误后运行 `{h['command']}`,再运行本月发布"
        for h in record["held_corrections"]
    ] or ["- 无"]
    if record["ingest"]["refused"]:
        lines += ["", "## 拒收的文件", ""]
        lines += [f"- {r['file_path']}:{r['message']}" for r in record["ingest"]["refused"]]
    revised = [p for p in new if p["revision"] is not None]
    lines += ["", "## 更正说明", ""]
    if not revised:
        lines.append("- 本次没有更正已发布的指标包")
    for pack in revised:
        revision = pack["revision"]
        lines += [
            f"### {pack['area']}:第 {pack['version']} 版(更正第 {revision['previous_version']} 版)",
            "",
            "| 指标 | 区域 | 群体 | 平台 | 原值 | 新值 | 更正的落地文件 |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for c in revision["changes"]:
            cells = [
                c["kpi_name"],
                c["area"],
                c["group_name"],
                c["platform_name"],
                c["old"],
                c["new"],
                ";".join(c["files"]),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
