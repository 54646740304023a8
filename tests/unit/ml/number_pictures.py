"""Pictures of ink, as a pen on paper would leave it: for reading numbers in pictures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageOps


@dataclass(frozen=True)
class InkPicture:
    """A drawing drawn as a picture, and where its points landed."""

    image: Image.Image
    low: np.ndarray
    scale: float
    margin: int
    pen: int

    def box_of(self, strokes: Sequence[np.ndarray]) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` of the pixels these strokes inked, as far as the pen reaches."""
        points = (np.concatenate(strokes) - self.low) * self.scale + self.margin
        (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
        half = self.pen / 2
        return (x0 - half, y0 - half, x1 + half, y1 + half)


def draw_ink(strokes: Sequence[np.ndarray], dark_on_light: bool = True, scale: float = 2.0,
             pen: int = 14, margin: int = 40) -> InkPicture:
    """The strokes drawn with a round pen ``pen`` pixels wide, ``scale`` pixels a unit."""
    points = np.concatenate(strokes)
    low = points.min(axis=0)
    width, height = ((points.max(axis=0) - low) * scale).astype(int) + 2 * margin + 1
    picture = Image.new("L", (int(width), int(height)), 255)
    draw = ImageDraw.Draw(picture)
    for stroke in strokes:
        path = (stroke - low) * scale + margin
        if len(path) > 1:
            draw.line(path.ravel().tolist(), fill=0, width=pen, joint="curve")
        for x, y in path[[0, -1]]:
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=0)
    if not dark_on_light:
        picture = ImageOps.invert(picture)
    return InkPicture(picture, low, scale, margin, pen)
