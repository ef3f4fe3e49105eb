"""docs/kpis.md and the terms the KPI definitions share (seeds/kpi_terms.csv)."""

from __future__ import annotations

from warehouse.kpi_docs import KPIS_DOC, catalogue, named_terms, referenced, render, terms

DEFINITION_COLUMNS = ("definition_zh", "definition_en")


def test_kpis_doc_is_the_rendered_catalogue():
    assert KPIS_DOC.read_text(encoding="utf-8") == render(), "run: python -m warehouse.kpi_docs"


def test_every_bracketed_name_is_a_term():
    glossary = terms()
    texts = {
        f"{kpi['kpi_id']}.{column}": kpi[column]
        for kpi in catalogue()
        for column in DEFINITION_COLUMNS
    } | {
        f"term {term.term_id}.{column}": getattr(term, column)
        for term in glossary.values()
        for column in DEFINITION_COLUMNS
    }
    unknown = {
        where: name
        for where, text in texts.items()
        for name in referenced(text)
        if name not in glossary
    }
    assert not unknown, f"【】 names no term of seeds/kpi_terms.csv (by name_zh): {unknown}"


def test_every_term_is_used_by_a_kpi():
    glossary = terms()
    used = {
        term.term_id for kpi in catalogue() for term in named_terms(kpi["definition_zh"], glossary)
    }
    assert used == {term.term_id for term in glossary.values()}


def test_every_kpi_is_documented_with_its_terms_in_full():
    text = KPIS_DOC.read_text(encoding="utf-8")
    glossary = terms()
    for kpi in catalogue():
        section = text.split(f"`{kpi['kpi_id']}`\n", 1)[1].split("\n### ", 1)[0]
        for term in named_terms(kpi["definition_zh"], glossary):
            assert term.definition_zh in section, (kpi["kpi_id"], term.term_id)
            assert term.definition_en in section, (kpi["kpi_id"], term.term_id)
