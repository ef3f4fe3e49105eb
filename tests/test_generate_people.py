"""The worker population's generator: determinism, injected defects caught, no row lost,
and the late correction superseding an earlier delivery."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from tests.conftest import CorrectedHome, kpi_json
from warehouse.generate import platform, workforce
from warehouse.generate.defects import REASON_MARKERS, read_manifest
from warehouse.generate.places import Places

SYSTEMS = ("platform", "social_insurance", "xiaogema")


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    places = Places.load()
    for name in ("a", "b"):
        workforce.write(tmp_path / name, places, "2024-11", "2025-02", seed=7)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert len(first) > 40
    assert first == second
    assert {Path(p).suffix for p in first} == {".csv", ".xlsx"}
    workforce.write(tmp_path / "c", places, "2024-11", "2025-02", seed=8)
    assert _digests(tmp_path / "c") != first


def test_formats_differ_by_platform(demo_home: Path) -> None:
    month = demo_home / "landing" / "platform" / "2025-06"
    assert (month / "worker_roster__eleme.xlsx").exists()
    assert (month / "monthly_activity__meituan.csv").read_bytes().decode("utf-8")
    gbk = (month / "monthly_activity__sf_intra.csv").read_bytes()
    assert gbk.decode("gbk").startswith("身份证号")
    enrolment = demo_home / "landing" / "social_insurance" / "2025-06" / "enrolment.csv"
    assert enrolment.read_bytes().decode("gbk").startswith("公民身份号码")


def test_every_injected_defect_is_quarantined_with_its_reason(demo_home: Path) -> None:
    defects = [d for d in read_manifest(demo_home / "landing") if d.file.split("/")[0] in SYSTEMS]
    kinds = {d.kind for d in defects}
    assert kinds == set(REASON_MARKERS)
    by_file: dict[str, dict[int, str]] = {}
    for defect in defects:
        if defect.file not in by_file:
            system, month, name = defect.file.split("/")
            table, stem = name.split("__")[0].split(".")[0], Path(name).stem
            part = (
                demo_home
                / "raw"
                / "_quarantine"
                / system
                / table
                / f"month={month}"
                / f"{stem}.parquet"
            )
            rows = pq.read_table(part, columns=["source_row", "reason"]).to_pylist()
            by_file[defect.file] = {r["source_row"]: r["reason"] for r in rows}
        reason = by_file[defect.file].get(defect.row)
        assert reason is not None, defect
        assert REASON_MARKERS[defect.kind] in reason, (defect, reason)


def test_rows_read_equal_accepted_plus_quarantined(demo_home: Path) -> None:
    ledger = pq.read_table(demo_home / "raw" / "_ledger.parquet").to_pylist()
    mine = [r for r in ledger if r["system"] in SYSTEMS]
    assert len(mine) > 500
    for row in ledger:
        assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"], row
    assert sum(r["rows_quarantined"] for r in mine) > 100


def test_late_correction_supersedes_the_earlier_delivery(
    demo_home: Path, corrected_home: CorrectedHome
) -> None:
    home, (path, _) = corrected_home.home, corrected_home.files
    ledger = pq.read_table(home / "raw" / "_ledger.parquet").to_pylist()
    relative = path.relative_to(home / "landing").as_posix()
    statuses = sorted(r["status"] for r in ledger if r["file_path"] == relative)
    assert statuses == ["loaded", "superseded"]
    month, _ = platform.CORRECTION
    before = kpi_json(demo_home, "--month", month)["kpis"]
    after = kpi_json(home, "--month", month)["kpis"]
    assert after["workforce_active"]["value"] == before["workforce_active"]["value"]
    assert (
        after["xiaogema_income_uplift_yuan"]["value"]
        != before["xiaogema_income_uplift_yuan"]["value"]
    )
