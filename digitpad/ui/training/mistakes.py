"""The images a model read wrong: thumbnails captioned "label → answer", the most confident
mistake first, and the one chosen enlarged beside what the model said of it.

The thumbnails are the 28x28 model inputs as the model saw them (white ink on black), scaled by
whole pixels without smoothing, as the main window's preview shows a drawing. The model's outputs
are bars, one per output: ten digits, or twelve for a model that knows a crossed 7 and "not a
digit", so that the user sees which output the answer came from.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QIcon,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from digitpad.ml.digits import FRAME_SIZE, NUM_CLASSES, to_model_input
from digitpad.ml.evaluation import ANSWER_NAMES, NOT_A_DIGIT_ANSWER, Evaluation, Mistake
from digitpad.ml.outputs import CROSSED_SEVEN, NOT_A_DIGIT
from digitpad.ml.why import Why
from digitpad.ui.pad.preview import ModelInputPreview
from digitpad.ui.pad.why_digit import legend_text
from digitpad.ui.training.confusion import EXPORT_SCALE, RIGHT_COLOUR, WRONG_COLOUR

THUMBNAIL_ZOOM = 2
"""Screen pixels per model pixel in the gallery: 56-pixel thumbnails, a few dozen in view."""
DETAIL_ZOOM = 4
"""The chosen mistake's image: 112 pixels, beside its outputs' bars."""
SHEET_COLUMNS = 10
"""Thumbnails per row of a saved picture of the mistakes."""
MISTAKE_ROLE = Qt.ItemDataRole.UserRole + 1


def caption(mistake: Mistake) -> str:
    """A thumbnail's caption: "4 → 9", "3 → no digit"."""
    answer = "no digit" if mistake.answer == NOT_A_DIGIT_ANSWER else str(mistake.answer)
    return f"{mistake.label} → {answer}"


def describe(mistake: Mistake) -> str:
    return (f"Labelled {mistake.label}, read as {ANSWER_NAMES[mistake.answer]} "
            f"({mistake.confidence:.1%} sure)")


def digit_image(mistake: Mistake) -> QImage:
    """The 28x28 model input as a grey-level picture, white ink on black."""
    pixels = np.ascontiguousarray(mistake.image)
    return QImage(pixels.data, FRAME_SIZE, FRAME_SIZE, FRAME_SIZE,
                  QImage.Format.Format_Grayscale8).copy()


def _thumbnail(mistake: Mistake) -> QPixmap:
    return QPixmap.fromImage(digit_image(mistake).scaled(
        FRAME_SIZE * THUMBNAIL_ZOOM, FRAME_SIZE * THUMBNAIL_ZOOM,
        Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation))


