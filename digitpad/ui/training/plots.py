"""Accuracy and loss curves, training against validation, drawn as the batches come in.

Drawn with pyqtgraph, which zooms and pans with the mouse and redraws thousands of points cheaply.
It takes a third of a second to import, and only the Retrain and History dialogs import this
module, when they are first opened: the main window never waits for it.

x is in epochs: epoch ``k`` (counting from 1) ends at ``x = k``, where a dashed mark appears
(in a run of up to :data:`MARKED_EPOCHS` epochs; a longer one has the axis' ticks).
Training is a point per batch message: Keras' batch logs are running means of the epoch so far,
so the mean of the batches since the previous message is recovered from two running means (one
batch when batches are slower than the child's reports, a few batches' mean when they are
faster), drawn faint, with a light exponential moving average over it drawn full. Validation is
a point per epoch. A model card's history has only epoch figures: both curves are then a point
per epoch. The tutorial's lesson is in the gap between the curves: training keeps improving while
validation stalls, then worsens.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from digitpad.atomic import write_bytes_atomic
from digitpad.ui.support.saving import png_bytes

TRAINING = "training"
VALIDATION = "validation"
VALIDATION_COLOUR = QColor("#e07b39")
"""An orange that reads as "the other line" next to the palette's blue highlight, light or dark."""
SMOOTHING_EPOCHS = 0.03
"""Time constant of the training curve's moving average, in epochs, not points: about a dozen
batches of a 400-batch epoch, next to nothing when the points are a tenth of an epoch apart (a
fast model whose messages each hold many batches)."""
ACCURACY = "sparse_categorical_accuracy"
LOSS = "loss"
_RAW_ALPHA = 60
MARKED_EPOCHS = 20
"""The most epochs that each get a dashed mark: a hundred marks would hatch the curves over."""
"""How faint the unsmoothed training values are behind their moving average."""


def _decimals(step: float) -> int:
    """The fewest decimals that tell ticks ``step`` apart (0.25 needs two, 0.5 one, 20 none)."""
    step = abs(step)
    for decimals in range(7):
        if abs(round(step, decimals) - step) <= 1e-6 * max(step, 1e-12):
            return decimals
    return 7


def percent_label(value: float, step: float) -> str:
    """An accuracy tick (a fraction) in per cent, with every decimal its spacing ``step`` needs:
    "99.75 %", never "99.8 %"; nothing for a tick beyond 0 or 100 % (the margin of the view)."""
    if not -1e-9 <= value <= 1 + 1e-9:
        return ""
    percent = value * 100
    return f"{0.0 if abs(percent) < 1e-9 else percent:.{_decimals(step * 100)}f} %"


def number_label(value: float, step: float) -> str:
    """A loss or epoch tick with every decimal its spacing ``step`` needs."""
    return f"{0.0 if abs(value) < 1e-12 else value:.{_decimals(step)}f}"


def _nice_step(raw: float) -> float:
    """The round number (1, 2 or 5 times a power of ten) at or above ``raw``."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power * (1 + 1e-9):
            return factor * power
    return 10 * power


class _Axis(pg.AxisItem):
    """An axis whose tick labels come from ``label``, on major ticks only (one level of decimals,
    never "99.8 %" next to "99.75 %"), and whose width only grows: a label that needs more room
    widens the axis, and the axis never narrows under the user's eyes."""

    def __init__(self, orientation: str, label: Callable[[float, float], str]) -> None:
        super().__init__(orientation)
        self._label = label
        self.enableAutoSIPrefix(False)  # never "loss (x0.001)" over ticks of 0 to 300
        self.setStyle(autoReduceTextSpace=False, maxTickLevel=1, maxTextLevel=0)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self._label(value * scale, spacing * scale) for value in values]

    def reserve(self, text: str) -> None:
        """Room for tick labels as wide as ``text`` from the first paint on (pyqtgraph measures
        its labels while painting: a wider one would otherwise be cut for a frame)."""
        self.textWidth = max(self.textWidth, QFontMetrics(self.font()).horizontalAdvance(text))
        self._updateWidth()


