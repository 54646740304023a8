"""Photo-like pictures of real pen-drawn ink: what a phone makes of a digit written on paper.

The ink is rendered anti-aliased with a pen of a random width, in black, blue or pencil grey, on
slightly tinted, textured paper. Light falls on it in one of :data:`LIGHTINGS`, then the camera
blurs it a little, adds sensor noise and saves a JPEG. Light multiplies what the paper and the
ink reflect, as it does in a real photo, so ink in a shadow is darker and less distinct.
The same ink can also be saved as a clean scan of either polarity, for comparison.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

LIGHTINGS = ("even", "gradient", "shadow", "spot")
"""Evenly lit; light falling off across the page in one direction; the soft edge of a shadow
(of a hand or a phone) across the ink; a lamp's bright spot fading towards the corners."""
DARKEST_LIGHT = (0.35, 0.6)
"""Where the light is weakest, it is this fraction of the strongest (gradient, shadow, spot)."""
SHADOW_EDGE = (0.005, 0.06)
"""Width of a shadow's soft edge, as a fraction of the picture's diagonal."""
PEN_RATIO = (0.05, 0.11)
"""Pen width as a fraction of the ink's height: a fine felt-tip to a marker."""
FILL = (0.4, 0.75)
"""The ink's box takes this fraction of the picture in the direction that limits it."""
LONG_SIDE = (480, 960)
"""The picture's longer side in pixels: below and above the reader's working size."""
INKS = ((0.09, 0.09, 0.11), (0.13, 0.17, 0.48), (0.30, 0.30, 0.33))
"""What black, blue and pencil ink reflect, red green blue."""
SUPERSAMPLE = 4
"""Ink is drawn this many times finer and box-filtered down: anti-aliased like a real pen."""


@dataclass(frozen=True)
class InkOnPaper:
    """Where ink covers a picture: per pixel, the fraction of it under ink (0 to 1)."""

    coverage: np.ndarray
    box: tuple[float, float, float, float]
    """``(x0, y0, x1, y1)`` of the ink in the picture's pixels."""


def ink_on_paper(strokes: Sequence[np.ndarray], rng: np.random.Generator) -> InkOnPaper:
    """Lay the strokes out on a landscape or portrait picture, at a random size and place, and
    draw them with a random pen."""
    points = np.concatenate(strokes)
    low = points.min(axis=0)
    span = np.maximum(points.max(axis=0) - low, 1e-6)
    side = int(rng.integers(*LONG_SIDE))
    short = round(side * 3 / 4)
    width, height = (side, short) if rng.random() < 0.5 else (short, side)
    pen_ratio = rng.uniform(*PEN_RATIO)
    # The pen grows the ink by its width on every side: fit the inked box, not the points.
    inked_unit = span + pen_ratio * span[1]
    scale = rng.uniform(*FILL) * min(width / inked_unit[0], height / inked_unit[1])
    pen = pen_ratio * span[1] * scale
    inked = span * scale + pen
    corner = (rng.uniform(0.0, 1.0, 2) * (np.array([width, height]) - inked)) + pen / 2
    fine = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(fine)
    fine_pen = pen * SUPERSAMPLE
    for stroke in strokes:
        path = ((stroke - low) * scale + corner) * SUPERSAMPLE
        if len(path) > 1:
            draw.line(path.ravel().tolist(), fill=255, width=max(1, round(fine_pen)),
                      joint="curve")
        for x, y in path[[0, -1]]:
            r = fine_pen / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    coverage = np.asarray(fine.reduce(SUPERSAMPLE), dtype=np.float32) / 255.0
    x0, y0 = corner - pen / 2
    return InkOnPaper(coverage, (float(x0), float(y0), float(x0 + inked[0]),
                                 float(y0 + inked[1])))


