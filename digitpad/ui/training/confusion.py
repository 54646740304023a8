"""The confusion matrix as a heat map: which digit the model took for which, with the counts.

Custom-painted: every count is written in its cell, the cells grow with the room they are given
(and never shrink below what their counts need), and the colours follow a rule the eye reads at
once. Blue cells on the diagonal are the images read right, deeper the larger their share of the
row; orange cells off it are mistakes, deeper the larger their share, and even a single mistake
is coloured so that it stands out from the empty cells. Blue against orange also holds for the
common kinds of colour blindness. A column on the right gives each row's share read right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.evaluation import Evaluation

RIGHT_COLOUR = QColor("#2f78c4")
"""The diagonal: read right."""
WRONG_COLOUR = QColor("#e0692b")
"""Off the diagonal: read wrong."""
FULL_ERROR_SHARE = 0.2
"""A fifth of a row read as one other digit is coloured fully: a model worth looking at has far
smaller shares, and a square root spreads those over the scale."""
EXPORT_SCALE = 2
"""Pixels per point of a saved picture: sharp on a high-resolution screen and in print."""


def cell_share(evaluation: Evaluation, row: int, column: int) -> float:
    """The cell's share of its row (the images of that true digit)."""
    total = int(evaluation.confusion[row].sum())
    return int(evaluation.confusion[row, column]) / total if total else 0.0


def describe_cell(evaluation: Evaluation, row: int, column: int) -> str:
    """A cell in words, as its tooltip says it."""
    count = int(evaluation.confusion[row, column])
    total = int(evaluation.confusion[row].sum())
    share = f" ({cell_share(evaluation, row, column):.1%})" if total else ""
    if row == column:
        return f"{row} read right: {count:,} of {total:,}{share}"
    return f"{row} read as {evaluation.answer_names[column]}: {count:,} of {total:,}{share}"


def _mix(base: QColor, colour: QColor, amount: float) -> QColor:
    amount = min(max(amount, 0.0), 1.0)
    return QColor.fromRgbF(*(b + (c - b) * amount for b, c in zip(
        (base.redF(), base.greenF(), base.blueF()),
        (colour.redF(), colour.greenF(), colour.blueF()), strict=True)))


def _is_dark(colour: QColor) -> bool:
    return 0.299 * colour.redF() + 0.587 * colour.greenF() + 0.114 * colour.blueF() < 0.58


@dataclass(frozen=True)
class _Grid:
    """Where everything goes, in the widget's coordinates."""

    left: float
    """The cells' left edge."""
    top: float
    cell_width: float
    cell_height: float
    columns: int
    heading_height: float
    """Of the "read as" line and the column names above the cells."""
    row_name_width: float
    share_width: float

    def cell(self, row: int, column: int) -> QRectF:
        return QRectF(self.left + column * self.cell_width, self.top + row * self.cell_height,
                      self.cell_width, self.cell_height)

    def width(self) -> float:
        return self.columns * self.cell_width

    def height(self) -> float:
        return NUM_CLASSES * self.cell_height


