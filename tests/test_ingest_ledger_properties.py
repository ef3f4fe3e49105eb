"""Property: whatever the sequence of deliveries, re-deliveries, corrections (good, or held for
losing rows), accepts and reverts, the ledger and the raw zone agree and no delivered row is
lost. The ingest functions run in-process on a small fresh home with two files of one table."""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warehouse import ledger
from warehouse.config import Home
from warehouse.contracts import systems
from warehouse.errors import UserError
from warehouse.ingest import (
    DELIVERIES,
    JOURNAL,
    HeldCorrections,
    accept_correction,
    correction_limits,
    ingest,
    parts,
    revert,
)

TABLE = systems()["organisation"].table("party_orgs")
FILES = ("organisation/2025-05/party_orgs.csv", "organisation/2025-06/party_orgs.csv")
LIMITS = correction_limits()


def registry(rows: int, bad: int, variant: int) -> tuple[bytes, frozenset[str]]:
    """A party-organisation registry of `rows` organisations, the last `bad` of them without
    a name (quarantined), and the organisation codes of the good ones. `variant` changes the
    names, so the same sizes can be a different delivery."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TABLE.headers)
    good = []
    for i in range(rows):
        org_id = f"ORG{i:03d}"
        name = "" if i >= rows - bad else f"第{i}党支部{'甲乙丙丁'[variant]}"
        if name:
            good.append(org_id)
        values = {
            "org_id": org_id,
            "org_name": name,
            "org_type": "独立党支部",
            "group_name": "网约配送员",
            "platform_code": "",
            "district_code": "330102",
            "street_code": "",
            "established_date": "2024-01-01",
            "dissolved_date": "",
            "secretary_name": "",
        }
        writer.writerow([values[c.name] for c in TABLE.columns])
    return out.getvalue().encode("utf-8"), frozenset(good)


@dataclass
class Delivery:
    checksum: str
    accepted: frozenset[str]
    quarantined: int
    status: str = ledger.LOADED

    @property
    def rows(self) -> int:
        return len(self.accepted) + self.quarantined


@dataclass
class FileModel:
    """What the ledger must say about one file, predicted from the rules."""

    deliveries: list[Delivery] = field(default_factory=list)
    held: Delivery | None = None
    landing: tuple[bytes, Delivery] | None = None

    def current(self) -> Delivery | None:
        return next((d for d in self.deliveries if d.status == ledger.LOADED), None)

    def restorable(self) -> Delivery | None:
        index = next((i for i, d in enumerate(self.deliveries) if d.status == ledger.LOADED), None)
        earlier = [d for d in self.deliveries[: index or 0] if d.status == ledger.SUPERSEDED]
        return earlier[-1] if earlier else None

    def load(self, delivery: Delivery) -> None:
        for d in self.deliveries:
            if d.status == ledger.LOADED:
                d.status = ledger.SUPERSEDED
        self.deliveries.append(Delivery(delivery.checksum, delivery.accepted, delivery.quarantined))
        self.held = None


def would_hold(current: Delivery, new: Delivery) -> bool:
    before, after = len(current.accepted), len(new.accepted)
    if before and (before - after) / before > LIMITS.max_drop:
        return True
    share = new.quarantined / new.rows
    return share > LIMITS.max_quarantine and share > current.quarantined / current.rows


def predict_ingest(model: FileModel) -> str:
    """The outcome of ingesting the file's landing bytes: loaded, skipped or held."""
    assert model.landing is not None
    _, new = model.landing
    current = model.current()
    if model.held is not None and model.held.checksum != new.checksum:
        model.held = None
    if current is not None and current.checksum == new.checksum:
        model.held = None
        return "skipped"
    if any(d.status == ledger.REVERTED and d.checksum == new.checksum for d in model.deliveries):
        return "skipped"
    if model.held is not None:
        return "held"
    if current is not None and would_hold(current, new):
        model.held = new
        return "held"
    model.load(new)
    return "loaded"


def raw_snapshot(home: Home) -> dict[str, str]:
    return {
        p.relative_to(home.raw).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.raw.rglob("*"))
        if p.is_file()
    }


