"""View → Inside the Model in the real app: the bundled CNN's layers prepared by a real conversion
child, live while a real pen digit is drawn, a kernel as Keras has it; then the tutorial's MLP and
back, twice, each model's layers shown, each prepared once."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest

from digitpad.app import Digitpad
from digitpad.ml.conversion import convert_file
from digitpad.ml.ink import Drawing
from digitpad.ml.recognizer import load_keras_model
from digitpad.paths import bundled_model_path, litert_cache_dir
from digitpad.ui.inside.pictures import Kind
from tests.integration.conftest import MODEL_TIMEOUT_MS, downloaded_mlp
from tests.integration.window_driver import dialogs, in_widget, shown_digit

PREPARED_MS = 240_000
"""A conversion child starts TensorFlow and converts: seconds on a quiet machine, more on a busy
one."""

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore("propagateSizeHints"), pytest.mark.timeout(900)]


def titles(app: Digitpad) -> list[str]:
    return [row.title for row in app.inside.view.stack.rows()]


def shown_for(app: Digitpad, path: Path, qtbot) -> None:
    """Wait until the panel shows the layers of the model at ``path`` for the drawing."""
    qtbot.waitUntil(lambda: (app.recognition.model() is not None
                             and app.recognition.model().path == path
                             and app.inside.is_up_to_date()), timeout=PREPARED_MS)


def draw_live(app: Digitpad, drawing: Drawing, qtbot) -> int:
    """Draw ``drawing`` with real mouse events, a point every 10 ms; returns how often the
    panel was updated while the pen was down."""
    canvas = app.window.canvas
    updates = []
    show = app.inside.view.set_outputs
    app.inside.view.set_outputs = lambda image, outputs: (updates.append(1), show(image, outputs))
    during = 0
    for stroke in in_widget(canvas, drawing):
        points = [a + (b - a) * f for a, b in itertools.pairwise(stroke)
                  for f in (0.0, 0.25, 0.5, 0.75)] + [stroke[-1]]
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
        moved = [0]

        def move(points: list[QPoint] = points, moved: list[int] = moved) -> None:
            if moved[0] < len(points):
                QTest.mouseMove(canvas, points[moved[0]])
                moved[0] += 1

        pen = QTimer(interval=10)
        pen.timeout.connect(move)
        pen.start()
        qtbot.waitUntil(lambda moved=moved, points=points: moved[0] == len(points),
                        timeout=30_000)
        pen.stop()
        during += len(updates)
        updates.clear()
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])
    qtbot.waitUntil(lambda: app.recognition.is_up_to_date() and app.inside.is_up_to_date(),
                    timeout=5000)
    del app.inside.view.set_outputs
    return during


def click_unit(app: Digitpad, row: int, unit: int) -> None:
    stack = app.inside.view.stack
    rect = stack.unit_rect(row, unit)
    assert rect is not None
    app.inside.view.scroll.ensureVisible(round(rect.center().x()), round(rect.center().y()))
    QTest.mouseClick(stack, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())


def test_inside_the_bundled_cnn_and_the_tutorial_mlp_live_and_switching_twice(
    app: Digitpad, pendigits: list[Drawing], qtbot, tmp_path: Path
) -> None:
    mlp = downloaded_mlp(tmp_path)
    convert_file(mlp, litert_cache_dir(tmp_path / "data"))  # its layers are the app's to make
    seven = next(d for d in pendigits if d.label == 7 and len(d.strokes) == 1)

    app.inside.dock.toggleViewAction().trigger()
    qtbot.waitUntil(app.inside.status.isVisible)  # a conversion child prepares the layers
    shown_for(app, bundled_model_path(), qtbot)
    assert not app.inside.status.isVisible()
    cnn = load_keras_model(bundled_model_path())
    assert titles(app) == ["input", *(f"{layer.name} ({type(layer).__name__})"
                                      for layer in cnn.layers)]

    during = draw_live(app, seven, qtbot)
    assert during >= 5, f"{during} updates of the panel while the pen was down"
    rows = app.inside.view.stack.rows()
    np.testing.assert_array_equal(rows[0].picture.values, app.recognition.current_input())
    assert rows[2].picture.values is not None and rows[2].picture.values.shape == (28, 28, 32)
    answer = rows[-1].picture
    assert answer.kind is Kind.BARS and answer.values is not None
    assert int(np.argmax(answer.values)) == shown_digit(app)  # the chart's answer
    click_unit(app, 2, 4)  # conv2d, filter 4: its kernel as Keras has it
    kernel = app.inside.view.detail.weights_view.picture()
    assert kernel is not None and kernel.values is not None
    np.testing.assert_array_equal(kernel.values, cnn.get_layer("conv2d").get_weights()[0][..., 4])

    for _ in range(2):
        dialogs(app).paths = [mlp]
        with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_TIMEOUT_MS):
            app.window.load_model_action.trigger()
        shown_for(app, mlp, qtbot)
        assert titles(app)[1:] == [f"{layer.name} ({type(layer).__name__})"
                                   for layer in load_keras_model(mlp).layers]
        assert app.inside.view.stack.rows()[2].picture.values is not None  # the drawing's
        click_unit(app, 2, 9)
        weights = app.inside.view.detail.weights_view.picture()
        assert weights is not None and weights.shape == (28, 28)
        with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_TIMEOUT_MS):
            app.window.reset_model_action.trigger()
        shown_for(app, bundled_model_path(), qtbot)
        assert len(titles(app)) == len(cnn.layers) + 1
    assert dialogs(app).errors == []
    cache = litert_cache_dir(tmp_path / "data")
    assert len(list(cache.glob("*.layers.tflite"))) == len(list(cache.glob("*.weights.npz"))) == 2
