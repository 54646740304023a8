"""A number drawn on the real window with the bundled model: the number large, a box per digit,
and the digit the user picks (click, Tab, arrows) in the preview and the chart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from digitpad.app import Digitpad
from digitpad.ml.ink import Drawing
from digitpad.ml.number_synthesis import compose_number, synthesise_numbers
from digitpad.ml.numbers import read_number
from digitpad.ml.recognizer import Recognizer
from digitpad.ui.pad.verdict import DASH
from tests.integration.window_driver import dialogs, draw, shown_digit
from tests.unit.ml.number_pictures import draw_ink

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore("propagateSizeHints")]


def shown_number(app: Digitpad) -> str:
    return "".join(button.text() for button in app.window.panel.digit_buttons())


def selected_digit(app: Digitpad) -> int:
    return next(n for n, b in enumerate(app.window.panel.digit_buttons()) if b.isChecked())


def test_numbers_are_read_boxed_and_their_digits_selectable(
    app: Digitpad, pendigits: list[Drawing], bundled_recognizer: Recognizer, qtbot
) -> None:
    numbers = synthesise_numbers(pendigits, 3, (3, 4), seed=12)
    right = 0
    for number in numbers:
        draw(app, Drawing(number.strokes), qtbot)
        reading = read_number(app.window.canvas.strokes(), bundled_recognizer)
        assert reading.is_number()
        # What the window shows is the reading of what is on the pad, digit by digit.
        assert shown_number(app) == reading.text
        right += shown_number(app) == number.text
        marks = app.window.canvas.marks()
        assert len(marks) == len(reading.digits)
        assert [m.box for m in marks] == [d.box for d in reading.digits]
        assert selected_digit(app) == len(reading.digits) - 1  # the digit drawn last
        assert sum(m.selected for m in marks) == 1 and marks[-1].selected

        qtbot.mouseClick(app.window.panel.digit_buttons()[0], Qt.MouseButton.LeftButton)
        assert selected_digit(app) == 0 and app.window.canvas.marks()[0].selected
        np.testing.assert_array_equal(app.window.preview.image(), reading.digits[0].image)
        np.testing.assert_allclose(app.window.chart.probabilities(),
                                   reading.digits[0].probabilities, atol=1e-6)

        QTest.keyClick(app.window.canvas, Qt.Key.Key_Tab)
        assert selected_digit(app) == 1
        assert app.window.canvas.hasFocus()  # Tab moved through the number, not the focus
        QTest.keyClick(app.window.canvas, Qt.Key.Key_Left)
        QTest.keyClick(app.window.canvas, Qt.Key.Key_Left)
        assert selected_digit(app) == len(reading.digits) - 1  # wraps around
        np.testing.assert_allclose(app.window.chart.probabilities(),
                                   reading.digits[-1].probabilities, atol=1e-6)

        app.window.clear_action.trigger()
        qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
        assert app.window.canvas.marks() == () and app.window.panel.digit_buttons() == []
        assert app.window.panel.headline.text() == DASH
    assert right >= 2, f"{right} of {len(numbers)} numbers read right"


def test_a_single_digit_looks_as_it_always_did(app: Digitpad, pendigits: list[Drawing],
                                               qtbot) -> None:
    for drawing in [d for d in pendigits if d.label == 5][:2]:
        draw(app, drawing, qtbot)
        assert app.window.canvas.marks() == ()
        assert app.window.panel.digit_buttons() == []
        assert shown_digit(app) == 5
        QTest.keyClick(app.window.canvas, Qt.Key.Key_Tab)  # nothing to step through
        assert shown_digit(app) == 5
        app.window.clear_action.trigger()


def test_typing_a_number_keeps_each_digit_as_a_sample(app: Digitpad, pendigits: list[Drawing],
                                                      qtbot) -> None:
    assert app.teaching is not None and app.samples is not None
    store = app.samples
    for number in synthesise_numbers(pendigits, 2, (3, 3), seed=5):
        draw(app, Drawing(number.strokes), qtbot)
        reading = app.recognition.reading()
        assert reading is not None and len(reading.digits) == 3
        groups = [[app.window.canvas.strokes()[i] for i in d.strokes] for d in reading.digits]
        typed = "".join(str(d) for d in number.digits)
        for key in typed[:-1]:
            QTest.keyClick(app.window.canvas, key)
        assert len(store) == 0  # nothing kept before the number is whole
        assert app.teaching.panel.notice.message.text().startswith(f"That was {typed[:-1]}")
        QTest.keyClick(app.window.canvas, typed[-1])
        samples = sorted(store.samples(), key=lambda s: s.id)
        assert [s.label for s in samples] == list(number.digits)
        for sample, strokes, digit in zip(samples, groups, reading.digits, strict=True):
            assert len(sample.drawing.strokes) == len(strokes)
            for kept, drawn in zip(sample.drawing.strokes, strokes, strict=True):
                np.testing.assert_allclose(kept, drawn, atol=1e-3)
            assert sample.predicted == digit.digit
        assert not app.window.canvas.has_ink()  # cleared for the next one
        app.teaching.panel.notice.undo_button.click()  # all of the number comes back
        assert len(store) == 0 and app.window.canvas.has_ink()
        app.window.clear_action.trigger()


def test_a_picture_of_a_number_is_read_with_its_digits_boxed_on_the_picture(
    app: Digitpad, pendigits: list[Drawing], qtbot, tmp_path: Path
) -> None:
    writer = [d for d in pendigits if d.extra["writer"] == "tra_w09"]
    rng = np.random.default_rng(3)
    for n, (wanted, dark_on_light) in enumerate((((2, 0, 7), True), ((3, 1, 4, 5), False))):
        digits = [next(d for d in writer if d.label == digit) for digit in wanted]
        number = compose_number(digits, rng, gaps=[0.4] * (len(digits) - 1))
        picture = draw_ink(number.strokes, dark_on_light=dark_on_light)
        path = tmp_path / f"number-{n}.png"
        picture.image.save(path)
        dialogs(app).paths = [path]
        app.window.open_image_action.trigger()
        qtbot.waitUntil(lambda: app.recognition.reading() is not None
                        and app.recognition.is_up_to_date(), timeout=5000)
        assert shown_number(app) == number.text
        marks = app.window.canvas.marks()
        assert len(marks) == len(wanted)
        # Each box sits on the pad where its digit shows, left to right, inside the pad.
        lefts = [m.box[0] for m in marks]
        assert lefts == sorted(lefts) and all(0 <= m.box[0] < m.box[2] <= 1000 for m in marks)
        qtbot.mouseClick(app.window.panel.digit_buttons()[1], Qt.MouseButton.LeftButton)
        assert app.window.chart.highlighted() == wanted[1]
        app.window.clear_action.trigger()
        qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
        assert app.window.canvas.marks() == ()
