"""Drawing a real pen-drawn sample on the window's pad, as a user would: scaled into the widget."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint

from digitpad.ml.ink import Drawing
from digitpad.ui.pad.canvas import InkCanvas

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
