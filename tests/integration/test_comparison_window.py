"""Model → Compare With in the real app: the tutorial's MLP, prepared by a real conversion child,
reads the same pen digits as the bundled CNN, its bars beside the CNN's; the bundled model and
the MLP again, twice; a broken file is explained and nothing else changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digitpad.app import Digitpad
from digitpad.ml.ink import Drawing
from digitpad.ml.recognizer import Recognizer
from digitpad.paths import bundled_model_path, litert_cache_dir
from digitpad.ui.pad.verdict import digit_caption
from tests.integration.conftest import downloaded_mlp
from tests.integration.window_driver import dialogs, draw, shown_digit

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore("propagateSizeHints"), pytest.mark.timeout(900)]

PREPARED_MS = 240_000
"""A conversion child starts TensorFlow and converts: seconds on a quiet machine, more on a busy
one."""


def compared_for(app: Digitpad, path: Path, qtbot) -> None:
    qtbot.waitUntil(lambda: (app.comparison.other() is not None
                             and app.comparison.other().path == path
                             and app.comparison.is_up_to_date()), timeout=PREPARED_MS)


def test_a_second_model_reads_the_same_drawings_beside_the_first(
    app: Digitpad, held_out_pendigits: list[Drawing], qtbot, tmp_path: Path
) -> None:
    mlp = downloaded_mlp(tmp_path)
    drawings = [next(d for d in held_out_pendigits if d.label == n) for n in (7, 2)]
    assert app.window.chart.comparison() is None and not app.comparison.legend.isVisible()
    assert app.comparison.menu.menuAction() in app.window.model_menu.actions()

    dialogs(app).paths = [mlp]
    app.comparison.file_action.trigger()
    qtbot.waitUntil(lambda: "Preparing tutorial mlp.keras" in app.comparison.legend.text())
    app.comparison.stop_action.trigger()  # changed one's mind while the child converts
    assert not app.comparison.is_comparing() and not app.comparison.legend.isVisible()
    qtbot.waitUntil(lambda: not app.comparison.is_preparing(), timeout=PREPARED_MS)
    assert not list(litert_cache_dir(tmp_path / "data").glob("*.tflite"))

    dialogs(app).paths = [mlp]
    app.comparison.file_action.trigger()
    assert "tutorial mlp.keras" in app.comparison.legend.text()  # loading, then preparing
    compared_for(app, mlp, qtbot)
    assert len(list(litert_cache_dir(tmp_path / "data").glob("*.tflite"))) == 1

    reference = Recognizer.load(mlp, cache_dir=litert_cache_dir(tmp_path / "data"))
    for _ in range(2):
        for drawing in drawings:
            app.window.clear_action.trigger()
            draw(app, drawing, qtbot)
            compared_for(app, mlp, qtbot)
            expected = reference.predict_image(app.recognition.current_input())
            np.testing.assert_allclose(app.window.chart.comparison(), expected.probabilities,
                                       atol=1e-6)
            legend = app.comparison.legend.text()
            assert f"digitpad-cnn.keras: <b>{shown_digit(app)} · " in legend
            caption, _ = digit_caption(expected, sevens=app.window.sevens.value())
            assert f"tutorial mlp.keras: <b>{caption}</b>" in legend
        app.comparison.bundled_action.trigger()  # the same model twice: the same bars
        compared_for(app, bundled_model_path(), qtbot)
        np.testing.assert_allclose(app.window.chart.comparison(),
                                   app.window.chart.probabilities(), atol=1e-6)
        dialogs(app).paths = [mlp]
        app.comparison.file_action.trigger()  # the file again: prepared already, no child
        compared_for(app, mlp, qtbot)

    app.comparison.stop_action.trigger()
    assert app.window.chart.comparison() is None and not app.comparison.legend.isVisible()
    draw(app, drawings[0], qtbot)
    assert app.window.chart.comparison() is None
    assert dialogs(app).errors == []

    broken = tmp_path / "downloads" / "broken.keras"
    broken.write_bytes(b"PK\x03\x04 not really a model")
    dialogs(app).paths = [broken]
    app.comparison.file_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs(app).errors), timeout=PREPARED_MS)
    ((title, message),) = dialogs(app).errors
    assert title == "Cannot compare with this model" and "model in use stays" in message
    assert not app.comparison.is_comparing() and app.window.chart.comparison() is None
    assert app.recognition.model().path == bundled_model_path()
