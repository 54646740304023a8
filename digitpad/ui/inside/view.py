"""The "Inside the Model" panel: the selected unit on top, every layer of the model under it, or
a message while the layers are being prepared (with a button when the user can do something)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from digitpad.ml.digits import INPUT_SHAPE
from digitpad.ml.layer_outputs import Layer, LayerWeights
from digitpad.ui.inside.layer_stack import LayerStack, Row
from digitpad.ui.inside.pictures import Kind, Picture, kind_of
from digitpad.ui.inside.unit_detail import INPUT, UnitDetail

DETAIL_HEIGHT = 330
"""The selected unit's share of the panel's height at first (the splitter moves it)."""


def summary_shape(shape: Sequence[int]) -> str:
    """A shape as a Keras summary writes it, batch axis first: "(None, 28, 28, 32)"."""
    return f"(None, {', '.join(map(str, shape))})"


def layer_rows(layers: Sequence[Layer], weights: LayerWeights, labels: Sequence[str]
               ) -> list[Row]:
    """The drawing, then each layer, as the stack shows them (``labels``: the outputs' names)."""
    rows = [Row("input", summary_shape(INPUT_SHAPE), "the drawing, as the model gets it",
                Picture(INPUT_SHAPE, Kind.MAPS))]
    for index, layer in enumerate(layers):
        kind = kind_of(layer.shape, last=index == len(layers) - 1)
        activation = weights.activation(layer.name)
        if kind is Kind.LISTED:
            note = "not drawn"
        elif kind is Kind.BARS:
            note = "probabilities" if activation in (None, "softmax") else activation
        else:
            note = "" if activation in (None, "linear") else activation
        rows.append(Row(f"{layer.name} ({layer.class_name})", summary_shape(layer.shape), note,
                        Picture(layer.shape, kind, labels if kind is Kind.BARS else ())))
    return rows


class InsideView(QWidget):
    """Told the model's layers and each drawing's outputs; reports clicks on its button."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.retry_button = QPushButton()
        self.retry_button.clicked.connect(self.retry_requested)
        message_page = QWidget()
        message_layout = QVBoxLayout(message_page)
        message_layout.setContentsMargins(16, 16, 16, 16)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message)
        message_layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignHCenter)
        message_layout.addStretch(2)

        self.detail = UnitDetail()
        self.stack = LayerStack()
        self.stack.unit_clicked.connect(self._on_unit_clicked)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.stack)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.detail)
        self.splitter.addWidget(self.scroll)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([DETAIL_HEIGHT, 2 * DETAIL_HEIGHT])

        self._pages = QStackedLayout(self)
        self._pages.addWidget(message_page)
        self._pages.addWidget(self.splitter)
        self.show_message("Draw a digit: once a model is loaded, this shows each of its layers.")

    def sizeHint(self) -> QSize:
        return QSize(440, 2 * DETAIL_HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 240)

    def show_message(self, text: str, button: str = "") -> None:
        """Show ``text`` instead of the layers; with ``button``, a button so labelled that
        emits ``retry_requested``."""
        self.message.setText(text)
        self.retry_button.setText(button)
        self.retry_button.setVisible(bool(button))
        self._pages.setCurrentIndex(0)

    def message_text(self) -> str | None:
        """The message shown instead of the layers, or None when the layers are shown."""
        return self.message.text() if self._pages.currentIndex() == 0 else None

    def show_layers(self, layers: Sequence[Layer], weights: LayerWeights,
                    labels: Sequence[str]) -> None:
        """A model's layers, nothing selected, no outputs yet."""
        self.stack.set_rows(layer_rows(layers, weights, labels))
        self.detail.set_model(layers, weights, labels)
        self.scroll.verticalScrollBar().setValue(0)
        self._pages.setCurrentIndex(1)

    def set_outputs(self, image: np.ndarray | None, outputs: Sequence[np.ndarray] | None
                    ) -> None:
        """The drawing ``image`` and every layer's output for it (None and None: no drawing)."""
        values = [image, *outputs] if image is not None and outputs is not None else (
            [None] * len(self.stack.rows()))
        self.stack.set_values(values)
        self.detail.set_outputs(image, outputs if image is not None else None)

    @Slot(int, int)
    def _on_unit_clicked(self, row: int, unit: int) -> None:
        self.detail.select(row - 1 if row > 0 else INPUT, unit)
