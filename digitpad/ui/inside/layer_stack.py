"""Every layer of the model, top to bottom, as one painted widget: each named and shaped as the
model's summary lists it, its output drawn under it with its colour range.

One widget for all of them (not a widget per map): an update is a list of arrays and one
repaint, and only the rows in view are painted (a scroll area shows a part of it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from digitpad.ui.inside.colours import format_value
from digitpad.ui.inside.pictures import Kind, Picture, paint_colour_bar

MARGIN = 10
"""Screen pixels left and right of the rows."""
ROW_SPACING = 18
MAX_PICTURE_HEIGHT = 230
"""No layer's picture is taller: 32 maps of 28 x 28 fit, and a screen shows two layers or more."""
MAX_MAP_WIDTH = 56
"""A map's largest size among many: two screen pixels per pixel of a 28 x 28 map."""
MAX_SINGLE_MAP_WIDTH = 112
"""A layer of one map (the drawing) gets four screen pixels per pixel: nothing crowds it."""
_COLOUR_BAR = QSize(56, 8)


@dataclass
class Row:
    """One layer (or the drawing itself) as the stack shows it."""

    title: str
    """"conv2d (Conv2D)", as the summary names it."""
    shape: str
    """"(None, 28, 28, 32)", as the summary shapes it."""
    note: str
    """Under the title: its activation function ("relu"), or what is drawn ("not drawn")."""
    picture: Picture


def unit_text(picture: Picture, unit: int) -> str:
    """A unit's value in words, for its tooltip: "map 5: up to 1.23", "unit 17: 0.532"."""
    values = picture.values
    label = picture.labels[unit] if unit < len(picture.labels) else str(unit)
    if picture.kind is Kind.MAPS:
        name = f"map {unit}"
        if values is None:
            return name
        channel = values[..., unit] if values.ndim == 3 else values
        low, high = format_value(float(channel.min())), format_value(float(channel.max()))
        return f"{name}: {low} to {high}"
    if picture.kind is Kind.BARS:
        return label if values is None else f"{label}: {float(values.reshape(-1)[unit]):.1%}"
    name = f"unit {unit}"
    return name if values is None else f"{name}: {format_value(float(values.reshape(-1)[unit]))}"


class LayerStack(QWidget):
    """The rows, each clickable: a click on a map, a cell or a bar selects that unit."""

    unit_clicked = Signal(int, int)
    """(row, unit)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._tops: list[float] = []
        self._laid_out_width = -1
        self._height = 0
        self._selected: tuple[int, int] | None = None
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName("Every layer's output")

    # -- what it shows -----------------------------------------------------------------------

    def rows(self) -> list[Row]:
        return list(self._rows)

    def set_rows(self, rows: Sequence[Row]) -> None:
        self._rows = list(rows)
        self._selected = None
        self._laid_out_width = -1
        self.updateGeometry()
        self.update()

    def set_values(self, values: Sequence[np.ndarray | None]) -> None:
        """Each row's values, in order (None: that row is empty)."""
        for row, value in zip(self._rows, values, strict=True):
            row.picture.set_values(value)
        self.update()

    def select(self, row: int | None, unit: int = 0) -> None:
        """Frame unit ``unit`` of row ``row`` (None: frame nothing)."""
        self._selected = None if row is None else (row, unit)
        self.update()

    def selected(self) -> tuple[int, int] | None:
        return self._selected

    def row_rect(self, row: int) -> QRectF:
        """Where row ``row`` is, title to picture."""
        self._ensure_layout()
        bottom = self._tops[row + 1] - ROW_SPACING if row + 1 < len(self._tops) else self._height
        return QRectF(0, self._tops[row], self.width(), bottom - self._tops[row])

    def unit_rect(self, row: int, unit: int) -> QRectF | None:
        """Where unit ``unit`` of row ``row`` is drawn (for a click), or None if it is not."""
        self._ensure_layout()
        rect = self._rows[row].picture.unit_rect(unit)
        return None if rect is None else rect.translated(self._picture_origin(row))

    # -- size ----------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(420, self.heightForWidth(420))

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if width != self._laid_out_width:
            self._layout(width)
        return self._height

    def _ensure_layout(self) -> None:
        if self.width() != self._laid_out_width:
            self._layout(self.width())

    def _layout(self, width: int) -> None:
        line = self.fontMetrics().height()
        inner = max(width - 2 * MARGIN, 40)
        self._tops, y = [], 0.0
        for row in self._rows:
            self._tops.append(y)
            y += 2 * line + 4
            single = row.picture.kind is Kind.MAPS and row.picture.units() == 1
            y += row.picture.layout(inner, MAX_PICTURE_HEIGHT,
                                    MAX_SINGLE_MAP_WIDTH if single else MAX_MAP_WIDTH)
            if row.picture.kind is Kind.BARS:
                y += line + 2
            y += ROW_SPACING
        self._height = int(y)
        self._laid_out_width = width

    def _picture_origin(self, row: int) -> QPointF:
        picture = self._rows[row].picture
        width = picture.grid.width if picture.grid is not None else 0.0
        left = max(MARGIN, (self.width() - width) / 2)
        return QPointF(left, self._tops[row] + 2 * self.fontMetrics().height() + 4)

    # -- painting and clicks -------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout(self.width())

    def paintEvent(self, event: QPaintEvent) -> None:
        self._ensure_layout()
        painter = QPainter(self)
        palette = self.palette()
        exposed = QRectF(event.rect())
        for index, row in enumerate(self._rows):
            rect = self.row_rect(index)
            if rect.intersects(exposed):
                self._paint_row(painter, palette, index, row, rect)
        painter.end()

    def _paint_row(self, painter: QPainter, palette: QPalette, index: int, row: Row,
                   rect: QRectF) -> None:
        line = self.fontMetrics().height()
        text = QRectF(MARGIN, rect.top(), rect.width() - 2 * MARGIN, line)
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         row.title)
        painter.setFont(self.font())
        faint = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(faint)
        painter.drawText(text, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         row.shape)
        second = text.translated(0, line)
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         row.note)
        scale = row.picture.scale
        if scale is not None and row.picture.kind in (Kind.MAPS, Kind.CELLS):
            words = scale.text()
            width = self.fontMetrics().horizontalAdvance(words)
            painter.drawText(second, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             words)
            bar = QRectF(second.right() - width - 6 - _COLOUR_BAR.width(),
                         second.center().y() - _COLOUR_BAR.height() / 2, _COLOUR_BAR.width(),
                         _COLOUR_BAR.height())
            paint_colour_bar(painter, bar, scale)
        selected = self._selected[1] if self._selected and self._selected[0] == index else None
        row.picture.paint(painter, self._picture_origin(index), palette, selected)

    def _unit_at(self, point: QPointF) -> tuple[int, int] | None:
        self._ensure_layout()
        for index, row in enumerate(self._rows):
            if self.row_rect(index).contains(point):
                unit = row.picture.unit_at(point - self._picture_origin(index))
                return None if unit is None else (index, unit)
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self._unit_at(event.position())
        if hit is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.select(*hit)
        self.unit_clicked.emit(*hit)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self._unit_at(QPointF(event.pos()))
            if hit is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(),
                                  unit_text(self._rows[hit[0]].picture, hit[1]), self)
            return True
        return super().event(event)
