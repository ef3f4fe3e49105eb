"""dbt-project-evaluator rules that dbt-bouncer has no exact check for, on dbt's manifest.

    python -m tests.dbt_rules dbt/target/manifest.json

Run by `make lint` after dbt-bouncer (dbt/dbt-bouncer.yml). Each rule follows the evaluator's
own definition (v1.3, models/marts/dag/ and models/marts/tests/), with its default settings:

- missing primary-key test (fct_missing_primary_key_tests): some column of the model has a
  `unique` and a `not_null` test (or a `unique` test and a not_null constraint), or the model
  has a combination test (`unique_combination`, as dbt_utils.unique_combination_of_columns);
- rejoining of upstream concepts (fct_rejoining_of_upstream_concepts): a resource reads `A`
  and also `B`, where `B` reads `A` and feeds nothing else;
- too many joins (fct_too_many_joins): a model with 7 or more direct parents, unless its
  YAML documents why, as `meta: {evaluator_exception: {rule: too_many_joins, reason: ...}}`;
- exposures on non-public resources (fct_exposures_dependent_on_private_models): an exposure
  depends on anything but a public model. dbt-bouncer's check lets seeds through; the
  evaluator counts them.

The graph is the evaluator's: models, seeds, snapshots and sources; tests, unit tests and
exposures are neither parents nor children. Prints one line per violation (resource, rule,
fix) and exits 1 if there is any.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

TOO_MANY_JOINS_THRESHOLD = 7
GRAPH_TYPES = ("model", "seed", "snapshot", "source")
# Sets of tests that together make a primary-key test (the evaluator's
# primary_key_test_macros, with this project's combination test in place of dbt_utils').
UNIQUE_AND_NOT_NULL = ("unique", "not_null")
COMBINATION_TESTS = ("unique_combination", "unique_combination_of_columns")
EXCEPTION_RULES = {"too_many_joins": ("too_many_joins", "fct_too_many_joins")}


@dataclass(frozen=True)
class Violation:
    resource: str
    rule: str
    fix: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.rule}: {self.fix}"


def _name(unique_id: str) -> str:
    return unique_id.split(".")[-1] if not unique_id.startswith("source.") else unique_id[7:]


def _graph(manifest: dict) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Direct parents and direct children of every resource in the evaluator's graph."""
    resources = {
        uid: node
        for uid, node in {**manifest["nodes"], **manifest["sources"]}.items()
        if node["resource_type"] in GRAPH_TYPES
    }
    parents: dict[str, set[str]] = {uid: set() for uid in resources}
    children: dict[str, set[str]] = defaultdict(set)
    for uid, node in resources.items():
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent in resources:
                parents[uid].add(parent)
                children[parent].add(uid)
    return parents, children


def _documented_exception(node: dict, rule: str) -> bool:
    """True when the model's YAML says why it breaks `rule` (meta.evaluator_exception)."""
    meta = node.get("config", {}).get("meta") or node.get("meta") or {}
    exceptions = meta.get("evaluator_exception") or []
    if isinstance(exceptions, dict):
        exceptions = [exceptions]
    return any(
        e.get("rule") in EXCEPTION_RULES[rule] and str(e.get("reason") or "").strip()
        for e in exceptions
        if isinstance(e, dict)
    )


def missing_primary_key_tests(manifest: dict) -> list[Violation]:
    models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    # per model and column (None for a model-level test): names of the tests on it
    tests: dict[str, dict[str | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        attached = node.get("attached_node")
        if attached in models:
            tests[attached][node.get("column_name")].append(node["test_metadata"]["name"])
    violations = []
    for uid, model in models.items():
        tested = False
        for column, names in tests[uid].items():
            constraints = (model["columns"].get(column) or {}).get("constraints", [])
            not_null_constraint = any(c.get("type") == "not_null" for c in constraints)
            if (
                all(t in names for t in UNIQUE_AND_NOT_NULL)
                or any(t in names for t in COMBINATION_TESTS)
                or ("unique" in names and not_null_constraint)
            ):
                tested = True
        if not tested:
            violations.append(
                Violation(
                    model["name"],
                    "missing primary-key test",
                    "add unique and not_null tests on its key column, or a unique_combination "
                    "test on its key columns, in its YAML",
                )
            )
    return violations


def rejoining_of_upstream_concepts(manifest: dict) -> list[Violation]:
    parents, children = _graph(manifest)
    violations = []
    for child, direct in sorted(parents.items()):
        for between in sorted(direct):
            if len(children[between]) != 1:
                continue  # a shared concept: reading it and its parent is fine
            for rejoined in sorted(parents.get(between, set()) & direct):
                violations.append(
                    Violation(
                        _name(child),
                        "rejoining of upstream concepts",
                        f"it reads {_name(rejoined)} both directly and through "
                        f"{_name(between)}, which feeds nothing else: fold {_name(between)} "
                        f"into it, or take {_name(rejoined)}'s columns through {_name(between)}",
                    )
                )
    return violations


def too_many_joins(manifest: dict) -> list[Violation]:
    parents, _ = _graph(manifest)
    violations = []
    for uid, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model":
            continue
        count = len(parents[uid])
        if count >= TOO_MANY_JOINS_THRESHOLD and not _documented_exception(node, "too_many_joins"):
            violations.append(
                Violation(
                    node["name"],
                    "too many joins",
                    f"it reads {count} models, seeds or sources (limit "
                    f"{TOO_MANY_JOINS_THRESHOLD - 1}): split it through intermediate models, "
                    "or document why in its YAML as meta: {evaluator_exception: "
                    "{rule: too_many_joins, reason: ...}}",
                )
            )
    return violations


def exposures_on_non_public_resources(manifest: dict) -> list[Violation]:
    violations = []
    for exposure in sorted(manifest.get("exposures", {}).values(), key=lambda e: e["name"]):
        for parent in sorted(exposure.get("depends_on", {}).get("nodes", [])):
            node = manifest["nodes"].get(parent) or manifest["sources"].get(parent) or {}
            if node.get("resource_type") == "model" and node.get("access") == "public":
                continue
            violations.append(
                Violation(
                    exposure["name"],
                    "exposure on a non-public resource",
                    f"it reads {_name(parent)}: read a public mart instead (a seed's rows "
                    "through a dim_ model in models/marts/)",
                )
            )
    return violations


RULES = (
    missing_primary_key_tests,
    rejoining_of_upstream_concepts,
    too_many_joins,
    exposures_on_non_public_resources,
)


def check(manifest: dict) -> list[Violation]:
    return [v for rule in RULES for v in rule(manifest)]


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "dbt/target/manifest.json")
    violations = check(json.loads(path.read_text(encoding="utf-8")))
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} dbt convention violation(s) in {path}", file=sys.stderr)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
