"""Correcting a guess: 0-9 (keys or buttons) keep the drawing with the model's answer then."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from digitpad import app as app_module
from digitpad.app import Digitpad
from digitpad.samples import SampleStore, StoreError, store_path
from digitpad.ui.pad.canvas import InkCanvas
from digitpad.ui.teaching.teacher import CLEAR_AFTER_LABEL_KEY, Teacher
from tests.unit.ui.fakes import FakeDialogs
from tests.unit.ui.help_pages import native, shortcut_rows
from tests.unit.ui.keyboard import tab_through

if TYPE_CHECKING:  # fixture types; conftest itself is loaded by pytest
    from tests.unit.ui.conftest import RunningRecognizer, Taught


def draw(taught: Taught, qtbot, wait: bool = True) -> None:
    """A 7-like stroke; with ``wait``, until the model has answered about it."""
    canvas = taught.window.canvas
    canvas.draw_stroke([(p.x(), p.y()) for p in (
        canvas.to_widget(300, 250), canvas.to_widget(700, 250), canvas.to_widget(450, 800))])
    if wait:
        qtbot.waitUntil(taught.live.is_up_to_date)


def model_reads(taught: Taught) -> int:
    """What the fake model answers for the drawing on the pad (see FakeModel)."""
    image = taught.live.current_input()
    assert image is not None
    return int(image.sum()) % 10


def press(taught: Taught, digit: int) -> None:
    QTest.keyClick(taught.window.canvas, Qt.Key(Qt.Key.Key_0.value + digit))


def test_a_digit_key_keeps_the_drawing_with_the_models_answer(taught: Taught, qtbot) -> None:
    draw(taught, qtbot)
    read = model_reads(taught)
    image = taught.live.current_input()
    strokes = taught.window.canvas.strokes()
    truth = (read + 1) % 10  # the model got it wrong
    press(taught, truth)
    (sample,) = taught.store.samples()
    assert sample.label == truth
    assert (sample.predicted, sample.model) == (read, "fake.keras")
    assert sample.confidence == pytest.approx(0.9)
    np.testing.assert_allclose(sample.image, image, atol=1 / 255)
    assert len(sample.drawing.strokes) == len(strokes)
    np.testing.assert_allclose(sample.drawing.strokes[0], strokes[0])
    assert not taught.window.canvas.has_ink()  # cleared for the next digit
    notice = taught.teaching.panel.notice
    assert notice.text() == f"\N{CHECK MARK} Kept as a {truth}; the model read {read}."
    assert notice.can_undo()


def test_the_buttons_under_the_chart_label_the_drawing(taught: Taught, qtbot) -> None:
    draw(taught, qtbot)
    QTest.mouseClick(taught.teaching.panel.buttons[8], Qt.MouseButton.LeftButton)
    assert [s.label for s in taught.store.samples()] == [8]
    assert "Kept as an 8" in taught.teaching.panel.notice.text()
    assert taught.window.canvas.hasFocus()  # the buttons do not take the keyboard


def test_an_empty_pad_has_nothing_to_label(taught: Taught, qtbot) -> None:
    panel = taught.teaching.panel
    assert not any(button.isEnabled() for button in panel.buttons)
    press(taught, 4)
    assert len(taught.store) == 0
    draw(taught, qtbot)
    assert all(button.isEnabled() for button in panel.buttons)


def test_undo_takes_the_sample_back_and_returns_the_drawing(taught: Taught, qtbot) -> None:
    draw(taught, qtbot)
    strokes = taught.window.canvas.strokes()
    press(taught, 3)
    assert len(taught.store) == 1
    notice = taught.teaching.panel.notice
    QTest.mouseClick(notice.undo_button, Qt.MouseButton.LeftButton)
    assert len(taught.store) == 0
    np.testing.assert_allclose(taught.window.canvas.strokes()[0], strokes[0])
    assert notice.text() == "Not kept: the 3 was taken back."
    assert not notice.can_undo()


def test_with_clearing_off_the_drawing_stays_and_another_key_relabels_it(
    taught: Taught, qtbot
) -> None:
    taught.teaching.clear_after_action.trigger()
    assert taught.settings.value(CLEAR_AFTER_LABEL_KEY, type=bool) is False
    draw(taught, qtbot)
    press(taught, 3)
    assert taught.window.canvas.has_ink()
    press(taught, 5)  # meant a 5: the same drawing is relabelled, not kept twice
    assert [s.label for s in taught.store.samples()] == [5]
    assert taught.teaching.panel.notice.text() == "\N{CHECK MARK} Changed to a 5."
    draw(taught, qtbot)  # a different drawing is a new sample
    press(taught, 5)
    assert [s.label for s in taught.store.samples()] == [5, 5]


def test_a_kept_drawing_brought_back_with_the_pads_undo_is_relabelled_not_doubled(
    taught: Taught, qtbot
) -> None:
    draw(taught, qtbot)
    press(taught, 7)
    taught.window.undo_action.trigger()  # the pad's Undo: the drawing is back, still kept
    qtbot.waitUntil(taught.live.is_up_to_date)
    press(taught, 1)
    assert [s.label for s in taught.store.samples()] == [1]
    assert not taught.window.canvas.has_ink()


def test_the_clear_option_is_remembered(
    taught: Taught, recognizer_thread: RunningRecognizer
) -> None:
    assert taught.teaching.clear_after_action.isChecked()  # on by default
    taught.teaching.clear_after_action.trigger()
    later = Teacher(InkCanvas(), recognizer_thread.live, taught.store, taught.settings)
    assert not later.clear_after_label()


def test_typing_into_a_text_field_does_not_label(taught: Taught, qtbot) -> None:
    field = QLineEdit()
    taught.window.add_side_panel_section(field)
    draw(taught, qtbot)
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    QTest.keyClicks(field, "42")
    assert field.text() == "42"
    assert len(taught.store) == 0
    assert taught.window.canvas.has_ink()


def test_digit_keys_clash_with_no_other_shortcut(taught: Taught, qtbot) -> None:
    draw(taught, qtbot)  # the digit actions are enabled now
    owners: dict[str, list[QAction]] = defaultdict(list)
    for action in taught.window.findChildren(QAction):
        for sequence in action.shortcuts():
            owners[sequence.toString()].append(action)
    for digit, action in enumerate(taught.teaching.digit_actions):
        assert owners[str(digit)] == [action]
        assert owners[f"Num+{digit}"] == [action]
    for sequence, actions in owners.items():
        assert sum(a.isEnabled() for a in actions) <= 1, f"{sequence} is ambiguous"
    press(taught, 6)  # and the key really works
    assert [s.label for s in taught.store.samples()] == [6]


def test_a_key_pressed_while_the_model_is_answering_waits_for_the_answer(
    taught: Taught, qtbot
) -> None:
    draw(taught, qtbot, wait=False)
    assert not taught.live.is_up_to_date()
    press(taught, 2)
    assert len(taught.store) == 0  # not yet: the answer is on its way
    qtbot.waitUntil(lambda: len(taught.store) == 1)
    (sample,) = taught.store.samples()
    assert sample.label == 2
    assert sample.predicted is not None and sample.model == "fake.keras"


def test_without_a_model_the_sample_is_kept_without_an_answer(
    qtbot, recognizer_thread: RunningRecognizer, sample_store: SampleStore, settings: QSettings
) -> None:
    canvas = InkCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(300, 300)
    canvas.stroke_finished.connect(recognizer_thread.live.finish_strokes)
    teacher = Teacher(canvas, recognizer_thread.live, sample_store, settings)
    canvas.draw_stroke([(50, 50), (200, 60), (120, 250)])
    with qtbot.waitSignal(teacher.kept):
        teacher.label(7)
    (sample,) = sample_store.samples()
    assert (sample.label, sample.predicted, sample.confidence, sample.model) == (7, None, None, "")


def test_a_store_that_fails_is_reported_and_the_drawing_stays(
    taught: Taught, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> int:
        raise StoreError(f"{taught.store.path}: could not add a sample (database or disk is full)")

    monkeypatch.setattr(taught.store, "add", full)
    draw(taught, qtbot)
    press(taught, 1)
    ((title, message),) = taught.dialogs.errors
    assert title == "Cannot keep the drawing"
    assert "disk is full" in message and "still on the pad" in message
    assert taught.window.canvas.has_ink()


def test_menus_offer_collecting_the_option_and_my_samples(taught: Taught, qtbot) -> None:
    titles = [a.text() for a in taught.window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Model", "&Teach", "&Window", "&Help"]
    teach = taught.teaching.teach_menu.actions()
    assert taught.teaching.collect.toggle_action in teach
    assert taught.teaching.clear_after_action in teach
    taught.teaching.samples_action.trigger()
    samples = taught.teaching.samples_window()
    qtbot.waitExposed(samples)
    assert samples.isVisible() and samples.windowTitle().startswith("My Samples")


def test_a_replaced_samples_file_is_reported_once_at_start_up(
    qtbot, tmp_path, built: Callable[[], Digitpad], dialogs: FakeDialogs
) -> None:
    path = store_path(tmp_path / "data")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    parts = built()
    assert parts.samples is not None and parts.samples.recovered_from is not None
    assert parts.teaching is not None
    assert dialogs.errors == []  # not before the window is up
    qtbot.waitUntil(lambda: len(dialogs.errors) == 1)
    title, message = dialogs.errors[0]
    assert title == "Your samples file was started afresh"
    assert parts.samples.recovered_from.name in message
    qtbot.wait(50)
    assert len(dialogs.errors) == 1


def test_without_a_store_the_pad_works_and_the_user_is_told(
    qtbot, monkeypatch, built: Callable[[], Digitpad], dialogs: FakeDialogs
) -> None:
    problem = "/home/user/.local/share/digitpad: cannot create the folder for samples"
    monkeypatch.setattr(app_module, "_open_samples", lambda data_dir: (None, problem))
    parts = built()
    assert parts.teaching is None and parts.samples_problem == problem
    qtbot.waitUntil(lambda: len(dialogs.errors) == 1)
    title, message = dialogs.errors[0]
    assert title == "Your samples are unavailable"
    assert problem in message
    window = parts.window
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Edit", "&View", "&Model",
                                                              "&Help"]


def test_tab_goes_from_the_pad_through_the_teach_buttons_to_the_pen_focus_in_sight(
    taught: Taught, qtbot
) -> None:
    draw(taught, qtbot)  # the digit buttons are enabled now
    window, panel = taught.window, taught.teaching.panel
    stops = tab_through(13)
    assert [widget for widget, _ in stops] == [
        panel.collect_button, *panel.buttons, window.pen_button, window.canvas]
    assert all(shown for _, shown in stops), [w for w, shown in stops if not shown]
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert window.pen_button.hasFocus()
    taught.teaching.collect.start()  # back to the pad, Collect checked: its focus shows too
    assert tab_through(1) == [(panel.collect_button, True)]


def test_digit_keys_label_wherever_the_focus_is(taught: Taught, qtbot) -> None:
    taught.teaching.clear_after_action.trigger()  # the drawing stays: one sample, relabelled
    draw(taught, qtbot)
    panel = taught.teaching.panel
    panel.buttons[2].setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(panel.buttons[2], Qt.Key.Key_6)
    assert [s.label for s in taught.store.samples()] == [6]
    panel.collect_button.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(panel.collect_button, Qt.Key.Key_4)
    assert [s.label for s in taught.store.samples()] == [4]


def test_space_on_a_teach_button_labels_and_the_pad_takes_the_next_digit(taught: Taught,
                                                                         qtbot) -> None:
    draw(taught, qtbot)
    panel = taught.teaching.panel
    panel.buttons[3].setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(panel.buttons[3], Qt.Key.Key_Space)
    assert [s.label for s in taught.store.samples()] == [3]
    assert not taught.window.canvas.has_ink()
    assert taught.window.canvas.hasFocus()  # not the next button that happened to be enabled


def test_keyboard_shortcuts_list_the_digit_keys_and_collect_once_each(taught: Taught) -> None:
    taught.window.shortcuts_action.trigger()
    rows = shortcut_rows(taught.dialogs.helps[-1][1])
    for digit in range(10):
        name = "an 8" if digit == 8 else f"a {digit}"
        assert rows[f"That was {name}"] == [str(digit)]  # the keypad's digit is no other key
    assert rows["Collect Samples"] == [native("Ctrl+T")]
    assert "Keep as Asked" in rows and "My Samples" in rows


def test_the_kept_notices_undo_is_reached_by_tab_too(taught: Taught, qtbot) -> None:
    draw(taught, qtbot)
    press(taught, 3)  # kept, the pad cleared: the digit buttons are off until the next drawing
    notice = taught.teaching.panel.notice
    stops = tab_through(3)
    assert stops == [(taught.teaching.panel.collect_button, True), (notice.undo_button, True),
                     (taught.window.pen_button, True)]
    notice.undo_button.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(notice.undo_button, Qt.Key.Key_Space)
    assert len(taught.store) == 0
