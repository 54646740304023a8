"""One array drawn as the view inside the model draws it: a grid of small maps, a grid of cells or
a row of bars. Laid out for a width, painted with ``QPainter`` from one ``QImage`` per picture
(built from the numbers only when it is painted after a change): thousands of values, no widgets.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPalette, QPen

from digitpad.ui.inside.colours import ColourScale

MAP_GAP = 3.0
"""Screen pixels between two maps."""
CELL_MAX = 22.0
"""The largest cell of a vector: 128 units fill 352 x 176 px at most."""
BARS_HEIGHT = 64.0
"""The bars' height, above their labels."""
_MAX_BARS = 16
"""A vector this short at the end of a model is its answer, drawn as bars; longer, as cells."""
_BAR_STOPS = 17


class Kind(enum.Enum):
    MAPS = "maps"
    """(h, w, c): one small map per channel; (h, w): one map."""
    CELLS = "cells"
    """(n,): a grid of cells, square for a square number (784 as 28 x 28), else twice as wide as
    tall (128 as 16 x 8)."""
    BARS = "bars"
    """(n,): a bar per value in [0, 1] (the softmax)."""
    LISTED = "listed"
    """Any other shape: named, not drawn."""


def kind_of(shape: Sequence[int], last: bool = False) -> Kind:
    """How an output of ``shape`` is drawn; ``last``: it is the model's answer."""
    if len(shape) in (2, 3):
        return Kind.MAPS
    if len(shape) == 1:
        return Kind.BARS if last and shape[0] <= _MAX_BARS else Kind.CELLS
    return Kind.LISTED


def grid_columns(count: int, square: bool) -> int:
    """Columns for ``count`` items: a square for a square number when ``square``, else about
    twice as many columns as rows, dividing ``count`` evenly where a divisor is near."""
    root = math.isqrt(count)
    if square and root * root == count:
        return root
    target = max(1, math.ceil(math.sqrt(2 * count)))
    for columns in range(target, min(count, 2 * target) + 1):
        if count % columns == 0:
            return columns
    return min(count, target)


@dataclass(frozen=True)
class Grid:
    """Where each of ``count`` items goes, row by row, from the top left."""

    count: int
    columns: int
    item_width: float
    item_height: float
    gap: float

    @property
    def rows(self) -> int:
        return math.ceil(self.count / self.columns) if self.count else 0

    @property
    def width(self) -> float:
        return self.columns * self.item_width + (self.columns - 1) * self.gap

    @property
    def height(self) -> float:
        return self.rows * self.item_height + max(0, self.rows - 1) * self.gap

    def rect(self, index: int) -> QRectF:
        row, column = divmod(index, self.columns)
        return QRectF(column * (self.item_width + self.gap), row * (self.item_height + self.gap),
                      self.item_width, self.item_height)

    def at(self, point: QPointF) -> int | None:
        """The item under ``point`` (relative to the grid's top left), or None."""
        column = math.floor(point.x() / (self.item_width + self.gap))
        row = math.floor(point.y() / (self.item_height + self.gap))
        index = row * self.columns + column
        if 0 <= column < self.columns and row >= 0 and index < self.count and self.rect(
                index).contains(point):
            return index
        return None


def _fit(count: int, aspect: float, columns: int, width: float, max_height: float,
         max_item: float, gap: float) -> Grid:
    """``count`` items of ``aspect`` (height / width) in ``columns``, as large as ``width``,
    ``max_height`` and ``max_item`` (an item's width) allow."""
    rows = math.ceil(count / columns)
    item = min((width - gap * (columns - 1)) / columns, max_item,
               (max_height - gap * (rows - 1)) / rows / aspect)
    item = max(item, 1.0)
    return Grid(count, columns, item, item * aspect, gap)


def _filling(count: int, aspect: float, width: float, max_height: float, max_item: float,
             gap: float) -> Grid:
    """The grid whose items are largest in the room; full rows (64 as 8 x 8) unless a ragged
    last row makes them a fifth larger."""
    grids = [_fit(count, aspect, columns, width, max_height, max_item, gap)
             for columns in range(1, count + 1)]
    best = max(grids, key=lambda grid: grid.item_width)
    even = max((grid for grid in grids if count % grid.columns == 0),
               key=lambda grid: grid.item_width)
    return even if even.item_width * 1.2 >= best.item_width else best


