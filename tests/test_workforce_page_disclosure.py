"""The workforce page as a district user sees it (AppTest): no group of 1 to 4 people in its
charts or in the CSVs it offers, nor one worked out from a shown rate and its parts."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
XIHU = "330106"
PEOPLE_COLUMNS = ("numerator", "denominator", "workers", "starters", "retained_workers")


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The bytes behind every download button, as the media store receives them."""
    saved: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        saved[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return saved


def _numbers(values) -> np.ndarray:
    """A Plotly array: a list, or a typed array ({"dtype": "f8", "bdata": base64})."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.array(values, dtype=float)


def _small(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers > 0) & (numbers < 5)


@pytest.mark.parametrize("month", ["2023-06", "2025-06"])
def test_district_user_sees_no_group_of_one_to_four(
    demo_home: Path, downloads: dict, monkeypatch: pytest.MonkeyPatch, month: str
):
    monkeypatch.setenv("XIAOGE_HOME", str(demo_home))
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", f"district:{XIHU}")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.switch_page("app_pages/workforce.py").run()
    at.selectbox(key="month").select(month).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="district_code").options == ["西湖区"]

    tables = {}
    for button in at.get("download_button"):
        file_id = button.proto.url.rsplit("/", 1)[1].split(".")[0]
        text = downloads[file_id].decode("utf-8-sig")
        tables[button.proto.id.rsplit("download-", 1)[1]] = pd.read_csv(
            io.StringIO(text), dtype=str
        )
    assert {"tenure", "cohorts"} <= set(tables), tables.keys()
    hidden_somewhere = False
    for name, table in tables.items():
        for column in PEOPLE_COLUMNS:
            if column in table.columns:
                assert not _small(table[column]).any(), (name, column)
                hidden_somewhere |= bool((table[column] == "<5").any())
        if {"numerator", "denominator"} <= set(table.columns):
            rest = pd.to_numeric(table["denominator"], errors="coerce") - pd.to_numeric(
                table["numerator"], errors="coerce"
            )
            assert not _small(rest).any(), (name, "complement")
    cohorts = tables["cohorts"]
    retained = pd.to_numeric(cohorts["retention"], errors="coerce") * pd.to_numeric(
        cohorts["starters"], errors="coerce"
    )
    assert not _small(retained.round(6)).any()
    assert len(cohorts) >= 5
    if month == "2025-06":  # by then the district has small groups, and they are hidden
        assert hidden_somewhere

    # the charts draw the same protected figures: the tenure bars count people
    tenure_chart = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "从业年限" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    )
    bars = pd.Series(_numbers(tenure_chart["data"][0]["y"]))
    assert not _small(bars).any()
