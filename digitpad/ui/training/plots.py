"""Accuracy and loss curves, training against validation, drawn as the epochs come in.

Custom-painted (QtCharts is not part of PySide6-Essentials): a point per epoch per curve, a faint
line for the epoch under way, axes with round-number ticks. An update appends a point and asks
for one repaint, so a plot can follow every batch without cost. The tutorial's lesson is in the
gap between the two curves: training keeps improving while validation stalls, then worsens.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from digitpad.atomic import write_bytes_atomic
from digitpad.ui.support.saving import png_bytes

TRAINING = "training"
VALIDATION = "validation"
VALIDATION_COLOUR = QColor("#e07b39")
"""An orange that reads as "the other line" next to the palette's blue highlight, light or dark."""
_MARGIN_LEFT = 48
_MARGIN_BOTTOM = 30
_HEADER = 26


@dataclass
class _Curve:
    points: list[tuple[float, float]] = field(default_factory=list)


class TrainingPlot(QWidget):
    """One quantity (accuracy or loss) per epoch for training and validation.

    x is in epochs: the value after epoch ``k`` (counting from 1) sits at ``x = k``; the running
    value during epoch ``k`` at ``k - 1 + fraction done``.
    """

    def __init__(self, title: str, percent: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._percent = percent
        self._epochs = 1
        self._curves = {TRAINING: _Curve(), VALIDATION: _Curve()}
        self._running: list[tuple[float, float]] = []
        self._empty_text = "The curves appear as the model trains"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(f"{title}, training and validation, per epoch")

    def sizeHint(self) -> QSize:
        return QSize(480, 230)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 150)

    # -- data --------------------------------------------------------------------------------

    def title(self) -> str:
        return self._title

    def points(self, curve: str) -> list[tuple[float, float]]:
        """(epoch, value) pairs of the ``TRAINING`` or ``VALIDATION`` curve."""
        return list(self._curves[curve].points)

    def running(self) -> list[tuple[float, float]]:
        """The running training values of the epoch under way."""
        return list(self._running)

    def epochs(self) -> int:
        return self._epochs

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    def reset(self, epochs: int) -> None:
        """Start over with room for ``epochs`` epochs on the x axis."""
        self._epochs = max(1, epochs)
        for curve in self._curves.values():
            curve.points.clear()
        self._running.clear()
        self.update()

    def add_epoch(self, epoch: int, training: float | None, validation: float | None) -> None:
        """The figures after epoch ``epoch`` (counting from 1); either may be missing."""
        for name, value in ((TRAINING, training), (VALIDATION, validation)):
            if value is not None and math.isfinite(value):
                self._curves[name].points.append((float(epoch), float(value)))
        self._running.clear()
        self._epochs = max(self._epochs, epoch)
        self.update()

    def add_running(self, x: float, value: float) -> None:
        """The training value so far in the epoch under way, at ``x`` epochs."""
        if math.isfinite(value):
            self._running.append((float(x), float(value)))
            self.update()

    def set_history(self, training: Sequence[float], validation: Sequence[float]) -> None:
        """Show a finished run (a model card's history)."""
        self.reset(max(len(training), len(validation), 1))
        for name, values in ((TRAINING, training), (VALIDATION, validation)):
            self._curves[name].points.extend(
                (float(i + 1), float(v)) for i, v in enumerate(values) if math.isfinite(v)
            )
        self.update()

    # -- painting ----------------------------------------------------------------------------

    def _value_range(self) -> tuple[float, float, float]:
        """(low, high, tick step) with round ticks around every value shown."""
        values = [v for curve in self._curves.values() for _, v in curve.points]
        values += [v for _, v in self._running]
        if not values:
            return (0.0, 1.0, 0.2)
        low, high = min(values), max(values)
        if self._percent:
            high = min(1.0, high)
        else:
            low = 0.0
        step = _nice_step((high - low) / 5 if high > low else max(abs(high), 1e-3) / 5)
        low = math.floor(low / step + 1e-9) * step
        high = math.ceil(high / step - 1e-9) * step
        if high <= low:
            high = low + step
        if self._percent and high > 1.0:  # every value was 100 %
            low, high = 1.0 - step, 1.0
        return max(0.0, low) if self._percent else low, high, step

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        faint = palette.color(QPalette.ColorRole.PlaceholderText)
        grid = palette.color(QPalette.ColorRole.Mid)
        grid.setAlpha(70)
        training_colour = palette.color(QPalette.ColorRole.Highlight)

        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        plot = QRectF(self.rect()).adjusted(_MARGIN_LEFT, _HEADER + 6, -14, -_MARGIN_BOTTOM)

        title_font = painter.font()
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(text)
        painter.drawText(QRectF(4, 0, plot.right(), _HEADER),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self._title)
        painter.setFont(self.font())
        self._paint_legend(painter, plot.right(), training_colour)

        low, high, step = self._value_range()

        def to_point(x: float, y: float) -> QPointF:
            return QPointF(plot.left() + plot.width() * x / self._epochs,
                           plot.bottom() - plot.height() * (y - low) / (high - low))

        # Horizontal grid and value ticks.
        ticks = round((high - low) / step)
        for i in range(ticks + 1):
            value = low + i * step
            y = to_point(0, value).y()
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(faint)
            label = QRectF(0, y - metrics.height() / 2, _MARGIN_LEFT - 6, metrics.height())
            painter.drawText(label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self._format(value, step))
        # Epoch ticks.
        epoch_step = max(1, _nice_step(self._epochs / 8))
        painter.setPen(QPen(text, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        for epoch in range(0, self._epochs + 1, int(epoch_step)):
            x = to_point(epoch, low).x()
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            painter.drawText(QRectF(x - 20, plot.bottom() + 5, 40, metrics.height()),
                             Qt.AlignmentFlag.AlignHCenter, str(epoch))
        painter.setPen(faint)
        painter.drawText(QRectF(plot.left(), plot.bottom() + 5, plot.width(),
                                _MARGIN_BOTTOM - 5),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, "epoch")

        if not any(curve.points for curve in self._curves.values()) and not self._running:
            painter.setPen(faint)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, self._empty_text)
            painter.end()
            return

        painter.setClipRect(plot.adjusted(-4, -4, 4, 4))
        if self._running:
            running = QColor(training_colour)
            running.setAlpha(110)
            start = self._curves[TRAINING].points[-1:] if self._curves[TRAINING].points else []
            self._paint_line(painter, [*start, *self._running], to_point,
                             QPen(running, 1.5, Qt.PenStyle.DotLine), markers=False)
        self._paint_line(painter, self._curves[TRAINING].points, to_point,
                         QPen(training_colour, 2.2), markers=True)
        self._paint_line(painter, self._curves[VALIDATION].points, to_point,
                         QPen(VALIDATION_COLOUR, 2.2), markers=True)
        painter.end()

    def _paint_legend(self, painter: QPainter, right: float, training_colour: QColor) -> None:
        metrics = painter.fontMetrics()
        x = right
        for label, colour in ((VALIDATION, VALIDATION_COLOUR), (TRAINING, training_colour)):
            width = metrics.horizontalAdvance(label)
            x -= width
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(x, 0, width, _HEADER), Qt.AlignmentFlag.AlignVCenter, label)
            x -= 24
            painter.setPen(QPen(colour, 2.2))
            painter.drawLine(QPointF(x, _HEADER / 2), QPointF(x + 18, _HEADER / 2))
            x -= 16

    @staticmethod
    def _paint_line(painter: QPainter, points: Sequence[tuple[float, float]],
                    to_point: Callable[[float, float], QPointF], pen: QPen, markers: bool) -> None:
        if not points:
            return
        path = QPainterPath(to_point(*points[0]))
        for x, y in points[1:]:
            path.lineTo(to_point(x, y))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        if markers:
            painter.setBrush(pen.color())
            painter.setPen(Qt.PenStyle.NoPen)
            for x, y in points:
                painter.drawEllipse(to_point(x, y), 3.2, 3.2)

    def _format(self, value: float, step: float) -> str:
        if self._percent:
            decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9))
            return f"{value * 100:.{decimals}f}%"
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        return f"{value:.{decimals}f}"


