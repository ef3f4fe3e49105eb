"""The source contracts and their documentation."""

from __future__ import annotations

from warehouse.contracts import SeedValues, systems
from warehouse.contracts.docs import SOURCES_DOC, render


def test_sources_doc_is_the_rendered_contracts():
    assert SOURCES_DOC.read_text(encoding="utf-8") == render(), (
        "run: python -m warehouse.contracts.docs"
    )


def test_every_system_of_the_design_has_a_contract():
    assert set(systems()) == {
        "platform",
        "social_insurance",
        "service_network",
        "organisation",
        "services",
        "xiaogema",
    }


def test_contracts_are_complete_and_consistent():
    for system in systems().values():
        for table in system.tables:
            names = [c.name for c in table.columns]
            headers = table.headers
            assert len(set(names)) == len(names) and len(set(headers)) == len(headers), table.name
            assert set(table.key) <= set(names), table.name
            for column in table.columns:
                if isinstance(column.allowed, SeedValues):
                    assert column.allowed.values(), f"{table.name}.{column.name}: empty seed list"
                if column.pii in ("phone", "name"):
                    assert column.name not in table.key, "dropped columns cannot be keys"
