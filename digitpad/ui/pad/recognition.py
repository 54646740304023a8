"""Live recognition: turns canvas edits and opened pictures into throttled prediction requests.

The canvas reports every pen move; this object sends at most one drawing per ``LIVE_INTERVAL_MS``
during a stroke (plus one at pen-up) to the worker, which reads it as one digit or a number
(grouping the strokes needs the model, so it all runs there: ~1-4 ms). The answer is a reading
of the digits left to right; one of them is *selected* (the one drawn last, or the one the user
picked), and the preview and the chart show that one. A drawing of one digit reads as one
digit always did.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from digitpad.ml.numbers import NumberReading
from digitpad.ml.outputs import Sevens
from digitpad.ml.preprocess import ImageLoadError, ink_to_image, load_gray
from digitpad.ml.recognizer import Prediction
from digitpad.ui.models.preparation import ModelPreparer
from digitpad.ui.pad.workers import ModelInfo, PredictionResult, RecognizerWorker
from digitpad.ui.support.dialogs import image_format_names

log = logging.getLogger(__name__)

LIVE_INTERVAL_MS = 40
"""At most one live update per 40 ms while drawing: 25 updates/s, above the ~20/s that look live."""


class LiveRecognition(QObject):
    """Owns the current model input and keeps the model's verdict on it up to date."""

    input_changed = Signal(object)
    """The 28x28 model input now shown to the model, or None for an empty pad."""
    prediction_changed = Signal(object)
    """A Prediction of the current input (possibly of a moment ago while a stroke goes on)."""
    reading_changed = Signal(object, int)
    """(NumberReading or None, the selected digit): the drawing or picture read left to right,
    sent before the selected digit's input and prediction; None for an empty pad."""
    model_loading = Signal(str)
    model_preparing = Signal(str)
    """(name): the model is being converted for LiteRT in a child process; cancellable."""
    model_load_cancelled = Signal()
    """The user cancelled a model's preparation; the model in use (if any) stays."""
    model_ready = Signal(object)
    """ModelInfo"""
    model_failed = Signal(str, str, bool)
    """(path, what is wrong, whether an older model is still in use)"""
    picture_opened = Signal(str, object)
    """(path, what was read of it): a picture is what is read now; ``read_picture`` takes the
    second back to read it again."""
    error = Signal(str, str)
    """(title, message) for something the user can fix, e.g. an unreadable image."""
    _load_requested = Signal(str)
    _sevens_changed = Signal(object)

    def __init__(self, worker: RecognizerWorker, preparer: ModelPreparer | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._preparer = preparer
        self._wanted: str | None = None
        """The model last asked for: answers about any other are out of date."""
        self._prepared: set[str] = set()
        self._image: np.ndarray | None = None
        self._strokes: tuple[np.ndarray, ...] = ()
        """The drawing being read; empty for a picture or an empty pad."""
        self._picture: np.ndarray | None = None
        """An opened picture's grey levels, while it is what is read."""
        self._reading: NumberReading | None = None
        self._selected = 0
        self._picked = False
        """Whether the user chose the selected digit (kept while the digits stay as many)."""
        self._request_id = 0
        self._shown_id = 0
        self._model: ModelInfo | None = None
        self._loading = False
        self._pending_strokes: Sequence[np.ndarray] = ()
        self._last_update = -1.0
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._flush)
        self._load_requested.connect(worker.load_model)
        self._sevens_changed.connect(worker.set_sevens)
        worker.model_loaded.connect(self._on_model_loaded)
        worker.model_failed.connect(self._on_model_failed)
        worker.conversion_needed.connect(self._on_conversion_needed)
        worker.predicted.connect(self._on_predicted)
        if preparer is not None:
            preparer.prepared.connect(self._on_prepared)
            preparer.failed.connect(self._on_model_failed)
            preparer.cancelled.connect(self._on_preparation_cancelled)

    def model(self) -> ModelInfo | None:
        return self._model

    def is_loading(self) -> bool:
        return self._loading

    def current_input(self) -> np.ndarray | None:
        """The model input of the selected digit (or of the picture)."""
        return self._image

    def reading(self) -> NumberReading | None:
        """The latest reading of the drawing or picture, None for an empty pad."""
        return self._reading

    def drawing(self) -> tuple[np.ndarray, ...]:
        """The strokes last read; empty for a picture or an empty pad."""
        return self._strokes

    def selected(self) -> int:
        """The index of the selected digit in :meth:`reading`."""
        return self._selected

    def is_up_to_date(self) -> bool:
        """Whether the last prediction sent out is of the current input."""
        return self._shown_id == self._request_id and not self._timer.isActive()

    def stop(self) -> None:
        """At shutdown, before the worker goes: a pending live update must not reach it, and a
        conversion in progress ends."""
        self._stopped = True
        self._timer.stop()
        if self._preparer is not None:
            self._preparer.shutdown()

    @Slot(str)
    def load_model(self, path: str) -> None:
        """Load a model in the background; until it is ready the current one stays in use."""
        self._loading = True
        self._wanted = path
        self.model_loading.emit(Path(path).name)
        self._load_requested.emit(path)

    @Slot()
    def cancel_preparation(self) -> None:
        """Stop converting the model asked for; the model in use stays."""
        if self._preparer is not None and self._preparer.is_preparing():
            self._preparer.cancel()

    @Slot(object)
    def set_sevens(self, sevens: Sevens) -> None:
        """How the writer writes 1 and 7; the drawing on the pad is read again."""
        self._sevens_changed.emit(sevens)
        self._resubmit()

    @Slot(int)
    def select_digit(self, index: int) -> None:
        """Show digit ``index`` of the number in the preview and the chart."""
        if self._reading is None or not 0 <= index < len(self._reading.digits):
            return
        self._picked = True
        self._show_selected(index)

    @Slot(int)
    def step_selection(self, step: int) -> None:
        """Select the digit ``step`` places right (negative: left), wrapping around."""
        if self._reading is not None and self._reading.is_number():
            self.select_digit((self._selected + step) % len(self._reading.digits))

    @Slot(object)
    def update_strokes(self, strokes: Sequence[np.ndarray]) -> None:
        """A change while drawing: classify now, or at the end of the current interval."""
        self._pending_strokes = strokes
        if self._timer.isActive():
            return
        wait_ms = LIVE_INTERVAL_MS - (time.monotonic() - self._last_update) * 1000.0
        if wait_ms <= 0:
            self._flush()
        else:
            self._timer.start(max(1, round(wait_ms)))

    @Slot(object)
    def finish_strokes(self, strokes: Sequence[np.ndarray]) -> None:
        """Pen-up: classify the finished drawing right away."""
        self._pending_strokes = strokes
        self._timer.stop()
        self._flush()

    @Slot(str)
    def open_image(self, path: str) -> None:
        """Classify a photo or scan of a digit; an unreadable file is reported, nothing changes."""
        try:
            gray = load_gray(path)
        except ImageLoadError as exc:
            log.warning("image not opened: %s", exc)
            self.error.emit(
                "Cannot open the image",
                f"{exc}\n\nChoose a picture ({image_format_names()}) of a handwritten digit "
                "or number.",
            )
            return
        self.picture_opened.emit(path, gray)
        self.read_picture(gray)

    @Slot(object)
    def read_picture(self, gray: np.ndarray) -> None:
        """Read a picture opened before (``picture_opened`` gave its grey levels), e.g. one
        that Redo put back on the pad."""
        self._timer.stop()
        self._strokes, self._picture = (), gray
        self._resubmit()

    @Slot()
    def _flush(self) -> None:
        self._last_update = time.monotonic()
        self._strokes = tuple(s for s in self._pending_strokes if len(s))
        self._picture = None
        self._resubmit()

    def _resubmit(self) -> None:
        """Ask the worker about what is on the pad now (or show that nothing is)."""
        self._request_id += 1
        if not self._strokes and self._picture is None:
            self._reading, self._picked, self._image = None, False, None
            self.reading_changed.emit(None, 0)
            self.input_changed.emit(None)
            self._shown_id = self._request_id
            self.prediction_changed.emit(Prediction.empty())
            return
        if self._model is None and self._strokes:  # nothing answers yet; the preview need not wait
            self._image = ink_to_image(self._strokes)
            self.input_changed.emit(self._image)
        if self._stopped:
            return
        if self._picture is not None:
            self._worker.submit_picture(self._request_id, self._picture)
        else:
            self._worker.submit_strokes(self._request_id, self._strokes)

    @Slot(object)
    def _on_predicted(self, result: PredictionResult) -> None:
        # Results arrive in order, but one may describe a drawing that was cleared since.
        if result.request_id < self._shown_id:
            return
        self._shown_id = result.request_id
        previous, self._reading = self._reading, result.reading
        digits = result.reading.digits
        if not digits:  # a blank picture, or too many parts to be a number
            self._image = None
            self.reading_changed.emit(result.reading, 0)
            self.input_changed.emit(None)
            self.prediction_changed.emit(Prediction.empty())
            return
        same_count = previous is not None and len(previous.digits) == len(digits)
        if not (self._picked and same_count):
            self._picked = False
            last = max(range(len(digits)), key=lambda n: max(digits[n].strokes, default=0))
            self._selected = last
        self._show_selected(min(self._selected, len(digits) - 1))

    def _show_selected(self, index: int) -> None:
        assert self._reading is not None
        self._selected = index
        digit = self._reading.digits[index]
        self._image = digit.image
        self.reading_changed.emit(self._reading, index)
        self.input_changed.emit(digit.image)
        self.prediction_changed.emit(digit.prediction)

    @Slot(object)
    def _on_model_loaded(self, info: ModelInfo) -> None:
        self._loading = False
        self._model = info
        self.model_ready.emit(info)
        self._resubmit()

    @Slot(str, str)
    def _on_model_failed(self, path: str, message: str) -> None:
        if path != self._wanted:
            return  # replaced by a newer request
        self._loading = False
        self.model_failed.emit(path, message, self._model is not None)

    @Slot(str)
    def _on_conversion_needed(self, path: str) -> None:
        if path != self._wanted:
            return
        if self._preparer is None or path in self._prepared:
            # Converted already, and still not servable: the cache cannot be written or read.
            self._on_model_failed(path, f"{path}: could not be prepared for fast reading; see "
                                  "the log for details")
            return
        self.model_preparing.emit(Path(path).name)
        self._preparer.prepare(path)

    @Slot(str)
    def _on_prepared(self, path: str) -> None:
        self._prepared.add(path)
        if path == self._wanted:
            self._load_requested.emit(path)

    @Slot(str)
    def _on_preparation_cancelled(self, path: str) -> None:
        if path != self._wanted:
            return
        self._loading = False
        self._wanted = None
        self.model_load_cancelled.emit()
