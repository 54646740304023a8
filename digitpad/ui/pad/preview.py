"""What the model sees: the exact 28x28 model input, scaled up without smoothing."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitpad.ml.digits import FRAME_SIZE, to_pixels
from digitpad.ui.pad.why_marks import paint_blocks

ZOOM = 5
"""Screen pixels per model pixel at first: the pixels are plain to see and it fits beside the
answer. A roomier window zooms in (``set_zoom``), always by whole pixels."""


class ModelInputPreview(QWidget):
    """Paints a (28, 28) float image in [0, 1] as white ink on black, pixel for pixel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._array: np.ndarray | None = None
        self._image: QImage | None = None
        self._blocks: np.ndarray | None = None
        self._zoom = ZOOM
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setToolTip("The 28 by 28 pixel picture the model classifies")
        self.setAccessibleName("Model input preview")

    def sizeHint(self) -> QSize:
        return QSize(FRAME_SIZE * self._zoom + 2, FRAME_SIZE * self._zoom + 2)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def zoom(self) -> int:
        return self._zoom

    def set_zoom(self, zoom: int) -> None:
        """Show each model pixel as ``zoom`` by ``zoom`` screen pixels."""
        if zoom != self._zoom:
            self._zoom = zoom
            self.updateGeometry()
            self.update()

    def image(self) -> np.ndarray | None:
        return self._array

    def set_image(self, image: np.ndarray | None) -> None:
        self._array = image
        if image is None:
            self._image = None
        else:
            gray = np.ascontiguousarray(to_pixels(np.clip(image, 0.0, 1.0)))
            height, width = gray.shape
            self._image = QImage(
                gray.data, width, height, width, QImage.Format.Format_Grayscale8
            ).copy()
        self.update()

    def blocks(self) -> np.ndarray | None:
        return self._blocks

    def set_blocks(self, strengths: np.ndarray | None) -> None:
        """Colour the picture's blocks by what covering each did to the answer (in [-1, 1]; see
        :mod:`digitpad.ui.pad.why_marks`), or show it plain (None)."""
        self._blocks = strengths
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        frame = QRect(0, 0, FRAME_SIZE * self._zoom + 2, FRAME_SIZE * self._zoom + 2)
        painter.fillRect(frame, self.palette().color(QPalette.ColorRole.Mid))
        inner = frame.adjusted(1, 1, -1, -1)
        painter.fillRect(inner, QColor("black"))
        if self._image is not None:
            # Nearest-neighbour on purpose: the blocks ARE the model's pixels.
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.drawImage(inner, self._image)
            if self._blocks is not None:
                paint_blocks(painter, QRectF(inner), self._blocks)
        else:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, "empty")
        painter.end()
