"""Helpers for the My Samples tests: samples the fake model reads as told, and the grid's rows."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QItemSelectionModel

from digitpad.ml.ink import make_drawing
from digitpad.samples import SampleStore
from digitpad.ui.teaching.sample_grid import LABEL_ROLE
from digitpad.ui.teaching.samples_window import SamplesWindow

_made = 0


def add(store: SampleStore, label: int, reads: int | None = None) -> int:
    """Keep a sample labelled ``label`` that the fake model reads as ``reads`` (default: right).

    The fake model reads the number of ink pixels, modulo 10, so the model input decides it.
    """
    global _made
    _made += 1
    reads = label if reads is None else reads
    image = np.zeros((28, 28), np.float32)
    image.flat[: reads or 10] = 1.0
    drawing = make_drawing([[[0, 0], [10 + _made, 0], [4, 14]]])
    return store.add(drawing, label, image=image)


def read_all(window: SamplesWindow, qtbot) -> None:
    qtbot.waitUntil(lambda: not window.guesses.busy()
                    and window.samples.guess_summary()[1] == window.samples.rowCount())


def shown_labels(window: SamplesWindow) -> list[int]:
    return [window.shown.index(row, 0).data(LABEL_ROLE) for row in range(window.shown.rowCount())]


def select(window: SamplesWindow, *rows: int) -> None:
    for row in rows:
        window.grid.selectionModel().select(window.shown.index(row, 0),
                                            QItemSelectionModel.SelectionFlag.Select)
