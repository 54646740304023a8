"""The sample database's schema, as an ordered list of migrations.

``PRAGMA user_version`` records how many migrations a database has had. Opening a database runs the
missing ones, in order, inside the caller's transaction, so a migration that fails leaves the file
exactly as it was (SQLite's DDL is transactional). To change the schema, append one function to
:data:`MIGRATIONS`; never edit a migration that has shipped, because databases in the wild already
ran it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

APPLICATION_ID = 0x64706164
"""``PRAGMA application_id`` of a digitpad sample database ("dpad"): tells our file from another
program's SQLite file, which must not be migrated or written to."""

Migration = Callable[[sqlite3.Connection], None]


def _create_samples(db: sqlite3.Connection) -> None:
    """Version 1: one row per sample.

    ``ink`` is the drawing's JSON object without its label (exact points, plus any extra keys it
    came with); ``strokes_sha256`` identifies the same drawing across imports. ``image`` is the
    28x28 model input as 784 uint8 bytes, row-major: the renderer produces 8-bit pixels, so this
    is exact. ``created`` is ISO 8601 in UTC. AUTOINCREMENT keeps a deleted sample's id unused,
    so undoing a delete can bring the sample back under the same id.
    """
    db.execute(
        """
        CREATE TABLE samples (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
            ink TEXT NOT NULL,
            strokes_sha256 TEXT NOT NULL,
            image BLOB NOT NULL CHECK (length(image) = 784),
            predicted INTEGER CHECK (predicted BETWEEN 0 AND 9),
            confidence REAL CHECK (confidence BETWEEN 0.0 AND 1.0),
            model TEXT NOT NULL,
            created TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX samples_by_label ON samples (label)")
    db.execute("CREATE INDEX samples_by_strokes ON samples (strokes_sha256)")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


MIGRATIONS: tuple[Migration, ...] = (_create_samples,)
"""Migration ``i`` takes a database from version ``i`` to ``i + 1``."""


def latest_version() -> int:
    return len(MIGRATIONS)


def migrate(db: sqlite3.Connection) -> int:
    """Run the migrations ``db`` has not had yet and record the new version; returns it.

    Must run inside a transaction the caller commits (or rolls back on error).
    """
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number in range(version, len(MIGRATIONS)):
        MIGRATIONS[number](db)
        db.execute(f"PRAGMA user_version = {number + 1}")
    return len(MIGRATIONS)
