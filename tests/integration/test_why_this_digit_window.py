"""View → Why This Digit in the real app: real pen digits drawn with the real bundled model,
the ink coloured after each pen-up and never while a stroke is drawn, a saved picture explained
by its blocks, the tutorial's MLP and back twice, and the choice remembered."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from digitpad.app import Digitpad, build
from digitpad.ml.conversion import convert_file
from digitpad.ml.ink import Drawing
from digitpad.paths import bundled_model_path, litert_cache_dir
from digitpad.ui.pad.canvas import PAD_UNITS
from digitpad.ui.pad.why_digit import SETTING
from tests.integration.conftest import MODEL_TIMEOUT_MS, downloaded_mlp
from tests.integration.window_driver import dialogs, draw_on, shown_digit

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"),
              pytest.mark.qt_log_ignore("propagateSizeHints"), pytest.mark.timeout(600)]

EXPLAINED_MS = 10_000
"""The first explanation loads the model on the view's own thread; later ones take ms."""


def draw_and_explain(app: Digitpad, drawing: Drawing, qtbot) -> None:
    with qtbot.waitSignal(app.why.explained, timeout=EXPLAINED_MS):
        draw_on(app.window.canvas, drawing)
    assert app.recognition.is_up_to_date()


def assert_explains_what_is_shown(app: Digitpad) -> None:
    """The overlay explains the answer the window shows, on the ink that is on the pad."""
    why = app.why.why()
    assert why is not None and why.answer == shown_digit(app)
    effects = app.window.canvas.effects()
    assert len(effects) == len(why.pieces) >= 1
    assert max(abs(effect.strength) for effect in effects) <= 1.0
    ink = np.array([a + (b - a) * f for stroke in app.window.canvas.strokes()
                     for a, b in itertools.pairwise(stroke)
                     for f in np.linspace(0, 1, 20)])
    for effect in effects:  # each piece lies on the drawn ink
        distances = np.linalg.norm(effect.points[:, None, :] - ink[None, :, :], axis=2)
        assert distances.min(axis=1).max() < 0.002 * PAD_UNITS
    blocks = app.window.preview.blocks()
    assert blocks is not None and blocks.shape == (7, 7) and np.abs(blocks).max() <= 1.0
    assert app.why.legend.isVisible()
    assert app.why.legend.text().startswith(f"Why a {why.answer}:")


def test_why_this_digit_explains_each_finished_drawing_with_every_model(
    app: Digitpad, held_out_pendigits: list[Drawing], qtbot, tmp_path: Path
) -> None:
    sevens = [d for d in held_out_pendigits if d.label == 7][:2]
    four = next(d for d in held_out_pendigits if d.label == 4 and len(d.strokes) == 2)
    assert app.window.canvas.effects() == () and not app.why.is_on()
    app.why.action.trigger()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert settings.value(SETTING) in (True, "true")

    draw_and_explain(app, sevens[0], qtbot)
    assert shown_digit(app) == 7
    assert_explains_what_is_shown(app)
    why = app.why.why()
    assert why is not None
    best = max(why.pieces, key=lambda piece: piece.effect)
    assert best.effect > 0 and best.without < why.probability  # it did support the 7
    shown = re.search(r"drops from ([\d.]+)% to ([\d.]+)%", app.why.legend.text())
    assert shown is not None and shown[1] != shown[2]
    assert float(shown[1]) == pytest.approx(100 * why.probability, abs=0.5)
    assert float(shown[2]) == pytest.approx(100 * best.without, abs=0.5)

    canvas = app.window.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=canvas.to_widget(900, 900).toPoint())
    assert canvas.effects() == () and app.why.why() is None  # a new stroke: nothing explained
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=canvas.to_widget(900, 900).toPoint())
    qtbot.waitUntil(lambda: app.why.why() is not None, timeout=EXPLAINED_MS)
    app.window.clear_action.trigger()
    qtbot.waitUntil(app.recognition.is_up_to_date)
    assert canvas.effects() == () and app.window.preview.blocks() is None
    assert not app.why.legend.isVisible()

    draw_and_explain(app, four, qtbot)  # two strokes: each has pieces of its own
    assert_explains_what_is_shown(app)
    assert {piece.stroke for piece in app.why.why().pieces} == {0, 1}

    dialogs(app).paths = [tmp_path / "four.png", tmp_path / "four.png"]
    app.window.save_png_action.trigger()
    with qtbot.waitSignal(app.why.explained, timeout=EXPLAINED_MS):
        app.window.open_image_action.trigger()
    assert canvas.picture() is not None and canvas.effects() == ()
    assert app.window.preview.blocks() is not None  # a picture is explained by its blocks
    assert app.why.legend.text().startswith(f"Why a {shown_digit(app)}: ")
    assert "blocks of the picture" in app.why.legend.text()

    mlp = downloaded_mlp(tmp_path)
    convert_file(mlp, litert_cache_dir(tmp_path / "data"))
    for _ in range(2):
        for choose in (lambda: setattr(dialogs(app), "paths", [mlp])
                       or app.window.load_model_action.trigger(),
                       app.window.reset_model_action.trigger):
            app.window.clear_action.trigger()
            with qtbot.waitSignal(app.recognition.model_ready, timeout=MODEL_TIMEOUT_MS):
                choose()
            for seven in sevens:
                app.window.clear_action.trigger()
                draw_and_explain(app, seven, qtbot)
                why = app.why.why()
                assert why is not None
                shown = shown_digit(app)
                assert why.answer == shown, (app.recognition.model().name, why.answer, shown)
    assert app.recognition.model().path == bundled_model_path()

    app.why.action.trigger()
    assert canvas.effects() == () and not app.why.legend.isVisible()
    draw_on(canvas, sevens[0])
    qtbot.waitUntil(app.recognition.is_up_to_date)
    qtbot.wait(200)
    assert canvas.effects() == ()  # off: nothing explained
    assert settings.value(SETTING) in (False, "false")
    assert dialogs(app).errors == []


def test_why_this_digit_is_on_again_in_the_next_session(
    held_out_pendigits: list[Drawing], qtbot, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(SETTING, True)  # as the session before left it
    settings.sync()
    again = build(settings, data_dir=tmp_path / "data")
    try:
        qtbot.addWidget(again.window)
        again.window.show()
        assert again.why.is_on() and again.why.action in again.window.view_menu.actions()
        with qtbot.waitSignal(again.recognition.model_ready, timeout=MODEL_TIMEOUT_MS):
            again.recognition.load_model(str(bundled_model_path()))
        for label in (3, 5):
            again.window.clear_action.trigger()
            draw_and_explain(again, next(d for d in held_out_pendigits if d.label == label),
                             qtbot)
            assert_explains_what_is_shown(again)
    finally:
        again.window.close()
        again.shutdown()
