"""Live recognition: throttled while drawing, immediate at pen-up, never showing stale answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QObject, QThread, QTimer, Signal

from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import Prediction
from digitpad.ui.pad.recognition import LIVE_INTERVAL_MS, LiveRecognition
from digitpad.ui.pad.workers import RecognizerWorker
from tests.unit.ui.fakes import GatedModel

SEVEN = (np.array([[0.0, 0.0], [10.0, 0.0], [4.0, 14.0]]),)
ONE = (np.array([[5.0, 0.0], [5.0, 14.0]]),)


@pytest.fixture
def models() -> dict[str, object]:
    return {}


@pytest.fixture
def recognition(models: dict[str, object], qtbot) -> Iterator[LiveRecognition]:
    def load(path: Path) -> object:
        model = models.setdefault(path.name, GatedModel(path.name, gate_open=True))
        if isinstance(model, Exception):
            raise model
        return model

    worker = RecognizerWorker(load)
    thread = QThread()
    worker.moveToThread(thread)
    thread.start()
    live = LiveRecognition(worker)
    yield live
    thread.quit()
    thread.wait()


def ready(live: LiveRecognition, qtbot, path: str = "/m/gated.keras") -> None:
    with qtbot.waitSignal(live.model_ready):
        live.load_model(path)


def test_loading_a_model_reports_progress_then_the_model(recognition, qtbot) -> None:
    loading: list[str] = []
    recognition.model_loading.connect(loading.append)
    with qtbot.waitSignal(recognition.model_ready, timeout=5000):
        recognition.load_model("/m/first.keras")
        assert recognition.is_loading()
    assert loading == ["first.keras"]
    assert recognition.model() is not None and recognition.model().name == "first.keras"
    assert not recognition.is_loading()


def test_an_empty_pad_is_answered_at_once_without_the_model(recognition, qtbot) -> None:
    with qtbot.waitSignal(recognition.prediction_changed, timeout=0) as shown:
        recognition.finish_strokes(())
    assert shown.args[0].digit is None
    assert recognition.current_input() is None and recognition.is_up_to_date()


def test_pen_up_classifies_the_drawing_right_away(recognition: LiveRecognition, qtbot) -> None:
    ready(recognition, qtbot)
    inputs: list[np.ndarray | None] = []
    recognition.input_changed.connect(inputs.append)
    with qtbot.waitSignal(recognition.prediction_changed) as shown:
        recognition.finish_strokes(SEVEN)
    assert len(inputs) == 1  # the preview got the model input immediately
    np.testing.assert_array_equal(inputs[0], ink_to_image(SEVEN))
    assert shown.args[0].digit is not None
    assert recognition.is_up_to_date()


def test_a_burst_of_pen_moves_is_throttled_to_the_latest(
    recognition, models: dict[str, object], qtbot
) -> None:
    ready(recognition, qtbot)
    inputs: list[np.ndarray | None] = []
    recognition.input_changed.connect(inputs.append)
    for _ in range(100):
        recognition.update_strokes(SEVEN)
    recognition.update_strokes(ONE)
    qtbot.waitUntil(lambda: len(inputs) == 2, timeout=LIVE_INTERVAL_MS * 20)
    np.testing.assert_array_equal(inputs[0], ink_to_image(SEVEN))
    np.testing.assert_array_equal(inputs[-1], ink_to_image(ONE))
    qtbot.waitUntil(recognition.is_up_to_date)
    # The first move was read at once, the other hundred as one at the end of the interval.
    assert len(models["gated.keras"].seen) == 2


def test_live_updates_keep_coming_while_the_pen_moves(recognition: LiveRecognition, qtbot) -> None:
    ready(recognition, qtbot)
    inputs: list[object] = []
    recognition.input_changed.connect(inputs.append)
    moves_left = [200]

    def move() -> None:
        if moves_left[0]:
            moves_left[0] -= 1
            recognition.update_strokes(SEVEN)

    pen = QTimer()
    pen.setInterval(4)
    pen.timeout.connect(move)
    pen.start()
    qtbot.waitUntil(lambda: len(inputs) >= 5, timeout=5000)
    pen.stop()
    assert moves_left[0] > 0  # five updates came while the pen was still moving


def test_an_answer_for_a_drawing_cleared_since_is_not_shown(
    recognition: LiveRecognition, models: dict[str, object], qtbot
) -> None:
    ready(recognition, qtbot)
    model = models["gated.keras"]
    model.gate.clear()
    shown: list[Prediction] = []
    recognition.prediction_changed.connect(shown.append)
    recognition.finish_strokes(SEVEN)  # being classified, slowly...
    recognition.finish_strokes(())  # ...when the user clears the pad
    assert [p.digit for p in shown] == [None]
    model.gate.set()
    qtbot.waitUntil(lambda: len(model.seen) == 1)
    with qtbot.assertNotEmitted(recognition.prediction_changed, wait=100):
        pass
    assert [p.digit for p in shown] == [None]


def test_an_unreadable_image_is_reported_and_nothing_changes(
    recognition: LiveRecognition, qtbot, tmp_path: Path
) -> None:
    ready(recognition, qtbot)
    with qtbot.waitSignal(recognition.prediction_changed):
        recognition.finish_strokes(SEVEN)
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    with qtbot.waitSignal(recognition.error) as error, \
            qtbot.assertNotEmitted(recognition.input_changed):
        recognition.open_image(str(bad))
    title, message = error.args
    assert title == "Cannot open the image"
    assert str(bad) in message and "PNG, JPEG, BMP, GIF, WebP or TIFF" in message
    np.testing.assert_array_equal(recognition.current_input(), ink_to_image(SEVEN))


def test_an_image_is_classified(recognition: LiveRecognition, qtbot, tmp_path: Path) -> None:
    ready(recognition, qtbot)
    picture = np.full((60, 40), 255, np.uint8)
    picture[10:50, 18:22] = 0  # a dark "1" on white paper
    path = tmp_path / "one.png"
    Image.fromarray(picture).save(path)
    opened: list[str] = []
    recognition.picture_opened.connect(lambda path, gray: opened.append(path))
    with qtbot.waitSignal(recognition.prediction_changed):
        recognition.open_image(str(path))
    assert opened == [str(path)]
    assert recognition.current_input() is not None
    assert recognition.current_input().shape == (28, 28)


def test_a_new_model_reclassifies_the_current_drawing(recognition: LiveRecognition, qtbot) -> None:
    ready(recognition, qtbot)
    with qtbot.waitSignal(recognition.prediction_changed):
        recognition.finish_strokes(SEVEN)
    with qtbot.waitSignals([recognition.model_ready, recognition.prediction_changed],
                           order="strict"):
        recognition.load_model("/m/other.keras")
    assert recognition.model().name == "other.keras"


def test_a_failed_load_says_whether_the_old_model_remains(
    recognition: LiveRecognition, models: dict[str, object], qtbot
) -> None:
    models["broken.keras"] = OSError("disk on fire")
    said = ("/m/broken.keras: disk on fire. Check that the file is there and that you may read "
            "it, or choose another model.")
    with qtbot.waitSignal(recognition.model_failed) as failed:
        recognition.load_model("/m/broken.keras")
    assert failed.args == ["/m/broken.keras", said, False]
    ready(recognition, qtbot)
    with qtbot.waitSignal(recognition.model_failed) as failed:
        recognition.load_model("/m/broken.keras")
    assert failed.args == ["/m/broken.keras", said, True]
    assert recognition.model().name == "gated.keras"


def test_a_live_update_due_after_stop_never_reaches_the_worker(qtbot) -> None:
    """At shutdown the worker goes away; the throttled update still pending must not call it."""
    submitted: list[int] = []

    class Worker(QObject):
        model_loaded = Signal(object)
        model_failed = Signal(str, str)
        conversion_needed = Signal(str)
        predicted = Signal(object)

        def load_model(self, path: str) -> None:
            raise AssertionError("no model is loaded in this test")

        def set_sevens(self, sevens: object) -> None:
            raise AssertionError("the convention does not change in this test")

        def submit_strokes(self, request_id: int, strokes: object) -> None:
            submitted.append(request_id)

    recognition = LiveRecognition(Worker())  # type: ignore[arg-type]
    stroke = [np.array([[0.0, 0.0], [10.0, 10.0]])]
    recognition.update_strokes(stroke)  # first update goes out at once
    recognition.update_strokes([*stroke, np.array([[5.0, 0.0], [5.0, 10.0]])])  # throttled
    recognition.stop()
    qtbot.wait(LIVE_INTERVAL_MS * 3)
    assert submitted == [1]
