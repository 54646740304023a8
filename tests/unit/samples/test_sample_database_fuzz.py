"""A damaged samples file either opens with every sample it reports readable, or is set aside,
kept byte for byte, with one line for the user: never another exception (generated inputs,
deterministic).

The damage starts from real files: a store of real pen-drawn samples, closed (everything in the
main file) or copied while open (the last samples still in its WAL, beside the shared-memory
index), then bytes flipped at random offsets (the header among them), cut at random lengths, or
replaced by random bytes.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from digitpad.ml.digits import FRAME_SIZE
from digitpad.ml.ink import MAX_COORDINATE, MAX_POINTS, Drawing, make_drawing
from digitpad.samples import SampleError, SampleStore, migrations, strokes_fingerprint
from tests.fuzzing import fuzz

FUZZ = fuzz(300)

NAME = "samples.db"
WAL, SHM = "-wal", "-shm"

Files = dict[str, bytes]
"""A store as it lies on disk: suffix ("" for the main file, "-wal", "-shm") → content."""


class Stored:
    """Real stores to damage, and what their samples are."""

    def __init__(self, closed: Files, live: Files, samples: frozenset[tuple]) -> None:
        self.closed = closed
        self.live = live
        """Copied while open: the first half of the samples in the main file, the rest in the
        WAL."""
        self.samples = samples
        """(label, strokes fingerprint, predicted, created) of each stored sample."""

    def __repr__(self) -> str:  # a falsifying example names the damage, not these bytes
        return f"<a store of {len(self.samples)} real samples, closed and live>"


def _identity(label: int, drawing: Drawing, predicted: int | None, created: str) -> tuple:
    return (label, strokes_fingerprint(drawing), predicted, created)


def _read(folder: Path) -> Files:
    return {suffix: (folder / f"{NAME}{suffix}").read_bytes()
            for suffix in ("", WAL, SHM) if (folder / f"{NAME}{suffix}").exists()}


@pytest.fixture(scope="module")
def stored(pendigits: list[Drawing], tmp_path_factory: pytest.TempPathFactory) -> Stored:
    drawings = [*pendigits[:7], make_drawing([[(0, 0), (4, 9), (8, 0)], [(2, 5), (6, 5)]], 4)]
    folder = tmp_path_factory.mktemp("stored")
    path = folder / NAME
    with SampleStore.open(path) as store:
        for i, drawing in enumerate(drawings[:4]):
            store.add(drawing, drawing.label, predicted=(drawing.label + i) % 10,
                      confidence=0.25 + i / 10, model="digitpad-cnn.keras")
    closed = _read(folder)
    assert set(closed) == {""}
    with SampleStore.open(path) as store:
        for drawing in drawings[4:]:
            store.add(drawing, drawing.label)
        live = _read(folder)
        samples = frozenset(_identity(s.label, s.drawing, s.predicted, s.created.isoformat(
            timespec="microseconds")) for s in store.samples())
    assert set(live) == {"", WAL, SHM} and len(samples) == len(drawings)
    return Stored(closed, live, samples)


@pytest.fixture(scope="module")
def cases_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("damaged")


@dataclass(frozen=True)
class Damage:
    """What happens to one file of a real store; offsets past its end wrap round."""

    store: str
    """"closed" or "live"."""
    file: str
    """The damaged file: "" (the main file), "-wal" or "-shm" (only the live store has them)."""
    flips: tuple[tuple[int, int], ...] = ()
    """(offset, xor mask) of each byte flipped."""
    cut_at: int | None = None
    junk: tuple[int, int, int] | None = None
    """(original bytes kept: none, the magic or the header; seed; size) of random bytes."""

    def apply(self, stored: Stored) -> Files:
        files = dict(stored.closed if self.store == "closed" else stored.live)
        content = files[self.file]
        if self.flips:
            damaged = bytearray(content)
            for offset, mask in self.flips:
                damaged[offset % len(content)] ^= mask
            files[self.file] = bytes(damaged)
        elif self.cut_at is not None:
            files[self.file] = content[: self.cut_at % len(content)]
        else:
            assert self.junk is not None
            kept, seed, size = self.junk
            files[self.file] = content[:kept] + random.Random(seed).randbytes(size)
        return files


_BIG = 2**18  # beyond every file's length


def _spread(n: int) -> int:
    """Scatter ``n`` over [0, _BIG) one to one: Hypothesis favours small integers, but a table's
    rows lie at the end of its pages, so they must be hit as often as the headers."""
    return n * 0x9E3779B1 % _BIG


_anywhere = st.integers(0, _BIG - 1).map(_spread)
_files = st.sampled_from([("closed", ""), ("live", ""), ("live", WAL), ("live", SHM)])
_flips = st.lists(st.tuples(st.integers(0, 99) | _anywhere, st.integers(1, 255)),
                  min_size=1, max_size=4).map(tuple)  # some in the first 100 bytes: the headers
_damages = _files.flatmap(lambda where: st.one_of(
    st.builds(Damage, st.just(where[0]), st.just(where[1]), flips=_flips),
    st.builds(Damage, st.just(where[0]), st.just(where[1]), cut_at=_anywhere),
    st.builds(Damage, st.just(where[0]), st.just(where[1]), junk=st.tuples(
        st.sampled_from([0, 16, 100]), st.integers(0, 2**32 - 1), st.integers(1, _BIG // 2))),
))


@dataclass(frozen=True)
class Opened:
    """What opening a store did."""

    samples: frozenset[tuple] | None
    """The samples it read, or None when it set the file aside."""
    message: str = ""
    """What the user is told about a file set aside."""


def _open_as_the_app_does(folder: Path, files: Files) -> Opened:
    """Put ``files`` in ``folder`` and open the store there; assert it either reads in full or was
    set aside untouched."""
    for suffix, content in files.items():
        (folder / f"{NAME}{suffix}").write_bytes(content)
    path = folder / NAME
    with SampleStore.open(path) as store:
        if store.recovered_from is None:
            return Opened(_read_in_full(store, folder))
        _assert_kept_untouched(store, path, files)
        assert store.recovery_message is not None
        return Opened(None, store.recovery_message)


def _read_in_full(store: SampleStore, folder: Path) -> frozenset[tuple]:
    """Everything My Samples, Retrain and Export read, consistent; and the store keeps a new
    sample. Returns the samples' identities."""
    samples = store.samples()
    arrays = store.arrays()
    assert len(store) == len(samples) == sum(store.counts().values()) == len(arrays.labels)
    assert arrays.ids.tolist() == [sample.id for sample in samples]
    assert arrays.images.shape == (len(samples), FRAME_SIZE, FRAME_SIZE)
    for sample in samples:
        again = store.get(sample.id)
        assert strokes_fingerprint(again.drawing) == strokes_fingerprint(sample.drawing)
        assert not sample.drawing.is_empty and 0 <= sample.label <= 9
        assert 0.0 <= sample.image.min() <= sample.image.max() <= 1.0
        assert sample.created.tzinfo is not None
    assert store.export_ink(folder / "exported.json") == len(samples)
    store.add(make_drawing([[(0, 0), (3, 9)]], 1), 1)
    assert len(store) == len(samples) + 1
    return frozenset(_identity(s.label, s.drawing, s.predicted,
                               s.created.isoformat(timespec="microseconds")) for s in samples)


