"""The drawing pad: records strokes as ink points and paints them as smooth, round-capped ink.

One widget, so one file of about 400 lines: its strokes, undo history, input events and
painting all work on the same state, and splitting them would only pass that state around.

Ink lives in pad coordinates, a square of ``PAD_UNITS`` on each side with y pointing down, not in
widget pixels: resizing the window scales the drawing with the pad instead of cropping it, and the
saved ink does not depend on the screen it was drawn on.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitpad.ui.pad.number_marks import DigitMark, paint_marks
from digitpad.ui.pad.why_marks import InkEffect, paint_effects

PAD_UNITS = 1000.0
"""Side of the pad in ink coordinates."""
PAD_KEY = "pad_size"
"""Saved ink records the pad it was drawn on, so it opens again exactly where it was drawn;
ink from elsewhere (any unit) is scaled to fit the pad instead."""
PEN_WIDTHS: dict[str, float] = {"Thin": 18.0, "Medium": 30.0, "Bold": 46.0}
"""How thick ink looks, in pad units. Recognition ignores it: preprocessing picks its own pen."""
DEFAULT_PEN = "Medium"
FIT_FRACTION = 0.6
"""Opened ink is scaled so that its longer side covers this fraction of the pad, centred."""
PAD_MARGIN = 12
"""Pixels between the pad's rounded border and the widget's edge."""
PAD_MIN = 300
"""The pad's side, in pixels, at its smallest: room enough for a number of several digits."""
_CORNER_RADIUS = 14.0

Strokes = tuple[np.ndarray, ...]


@dataclass(frozen=True, eq=False)
class Picture:
    """A picture on the pad instead of ink, and what its opener needs to read it again."""

    image: QImage
    source: object


Page = tuple[Strokes, Picture | None]
"""What the pad shows, as the undo history keeps it: ink, or a picture (and no ink)."""
_STEP_KEYS = {Qt.Key.Key_Tab: 1, Qt.Key.Key_Right: 1, Qt.Key.Key_Backtab: -1,
              Qt.Key.Key_Left: -1}
"""The keys that move between a number's digits, and which way."""