class MistakeGallery(QListWidget):
    """The mistakes of one test set as thumbnails; choosing one emits ``mistake_chosen``."""

    mistake_chosen = Signal(object)
    """The Mistake the user chose (the first one when a set is shown), or None for none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setWrapping(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setIconSize(QSize(FRAME_SIZE * THUMBNAIL_ZOOM, FRAME_SIZE * THUMBNAIL_ZOOM))
        self.setSpacing(2)
        self.setAccessibleName("Mistakes, most confident first")
        self.currentItemChanged.connect(self._on_current)
        self._update_grid()

    def _update_grid(self) -> None:
        metrics = QFontMetricsF(self.font())
        side = FRAME_SIZE * THUMBNAIL_ZOOM
        width = max(side + 14, metrics.horizontalAdvance("0 → no digit") + 12)
        self.setGridSize(QSize(math.ceil(width), math.ceil(side + metrics.height() + 14)))

    def set_evaluation(self, evaluation: Evaluation | None) -> None:
        """Show the mistakes of ``evaluation`` and choose the first."""
        self.blockSignals(True)
        self.clear()
        for mistake in evaluation.mistakes if evaluation is not None else ():
            item = QListWidgetItem(QIcon(_thumbnail(mistake)), caption(mistake))
            item.setData(MISTAKE_ROLE, mistake)
            item.setToolTip(describe(mistake))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.addItem(item)
        self.blockSignals(False)
        if self.count():
            self.setCurrentRow(0)
        else:
            self.mistake_chosen.emit(None)

    def mistakes(self) -> list[Mistake]:
        return [self.item(row).data(MISTAKE_ROLE) for row in range(self.count())]

    def chosen(self) -> Mistake | None:
        item = self.currentItem()
        return item.data(MISTAKE_ROLE) if item is not None else None

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current(self, current: QListWidgetItem | None, previous: object) -> None:
        self.mistake_chosen.emit(current.data(MISTAKE_ROLE) if current is not None else None)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._update_grid()


class OutputBars(QWidget):
    """A row per model output: its name, a bar, its probability. The labelled digit's bar is
    blue, the wrong answer's orange (a twelve-output model's 7 is both sevens)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: tuple[str, ...] = ()
        self._values = np.zeros(0, np.float32)
        self._label: int | None = None
        self._answer: int | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("What the model said")

    def set_outputs(self, names: tuple[str, ...], values: np.ndarray, label: int | None = None,
                    answer: int | None = None) -> None:
        self._names = names
        self._values = np.asarray(values, dtype=np.float32)
        self._label = label
        self._answer = answer
        self.setToolTip(", ".join(f"{name}: {value:.1%}"
                                  for name, value in zip(names, self._values, strict=True)))
        self.updateGeometry()
        self.update()

    def names(self) -> tuple[str, ...]:
        return self._names

    def values(self) -> np.ndarray:
        return self._values.copy()

    def _rows(self) -> int:
        return max(len(self._names), NUM_CLASSES)

    def _row_height(self) -> float:
        """As much as there is room for, between tight and airy lines."""
        line = QFontMetricsF(self.font()).height()
        return min(max(self.height() / self._rows(), line + 1), line + 6)

    def sizeHint(self) -> QSize:
        return QSize(240, math.ceil((QFontMetricsF(self.font()).height() + 6) * self._rows()))

    def minimumSizeHint(self) -> QSize:
        return QSize(180, math.ceil((QFontMetricsF(self.font()).height() + 1) * self._rows()))

    def _answer_outputs(self) -> set[int]:
        if self._answer is None:
            return set()
        if self._answer == NOT_A_DIGIT_ANSWER:
            return {NOT_A_DIGIT}
        if self._answer == 7 and len(self._names) > NUM_CLASSES:
            return {7, CROSSED_SEVEN}
        return {self._answer}

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        track = QColor(palette.color(QPalette.ColorRole.Mid))
        track.setAlpha(60)
        others = palette.color(QPalette.ColorRole.Mid)
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetricsF(bold)  # the marked rows' names and values are bold
        name_width = max((metrics.horizontalAdvance(name) for name in self._names), default=0) + 10
        value_width = metrics.horizontalAdvance("100.0%") + 8
        row = self._row_height()
        bar_left = name_width
        bar_width = max(10.0, self.width() - name_width - value_width)
        wrong = self._answer_outputs()
        for index, (name, value) in enumerate(zip(self._names, self._values, strict=True)):
            top = index * row
            marked = index == self._label or index in wrong
            painter.setFont(bold if marked else self.font())
            painter.setPen(text)
            painter.drawText(QRectF(0, top, name_width - 8, row),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
            bar = QRectF(bar_left, top + 3, bar_width, row - 6)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            colour = RIGHT_COLOUR if index == self._label else WRONG_COLOUR if index in wrong \
                else others
            filled = float(np.clip(value, 0.0, 1.0)) * bar_width
            if filled >= 0.5:
                painter.setBrush(colour)
                painter.drawRoundedRect(QRectF(bar.left(), bar.top(), filled, bar.height()), 3, 3)
            painter.setPen(text)
            painter.drawText(QRectF(bar_left + bar_width + 6, top, value_width - 6, row),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             "<0.1%" if 0 < value < 0.0005 else f"{value:.1%}")
        painter.end()


class MistakeDetail(QWidget):
    """One mistake: its image enlarged, what it is and was read as, and the model's outputs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = ModelInputPreview()
        self.preview.set_zoom(DETAIL_ZOOM)
        self.preview.setToolTip("The 28 by 28 pixel picture the model read")
        self.title = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.title.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Room for its longest word: a narrower column would cut one.
        self.title.setMinimumWidth(math.ceil(
            QFontMetricsF(self.font()).horizontalAdvance("Labelled 0,") * 1.1))
        self.where = QLabel(wordWrap=True)
        self.where.setProperty("role", "note")
        self.why = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.why.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.bars = OutputBars()
        words = QVBoxLayout()
        words.setContentsMargins(0, 0, 0, 0)
        words.addWidget(self.title)
        words.addWidget(self.where)
        words.addWidget(self.why)
        words.addStretch(1)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(words, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.bars)
        layout.addStretch(1)
        self.show_mistake(None, None)

    def show_mistake(self, mistake: Mistake | None, evaluation: Evaluation | None) -> None:
        """Show ``mistake``, unexplained until :meth:`show_why` (None: nothing chosen)."""
        self.show_why(None)
        if mistake is None or evaluation is None:
            self.preview.set_image(None)
            self.title.setText("No mistakes to show" if evaluation is not None else "")
            self.where.setText("")
            self.bars.set_outputs((), np.zeros(0, np.float32))
            return
        self.preview.set_image(to_model_input(mistake.image))
        self.title.setText(f"Labelled <b>{mistake.label}</b>, read as "
                           f"<b>{ANSWER_NAMES[mistake.answer]}</b> "
                           f"({mistake.confidence:.1%} sure)")
        self.where.setText(f"{evaluation.title}, image {mistake.index + 1:,}")
        self.bars.set_outputs(evaluation.output_names, mistake.outputs, mistake.label,
                              mistake.answer)


    def show_why(self, why: Why | None) -> None:
        """Colour the image's blocks by what each did to the wrong answer, and say so (None:
        no colours)."""
        if why is None:
            self.preview.set_blocks(None)
            self.why.setText("")
            self.why.hide()
            return
        self.preview.set_blocks(None if why.occlusion is None
                                else why.occlusion / (why.strongest() or 1.0))
        self.why.setText(legend_text(why, picture=True))
        self.why.show()


def sheet_size(count: int, font: QFont) -> QSize:
    """The size of :func:`mistakes_sheet` of ``count`` mistakes, in points."""
    cell = _sheet_cell(font)
    rows = max(1, math.ceil(count / SHEET_COLUMNS))
    return QSize(SHEET_COLUMNS * cell.width() + 16,
                 math.ceil(QFontMetricsF(font).height() * 2) + rows * cell.height() + 8)


def _sheet_cell(font: QFont) -> QSize:
    metrics = QFontMetricsF(font)
    side = FRAME_SIZE * THUMBNAIL_ZOOM
    return QSize(math.ceil(max(side + 12, metrics.horizontalAdvance("0 → no digit") + 10)),
                 math.ceil(side + metrics.height() + 12))


def mistakes_sheet(evaluation: Evaluation, font: QFont, palette: QPalette) -> QImage:
    """Every mistake kept of ``evaluation`` as a captioned thumbnail, under a title line, at
    :data:`~digitpad.ui.training.confusion.EXPORT_SCALE` pixels per point."""
    size = sheet_size(len(evaluation.mistakes), font)
    image = QImage(size * EXPORT_SCALE, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(EXPORT_SCALE)
    image.fill(palette.color(QPalette.ColorRole.Base))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    text = palette.color(QPalette.ColorRole.WindowText)
    metrics = QFontMetricsF(font)
    title = QFont(font)
    title.setBold(True)
    painter.setFont(title)
    painter.setPen(text)
    title_height = metrics.height() * 2
    painter.drawText(QRectF(8, 0, size.width() - 16, title_height),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     f"{evaluation.title}: {mistakes_text(evaluation)}")
    painter.setFont(font)
    cell = _sheet_cell(font)
    side = FRAME_SIZE * THUMBNAIL_ZOOM
    for number, mistake in enumerate(evaluation.mistakes):
        row, column = divmod(number, SHEET_COLUMNS)
        left = 8 + column * cell.width()
        top = title_height + row * cell.height()
        target = QRectF(left + (cell.width() - side) / 2, top + 4, side, side)
        painter.drawImage(target, digit_image(mistake))
        painter.drawText(QRectF(left, target.bottom() + 2, cell.width(), metrics.height() + 4),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         caption(mistake))
    painter.end()
    return image


def mistakes_text(evaluation: Evaluation) -> str:
    """"the 60 most confident of 130 mistakes" (or all of them, when few)."""
    wrong = evaluation.samples - evaluation.right
    shown = len(evaluation.mistakes)
    if wrong <= 1:
        return "one mistake" if wrong else "no mistakes"
    if shown == wrong:
        return f"all {wrong:,} mistakes, the most confident first"
    return f"the {shown:,} most confident of {wrong:,} mistakes"