class ConfusionMatrix(QWidget):
    """One test set's confusion matrix: rows the true digit, columns what it was read as."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._evaluation: Evaluation | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Confusion matrix")

    def evaluation(self) -> Evaluation | None:
        return self._evaluation

    def set_evaluation(self, evaluation: Evaluation | None) -> None:
        self._evaluation = evaluation
        self.setAccessibleDescription(self._description())
        self.updateGeometry()
        self.update()

    def _description(self) -> str:
        if self._evaluation is None:
            return ""
        common = "; ".join(describe_cell(self._evaluation, row, column)
                           for row, column, _ in self._evaluation.confusions())
        return f"{self._evaluation.right:,} of {self._evaluation.samples:,} read right. {common}"

    # -- geometry ----------------------------------------------------------------------------

    def _columns(self) -> int:
        return self._evaluation.confusion.shape[1] if self._evaluation is not None else NUM_CLASSES

    def _least_cell(self, metrics: QFontMetricsF) -> QSize:
        widest = max(int(self._evaluation.confusion.max()) if self._evaluation else 0, 100)
        width = max(metrics.horizontalAdvance(str(widest)), metrics.horizontalAdvance("digit"))
        return QSize(math.ceil(width + 7), math.ceil(metrics.height() + 5))

    def _margins(self, metrics: QFontMetricsF) -> tuple[float, float, float]:
        """(left of the cells, above them, right of them)."""
        line = metrics.height()
        names = 2 if self._columns() > NUM_CLASSES else 1  # "not a / digit"
        left = line + 4 + metrics.horizontalAdvance("9") + 10
        top = line + 6 + names * line + 6
        right = metrics.horizontalAdvance("100.0%") + 14
        return left, top, right

    def _grid(self, area: QRectF) -> _Grid:
        metrics = QFontMetricsF(self.font())
        least = self._least_cell(metrics)
        left, top, right = self._margins(metrics)
        columns = self._columns()
        width = max(least.width(), min((area.width() - left - right) / columns,
                                       2.2 * least.width()))
        height = max(least.height(), min((area.height() - top) / NUM_CLASSES, width))
        used = left + columns * width + right
        x = area.left() + max(0.0, (area.width() - used) / 2)
        y = area.top() + max(0.0, (area.height() - top - NUM_CLASSES * height) / 2)
        return _Grid(x + left, y + top, width, height, columns, top, left, right)

    def _size_for(self, widen: float) -> QSize:
        metrics = QFontMetricsF(self.font())
        least = self._least_cell(metrics)
        left, top, right = self._margins(metrics)
        return QSize(math.ceil(left + self._columns() * least.width() * widen + right),
                     math.ceil(top + NUM_CLASSES * least.height() * widen))

    def minimumSizeHint(self) -> QSize:
        return self._size_for(1.0)

    def sizeHint(self) -> QSize:
        return self._size_for(1.3)

    def cell_rect(self, row: int, column: int) -> QRectF:
        """Where the cell of true ``row`` read as ``column`` is painted."""
        return self._grid(QRectF(self.rect())).cell(row, column)

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        if self._evaluation is None:
            return None
        grid = self._grid(QRectF(self.rect()))
        column = math.floor((point.x() - grid.left) / grid.cell_width)
        row = math.floor((point.y() - grid.top) / grid.cell_height)
        if 0 <= row < NUM_CLASSES and 0 <= column < grid.columns:
            return row, column
        return None

    def cell_text(self, row: int, column: int) -> str:
        """The count written in a cell (without a thousands separator: the cells stay narrow
        enough for eleven columns beside the curves)."""
        if self._evaluation is None:
            return ""
        return str(int(self._evaluation.confusion[row, column]))

    # -- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._paint(painter, QRectF(self.rect()))
        painter.end()

    def _paint(self, painter: QPainter, area: QRectF) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        faint = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.font())
        evaluation = self._evaluation
        if evaluation is None:
            painter.setPen(faint)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No results yet")
            return
        grid = self._grid(area)
        metrics = QFontMetricsF(self.font())
        line = metrics.height()
        centre = Qt.AlignmentFlag.AlignCenter

        # Axis titles: "read as" over the columns, "true digit" up the row names.
        painter.setPen(faint)
        painter.drawText(QRectF(grid.left, grid.top - grid.heading_height, grid.width(), line),
                         centre, "read as")
        painter.save()
        painter.translate(grid.left - grid.row_name_width + line / 2,
                          grid.top + grid.height() / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-grid.height() / 2, -line / 2, grid.height(), line), centre,
                         "true digit")
        painter.restore()

        names_top = grid.top - grid.heading_height + line + 6
        names = QRectF(0, names_top, grid.cell_width, grid.top - names_top - 4)
        painter.setPen(text)
        for column, name in enumerate(evaluation.answer_names):
            names.moveLeft(grid.left + column * grid.cell_width)
            painter.drawText(names, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
                             | Qt.TextFlag.TextWordWrap, name)
        share_left = grid.left + grid.width() + 8
        painter.setPen(faint)
        painter.drawText(QRectF(share_left, names_top, grid.share_width - 8,
                                grid.top - names_top - 4),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, "right")

        base = palette.color(QPalette.ColorRole.Base)
        empty = _mix(base, palette.color(QPalette.ColorRole.Mid), 0.12)
        bold = QFont(self.font())
        bold.setBold(True)
        for row in range(NUM_CLASSES):
            cell = grid.cell(row, 0)
            painter.setFont(self.font())
            painter.setPen(text)
            painter.drawText(QRectF(grid.left - grid.row_name_width, cell.top(),
                                    grid.row_name_width - 6, cell.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             str(row))
            for column in range(grid.columns):
                self._paint_cell(painter, grid.cell(row, column), row, column, base, empty,
                                 bold, faint)
            total = int(evaluation.confusion[row].sum())
            painter.setFont(self.font())
            painter.setPen(faint)
            painter.drawText(QRectF(share_left, cell.top(), grid.share_width - 8, cell.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{cell_share(evaluation, row, row):.1%}" if total else "—")

    def _paint_cell(self, painter: QPainter, rect: QRectF, row: int, column: int, base: QColor,
                    empty: QColor, bold: QFont, faint: QColor) -> None:
        assert self._evaluation is not None
        count = int(self._evaluation.confusion[row, column])
        share = cell_share(self._evaluation, row, column)
        if row == column and count:
            fill = _mix(base, RIGHT_COLOUR, 0.2 + 0.8 * share)
        elif count:
            fill = _mix(base, WRONG_COLOUR,
                        0.22 + 0.78 * min(1.0, math.sqrt(share / FULL_ERROR_SHARE)))
        else:
            fill = empty
        inner = rect.adjusted(1, 1, -1, -1)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(inner, 3, 3)
        if count:
            painter.setFont(bold if row == column else self.font())
            painter.setPen(QColor("white") if _is_dark(fill) else QColor("#1b1b1b"))
        else:
            painter.setFont(self.font())
            painter.setPen(faint)
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, str(count))

    # -- tooltips and pictures ---------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            cell = self.cell_at(QPointF(event.pos()))
            if cell is not None and self._evaluation is not None:
                QToolTip.showText(event.globalPos(), describe_cell(self._evaluation, *cell),
                                  self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def export_size(self) -> QSize:
        """The size of :meth:`image`, in points: the matrix at its preferred size, and a title
        line above it."""
        hint = self.sizeHint()
        return QSize(hint.width(), hint.height() + math.ceil(QFontMetricsF(self.font()).height()
                                                             * 2))

    def image(self) -> QImage:
        """The matrix with the test set's name and figures above it, at
        :data:`EXPORT_SCALE` pixels per point."""
        size = self.export_size()
        image = QImage(size * EXPORT_SCALE, QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(EXPORT_SCALE)
        image.fill(self.palette().color(QPalette.ColorRole.Base))
        painter = QPainter(image)
        title_height = QFontMetricsF(self.font()).height() * 2
        if self._evaluation is not None:
            bold = QFont(self.font())
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(8, 0, size.width() - 16, title_height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{self._evaluation.title}: {self._evaluation.samples:,} images, "
                             f"{figures_text(self._evaluation)}")
        self._paint(painter, QRectF(0, title_height, size.width(), size.height() - title_height))
        painter.end()
        return image


def figures_text(evaluation: Evaluation) -> str:
    """"9,870 read right (98.70%)"."""
    return f"{evaluation.right:,} read right ({evaluation.accuracy:.2%})"
