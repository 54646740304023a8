"""The whole app with the bundled model: real pen-drawn digits in, the window's answer out."""

from __future__ import annotations

import itertools
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest

from digitpad.app import Digitpad, launch, user_settings
from digitpad.ml.card import ModelCard
from digitpad.ml.ink import Drawing
from digitpad.ml.recognizer import Prediction, Recognizer
from digitpad.paths import bundled_model_path, user_data_dir
from digitpad.samples import STORE_FILE_NAME
from digitpad.ui.pad.verdict import DASH, UNSURE_BELOW, Certainty
from tests.integration.conftest import MODEL_TIMEOUT_MS
from tests.integration.window_driver import dialogs, draw, in_widget, shown_digit

SAMPLES_PER_DIGIT = 4

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore("propagateSizeHints")]


def first_of(pendigits: list[Drawing], digit: int) -> Drawing:
    return next(d for d in pendigits if d.label == digit)


def test_the_window_reads_real_pen_drawn_digits(app: Digitpad, pendigits, qtbot) -> None:
    results: dict[int, list[bool]] = {digit: [] for digit in range(10)}
    for digit in range(10):
        for drawing in [d for d in pendigits if d.label == digit][:SAMPLES_PER_DIGIT]:
            app.window.clear_action.trigger()
            draw(app, drawing, qtbot)
            results[digit].append(shown_digit(app) == digit)
            assert app.window.chart.highlighted() == shown_digit(app)
            assert app.window.preview.image() is not None
    right = sum(sum(r) for r in results.values())
    assert all(any(r) for r in results.values()), results  # every digit read at least once
    assert right >= 0.85 * 10 * SAMPLES_PER_DIGIT, results


def test_real_mouse_events_through_the_window(app: Digitpad, pendigits, qtbot) -> None:
    canvas = app.window.canvas
    four = next(d for d in pendigits if d.label == 4 and len(d.strokes) == 2)
    for first, *rest in in_widget(canvas, four):
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, first)
        for point in rest:
            QTest.mouseMove(canvas, point)
        with qtbot.waitSignal(canvas.stroke_finished):
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                               rest[-1] if rest else first)
    qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
    assert len(canvas.strokes()) == 2  # two strokes, one drawing
    assert shown_digit(app) == 4


def test_the_chart_moves_while_the_pen_is_down(app: Digitpad, pendigits, qtbot) -> None:
    """A stroke drawn at a human pace (a point every 10 ms) gets live answers before pen-up."""
    canvas = app.window.canvas
    zero = next(d for d in pendigits if d.label == 0 and len(d.strokes) == 1)
    (stroke,) = in_widget(canvas, zero)
    path = [QPoint(round(x), round(y)) for x, y in _densify(stroke, steps=4)]
    updates: list[Prediction] = []
    app.recognition.prediction_changed.connect(updates.append)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[0])
    moves = path[1:]
    drawn = 0

    def move() -> None:
        nonlocal drawn
        if drawn < len(moves):
            QTest.mouseMove(canvas, moves[drawn])
            drawn += 1

    pen = QTimer()
    pen.setInterval(10)
    pen.timeout.connect(move)
    pen.start()
    qtbot.waitUntil(lambda: drawn == len(moves), timeout=20_000)
    pen.stop()
    during = len(updates)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[-1])
    qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
    (drawn_stroke,) = canvas.strokes()
    distinct = [p for i, p in enumerate(path) if i == 0 or p != path[i - 1]]
    assert len(drawn_stroke) == len(distinct)  # every point reached the pad, at a human pace
    assert during >= 5, f"{during} live updates during a {len(path) * 10} ms stroke"
    assert len(updates) > during  # and one more for the finished stroke
    assert shown_digit(app) == 0


def _densify(stroke: list[QPoint], steps: int) -> list[tuple[float, float]]:
    points = np.array([(p.x(), p.y()) for p in stroke], dtype=float)
    fractions = np.linspace(0, 1, steps, endpoint=False)
    dense = [a + (b - a) * f for a, b in itertools.pairwise(points) for f in fractions]
    return [*map(tuple, dense), tuple(points[-1])]


