"""The recogniser's own thread: loads models and classifies inputs with LiteRT.

The GUI thread never touches the model; it submits a request and gets a signal back. Requests
coalesce: while one is being classified, newer ones replace each other and only the latest runs,
so a fast pen can never build up a queue of stale drawings.

Many inputs at once (the user's stored samples) go through :meth:`RecognizerWorker.submit_batch`:
they are classified a chunk at a time, each chunk its own turn of the thread's event loop, so the
live drawing's requests are answered in between instead of after the whole batch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, SignalInstance, Slot

from digitpad.ml.card import ModelCard
from digitpad.ml.number_images import read_number_image
from digitpad.ml.numbers import NumberReading, read_number
from digitpad.ml.outputs import Sevens
from digitpad.ml.recognizer import ModelError, NeedsConversion, Prediction

log = logging.getLogger(__name__)


class Model(Protocol):
    """What the worker needs of a loaded model (a :class:`digitpad.ml.recognizer.Recognizer`)."""

    name: str
    card: ModelCard
    sevens: Sevens

    def predict_image(self, image: np.ndarray | None) -> Prediction: ...

    def predict_images(self, images: Sequence[np.ndarray | None]) -> list[Prediction]: ...

    def probabilities(self, images: np.ndarray) -> np.ndarray: ...

    def summary(self) -> str: ...


def load_problem(path: str, exc: Exception) -> str:
    """Why a model did not load, in words the user can act on: ours for a model digitpad cannot
    use, the system's for a file it cannot read, and what to do when a part of digitpad itself
    is missing (an exception's own text is for the log)."""
    if isinstance(exc, OSError):
        where = exc.filename if isinstance(exc.filename, str) else path
        return (f"{where}: {exc.strerror or exc}. Check that the file is there "
                "and that you may read it, or choose another model.")
    if isinstance(exc, ImportError):
        return (f"digitpad cannot run models: a part of it is missing ({exc.name or 'unknown'})."
                " Reinstall digitpad.")
    return str(exc)


@dataclass(frozen=True)
class ModelInfo:
    """What the window may know about the loaded model: plain text, no Keras objects."""

    path: Path
    name: str
    summary: str
    card: ModelCard


@dataclass(frozen=True)
class PredictionResult:
    """The answer to one request: the ``reading`` of a drawing or picture (its digits left to
    right, each with its prediction and model input) and the first digit's ``prediction``."""

    request_id: int
    prediction: Prediction
    reading: NumberReading


def _result(request_id: int, reading: NumberReading) -> PredictionResult:
    first = reading.digits[0].prediction if reading.digits else Prediction.empty()
    return PredictionResult(request_id, first, reading)


BATCH_CHUNK = 128
"""Inputs per model call in a batch: ~50-150 ms on two busy cores, so a live request waits at
most that long behind a batch (``tests/benchmarks/test_teaching_speed.py`` measures it)."""


@dataclass(frozen=True)
class BatchResult:
    """Probabilities for ``images[start:start + len(probabilities)]`` of batch ``request_id``."""

    request_id: int
    start: int
    probabilities: np.ndarray
    """(n, 10) float32"""
    total: int
    """How many inputs the whole batch has."""
    model: str
    """Name of the model that answered."""


@dataclass
class _Batch:
    request_id: int
    images: np.ndarray
    done: int = 0


class ModelThread(QObject):
    """A model of its own, on a QThread of its own: ``load_model`` and the posted jobs run there.

    Each job is a function of the model; jobs coalesce, only the latest one posted runs. The
    live reader is one (:class:`RecognizerWorker`); the second model of a comparison and the
    "why this digit" runs are others, so neither ever waits for, or delays, the live answer.
    """

    model_loaded = Signal(object)
    """ModelInfo of the model now in use."""
    model_failed = Signal(str, str)
    """(path, what is wrong); the previous model, if any, stays in use."""
    conversion_needed = Signal(str)
    """(path): a ``.keras`` file without its LiteRT form; the previous model stays in use."""
    predicted = Signal(object)
    """What the latest job returned."""
    _wake = Signal()

    def __init__(self, loader: Callable[[Path], Model]) -> None:
        super().__init__()
        self._loader = loader
        self._model: Model | None = None
        self._sevens = Sevens.PLAIN
        self._lock = threading.Lock()
        self._pending: Callable[[Model], object] | None = None
        self._scheduled = False
        self._wake.connect(self._run_latest)

    @Slot(str)
    def load_model(self, path: str) -> None:
        try:
            model = self._loader(Path(path))
            info = ModelInfo(Path(path), model.name, model.summary(), model.card)
        except NeedsConversion:
            log.info("model %s has no LiteRT form yet", path)
            self.conversion_needed.emit(path)
            return
        except (ModelError, ImportError, OSError) as exc:
            log.warning("model %s not loaded: %s", path, exc)
            self.model_failed.emit(path, load_problem(path, exc))
            return
        model.sevens = self._sevens
        self._model = model
        log.info("model %s loaded", path)
        self.model_loaded.emit(info)
        self._on_model_loaded()

    def _on_model_loaded(self) -> None:
        """Work that waited for a model starts here (a job posted meanwhile was kept)."""
        self._schedule()

    @Slot(object)
    def set_sevens(self, sevens: Sevens) -> None:
        """How the writer writes 1 and 7, for this model and every one loaded after it."""
        self._sevens = sevens
        if self._model is not None:
            self._model.sevens = sevens

    def post(self, job: Callable[[Model], object]) -> None:
        """Run ``job`` with the model, replacing any job not yet started; its result comes as
        ``predicted``. Safe from any thread, never blocks."""
        with self._lock:
            self._pending = job
        self._schedule()

    def drop_pending(self) -> None:
        """Forget the job not yet started, if any (its result is no longer wanted)."""
        with self._lock:
            self._pending = None

    def _schedule(self) -> None:
        with self._lock:
            if self._scheduled or self._pending is None:
                return
            self._scheduled = True
        self._wake.emit()

    @Slot()
    def _run_latest(self) -> None:
        with self._lock:
            self._scheduled = False
            if self._model is None:
                return  # kept for the model being loaded
            job, self._pending = self._pending, None
        if job is not None:
            self.predicted.emit(job(self._model))


def model_thread(loader: Callable[[Path], Model], name: str, sevens: Sevens,
                 load_requested: SignalInstance, sevens_changed: SignalInstance
                 ) -> tuple[ModelThread, QThread]:
    """A second model's worker on its own (not yet started) thread, reading 1 and 7 as
    ``sevens`` from the start, loading the model each ``load_requested(path)`` names and
    following ``sevens_changed``; the caller connects its answers, then starts the thread."""
    worker = ModelThread(loader)
    worker.set_sevens(sevens)  # before the thread runs: no race
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    thread.finished.connect(worker.deleteLater)
    load_requested.connect(worker.load_model)
    sevens_changed.connect(worker.set_sevens)
    return worker, thread


class RecognizerWorker(ModelThread):
    """The live reader: drawings and pictures one at a time, and stored samples in batches."""

    batch_classified = Signal(object)
    """BatchResult: one chunk of the latest batch, in order."""
    _batch_wake = Signal()

    def __init__(self, loader: Callable[[Path], Model]) -> None:
        super().__init__(loader)
        self._batch: _Batch | None = None
        self._batch_scheduled = False
        # Queued even when emitted on the worker's own thread: each chunk is its own event, so
        # requests posted meanwhile run in between.
        self._batch_wake.connect(self._classify_batch_chunk, Qt.ConnectionType.QueuedConnection)

    def _on_model_loaded(self) -> None:
        super()._on_model_loaded()
        self._schedule_batch()  # one asked for before there was a model

    def submit_picture(self, request_id: int, gray: np.ndarray) -> None:
        """Ask for the reading of a picture's grey levels (a digit or a number,
        :func:`read_number_image`); safe from any thread, never blocks."""
        self.post(lambda model: _result(request_id, read_number_image(gray, model)))

    def submit_strokes(self, request_id: int, strokes: Sequence[np.ndarray]) -> None:
        """Ask for the reading of a drawing (one digit or a number, :func:`read_number`: a few
        ms, one model call); safe from any thread, never blocks."""
        self.post(lambda model: _result(request_id, read_number(strokes, model)))

    def submit_batch(self, request_id: int, images: np.ndarray) -> None:
        """Ask for the probabilities of (N, 28, 28) inputs; replaces any batch not yet finished.

        Answered chunk by chunk through ``batch_classified``. Safe from any thread, never blocks.
        """
        with self._lock:
            self._batch = _Batch(request_id, np.asarray(images, dtype=np.float32))
        self._schedule_batch()

    def cancel_batch(self) -> None:
        """Drop the batch in progress, if any (its remaining chunks are not classified)."""
        with self._lock:
            self._batch = None

    def _schedule_batch(self) -> None:
        with self._lock:
            if self._batch is None or self._batch_scheduled:
                return
            self._batch_scheduled = True
        self._batch_wake.emit()

    @Slot()
    def _classify_batch_chunk(self) -> None:
        with self._lock:
            self._batch_scheduled = False
            batch = self._batch
        if batch is None or self._model is None:
            return  # a batch waiting for a model resumes when one has loaded
        chunk = batch.images[batch.done : batch.done + BATCH_CHUNK]
        probabilities = (self._model.probabilities(chunk) if len(chunk)
                         else np.zeros((0, 10), np.float32))
        result = BatchResult(batch.request_id, batch.done, probabilities.astype(np.float32),
                             len(batch.images), self._model.name)
        with self._lock:
            current = self._batch is batch  # not replaced or cancelled meanwhile
            if current:
                batch.done += len(chunk)
                if batch.done >= len(batch.images):
                    self._batch = None
        if current:
            self.batch_classified.emit(result)
        self._schedule_batch()  # the next chunk queues behind any live request made meanwhile