class Picture:
    """One array drawn as its :class:`Kind` says; :meth:`layout` it for a width, then
    :meth:`paint` it. ``labels`` name the bars."""

    def __init__(self, shape: Sequence[int], kind: Kind, labels: Sequence[str] = ()) -> None:
        self.shape = tuple(shape)
        self.kind = kind
        self.labels = tuple(labels)
        self._values: np.ndarray | None = None
        self._scale: ColourScale | None = None
        self._image: QImage | None = None
        self.grid: Grid | None = None

    @property
    def values(self) -> np.ndarray | None:
        return self._values

    @property
    def scale(self) -> ColourScale | None:
        """The colour scale of the values shown (their range), None without values."""
        return self._scale

    def units(self) -> int:
        """How many items the picture has: maps, cells or bars."""
        if self.kind is Kind.MAPS:
            return self.shape[2] if len(self.shape) == 3 else 1
        return math.prod(self.shape)

    def set_values(self, values: np.ndarray | None) -> None:
        """Show ``values`` (shaped as the picture; None: nothing)."""
        self._values = None if values is None else np.asarray(values, np.float32)
        self._scale = None if self._values is None else ColourScale.of(self._values)
        self._image = None

    def layout(self, width: float, max_height: float, max_item: float,
               fill: bool = False) -> float:
        """Lay the picture out in ``width``, at most ``max_height`` tall and each map or cell at
        most ``max_item`` wide; returns its height. Maps are in the usual grid, or with ``fill``
        in the columns that make them largest in the room (the same room for any layer)."""
        count = self.units()
        if self.kind is Kind.MAPS:
            aspect, gap = self.shape[0] / self.shape[1], MAP_GAP if count > 1 else 0.0
            if fill:
                self.grid = _filling(count, aspect, width, max_height, max_item, gap)
            else:
                self.grid = _fit(count, aspect, grid_columns(count, square=False), width,
                                 max_height, max_item, gap)
        elif self.kind is Kind.CELLS:
            self.grid = _fit(count, 1.0, grid_columns(count, square=True), width, max_height,
                             min(max_item, CELL_MAX), 0.0)
        elif self.kind is Kind.BARS:
            slot = width / max(count, 1)
            self.grid = Grid(count, max(count, 1), slot, BARS_HEIGHT, 0.0)
            return BARS_HEIGHT
        else:
            self.grid = None
            return 0.0
        return self.grid.height

    def unit_at(self, point: QPointF) -> int | None:
        """The map, cell or bar under ``point`` (relative to the picture's top left)."""
        if self.grid is None:
            return None
        if self.kind is Kind.BARS:
            if not 0 <= point.y() <= self.grid.height:
                return None
            column = math.floor(point.x() / self.grid.item_width)
            return column if 0 <= column < self.grid.count else None
        return self.grid.at(point)

    def unit_rect(self, unit: int) -> QRectF | None:
        return None if self.grid is None else self.grid.rect(unit)

    def paint(self, painter: QPainter, origin: QPointF, palette: QPalette,
              selected: int | None = None) -> None:
        """Paint at ``origin`` (the top left), as laid out; ``selected`` gets a frame."""
        grid = self.grid
        if grid is None:
            return
        painter.save()
        painter.translate(origin)
        if self.kind is Kind.BARS:
            self._paint_bars(painter, grid, palette, selected)
        else:
            self._paint_grid(painter, grid, palette)
            if selected is not None and 0 <= selected < grid.count:
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2.0))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(grid.rect(selected).adjusted(-1.5, -1.5, 1.5, 1.5))
        painter.restore()

    def _paint_grid(self, painter: QPainter, grid: Grid, palette: QPalette) -> None:
        empty = palette.color(QPalette.ColorRole.Mid)
        empty.setAlpha(50)
        if self._values is None or self._scale is None:
            if self.kind is Kind.MAPS:
                for index in range(grid.count):
                    painter.fillRect(grid.rect(index), empty)
            else:
                painter.fillRect(QRectF(0, 0, grid.width, grid.height), empty)
            return
        if self._image is None:
            self._image = self._make_image(self._values, self._scale, grid)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        if self.kind is Kind.CELLS:  # one image, a pixel per cell
            painter.drawImage(QRectF(0, 0, grid.columns * grid.item_width,
                                     grid.rows * grid.item_height), self._image)
            return
        height, width = self.shape[0], self.shape[1]
        for index in range(grid.count):  # the maps stacked in one image, one above the other
            painter.drawImage(grid.rect(index), self._image,
                              QRectF(0, index * height, width, height))

    def _make_image(self, values: np.ndarray, scale: ColourScale, grid: Grid) -> QImage:
        if self.kind is Kind.CELLS:
            flat = np.zeros(grid.rows * grid.columns, np.uint32)  # transparent past the end
            flat[: values.size] = scale.colours(values.reshape(-1))
            argb = flat.reshape(grid.rows, grid.columns)
        else:
            maps = values if values.ndim == 3 else values[..., None]
            argb = scale.colours(np.moveaxis(maps, -1, 0).reshape(-1, maps.shape[1]))
        argb = np.ascontiguousarray(argb)
        rows, columns = argb.shape
        return QImage(argb.data, columns, rows, 4 * columns,
                      QImage.Format.Format_ARGB32).copy()

    def _paint_bars(self, painter: QPainter, grid: Grid, palette: QPalette,
                    selected: int | None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        values = (np.zeros(grid.count) if self._values is None
                  else np.clip(self._values.reshape(-1), 0.0, 1.0))
        leader = int(np.argmax(values)) if values.any() else None
        track = palette.color(QPalette.ColorRole.Mid)
        track.setAlpha(60)
        metrics = painter.fontMetrics()
        for index in range(grid.count):
            slot = grid.rect(index)
            bar = QRectF(slot.center().x() - min(slot.width() * 0.3, 14.0), slot.top(),
                         min(slot.width() * 0.6, 28.0), slot.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            filled = bar.height() * float(values[index])
            if filled > 0.5:
                role = (QPalette.ColorRole.Highlight if index == leader
                        else QPalette.ColorRole.Mid)
                painter.setBrush(palette.color(role))
                painter.drawRoundedRect(QRectF(bar.left(), bar.bottom() - filled, bar.width(),
                                               filled), 3, 3)
            if index == selected:
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2.0))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(bar.adjusted(-2, -2, 2, 2), 4, 4)
            label = self.labels[index] if index < len(self.labels) else str(index)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(slot.left(), slot.bottom() + 2, slot.width(),
                                    metrics.height()),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight,
                                                int(slot.width())))


def paint_colour_bar(painter: QPainter, rect: QRectF, scale: ColourScale) -> None:
    """The colours of ``scale`` from its lowest value (left) to its highest (right)."""
    gradient = QLinearGradient(rect.topLeft(), rect.topRight())
    values = np.linspace(scale.low, scale.high, _BAR_STOPS, dtype=np.float32)
    for at, argb in zip(np.linspace(0.0, 1.0, _BAR_STOPS), scale.colours(values), strict=True):
        gradient.setColorAt(float(at), QColor.fromRgba(int(argb)))
    painter.fillRect(rect, gradient)
