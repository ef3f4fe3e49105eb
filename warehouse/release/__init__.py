"""`xiaoge release --month`: the month's release in one run (run.py) and its record
(record.py): ingest, build and publish when needed, the city's and each district's pack, each
district's analysis page, and exports/<month>/releases/release-<n>.json and .md."""

from warehouse.release.record import RECORDS, release_numbers
from warehouse.release.run import (
    CITY_STEPS,
    AnalysisStep,
    Display,
    Output,
    Release,
    analysis_file,
    release,
)

__all__ = [
    "CITY_STEPS",
    "RECORDS",
    "AnalysisStep",
    "Display",
    "Output",
    "Release",
    "analysis_file",
    "release",
    "release_numbers",
]
