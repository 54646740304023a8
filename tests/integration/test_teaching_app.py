"""Teaching the whole app with the bundled model: real pen-drawn digits kept with their key."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from digitpad.app import Digitpad
from digitpad.ml.ink import Drawing
from digitpad.ml.recognizer import Prediction, Recognizer
from digitpad.ui.teaching.teaching import Teaching

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore("propagateSizeHints")]


def teaching(app: Digitpad) -> Teaching:
    assert app.teaching is not None
    return app.teaching


def draw(app: Digitpad, drawing: Drawing, qtbot) -> Prediction:
    """Draw a pen-drawn sample through the pad as a user would; the answer the window shows."""
    canvas = app.window.canvas
    points = np.concatenate(drawing.strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = 600.0 / max(float((high - low).max()), 1e-9)
    shown: list[Prediction] = []
    app.recognition.prediction_changed.connect(shown.append)
    for stroke in drawing.strokes:
        pad = (stroke - (low + high) / 2) * scale + 500.0
        canvas.draw_stroke([(p.x(), p.y()) for p in (canvas.to_widget(x, y) for x, y in pad)])
    qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
    app.recognition.prediction_changed.disconnect(shown.append)
    return shown[-1]


def press(app: Digitpad, key: Qt.Key) -> None:
    QTest.keyClick(app.window.canvas, key)


def digit_key(digit: int) -> Qt.Key:
    return Qt.Key(Qt.Key.Key_0.value + digit)


def test_a_misread_digit_is_kept_with_its_key_and_undone(
    app: Digitpad, pendigits: list[Drawing], bundled_recognizer: Recognizer, qtbot
) -> None:
    candidates = pendigits[:1000]
    predictions = bundled_recognizer.predict_drawings(candidates)
    misread = next(d for d, p in zip(candidates, predictions, strict=True) if p.digit != d.label)
    assert misread.label is not None
    shown = draw(app, misread, qtbot)
    assert shown.digit != misread.label  # the window gets it wrong too
    seen = app.window.preview.image()
    strokes = app.window.canvas.strokes()

    press(app, digit_key(misread.label))
    (sample,) = app.samples.samples() if app.samples is not None else ()
    assert sample.label == misread.label
    assert (sample.predicted, sample.model) == (shown.digit, "digitpad-cnn.keras")
    assert sample.confidence == pytest.approx(shown.confidence, abs=1e-6)
    np.testing.assert_allclose(sample.image, seen, atol=1 / 255)
    assert not app.window.canvas.has_ink()
    notice = teaching(app).panel.notice
    assert notice.text().endswith(f"the model read {shown.digit}.")

    QTest.mouseClick(notice.undo_button, Qt.MouseButton.LeftButton)
    assert len(app.samples) == 0
    np.testing.assert_allclose(app.window.canvas.strokes()[0], strokes[0])


def test_collect_mode_keeps_each_drawing_as_the_digit_asked_for(
    app: Digitpad, pendigits: list[Drawing], qtbot
) -> None:
    collect = teaching(app).collect
    QTest.keyClick(app.window.canvas, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    asked: list[int] = []
    for round_ in range(6):
        digit = collect.asked()
        assert digit is not None
        writer_sample = [d for d in pendigits if d.label == digit][round_]
        draw(app, writer_sample, qtbot)
        press(app, Qt.Key.Key_Return)
        asked.append(digit)
    press(app, Qt.Key.Key_Escape)
    assert not collect.is_active()
    assert app.samples is not None
    kept = app.samples.samples()
    assert [s.label for s in kept] == asked
    assert all(s.predicted is not None and s.model == "digitpad-cnn.keras" for s in kept)
    assert sum(s.predicted == s.label for s in kept) >= 5  # real digits, mostly read right


def test_my_samples_shows_how_the_model_reads_them(
    app: Digitpad, pendigits: list[Drawing], bundled_recognizer: Recognizer, qtbot
) -> None:
    drawings = [next(d for d in pendigits if d.label == digit) for digit in (2, 5, 9)]
    for drawing in drawings:
        draw(app, drawing, qtbot)
        assert drawing.label is not None
        press(app, digit_key(drawing.label))
    QTest.keyClick(app.window.canvas, Qt.Key.Key_M,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window = teaching(app).samples_window()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.samples.guess_summary()[1] == 3, timeout=10_000)
    right = sum(p.digit == d.label
                for d, p in zip(drawings, bundled_recognizer.predict_drawings(drawings),
                                strict=True))
    assert window.summary.text().startswith(f"digitpad-cnn.keras reads {right} of 3 right")
