"""The user's own labelled drawings, kept in a SQLite database in their data directory.

One file for one class around one schema: :class:`SampleStore` and the encoding of its rows
(validated on the way in, checked again on the way out, as bytes on disk can change) share the
``samples`` table's columns and change together. How the file itself is opened, checked and
recovered lives in :mod:`digitpad.samples.database`.

Several app instances may share the file, and the app may die at any moment: every change is one
transaction, committed to disk before the method returns. A file that is not a readable database
of ours is never written to: it is renamed aside, kept, and a new store is started;
:attr:`SampleStore.recovery_message` says what happened, for the UI to show.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from digitpad.ml.digits import FRAME_SIZE, NUM_CLASSES, to_model_input, to_pixels
from digitpad.ml.ink import (
    MAX_COORDINATE,
    MAX_POINTS,
    Drawing,
    InkError,
    SampleError,
    load_ink,
    parse_drawing,
    read_ink_json,
    save_ink,
    strokes_fingerprint,
)
from digitpad.ml.preprocess import ink_to_image
from digitpad.samples.database import (
    StoreError,
    Unusable,
    connect,
    identity,
    move_aside,
    prepare,
    transaction,
)

STORE_FILE_NAME = "samples.db"
_OPEN_ATTEMPTS = 3
"""Opening retries after moving a bad file aside (another instance may be doing the same)."""

log = logging.getLogger(__name__)


class SampleNotFoundError(LookupError):
    """No sample has this id: it was deleted, perhaps by another window or app instance."""


@dataclass(frozen=True, eq=False)
class Sample:
    """One stored sample, as the user labelled it and as the model saw it at the time."""

    id: int
    drawing: Drawing
    """The ink, exact points, with ``label`` set."""
    image: np.ndarray = field(repr=False)
    """(28, 28) float32 in [0, 1]: the model input when the sample was taken."""
    predicted: int | None
    """The model's guess then; ``None`` when no model was asked (e.g. imported samples)."""
    confidence: float | None
    model: str
    """Which model made the guess (a file name), or ``""``."""
    created: datetime
    """When the sample was taken, timezone-aware UTC."""

    @property
    def label(self) -> int:
        assert self.drawing.label is not None  # stored samples always have one
        return self.drawing.label

    @property
    def was_misread(self) -> bool | None:
        """Whether the model got it wrong at the time; ``None`` if it was not asked."""
        return None if self.predicted is None else self.predicted != self.label


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the ids it added and, for each sample it skipped, why."""

    added: tuple[int, ...]
    skipped: tuple[tuple[int, str], ...]
    """(index of the sample in the file, a sentence saying why it was skipped)."""

    def summary(self) -> str:
        count = len(self.added)
        text = f"Added {count} sample{'' if count == 1 else 's'}."
        if self.skipped:
            text += f" Skipped {len(self.skipped)}:\n" + "\n".join(r for _, r in self.skipped)
        return text


class SampleArrays(NamedTuple):
    """Samples as arrays, for running a model over all of them at once."""

    ids: np.ndarray  # (N,) int64
    images: np.ndarray  # (N, 28, 28) float32 in [0, 1]
    labels: np.ndarray  # (N,) uint8


def store_path(data_dir: str | os.PathLike[str]) -> Path:
    """Where the store lives inside the user's data directory (the app passes its own)."""
    return Path(data_dir) / STORE_FILE_NAME


class _Row(NamedTuple):
    label: int
    ink: str
    strokes_sha256: str
    image: bytes
    predicted: int | None
    confidence: float | None
    model: str
    created: str


_COLUMNS = "label, ink, strokes_sha256, image, predicted, confidence, model, created"
_SELECT = "SELECT id, label, ink, image, predicted, confidence, model, created FROM samples"


