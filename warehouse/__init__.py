"""Xiaoge Warehouse: the KPI warehouse of Hangzhou's courier-friendly city programme."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xiaoge-warehouse")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
