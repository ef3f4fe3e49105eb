"""The dbt project's house rules (dbt-project-evaluator's, checked on the manifest of a real build)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from warehouse.config import PUBLISHED_DB_NAME, SEEDS_DIR, Home
from warehouse.served import served_build_database


def published_build_dir(home: Path) -> Path:
    return served_build_database(Home(home)).parent


@pytest.fixture(scope="module")
def manifest(demo_home: Path) -> dict:
    return json.loads((published_build_dir(demo_home) / "target" / "manifest.json").read_text())


def models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def layer(node: dict) -> str:
    return node["fqn"][1]


def test_every_model_seed_and_column_is_described(manifest: dict):
    missing = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        if not node["description"].strip():
            missing.append(node["unique_id"])
        missing += [
            f"{node['unique_id']}.{c}"
            for c, col in node["columns"].items()
            if not col["description"].strip()
        ]
    assert missing == []


def test_every_model_has_a_primary_key_test(manifest: dict):
    tested = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata", {}).get("name") in (
            "unique",
            "unique_combination",
        ):
            tested.update(node["depends_on"]["nodes"])
    untested = [m["unique_id"] for m in models(manifest) if m["unique_id"] not in tested]
    assert untested == []


def test_a_null_in_a_required_column_fails_its_models_one_not_null_test(
    demo_home: Path, manifest: dict, tmp_path: Path
):
    """A model's required non-key columns share one `not_null_columns` test (one scan): run
    as the demo build compiled it, it passes on the built table and names each column that
    turns null, with how many rows."""
    (test,) = [
        n
        for n in manifest["nodes"].values()
        if n.get("test_metadata", {}).get("name") == "not_null_columns"
        and n["attached_node"] == "seed.xiaoge.streets"
    ]
    assert test["test_metadata"]["kwargs"]["columns"] == ["street_name", "district_code"]
    build_dir = published_build_dir(demo_home)
    (compiled,) = (build_dir / "target" / "compiled").rglob(Path(test["compiled_path"]).name)
    sql = compiled.read_text(encoding="utf-8")
    database = tmp_path / PUBLISHED_DB_NAME
    shutil.copyfile(build_dir / PUBLISHED_DB_NAME, database)
    with duckdb.connect(str(database)) as con:
        con.execute("use xiaoge.main")
        assert con.execute(sql).fetchall() == []
        con.execute("update streets set district_code = null where street_code in "
                    "(select street_code from streets order by 1 limit 3)")  # fmt: skip
        assert con.execute(sql).fetchall() == [("district_code", 3)]


def test_only_staging_reads_sources_and_staging_reads_nothing_else(manifest: dict):
    for model in models(manifest):
        parents = model["depends_on"]["nodes"]
        reads_source = any(p.startswith("source.") for p in parents)
        if layer(model) == "staging":
            assert all(p.startswith("source.") for p in parents), model["unique_id"]
            assert model["config"]["materialized"] == "view", model["unique_id"]
            assert model["name"].startswith("stg_"), model["name"]
        else:
            assert not reads_source, f"{model['unique_id']} reads a source directly"


def test_no_source_fans_out_to_several_staging_models(manifest: dict):
    children: dict[str, list[str]] = {}
    for model in models(manifest):
        for parent in model["depends_on"]["nodes"]:
            if parent.startswith("source."):
                children.setdefault(parent, []).append(model["unique_id"])
    assert {s: c for s, c in children.items() if len(c) > 1} == {}


def test_marts_are_tables_with_enforced_contracts_and_named_by_kind(manifest: dict):
    for model in models(manifest):
        if layer(model) != "marts":
            continue
        assert model["config"]["materialized"] in ("table", "incremental"), model["unique_id"]
        assert model["config"]["contract"]["enforced"], model["unique_id"]
        assert model["name"].startswith(("fct_", "dim_")), model["name"]
        assert all(col.get("data_type") for col in model["columns"].values()), model["unique_id"]


def test_intermediate_models_follow_the_naming_guide(manifest: dict):
    for model in models(manifest):
        if layer(model) == "intermediate":
            assert model["name"].startswith("int_"), model["name"]


def test_every_dashboard_page_and_the_export_are_exposures(manifest: dict):
    from tests.test_dashboard_pages import ALL_PAGES

    exposures = {e["name"] for e in manifest["exposures"].values()}
    expected = {f"dashboard_{page}" for page in ALL_PAGES if page not in ("reports", "quality")} | {
        "monthly_kpi_pack"
    }
    assert expected <= exposures


def test_marts_are_the_public_interface(manifest: dict):
    for model in models(manifest):
        assert (model["access"] == "public") == (layer(model) == "marts"), model["unique_id"]


def test_exposures_read_public_models_only(manifest: dict):
    """No seed either: consumers read a seed's rows through its public dim_ mart."""
    nodes = manifest["nodes"]
    for exposure in manifest["exposures"].values():
        parents = exposure["depends_on"]["nodes"]
        assert parents, exposure["name"]
        for parent in parents:
            node = nodes[parent]
            assert node["resource_type"] == "model" and node.get("access") == "public", (
                f"{exposure['name']} reads {node['name']}"
            )


def test_every_notebook_and_the_kpi_command_are_exposures(manifest: dict):
    from tests.test_notebooks import NOTEBOOKS

    exposures = manifest["exposures"].values()
    documented = {
        e["description"].split("`")[1].rsplit("/", 1)[-1]
        for e in exposures
        if e["type"] == "notebook"
    }
    assert documented == {path.name for path in NOTEBOOKS}
    assert any(e["name"] == "xiaoge_kpi_cli" for e in exposures)


def test_the_served_file_holds_the_public_models_and_seeds(demo_home: Path, manifest: dict):
    from warehouse.config import Home
    from warehouse.published import query

    tables = query(Home(demo_home), "select table_name from information_schema.tables")
    served = set(tables["table_name"])
    public = {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "seed" or n.get("access") == "public"
    }
    assert public <= served
    protected = {m["name"] for m in models(manifest) if m["access"] != "public"}
    assert protected & served == set()


def test_every_catalogue_kpi_names_a_model_that_exists(manifest: dict):
    """The dictionary shows each KPI's source model: it must be one an analyst can open."""
    names = {m["name"] for m in models(manifest)}
    catalogue = pd.read_csv(SEEDS_DIR / "kpi_catalogue.csv")
    missing = catalogue.loc[~catalogue["source_model"].isin(names), ["kpi_id", "source_model"]]
    assert missing.empty, missing.to_dict("records")
