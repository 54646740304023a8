"""The window's room goes to the pad: at the minimum size, at the first size on a laptop screen,
and maximised on a large one, with the teaching row in the side panel as the app has it; the
Inside the Model panel beside them takes its room from a wider window, not from the pad."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QApplication

from digitpad.app import Digitpad
from digitpad.ml.card import ModelCard
from digitpad.ml.numbers import MAX_DIGITS, DigitReading, NumberReading
from digitpad.ml.recognizer import Prediction
from digitpad.ui.main_window import MainWindow
from digitpad.ui.pad.canvas import PAD_MIN
from digitpad.ui.pad.preview import ZOOM
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.window_layout import (
    FIRST_SIZE,
    PANEL_MAX_WIDTH,
    PANEL_MIN_WIDTH,
    first_size,
    widened,
)

LAPTOP = QRect(0, 0, 1366, 768 - 40)
"""A 1366x768 laptop screen less a 40 px task bar."""
TITLE_BAR = 37
"""A tall title bar (GNOME's)."""


@pytest.fixture
def window(shown: Digitpad) -> MainWindow:
    return shown.window


def laid_out(window: MainWindow, size: QSize) -> MainWindow:
    window.resize(size)
    QApplication.processEvents()
    assert window.size() == size.expandedTo(window.minimumSizeHint())
    return window


def gaps(window: MainWindow) -> tuple[int, int, int]:
    """Pixels from the window's left edge to the pad, from the pad to the side panel, and from
    the side panel to the window's right edge."""
    pad = window.canvas.pad_rect().toRect().translated(window.canvas.mapTo(window, QPoint()))
    panel = QRect(window.side_panel.mapTo(window, QPoint()), window.side_panel.size())
    return pad.left(), panel.left() - pad.right() - 1, window.width() - panel.right() - 1


def test_at_the_minimum_size_the_pad_is_still_roomy(window: MainWindow) -> None:
    laid_out(window, window.minimumSizeHint())
    assert window.canvas.pad_rect().width() >= PAD_MIN
    assert window.side_panel.width() >= PANEL_MIN_WIDTH
    assert window.chart.height() >= 100


def test_the_first_size_fits_a_laptop_screen_and_gives_the_pad_the_most(
        window: MainWindow) -> None:
    size = first_size(LAPTOP)
    assert size.width() <= LAPTOP.width() and size.height() + TITLE_BAR <= LAPTOP.height()
    laid_out(window, size)
    assert window.canvas.pad_rect().width() >= 500
    assert window.canvas.pad_rect().width() > window.side_panel.width()


def test_a_small_screen_gets_a_window_that_fits_it() -> None:
    assert first_size(QRect(0, 0, 1024, 700)).width() <= 1024
    assert first_size(QRect(0, 0, 1024, 700)).height() <= 700 - TITLE_BAR
    assert first_size(QRect(0, 0, 2560, 1400)) == first_size(QRect(0, 0, 5000, 3000))


def test_a_new_window_opens_within_the_screen(window: MainWindow) -> None:
    screen = window.screen().availableGeometry()
    assert window.width() <= screen.width() and window.height() <= screen.height()


def test_the_side_panel_grows_with_the_window_within_limits(window: MainWindow) -> None:
    widths = []
    for width in (760, 1000, 1200, 1600):
        laid_out(window, QSize(width, 700))
        widths.append(window.side_panel.width())
    assert widths == sorted(widths) and widths[0] < widths[-1]
    assert widths[0] >= PANEL_MIN_WIDTH and widths[-1] == PANEL_MAX_WIDTH


def test_maximised_there_are_no_wide_gaps_and_the_preview_grows(window: MainWindow) -> None:
    laid_out(window, QSize(1600, 1000))
    left, between, right = gaps(window)
    assert between <= 20
    assert abs(left - right) <= 2  # what is left over is shared by the two edges
    assert window.canvas.pad_rect().width() >= 800
    assert window.preview.zoom() > ZOOM
    laid_out(window, window.minimumSizeHint())
    assert window.preview.zoom() == ZOOM


@pytest.mark.parametrize("count", [4, MAX_DIGITS])
def test_a_long_number_fits_beside_the_preview_at_any_size(window: MainWindow,
                                                          count: int) -> None:
    probabilities = np.full(10, 0.001, np.float32)
    probabilities[3] = 0.991
    digit = DigitReading((0,), (0.0, 0.0, 1.0, 1.0), Prediction.from_probabilities(probabilities))
    reading = NumberReading((digit,) * count, count)
    window.show_model_ready(ModelInfo(Path("/m/fake.keras"), "fake.keras", "", ModelCard()))
    for size in (window.minimumSizeHint(), FIRST_SIZE, QSize(1600, 1000)):
        laid_out(window, size)
        pad = window.canvas.pad_rect().width()
        window.show_reading(reading, 0)
        window.show_prediction(digit.prediction)
        QApplication.processEvents()
        assert window.canvas.pad_rect().width() >= pad  # the number takes no room from the pad
        buttons = window.panel.digit_buttons()
        assert [b.text() for b in buttons] == ["3"] * count
        right = buttons[-1].mapTo(window, QPoint(buttons[-1].width(), 0)).x()
        assert right <= window.preview.mapTo(window, QPoint()).x()  # clear of the preview
        assert window.canvas.pad_rect().width() >= PAD_MIN


def test_opening_a_panel_widens_the_window_to_the_right_then_moves_it_left() -> None:
    screen = QRect(0, 0, 1920, 1040)
    assert widened(QRect(100, 50, 1120, 680), 440, screen) == QRect(100, 50, 1560, 680)
    moved = widened(QRect(600, 50, 1120, 680), 440, screen)
    assert moved.width() == 1560 and moved.right() < screen.right()
    assert widened(QRect(10, 50, 1120, 680), 440, LAPTOP).width() <= LAPTOP.width()
    full = QRect(8, 50, LAPTOP.width() - 16, 680)
    assert widened(full, 440, LAPTOP) == full  # no room: the panel takes it from the pad


def test_with_the_inside_view_open_the_pad_keeps_its_size_in_the_widened_window(
        window: MainWindow, shown: Digitpad) -> None:
    laid_out(window, FIRST_SIZE)
    pad = window.canvas.pad_rect().width()
    dock = shown.inside.dock
    dock.toggleViewAction().trigger()
    laid_out(window, QSize(FIRST_SIZE.width() + dock.sizeHint().width() + 8,
                           FIRST_SIZE.height()))
    assert abs(window.canvas.pad_rect().width() - pad) <= 8
    assert dock.width() >= dock.minimumSizeHint().width()
    assert window.side_panel.width() >= PANEL_MIN_WIDTH
    laid_out(window, window.minimumSizeHint())  # the smallest window still fits all three
    assert window.canvas.pad_rect().width() >= PAD_MIN
    assert window.side_panel.width() >= PANEL_MIN_WIDTH
    assert dock.geometry().left() >= window.side_panel.mapTo(window, QPoint()).x() + (
        window.side_panel.width())
