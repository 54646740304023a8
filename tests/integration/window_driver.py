"""Driving the real window as a user would: real pen-drawn samples drawn on the pad, scaled into
the widget, and reading what the window answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint

from digitpad.ml.ink import Drawing
from digitpad.ui.pad.canvas import InkCanvas
from digitpad.ui.pad.verdict import DASH
from tests.unit.ui.fakes import FakeDialogs

if TYPE_CHECKING:
    from digitpad.app import Digitpad

SPAN = 600.0
"""The drawing's longer side on the pad, in pad units (the pad is 1,000 across)."""


def in_widget(canvas: InkCanvas, drawing: Drawing) -> list[list[QPoint]]:
    """The sample's strokes in the pad widget's pixel coordinates, centred on the pad."""
    points = np.concatenate(drawing.strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = SPAN / max(float((high - low).max()), 1e-9)
    return [
        [canvas.to_widget(x, y).toPoint() for x, y in (stroke - (low + high) / 2) * scale + 500.0]
        for stroke in drawing.strokes
    ]


def draw_on(canvas: InkCanvas, drawing: Drawing) -> None:
    """Draw the sample's strokes on the pad, one pen-down at a time."""
    for stroke in in_widget(canvas, drawing):
        canvas.draw_stroke([(point.x(), point.y()) for point in stroke])


def draw(app: Digitpad, drawing: Drawing, qtbot) -> None:
    """Draw the sample on the app's pad and wait for the answer to it."""
    draw_on(app.window.canvas, drawing)
    qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)


def shown_digit(app: Digitpad) -> int | None:
    """The digit the window's headline shows, sure or unsure; None for the dash."""
    headline = app.window.panel.headline.text().rstrip("?")
    return None if headline == DASH else int(headline)


def dialogs(app: Digitpad) -> FakeDialogs:
    """The app's dialogs, which the test fixture replaced by a recording fake."""
    assert isinstance(app.window.dialogs, FakeDialogs)
    return app.window.dialogs
