"""Collect mode: "Draw a 7", Enter keeps it as a 7 and asks for the next digit, Esc stops."""

from __future__ import annotations

import itertools
import random
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from digitpad.ui.support.notice import digit_name
from digitpad.ui.teaching.collect_mode import DISCARD, KEEP, CollectMode

if TYPE_CHECKING:  # fixture types; conftest itself is loaded by pytest
    from tests.unit.ui.conftest import Taught

ESCAPE = QKeySequence(Qt.Key.Key_Escape)


def draw(taught: Taught, qtbot, shift: float = 0.0) -> None:
    """A 7-like stroke (``shift`` moves it, making another drawing), answered by the model."""
    canvas = taught.window.canvas
    canvas.draw_stroke([(p.x(), p.y()) for p in (canvas.to_widget(300 + shift, 250),
                        canvas.to_widget(700, 250 + shift), canvas.to_widget(450, 800))])
    qtbot.waitUntil(taught.live.is_up_to_date)


def key(taught: Taught, which: Qt.Key) -> None:
    QTest.keyClick(taught.window.canvas, which)


def test_it_asks_for_a_digit_over_the_pad(taught: Taught) -> None:
    collect = taught.teaching.collect
    assert not collect.banner.isVisible()
    QTest.keyClick(taught.window.canvas, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert collect.is_active()
    asked = collect.asked()
    assert asked is not None
    assert collect.banner.isVisible()
    assert collect.banner.title() == ("Draw an 8" if asked == 8 else f"Draw a {asked}")
    assert "Enter keeps it" in collect.banner.detail()
    assert taught.teaching.panel.collect_button.isChecked()


def test_enter_keeps_the_drawing_as_the_digit_asked_for(taught: Taught, qtbot) -> None:
    collect = taught.teaching.collect
    collect.start()
    kept: list[int] = []
    for i in range(4):
        asked = collect.asked()
        assert asked is not None
        draw(taught, qtbot, shift=20 * i)  # 7-like whatever is asked: kept as asked all the same
        key(taught, Qt.Key.Key_Return)
        kept.append(asked)
        assert not taught.window.canvas.has_ink()
        assert collect.asked() != asked
    assert [s.label for s in taught.store.samples()] == kept
    assert all(s.predicted is not None for s in taught.store.samples())
    assert collect.kept_count() == 4
    assert "4 kept" in collect.banner.detail()


def test_enter_on_an_empty_pad_says_what_to_do(taught: Taught) -> None:
    collect = taught.teaching.collect
    collect.start()
    key(taught, Qt.Key.Key_Enter)
    assert len(taught.store) == 0
    asked = collect.asked()
    assert taught.teaching.panel.notice.text() == (
        f"Draw {'an' if asked == 8 else 'a'} {asked} first, then press Enter.")


def test_every_digit_is_asked_for_once_in_ten(taught: Taught) -> None:
    collect = CollectMode(taught.window.canvas, taught.teaching.teacher, random.Random(5))
    collect.start()
    asked = [collect.asked()]
    for _ in range(19):
        collect._ask(collect._next_digit())
        asked.append(collect.asked())
    assert sorted(asked[:10]) == list(range(10))
    assert sorted(asked[10:]) == list(range(10))
    assert all(a != b for a, b in itertools.pairwise(asked))
    collect.stop()


def test_esc_stops_collecting_and_leaves_the_drawing(taught: Taught, qtbot) -> None:
    collect = taught.teaching.collect
    clear = taught.window.clear_action
    collect.start()
    assert ESCAPE not in clear.shortcuts()  # Esc means stop now; Delete still clears
    draw(taught, qtbot)
    key(taught, Qt.Key.Key_Escape)
    assert not collect.is_active() and collect.asked() is None
    assert not collect.banner.isVisible()
    assert taught.window.canvas.has_ink()
    assert ESCAPE in clear.shortcuts()
    key(taught, Qt.Key.Key_Escape)  # Esc clears the pad again
    assert not taught.window.canvas.has_ink()
    key(taught, Qt.Key.Key_Return)  # and Enter keeps nothing outside collect mode
    assert len(taught.store) == 0


def test_undo_asks_for_the_same_digit_again_with_the_drawing_back(taught: Taught, qtbot) -> None:
    collect = taught.teaching.collect
    collect.start()
    asked = collect.asked()
    draw(taught, qtbot)
    strokes = taught.window.canvas.strokes()
    key(taught, Qt.Key.Key_Return)
    following = collect.asked()
    taught.teaching.panel.notice.undo_button.click()
    assert len(taught.store) == 0
    assert collect.asked() == asked
    np.testing.assert_allclose(taught.window.canvas.strokes()[0], strokes[0])
    assert collect.kept_count() == 0
    key(taught, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(taught.store) == 1)  # once the model has read it again
    assert [s.label for s in taught.store.samples()] == [asked]
    assert collect.asked() == following  # the digit that was next is still next


def test_digit_keys_still_say_what_a_drawing_really_is(taught: Taught, qtbot) -> None:
    collect = taught.teaching.collect
    collect.start()
    asked = collect.asked()
    assert asked is not None
    draw(taught, qtbot)
    other = (asked + 1) % 10
    QTest.keyClick(taught.window.canvas, Qt.Key(Qt.Key.Key_0.value + other))
    assert [s.label for s in taught.store.samples()] == [other]
    assert collect.asked() == asked  # still waiting for the digit asked for


def draw_another_digit(taught: Taught, qtbot, asked: int) -> int:
    """Draws until the model reads something other than ``asked``; the digit it reads."""
    for shift in range(0, 200, 10):
        taught.window.canvas.clear()
        draw(taught, qtbot, shift=shift)
        read = taught.live.reading()
        if read is not None and read.digits[0].digit != asked:
            return read.digits[0].digit
    raise AssertionError("every drawing read as the digit asked for")


def test_a_drawing_the_model_is_sure_is_another_digit_is_kept_only_if_the_user_says_so(
        taught: Taught, qtbot) -> None:
    """Asked for an 8, the user drew a 2 the model reads as a 2 at 100 %: it asks first."""
    with qtbot.waitSignal(taught.live.model_ready):
        taught.live.load_model("/models/sure.keras")
    collect, canvas = taught.teaching.collect, taught.window.canvas
    collect.start()
    asked = collect.asked()
    assert asked is not None
    read = draw_another_digit(taught, qtbot, asked)
    strokes = canvas.strokes()

    taught.dialogs.answers = [DISCARD]
    key(taught, Qt.Key.Key_Return)
    ((title, message, choices),) = taught.dialogs.questions
    assert title == f"Keep it as {digit_name(asked)}?"
    assert f"sure this drawing is {digit_name(read)} (100%)" in message
    assert choices == (f"Keep as {digit_name(asked)}", "Discard")
    assert len(taught.store) == 0 and not canvas.has_ink()
    assert collect.asked() == asked and collect.kept_count() == 0  # the same digit again
    assert taught.teaching.panel.notice.text() == (
        f"Not kept. Draw {digit_name(asked)}, then press Enter.")

    canvas.undo()  # the discarded drawing comes back
    assert len(canvas.strokes()) == len(strokes)
    taught.dialogs.answers = [None]  # Esc: nothing kept, nothing discarded
    key(taught, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(taught.dialogs.questions) == 2)
    assert len(taught.store) == 0 and canvas.has_ink() and collect.asked() == asked

    taught.dialogs.answers = [KEEP]  # the model is wrong: it is what was asked for
    key(taught, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(taught.store) == 1)
    (sample,) = taught.store.samples()
    assert (sample.label, sample.predicted) == (asked, read)
    assert collect.kept_count() == 1 and collect.asked() != asked
