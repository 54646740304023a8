"""View → Why This Digit: colours the ink by what it did to the answer, after each pen-up.

The explanation (:mod:`digitpad.ml.why`: a dozen or so model runs, ~10-15 ms) runs on a thread
and a model of its own, so the live reading never waits for it. It is asked for when the reading
of the finished drawing arrives, never while a stroke is drawn; a newer drawing replaces an
explanation not yet started, and one that arrives for an older drawing is dropped. The pad shows
the pieces of ink, the 28x28 preview the occlusion blocks, and a line under the chart says what
the colours mean and how much the strongest piece mattered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel

from digitpad.ml.numbers import NumberReading
from digitpad.ml.outputs import Sevens
from digitpad.ml.why import Why, explain_image, explain_ink
from digitpad.ui.pad.explainer import Explainer, Job
from digitpad.ui.pad.why_marks import AGAINST, SUPPORTED, InkEffect
from digitpad.ui.pad.workers import Model, ModelInfo
from digitpad.ui.support.notice import digit_name
from digitpad.ui.support.settings import read_bool

SETTING = "view/why_this_digit"
SHORTCUT = "Ctrl+E"


class WhyThisDigit(QObject):
    """The View action, the explaining thread and the legend; see the module docstring.

    The composition root tells it the model in use, the reading of each drawing (with the
    drawing's strokes) and every change of the ink, and shows ``effects_changed`` on the pad and
    ``blocks_changed`` on the preview.
    """

    effects_changed = Signal(object)
    """list[InkEffect] to colour on the pad (empty: the ink as drawn)."""
    blocks_changed = Signal(object)
    """(7, 7) strengths in [-1, 1] for the preview's blocks, or None for none."""
    explained = Signal()
    """The overlay now explains the latest reading (for tests and benchmarks)."""

    def __init__(self, loader: Callable[[Path], Model], settings: QSettings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._explainer = Explainer(loader, "why-this-digit", self)
        self._explainer.explained.connect(self._on_explained)
        self._why: Why | None = None
        self._wanted: Job | None = None
        """The explanation of the latest reading, until it is shown (or replaced)."""
        self._picture = False

        self.action = QAction("&Why This Digit", self, checkable=True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip("After each stroke, colour the ink: blue made the answer, "
                                 "orange argued against it")
        self.legend = QLabel(objectName="why-legend")
        self.legend.setWordWrap(True)
        self.legend.hide()
        self.action.setChecked(read_bool(settings, SETTING, False))
        self.action.toggled.connect(self._on_toggled)

    def is_on(self) -> bool:
        return self.action.isChecked()

    def why(self) -> Why | None:
        """The explanation shown now (None: none is)."""
        return self._why

    def shutdown(self) -> None:
        """End the explaining thread (at quit)."""
        self._explainer.shutdown()

    # -- what the composition root tells it ----------------------------------------------------

    @Slot(object)
    def set_model(self, info: ModelInfo) -> None:
        """The model in use (ready: any preparation it needed is done)."""
        self._explainer.set_model(info.path)
        self.ink_changed()  # an explanation by the model before is no longer wanted
        if self.is_on():
            self._explainer.load()

    @Slot(object)
    def set_sevens(self, sevens: Sevens) -> None:
        self._explainer.set_sevens(sevens)

    @Slot()
    def ink_changed(self) -> None:
        """The ink moved on: the colours explained the drawing before it."""
        self._wanted = None
        self._explainer.drop()
        self._clear()

    def explain(self, reading: NumberReading | None, selected: int,
                strokes: Sequence[np.ndarray]) -> None:
        """Explain the ``selected`` digit of a finished drawing's ``reading`` (``strokes``
        empty: of a picture)."""
        self.ink_changed()
        if reading is None or not reading.digits:
            return
        digit = reading.digits[min(selected, len(reading.digits) - 1)]
        if strokes:
            ids = digit.strokes
            self._wanted = lambda model: explain_ink(strokes, model, ids, occlusion=True)
        elif digit.image is not None:
            image = digit.image
            self._wanted = lambda model: explain_image(image, model)
        else:
            return
        self._picture = not strokes
        if self.is_on():
            self._explainer.explain(self._wanted)

    # -- the answers ------------------------------------------------------------------------------

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        self._settings.setValue(SETTING, on)
        if not on:
            self._explainer.drop()
            self._clear()
        elif self._wanted is not None:
            self._explainer.explain(self._wanted)
        else:
            self._explainer.load()

    @Slot(object)
    def _on_explained(self, why: Why | None) -> None:
        if not self.is_on():
            return
        self._wanted = None
        self._why = why
        if why is None:
            self._clear()
            return
        strongest = why.strongest() or 1.0
        self.effects_changed.emit([InkEffect(piece.points, piece.effect / strongest)
                                   for piece in why.pieces])
        self.blocks_changed.emit(None if why.occlusion is None else why.occlusion / strongest)
        self.legend.setText(legend_text(why, self._picture))
        self.legend.show()
        self.explained.emit()

    def _clear(self) -> None:
        self._why = None
        self.effects_changed.emit([])
        self.blocks_changed.emit(None)
        self.legend.hide()


def legend_text(why: Why, picture: bool) -> str:
    """What the colours mean for this answer, and what the strongest support was worth."""
    answer = "not a digit" if why.answer is None else digit_name(why.answer)
    made = "it not a digit" if why.answer is None else f"it {answer}"
    blue = f"<span style='color:{SUPPORTED.name()}'><b>blue</b></span>"
    orange = f"<span style='color:{AGAINST.name()}'><b>orange</b></span>"
    what = "blocks of the picture" if picture else "ink"
    text = f"Why {answer}: {blue} {what} made {made}, {orange} argued against it."
    supporting = [piece for piece in why.pieces if piece.effect > 0]
    if supporting:
        best = max(supporting, key=lambda piece: piece.effect)
        before, after = _distinct_percents(why.probability, best.without)
        text += f" With the bluest ink rubbed out, {answer} drops from {before} to {after}."
    elif why.pieces:
        text += " No one piece decided it: each part of the ink agrees with the rest."
    if why.pieces and why.occlusion is not None:
        text += " On the 28 by 28 picture, the same for each block covered up."
    return text


def _distinct_percents(before: float, after: float) -> tuple[str, str]:
    """Two shares as percentages with as few decimals (up to two) as tell them apart: a sure
    answer that drops from 99.99 % to 99.6 % does not read "from 100% to 100%"."""
    for decimals in range(3):
        texts = f"{before:.{decimals}%}", f"{after:.{decimals}%}"
        if texts[0] != texts[1]:
            return texts
    return texts
