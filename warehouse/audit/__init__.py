"""The audit: Great Expectations suites over a finished build, before anyone can see it.

One suite per mart area, kept here as code. Every mart gets the generic checks (not empty,
rates and shares in [0, 1], counts not negative, row counts close to the previous published
build); the KPI area adds the programme's own: the catalogue complete for the latest month,
months without gaps, and each KPI's own expectations, kept with the KPI in the catalogue
(seeds/kpi_catalogue.csv: a plausible range, the way it can move, how far it can move in a
month). Critical failures block publishing; warnings publish and are shown. GE validates
pandas frames read from the build's DuckDB file (its SQL data source does not work with
DuckDB), and is imported only here.

A KPI expectation that fails is one warning per figure, a Chinese sentence naming the KPI,
the district (or 全市), the month and the figures as the dashboards write them. The figures
the checks read are the city-wide, district and group rows of fct_kpi_monthly (not the
platform breakdowns). A figure that counts people may yet be hidden by disclosure control,
which runs at publish: its warnings are held (no figure in them) until `release_held` sees
the protected figures, and are dropped if a figure they would show is hidden.

The modules: `suites` (the Great Expectations suites per mart area), `kpi_expectations` (the
verdict on each KPI figure against its catalogue expectations), `findings` (what the audit
reports, and the KPI warnings as Chinese sentences) and `runner` (validating the suites).
"""

from warehouse.audit.findings import Finding, kpi_warning, release_held
from warehouse.audit.kpi_expectations import (
    KPI_RANGE,
    KPI_VERDICTS,
    RATE_NOISE_Z,
    kpi_expectation_frame,
)
from warehouse.audit.runner import AuditResult, import_great_expectations, run_audit

__all__ = [
    "KPI_RANGE",
    "KPI_VERDICTS",
    "RATE_NOISE_Z",
    "AuditResult",
    "Finding",
    "import_great_expectations",
    "kpi_expectation_frame",
    "kpi_warning",
    "release_held",
    "run_audit",
]
