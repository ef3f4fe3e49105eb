"""`xiaoge release --month`: the month's release in one run (run.py) and its record
(record.py): ingest, build and publish when needed, the city's and each district's pack, and
exports/<month>/releases/release-<n>.json and .md."""

from warehouse.release.record import RECORDS, release_numbers
from warehouse.release.run import CITY_STEPS, DISTRICT_STEPS, Display, Output, Release, release

__all__ = [
    "CITY_STEPS",
    "DISTRICT_STEPS",
    "RECORDS",
    "Display",
    "Output",
    "Release",
    "release",
    "release_numbers",
]
