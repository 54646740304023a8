"""The chart: ten labelled bars, updated in place, an empty state that says what to do."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.ui.pad.probability_chart import ProbabilityChart


@pytest.fixture
def chart(qtbot) -> ProbabilityChart:
    widget = ProbabilityChart()
    widget.resize(400, 240)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def probabilities(leader: int, p: float) -> np.ndarray:
    values = np.full(10, (1 - p) / 9)
    values[leader] = p
    return values


def test_it_starts_empty_with_a_hint(chart: ProbabilityChart) -> None:
    assert chart.empty_text() == "Draw a digit"
    assert not chart.probabilities().any()
    assert chart.highlighted() is None


def test_bars_glide_to_the_new_probabilities(chart: ProbabilityChart, qtbot) -> None:
    target = probabilities(3, 0.8)
    chart.set_probabilities(target, highlight=3)
    np.testing.assert_allclose(chart.probabilities(), target)
    assert chart.highlighted() == 3
    assert chart.empty_text() is None
    qtbot.waitUntil(lambda: np.allclose(chart._shown, target), timeout=2000)


def test_a_new_value_mid_animation_continues_from_where_the_bars_are(chart, qtbot) -> None:
    chart.set_probabilities(probabilities(3, 0.8), highlight=3)
    chart.set_probabilities(probabilities(5, 0.9), highlight=5)
    qtbot.waitUntil(lambda: np.allclose(chart._shown, probabilities(5, 0.9)), timeout=2000)
    assert chart.highlighted() == 5


def test_clearing_returns_to_the_empty_state(chart: ProbabilityChart, qtbot) -> None:
    chart.set_probabilities(probabilities(3, 0.8), highlight=3)
    chart.set_probabilities(None)
    assert chart.empty_text() == "Draw a digit"
    chart.set_empty_text("Loading model…")
    assert chart.empty_text() == "Loading model…"


def test_tooltip_lists_the_leading_digits(chart: ProbabilityChart) -> None:
    values = np.zeros(10)
    values[[1, 7, 4]] = [0.2, 0.7, 0.1]
    chart.set_probabilities(values, highlight=7)
    assert chart.toolTip() == "7: 70%, 1: 20%, 4: 10%"


def test_the_highlighted_bar_is_painted_in_the_accent_colour(chart, qtbot) -> None:
    chart.set_probabilities(probabilities(2, 0.9), highlight=2)
    qtbot.waitUntil(lambda: np.allclose(chart._shown, chart.probabilities()), timeout=2000)
    image = chart.grab().toImage()
    accent = chart.palette().color(chart.palette().ColorRole.Highlight)
    slot = chart.width() / 10
    x = round(slot * 2.5)
    column = [image.pixelColor(x, y) for y in range(image.height())]
    assert sum(c == accent for c in column) > chart.height() * 0.4
    other = [image.pixelColor(round(slot * 6.5), y) for y in range(image.height())]
    assert not any(c == accent for c in other)


def compared_pixels(chart: ProbabilityChart) -> np.ndarray:
    """Where the chart shows the second model's colour."""
    from PySide6.QtGui import QImage

    from digitpad.ui.pad.probability_chart import COMPARED

    image = chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4)[:, : image.width(), 2::-1].astype(int)
    target = np.array(COMPARED.getRgb()[:3])
    return np.abs(pixels - target).sum(axis=2) < 12


def test_a_second_models_bars_stand_beside_the_first_and_go_when_comparing_stops(
    chart: ProbabilityChart, qtbot
) -> None:
    chart.set_probabilities(probabilities(7, 0.9), highlight=7)
    assert chart.comparison() is None
    assert not compared_pixels(chart).any()
    chart.set_comparison(probabilities(1, 0.6))
    qtbot.waitUntil(lambda: np.allclose(chart._compared[0], probabilities(1, 0.6)), timeout=2000)
    np.testing.assert_allclose(chart.comparison(), probabilities(1, 0.6))
    coloured = compared_pixels(chart)
    columns = np.flatnonzero(coloured.any(axis=0))
    slot = chart.width() / 10
    tallest = max(range(10), key=lambda k: coloured[:, int(k * slot):int((k + 1) * slot)].sum())
    assert tallest == 1  # the second model's leader, in its own colour
    chart.set_probabilities(probabilities(4, 0.7), highlight=4)  # the first moves on; both stay
    assert chart.comparison() is not None and len(columns) > 0
    chart.set_comparison(None)
    assert chart.comparison() is None
    assert not compared_pixels(chart).any()
