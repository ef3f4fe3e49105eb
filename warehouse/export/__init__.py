"""The monthly KPI pack: `export` writes a frozen, versioned pack (kpis.csv, .parquet, .xlsx,
the brief as HTML and PDF, manifest.json); `diff` compares two versions.

- pack: versions, the manifest, export and diff;
- xlsx: kpis.xlsx;
- brief: the trend charts and the one-page 月度简报.
"""

from warehouse.export.pack import (
    NUMBERS_FILE,
    ExportOutcome,
    diff,
    export,
    pack_folder,
    pack_versions,
)

__all__ = ["NUMBERS_FILE", "ExportOutcome", "diff", "export", "pack_folder", "pack_versions"]
