"""Where a window opened from the main window goes: beside it, so the pad stays in sight.

Qt centres a dialog over its parent, which hides the pad one wants to try things on while the
dialog is open (Retrain's curves, a help page). ``beside`` picks the side with room, narrows the
window to its minimum if that is what fits, and on a screen too small for either covers the
main window's side panel rather than the pad.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMargins, QPoint, QRect, QSize
from PySide6.QtWidgets import QWidget

GAP = 8
"""Pixels between the main window's frame and the window beside it."""


def beside(anchors: Sequence[QRect], size: QSize, minimum: QSize, screen: QRect,
           gap: int = GAP) -> QRect:
    """Where a window of ``size`` (at least ``minimum``, frames included) goes on the free area
    ``screen``: beside the first of ``anchors`` (the main window, then the part of it to keep in
    sight) that has room for it on one side, right of it rather than left, at its full width if
    it fits; on a screen too small for that, against the screen edge the last anchor has the
    most room towards."""
    height = max(min(size.height(), screen.height()), minimum.height())
    top = min(max(anchors[0].top(), screen.top()), screen.bottom() + 1 - height)
    for anchor in anchors:
        span = _span_beside(anchor, size.width(), minimum.width(), screen, gap)
        if span is not None:
            return QRect(span[0], top, span[1], height)
    last = anchors[-1]
    width = max(min(size.width(), screen.width()), minimum.width())
    on_right = screen.right() - last.right() >= last.left() - screen.left()
    return QRect(screen.right() + 1 - width if on_right else screen.left(), top, width, height)


def _span_beside(anchor: QRect, width: int, minimum: int, screen: QRect,
                 gap: int) -> tuple[int, int] | None:
    """The left edge and width of a window beside ``anchor``; None if neither side has room
    for ``minimum``."""
    right_room = screen.right() - anchor.right() - gap
    left_room = anchor.left() - screen.left() - gap
    if right_room >= width:
        return anchor.right() + 1 + gap, width
    if left_room >= width:
        return anchor.left() - gap - width, width
    room, on_right = max((right_room, True), (left_room, False))
    if room < minimum:
        return None
    return (anchor.right() + 1 + gap if on_right else anchor.left() - gap - room), room


def place_beside(dialog: QWidget, window: QWidget, keep: QWidget | None = None) -> None:
    """Move (and if need be narrow) ``dialog``, about to be shown, to beside ``window``; where
    the screen has no room for that, beside the part ``keep`` of it (the pad).

    A window's frame is only known once it is shown, so the dialog's is taken to be the main
    window's: the same window manager draws both.
    """
    outer, inner = window.frameGeometry(), window.geometry()
    frame = QMargins(inner.left() - outer.left(), inner.top() - outer.top(),
                     outer.right() - inner.right(), outer.bottom() - inner.bottom())
    anchors = [outer]
    if keep is not None:
        anchors.append(QRect(keep.mapToGlobal(QPoint()), keep.size()))
    minimum = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
    spot = beside(anchors, dialog.size().grownBy(frame), minimum.grownBy(frame),
                  window.screen().availableGeometry())
    dialog.resize(spot.size().shrunkBy(frame))
    dialog.move(spot.topLeft())