def check(home: Home, models: dict[str, FileModel]) -> None:
    """The ledger is the model's; the raw zone holds exactly what the ledger says."""
    rows = ledger.read(home)
    for row in rows:
        assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"], row
    expected_current = set()
    for file_path, model in models.items():
        mine = [r for r in rows if r["file_path"] == file_path]
        assert [(r["checksum"], r["status"]) for r in mine] == [
            (d.checksum, d.status) for d in model.deliveries
        ], file_path
        if mine:
            assert sum(r["status"] == ledger.LOADED for r in mine) == 1, file_path
        for row, delivery in zip(mine, model.deliveries, strict=True):
            assert row["rows_accepted"] == len(delivery.accepted)
            assert row["rows_quarantined"] == delivery.quarantined
            where = parts(home, file_path, TABLE.name, row["checksum"])
            # every delivery, current or not, keeps its rows in the store
            assert _org_ids(where.stored) == delivery.accepted, (file_path, row["status"])
            assert _rows(where.stored_quarantine) == delivery.quarantined
            if row["status"] == ledger.LOADED:
                # the current parts are exactly the current delivery's rows
                assert _org_ids(where.current) == delivery.accepted
                assert _checksums(where.current) <= {row["checksum"]}
                assert _rows(where.current_quarantine) == delivery.quarantined
                expected_current.add(where.current)
        held = HeldCorrections(home).get(file_path)
        assert (held and held["checksum"]) == (model.held and model.held.checksum), file_path
    current_parts = {p for p in home.raw.glob("organisation/party_orgs/*/*.parquet")}
    assert current_parts == expected_current, "a current part without a current delivery"
    assert not (home.raw / JOURNAL).exists()
    assert not list(home.raw.rglob("*.tmp"))


def _org_ids(path: Path) -> frozenset[str]:
    return frozenset(pq.read_table(path, columns=["org_id"]).column("org_id").to_pylist())


def _checksums(path: Path) -> set[str]:
    return set(pq.read_table(path, columns=["_file_checksum"]).column(0).to_pylist())


def _rows(path: Path) -> int:
    return pq.read_metadata(path).num_rows if path.exists() else 0


deliver = st.tuples(
    st.just("deliver"),
    st.sampled_from(FILES),
    st.integers(min_value=1, max_value=10),  # rows
    st.integers(min_value=0, max_value=10),  # of which bad (capped at rows)
    st.integers(min_value=0, max_value=3),  # variant
)
other = st.tuples(st.sampled_from(["again", "accept", "revert"]), st.sampled_from(FILES))
steps = st.lists(st.one_of(deliver, deliver, other), min_size=1, max_size=10)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(steps=steps)
def test_ledger_and_raw_zone_agree_after_any_sequence(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory(prefix="xiaoge-property-") as folder:
        home = Home(Path(folder)).ensure()
        models = {file_path: FileModel() for file_path in FILES}
        for step in steps:
            action, file_path = step[0], step[1]
            model, path = models[file_path], home.landing / file_path
            before = raw_snapshot(home)
            if action == "deliver":
                rows, bad, variant = step[2], min(step[3], step[2]), step[4]
                content, good = registry(rows, bad, variant)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
                delivery = Delivery(hashlib.sha256(content).hexdigest(), good, rows - len(good))
                model.landing = (content, delivery)
            if action in ("deliver", "again"):
                if model.landing is None:
                    continue
                expected = predict_ingest(model)
                report = ingest(home, [path])
                assert [r.status for r in report.results] == [expected], (step, report)
            elif action == "accept":
                held = model.held
                if held is None:
                    expected = "refused"
                    try:
                        accept_correction(home, path)
                        raise AssertionError(f"{step}: accepted without a held correction")
                    except UserError:
                        pass
                else:
                    expected = "loaded"
                    result = accept_correction(home, path)
                    assert result.rows_accepted == len(held.accepted)
                    model.load(held)
                    assert ledger.read(home)[-1]["accepted_by_operator"] is True
            else:  # revert
                current, previous = model.current(), model.restorable()
                if current is None or previous is None:
                    expected = "refused"
                    try:
                        revert(home, path)
                        raise AssertionError(f"{step}: reverted without an earlier delivery")
                    except UserError:
                        pass
                else:
                    expected = "loaded"
                    revert(home, path)
                    current.status, previous.status = ledger.REVERTED, ledger.LOADED
            if expected != "loaded":
                assert raw_snapshot(home) == before, f"{step} ({expected}) changed the raw zone"
            check(home, models)
        assert (home.raw / DELIVERIES).exists() or not any(m.deliveries for m in models.values())
