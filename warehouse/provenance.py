"""Where each KPI figure comes from: the source systems that feed it, each with its 数据截至
(the latest month the build has data of it for), the build's audit result for the KPI, and
the build id. The cards' help, the workbook's 说明 sheet and the brief's footnotes show these
beside the KPI's 口径 (dim_kpi.definition_zh), through `warehouse.kpis.headline`.

Everything is read from the served file: the lineage from the public mart dim_kpi_source
(dbt's graph, so it cannot drift from the models), each source's latest month from the
build's record of the landing files it read (xiaoge_build_sources), the audit from the
findings published with the build (xiaoge_audit_findings); the systems' Chinese names come
from the source contracts. A served file from before these tables gives no provenance (None):
readers show nothing rather than a guess.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from warehouse.contracts import systems
from warehouse.duck import connect, quote_ident
from warehouse.present.format import month_zh
from warehouse.published import Run, served_tables

COLUMNS = ["kpi_id", "sources", "sources_zh", "data_as_of", "audit_zh", "build_id"]
LINEAGE_TABLE = "dim_kpi_source"
# The build's audit findings as published (held KPI warnings released or dropped), stored in
# the served file beside the build's other records: a KPI's audit result is read like its
# figures, through the reader's own access rule.
AUDIT_TABLE = "xiaoge_audit_findings"
AUDIT_COLUMNS = ("severity", "check", "message", "kpi_id", "district_code", "month")
AUDIT_PASSED = "数据质量检查通过"
CITY_WIDE = "全市"
SEVERITY_ZH = {"error": "错误", "warning": "提示"}


def provenance(
    run: Run, month: str | None = None, district_code: str | None = None
) -> pd.DataFrame:
    """One row per catalogue KPI: `sources` (system codes, in the contracts' order),
    `sources_zh` (e.g. "平台企业(数据截至2025年6月)、社会保险(人社)(数据截至2025年6月)"),
    `data_as_of` ('YYYY-MM', the earliest of its sources' latest months), `audit_zh` (the
    audit's findings about the KPI in `month` and, with a district, that district; every
    month without one) and `build_id`."""
    tables = served_tables(run)
    kpis = run("select kpi_id from dim_kpi order by kpi_id", [])
    builds = run("select build_id from xiaoge_build", []) if "xiaoge_build" in tables else None
    build_id = builds["build_id"].iloc[0] if builds is not None and len(builds) else None
    has_lineage = {LINEAGE_TABLE, "xiaoge_build_sources"} <= tables
    sources = _sources(run) if has_lineage else {}
    audits = _audits(run, month, district_code) if AUDIT_TABLE in tables else None
    rows = []
    for kpi_id in kpis["kpi_id"]:
        months = sources.get(kpi_id, {})
        rows.append(
            {
                "kpi_id": kpi_id,
                "sources": list(months) if has_lineage else None,
                "sources_zh": sources_zh(months),
                "data_as_of": min(filter(None, months.values()), default=None),
                "audit_zh": None if audits is None else audits.get(kpi_id, AUDIT_PASSED),
                "build_id": build_id,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def write_audit_findings(database: Path, audit: dict) -> None:
    """Store the published audit's findings in a served file before it is served (a file that
    already has them is left alone, so a file being read is never written to)."""
    with connect(database, read_only=True) as con:
        tables = {
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        }
    if AUDIT_TABLE in tables:
        return
    findings = [[f.get(column) for column in AUDIT_COLUMNS] for f in audit.get("findings", [])]
    columns = ", ".join(f"{quote_ident(column)} varchar" for column in AUDIT_COLUMNS)
    with connect(database) as out:
        out.execute(f"create table {AUDIT_TABLE} ({columns})")
        if findings:
            marks = ", ".join("?" for _ in AUDIT_COLUMNS)
            out.executemany(f"insert into {AUDIT_TABLE} values ({marks})", findings)
        out.execute("checkpoint")


def _sources(run: Run) -> dict[str, dict[str, str | None]]:
    """KPI -> {system: its 数据截至}, systems in the contracts' order. A table's month is the
    latest month of the landing files the build read for it; a system's, the earliest of its
    tables that feed the KPI (its data is complete up to then)."""
    frame = run(
        f"""
        with table_months as (
            select system, table_name, max(month) as month
            from xiaoge_build_sources
            group by system, table_name
        )
        select s.kpi_id, s.source_system, min(t.month) as month
        from {LINEAGE_TABLE} as s
        left join table_months as t
            on t.system = s.source_system and t.table_name = s.source_table
        group by s.kpi_id, s.source_system
        """,
        [],
    )
    order = {code: index for index, code in enumerate(systems())}
    frame = frame.assign(order=frame["source_system"].map(order).fillna(len(order)))
    found: dict[str, dict[str, str | None]] = {}
    for row in frame.sort_values(["kpi_id", "order", "source_system"]).itertuples(index=False):
        found.setdefault(row.kpi_id, {})[row.source_system] = (
            row.month if isinstance(row.month, str) else None
        )
    return found


def sources_zh(months: dict[str, str | None]) -> str | None:
    """Systems by their contracts' Chinese names, each with its 数据截至."""
    known = systems()
    parts = [
        f"{known[code].name_zh if code in known else code}"
        + (f"(数据截至{month_zh(month)})" if month else "(暂无数据)")
        for code, month in months.items()
    ]
    return "、".join(parts) or None


def _audits(run: Run, month: str | None, district_code: str | None) -> dict[str, str]:
    """KPI -> its audit result in words, for KPIs with findings (the others passed). A city
    reader's KPI counts every area's findings, as the city pack does."""
    frame = run(
        f"""
        select f.kpi_id, f.severity, coalesce(d.district_name, ?) as area
        from {AUDIT_TABLE} as f
        left join dim_district as d using (district_code)
        where f.kpi_id is not null
          and (?::varchar is null or f.month is null or f.month = ?::varchar)
          and (?::varchar is null or f.district_code = ?::varchar)
        order by f.district_code nulls first
        """,
        [CITY_WIDE, month, month, district_code, district_code],
    )
    return {kpi_id: audit_zh(findings) for kpi_id, findings in frame.groupby("kpi_id", sort=False)}


def audit_zh(findings: pd.DataFrame) -> str:
    """A KPI's findings as a leader reads them, e.g. "数据质量检查:1 项提示(西湖区)"."""
    if findings.empty:
        return AUDIT_PASSED
    counts = findings["severity"].value_counts()
    parts = [
        f"{counts[severity]} 项{words}"
        for severity, words in SEVERITY_ZH.items()
        if severity in counts
    ]
    areas = "、".join(dict.fromkeys(findings["area"]))
    return f"数据质量检查:{'、'.join(parts)}({areas})"
