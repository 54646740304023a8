"""Deleting and relabelling the selected samples in My Samples, each undoable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyleOptionMenuItem

from digitpad.samples import SampleStore
from digitpad.ui.teaching.filter_bar import ALL
from tests.unit.ui.teaching.my_samples import add, select


def test_delete_is_undoable(open_window, sample_store: SampleStore, qtbot) -> None:
    ids = [add(sample_store, label) for label in (1, 2, 3)]
    window = open_window()
    select(window, 0, 2)  # the newest and the oldest
    QTest.keyClick(window.grid, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(sample_store) == 1)
    qtbot.waitUntil(lambda: window.shown.rowCount() == 1)
    qtbot.waitUntil(lambda: window.notice.text() == "Deleted 2 samples.")
    assert window.filters.buttons.button(ALL).text() == "All\n1"
    QTest.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.shown.rowCount() == 3)
    qtbot.waitUntil(lambda: window.notice.text() == "Put back 2 samples.")
    assert sorted(s.id for s in sample_store.samples()) == ids  # back with the same ids


def test_a_digit_key_relabels_the_selection_undoably(
    open_window, sample_store: SampleStore, qtbot
) -> None:
    for label in (1, 2, 3):
        add(sample_store, label)
    window = open_window()
    select(window, 0, 1)
    QTest.keyClick(window.grid, Qt.Key.Key_6)
    qtbot.waitUntil(lambda: sorted(s.label for s in sample_store.samples()) == [1, 6, 6])
    qtbot.waitUntil(lambda: window.filters.buttons.button(6).text() == "6\n2")
    qtbot.waitUntil(lambda: window.notice.text() == "Relabelled 2 samples as 6.")
    QTest.mouseClick(window.notice.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sorted(s.label for s in sample_store.samples()) == [1, 2, 3])


def test_relabel_as_names_each_digit_once(open_window) -> None:
    """An entry "0" is pressed with the key 0: the menu does not say "0    0"."""
    menu = open_window().changes.relabel_menu
    shown = []
    for action in menu.actions():
        option = QStyleOptionMenuItem()
        menu.initStyleOption(option, action)  # the text the menu paints, with its keys
        shown.append(option.text)
    assert shown == [str(digit) for digit in range(10)]
