"""The user's personal sample set: labelled drawings kept in a SQLite database. No Qt here."""

from __future__ import annotations

from digitpad.samples.database import StoreError
from digitpad.samples.store import (
    STORE_FILE_NAME,
    ImportReport,
    Sample,
    SampleArrays,
    SampleError,
    SampleNotFoundError,
    SampleStore,
    load_labelled,
    store_path,
    strokes_fingerprint,
)

__all__ = [
    "STORE_FILE_NAME",
    "ImportReport",
    "Sample",
    "SampleArrays",
    "SampleError",
    "SampleNotFoundError",
    "SampleStore",
    "StoreError",
    "load_labelled",
    "store_path",
    "strokes_fingerprint",
]
