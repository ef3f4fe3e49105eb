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

# A measures row in the service theme's measures CTE: visits to the stations, summed per
# district (kpi_rows adds the city row and zero-fills the districts with none).
MEASURES_ANCHOR = "\n),\n\nkpi_rows as (\n"
NEW_MEASURE = """
    union all

    select
        'station_visits',
        'count',
        month_start,
        district_code,
        sum(visits),
        null
    from station_days
    group by month_start, district_code
"""
# ...and its rows in the expectations of the theme model's unit test (the visits it is given)
EXPECTED_ROWS = """\
        - {kpi_id: station_visits, area_level: city, district_code: null, kpi_value: 40, numerator: null, denominator: null}
        - {kpi_id: station_visits, area_level: district, district_code: "330102", kpi_value: 40, numerator: null, denominator: null}
        - {kpi_id: station_visits, area_level: district, district_code: "330105", kpi_value: 0, numerator: null, denominator: null}
"""
CATALOGUE_ROW = {
    "kpi_id": "station_visits",
    "name_zh": "驿站到访人次",
    "name_en": "Service station visits",
    "definition_zh": "当月各服务驿站登记的到访人次之和",
    "definition_en": "Visits recorded by the service stations in the month, summed",
    "unit": "人次",
    "value_kind": "count",
    "direction": "up",
    "theme": "service",
    "source_model": "int_service_kpis_measured",
    "counts_people": "false",
    # what the audit expects of it: a plausible range, and how far it may move in a month
    "expected_min": "0",
    "expected_max": "10000000",
    "max_monthly_change_share": "1",
}


def test_a_new_kpi_needs_one_measures_row_and_one_catalogue_row(
    copy_of_demo_home: Path, tmp_path: Path, monkeypatch
):
    project = tmp_path / "project"
    shutil.copytree(
        REPO_ROOT / "dbt", project / "dbt", ignore=shutil.ignore_patterns("target", "logs")
    )
    shutil.copytree(REPO_ROOT / "seeds", project / "seeds")
    model = project / "dbt" / "models" / "intermediate" / "kpis" / "int_service_kpis_measured.sql"
    sql = model.read_text(encoding="utf-8")
    assert sql.count(MEASURES_ANCHOR) == 1  # the end of the measures CTE
    model.write_text(sql.replace(MEASURES_ANCHOR, NEW_MEASURE + MEASURES_ANCHOR), encoding="utf-8")
    properties = model.with_suffix(".yml")
    # the unit test's expected rows end the file
    assert properties.read_text(encoding="utf-8").endswith("denominator: 2}\n")
    properties.write_text(properties.read_text(encoding="utf-8") + EXPECTED_ROWS, encoding="utf-8")
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
    assert values["kpis"]["station_visits"]["value"] == 268899  # the visits per day's numerator
    assert values["kpis"]["station_visits"]["name_zh"] == "驿站到访人次"

    subprocess.run(
        [XIAOGE, "export", "--month", "2025-06"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    pack = sorted((home / "exports" / "2025-06").glob("v*"))[-1]
    book = openpyxl.load_workbook(pack / "kpis.xlsx")
    assert "驿站到访人次" in [row[0].value for row in book["说明"].iter_rows(min_row=3)]
    assert "station_visits" in [row[0].value for row in book["明细"].iter_rows(min_row=3)]
    assert "station_visits" in (pack / "kpis.csv").read_text(encoding="utf-8-sig")

    monkeypatch.setenv("XIAOGE_HOME", str(home))
    at = AppTest.from_file(str(REPO_ROOT / "dashboards" / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/dictionary.py").run()
    assert not at.exception
    assert any("`station_visits`" in e.label for e in at.expander)
