"""The unit the user clicked: what it looks for (its kernel or its weights, drawn in the shape of
what it reads) and its value for the drawing on the pad, which follows the pen."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from digitpad.ml.layer_outputs import Layer, LayerWeights
from digitpad.ml.layer_units import (
    flatten_source,
    input_of,
    normalisation,
    unit_count,
    unit_value,
    unit_weights,
)
from digitpad.ui.inside.colours import format_value
from digitpad.ui.inside.explain import INPUT_TEXT, layer_text, normalisation_text
from digitpad.ui.inside.pictures import Kind, Picture, kind_of, paint_colour_bar

INPUT = -1
"""The layer index that stands for the drawing itself (the stack's first row)."""
HINT = ("Click a map, a cell or a bar below to see what that unit looks for, and its value as "
        "you draw.")
_COLOUR_BAR_WIDTH = 48


SINGLE_MAX = 168
"""The largest a picture of one map gets (six screen pixels per pixel of a 28 x 28 one)."""


class PictureView(QWidget):
    """One picture (a unit's weights or its map), centred, with its colour range under it;
    ``max_item`` caps each map of many."""

    def __init__(self, max_item: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._picture: Picture | None = None
        self._max_item = max_item
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def picture(self) -> Picture | None:
        return self._picture

    def set_picture(self, picture: Picture | None) -> None:
        self._picture = picture
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(180, 150)

    def minimumSizeHint(self) -> QSize:
        return QSize(60, 60)

    def paintEvent(self, event: QPaintEvent) -> None:
        picture = self._picture
        if picture is None:
            return
        painter = QPainter(self)
        line = self.fontMetrics().height()
        room = QRectF(self.rect()).adjusted(2, 2, -2, -line - 4)
        height = picture.layout(room.width(), room.height(),
                                SINGLE_MAX if picture.units() == 1 else self._max_item, fill=True)
        width = picture.grid.width if picture.grid is not None else 0.0
        origin = QPointF(room.left() + (room.width() - width) / 2, room.top())
        picture.paint(painter, origin, self.palette())
        scale = picture.scale
        if scale is not None:
            words = scale.text()
            text_width = self.fontMetrics().horizontalAdvance(words)
            left = room.left() + (room.width() - text_width - _COLOUR_BAR_WIDTH - 6) / 2
            top = origin.y() + height + 3
            paint_colour_bar(painter, QRectF(left, top + line / 2 - 4, _COLOUR_BAR_WIDTH, 8),
                             scale)
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(left + _COLOUR_BAR_WIDTH + 6, top, text_width + 2, line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, words)
        painter.end()


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "caption")
    return label


def _column(caption: str, picture: QWidget, text: QLabel) -> QWidget:
    """A caption, a picture and its words, stacked; the stretch under them takes the room of a
    hidden picture, so the texts stay on top."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(_caption(caption))
    layout.addWidget(picture, 1)
    layout.addWidget(text)
    layout.addStretch(0)
    return column


def _wrapping(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class UnitDetail(QWidget):
    """Shows the selected unit of the model in use; told the model, the selection and each new
    set of layer outputs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layers: list[Layer] = []
        self._weights = LayerWeights({}, {})
        self._labels: tuple[str, ...] = ()
        self._selected: tuple[int, int] | None = None
        self._image: np.ndarray | None = None
        self._outputs: Sequence[np.ndarray] | None = None

        self.title = QLabel()
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.weights_view = PictureView(max_item=72)
        self.weights_text = _wrapping()
        self.value_view = PictureView(max_item=SINGLE_MAX)
        self.value_text = _wrapping()
        self.explanation = _wrapping(HINT)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        small = QFont(self.explanation.font())
        small.setPointSizeF(small.pointSizeF() * 0.92)
        self.explanation.setFont(small)
        self._text_font = QFont(self.value_text.font())
        self._number_font = QFont(self._text_font)
        self._number_font.setPointSizeF(self._text_font.pointSizeF() * 1.6)
        self._number_font.setBold(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        columns = QHBoxLayout()
        columns.setSpacing(12)
        self._looks_for = _column("WHAT IT LOOKS FOR", self.weights_view, self.weights_text)
        self._value = _column("FOR THIS DRAWING", self.value_view, self.value_text)
        columns.addWidget(self._looks_for, 1)
        columns.addWidget(self._value, 1)
        self._columns = columns
        layout.addLayout(columns, 1)
        layout.addWidget(self.explanation)
        self._show_selection()

    def set_model(self, layers: Sequence[Layer], weights: LayerWeights,
                  labels: Sequence[str]) -> None:
        """A new model: nothing is selected (``labels`` name its outputs)."""
        self._layers, self._weights, self._labels = list(layers), weights, tuple(labels)
        self._selected = None
        self._outputs = None
        self._show_selection()

    def select(self, index: int | None, unit: int = 0) -> None:
        """Show unit ``unit`` of layer ``index`` (:data:`INPUT`: the drawing; None: nothing)."""
        self._selected = None if index is None else (index, unit)
        self._show_selection()

    def selected(self) -> tuple[int, int] | None:
        return self._selected

    def set_outputs(self, image: np.ndarray | None, outputs: Sequence[np.ndarray] | None
                    ) -> None:
        """The layers' outputs for the drawing ``image`` (None: the pad is empty)."""
        self._image, self._outputs = image, outputs
        self._show_value()

    # -- showing -------------------------------------------------------------------------------

    def _show_selection(self) -> None:
        selected = self._selected
        if selected is None:
            self.title.setText("Inside the model")
            self.explanation.setText(HINT)
            self._looks_for.hide()
            self._value.hide()
            return
        index, unit = selected
        self._value.show()
        one_number = index != INPUT and len(self._layers[index].shape) != 3
        self._columns.setStretch(0, 2 if one_number else 1)  # a number needs little room
        if index == INPUT:
            self.title.setText("The drawing (28 \N{MULTIPLICATION SIGN} 28)")
            self.explanation.setText(INPUT_TEXT)
            self._looks_for.hide()
            self._show_value()
            return
        layer = self._layers[index]
        self.title.setText(f"{layer.name} ({layer.class_name}) \N{MIDDLE DOT} "
                           f"{self._unit_name(index, unit)}")
        reads, _ = input_of(self._layers, index)
        last = index == len(self._layers) - 1
        words = [layer_text(layer, self._weights.activation(layer.name), reads, last)]
        parameters = normalisation(self._weights, layer, unit)
        if parameters is not None:
            words.append(f"This channel: {normalisation_text(parameters)}.")
        source = flatten_source(self._layers, index, unit)
        if source is not None:
            words.append(f"This value is {source[0]} at {_position(source[1])}.")
        self.explanation.setText(" ".join(words))
        self._show_weights(index, unit)
        self._show_value()

    def _unit_name(self, index: int, unit: int) -> str:
        layer = self._layers[index]
        count = unit_count(layer)
        if kind_of(layer.shape, index == len(self._layers) - 1) is Kind.BARS:
            label = self._labels[unit] if unit < len(self._labels) else str(unit)
            return f"digit {label}" if label.isdigit() else label  # "crossed 7", "not a digit"
        noun = "map" if len(layer.shape) == 3 else "unit"
        return f"{noun} {unit} of {count}"

    def _show_weights(self, index: int, unit: int) -> None:
        found = unit_weights(self._layers, self._weights, index, unit)
        if found is None:
            self._looks_for.hide()
            self.weights_view.set_picture(None)
            return
        weights = found.weights
        kind = Kind.MAPS if weights.ndim in (2, 3) else Kind.CELLS
        picture = Picture(weights.shape, kind)
        picture.set_values(weights)
        self.weights_view.set_picture(picture)
        shape = "\N{NO-BREAK SPACE}\N{MULTIPLICATION SIGN}\N{NO-BREAK SPACE}".join(
            map(str, weights.shape[:2]))
        if self._layers[index].class_name == "Conv2D":
            what = (f"A {shape} kernel on each of the {weights.shape[2]} maps of {found.reads}"
                    if weights.shape[2] > 1 else f"A {shape} kernel on {found.reads}")
        elif weights.ndim == 3:
            what = (f"A weight for each value of the {weights.shape[2]} maps ({shape}) of "
                    f"{found.reads}")
        elif weights.ndim == 2:
            what = f"A weight for each of the {shape} pixels of {found.reads}"
        else:
            what = f"A weight for each of the {weights.size} values of {found.reads}"
        bias = "" if found.bias is None else f"; bias {format_value(found.bias)}"
        self.weights_text.setText(f"{what}{bias}.")
        self._looks_for.show()

    def _value_font(self, font: QFont) -> None:
        """A number large, words as text; changed only when it changes (a relayout)."""
        if self.value_text.font() != font:
            self.value_text.setFont(font)

    def _show_value(self) -> None:
        selected = self._selected
        if selected is None:
            return
        index, unit = selected
        if self._image is None:
            self.value_view.set_picture(None)
            self.value_view.hide()
            self._value_font(self._text_font)
            self.value_text.setText("Draw a digit to see its value.")
            return
        if index == INPUT:
            value: np.ndarray = self._image
        elif self._outputs is None:
            return
        else:
            value = unit_value(self._layers[index], self._outputs[index], unit)
        if value.ndim == 0:
            self.value_view.set_picture(None)
            self.value_view.hide()
            last = index == len(self._layers) - 1
            bars = index >= 0 and kind_of(self._layers[index].shape, last) is Kind.BARS
            number = f"{float(value):.1%}" if bars else format_value(float(value))
            self._value_font(self._number_font)
            self.value_text.setText(f"{'Probability' if bars else 'Value'}: {number}")
            return
        picture = self.value_view.picture()
        if picture is None or picture.shape != value.shape:
            picture = Picture(value.shape, Kind.MAPS)
        picture.set_values(value)
        self.value_view.set_picture(picture)
        self.value_view.show()
        self._value_font(self._text_font)
        self.value_text.setText(f"Its map: up to {format_value(float(value.max()))}, on average "
                                f"{format_value(float(value.mean()))}.")


def _position(position: tuple[int, ...]) -> str:
    """(row, column[, channel]) in words."""
    words = f"row {position[0]}, column {position[1]}"
    return words if len(position) == 2 else f"{words} of map {position[2]}"
