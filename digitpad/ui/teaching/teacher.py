"""Keeping the drawing on the pad as a labelled sample, with the model's answer at the time.

Both the digit keys and collect mode label through the ``Teacher``; each kept sample records
the model input and the model's answer, so the sample set shows what the model got wrong.

With a number on the pad the digit keys type the number: once as many digits are typed as the
number has, each digit's ink is kept as a sample of its own, labelled by its typed digit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QSettings, Signal, Slot

from digitpad.ml.ink import Drawing
from digitpad.ml.numbers import NumberReading
from digitpad.ml.recognizer import Prediction
from digitpad.samples import (
    SampleError,
    SampleNotFoundError,
    SampleStore,
    StoreError,
    strokes_fingerprint,
)
from digitpad.ui.pad.canvas import PAD_KEY, PAD_UNITS, InkCanvas
from digitpad.ui.pad.recognition import LiveRecognition
from digitpad.ui.support.settings import read_bool

log = logging.getLogger(__name__)

CLEAR_AFTER_LABEL_KEY = "teaching/clear_after_label"


@dataclass(frozen=True)
class Kept:
    """A drawing just kept as a sample, remembered for Undo and for relabelling it in place."""

    sample_id: int
    label: int
    drawing: Drawing
    fingerprint: str
    predicted: int | None
    """The model's answer when it was kept, or None if no model had answered."""
    cleared: bool
    """Whether keeping it cleared the pad (Undo puts it back)."""
    collected: bool
    """Kept by collect mode's Enter rather than a digit key or button."""
    number: str = ""
    """For a number, the digits typed; then ``sample_id`` is its first digit's sample and
    ``others`` those of the rest, kept and taken back together."""
    others: tuple[int, ...] = ()


