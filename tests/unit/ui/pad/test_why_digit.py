"""Why This Digit's controller with the real bundled model on its own thread: it explains the
finished drawing it was given, the selected digit of a number, never a drawing since changed,
and says in words what the colours mean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from digitpad.ml.numbers import read_number
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.why import Piece, Why
from digitpad.paths import bundled_model_path
from digitpad.ui.pad.why_digit import SETTING, WhyThisDigit, legend_text
from digitpad.ui.pad.workers import ModelInfo


@pytest.fixture
def why(tmp_path: Path, qtbot) -> Iterator[WhyThisDigit]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    controller = WhyThisDigit(Recognizer.load, settings)
    qtbot.addWidget(controller.legend)
    path = bundled_model_path()
    controller.set_model(ModelInfo(path, path.name, "", Recognizer.load(path).card))
    yield controller
    controller.shutdown()


def shifted(drawing, dx: float) -> list[np.ndarray]:
    """The drawing 400 units tall, its left edge at ``dx``."""
    points = np.concatenate(drawing.strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = 400 / (high - low)[1]
    return [(np.asarray(stroke, np.float64) - low) * scale + [dx, 100]
            for stroke in drawing.strokes]


def test_it_explains_the_drawing_it_was_given_once_switched_on(
    why: WhyThisDigit, held_out_pendigits, bundled_recognizer, qtbot
) -> None:
    seven = next(d for d in held_out_pendigits if d.label == 7)
    strokes = shifted(seven, 0)
    reading = read_number(strokes, bundled_recognizer)
    shown: list[list] = []
    why.effects_changed.connect(shown.append)
    why.explain(reading, 0, strokes)  # off: kept for when it is switched on
    assert why.why() is None and shown[-1] == []
    with qtbot.waitSignal(why.explained, timeout=10_000):
        why.action.setChecked(True)
    assert why.why() is not None and why.why().answer == reading.digits[0].prediction.digit
    assert len(shown[-1]) == len(why.why().pieces) and shown[-1]
    assert max(abs(e.strength) for e in shown[-1]) <= 1.0
    assert why.legend.text().startswith(f"Why a {why.why().answer}:")
    why.action.setChecked(False)
    assert shown[-1] == [] and why.why() is None


def test_a_number_explains_its_selected_digit_and_a_changed_drawing_is_never_shown(
    why: WhyThisDigit, held_out_pendigits, bundled_recognizer, qtbot
) -> None:
    why.action.setChecked(True)
    two = next(d for d in held_out_pendigits if d.label == 2 and len(d.strokes) == 1)
    five = next(d for d in held_out_pendigits if d.label == 5 and len(d.strokes) == 2)
    strokes = shifted(two, 0) + shifted(five, 450)
    reading = read_number(strokes, bundled_recognizer)
    assert reading.text == "25"
    for selected, ids in ((1, {1, 2}), (0, {0}), (1, {1, 2})):
        with qtbot.waitSignal(why.explained, timeout=10_000):
            why.explain(reading, selected, strokes)
        assert {piece.stroke for piece in why.why().pieces} == ids
        assert why.why().answer == reading.digits[selected].prediction.digit

    late: list[object] = []
    why.explained.connect(lambda: late.append(why.why()))
    for _ in range(3):
        why.explain(reading, 0, strokes)
        why.ink_changed()  # the pen went down again before the answer came
    qtbot.wait(300)
    assert late == [] and why.why() is None


def test_it_is_remembered(why: WhyThisDigit, tmp_path: Path) -> None:
    why.action.setChecked(True)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert settings.value(SETTING) in (True, "true")


def piece(effect: float, without: float) -> Piece:
    return Piece(0, np.zeros((2, 2)), effect, without)


def test_the_legend_says_what_the_colours_mean_and_what_the_bluest_ink_was_worth() -> None:
    why = Why(7, 0.93, (piece(0.5, 0.6), piece(2.0, 0.12), piece(-0.3, 0.97)), None)
    text = legend_text(why, picture=False)
    assert text.startswith("Why a 7:") and "argued against it" in text
    assert "a 7 drops from 93% to 12%" in text
    sure = legend_text(Why(2, 0.99996, (piece(0.4, 0.9963),), None), picture=False)
    assert "a 2 drops from 100.0% to 99.6%" in sure  # not "from 100% to 100%"
    assert "Why an 8:" in legend_text(Why(8, 0.9, (piece(1.0, 0.2),), None), picture=False)
    refused = legend_text(Why(None, 0.95, (piece(1.0, 0.4),), None), picture=False)
    assert refused.startswith("Why not a digit:") and "made it not a digit" in refused
    agreed = legend_text(Why(1, 0.99, (piece(-0.1, 0.99),), None), picture=False)
    assert "No one piece decided it" in agreed
    picture = legend_text(Why(3, 0.8, (), np.zeros((7, 7))), picture=True)
    assert "blocks of the picture" in picture and "drops" not in picture