def _nice_step(raw: float) -> float:
    """The round number (1, 2 or 5 times a power of ten) at or above ``raw``."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power * (1 + 1e-9):
            return factor * power
    return 10 * power


class TrainingPlots(QWidget):
    """Accuracy above loss, fed from the training logs; saved together as one picture."""

    def __init__(self, parent: QWidget | None = None, horizontal: bool = False) -> None:
        super().__init__(parent)
        self.accuracy = TrainingPlot("Accuracy", percent=True)
        self.loss = TrainingPlot("Loss", percent=False)
        layout = QHBoxLayout(self) if horizontal else QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addWidget(self.accuracy)
        layout.addWidget(self.loss)

    def plots(self) -> tuple[TrainingPlot, TrainingPlot]:
        return (self.accuracy, self.loss)

    def reset(self, epochs: int) -> None:
        for plot in self.plots():
            plot.reset(epochs)

    def set_empty_text(self, text: str) -> None:
        for plot in self.plots():
            plot.set_empty_text(text)

    def add_batch(self, epoch: int, batch: int, batches: int, logs: dict[str, float]) -> None:
        """Running figures during epoch ``epoch`` (counting from 0)."""
        x = epoch + (batch + 1) / max(1, batches)
        for plot, key in ((self.accuracy, "sparse_categorical_accuracy"), (self.loss, "loss")):
            if key in logs:
                plot.add_running(x, logs[key])

    def add_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        """The figures after epoch ``epoch`` (counting from 0)."""
        for plot, key in ((self.accuracy, "sparse_categorical_accuracy"), (self.loss, "loss")):
            plot.add_epoch(epoch + 1, logs.get(key), logs.get(f"val_{key}"))

    def set_history(self, history: dict[str, list[float]]) -> None:
        """Show a model card's ``history``."""
        for plot, key in ((self.accuracy, "sparse_categorical_accuracy"), (self.loss, "loss")):
            plot.set_history(history.get(key, []), history.get(f"val_{key}", []))

    def has_data(self) -> bool:
        return any(plot.points(TRAINING) or plot.points(VALIDATION) for plot in self.plots())

    def save_png(self, path: str | Path) -> None:
        """Write both plots as one PNG, atomically; raises OSError if it cannot."""
        image = QImage(self.size() * 2, QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(2.0)
        image.fill(self.palette().color(QPalette.ColorRole.Window))
        self.render(image)
        write_bytes_atomic(path, png_bytes(image))


def framed(widget: QWidget) -> QFrame:
    """``widget`` on a rounded card in the palette's base colour, like the main window's panel."""
    card = QFrame(objectName="plots-card")
    card.setStyleSheet("QFrame#plots-card { background: palette(base); "
                       "border: 1px solid palette(midlight); border-radius: 12px; }")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(14, 10, 14, 10)
    layout.addWidget(widget)
    return card
