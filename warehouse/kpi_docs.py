"""docs/kpis.md, rendered from the KPI catalogue (the catalogue is the source of truth).

Every KPI of `seeds/kpi_catalogue.csv`, by theme (`seeds/kpi_themes.csv`), with its
definition and, in full, the shared terms (`seeds/kpi_terms.csv`) the definition names in
【】 brackets, its disclosure control, targets (`seeds/kpi_targets.csv`) and audit expectations; then a glossary of the
terms. Run `python -m warehouse.kpi_docs` after changing any of these seeds.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from warehouse.audit import RATE_NOISE_Z
from warehouse.config import REPO_ROOT, SEEDS_DIR

KPIS_DOC = REPO_ROOT / "docs" / "kpis.md"
# A term as a definition names it: 【在岗人员】.
TERM_REFERENCE = re.compile(r"【([^【】]+)】")

VALUE_KINDS = {
    "count": "a count",
    "rate": "a rate, stored as a share in [0, 1]: 0.05 is 5%",
    "average": "an average",
    "amount": "an amount",
}
DIRECTIONS = {"up": "up is better", "down": "down is better"}
TRENDS = {
    "": "either way",
    "non_decreasing": "never falls (non_decreasing)",
    "non_increasing": "never rises (non_increasing)",
}


@dataclass(frozen=True)
class Term:
    term_id: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str


def _read(name: str, seeds: Path) -> list[dict[str, str]]:
    with (seeds / name).open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def catalogue(seeds: Path = SEEDS_DIR) -> list[dict[str, str]]:
    return _read("kpi_catalogue.csv", seeds)


def targets(seeds: Path = SEEDS_DIR) -> list[dict[str, str]]:
    return _read("kpi_targets.csv", seeds)


def themes(seeds: Path = SEEDS_DIR) -> list[dict[str, str]]:
    return sorted(_read("kpi_themes.csv", seeds), key=lambda row: int(row["page_order"]))


def terms(seeds: Path = SEEDS_DIR) -> dict[str, Term]:
    """The shared terms, keyed by their Chinese name (as definitions write it in 【】)."""
    return {row["name_zh"]: Term(**row) for row in _read("kpi_terms.csv", seeds)}


def referenced(text: str) -> list[str]:
    """The terms a text names in 【】, in order of first mention."""
    return list(dict.fromkeys(TERM_REFERENCE.findall(text)))


def named_terms(definition: str, glossary: dict[str, Term]) -> list[Term]:
    """Every term a definition depends on: the ones it names, then the ones those name (a
    term's text is part of every definition that names it), each once."""
    found: list[str] = []
    pending = referenced(definition)
    while pending:
        name = pending.pop(0)
        if name in found or name not in glossary:
            continue
        found.append(name)
        pending += referenced(glossary[name].definition_zh)
    return [glossary[name] for name in found]


def _text(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|")


def _or_none(value: str) -> str:
    return value if value else "none"


def _people(kpi: dict[str, str]) -> str:
    if kpi["counts_people"].lower() != "true":
        return "no (counts places, events or cases: not subject to disclosure control)"
    parts = [f"numerator / value `{kpi['numerator_population']}`"]
    if kpi["denominator_population"]:
        parts.append(f"denominator `{kpi['denominator_population']}`")
    return (
        "yes: protected by disclosure control (a count below the threshold, 5 by default, is "
        "published as <5, with complementary suppression; see [access.md](access.md)); "
        f"populations: {', '.join(parts)}"
    )


def _targets(kpi: dict[str, str], rows: list[dict[str, str]]) -> tuple[str, str]:
    """The KPI's city trajectories, and which districts have targets of their own."""
    mine = [row for row in rows if row["kpi_id"] == kpi["kpi_id"]]
    city = [
        f"{row['goal']} by {row['goal_month']} (from {row['start_value']} in {row['start_month']})"
        for row in mine
        if not row["district_code"]
    ]
    districts = sorted({row["district_code"] for row in mine if row["district_code"]})
    return "; ".join(city) or "none", (
        f"{len(districts)}: {', '.join(districts)}" if districts else "none"
    )


def _change(kpi: dict[str, str]) -> str:
    limits = []
    if kpi["max_monthly_change_share"]:
        limits.append(f"{kpi['max_monthly_change_share']} of last month's value")
    if kpi["max_monthly_change_abs"]:
        limits.append(f"{kpi['max_monthly_change_abs']} in the KPI's unit")
    if not limits:
        return "not judged"
    return " and ".join(limits) + (" (flagged only beyond both)" if len(limits) > 1 else "")


def render(seeds: Path = SEEDS_DIR) -> str:
    kpis = catalogue(seeds)
    glossary = terms(seeds)
    lines = [
        "# KPI definitions",
        "",
        "<!-- Rendered from seeds/kpi_catalogue.csv, seeds/kpi_targets.csv, seeds/kpi_terms.csv and seeds/kpi_themes.csv "
        "by `python -m warehouse.kpi_docs`; do not edit by hand. -->",
        "",
        "Every KPI of the catalogue, by theme: what is counted, over which people or places, and "
        "every rule applied, so that anyone can recompute a figure from the source files "
        "([sources.md](sources.md), [ingest.md](ingest.md)). A term in 【】 is defined in the "
        "[glossary](#glossary-术语); its text is part of every definition that names it, and "
        "each KPI lists in full the terms its definition depends on.",
        "",
        "Figures are stored as `fct_kpi_monthly` holds them: a rate as a share in [0, 1], so a "
        "target or expectation of 0.2 is 20%. Every stored value, numerator and denominator "
        "is rounded to 6 decimal places (so 2244/2537 is stored as 0.884509): sums of "
        "floating-point numbers computed in parallel differ in the last bits from run to run, "
        "and a published figure must not change when its data did not. The audit expectations are what the audit "
        "(`xiaoge build`) warns about: a figure outside the plausible range, a move against the "
        "expected trend, or a month-on-month move beyond the largest plausible change.",
        "",
        "A move is flagged only when it is beyond every limit that is set (the share of last "
        "month's value, and the move in the KPI's unit). A rate over few people or places is "
        f"far from its expectations by chance, so for a rate the range and the move in its unit "
        f"are widened by {RATE_NOISE_Z:g} standard errors: of the share, or of the difference "
        "of the two months' shares, each share taken as (x + 1) / (n + 2) over its denominator "
        "n (Agresti-Coull), so that 0 of 1 and 1 of 1 are not taken as certain. At the "
        "city's size this is a fraction of a percentage point.",
        "",
        "**Targets and the 三色 status.** Targets are data (`seeds/kpi_targets.csv`): per KPI, "
        "for the city or for one district, a goal by a goal month and the figure the "
        "trajectory starts from. A month's target is on the straight line from the start to "
        "the goal, month by month, and is the goal from the goal month on; a count's target "
        "is rounded to a whole number, up where more is better and down where less is better. "
        "City figures are "
        "judged against city targets only, a district's figures against its own targets only "
        "(`fct_kpi_status`). With shortfall = target - value where up is better (value - "
        "target where down is better): **green (绿色, 达到进度)** when shortfall <= 0; "
        "**yellow (黄色, 略落后于进度)** when 0 < shortfall <= status tolerance x |target|; "
        "**red (红色, 明显落后或反向变化)** beyond the tolerance, or behind the trajectory and "
        "moved the wrong way on last month by as much as the published change shows (0.1 "
        "percentage point for a rate, 0.1 of the unit otherwise; a change that reads 持平 is "
        "no move). Figures, target and tolerance are compared "
        "rounded to 6 decimal places. A status whose figure (or last month's) is hidden by "
        "disclosure control is not shown either.",
        "",
    ]
    goals = targets(seeds)
    for theme in themes(seeds):
        members = [kpi for kpi in kpis if kpi["theme"] == theme["theme"]]
        if not members:
            continue
        lines += [f"## {theme['name_zh']} {theme['name_en']}", ""]
        for kpi in members:
            lines += [
                f"### {kpi['name_zh']} {kpi['name_en']} `{kpi['kpi_id']}`",
                "",
                f"- 定义: {_text(kpi['definition_zh'])}",
                f"- Definition: {_text(kpi['definition_en'])}",
                "",
                "| | |",
                "| --- | --- |",
                f"| unit | {_cell(_or_none(kpi['unit']))}: {VALUE_KINDS.get(kpi['value_kind'], kpi['value_kind'])} |",
                f"| direction | {DIRECTIONS.get(kpi['direction'], kpi['direction'])} |",
                f"| target (city) | {_targets(kpi, goals)[0]} |",
                f"| district targets | {_targets(kpi, goals)[1]} |",
                f"| status tolerance | {_or_none(kpi['status_tolerance'])} of the target |",
                f"| counts people | {_people(kpi)} |",
                f"| source model | `{kpi['source_model']}` → `fct_kpi_monthly` |",
                f"| expected range | {_or_none(kpi['expected_min'])} to {_or_none(kpi['expected_max'])} |",
                f"| expected trend | {TRENDS.get(kpi['expected_trend'], kpi['expected_trend'])} |",
                f"| largest plausible monthly change | {_change(kpi)} |",
                "",
            ]
            named = named_terms(kpi["definition_zh"], glossary)
            if named:
                lines += ["Terms the definition names (in full):", ""]
                for term in named:
                    lines += [
                        f"- **【{term.name_zh}】 {term.name_en}**: {_text(term.definition_zh)}",
                        f"  {_text(term.definition_en)}",
                    ]
                lines.append("")
    lines += ["## Glossary 术语", ""]
    for term in glossary.values():
        users = [
            f"`{kpi['kpi_id']}`"
            for kpi in kpis
            if term in named_terms(kpi["definition_zh"], glossary)
        ]
        lines += [
            f"### {term.name_zh} {term.name_en} `{term.term_id}`",
            "",
            f"- 定义: {_text(term.definition_zh)}",
            f"- Definition: {_text(term.definition_en)}",
            f"- Used by (directly or through another term): {', '.join(users) if users else 'none'}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    KPIS_DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {KPIS_DOC}")
