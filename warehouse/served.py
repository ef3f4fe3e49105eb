"""What is served: a build's public marts and reference seeds, person counts protected.

The build database keeps everything dbt made (staging, person-level intermediates,
snapshots) for analysts and for the next incremental build. The served file is a new DuckDB
file that holds only the public models (the marts, `access: public`) and seeds, plus the build's own
records, with every person-count table passed through the disclosure-control gate: no
person-level row, no view into the raw zone, no unprotected small count.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from warehouse.config import PUBLISHED_DB_NAME, Home
from warehouse.disclosure import FLAGS, PROTECTED_TABLES, protect_tables
from warehouse.duck import connect, quote_ident, sql_literal

BUILD_RECORDS = ("xiaoge_build", "xiaoge_build_sources")
DISCLOSURE_TABLE = "xiaoge_disclosure"
# A status says where its figure stands against a target (and whether it fell on last
# month), so it is served only where both figures are; it follows fct_kpi_monthly's gate.
STATUS_TABLE = "fct_kpi_status"
# Columns that say what a protected row is, in a fixed order: ties between equally small
# cells are broken the same way in every build, so unchanged numbers are hidden alike.
ROW_ORDER = {
    "fct_kpi_monthly": "kpi_id, month_start, area_level, district_code nulls first, "
    "group_code nulls first, platform_code nulls first",
    "fct_workforce_tenure_monthly": "month_start, area_level, district_code nulls first, "
    "group_code, band_order",
    "fct_worker_cohorts_retained": "cohort_start, months_in, area_level, "
    "district_code nulls first, group_code",
}


def public_nodes(build_dir: Path) -> dict[str, dict]:
    """The public models (`access: public`, the marts) and seeds of this build, from dbt's
    manifest, by relation name: what the served file holds. Staging and intermediate models,
    some of them person-level, are protected and never served."""
    manifest = json.loads((build_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    return {
        node.get("alias") or node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "seed"
        or (node["resource_type"] == "model" and node.get("access") == "public")
    }


def public_relations(build_dir: Path) -> list[str]:
    return sorted(public_nodes(build_dir))


def write_public_database(build_db: Path, build_dir: Path, target: Path) -> dict:
    """Write the served file for a build at `target` (atomically) and return the disclosure
    summary (cells, hidden cells, shares), which is also stored in the file."""
    relations = public_relations(build_dir)
    with connect(build_db, read_only=True) as source:
        present = {
            r[0]
            for r in source.execute("select table_name from information_schema.tables").fetchall()
        }
        tables = {
            name: source.execute(
                f"select rowid as _row, * from {quote_ident(name)} order by {ROW_ORDER[name]}"
            ).df()
            for name in PROTECTED_TABLES
            if name in present
        }
        catalogue, partitions = gate_seeds(source)
    protected = protect_tables(tables, catalogue, partitions)
    staged = target.with_name(f".{target.name}.tmp")
    staged.unlink(missing_ok=True)
    with connect(staged) as out:
        out.execute(f"attach {sql_literal(str(build_db))} as build (read_only)")
        for name in [*relations, *BUILD_RECORDS]:
            if name not in present:
                continue
            if name in protected.tables:
                _copy_protected(out, name, protected.tables[name])
            elif name == STATUS_TABLE:
                continue  # after the figures it judges
            else:
                out.execute(
                    f"create table {quote_ident(name)} as select * from build.main.{quote_ident(name)}"
                )
        if STATUS_TABLE in relations and STATUS_TABLE in present:
            _copy_statuses(out)
        summary = pd.DataFrame([protected.summary])
        out.register("disclosure_summary", summary)
        out.execute(f"create table {DISCLOSURE_TABLE} as select * from disclosure_summary")
        out.unregister("disclosure_summary")
        out.execute("detach build")
        out.execute("checkpoint")
    os.replace(staged, target)
    return protected.summary


def gate_seeds(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seeds the disclosure gate reads (the catalogue, the people partitions), in a fixed
    order: which cells it hides must depend on the figures alone, not on how an engine stored
    a seed (the order decides which of two equally cheap cells is chosen)."""
    return (
        con.execute("select * from kpi_catalogue order by kpi_id").df(),
        con.execute("select * from people_partitions order by all").df(),
    )


def _copy_protected(out, name: str, flagged: pd.DataFrame) -> None:
    """The build's table with hidden figures null, and its `*_suppressed` flags."""
    flags = [c for c in flagged.columns if c.endswith("_suppressed")]
    out.register("flags", flagged[["_row", *flags]])
    replaced = ", ".join(
        f"case when flags.{quote_ident(flag)} then null else t.{quote_ident(column)} end as {quote_ident(column)}"
        for column, flag in FLAGS[name].items()
    )
    out.execute(
        f"create table {quote_ident(name)} as "
        f"select t.* replace ({replaced}), {', '.join(f'flags.{quote_ident(f)}' for f in flags)} "
        f"from (select rowid as _row, * from build.main.{quote_ident(name)}) as t "
        "join flags using (_row) order by t._row"
    )
    out.execute(f"alter table {quote_ident(name)} drop column _row")
    out.unregister("flags")


def _copy_statuses(out) -> None:
    """fct_kpi_status with each status null, and `status_suppressed` true, where the gate hid
    the figure it judges or last month's figure (read by the wrong-way rule)."""
    out.execute(
        f"""
        create table {STATUS_TABLE} as
        select s.* exclude (hidden) replace (case when hidden then null else s.status end as status),
               hidden as status_suppressed
        from (
            select s.*, s.status is not null and (
                coalesce(now.value_suppressed, false) or coalesce(last.value_suppressed, false)
            ) as hidden
            from build.main.{STATUS_TABLE} as s
            left join fct_kpi_monthly as now on now.kpi_row_id = s.kpi_row_id
            left join fct_kpi_monthly as last on last.kpi_row_id = s.previous_kpi_row_id
        ) as s
        order by s.kpi_id, s.month_start, s.area_level, s.district_code nulls first
        """
    )


def served_build_database(home: Home) -> Path | None:
    """The build database behind the served file (all of dbt's tables), if it is still kept."""
    if not home.published_db.exists():
        return None
    with connect(home.published_db, read_only=True) as con:
        build_id = con.execute("select build_id from xiaoge_build").fetchone()[0]
    database = home.build / build_id / PUBLISHED_DB_NAME
    return database if database.exists() else None