def test_empty_pad_and_clear(app: Digitpad, pendigits, qtbot) -> None:
    assert app.window.panel.certainty() is Certainty.EMPTY
    assert app.window.chart.empty_text() == "Draw a digit"
    draw(app, first_of(pendigits, 3), qtbot)
    assert shown_digit(app) is not None
    app.window.clear_action.trigger()
    qtbot.waitUntil(app.recognition.is_up_to_date)
    assert app.window.panel.headline.text() == DASH
    assert app.window.panel.detail.text() == "Draw a digit"
    assert app.window.chart.empty_text() == "Draw a digit"
    assert app.window.preview.image() is None


def test_undo_and_redo_change_the_answer(app: Digitpad, pendigits, qtbot) -> None:
    four = next(d for d in pendigits if d.label == 4 and len(d.strokes) == 2)
    draw(app, four, qtbot)
    assert shown_digit(app) == 4
    app.window.undo_action.trigger()
    app.window.undo_action.trigger()
    qtbot.waitUntil(app.recognition.is_up_to_date)
    assert app.window.panel.certainty() is Certainty.EMPTY
    app.window.redo_action.trigger()
    app.window.redo_action.trigger()
    qtbot.waitUntil(app.recognition.is_up_to_date)
    assert shown_digit(app) == 4


def test_a_doubtful_drawing_is_shown_as_unsure(
    app: Digitpad, pendigits, bundled_recognizer: Recognizer, qtbot
) -> None:
    candidates = pendigits[:1500]
    predictions = bundled_recognizer.predict_drawings(candidates)
    # Well below the threshold: drawn on the pad, points land on whole pixels, which moves a
    # borderline drawing's confidence by a few points either way.
    doubtful = next(d for d, p in zip(candidates, predictions, strict=True)
                    if 0.3 < p.confidence < UNSURE_BELOW - 0.25)
    draw(app, doubtful, qtbot)
    assert app.window.panel.certainty() is Certainty.UNSURE
    assert app.window.panel.headline.text().endswith("?")
    assert app.window.panel.detail.text().startswith("Not sure (")
    assert "Could also be" in app.window.panel.detail.text()  # the runner-up is named


def test_save_png_then_open_it_as_an_image(app: Digitpad, pendigits, qtbot, tmp_path: Path) -> None:
    eight = first_of(pendigits, 8)
    draw(app, eight, qtbot)
    assert shown_digit(app) == 8
    dialogs(app).paths = [tmp_path / "eight.png", tmp_path / "eight.png"]
    app.window.save_png_action.trigger()
    app.window.clear_action.trigger()
    with qtbot.waitSignal(app.recognition.picture_opened):
        app.window.open_image_action.trigger()
    qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
    assert app.window.canvas.picture() is not None
    assert shown_digit(app) == 8


def test_an_unreadable_image_is_explained_and_the_answer_kept(
    app: Digitpad, pendigits, qtbot, tmp_path: Path
) -> None:
    draw(app, first_of(pendigits, 2), qtbot)
    before = app.window.panel.headline.text()
    bad = tmp_path / "scan.jpg"
    bad.write_bytes(b"\x00not really a jpeg")
    dialogs(app).paths = [bad]
    app.window.open_image_action.trigger()
    ((title, message),) = dialogs(app).errors
    assert title == "Cannot open the image" and str(bad) in message
    assert app.window.panel.headline.text() == before
    assert app.window.canvas.has_ink()


def test_ink_saved_and_opened_again_reads_the_same(app, pendigits, qtbot, tmp_path: Path) -> None:
    five = first_of(pendigits, 5)
    draw(app, five, qtbot)
    strokes, image = app.window.canvas.strokes(), app.recognition.current_input()
    answer = app.window.panel.headline.text()
    dialogs(app).paths = [tmp_path / "five.json", tmp_path / "five.json"]
    app.window.save_ink_action.trigger()
    app.window.clear_action.trigger()
    app.window.open_ink_action.trigger()
    qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
    for opened, drawn in zip(app.window.canvas.strokes(), strokes, strict=True):
        np.testing.assert_allclose(opened, drawn)
    np.testing.assert_allclose(app.recognition.current_input(), image, atol=1e-6)
    assert app.window.panel.headline.text() == answer


