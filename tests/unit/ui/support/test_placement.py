"""Where a window opened from the main window goes: beside it, never over the pad if avoidable."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize

from digitpad.ui.support.placement import GAP, beside

RETRAIN = QSize(1000, 730)
"""Retrain's size with its frame; at its narrowest it is 710 wide."""
NARROWEST = QSize(710, 560)


def window_at(x: int) -> QRect:
    return QRect(x, 40, 1120, 710)


def pad_of(window: QRect) -> QRect:
    return QRect(window.left() + 4, window.top() + 60, 580, 580)


def test_on_a_wide_screen_it_goes_right_of_the_window() -> None:
    window = window_at(100)
    spot = beside([window, pad_of(window)], RETRAIN, NARROWEST, QRect(0, 0, 2560, 1400))
    assert spot == QRect(window.right() + 1 + GAP, window.top(), 1000, 730)


def test_with_the_window_on_the_right_it_goes_left() -> None:
    window = window_at(1400)
    spot = beside([window, pad_of(window)], RETRAIN, NARROWEST, QRect(0, 0, 2560, 1400))
    assert spot.right() == window.left() - 1 - GAP and spot.width() == 1000


def test_short_of_room_it_is_narrowed_before_it_covers_anything() -> None:
    window = window_at(0)
    spot = beside([window, pad_of(window)], RETRAIN, NARROWEST, QRect(0, 0, 1920, 1080))
    assert spot.left() == window.right() + 1 + GAP and spot.right() == 1919
    assert NARROWEST.width() <= spot.width() < RETRAIN.width()


def test_with_no_room_beside_the_window_it_covers_the_side_panel_not_the_pad() -> None:
    window = window_at(400)  # centred on a 1920 px screen
    pad = pad_of(window)
    spot = beside([window, pad], RETRAIN, NARROWEST, QRect(0, 0, 1920, 1080))
    assert spot.intersects(window) and not spot.intersects(pad)
    assert spot.right() <= 1919


def test_on_a_small_screen_it_fits_the_screen() -> None:
    window = window_at(120)
    screen = QRect(0, 0, 1366, 728)
    spot = beside([window, pad_of(window)], RETRAIN, NARROWEST, screen)
    assert screen.contains(spot)
    assert spot.right() == screen.right()  # over the window's right-hand side


def test_it_stays_on_a_screen_shorter_than_itself() -> None:
    spot = beside([window_at(0)], RETRAIN, NARROWEST, QRect(0, 0, 2560, 700))
    assert spot.top() == 0 and spot.height() == 700