class Teacher(QObject):
    """Keeps the drawing on the pad as a labelled sample, with the model's answer at the time.

    A label asked for while the model is still answering (a few ms after pen-up) is applied as
    soon as the answer arrives, so every sample records what the model said about exactly it.
    Labelling the drawing just kept again relabels that sample instead of storing a duplicate.
    """

    kept = Signal(object)
    """Kept: a new sample."""
    relabelled = Signal(object, int)
    """(Kept with its new label, the old label): the drawing just kept was labelled again,
    e.g. brought back with the pad's Undo."""
    undone = Signal(object)
    """Kept: the sample was deleted again (and its drawing put back if the pad was cleared)."""
    error = Signal(str, str)
    """(title, message) for the user; nothing was lost."""
    typing = Signal(str, int)
    """(digits typed so far, digits the number on the pad has): a number is being typed."""

    def __init__(
        self,
        canvas: InkCanvas,
        recognition: LiveRecognition,
        store: SampleStore,
        settings: QSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._canvas = canvas
        self._recognition = recognition
        self._store = store
        self._settings = settings
        self._prediction = Prediction.empty()
        self._waiting: tuple[int, bool] | None = None
        self._last: Kept | None = None
        self._typed = ""
        self._confirm_collected: Callable[[int, Prediction], bool] = lambda digit, answer: True
        recognition.prediction_changed.connect(self._on_prediction)
        canvas.strokes_changed.connect(self._forget_typed)

    def store(self) -> SampleStore:
        return self._store

    def clear_after_label(self) -> bool:
        return read_bool(self._settings, CLEAR_AFTER_LABEL_KEY, True)

    @Slot(bool)
    def set_clear_after_label(self, clear: bool) -> None:
        self._settings.setValue(CLEAR_AFTER_LABEL_KEY, clear)

    def last(self) -> Kept | None:
        return self._last

    def set_confirm_collected(self, confirm: Callable[[int, Prediction], bool]) -> None:
        """Collect mode's say before a drawing is kept as the digit it asked for: ``confirm``
        gets that digit and the model's answer on the drawing, and False keeps nothing."""
        self._confirm_collected = confirm

    @Slot(int)
    def label(self, digit: int, collected: bool = False) -> None:
        """Keep the drawing on the pad as ``digit`` (collect mode passes ``collected``)."""
        if self._canvas.is_drawing() or not self._canvas.strokes():
            return
        if self._recognition.model() is not None and not self._recognition.is_up_to_date():
            self._waiting = (digit, collected)  # kept when the model's answer arrives
            return
        reading = self._recognition.reading()
        if reading is not None and reading.is_number() and not collected:
            self._type(digit, reading)
            return
        self._keep(digit, collected)

    def _type(self, digit: int, reading: NumberReading) -> None:
        self._typed += str(digit)
        if len(self._typed) < len(reading.digits):
            self.typing.emit(self._typed, len(reading.digits))
            return
        typed, self._typed = self._typed, ""
        self._keep_number(typed, reading)

    @Slot()
    def _forget_typed(self) -> None:
        if self._typed:
            self._typed = ""
            self.typing.emit("", 0)

    def _keep_number(self, typed: str, reading: NumberReading) -> None:
        """Each digit's strokes as a sample of the digit typed for it, with the model's answer
        on exactly that ink; a number kept from this drawing before is replaced."""
        strokes = self._canvas.strokes()
        whole = Drawing(strokes, None, {PAD_KEY: PAD_UNITS})
        fingerprint = strokes_fingerprint(whole)
        last = self._last
        if last is not None and last.number and last.fingerprint == fingerprint:
            self._delete(last)
        model = self._recognition.model()
        ids: list[int] = []
        try:
            for label, digit in zip(typed, reading.digits, strict=True):
                ids.append(self._store.add(
                    Drawing(tuple(strokes[i] for i in digit.strokes), int(label),
                            {PAD_KEY: PAD_UNITS}),
                    int(label), image=digit.image, predicted=digit.digit,
                    confidence=digit.confidence, model=model.name if model else ""))
        except (StoreError, SampleError) as exc:
            for sample_id in ids:  # all of the number or none of it
                self._store.delete(sample_id)
            self._report(exc)
            return
        cleared = self.clear_after_label()
        self._last = Kept(ids[0], int(typed[0]), whole, fingerprint, None, cleared, False,
                          number=typed, others=tuple(ids[1:]))
        if cleared:
            self._canvas.clear()
        self.kept.emit(self._last)

    @Slot()
    def undo(self) -> None:
        """Take back the last kept sample; its drawing returns to the pad if that was cleared."""
        last = self._last
        if last is None or not self._delete(last):
            return
        self._last = None
        if last.cleared and not self._canvas.has_ink():
            self._canvas.set_strokes(last.drawing.strokes, fit=False)
        self.undone.emit(last)

    @Slot(object)
    def _on_prediction(self, prediction: Prediction) -> None:
        self._prediction = prediction
        if self._waiting is not None and self._recognition.is_up_to_date():
            (digit, collected), self._waiting = self._waiting, None
            self._keep(digit, collected)

    def _keep(self, digit: int, collected: bool) -> None:
        strokes = self._canvas.strokes()
        if not strokes:
            return  # cleared while the model was answering
        model = self._recognition.model()
        prediction = self._prediction  # clearing the pad below replaces it
        answered = (model is not None and self._recognition.is_up_to_date()
                    and prediction.digit is not None)
        if collected and answered and not self._confirm_collected(digit, prediction):
            return
        drawing = Drawing(strokes, digit, {PAD_KEY: PAD_UNITS})
        fingerprint = strokes_fingerprint(drawing)
        last = self._last
        cleared = collected or self.clear_after_label()
        if (last is not None and not last.number and last.fingerprint == fingerprint
                and self._relabel(last, digit, cleared, collected)):
            return
        try:
            sample_id = self._store.add(
                drawing, digit,
                image=self._recognition.current_input() if answered else None,
                predicted=prediction.digit if answered else None,
                confidence=prediction.confidence if answered else None,
                model=model.name if answered and model is not None else "",
            )
        except (StoreError, SampleError) as exc:
            self._report(exc)
            return
        self._last = Kept(sample_id, digit, drawing, fingerprint,
                          prediction.digit if answered else None, cleared, collected)
        if cleared:
            self._canvas.clear()
        self.kept.emit(self._last)

    def _delete(self, kept: Kept) -> bool:
        """Delete a kept sample (a number's every digit); False, and the user told, if the
        store failed."""
        for sample_id in (kept.sample_id, *kept.others):
            try:
                self._store.delete(sample_id)
            except SampleNotFoundError:
                pass  # already deleted, e.g. in My Samples
            except StoreError as exc:
                self._report(exc)
                return False
        return True

    def _relabel(self, last: Kept, digit: int, cleared: bool, collected: bool) -> bool:
        """Give the sample just kept, back on the pad, another label; False if it is gone."""
        try:
            old = self._store.relabel(last.sample_id, digit)
        except SampleNotFoundError:
            return False
        except StoreError as exc:
            self._report(exc)
            return True
        self._last = replace(last, label=digit, drawing=replace(last.drawing, label=digit),
                             cleared=cleared, collected=collected)
        if cleared:
            self._canvas.clear()
        self.relabelled.emit(self._last, old)
        return True

    def _report(self, exc: Exception) -> None:
        log.warning("sample not kept: %s", exc)
        self.error.emit("Cannot keep the drawing",
                        f"{exc}\n\nThe drawing is still on the pad: try again in a moment.")
