"""Using a window from the keyboard: where Tab goes, and whether the focus can be seen there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget


def tab_through(count: int) -> list[tuple[QWidget, bool]]:
    """Press Tab ``count`` times from where the focus is: each widget it reached, and whether
    that widget looked different while it had the focus than once Tab moved on (one Tab more).

    Real key presses, as a user's: some styles show the focus only when it came by keyboard.
    """
    stops: list[tuple[QWidget, bool]] = []
    reached: tuple[QWidget, object] | None = None
    for _ in range(count + 1):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if reached is not None:
            widget, focused = reached
            stops.append((widget, focused != widget.grab().toImage()))
        widget = QApplication.focusWidget()
        reached = (widget, widget.grab().toImage())
    return stops
