"""The My Samples grid: a list model over the stored samples, a filter, and a painted cell.

The model keeps plain arrays (ids, labels, the 28x28 model inputs, the current model's guesses),
newest sample first: thousands of samples are a few MB, and a repaint touches only the cells on
screen. Reloading after a change applies the difference row by row, so the selection and the
scroll position survive a delete or an import.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from digitpad.ml.digits import FRAME_SIZE, to_model_input, to_pixels
from digitpad.samples import SampleArrays, SampleNotFoundError, SampleStore, StoreError

ID_ROLE = Qt.ItemDataRole.UserRole + 1
LABEL_ROLE = Qt.ItemDataRole.UserRole + 2
GUESS_ROLE = Qt.ItemDataRole.UserRole + 3
"""The current model's digit, or None while it has not answered."""
CONFIDENCE_ROLE = Qt.ItemDataRole.UserRole + 4
INK_ROLE = Qt.ItemDataRole.UserRole + 5
"""The model input as a 28x28 alpha mask (QImage.Format_Alpha8): ink where the model saw ink."""

RIGHT_COLOUR = QColor("#2e7d32")
WRONG_COLOUR = QColor("#c62828")
NO_GUESS = -1

AnyIndex = QModelIndex | QPersistentModelIndex


class SampleListModel(QAbstractListModel):
    """The stored samples, newest first, with what the current model reads for each."""

    def __init__(self, store: SampleStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._ids = np.zeros(0, np.int64)
        self._labels = np.zeros(0, np.uint8)
        self._pixels = np.zeros((0, FRAME_SIZE, FRAME_SIZE), np.uint8)
        self._guesses = np.zeros(0, np.int8)
        self._confidences = np.zeros(0, np.float32)
        self._rows: dict[int, int] | None = None

    # -- reading the store -------------------------------------------------------------------

    def reload(self) -> None:
        """Bring the rows in line with the store: removed, added and relabelled samples.

        Raises :class:`StoreError` if the store cannot be read (the rows stay as they were).
        """
        arrays = self._store.arrays()
        fresh = SampleArrays(arrays.ids[::-1], arrays.images[::-1], arrays.labels[::-1])
        gone = ~np.isin(self._ids, fresh.ids)
        for start, stop in reversed(list(_runs(gone))):
            self.beginRemoveRows(QModelIndex(), start, stop - 1)
            self._delete_rows(slice(start, stop))
            self.endRemoveRows()
        new = ~np.isin(fresh.ids, self._ids)
        for start, stop in _runs(new):
            self.beginInsertRows(QModelIndex(), start, stop - 1)
            self._insert_rows(start, fresh, slice(start, stop))
            self.endInsertRows()
        relabelled = np.flatnonzero(self._labels != fresh.labels)
        if len(relabelled):
            self._labels = fresh.labels.copy()
            self.dataChanged.emit(self.index(int(relabelled[0])), self.index(int(relabelled[-1])),
                                  [LABEL_ROLE, Qt.ItemDataRole.DisplayRole])

    def _delete_rows(self, rows: slice) -> None:
        keep = np.ones(len(self._ids), bool)
        keep[rows] = False
        self._ids, self._labels = self._ids[keep], self._labels[keep]
        self._pixels = self._pixels[keep]
        self._guesses, self._confidences = self._guesses[keep], self._confidences[keep]
        self._rows = None

    def _insert_rows(self, at: int, fresh: SampleArrays, rows: slice) -> None:
        count = rows.stop - rows.start
        pixels = to_pixels(fresh.images[rows])
        self._ids = np.insert(self._ids, at, fresh.ids[rows])
        self._labels = np.insert(self._labels, at, fresh.labels[rows])
        self._pixels = np.insert(self._pixels, at, pixels, axis=0)
        self._guesses = np.insert(self._guesses, at, np.full(count, NO_GUESS, np.int8))
        self._confidences = np.insert(self._confidences, at, np.zeros(count, np.float32))
        self._rows = None

    # -- the current model's guesses ---------------------------------------------------------

    def missing_guesses(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, model inputs as float32 in [0, 1]) of the samples the model has not read yet,
        in row order so that the top of the grid is answered first."""
        rows = np.flatnonzero(self._guesses == NO_GUESS)
        return self._ids[rows], to_model_input(self._pixels[rows])

    def set_guesses(self, ids: np.ndarray, digits: np.ndarray, confidences: np.ndarray) -> None:
        """Record the current model's answers; ids no longer shown are ignored."""
        if self._rows is None:
            self._rows = {int(sample_id): row for row, sample_id in enumerate(self._ids)}
        found = [(self._rows.get(int(i)), d, c) for i, d, c in zip(ids, digits, confidences,
                                                                strict=True)]
        rows = [row for row, _, _ in found if row is not None]
        if not rows:
            return
        for row, digit, confidence in found:
            if row is not None:
                self._guesses[row] = digit
                self._confidences[row] = confidence
        self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)),
                              [GUESS_ROLE, CONFIDENCE_ROLE, Qt.ItemDataRole.ToolTipRole])

    def forget_guesses(self) -> None:
        """Another model is in use: every guess has to be asked again."""
        self._guesses[:] = NO_GUESS
        if len(self._ids):
            self.dataChanged.emit(self.index(0), self.index(len(self._ids) - 1),
                                  [GUESS_ROLE, CONFIDENCE_ROLE, Qt.ItemDataRole.ToolTipRole])

    # -- what the window asks ----------------------------------------------------------------

    def counts(self) -> np.ndarray:
        """Samples per digit, (10,)."""
        return np.bincount(self._labels, minlength=10)

    def guess_summary(self) -> tuple[int, int]:
        """(read right, read at all) by the current model."""
        read = self._guesses != NO_GUESS
        return int((self._guesses[read] == self._labels[read]).sum()), int(read.sum())

    def label_at(self, row: int) -> int:
        return int(self._labels[row])

    def guess_at(self, row: int) -> int | None:
        guess = int(self._guesses[row])
        return None if guess == NO_GUESS else guess

    # -- QAbstractListModel ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row = index.row()
        if role in (Qt.ItemDataRole.DisplayRole, LABEL_ROLE):
            return int(self._labels[row]) if role == LABEL_ROLE else str(self._labels[row])
        if role == ID_ROLE:
            return int(self._ids[row])
        if role == GUESS_ROLE:
            return self.guess_at(row)
        if role == CONFIDENCE_ROLE:
            return float(self._confidences[row]) if self.guess_at(row) is not None else None
        if role == INK_ROLE:
            return _alpha_image(self._pixels[row])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._describe(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._accessible_text(row)
        return None

    def _accessible_text(self, row: int) -> str:
        guess = self.guess_at(row)
        if guess is None:
            return f"{self._labels[row]}"
        verdict = "read right" if guess == self._labels[row] else f"read as {guess}"
        return f"{self._labels[row]}, {verdict}"

    def _describe(self, row: int) -> str:
        """Tooltip: when it was kept, what the model said then, what the current one says."""
        try:
            sample = self._store.get(int(self._ids[row]))
        except (SampleNotFoundError, StoreError):
            return ""
        lines = [f"A {sample.label}, kept {_when(sample.created)}"]
        if sample.predicted is not None and sample.confidence is not None:
            model = f" ({sample.model})" if sample.model else ""
            lines.append(f"Then the model{model} read {sample.predicted} "
                         f"({sample.confidence:.0%} sure)")
        guess = self.guess_at(row)
        if guess is not None:
            lines.append(f"The current model reads {guess} ({self._confidences[row]:.0%} sure)")
        return "\n".join(lines)


class SampleFilter(QSortFilterProxyModel):
    """Shows one digit (or all), optionally only the samples the current model misreads."""

    def __init__(self, source: SampleListModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._digit: int | None = None
        self._misread_only = False
        self.setSourceModel(source)
        self.setDynamicSortFilter(True)

    def digit(self) -> int | None:
        return self._digit

    def set_digit(self, digit: int | None) -> None:
        self.beginFilterChange()
        self._digit = digit
        self.endFilterChange()

    def set_misread_only(self, misread_only: bool) -> None:
        self.beginFilterChange()
        self._misread_only = misread_only
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        label = self._source.label_at(source_row)
        if self._digit is not None and label != self._digit:
            return False
        if self._misread_only:
            guess = self._source.guess_at(source_row)
            return guess is not None and guess != label
        return True


class SampleDelegate(QStyledItemDelegate):
    """A card per sample: the ink the model saw, the label, and a tick or the model's misreading."""

    CELL = QSize(92, 108)
    THUMBNAIL = 64

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return self.CELL

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        palette = option.palette  # type: ignore[attr-defined]
        rect: QRect = option.rect  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        selected = bool(state & QStyle.StateFlag.State_Selected)
        current = bool(state & QStyle.StateFlag.State_HasFocus)  # where the arrow keys are
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(rect).adjusted(4, 4, -4, -4)
        # The application's Base: the view's own is styled to the window colour behind the cards.
        background = QGuiApplication.palette().color(QPalette.ColorRole.Base)
        border = palette.color(QPalette.ColorRole.Midlight)
        if selected:
            tint = palette.color(QPalette.ColorRole.Highlight)
            tint.setAlpha(45)
            border = palette.color(QPalette.ColorRole.Highlight)
        if current:
            border = palette.color(QPalette.ColorRole.Highlight)
        painter.setPen(QPen(border, 2.5 if current else 1.0))
        painter.setBrush(background)
        painter.drawRoundedRect(card, 9, 9)
        if selected:
            painter.setBrush(tint)
            painter.drawRoundedRect(card, 9, 9)

        ink = index.data(INK_ROLE)
        if isinstance(ink, QImage):
            side = self.THUMBNAIL
            target = QRect(round(card.center().x() - side / 2), round(card.top()) + 4, side, side)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, _tinted(ink, palette.color(QPalette.ColorRole.Text)))

        line = QRectF(card.left() + 9, card.bottom() - 28, card.width() - 18, 24)
        label_font = QFont(option.font)  # type: ignore[attr-defined]
        label_font.setPointSizeF(label_font.pointSizeF() * 1.25)
        label_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(label_font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         str(index.data(LABEL_ROLE)))
        guess = index.data(GUESS_ROLE)
        painter.setFont(option.font)  # type: ignore[attr-defined]
        if guess is None:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            mark = "\N{HORIZONTAL ELLIPSIS}"
        elif guess == index.data(LABEL_ROLE):
            painter.setPen(RIGHT_COLOUR)
            mark = "\N{CHECK MARK}"
        else:
            painter.setPen(WRONG_COLOUR)
            mark = f"\N{BALLOT X} read {guess}"
        painter.drawText(line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, mark)
        painter.restore()


def _runs(mask: np.ndarray) -> Iterator[tuple[int, int]]:
    """(start, stop) of each run of True in ``mask``, in order."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    yield from zip(starts.tolist(), stops.tolist(), strict=True)


def _alpha_image(pixels: np.ndarray) -> QImage:
    data = np.ascontiguousarray(pixels)
    return QImage(data.data, FRAME_SIZE, FRAME_SIZE, FRAME_SIZE,
                  QImage.Format.Format_Alpha8).copy()


def _tinted(mask: QImage, colour: QColor) -> QImage:
    """``mask``'s alpha filled with ``colour``: the model's ink in the palette's text colour."""
    image = QImage(mask.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(colour)
    painter = QPainter(image)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
    painter.drawImage(0, 0, mask)
    painter.end()
    return image


def _when(created: datetime) -> str:
    return f"{created.astimezone():%d %b %Y, %H:%M}"