def photograph(ink: InkOnPaper, lighting: str, rng: np.random.Generator) -> bytes:
    """A JPEG of the ink on paper under the given lighting (one of :data:`LIGHTINGS`)."""
    height, width = ink.coverage.shape
    paper = np.array([0.93, 0.91, 0.87]) * rng.uniform(0.95, 1.0, 3)
    pen = np.array(INKS[rng.integers(len(INKS))]) * rng.uniform(0.8, 1.2)
    texture = 1.0 + _smooth_noise(rng, (height, width), int(rng.integers(12, 40)),
                                  rng.uniform(0.005, 0.02))
    texture += _smooth_noise(rng, (height, width), 2, rng.uniform(0.004, 0.012))
    # The lens blurs the ink's edges; the paper and the light are smooth already.
    blurred = Image.fromarray(np.rint(ink.coverage * 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.4, 1.2)))
    strength = np.asarray(blurred, np.float32) * np.float32(rng.uniform(0.8, 1.0) / 255)
    tint = np.array([1.0, rng.uniform(0.93, 1.0), rng.uniform(0.8, 1.0)])
    exposure = rng.uniform(0.82, 0.97) / paper.max()
    lit = texture * _light(lighting, ink, rng) * np.float32(255 * exposure)
    noise = rng.uniform(1.5, 4.0)
    channels = []
    for c in range(3):
        reflected = np.float32(paper[c]) + np.float32(pen[c] - paper[c]) * strength
        value = reflected * lit * np.float32(tint[c])
        value += rng.standard_normal((height, width), dtype=np.float32) * np.float32(noise)
        channels.append(np.clip(np.rint(value), 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    Image.fromarray(np.dstack(channels)).save(buffer, format="JPEG",
                                              quality=int(rng.integers(55, 92)))
    return buffer.getvalue()


def scan(ink: InkOnPaper, light_on_dark: bool = False) -> bytes:
    """A PNG of the ink alone, black on white paper, or white on black: a clean scan."""
    pixels = np.rint(ink.coverage * 255.0).astype(np.uint8)
    picture = Image.fromarray(pixels if light_on_dark else 255 - pixels)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _light(lighting: str, ink: InkOnPaper, rng: np.random.Generator) -> np.ndarray:
    """The light on each pixel, float32, 1 where it is strongest."""
    height, width = ink.coverage.shape
    if lighting == "even":
        return np.ones((height, width), np.float32)
    ys, xs = np.ogrid[0:height, 0:width]
    xs, ys = xs.astype(np.float32), ys.astype(np.float32)
    darkest = np.float32(rng.uniform(*DARKEST_LIGHT))
    angle = rng.uniform(0, 2 * np.pi)
    along = xs * np.float32(np.cos(angle)) + ys * np.float32(np.sin(angle))
    if lighting == "gradient":
        ramp = (along - along.min()) / (along.max() - along.min())
        return 1 - (1 - darkest) * ramp
    if lighting == "shadow":  # its edge crosses the ink somewhere
        x0, y0, x1, y1 = ink.box
        through = rng.uniform([x0, y0], [x1, y1])
        edge = rng.uniform(*SHADOW_EDGE) * np.hypot(width, height)
        offset = through[0] * np.cos(angle) + through[1] * np.sin(angle)
        steep = np.clip((along - np.float32(offset)) * np.float32(-4 / edge), -50, 50)
        return 1 - (1 - darkest) / (1 + np.exp(steep))
    if lighting == "spot":
        centre = rng.uniform([0, 0], [width, height])
        farthest = np.hypot(max(centre[0], width - centre[0]), max(centre[1], height - centre[1]))
        reach = rng.uniform(0.6, 1.0) * farthest  # the darkest light falls on the page
        falloff = ((xs - np.float32(centre[0])) ** 2 + (ys - np.float32(centre[1])) ** 2)
        return 1 - (1 - darkest) * np.minimum(falloff / np.float32(reach**2), 1)
    raise ValueError(f"Unknown lighting {lighting!r}; expected one of {LIGHTINGS}")


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], grain: int,
                  amplitude: float) -> np.ndarray:
    """Random blotches about ``grain`` pixels across, ``amplitude`` their standard deviation."""
    height, width = shape
    coarse = rng.normal(0.0, amplitude, (height // grain + 2, width // grain + 2))
    field = Image.fromarray(coarse.astype(np.float32), mode="F").resize(
        (width, height), Image.Resampling.BICUBIC)
    return np.asarray(field, dtype=np.float32)