class InkCanvas(QWidget):
    """A square drawing pad with undo and redo of each stroke, Clear and opened picture.

    ``strokes_changed`` fires on every change of the ink, including each pen move of a stroke in
    progress (at pen-up only if the drawing differs from the one last reported: the finished
    stroke was reported as it was drawn); ``stroke_finished`` fires at pen-up. Both carry all
    strokes, in pad coordinates. Undo or Redo back to a picture fires ``picture_restored``.
    """

    strokes_changed = Signal(object)
    stroke_finished = Signal(object)
    history_changed = Signal(bool, bool)
    """(can undo, can redo)"""
    digit_step_requested = Signal(int)
    """(+1 or -1): Tab or an arrow key asked for the next or previous digit of the number."""
    picture_restored = Signal(object)
    """(the picture's ``source``): Undo or Redo put a picture back on the pad."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: Strokes = ()
        self._reported: Strokes = ()
        """What ``strokes_changed`` last carried."""
        self._current: list[tuple[float, float]] | None = None
        self._undo: list[Page] = []
        self._redo: list[Page] = []
        self._pen_width = PEN_WIDTHS[DEFAULT_PEN]
        self._picture: Picture | None = None
        """The picture on the pad; hidden while a stroke is drawn over it, which replaces it."""
        self._marks: tuple[DigitMark, ...] = ()
        self._effects: tuple[InkEffect, ...] = ()
        self._hint = "Draw a digit here"
        self._hint_note = ""
        self._cache: QPixmap | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        side = round(PAD_MIN + 2 * PAD_MARGIN)
        self.setMinimumSize(side, side)
        self.setAccessibleName("Drawing pad")
        self.setAccessibleDescription("Draw a digit with the mouse or a pen")

    # -- what the pad holds ------------------------------------------------------------------

    def strokes(self) -> Strokes:
        """All strokes in pad coordinates, the one being drawn included."""
        if self._current is None:
            return self._strokes
        return (*self._strokes, np.array(self._current, dtype=np.float64))

    def has_ink(self) -> bool:
        return bool(self._strokes) or self._current is not None

    def is_drawing(self) -> bool:
        return self._current is not None

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def pen_width(self) -> float:
        return self._pen_width

    def picture(self) -> QImage | None:
        """The picture the pad shows instead of ink, if any."""
        return self._picture.image if self._picture is not None and self._current is None \
            else None

    def sizeHint(self) -> QSize:
        return QSize(520, 520)

    # -- editing -----------------------------------------------------------------------------

    @Slot()
    def undo(self) -> None:
        if self._undo and self._current is None:
            self._redo.append(self._page())
            self._turn_to(self._undo.pop())

    @Slot()
    def redo(self) -> None:
        if self._redo and self._current is None:
            self._undo.append(self._page())
            self._turn_to(self._redo.pop())

    @Slot()
    def clear(self) -> None:
        """Empty the pad; a cleared drawing or picture comes back with Undo."""
        if self._current is None and (self._strokes or self._picture is not None):
            self._commit(())

    def set_strokes(self, strokes: Iterable[np.ndarray], fit: bool = True) -> None:
        """Put a drawing on the pad (undoably).

        With ``fit`` it is scaled and centred whatever its unit; without, the points are taken as
        pad coordinates (a drawing this pad saved) and only kept on the pad.
        """
        if fit:
            self._commit(fit_to_pad(strokes))
        else:
            self._commit(tuple(
                np.clip(np.asarray(s, dtype=np.float64).reshape(-1, 2), 0.0, PAD_UNITS)
                for s in strokes if len(s)
            ))

    def show_picture(self, picture: QImage, source: object) -> None:
        """Show a picture instead of ink (undoably), e.g. an opened photo of a digit.

        The ink goes without ``strokes_changed``: whoever opened the picture is classifying it.
        ``source`` (what they read) comes back with ``picture_restored`` when Undo or Redo
        brings the picture back. The next edit (a stroke, Clear) replaces it, undoably too.
        """
        self._current = None
        self._undo.append(self._page())
        self._redo.clear()
        self._strokes = ()
        self._picture = Picture(picture, source)
        self._invalidate()
        self.history_changed.emit(True, False)

    def set_hint(self, hint: str, note: str = "") -> None:
        """What the empty pad says, and a smaller line under it (e.g. a first-run tip)."""
        self._hint, self._hint_note = hint, note
        self._invalidate()

    def hint(self) -> tuple[str, str]:
        return self._hint, self._hint_note

    def set_marks(self, marks: Sequence[DigitMark]) -> None:
        """Show a number's digit boxes over the ink (none for a single digit)."""
        self._marks = tuple(marks)
        self.update()

    def marks(self) -> tuple[DigitMark, ...]:
        return self._marks

    def set_effects(self, effects: Sequence[InkEffect]) -> None:
        """Colour the ink by what it did to the answer (none: the ink as drawn). Hidden while a
        stroke is being drawn: it explains the drawing before the stroke."""
        self._effects = tuple(effects)
        self.update()

    def effects(self) -> tuple[InkEffect, ...]:
        return self._effects

    def set_pen_width(self, width: float) -> None:
        self._pen_width = float(width)
        self._invalidate()

    def draw_stroke(self, points: Sequence[tuple[float, float]]) -> None:
        """Draw one stroke through widget coordinates, exactly as the mouse would."""
        if not len(points):
            return
        self._begin_stroke(QPointF(*points[0]))
        for x, y in points[1:]:
            self._extend_stroke(QPointF(x, y))
        self._end_stroke()

    def render_image(self, side: int = 512) -> QImage:
        """The drawing as dark ink on white, ``side`` pixels square, as it looks on the pad."""
        image = QImage(side, side, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(side / PAD_UNITS, side / PAD_UNITS)
        self._paint_strokes(painter, self._strokes, QColor("black"))
        painter.end()
        return image

    # -- the stroke in progress --------------------------------------------------------------

    def _begin_stroke(self, position: QPointF) -> None:
        if self._picture is not None:
            self._invalidate()  # ink replaces the picture (Undo brings it back)
        self._current = [self._to_pad(position)]
        self.update()
        self._report(self.strokes())

    def _extend_stroke(self, position: QPointF) -> None:
        if self._current is None:
            return
        point = self._to_pad(position)
        if point == self._current[-1]:
            return
        self._current.append(point)
        self.update()
        self._report(self.strokes())

    def _end_stroke(self) -> None:
        if self._current is None:
            return
        strokes = self.strokes()
        self._current = None
        self._commit(strokes, report=not _same(strokes, self._reported))
        self.stroke_finished.emit(self._strokes)

    def _commit(self, strokes: Strokes, report: bool = True) -> None:
        self._undo.append(self._page())
        self._redo.clear()
        self._replace(strokes, report)

    def _page(self) -> Page:
        return self._strokes, self._picture

    def _turn_to(self, page: Page) -> None:
        """Show a page of the history: its ink (reported) or its picture (given back)."""
        strokes, picture = page
        if picture is None:
            self._replace(strokes)
            return
        self._strokes, self._picture = strokes, picture
        self._invalidate()
        self.history_changed.emit(self.can_undo(), self.can_redo())
        self.picture_restored.emit(picture.source)

    def _replace(self, strokes: Strokes, report: bool = True) -> None:
        self._strokes = tuple(strokes)
        self._picture = None
        self._invalidate()
        self.history_changed.emit(self.can_undo(), self.can_redo())
        if report:
            self._report(self._strokes)

    def _report(self, strokes: Strokes) -> None:
        self._reported = strokes
        self.strokes_changed.emit(strokes)

    # -- input events ------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin_stroke(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._extend_stroke(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._current is not None:
            self._extend_stroke(event.position())
            self._end_stroke()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        """Pens report positions finer than mouse events; accepting stops the mouse copies."""
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin_stroke(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend_stroke(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._extend_stroke(event.position())
            self._end_stroke()
        event.accept()

    # -- geometry ----------------------------------------------------------------------------

    def pad_rect(self) -> QRectF:
        """Where the square pad sits in the widget, in widget coordinates."""
        side = max(1.0, min(self.width(), self.height()) - 2 * PAD_MARGIN)
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def to_widget(self, x: float, y: float) -> QPointF:
        """A pad point in widget coordinates (tests use it to aim the mouse)."""
        pad = self.pad_rect()
        scale = pad.width() / PAD_UNITS
        return QPointF(pad.left() + x * scale, pad.top() + y * scale)

    def _to_pad(self, position: QPointF) -> tuple[float, float]:
        pad = self.pad_rect()
        scale = PAD_UNITS / pad.width()
        x = min(max((position.x() - pad.left()) * scale, 0.0), PAD_UNITS)
        y = min(max((position.y() - pad.top()) * scale, 0.0), PAD_UNITS)
        return (x, y)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._invalidate()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._invalidate()
        super().changeEvent(event)

    # -- painting ----------------------------------------------------------------------------

    def _invalidate(self) -> None:
        self._cache = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Blit the finished drawing (cached) and paint the stroke in progress on top."""
        if self._cache is None or self._cache.size() != self.size() * self.devicePixelRatioF():
            self._cache = self._render_cache()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._cache)
        if self._current is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._to_pad_transform(painter)
            current = (np.array(self._current, dtype=np.float64),)
            self._paint_strokes(painter, current, self.palette().color(QPalette.ColorRole.Text))
        if (self._marks or self._effects) and self._current is None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._to_pad_transform(painter)
            paint_effects(painter, self._effects, self._pen_width)
            paint_marks(painter, self._marks, self.palette(), self.pad_rect().width() / PAD_UNITS)
        painter.end()

    def _to_pad_transform(self, painter: QPainter) -> None:
        pad = self.pad_rect()
        painter.translate(pad.topLeft())
        painter.scale(pad.width() / PAD_UNITS, pad.width() / PAD_UNITS)

    def _render_cache(self) -> QPixmap:
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        palette = self.palette()
        pixmap.fill(palette.color(QPalette.ColorRole.Window))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        pad = self.pad_rect()
        border = palette.color(QPalette.ColorRole.Highlight if self.hasFocus()
                               else QPalette.ColorRole.Mid)
        painter.setPen(QPen(border, 1.5 if self.hasFocus() else 1.0))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(pad, _CORNER_RADIUS, _CORNER_RADIUS)
        picture = self.picture()
        if picture is not None:
            self._paint_picture(painter, pad, picture)
        elif not self._strokes and self._current is None:
            self._paint_hint(painter, pad)
        self._to_pad_transform(painter)
        self._paint_strokes(painter, self._strokes, palette.color(QPalette.ColorRole.Text))
        painter.end()
        return pixmap

    @staticmethod
    def _paint_picture(painter: QPainter, pad: QRectF, picture: QImage) -> None:
        painter.drawImage(_picture_target(pad, picture), picture)

    def picture_box_to_pad(self, box: tuple[float, float, float, float]
                           ) -> tuple[float, float, float, float]:
        """A box in the shown picture's pixels, in pad units (where it shows on the pad)."""
        picture = self.picture()
        if picture is None or picture.isNull():
            return box
        pad = self.pad_rect()
        target = _picture_target(pad, picture)
        sx = target.width() / picture.width() * PAD_UNITS / pad.width()
        sy = target.height() / picture.height() * PAD_UNITS / pad.height()
        left = (target.left() - pad.left()) * PAD_UNITS / pad.width()
        top = (target.top() - pad.top()) * PAD_UNITS / pad.height()
        x0, y0, x1, y1 = box
        return (left + x0 * sx, top + y0 * sy, left + x1 * sx, top + y1 * sy)

    def _paint_hint(self, painter: QPainter, pad: QRectF) -> None:
        hint = self.palette().color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(hint)
        font = painter.font()
        note_font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        painter.setFont(font)
        painter.drawText(pad, Qt.AlignmentFlag.AlignCenter, self._hint)
        if self._hint_note:
            painter.setFont(note_font)
            below = pad.adjusted(24, pad.height() / 2 + 2.2 * font.pointSizeF(), -24, 0)
            painter.drawText(below, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, self._hint_note)

    def _paint_strokes(
        self, painter: QPainter, strokes: Sequence[np.ndarray], colour: QColor
    ) -> None:
        pen = QPen(colour, self._pen_width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for stroke in strokes:
            if len(stroke) == 1:
                painter.drawPoint(QPointF(*stroke[0]))
            else:
                painter.drawPath(_smooth_path(stroke))

    def event(self, event: QEvent) -> bool:
        """With a number on the pad, Tab and the arrow keys move between its digits (Tab would
        otherwise move the focus away)."""
        if (event.type() == QEvent.Type.KeyPress and len(self._marks) > 1
                and isinstance(event, QKeyEvent) and event.key() in _STEP_KEYS
                and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier):
            self.digit_step_requested.emit(_STEP_KEYS[Qt.Key(event.key())])
            return True
        return super().event(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._invalidate()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._invalidate()
        super().focusOutEvent(event)


def _picture_target(pad: QRectF, picture: QImage) -> QRectF:
    """Where a picture shows on the pad: as large as fits inside its rounded corners, centred."""
    inner = pad.adjusted(_CORNER_RADIUS, _CORNER_RADIUS, -_CORNER_RADIUS, -_CORNER_RADIUS)
    size = picture.size().toSizeF()
    size.scale(inner.size(), Qt.AspectRatioMode.KeepAspectRatio)
    target = QRectF(QPointF(0, 0), size)
    target.moveCenter(inner.center())
    return target


def _smooth_path(stroke: np.ndarray) -> QPainterPath:
    """A curve through the midpoints of the polyline, bending at its points: no visible corners."""
    path = QPainterPath(QPointF(*stroke[0]))
    for (x0, y0), (x1, y1) in itertools.pairwise(stroke[1:]):
        path.quadTo(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    path.lineTo(QPointF(*stroke[-1]))
    return path


def _same(a: Strokes, b: Strokes) -> bool:
    return len(a) == len(b) and all(np.array_equal(s, t) for s, t in zip(a, b, strict=True))


def fit_to_pad(strokes: Iterable[np.ndarray]) -> Strokes:
    """Scale and centre a drawing of any unit: its longer side spans ``FIT_FRACTION`` of the pad."""
    arrays = _point_arrays(strokes)
    fitted = pad_fitting(arrays)
    return tuple(fitted(s) for s in arrays)


def pad_fitting(strokes: Iterable[np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """The scaling and centring :func:`fit_to_pad` gives this drawing, for points that belong
    with it (the pieces of ink Why This Digit explains)."""
    arrays = _point_arrays(strokes)
    if not arrays:
        return lambda points: points
    points = np.concatenate(arrays)
    low, high = points.min(axis=0), points.max(axis=0)
    size = float((high - low).max())
    scale = FIT_FRACTION * PAD_UNITS / size if size > 0 else math.inf
    if not math.isfinite(scale):  # a dot, or a drawing denormal numbers across: shown as a dot
        scale = 1.0
    centre = (low + high) / 2
    return lambda points: (np.asarray(points, np.float64) - centre) * scale + PAD_UNITS / 2


def _point_arrays(strokes: Iterable[np.ndarray]) -> Strokes:
    arrays = tuple(np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes)
    return tuple(s for s in arrays if len(s))
