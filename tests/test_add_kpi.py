"""CONTRIBUTING.md's "Adding a KPI", performed on a copy of the dbt project: the new KPI shows
up in `xiaoge kpi`, the export and the dashboards' KPI dictionary with no Python change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.conftest import XIAOGE
from warehouse.config import REPO_ROOT

NEW_ROWS = """

union all

select
    'stations_per_district' as kpi_id,
    month_start,
    area_level,
    district_code,
    group_code,
    platform_code,
    kpi_value / 13 as kpi_value,
    kpi_value as numerator,
    13 as denominator
from kpi_rows
where kpi_id = 'stations_active' and area_level = 'city'
"""
CATALOGUE_ROW = {
    "kpi_id": "stations_per_district",
    "name_zh": "区均驿站数",
    "name_en": "Service stations per district",
    "definition_zh": "全市在运行服务驿站数除以区县数(13)",
    "definition_en": "City-wide active service stations divided by the 13 districts",
    "unit": "个",
    "value_kind": "average",
    "direction": "up",
    "theme": "service",
    "source_model": "int_service_kpis_measured",
    "counts_people": "false",
    # what the audit expects of it: a plausible range, and how far it may move in a month
    "expected_min": "0",
    "expected_max": "1000",
    "max_monthly_change_share": "0.25",
    "max_monthly_change_abs": "3",
}


def test_a_new_kpi_needs_one_model_edit_and_one_catalogue_row(
    copy_of_demo_home: Path, tmp_path: Path, monkeypatch
):
    project = tmp_path / "project"
    shutil.copytree(
        REPO_ROOT / "dbt", project / "dbt", ignore=shutil.ignore_patterns("target", "logs")
    )
    shutil.copytree(REPO_ROOT / "seeds", project / "seeds")
    model = project / "dbt" / "models" / "intermediate" / "kpis" / "int_service_kpis_measured.sql"
    assert model.read_text(encoding="utf-8").rstrip().endswith("select * from kpi_rows")
    model.write_text(model.read_text(encoding="utf-8").rstrip() + NEW_ROWS, encoding="utf-8")
    catalogue_path = project / "seeds" / "kpi_catalogue.csv"
    catalogue = pd.read_csv(catalogue_path, dtype=str, keep_default_na=False)
    catalogue = pd.concat([catalogue, pd.DataFrame([CATALOGUE_ROW])], ignore_index=True).fillna("")
    catalogue.to_csv(catalogue_path, index=False)

    home = copy_of_demo_home
    env = {**os.environ, "XIAOGE_HOME": str(home), "XIAOGE_DBT_PROJECT_DIR": str(project / "dbt")}
    build = subprocess.run(
        [XIAOGE, "build"], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert build.returncode == 0, build.stderr

    values = json.loads(
        subprocess.run(
            [XIAOGE, "kpi", "--month", "2025-06", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert abs(values["kpis"]["stations_per_district"]["value"] - 3025 / 13) < 1e-6  # six decimals
    assert values["kpis"]["stations_per_district"]["name_zh"] == "区均驿站数"

    subprocess.run(
        [XIAOGE, "export", "--month", "2025-06"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    pack = sorted((home / "exports" / "2025-06").glob("v*"))[-1]
    book = openpyxl.load_workbook(pack / "kpis.xlsx")
    assert "stations_per_district" in [row[0].value for row in book["说明"].iter_rows(min_row=2)]
    assert "stations_per_district" in (pack / "kpis.csv").read_text(encoding="utf-8-sig")

    monkeypatch.setenv("XIAOGE_HOME", str(home))
    at = AppTest.from_file(str(REPO_ROOT / "dashboards" / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/dictionary.py").run()
    assert not at.exception
    assert any("`stations_per_district`" in e.label for e in at.expander)
