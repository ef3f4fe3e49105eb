"""Landing files -> raw zone: contract checks, row quarantine, ledger, atomic Parquet parts.

A landing file lives at `landing/<system>/<YYYY-MM>/<table>[__<sender>].<csv|xlsx>`. Each
delivery of it (its bytes at one time) is checked, and its accepted and rejected rows are kept
in the delivery store, `raw/_deliveries/<system>/<table>/month=<YYYY-MM>/<file stem>/<sha256>
[.quarantine].parquet`, for good. The file's current delivery is what dbt reads: the same
Parquet file hard-linked at `raw/<system>/<table>/month=<YYYY-MM>/<file stem>.parquet` (its
rejected rows at the same place under `raw/_quarantine/`). The ledger records every delivery
and says which one is current.

A re-delivery that would lose rows is held (`corrections`) until a person accepts it;
`revert` makes a file's previous delivery current again (`operator_actions`). A run killed at
any point is finished by `recover` at the next start (`journal`).

The modules, in the order a file passes through them: `landing` (discovery), `decode`,
`rules` (the row rules as SQL), `load`, `store`, `journal`; `run` drives an ingest run.
"""

from warehouse.ingest.corrections import HeldCorrections, correction_limits, held_corrections
from warehouse.ingest.decode import xlsx_to_csv
from warehouse.ingest.journal import JOURNAL, recover
from warehouse.ingest.landing import discover
from warehouse.ingest.operator_actions import accept_correction, revert
from warehouse.ingest.run import ingest
from warehouse.ingest.store import DELIVERIES, parts

__all__ = [
    "DELIVERIES",
    "JOURNAL",
    "HeldCorrections",
    "accept_correction",
    "correction_limits",
    "discover",
    "held_corrections",
    "ingest",
    "parts",
    "recover",
    "revert",
    "xlsx_to_csv",
]
