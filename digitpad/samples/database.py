"""The SQLite file under the sample store: opening it safely, and setting aside one we must not
use.

Several app instances may share the file, and the app may die at any moment, so:

- WAL mode: readers never block the writer, and a killed process leaves nothing half-written
  (uncommitted WAL frames are ignored on the next open).
- Every change is one ``BEGIN IMMEDIATE`` transaction (:func:`transaction`): it takes the write lock
  up front, so a second writer waits in SQLite's busy handler (``BUSY_TIMEOUT_SECONDS``) instead of
  failing with "database is locked" when a deferred transaction would have to upgrade its lock.
- ``synchronous = FULL``: a commit is on disk before
  :meth:`~digitpad.samples.store.SampleStore.add` returns, so a power cut cannot take back a
  sample the user saw being saved. Commits are rare (one per click), so the fsync costs nothing
  noticeable.

A file that is not a readable database of ours (random bytes, a damaged file, another program's
SQLite file, or one from a newer digitpad) is never written to: :func:`prepare` inspects it
through a read-only connection and raises :class:`Unusable` before anything is written, and
:func:`move_aside` renames it aside and keeps it, WAL and all.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from digitpad.samples import migrations

BUSY_TIMEOUT_SECONDS = 10.0
"""How long a write waits for another instance's transaction before giving up."""


class StoreError(OSError):
    """The database cannot be opened or written (busy, no permission, disk full, unusable file)."""


class Unusable(Exception):
    """The file is not a database we may use; ``kind`` names the kept copy."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def connect(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the samples file ({exc})") from exc
    return db


def prepare(db: sqlite3.Connection, path: Path,
            check_rows: Callable[[sqlite3.Connection], None]) -> None:
    """Check the file is ours and readable before writing anything to it, switch it to WAL,
    migrate it.

    ``check_rows`` reads every row of a current schema and raises :class:`Unusable` for one that
    does not decode: a changed byte inside a row can pass SQLite's own check.
    """
    _check_format(path)
    try:
        _inspect(path, check_rows)
        _switch_to_wal(db)
        db.execute("PRAGMA synchronous = FULL")
        # Under the write lock: another instance creating the file right now has either finished
        # or not begun, and one that replaced it since the inspection is caught here.
        with transaction(db):
            if _check_ours(db) < migrations.latest_version():
                migrations.migrate(db)
                check_rows(db)  # in the schema they now have
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            raise Unusable(
                "corrupt", f"it is not a SQLite database or it is damaged ({_one_line(exc)})"
            ) from exc
        raise StoreError(f"{path}: cannot open the samples file ({exc})") from exc


def _inspect(path: Path, check_rows: Callable[[sqlite3.Connection], None]) -> None:
    """Raise :class:`Unusable` unless the file at ``path`` (if any) is ours, passes SQLite's
    check and, in the current schema, ``check_rows``.

    It reads through a read-only connection: the last read-write connection to close a WAL
    database copies the WAL into the file, and a read-only one never does, so a file that fails
    is left exactly as it was.
    """
    if not path.exists():
        return  # a new store
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                         timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        db.execute("BEGIN")  # one snapshot, even while another instance writes
        version = _check_ours(db)
        problems = [row[0] for row in db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise Unusable("corrupt", f"it is damaged ({_first_problem(problems)})")
        if version == migrations.latest_version():
            check_rows(db)
    finally:
        db.close()


_SQLITE_MAGIC = b"SQLite format 3\x00"
_FORMAT_VERSIONS = (1, 2)
"""The file format versions in a SQLite header (bytes 18 and 19): 1 rollback journal, 2 WAL."""


def _check_format(path: Path) -> None:
    """Raise :class:`Unusable` for a SQLite header naming another file format version.

    SQLite opens such a file read-only, and every write would then fail as if the user lacked
    permission, so the damage would look like a problem the user can fix.
    """
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_MAGIC) + 4)
    except OSError:
        return  # missing (a new store) or unreadable: connecting reports the latter
    if header.startswith(_SQLITE_MAGIC) and len(header) == len(_SQLITE_MAGIC) + 4 and not (
        header[18] in _FORMAT_VERSIONS and header[19] in _FORMAT_VERSIONS
    ):
        raise Unusable("corrupt", "it is damaged (its header names an unknown file format)")


def _first_problem(problems: list[str]) -> str:
    """The first problem ``PRAGMA quick_check`` found, without its "*** in database main ***"
    heading."""
    lines = [line for text in problems for line in text.splitlines()]
    return _one_line(next((line for line in lines if not line.startswith("***")), lines[0]))


_SHOWN_CHARS = 100


def _one_line(reason: object) -> str:
    """SQLite's words for the damage, fit for the one line that tells the user: a damaged schema
    comes back with its own (multi-line, perhaps garbled) SQL in the message."""
    text = " ".join(str(reason).split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


WAL_SWITCH_SECONDS = 10.0


def _switch_to_wal(db: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting for a moment alone with it.

    The switch needs the file to itself and SQLite answers "database is locked" at once instead of
    waiting (the busy timeout does not cover it), so two instances creating the store at the same
    moment retry briefly rather than fail.
    """
    deadline = time.monotonic() + WAL_SWITCH_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _check_ours(db: sqlite3.Connection) -> int:
    """The schema version of our file (0 for a new, empty one); raises :class:`Unusable` for
    any other file."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if application_id == migrations.APPLICATION_ID:
        latest = migrations.latest_version()
        if version > latest:
            raise Unusable(
                "newer",
                f"it was written by a newer digitpad (schema version {version}; this version "
                f"knows up to {latest})",
            )
        if version < 1:  # the first migration sets the application id and version 1 together
            raise Unusable("corrupt", f"it is damaged (its schema version reads {version})")
        return int(version)
    has_tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if application_id != 0 or version != 0 or has_tables:
        raise Unusable("foreign", "it is a database of another program, not digitpad samples")
    return 0


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


def move_aside(path: Path, seen: tuple[int, int] | None, problem: Unusable) -> Path | None:
    """Rename the unusable file (and its WAL/journal) to a free ``<name>.<kind>-<UTC time>``.

    Returns ``None`` without touching anything if the file at ``path`` is no longer the one that
    was checked: another instance moved it aside already and started a new one.
    """
    if seen is None or identity(path) != seen:
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}.{problem.kind}-{stamp}")
    number = 1
    while kept.exists():
        number += 1
        kept = path.with_name(f"{path.name}.{problem.kind}-{stamp}-{number}")
    try:
        os.rename(path, kept)
        for suffix in ("-wal", "-shm", "-journal"):
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                os.rename(companion, Path(f"{kept}{suffix}"))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot use it ({problem.reason}) and cannot move it aside "
            f"({exc.strerror or exc})"
        ) from exc
    return kept


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
