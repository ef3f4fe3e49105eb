"""docs/sources.md, rendered from the source contracts (the contracts are the source of truth)."""

from __future__ import annotations

from warehouse.config import REPO_ROOT
from warehouse.contracts import SeedValues, systems

SOURCES_DOC = REPO_ROOT / "docs" / "sources.md"
PII_ZH = {
    "id_number": "身份证号:入库前转为 worker_key,并派生年龄段、性别、户籍省份",
    "phone": "手机号:入库前删除",
    "name": "姓名:入库前删除",
}


def render() -> str:
    lines = [
        "# Source contracts",
        "",
        "<!-- Rendered from warehouse/contracts/*.yml by `python -m warehouse.contracts.docs`; do not edit by hand. -->",
        "",
        "Every table the six source systems deliver, as `xiaoge ingest` checks it. Files go to",
        "`landing/<system>/<YYYY-MM>/<table>[__<sender>].csv|xlsx` (see [ingest.md](ingest.md)).",
        "",
    ]
    for system in systems().values():
        lines += [
            f"## {system.name_zh} `{system.system}`",
            "",
            f"Sender: {system.sender}. Delivery: {system.delivery}.",
            "",
        ]
        if system.senders is not None:
            lines += [
                f"File names carry the sender code: `<table>__<code>`, codes from seed `{system.senders.seed}.{system.senders.column}`.",
                "",
            ]
        for table in system.tables:
            lines += [
                f"### {table.name_zh} `{system.system}.{table.name}`",
                "",
                " ".join(table.description.split()),
                "",
                f"Grain: {table.grain}. Key: {', '.join(f'`{k}`' for k in table.key)}.",
                "",
                "| header (as delivered) | column | type | required | allowed values / rules | personal data | description |",
                "| --- | --- | --- | --- | --- | --- | --- |",
            ]
            for column in table.columns:
                rules = []
                if isinstance(column.allowed, SeedValues):
                    rules.append(f"seed `{column.allowed.seed}.{column.allowed.column}`")
                elif column.allowed:
                    rules.append(", ".join(column.allowed))
                if column.minimum is not None:
                    rules.append(f">= {column.minimum:g}")
                if column.not_after_month_end:
                    rules.append("not after the month's end")
                if column.within_month:
                    rules.append("within the month")
                lines.append(
                    f"| {column.header} | `{column.name}` | {column.type} | {'yes' if column.required else 'no'} | "
                    f"{'; '.join(rules)} | {PII_ZH.get(column.pii, '') if column.pii else ''} | {' '.join(column.description.split())} |"
                )
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    SOURCES_DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {SOURCES_DOC}")
