"""The why-colours on the pad and the preview: blue where the ink made the answer, orange where
it argued against it, the ink's own colour where it barely mattered."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from digitpad.ui.pad.why_marks import (
    AGAINST,
    FAINTEST,
    SUPPORTED,
    InkEffect,
    effect_colour,
    paint_blocks,
    paint_effects,
)


def test_the_stronger_the_effect_the_fuller_its_colour() -> None:
    assert effect_colour(FAINTEST / 2) is None and effect_colour(-FAINTEST / 2) is None
    assert effect_colour(1.0) == SUPPORTED and effect_colour(-1.0) == AGAINST
    pale, full = effect_colour(0.3), effect_colour(0.9)
    assert pale is not None and full is not None
    assert pale.lightness() > full.lightness() > SUPPORTED.lightness() - 1
    assert all(effect_colour(s).alpha() == 255 for s in (0.2, -0.5, 1.0))  # no darker overlaps


def painted(paint) -> np.ndarray:
    image = QImage(100, 100, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint(painter)
    painter.end()
    return np.frombuffer(image.constBits(), np.uint8).reshape(100, 100, 4)[..., 2::-1].copy()


def test_pieces_are_painted_along_their_ink_the_faint_not_at_all() -> None:
    strong = InkEffect(np.array([[10.0, 20.0], [90.0, 20.0]]), 1.0)
    against = InkEffect(np.array([[10.0, 60.0], [90.0, 60.0]]), -0.8)
    faint = InkEffect(np.array([[10.0, 85.0], [90.0, 85.0]]), 0.05)
    pixels = painted(lambda p: paint_effects(p, [strong, against, faint], pen_width=8.0))
    assert tuple(pixels[20, 50]) == SUPPORTED.getRgb()[:3]
    red, _, blue = pixels[60, 50]
    assert red > blue + 100  # orange
    assert tuple(pixels[85, 50]) == (255, 255, 255)
    assert tuple(pixels[40, 50]) == (255, 255, 255)  # between the pieces: nothing


def test_blocks_cover_their_part_of_the_picture() -> None:
    strengths = np.zeros((2, 2))
    strengths[0, 1] = 1.0
    pixels = painted(lambda p: paint_blocks(p, QRectF(0, 0, 100, 100), strengths))
    assert pixels[25, 75, 2] > pixels[25, 75, 0] + 40  # top right: blue
    assert tuple(pixels[25, 25]) == tuple(pixels[75, 75]) == (255, 255, 255)
