"""Real processes against one database file: killed mid-write, and two writing at once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from digitpad.samples import SampleStore

PROJECT_ROOT = Path(__file__).resolve().parents[3]

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from digitpad.ml.ink import make_drawing
    from digitpad.samples import SampleStore

    path, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    with SampleStore.open(path) as store:
        # Both open the new file at the same moment; then both start writing together, however
        # long each took to open it (under load one could otherwise finish before the other begins).
        Path(f"{go}.{name}").touch()
        while len(list(go.parent.glob(go.name + ".*"))) < int(sys.argv[5]):
            time.sleep(0.005)
        for i in range(count):
            drawing = make_drawing([[(0, 0), (i, 10), (20, i % 7)]], i % 10)
            sample_id = store.add(drawing, i % 10, model=name)
            print(sample_id, flush=True)
            # A person adds a sample now and then, not in a tight loop: without a pause, SQLite's
            # busy handler (which sleeps, unfair by design) can let one writer take every turn.
            time.sleep(0.002)
    """
)


def start_writer(
    path: Path, name: str, count: int, go: Path, writers: int = 1
) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), name, str(count), str(go), str(writers)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_every_committed_sample_survives_sigkill_during_writes(tmp_path: Path) -> None:
    path = tmp_path / "samples.db"
    go = tmp_path / "go"
    writer = start_writer(path, "killed", 1_000_000, go)
    go.touch()
    assert writer.stdout is not None
    committed: list[int] = []
    deadline = time.monotonic() + 30
    while len(committed) < 150 and time.monotonic() < deadline:
        line = writer.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    writer.send_signal(signal.SIGKILL)
    rest, errors = writer.communicate(timeout=10)
    committed += [int(line) for line in rest.split()]  # printed before the kill, still in the pipe
    assert writer.returncode == -signal.SIGKILL, errors
    assert len(committed) >= 150, errors

    assert integrity(path) == "ok"
    with SampleStore.open(path) as store:
        assert store.recovered_from is None
        stored = {sample.id for sample in store.samples()}
        assert set(committed) <= stored
        assert len(stored) - len(committed) <= 1  # at most the commit it was printing
        assert all(sample.model == "killed" for sample in store.samples())
        store.add(store.get(committed[-1]).drawing, 3)  # and it takes new samples


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "samples.db"  # created by the two of them at the same moment
    go = tmp_path / "go"
    count = 400  # long enough that the two really write at the same time, even on a busy machine
    writers = [start_writer(path, name, count, go, writers=2) for name in ("first", "second")]
    go.touch()
    ids: dict[str, list[int]] = {}
    for name, writer in zip(("first", "second"), writers, strict=True):
        output, errors = writer.communicate(timeout=60)
        assert writer.returncode == 0, errors
        assert "locked" not in errors
        ids[name] = [int(line) for line in output.split()]

    assert len(ids["first"]) == len(ids["second"]) == count
    assert min(ids["first"]) < max(ids["second"]) and min(ids["second"]) < max(ids["first"]), (
        "the writers did not overlap; the test proves nothing"
    )
    assert integrity(path) == "ok"
    with SampleStore.open(path) as store:
        assert len(store) == 2 * count
        assert sum(store.counts().values()) == 2 * count
        by_writer = {
            name: [s.id for s in store.samples() if s.model == name] for name in ("first", "second")
        }
    assert by_writer == ids
