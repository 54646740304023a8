"""The database file: schema migrations, and files we must not use (kept, reported, replaced)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, tzinfo
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.ink import make_drawing
from digitpad.samples import SampleStore, StoreError, database, migrations

DRAWING = make_drawing([[(0, 0), (4, 9), (8, 0)]], 4)


def pragma(path: Path, name: str) -> object:
    db = sqlite3.connect(path)
    try:
        return db.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        db.close()


def columns(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [row[1] for row in db.execute("PRAGMA table_info(samples)")]
    finally:
        db.close()


# --- migrations -----------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["missing", "zero bytes", "empty SQLite"])
def test_new_or_empty_file_is_migrated_to_the_latest_version(tmp_path: Path, start: str) -> None:
    path = tmp_path / "samples.db"
    if start == "zero bytes":
        path.write_bytes(b"")
    elif start == "empty SQLite":
        sqlite3.connect(path).close()
    with SampleStore.open(path) as store:
        store.add(DRAWING, 4)
        assert store.recovered_from is None
    assert pragma(path, "user_version") == migrations.latest_version() >= 1
    assert pragma(path, "application_id") == migrations.APPLICATION_ID
    assert list(tmp_path.iterdir()) == [path]  # nothing was moved aside


def test_migrations_run_in_order_from_the_stored_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "samples.db"
    with SampleStore.open(path) as store:
        sample_id = store.add(DRAWING, 4)
    ran: list[str] = []

    def add_note(db: sqlite3.Connection) -> None:
        ran.append("note")
        db.execute("ALTER TABLE samples ADD COLUMN note TEXT NOT NULL DEFAULT ''")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, add_note))

    with SampleStore.open(path) as store:
        assert store.get(sample_id).label == 4
    assert ran == ["note"]  # version 1 was not run again
    assert pragma(path, "user_version") == 2
    assert "note" in columns(path)
    with SampleStore.open(path):
        assert ran == ["note"]  # and version 2 only once


def test_a_failing_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "samples.db"
    with SampleStore.open(path) as store:
        store.add(DRAWING, 4)

    def half_done(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE samples ADD COLUMN note TEXT")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, half_done))
    with pytest.raises(StoreError, match="disk I/O error"):
        SampleStore.open(path)
    assert pragma(path, "user_version") == 1
    assert "note" not in columns(path)
    assert sorted(p.name for p in tmp_path.iterdir() if "-" not in p.name) == ["samples.db"]


# --- unusable files -------------------------------------------------------------------------


def _assert_replaced_and_kept(tmp_path: Path, store: SampleStore, kind: str, words: str) -> Path:
    kept = store.recovered_from
    assert kept is not None and kept.parent == tmp_path
    assert kept.name.startswith(f"samples.db.{kind}-")
    assert store.recovery_message is not None
    assert words in store.recovery_message and kept.name in store.recovery_message
    sample_id = store.add(DRAWING, 4)  # the new store works
    assert store.get(sample_id).label == 4
    return kept


def test_random_bytes_are_moved_aside_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "samples.db"
    junk = np.random.default_rng(5).bytes(20_000)
    path.write_bytes(junk)
    with SampleStore.open(path) as store:
        kept = _assert_replaced_and_kept(tmp_path, store, "corrupt", "not a SQLite database")
    assert kept.read_bytes() == junk


def test_another_programs_database_is_moved_aside_untouched(tmp_path: Path) -> None:
    path = tmp_path / "samples.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE accounts (name TEXT, balance REAL)")
    db.execute("INSERT INTO accounts VALUES ('alice', 12.5)")
    db.commit()
    db.close()
    original = path.read_bytes()
    with SampleStore.open(path) as store:
        kept = _assert_replaced_and_kept(tmp_path, store, "foreign", "another program")
    assert kept.read_bytes() == original  # not even switched to WAL
    db = sqlite3.connect(kept)
    assert db.execute("SELECT * FROM accounts").fetchall() == [("alice", 12.5)]
    db.close()


def test_database_from_a_newer_version_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "samples.db"
    with SampleStore.open(path) as store:
        store.add(DRAWING, 4)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    db.close()
    with SampleStore.open(path) as store:
        kept = _assert_replaced_and_kept(tmp_path, store, "newer", "newer digitpad")
        assert len(store) == 1  # only the sample added to the new store
    assert pragma(kept, "user_version") == migrations.latest_version() + 1


def test_damaged_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "samples.db"
    with SampleStore.open(path) as store:
        for i in range(200):
            store.add(make_drawing([[(0, 0), (i, 9), (8, i)]], 4), i % 10)
    data = bytearray(path.read_bytes())
    page = 4096
    data[2 * page : 4 * page] = np.random.default_rng(0).bytes(2 * page)  # a table's pages
    path.write_bytes(bytes(data))
    with SampleStore.open(path) as store:
        _assert_replaced_and_kept(tmp_path, store, "corrupt", "damaged")


def test_without_recovery_an_unusable_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "samples.db"
    path.write_bytes(b"hello, not a database" * 100)
    with pytest.raises(StoreError, match="cannot use it: it is not a SQLite database"):
        SampleStore.open(path, recover=False)
    assert list(tmp_path.iterdir()) == [path]


def test_a_path_that_cannot_be_a_file_is_an_error_not_a_recovery(tmp_path: Path) -> None:
    (tmp_path / "samples.db").mkdir()
    with pytest.raises(StoreError, match="cannot open the samples file"):
        SampleStore.open(tmp_path / "samples.db")
    assert [p.name for p in tmp_path.iterdir()] == ["samples.db"]


def test_two_recoveries_in_the_same_second_keep_both_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> FrozenClock:
            return cls(2026, 11, 27, 21, 0, 0, tzinfo=tz)

    monkeypatch.setattr(database, "datetime", FrozenClock)
    path = tmp_path / "samples.db"
    kept: list[Path] = []
    for seed in (1, 2):
        path.unlink(missing_ok=True)
        path.write_bytes(np.random.default_rng(seed).bytes(5000))
        with SampleStore.open(path) as store:
            assert store.recovered_from is not None
            kept.append(store.recovered_from)
        path.unlink()
    assert [p.name for p in kept] == [
        "samples.db.corrupt-20261127T210000Z", "samples.db.corrupt-20261127T210000Z-2"
    ]
    assert all(p.exists() for p in kept)