def _assert_kept_untouched(store: SampleStore, path: Path, files: Files) -> None:
    """The damaged file and its WAL were renamed, not changed (the shared-memory index holds no
    data: SQLite rebuilds it from the WAL); the user is told in one line; the new store is empty."""
    kept = store.recovered_from
    assert kept is not None and kept.parent == path.parent
    message = store.recovery_message
    assert message is not None and "\n" not in message
    assert str(path) in message and kept.name in message and "could not be used" in message
    for suffix in ("", WAL):
        if suffix in files:
            kept_file = Path(f"{kept}{suffix}")
            assert kept_file.read_bytes() == files[suffix], f"{kept_file.name} was changed"
    assert len(store) == 0


@FUZZ
@given(damage=_damages)
# Header fields (SQLite's file format) that random flips rarely hit, each once a way to break it:
@example(Damage("closed", "", flips=((18, 1),)))  # write version 3: SQLite opens it read-only
@example(Damage("closed", "", flips=((60, 0x80),)))  # a negative schema version
@example(Damage("closed", "", flips=((63, 1),)))  # schema version 0, yet the tables are there
@example(Damage("closed", "", flips=((39, 1),)))  # freelist count: SQLite reports it on two lines
def test_a_damaged_store_reads_in_full_or_is_set_aside_untouched(
    stored: Stored, cases_dir: Path, damage: Damage
) -> None:
    with tempfile.TemporaryDirectory(dir=cases_dir) as folder:
        samples = _open_as_the_app_does(Path(folder), damage.apply(stored)).samples
    event(f"{damage.store} store, damaged {damage.file or 'main file'}: "
          f"{'set aside' if samples is None else 'opened'}")
    suffix = damage.file
    if suffix == WAL:  # SQLite checksums every WAL frame: a damaged one is dropped, never read
        assert samples is not None and samples <= stored.samples
    elif suffix == SHM:  # the first to open the store rebuilds the index from the WAL
        assert samples == stored.samples


