"""The 更正说明 of a new pack version: each figure that changed since the previous version,
its old and new value as a reader sees them, and the landing files whose corrections caused
the change.

A figure is a row of kpis.csv (KPI, area, group, platform). The files are the build's sources
(the manifest's `source_files`) that are new or were re-delivered since the previous version,
restricted to the source systems feeding the KPI where the served file says which those are
(the KPI lineage mart); without that, every corrected file is listed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from warehouse.kpis import Run
from warehouse.present.format import MISSING, value
from warehouse.privacy import SUPPRESSED
from warehouse.published import has_table

NUMBERS_FILE = "kpis.csv"
CORRECTIONS_FILE = "corrections.csv"
FIGURE_KEYS = ["kpi_id", "kpi_name", "area", "group_code", "platform_code"]
# The public mart naming the source systems behind each KPI (kpi_id, source_system), when
# published.
KPI_LINEAGE = "dim_kpi_source"


def read_numbers(path: Path) -> pd.DataFrame:
    """A pack's kpis.csv as written (hidden figures "<5" stay text)."""
    return pd.read_csv(
        path,
        encoding="utf-8-sig",
        dtype={"district_code": str, "group_code": str, "platform_code": str},
    )


def changed_rows(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The figures whose value differs between two versions' kpis.csv (a figure present in
    one only counts as changed), with `value_old` and `value_new` as written there."""
    keys = [*FIGURE_KEYS, "district_code"] if "district_code" in before else FIGURE_KEYS
    merged = before.merge(after, on=FIGURE_KEYS, how="outer", suffixes=("_old", "_new"))
    if "district_code_old" in merged:
        merged["district_code"] = merged["district_code_old"].fillna(merged["district_code_new"])
    old_numbers = pd.to_numeric(merged["value_old"], errors="coerce")
    new_numbers = pd.to_numeric(merged["value_new"], errors="coerce")
    same_text = merged["value_old"].astype(str) == merged["value_new"].astype(str)
    changed = merged[~(((old_numbers - new_numbers).abs() <= 1e-9) | same_text)]
    return changed[[*keys, "value_old", "value_new"]].reset_index(drop=True)


def corrected_files(previous_sources: list[dict] | None, sources: list[dict]) -> list[dict]:
    """The build's source files that are new or changed since the previous version's build
    (None: the previous manifest does not say, so no file can be named)."""
    if previous_sources is None:
        return []
    before = {f["file_path"]: f["checksum"] for f in previous_sources}
    return [f for f in sources if before.get(f["file_path"]) != f["checksum"]]


def kpi_systems(run: Run) -> dict[str, set[str]] | None:
    """Source systems per KPI from the lineage mart; None when the served file has none."""
    if not has_table(run, KPI_LINEAGE):
        return None
    frame = run(f"select distinct kpi_id, source_system as system from {KPI_LINEAGE}", [])
    systems: dict[str, set[str]] = {}
    for kpi_id, system in zip(frame["kpi_id"], frame["system"], strict=True):
        systems.setdefault(kpi_id, set()).add(system)
    return systems


def revision(run: Run, previous: Path, numbers: pd.DataFrame, sources: list[dict]) -> dict:
    """The 更正说明 of a new version after the pack in `previous`. Its changes are empty when
    no shown value changed (only a numerator or denominator did)."""
    manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    changed = changed_rows(read_numbers(previous / NUMBERS_FILE), numbers)
    files = corrected_files(manifest.get("source_files"), sources)
    systems = kpi_systems(run)
    kinds = run("select kpi_id, value_kind, unit from dim_kpi", []).set_index("kpi_id")
    groups = _names(run, "select group_code as code, group_name as name from dim_worker_group")
    platforms = _names(run, "select platform_code as code, platform_name as name from dim_platform")
    changes = []
    for row in changed.itertuples(index=False):
        kind, unit = kinds.loc[row.kpi_id, "value_kind"], kinds.loc[row.kpi_id, "unit"]
        feeding = None if systems is None else systems.get(row.kpi_id, set())
        changes.append(
            {
                "kpi_id": row.kpi_id,
                "kpi_name": row.kpi_name,
                "area": row.area,
                "district_code": _code(getattr(row, "district_code", None)),
                "group_code": _code(row.group_code),
                "group_name": groups.get(_code(row.group_code), ""),
                "platform_code": _code(row.platform_code),
                "platform_name": platforms.get(_code(row.platform_code), ""),
                "old": shown_value(row.value_old, kind, unit),
                "new": shown_value(row.value_new, kind, unit),
                "files": [
                    f["file_path"] for f in files if feeding is None or f["system"] in feeding
                ],
            }
        )
    return {"previous_version": int(manifest["version"]), "changes": changes}


def shown_value(text: object, value_kind: str, unit: object) -> str:
    """A kpis.csv value as the reader sees it: in its unit, "<5" where hidden, "—" where none."""
    if isinstance(text, str) and text.strip() == SUPPRESSED:
        return SUPPRESSED
    number = pd.to_numeric(pd.Series([text]), errors="coerce").iloc[0]
    if pd.isna(number):
        return MISSING
    return value(float(number), value_kind, unit if isinstance(unit, str) else "")


def write_corrections(path: Path, revision: dict) -> None:
    """corrections.csv: the 更正说明 as a table (UTF-8 with BOM, for Excel and WPS)."""
    frame = pd.DataFrame(
        [
            {
                "指标": change["kpi_name"],
                "区域": change["area"],
                "群体": change["group_name"],
                "平台": change["platform_name"],
                f"原值(第 {revision['previous_version']} 版)": change["old"],
                "新值": change["new"],
                "更正的落地文件": ";".join(change["files"]),
            }
            for change in revision["changes"]
        ]
    )
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def pack_revision(folder: Path) -> dict | None:
    """The 更正说明 a written pack carries in its manifest (None: a first version, or none)."""
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text(encoding="utf-8")).get("revision")


def _names(run: Run, sql: str) -> dict[str, str]:
    frame = run(sql, [])
    return dict(zip(frame["code"], frame["name"], strict=True))


def _code(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