class SampleStore:
    """The sample database. Thread-safe; every method is one transaction.

    Open it with :meth:`open` (or :meth:`open_in` for a data directory) and close it with
    :meth:`close` or a ``with`` block. Callbacks given to :meth:`subscribe` run after every change
    this object commits; :meth:`changed_elsewhere` tells whether another instance changed the file.
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        path: Path,
        recovered_from: Path | None = None,
        recovery_message: str | None = None,
    ) -> None:
        self._db = db
        self._lock = threading.RLock()
        self._listeners: list[Callable[[], None]] = []
        self._data_version = db.execute("PRAGMA data_version").fetchone()[0]
        self.path = path
        self.recovered_from = recovered_from
        """Where an unusable file found at :attr:`path` was kept, if one was."""
        self.recovery_message = recovery_message
        """A sentence for the user about that, or ``None``."""

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open_in(cls, data_dir: str | os.PathLike[str]) -> SampleStore:
        """Open (creating if needed) the store in the user's data directory."""
        return cls.open(store_path(data_dir))

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, recover: bool = True) -> SampleStore:
        """Open or create the database at ``path`` and bring its schema up to date.

        With ``recover`` (the app), an unusable file is moved aside and a new store started; without
        it (command-line tools reading a given file) that raises :class:`StoreError` instead.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"{path.parent}: cannot create the folder for samples ({exc.strerror or exc})"
            ) from exc
        recovered_from: Path | None = None
        message: str | None = None
        for _ in range(_OPEN_ATTEMPTS):
            seen = identity(path)
            db = connect(path)
            try:
                prepare(db, path, _check_rows)
            except Unusable as problem:
                db.close()
                if not recover:
                    raise StoreError(f"{path}: cannot use it: {problem.reason}") from None
                kept = move_aside(path, seen, problem)
                if kept is not None:
                    recovered_from = kept
                    message = (
                        f"The samples file {path} could not be used: {problem.reason}. "
                        f"It was kept as {kept.name} and a new, empty one was started."
                    )
                    log.warning("%s", message)
                continue
            except BaseException:
                db.close()
                raise
            return cls(db, path, recovered_from, message)
        raise StoreError(f"{path}: cannot open the samples file; it keeps being replaced")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SampleStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- changes ---------------------------------------------------------------------------

    def add(
        self,
        drawing: Drawing,
        label: int,
        *,
        image: np.ndarray | None = None,
        predicted: int | None = None,
        confidence: float | None = None,
        model: str = "",
    ) -> int:
        """Store a labelled drawing; returns its id.

        ``image`` is the 28x28 input the model saw (rendered from the ink if not given; kept as
        8-bit pixels, which is exact for what preprocessing makes); ``predicted``/``confidence``/
        ``model`` record what the model said about it.
        """
        row = _new_row(drawing, label, image, predicted, confidence, model)
        with self._writing("add a sample") as db:
            cursor = db.execute(f"INSERT INTO samples ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)", row)
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def delete(self, sample_id: int) -> Sample:
        """Delete a sample; returns it, so that :meth:`restore` can undo the delete."""
        with self._writing("delete a sample") as db:
            sample = _get(db, sample_id)
            db.execute("DELETE FROM samples WHERE id = ?", (sample_id,))
        return sample

    def restore(self, sample: Sample) -> None:
        """Undo :meth:`delete`: put the sample back with its id, label and timestamp."""
        row = _new_row(
            sample.drawing, sample.label, sample.image, sample.predicted, sample.confidence,
            sample.model, sample.created,
        )
        with self._writing("restore a sample") as db:
            try:
                db.execute(
                    f"INSERT INTO samples (id, {_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                    (sample.id, *row),
                )
            except sqlite3.IntegrityError as exc:
                raise SampleError(
                    f"sample {sample.id} is already in the store; restore() takes a sample "
                    "that delete() returned"
                ) from exc

    def relabel(self, sample_id: int, label: int) -> int:
        """Give a sample another label; returns the old one (relabel back to undo)."""
        label = _digit(label, "label")
        with self._writing("relabel a sample") as db:
            found = db.execute("SELECT label FROM samples WHERE id = ?", (sample_id,)).fetchone()
            if found is None:
                raise SampleNotFoundError(f"no sample with id {sample_id}")
            db.execute("UPDATE samples SET label = ? WHERE id = ?", (label, sample_id))
        return int(found[0])

    def import_ink(self, path: str | os.PathLike[str]) -> ImportReport:
        """Add the labelled samples of an ink JSON file, all in one transaction.

        Every sample is checked first; unlabelled, empty or malformed ones, and drawings already
        in the store or repeated in the file, are skipped and reported. A file that cannot be
        read at all raises :class:`~digitpad.ml.ink.InkError` and adds nothing.
        """
        items = _read_ink_items(Path(path))
        skipped: list[tuple[int, str]] = []
        accepted: list[tuple[int, _Row]] = []
        first_seen: dict[str, int] = {}
        for index, item in enumerate(items):
            where = f"sample {index}"
            try:
                drawing = parse_drawing(item, where=where)
                if drawing.label is None:
                    raise SampleError(f"{where}: it has no 'label'; only labelled samples are kept")
                row = _new_row(drawing, drawing.label, None, None, None, "", where=where)
            except (InkError, SampleError) as exc:
                skipped.append((index, str(exc)))
                continue
            if row.strokes_sha256 in first_seen:
                skipped.append(
                    (index, f"{where}: the same drawing as sample {first_seen[row.strokes_sha256]}")
                )
                continue
            first_seen[row.strokes_sha256] = index
            accepted.append((index, row))
        added: list[int] = []
        with self._writing("import samples") as db:
            for index, row in accepted:
                existing = db.execute(
                    "SELECT id, label FROM samples WHERE strokes_sha256 = ? LIMIT 1",
                    (row.strokes_sha256,),
                ).fetchone()
                if existing is not None:
                    skipped.append(
                        (index, f"sample {index}: already stored, as a {existing[1]} "
                                f"(sample #{existing[0]})")
                    )
                    continue
                cursor = db.execute(
                    f"INSERT INTO samples ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)", row
                )
                assert cursor.lastrowid is not None
                added.append(cursor.lastrowid)
        return ImportReport(tuple(added), tuple(sorted(skipped)))

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` after each change committed through this store; returns a
        function that unsubscribes it."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback)

    # --- reading ---------------------------------------------------------------------------

    def get(self, sample_id: int) -> Sample:
        with self._reading() as db:
            return _get(db, sample_id)

    def samples(self, label: int | None = None) -> list[Sample]:
        """All samples (or those of one digit), oldest first."""
        with self._reading() as db:
            if label is None:
                rows = db.execute(f"{_SELECT} ORDER BY id").fetchall()
            else:
                rows = db.execute(
                    f"{_SELECT} WHERE label = ? ORDER BY id", (_digit(label, "label"),)
                ).fetchall()
        return [_sample(row) for row in rows]

    def counts(self) -> dict[int, int]:
        """Number of samples per digit, every digit present (0 when it has none)."""
        with self._reading() as db:
            rows = db.execute("SELECT label, count(*) FROM samples GROUP BY label").fetchall()
        counts = dict.fromkeys(range(NUM_CLASSES), 0)
        counts.update({int(label): int(n) for label, n in rows})
        return counts

    def __len__(self) -> int:
        with self._reading() as db:
            return int(db.execute("SELECT count(*) FROM samples").fetchone()[0])

    def arrays(self, label: int | None = None) -> SampleArrays:
        """Ids, stored model inputs and labels as arrays, oldest first (e.g. to ask the current
        model about every sample in one call)."""
        query = "SELECT id, label, image FROM samples"
        with self._reading() as db:
            if label is None:
                rows = db.execute(f"{query} ORDER BY id").fetchall()
            else:
                rows = db.execute(
                    f"{query} WHERE label = ? ORDER BY id", (_digit(label, "label"),)
                ).fetchall()
        pixels = np.frombuffer(b"".join(row[2] for row in rows), dtype=np.uint8)
        return SampleArrays(
            ids=np.array([row[0] for row in rows], dtype=np.int64),
            images=to_model_input(pixels.reshape(len(rows), FRAME_SIZE, FRAME_SIZE)),
            labels=np.array([row[1] for row in rows], dtype=np.uint8),
        )

    def export_ink(self, path: str | os.PathLike[str], label: int | None = None) -> int:
        """Write the samples as labelled ink JSON (atomically); returns how many.

        The file is what ``digitpad evaluate`` and :meth:`import_ink` read.
        """
        drawings = [sample.drawing for sample in self.samples(label)]
        save_ink(path, drawings)
        return len(drawings)

    def changed_elsewhere(self) -> bool:
        """Whether another connection (another app instance) committed a change since the last
        call; cheap enough to poll."""
        with self._reading() as db:
            version = db.execute("PRAGMA data_version").fetchone()[0]
        changed = version != self._data_version
        self._data_version = version
        return changed

    # --- plumbing --------------------------------------------------------------------------

    @contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                with transaction(self._db):
                    yield self._db
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: could not {what} ({exc})") from exc
        for callback in list(self._listeners):
            callback()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: could not read the samples ({exc})") from exc


# --- rows -----------------------------------------------------------------------------------


def _new_row(
    drawing: Drawing,
    label: int,
    image: np.ndarray | None,
    predicted: int | None,
    confidence: float | None,
    model: str,
    created: datetime | None = None,
    where: str = "sample",
) -> _Row:
    """Validate everything about a sample and encode it as a row."""
    if not isinstance(drawing, Drawing):
        raise SampleError(f"{where}: expected a Drawing; received {type(drawing).__name__}")
    if drawing.is_empty:
        raise SampleError(f"{where}: the drawing has no ink; there is nothing to keep")
    points = np.concatenate(drawing.strokes)
    if len(points) > MAX_POINTS or not (np.abs(points) <= MAX_COORDINATE).all():
        # The limits ink files are read with, and :func:`_sample` reads rows with.
        raise SampleError(
            f"{where}: the drawing cannot be kept; it may have at most {MAX_POINTS:,} points, "
            f"each a finite number within ±{MAX_COORDINATE:,.0f}")
    label = _digit(label, "label", where)
    if predicted is not None:
        predicted = _digit(predicted, "predicted", where)
    if confidence is not None:
        if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)):
            raise SampleError(f"{where}: confidence must be a number; received {confidence!r}")
        confidence = float(confidence)
        if not (math.isfinite(confidence) and 0.0 <= confidence <= 1.0):
            raise SampleError(f"{where}: confidence must be in [0, 1]; received {confidence}")
    if not isinstance(model, str):
        raise SampleError(f"{where}: model must be a name (str); received {model!r}")
    if image is None:
        image = ink_to_image(drawing.strokes)
        assert image is not None  # the drawing has ink
    ink = drawing.to_json()
    ink.pop("label", None)
    try:
        ink_text = json.dumps(ink, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SampleError(f"{where}: the drawing's extra keys are not plain JSON ({exc})") from exc
    stamp = (created or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return _Row(
        label=label,
        ink=ink_text,
        strokes_sha256=strokes_fingerprint(drawing),
        image=_encode_image(image, where),
        predicted=predicted,
        confidence=confidence,
        model=model,
        created=stamp.isoformat(timespec="microseconds"),
    )


def _digit(value: Any, name: str, where: str = "sample") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
        0 <= value < NUM_CLASSES
    ):
        raise SampleError(f"{where}: {name} must be a digit 0-9; received {name}={value!r}")
    return int(value)


def _encode_image(image: np.ndarray, where: str) -> bytes:
    pixels = np.asarray(image, dtype=np.float32)
    if pixels.shape != (FRAME_SIZE, FRAME_SIZE):
        raise SampleError(
            f"{where}: image must be the 28x28 model input; received shape {pixels.shape}"
        )
    if not (np.isfinite(pixels).all() and pixels.min() >= 0.0 and pixels.max() <= 1.0):
        raise SampleError(f"{where}: image pixels must be in [0, 1] like the model input")
    return to_pixels(pixels).tobytes()


def _get(db: sqlite3.Connection, sample_id: int) -> Sample:
    row = db.execute(f"{_SELECT} WHERE id = ?", (sample_id,)).fetchone()
    if row is None:
        raise SampleNotFoundError(f"no sample with id {sample_id}")
    return _sample(row)


def _sample(row: tuple[Any, ...]) -> Sample:
    """Decode a row, checking every field, since a byte changed on disk can leave a row that
    SQLite still reads; raises ``ValueError`` (:class:`InkError` for the drawing) if it is not a
    sample as :func:`_new_row` stored it."""
    sample_id, label, ink, image, predicted, confidence, model, created = row
    fields = json.loads(ink) if isinstance(ink, str) else None
    if not isinstance(fields, dict):
        raise ValueError(f"sample #{sample_id}: its drawing is not a JSON object")
    drawing = parse_drawing(fields, where=f"sample #{sample_id}")
    as_stored = (
        _is_digit(label)
        and (predicted is None or _is_digit(predicted))
        and (confidence is None or (isinstance(confidence, float) and 0.0 <= confidence <= 1.0))
        and isinstance(model, str)
        and isinstance(image, bytes) and len(image) == FRAME_SIZE * FRAME_SIZE
        and isinstance(created, str)
    )
    if drawing.is_empty or not as_stored:
        raise ValueError(f"sample #{sample_id}: a field does not hold what was stored")
    taken = datetime.fromisoformat(created)
    if taken.tzinfo is None:
        raise ValueError(f"sample #{sample_id}: its time has no time zone")
    pixels = np.frombuffer(image, dtype=np.uint8).reshape(FRAME_SIZE, FRAME_SIZE)
    return Sample(
        id=sample_id,
        drawing=Drawing(drawing.strokes, label, drawing.extra),
        image=to_model_input(pixels),
        predicted=predicted,
        confidence=confidence,
        model=model,
        created=taken,
    )


def _is_digit(value: Any) -> bool:
    return type(value) is int and 0 <= value < NUM_CLASSES


def _check_rows(db: sqlite3.Connection) -> None:
    """Raise :class:`Unusable` unless every row decodes, so that a store that opens reads in
    full and a damaged row never reaches the window as a traceback."""
    db.text_factory = _utf8  # what ``str`` does, but a bad byte raises instead of OperationalError
    try:
        for row in db.execute(_SELECT):
            _sample(row)
    except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError and InkError are ValueErrors
        log.warning("a sample cannot be read: %s", exc)
        raise Unusable("corrupt", "it is damaged (a sample in it cannot be read)") from exc
    finally:
        db.text_factory = str


def _utf8(data: bytes) -> str:
    return data.decode("utf-8")


def _read_ink_items(path: Path) -> list[Any]:
    """The raw JSON samples of an ink file: a list of samples, or one drawing as a list of one."""
    data = read_ink_json(path)
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise InkError(f"{path}: expected a drawing object or a list of samples")


# --- for tools ------------------------------------------------------------------------------


def load_labelled(path: str | os.PathLike[str]) -> list[Drawing]:
    """The labelled drawings of an ink JSON file or a sample database, read-only.

    For ``digitpad train --samples PATH``: a file that is unusable is reported, never moved.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such file; give an ink .json file or a samples database")
    if path.suffix.lower() == ".json":
        drawings = [d for d in load_ink(path) if d.label is not None and not d.is_empty]
    else:
        with SampleStore.open(path, recover=False) as store:
            drawings = [sample.drawing for sample in store.samples()]
    if not drawings:
        raise SampleError(f"{path}: holds no labelled drawings to learn from")
    return drawings
