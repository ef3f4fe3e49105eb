"""The audit in words a reader of the pack or the release record can use: no rule ids and no
raw numbers.

A KPI warning already names its figure as the dashboards write it (warehouse.audit.findings);
a check over a whole table (row counts, completeness) is counted, and the data-quality page
and the audit report hold its details.
"""

from __future__ import annotations


def audit_summary_zh(findings: list[dict] | None, passed: bool | None) -> str:
    """One line for the brief and the workbook, e.g. "数据质量检查通过;2 项指标的数值需要核对"."""
    if passed is None:
        return "未找到本次构建的审计记录"
    if not passed:
        return "数据质量检查未通过"
    warnings = [f for f in findings or [] if f.get("severity") == "warning"]
    kpis = {f["kpi_id"] for f in warnings if f.get("kpi_id")}
    others = sum(1 for f in warnings if not f.get("kpi_id"))
    parts = []
    if kpis:
        parts.append(f"{len(kpis)} 项指标的数值超出常规范围或变动较大,需要核对")
    if others:
        parts.append(f"{others} 项全局检查有提示,详见数据质量页")
    return "数据质量检查通过" + (";" + ";".join(parts) if parts else ",无提示")


def warnings_zh(findings: list[dict] | None) -> list[str]:
    """Each warning as a sentence: a KPI's names its figure; the others are one counted line."""
    warnings = [f for f in findings or [] if f.get("severity") == "warning"]
    lines = [f["message"] for f in warnings if f.get("kpi_id")]
    others = sum(1 for f in warnings if not f.get("kpi_id"))
    if others:
        lines.append(f"另有 {others} 项全局检查(如数据表行数)有提示,详见数据质量页和审计报告")
    return lines
