"""What the composition root wires across windows, as a user meets it: an opened image that Undo
takes back, Retrain opening beside the window, and quitting while a model trains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QScreen

import digitpad.ui.training.dialog as training_dialog
from digitpad.app import KEEP_TRAINING, STOP_AND_QUIT, Digitpad
from digitpad.ui.support.dialogs import image_filter, image_format_names
from digitpad.ui.training.runner import TrainingRunner
from tests.unit.ui import training_work
from tests.unit.ui.fakes import FakeDialogs

RUN_MS = 30_000
"""A stand-in training run: one Python process start."""


@pytest.fixture
def app(shown: Digitpad, qtbot) -> Digitpad:
    """The app as built, shown, with the fake model loaded."""
    with qtbot.waitSignal(shown.recognition.model_ready):
        shown.recognition.load_model("/models/fake.keras")
    return shown


def draw(app: Digitpad, qtbot) -> None:
    canvas = app.window.canvas
    canvas.draw_stroke([(p.x(), p.y()) for p in (canvas.to_widget(300, 250),
                        canvas.to_widget(700, 250), canvas.to_widget(450, 800))])
    qtbot.waitUntil(app.recognition.is_up_to_date)


def test_undo_brings_back_the_drawing_an_opened_image_replaced(
        app: Digitpad, dialogs: FakeDialogs, qtbot, tmp_path: Path) -> None:
    window, recognition = app.window, app.recognition
    draw(app, qtbot)
    drawn_input = recognition.current_input()
    photo = np.full((80, 60), 255, np.uint8)
    photo[15:65, 20:40] = 0  # a thick dark bar on white paper
    Image.fromarray(photo).save(tmp_path / "photo.png")
    dialogs.paths = [tmp_path / "photo.png"]
    with qtbot.waitSignal(recognition.picture_opened):
        window.open_image_action.trigger()
    qtbot.waitUntil(recognition.is_up_to_date)
    picture_input = recognition.current_input()
    assert window.canvas.picture() is not None and not window.canvas.has_ink()
    assert window.undo_action.isEnabled()

    window.undo_action.trigger()  # the drawing as it was, read as it was
    qtbot.waitUntil(recognition.is_up_to_date)
    assert window.canvas.picture() is None and len(window.canvas.strokes()) == 1
    np.testing.assert_array_equal(recognition.current_input(), drawn_input)
    np.testing.assert_array_equal(window.preview.image(), drawn_input)

    window.redo_action.trigger()  # and the picture again
    qtbot.waitUntil(recognition.is_up_to_date)
    assert window.canvas.picture() is not None
    np.testing.assert_array_equal(recognition.current_input(), picture_input)


@pytest.mark.parametrize(("screen", "at_x"), [(QRect(0, 0, 2560, 1440), 0),
                                               (QRect(0, 0, 1920, 1080), 400)])
def test_retrain_opens_beside_the_window_where_the_screen_allows(
        app: Digitpad, monkeypatch: pytest.MonkeyPatch, screen: QRect, at_x: int) -> None:
    """Beside the whole window on a wide screen; beside the pad, over the side panel, where
    the window leaves too little room."""
    monkeypatch.setattr(QScreen, "availableGeometry", lambda self: screen)
    window = app.window
    window.resize(1120, 680)
    window.move(at_x, 0)
    window.retrain_action.trigger()
    dialog = app.training
    assert dialog.isVisible()
    placed = dialog.frameGeometry()
    pad = QRect(window.canvas.mapToGlobal(QPoint()), window.canvas.size())
    assert not placed.intersects(pad)
    assert screen.contains(placed)
    if screen.width() > 2200:
        assert not placed.intersects(window.frameGeometry())
    dialog.close()


@pytest.fixture
def stand_in_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retrain's runs are stand-ins that train until cancelled (no TensorFlow)."""
    monkeypatch.setattr(training_dialog, "TrainingRunner",
                        lambda: TrainingRunner(training_work.train_until_stopped))


def test_quitting_while_a_model_trains_asks_first(
        app: Digitpad, dialogs: FakeDialogs, qtbot, stand_in_training) -> None:
    window = app.window
    window.retrain_action.trigger()
    dialog = app.training
    dialog.dialogs = FakeDialogs()
    with qtbot.waitSignal(dialog.runner.batch_ended, timeout=RUN_MS):
        dialog.train_button.click()

    dialogs.answers = [1]
    window.quit_action.trigger()
    ((title, message, choices),) = dialogs.questions
    assert choices == (STOP_AND_QUIT, KEEP_TRAINING)
    assert title == "Training is still running" and "not kept" in message
    assert window.isVisible() and dialog.is_running()  # nothing happened

    dialogs.answers = [0]
    with qtbot.waitSignal(dialog.runner.cancelled, timeout=RUN_MS):
        window.quit_action.trigger()
        assert not window.isVisible()
    assert len(dialogs.questions) == 2


def test_quitting_with_no_training_running_asks_nothing(app: Digitpad,
                                                        dialogs: FakeDialogs) -> None:
    app.window.retrain_action.trigger()  # open, but idle
    app.window.quit_action.trigger()
    assert not app.window.isVisible() and dialogs.questions == []


def test_every_format_the_open_image_filter_lists_opens(app: Digitpad, dialogs: FakeDialogs,
                                                        qtbot, tmp_path: Path) -> None:
    """The filter lists what the model and the pad both read, WebP included, and nothing
    that fails: each extension, as Pillow writes such a file, opens and is read."""
    listed = image_filter().split(";;")[0].removeprefix("Images (").removesuffix(")").split()
    assert {"*.png", "*.jpg", "*.jpeg", "*.bmp", "*.gif", "*.webp", "*.tif", "*.tiff"} <= set(
        listed)
    photo = np.full((40, 30), 255, np.uint8)
    photo[8:32, 12:18] = 0
    for pattern in listed:
        path = tmp_path / pattern.replace("*", "photo")
        Image.fromarray(photo).save(path, format=Image.registered_extensions()[path.suffix])
        dialogs.paths = [path]
        with qtbot.waitSignal(app.recognition.picture_opened):
            app.window.open_image_action.trigger()
        qtbot.waitUntil(app.recognition.is_up_to_date)
        picture = app.window.canvas.picture()
        assert picture is not None and not picture.isNull(), pattern
        assert app.recognition.current_input() is not None, pattern
    assert dialogs.errors == []
    assert image_format_names() == "PNG, JPEG, BMP, GIF, WebP or TIFF"
