"""How the main window shares its room: the pad first, the side panel within limits.

People use the pad, so it is as large a square as the window allows; the side panel (answer,
preview, chart, what the composition root adds under them) gets the rest, between
``PANEL_MIN_WIDTH`` and ``PANEL_MAX_WIDTH``. A window too wide for both centres them, so the
room left over shows as margins at the edges, not as a gap between the pad and its answer.

A panel docked beside them (View → Inside the Model) would take its width from the pad: so the
window grows by that width when the user opens it, as far as the screen allows (``widened``),
and gives it back when they close it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLayout, QLayoutItem, QWidget

from digitpad.ml.digits import FRAME_SIZE
from digitpad.ui.pad.preview import ZOOM, ModelInputPreview

PANEL_MIN_WIDTH = 360
"""Narrower, the answer and the preview crowd each other and the digit buttons get cramped."""
PANEL_MAX_WIDTH = 560
"""Wider, the chart's bars and the digit buttons only spread apart."""
MAX_ZOOM = 9
"""The preview's largest zoom (254 px): larger, it would crowd the answer beside it."""
FIRST_SIZE = QSize(1120, 680)
"""The window's size at first start: a 1366x768 laptop screen shows it whole, title bar and
task bar included, with a pad of about 550 px."""
_FRAME_ROOM = QSize(16, 48)
"""What a window frame and title bar take around the window, at most, on common desktops."""


def first_size(available: QRect) -> QSize:
    """The window's first size on a screen whose free area is ``available``."""
    return FIRST_SIZE.boundedTo(available.size() - _FRAME_ROOM)


def widened(geometry: QRect, extra: int, available: QRect) -> QRect:
    """A window at ``geometry`` made ``extra`` pixels wider, within the screen's free area
    ``available``: to the right while there is room, then moved left; never wider than fits."""
    width = min(geometry.width() + extra, available.width() - _FRAME_ROOM.width())
    width = max(width, geometry.width())
    right = available.right() - _FRAME_ROOM.width() // 2
    left = min(geometry.left(), right - width + 1)
    left = max(left, available.left() + _FRAME_ROOM.width() // 2)
    return QRect(left, geometry.top(), width, geometry.height())


class PadRowLayout(QLayout):
    """Lays out two widgets side by side: ``pad`` as a square as large as fits, ``panel`` beside
    it with the width left, within its limits. The pad is as tall as the layout, the panel
    ``inset`` shorter at the top and bottom: the pad's own margin, so that the two line up."""

    def __init__(self, pad: QWidget, panel: QWidget, inset: int = 0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._inset = inset
        self.addWidget(pad)
        self.addWidget(panel)

    # -- QLayout's item list ------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # -- sizes ---------------------------------------------------------------------------------

    def minimumSize(self) -> QSize:
        pad, panel = (item.minimumSize() for item in self._items)
        return self._with_margins(QSize(pad.width() + self.spacing() + self._panel_min(),
                                        max(pad.height(), panel.height() + 2 * self._inset)))

    def sizeHint(self) -> QSize:
        pad, panel = (item.sizeHint() for item in self._items)
        width = min(max(panel.width(), self._panel_min()), PANEL_MAX_WIDTH)
        return self._with_margins(QSize(pad.width() + self.spacing() + width,
                                        max(pad.height(), panel.height() + 2 * self._inset)))

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        if len(self._items) != 2:
            return
        pad, panel = self._items
        room = rect.marginsRemoved(self.contentsMargins())
        spacing = self.spacing()
        side = min(room.height(), room.width() - spacing - self._panel_min())
        side = max(side, pad.minimumSize().width())
        width = min(max(room.width() - spacing - side, self._panel_min()), PANEL_MAX_WIDTH)
        left = room.left() + max(0, room.width() - side - spacing - width) // 2
        pad.setGeometry(QRect(left, room.top(), side, room.height()))
        panel.setGeometry(QRect(left + side + spacing, room.top() + self._inset, width,
                                room.height() - 2 * self._inset))

    def _panel_min(self) -> int:
        return max(PANEL_MIN_WIDTH, self._items[1].minimumSize().width())

    def _with_margins(self, size: QSize) -> QSize:
        return size.grownBy(self.contentsMargins())


class SidePanel(QFrame):
    """The card beside the pad; as it grows, so does the preview, by whole model pixels."""

    def __init__(self, preview: ModelInputPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="card")
        self._preview = preview

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        inner = self.contentsRect()
        layout = self.layout()
        if layout is not None:
            inner = inner.marginsRemoved(layout.contentsMargins())
        self._preview.set_zoom(preview_zoom(inner.size()))


def preview_zoom(room: QSize) -> int:
    """Screen pixels per model pixel for a card with ``room`` inside: the preview takes under
    half its width (the answer beside it needs the rest) and under a third of its height (the
    chart below it needs room too)."""
    fits = min(room.width() * 0.45, room.height() * 0.3) // FRAME_SIZE
    return int(min(max(fits, ZOOM), MAX_ZOOM))
