"""A still picture of what the window shows about one drawing, for ``digitpad inspect --png``
(slides and homework): the ink coloured as Why This Digit colours it (a picture with its blocks on
the 28x28 input instead), the answer, the chart with a compared model's bars beside it, and every
layer as Inside the Model draws it. The window's own widgets paint it, offscreen, so the picture
is what the app shows, not a look-alike.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImageReader, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from digitpad.atomic import write_bytes_atomic
from digitpad.ml.layer_outputs import Layer, LayerWeights
from digitpad.ml.outputs import Sevens
from digitpad.ml.recognizer import Prediction
from digitpad.ml.why import Why
from digitpad.ui.inside.layer_stack import LayerStack
from digitpad.ui.inside.view import layer_rows
from digitpad.ui.models.comparison import comparison_text
from digitpad.ui.pad.canvas import InkCanvas, pad_fitting
from digitpad.ui.pad.prediction_panel import PredictionPanel
from digitpad.ui.pad.preview import ModelInputPreview
from digitpad.ui.pad.probability_chart import ProbabilityChart
from digitpad.ui.pad.verdict import Certainty, verdict_for
from digitpad.ui.pad.why_digit import legend_text
from digitpad.ui.pad.why_marks import InkEffect
from digitpad.ui.support.saving import png_bytes

SHEET_WIDTH = 960
"""Pixels: wide enough for a conv layer's 32 maps in two rows, narrow enough for a slide."""
PAD_SIDE = 320
PREVIEW_ZOOM = 6
EMPTY = "Empty drawing"


@dataclass(frozen=True)
class Drawn:
    """One drawing and what the model made of it: everything the sheet shows."""

    title: str
    """The drawing's name for humans (file, and its name or index in the file)."""
    strokes: Sequence[np.ndarray] | None
    """The ink, in any unit; None for a picture."""
    picture: Path | None
    """The picture file, for a picture."""
    image: np.ndarray | None
    """The 28x28 model input (None: an empty drawing)."""
    outputs: Sequence[np.ndarray] | None
    """Every layer's output for ``image``."""
    prediction: Prediction
    why: Why | None
    compared: Prediction | None
    """The ``--compare`` model's prediction, None without one."""


@dataclass(frozen=True)
class Models:
    """What the sheets share: the models' names, the layers and how 1 and 7 are read."""

    name: str
    layers: Sequence[Layer]
    weights: LayerWeights
    output_labels: Sequence[str]
    sevens: Sevens
    compared_name: str | None = None


class InspectSheet(QWidget):
    """The pad, the answer and the chart on top, the layers under them, for one drawing."""

    def __init__(self, models: Models, drawn: Drawn) -> None:
        super().__init__()
        self.setAutoFillBackground(True)
        self.setFixedWidth(SHEET_WIDTH)
        title = QLabel(f"<b>{drawn.title}</b> &nbsp; {models.name}")
        self.canvas = InkCanvas()
        self.canvas.setFixedSize(PAD_SIDE, PAD_SIDE)
        self.canvas.set_hint(EMPTY)
        self.preview = ModelInputPreview()
        self.preview.set_zoom(PREVIEW_ZOOM)
        self.preview.set_image(drawn.image)
        self.panel = PredictionPanel()
        self.chart = ProbabilityChart()
        self.chart.setMinimumHeight(PAD_SIDE - 120)
        self.legend = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.stack = LayerStack()
        self.stack.set_rows(layer_rows(models.layers, models.weights, models.output_labels))
        if drawn.image is not None and drawn.outputs is not None:
            self.stack.set_values([drawn.image, *drawn.outputs])
        self._show_drawing(drawn)
        self._show_answer(models, drawn)

        answer = QVBoxLayout()
        answer.addWidget(self.panel)
        answer.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        answer.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.canvas, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(answer)
        top.addWidget(self.chart, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        layout.addWidget(self.stack)

    def _show_drawing(self, drawn: Drawn) -> None:
        why = drawn.why
        strongest = (why.strongest() if why is not None else None) or 1.0
        if drawn.picture is not None:
            reader = QImageReader(str(drawn.picture))
            reader.setAutoTransform(True)
            self.canvas.show_picture(reader.read(), drawn.picture)
        elif drawn.strokes:
            self.canvas.set_strokes(drawn.strokes)
            if why is not None:
                fitted = pad_fitting(drawn.strokes)  # the pieces are in the drawing's own unit
                self.canvas.set_effects([InkEffect(fitted(piece.points), piece.effect / strongest)
                                         for piece in why.pieces])
        if why is not None and why.occlusion is not None:
            self.preview.set_blocks(why.occlusion / strongest)

    def _show_answer(self, models: Models, drawn: Drawn) -> None:
        prediction = drawn.prediction
        verdict = verdict_for(prediction, sevens=models.sevens)
        if prediction.digit is None:
            self.panel.show_message(EMPTY)
            self.chart.set_empty_text(EMPTY)
        else:
            self.panel.show_verdict(verdict)
        self.chart.set_probabilities(
            None if prediction.digit is None else prediction.probabilities,
            highlight=verdict.digit, muted=verdict.certainty is not Certainty.SURE)
        lines = []
        if drawn.why is not None:
            lines.append(legend_text(drawn.why, picture=drawn.picture is not None))
        if drawn.compared is not None and models.compared_name is not None:
            self.chart.set_comparison(None if drawn.compared.digit is None
                                      else drawn.compared.probabilities)
            lines.append(comparison_text(
                (models.name, prediction), (models.compared_name, drawn.compared),
                models.sevens, self.palette().color(QPalette.ColorRole.Highlight)))
        self.legend.setText("<br>".join(lines))
        self.legend.setVisible(bool(lines))

    def png(self) -> bytes:
        """The sheet as a PNG file's bytes, laid out at its full height."""
        self.layout().activate()
        self.resize(SHEET_WIDTH, self.heightForWidth(SHEET_WIDTH)
                    if self.hasHeightForWidth() else self.sizeHint().height())
        return png_bytes(self.grab().toImage())


def write_sheets(out: str | os.PathLike[str], models: Models, drawings: Sequence[Drawn]
                 ) -> list[Path]:
    """One PNG per drawing: ``out`` itself for one, ``out``'s name with ``-1``, ``-2``… for
    more; each written atomically. Returns the files written."""
    out = Path(out)
    paths = [out] if len(drawings) == 1 else [
        out.with_name(f"{out.stem}-{n}{out.suffix or '.png'}") for n in range(1, len(drawings) + 1)]
    for path, drawn in zip(paths, drawings, strict=True):
        sheet = InspectSheet(models, drawn)
        write_bytes_atomic(path, sheet.png())
        sheet.deleteLater()
    return paths
