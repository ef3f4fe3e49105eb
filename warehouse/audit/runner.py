"""Running the audit: every suite validated by Great Expectations (imported only here, when
the audit runs) on pandas frames read from the build's DuckDB file; Data Docs and audit.json
written under the build folder. Critical failures block publishing; warnings publish and are
shown."""

from __future__ import annotations

import os
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType

from warehouse import strict_json
from warehouse.audit.findings import Finding, kpi_findings
from warehouse.audit.suites import build_suites
from warehouse.crashpoints import pause_point


@dataclass
class AuditResult:
    build_id: str
    checks: int = 0
    findings: list[Finding] = field(default_factory=list)
    data_docs: str | None = None
    # KPI expectations failed by figures that count people, which disclosure control may
    # hide at publish: {"checks", "kpi_row_id"}, no figure, until `release_held`.
    held: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def summary(self) -> dict:
        return {
            "build_id": self.build_id,
            "checks": self.checks,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "passed": not self.errors,
            "data_docs": self.data_docs,
            "findings": [asdict(f) for f in self.findings],
            "held": self.held,
        }

    def write(self, build_dir: Path) -> Path:
        path = build_dir / "audit.json"
        path.write_text(strict_json.dumps(self.summary(), indent=2), encoding="utf-8")
        return path


DOCS_SITE = "local_site"


def data_docs_dir(build_dir: Path) -> Path:
    """Where a build's Data Docs are written (the folder a file context would use)."""
    return build_dir / "audit" / "gx" / "uncommitted" / "data_docs" / DOCS_SITE


def import_great_expectations() -> ModuleType:
    """Great Expectations, imported without its import-time warnings (it takes seconds: a
    build imports it while dbt runs)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    with warnings.catch_warnings():
        # GE probes optional back-ends (pyspark, when the Spark extra is installed) on import,
        # which warn about library versions that do not matter for pandas validation.
        warnings.simplefilter("ignore", FutureWarning)
        import great_expectations as gx
    return gx


def run_audit(build_id: str, database: Path, previous: Path | None, build_dir: Path) -> AuditResult:
    """Validate every suite; write Data Docs and audit.json under the build folder."""
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # In memory: a file context writes its whole configuration again for every asset, suite
    # and validation (about 45 writes, 1.3 s). Only the Data Docs go to disk.
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.update_data_docs_site(  # the in-memory context's own site, moved to disk
        DOCS_SITE,
        {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(data_docs_dir(build_dir)),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    source = context.data_sources.add_or_update_pandas("warehouse")
    result = AuditResult(build_id)
    for suite in build_suites(database, previous, build_dir):
        for frame_name, expectations in suite.expectations.items():
            name = f"{suite.name}.{frame_name}"
            batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("build")
            expectation_suite = context.suites.add_or_update(
                gx.ExpectationSuite(name=name, expectations=expectations)
            )
            definition = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=name, data=batch, suite=expectation_suite)
            )
            row_by_row = frame_name in suite.row_by_row
            validation = definition.run(
                batch_parameters={"dataframe": suite.frames[frame_name]},
                result_format={"result_format": "COMPLETE" if row_by_row else "SUMMARY"},
            )
            pause_point("audit", build_dir)
            failed_rows: dict[int, list[str]] = {}
            for outcome in validation.results:
                result.checks += 1
                if outcome.success:
                    continue
                config = outcome.expectation_config
                severity = (
                    "warning" if str(config.severity).lower().endswith("warning") else "error"
                )
                check = (config.meta or {}).get("check", config.type)
                if row_by_row:
                    for index in outcome.result.get("unexpected_index_list") or []:
                        failed_rows.setdefault(index, []).append(check)
                    continue
                result.findings.append(
                    Finding(name, check, severity, _describe(check, outcome.result))
                )
            if failed_rows:
                findings, held = kpi_findings(name, suite.frames[frame_name], failed_rows)
                result.findings.extend(findings)
                result.held.extend(held)
    context.build_data_docs(site_names=[DOCS_SITE])
    index = data_docs_dir(build_dir) / "index.html"
    result.data_docs = str(index) if index.exists() else None
    result.write(build_dir)
    return result


def _describe(check: str, detail: dict) -> str:
    """One line: the check that failed and what was found."""
    if "unexpected_count" in detail:
        sample = ", ".join(str(v) for v in (detail.get("partial_unexpected_list") or [])[:3])
        return f"{check}:{detail['unexpected_count']} 行不符(例如 {sample})"
    if "observed_value" in detail:
        return f"{check}:实际为 {detail['observed_value']}"
    return check