class _EpochAxis(_Axis):
    """Whole epochs on the x axis unless the user zooms in on less than two."""

    def __init__(self) -> None:
        super().__init__("bottom", number_label)

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        span = abs(maxVal - minVal)
        if span < 2:
            return super().tickSpacing(minVal, maxVal, size)
        return [(max(1.0, _nice_step(span / max(2.0, size / 70))), 0.0)]


class _RunExtent(pg.GraphicsObject):
    """Draws nothing: its bounds make the x auto-range span the planned run, epoch 0 to the last,
    so that the run's length shows from the start and the "A" button gives the whole run back."""

    def __init__(self) -> None:
        super().__init__()
        self._epochs = 1.0

    def set_epochs(self, epochs: float) -> None:
        self._epochs = epochs
        self.informViewBoundsChanged()

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange: Any = None
                   ) -> tuple[float, float] | None:
        return (0.0, self._epochs) if axis == 0 else None

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, *args: Any) -> None:
        pass


class TrainingPlot(QWidget):
    """One quantity (accuracy or loss) for training and validation; see the module docstring."""

    def __init__(self, title: str, percent: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._epochs = 1
        self._epoch_points: dict[str, list[tuple[float, float]]] = {TRAINING: [], VALIDATION: []}
        self._batches = _Series()
        self._smoothed = _Series()
        self._marks: list[pg.InfiniteLine] = []
        self._best: int | None = None

        self._heading = QLabel()
        self._legend = QLabel()
        self._legend.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 4, 0)
        header.addWidget(self._heading)
        header.addStretch(1)
        header.addWidget(self._legend)

        self._left = _Axis("left", percent_label if percent else number_label)
        self._bottom = _EpochAxis()
        self.graph = pg.PlotWidget(axisItems={"left": self._left, "bottom": self._bottom})
        self.graph.setAccessibleName(f"{title}, training and validation")
        self.graph.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        item = self.graph.getPlotItem()
        item.setMenuEnabled(False)  # its options (log scale, FFT…) and Export… are not ours
        item.setDownsampling(auto=True, mode="peak")  # peaks kept: the y range still holds all
        item.showGrid(y=True, alpha=0.25)
        item.setLabel("left", "accuracy (%)" if percent else "loss (cross-entropy)")
        item.setLabel("bottom", "epoch")
        self._view = item.getViewBox()
        self._view.enableAutoRange()
        self._extent = _RunExtent()
        self._view.addItem(self._extent)

        self._raw = item.plot(antialias=True)
        self._smooth = item.plot(antialias=True)
        self._training_epochs = item.plot(antialias=True, symbol="o", symbolSize=7)
        self._validation = item.plot(antialias=True, symbol="o", symbolSize=7)
        self._best_line = pg.InfiniteLine(angle=90, movable=False, label="best",
                                          labelOpts={"position": 0.92, "anchors": [(0, 0.5),
                                                                                   (0, 0.5)]})
        self._best_line.setVisible(False)
        item.addItem(self._best_line, ignoreBounds=True)
        self._empty = pg.TextItem(anchor=(0.5, 0.5))
        self._empty.setParentItem(self._view)
        self._view.sigResized.connect(self._place_empty_text)
        self.set_empty_text("The curves appear as the model trains")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.graph, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._apply_palette()
        self._left.reserve(percent_label(0.9975, 0.0025))  # both plots' axes alike, aligned
        self.reset(1)

    def sizeHint(self) -> QSize:
        return QSize(480, 230)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 150)

    # -- data --------------------------------------------------------------------------------

    def title(self) -> str:
        return self._title

    def points(self, curve: str) -> list[tuple[float, float]]:
        """(epoch, value) after each epoch of the ``TRAINING`` or ``VALIDATION`` curve."""
        return list(self._epoch_points[curve])

    def batches(self) -> list[tuple[float, float]]:
        """(x, value) of each training batch message, unsmoothed (drawn faint)."""
        return self._batches.points()

    def smoothed(self) -> list[tuple[float, float]]:
        """The training curve as drawn: the moving average of ``batches()``."""
        return self._smoothed.points()

    def epochs(self) -> int:
        """Epochs the x axis spans: the planned run, or more if more came."""
        return self._epochs

    def epoch_marks(self) -> list[float]:
        """Where the dashed epoch marks stand: at the end of each finished epoch, in a run of
        up to :data:`MARKED_EPOCHS` epochs."""
        return [mark.value() for mark in self._marks if mark.isVisible()]

    def best_epoch(self) -> int | None:
        return self._best

    def view_range(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """((x low, x high), (y low, y high)) as last painted."""
        (x_low, x_high), (y_low, y_high) = self._view.viewRange()
        return (x_low, x_high), (y_low, y_high)

    def set_empty_text(self, text: str) -> None:
        """What an empty plot says instead of curves."""
        self._empty.setText(text)
        self._place_empty_text()

    def reset(self, epochs: int) -> None:
        """Start over with room for ``epochs`` epochs on the x axis, the view following the
        data again if the user had zoomed."""
        self._epochs = max(1, epochs)
        for points in self._epoch_points.values():
            points.clear()
        self._batches.clear()
        self._smoothed.clear()
        for mark in self._marks:
            self.graph.removeItem(mark)
        self._marks.clear()
        self._best = None
        self._best_line.setVisible(False)
        self._extent.set_epochs(self._epochs)
        self._view.setYRange(0.0, 1.0, padding=0.05)  # the empty plot's frame, 0 and 1 labelled
        self._view.enableAutoRange()
        self._redraw()

    def add_batch(self, x: float, value: float) -> None:
        """The training value of the batches around ``x`` epochs (fractional)."""
        if not math.isfinite(value):
            return
        smooth = value
        if len(self._smoothed):
            last_x, last = self._smoothed.last()
            weight = 1 - math.exp(-max(0.0, x - last_x) / SMOOTHING_EPOCHS)
            smooth = last + weight * (value - last)
        self._batches.append(x, value)
        self._smoothed.append(x, smooth)
        self._widen(math.ceil(x - 1e-9))
        self._raw.setData(*self._batches.columns())
        self._smooth.setData(*self._smoothed.columns())
        self._empty.setVisible(False)

    def add_epoch(self, epoch: int, training: float | None, validation: float | None) -> None:
        """The figures after epoch ``epoch`` (counting from 1); either may be missing."""
        for name, value in ((TRAINING, training), (VALIDATION, validation)):
            if value is not None and math.isfinite(value):
                self._epoch_points[name].append((float(epoch), float(value)))
        if float(epoch) not in [mark.value() for mark in self._marks]:
            mark = pg.InfiniteLine(float(epoch), angle=90, movable=False, pen=self._mark_pen())
            self.graph.addItem(mark, ignoreBounds=True)
            self._marks.append(mark)
        self._widen(epoch)
        self._show_marks()
        self._redraw()

    def set_history(self, training: Sequence[float], validation: Sequence[float]) -> None:
        """Show a finished run (a model card's history): a point per epoch for both curves."""
        self.reset(max(len(training), len(validation), 1))
        for epoch in range(1, max(len(training), len(validation)) + 1):
            self.add_epoch(epoch, _at(training, epoch - 1), _at(validation, epoch - 1))

    def mark_best_epoch(self, epoch: int | None) -> None:
        """Mark epoch ``epoch`` (counting from 1) as the best one, or none; one mark at a time."""
        self._best = epoch
        self._best_line.setVisible(epoch is not None)
        if epoch is not None:
            self._best_line.setValue(float(epoch))
            self._widen(epoch)
            # The label stands right of the line, or left of it at the last epoch, where the
            # plot's edge would cut it.
            side = 1.0 if epoch >= self._epochs else 0.0
            self._best_line.label.anchors = [(side, 0.5), (side, 0.5)]
            self._best_line.label.updatePosition()

    def has_data(self) -> bool:
        return bool(len(self._batches) or any(self._epoch_points.values()))

    # -- drawing -----------------------------------------------------------------------------

    def _widen(self, epochs: int) -> None:
        if epochs > self._epochs:
            self._epochs = epochs
            self._extent.set_epochs(epochs)

    def _show_marks(self) -> None:
        for mark in self._marks:
            mark.setVisible(self._epochs <= MARKED_EPOCHS)

    def _redraw(self) -> None:
        """Hand every curve its points; pyqtgraph repaints once, at the next frame."""
        self._raw.setData(*self._batches.columns())
        self._smooth.setData(*self._smoothed.columns())
        # With batch points the training curve is theirs; a card's history has only epochs.
        self._training_epochs.setData(
            *_columns([] if len(self._batches) else self._epoch_points[TRAINING]))
        self._validation.setData(*_columns(self._epoch_points[VALIDATION]))
        self._empty.setVisible(not self.has_data())

    def _place_empty_text(self) -> None:
        self._empty.setPos(self._view.boundingRect().center())

    def _mark_pen(self) -> Any:
        colour = self.palette().color(QPalette.ColorRole.PlaceholderText)
        return pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)

    def _apply_palette(self) -> None:
        """Colours from the palette, so that light and dark themes both read well."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        faint = palette.color(QPalette.ColorRole.PlaceholderText)
        base = palette.color(QPalette.ColorRole.Base)
        training = palette.color(QPalette.ColorRole.Highlight)
        self.graph.setBackground(base)
        for axis in (self._left, self._bottom):
            axis.setPen(pg.mkPen(faint))
            axis.setTextPen(pg.mkPen(text))
            axis.label.setDefaultTextColor(text)
        raw = QColor(training)
        raw.setAlpha(_RAW_ALPHA)
        self._raw.setPen(pg.mkPen(raw, width=1))
        self._smooth.setPen(pg.mkPen(training, width=2.2))
        self._training_epochs.setPen(pg.mkPen(training, width=2.2))
        self._training_epochs.setSymbolBrush(training)
        self._training_epochs.setSymbolPen(pg.mkPen(base, width=1))
        self._validation.setPen(pg.mkPen(VALIDATION_COLOUR, width=2.2))
        self._validation.setSymbolBrush(VALIDATION_COLOUR)
        self._validation.setSymbolPen(pg.mkPen(base, width=1))
        self._best_line.setPen(pg.mkPen(VALIDATION_COLOUR, width=1.5))
        self._best_line.label.setColor(VALIDATION_COLOUR)
        self._empty.setColor(faint)
        for mark in self._marks:
            mark.setPen(self._mark_pen())
        self._heading.setText(f"<b>{self._title}</b>")
        self._legend.setText(
            f'<span style="color:{training.name()}">━━</span> training &nbsp;&nbsp; '
            f'<span style="color:{VALIDATION_COLOUR.name()}">━●━</span> validation')

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)


def _at(values: Sequence[float], index: int) -> float | None:
    return values[index] if index < len(values) else None


def _columns(points: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    array = np.asarray(points, dtype=float).reshape(-1, 2)
    return array[:, 0], array[:, 1]


class _Series:
    """(x, y) points in a NumPy buffer that doubles when full: the 100,000th batch of a long run
    costs what the first did, and pyqtgraph is handed views of it, not new arrays."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """A new buffer: pyqtgraph may still hold views of the old one until its next setData."""
        self._data = np.empty((2, 256))  # x above y: each a contiguous row
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, x: float, y: float) -> None:
        if self._size == self._data.shape[1]:
            self._data = np.concatenate([self._data, np.empty_like(self._data)], axis=1)
        self._data[:, self._size] = (x, y)
        self._size += 1

    def last(self) -> tuple[float, float]:
        x, y = self._data[:, self._size - 1]
        return float(x), float(y)

    def columns(self) -> tuple[np.ndarray, np.ndarray]:
        return self._data[0, : self._size], self._data[1, : self._size]

    def points(self) -> list[tuple[float, float]]:
        return [(float(x), float(y)) for x, y in zip(*self.columns(), strict=True)]


class _RunningMean:
    """Turns Keras' running means of an epoch back into the mean of the batches since the last
    report: with running means ``a`` after ``m`` batches and ``b`` after ``n``, the batches in
    between averaged ``(n * b - m * a) / (n - m)`` (exact for equal batches; the last, smaller
    batch of an epoch counts as a whole one)."""

    def __init__(self) -> None:
        self._epoch = -1
        self._count = 0
        self._mean = 0.0

    def reset(self) -> None:
        self._epoch, self._count, self._mean = -1, 0, 0.0

    def window(self, epoch: int, batch: int, mean: float) -> tuple[int, float] | None:
        """(first batch, mean) of the batches up to ``batch`` since the previous call; None if
        there is nothing new or the figures are not numbers."""
        count = self._count if epoch == self._epoch else 0
        previous = self._mean if count else 0.0
        done = batch + 1
        if done <= count or not math.isfinite(mean) or not math.isfinite(previous):
            return None
        self._epoch, self._count, self._mean = epoch, done, mean
        return count, (done * mean - count * previous) / (done - count)


class TrainingPlots(QWidget):
    """Accuracy above loss, fed from the training logs; saved together as one picture."""

    def __init__(self, parent: QWidget | None = None, horizontal: bool = False) -> None:
        super().__init__(parent)
        self.accuracy = TrainingPlot("Accuracy", percent=True)
        self.loss = TrainingPlot("Loss", percent=False)
        self._means = {ACCURACY: _RunningMean(), LOSS: _RunningMean()}
        layout = QHBoxLayout(self) if horizontal else QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addWidget(self.accuracy)
        layout.addWidget(self.loss)

    def plots(self) -> tuple[TrainingPlot, TrainingPlot]:
        return (self.accuracy, self.loss)

    def _keyed(self) -> tuple[tuple[TrainingPlot, str], ...]:
        return ((self.accuracy, ACCURACY), (self.loss, LOSS))

    def reset(self, epochs: int) -> None:
        for plot in self.plots():
            plot.reset(epochs)
        for mean in self._means.values():
            mean.reset()

    def set_empty_text(self, text: str) -> None:
        for plot in self.plots():
            plot.set_empty_text(text)

    def add_batch(self, epoch: int, batch: int, batches: int, logs: dict[str, float]) -> None:
        """A batch message: ``logs`` are the running means of epoch ``epoch`` (counting from 0)
        after batch ``batch`` (from 0) of ``batches``."""
        batches = max(1, batches)
        for plot, key in self._keyed():
            if key not in logs:
                continue
            window = self._means[key].window(epoch, batch, logs[key])
            if window is None:
                continue
            first, value = window
            value = min(max(value, 0.0), 1.0) if plot is self.accuracy else max(value, 0.0)
            plot.add_batch(epoch + (first + batch + 1) / 2 / batches, value)  # mid-window

    def add_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        """The figures after epoch ``epoch`` (counting from 0)."""
        for plot, key in self._keyed():
            plot.add_epoch(epoch + 1, logs.get(key), logs.get(f"val_{key}"))

    def set_history(self, history: dict[str, list[float]]) -> None:
        """Show a model card's ``history``."""
        for plot, key in self._keyed():
            plot.set_history(history.get(key, []), history.get(f"val_{key}", []))

    def mark_best_epoch(self, epoch: int | None) -> None:
        """Mark epoch ``epoch`` (counting from 1) on both plots, or none."""
        for plot in self.plots():
            plot.mark_best_epoch(epoch)

    def has_data(self) -> bool:
        return any(plot.has_data() for plot in self.plots())

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
