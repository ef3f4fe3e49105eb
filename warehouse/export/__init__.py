"""The monthly KPI pack: `export` writes a frozen, versioned pack (kpis.csv, .parquet, .xlsx,
the brief as HTML and PDF, manifest.json; from the second version on, corrections.csv);
`diff` compares two versions.

- pack: versions, the manifest, export and diff;
- revision: a new version's 更正说明 (changed figures, old and new, the corrected files);
- notes: the audit in words for readers;
- xlsx: kpis.xlsx;
- brief: the trend charts and the one-page 月度简报.
"""

from warehouse.export.pack import (
    NUMBERS_FILE,
    ExportOutcome,
    diff,
    export,
    latest_pack,
    pack_folder,
    pack_versions,
)
from warehouse.export.revision import pack_revision

__all__ = [
    "NUMBERS_FILE",
    "ExportOutcome",
    "diff",
    "export",
    "latest_pack",
    "pack_folder",
    "pack_revision",
    "pack_versions",
]
