"""The window's dialogs: help pages open beside the window and read as documents."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QMainWindow

from digitpad.ui.support.dialogs import Dialogs, HelpDialog


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")  # offscreen
def test_help_opens_beside_the_window_and_one_page_replaces_the_other(
        qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QScreen, "availableGeometry", lambda self: QRect(0, 0, 1920, 1080))
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setGeometry(0, 0, 900, 600)
    window.show()
    dialogs = Dialogs(window)
    dialogs.help("How to use digitpad", "<h2>Draw</h2><p>Draw a digit.</p>")
    (shown,) = window.findChildren(HelpDialog)
    qtbot.waitExposed(shown)
    assert not shown.isModal()  # the pad stays usable while one reads
    assert not shown.frameGeometry().intersects(window.frameGeometry())
    assert shown.windowTitle() == "How to use digitpad"
    assert "Draw a digit." in shown.view.toPlainText()
    dialogs.help("Keyboard shortcuts", "<table><tr><td>Undo</td><td>Ctrl+Z</td></tr></table>")
    assert window.findChildren(HelpDialog) == [shown]
    assert shown.windowTitle() == "Keyboard shortcuts"
    assert "Undo" in shown.view.toPlainText() and "Draw" not in shown.view.toPlainText()
    assert shown.view.openExternalLinks()