def test_a_broken_model_is_explained_and_the_app_keeps_its_model(
    app: Digitpad, pendigits, qtbot, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"PK\x03\x04 truncated")
    dialogs(app).paths = [broken]
    with qtbot.waitSignal(app.recognition.model_failed, timeout=MODEL_TIMEOUT_MS):
        app.window.load_model_action.trigger()
    ((title, message),) = dialogs(app).errors
    assert title == "Cannot load the model"
    assert str(broken) in message and "keeps using digitpad-cnn.keras" in message
    assert app.window.model_status.text() == "Model: digitpad-cnn.keras"
    draw(app, first_of(pendigits, 6), qtbot)
    assert shown_digit(app) == 6


def test_load_another_model_then_reset_to_the_bundled_one(app: Digitpad, qtbot, tmp_path) -> None:
    other = tmp_path / "other.keras"
    shutil.copy(bundled_model_path(), other)
    # A model and its card travel together: the card names a twelve-output model's outputs.
    shutil.copy(ModelCard.path_for(bundled_model_path()), ModelCard.path_for(other))
    dialogs(app).paths = [other]
    with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_TIMEOUT_MS):
        app.window.load_model_action.trigger()
    assert app.window.model_status.text() == "Model: other.keras"
    with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_TIMEOUT_MS):
        app.window.reset_model_action.trigger()
    assert app.window.model_status.text() == "Model: digitpad-cnn.keras"


def test_model_summary_and_card_figures(app: Digitpad) -> None:
    app.window.summary_action.trigger()
    app.window.card_action.trigger()
    (_, summary, _), (_, card, _) = dialogs(app).documents
    assert "Total params" in summary and "<th align='left'>Layer</th>" in summary
    assert card.startswith("# Model card: `digitpad-cnn.keras`")  # the one written beside it


@pytest.fixture
def window_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests of this run import TensorFlow; the app's own process never does (the
    self-test checks it, and ``test_selftest.py`` runs it in a fresh interpreter too)."""
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)


def test_self_test_launches_and_passes(capsys: pytest.CaptureFixture[str], window_process
                                       ) -> None:
    assert launch(self_test=True) == 0
    out = capsys.readouterr().out
    assert "self-test: OK" in out


def test_the_self_test_leaves_the_users_samples_and_settings_alone(capsys, window_process
                                                                  ) -> None:
    data_dir = user_data_dir()
    assert launch(self_test=True) == 0
    assert not (data_dir / STORE_FILE_NAME).exists()
    assert not user_settings().allKeys()


def _model_that_refuses(path: Path) -> Path:
    """A twelve-output model (card and LiteRT form as digitpad writes them) that takes every
    drawing for no digit: what the window shows then does not depend on a drawing."""
    import keras

    from digitpad.ml.card import ModelCard
    from digitpad.ml.modelstore import save_model
    from digitpad.ml.outputs import NOT_A_DIGIT, OUTPUT_NAMES

    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(len(OUTPUT_NAMES), activation="softmax")])
    kernel, bias = model.layers[-1].get_weights()
    bias[NOT_A_DIGIT] = 8.0
    model.layers[-1].set_weights([np.zeros_like(kernel), bias])
    save_model(model, path, ModelCard(architecture="mlp", outputs=list(OUTPUT_NAMES)))
    return path


def test_a_model_that_says_not_a_digit_is_shown_as_such(
    app: Digitpad, pendigits, qtbot, tmp_path: Path
) -> None:
    library = tmp_path / "data" / "models"  # where digitpad keeps the models it trained
    refusing = _model_that_refuses(library / "refuses.keras")
    for _ in range(2):
        dialogs(app).paths = [refusing]
        with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_TIMEOUT_MS):
            app.window.load_model_action.trigger()
        draw(app, first_of(pendigits, 3), qtbot)
        assert app.window.panel.headline.text() == "Not a digit"
        assert app.window.panel.certainty() is Certainty.NOT_A_DIGIT
        assert app.window.panel.detail.text().startswith("100% sure it is none")
        assert app.window.chart.highlighted() is None  # no bar stands out
        with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_TIMEOUT_MS):
            app.window.reset_model_action.trigger()
        qtbot.waitUntil(app.recognition.is_up_to_date, timeout=5000)
        assert shown_digit(app) == 3  # the same drawing, read by the bundled model
        app.window.clear_action.trigger()
