"""The confirmation line: says what happened, offers Undo for a few seconds, then goes quiet."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from digitpad.ui.support.notice import UndoNotice, digit_name, sample_count


def test_digits_are_named_with_the_right_article() -> None:
    assert [digit_name(d) for d in (0, 1, 7, 8)] == ["a 0", "a 1", "a 7", "an 8"]


def test_sample_counts_are_singular_for_one() -> None:
    assert [sample_count(n) for n in (0, 1, 2)] == ["0 samples", "1 sample", "2 samples"]


def test_a_notice_offers_undo_then_falls_back_to_the_hint(qtbot) -> None:
    notice = UndoNotice("Press 0-9", seconds=0.05)
    qtbot.addWidget(notice)
    notice.show()
    assert notice.text() == "Press 0-9" and not notice.can_undo()
    notice.show_notice("Kept as a 7.", undoable=True)
    assert notice.text() == "Kept as a 7." and notice.can_undo()
    qtbot.waitUntil(lambda: not notice.can_undo(), timeout=2000)
    assert notice.text() == "Press 0-9"


def test_clicking_undo_asks_once_and_removes_the_offer(qtbot) -> None:
    notice = UndoNotice()
    qtbot.addWidget(notice)
    notice.show()
    notice.show_notice("Deleted 2 samples.", undoable=True)
    with qtbot.waitSignal(notice.undo_requested):
        QTest.mouseClick(notice.undo_button, Qt.MouseButton.LeftButton)
    assert not notice.can_undo()


def test_a_plain_message_has_no_undo(qtbot) -> None:
    notice = UndoNotice()
    qtbot.addWidget(notice)
    notice.show()
    notice.show_notice("Draw a 7 first, then press Enter.")
    assert notice.text() == "Draw a 7 first, then press Enter."
    assert not notice.can_undo()