def _newer(files: Files, folder: Path, *, left_open: bool) -> Files:
    """``files`` with the higher schema version a newer digitpad would write; ``left_open``: as a
    newer digitpad that crashed would leave them, the change still in the WAL."""
    for suffix, content in files.items():
        (folder / f"{NAME}{suffix}").write_bytes(content)
    db = sqlite3.connect(folder / NAME)
    db.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    if left_open:
        newer = _read(folder)  # before closing: the last connection to close checkpoints
    db.close()
    return newer if left_open else _read(folder)


def _foreign(folder: Path, wal: bool) -> Files:
    """Another program's database, with a table of the same name as ours."""
    db = sqlite3.connect(folder / NAME)
    if wal:
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY, label TEXT, ink BLOB)")
    db.execute("INSERT INTO samples (label, ink) VALUES ('cat', x'00ff')")
    db.commit()
    foreign = _read(folder)
    db.close()
    return foreign


@pytest.mark.parametrize(
    ("case", "kind", "words"),
    [
        ("newer, closed", "newer", "newer digitpad"),
        ("newer, left open", "newer", "newer digitpad"),
        ("another program's", "foreign", "another program"),
        ("another program's, left open", "foreign", "another program"),
        ("random bytes, beside a random WAL", "corrupt", "not a SQLite database"),
    ],
)
def test_a_file_we_must_not_use_is_set_aside_with_its_wal(
    stored: Stored, tmp_path: Path, case: str, kind: str, words: str
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    files = {
        "newer, closed": lambda: _newer(stored.closed, source, left_open=False),
        "newer, left open": lambda: _newer(stored.live, source, left_open=True),
        "another program's": lambda: _foreign(source, wal=False),
        "another program's, left open": lambda: _foreign(source, wal=True),
        "random bytes, beside a random WAL": lambda: {
            "": np.random.default_rng(3).bytes(50_000), WAL: np.random.default_rng(4).bytes(9_000)
        },
    }[case]()
    folder = tmp_path / "data"
    folder.mkdir()
    opened = _open_as_the_app_does(folder, files)
    assert opened.samples is None
    assert words in opened.message and f"kept as {NAME}.{kind}-" in opened.message
    with SampleStore.open(folder / NAME) as store:  # the next start uses the new store
        assert store.recovered_from is None


def test_an_empty_file_becomes_an_empty_store(tmp_path: Path) -> None:
    assert _open_as_the_app_does(tmp_path, {"": b""}) == Opened(frozenset())


@pytest.mark.parametrize("points", [
    [(0, 0)] * (MAX_POINTS + 1), [(0, 0), (MAX_COORDINATE * 2, 5)], [(0, 0), (float("nan"), 5)],
], ids=["too many points", "too far out", "not a number"])
def test_a_drawing_the_store_could_not_read_back_is_not_kept(
    tmp_path: Path, points: list[tuple[float, float]]
) -> None:
    drawing = Drawing((np.array(points, dtype=np.float64),), 4)
    with SampleStore.open(tmp_path / NAME) as store:
        with pytest.raises(SampleError, match="cannot be kept"):
            store.add(drawing, 4)
        assert len(store) == 0
    with SampleStore.open(tmp_path / NAME) as store:
        assert store.recovered_from is None  # nothing in it that reads as damage
