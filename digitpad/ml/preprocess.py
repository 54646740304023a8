"""Ink or a photo of a digit -> the 28x28 image an MNIST model expects.

MNIST digits were size-normalised to fit a 20x20 box keeping their aspect ratio, anti-aliased, and
placed in a 28x28 frame so that their centre of mass sits at the centre; white ink on black.
Resizing a whole canvas to 28x28 skips all of that, which is why naive apps misread real drawings.

Everything here is relative to the drawing's own size, so the result does not depend on the canvas
size, the unit of the points, where on the canvas the digit was drawn or the pen width the user
chose to look at. No TensorFlow here: this runs on every pen move.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

FRAME_SIZE = 28
"""Side of the model input, in pixels."""
BOX_SIZE = 20
"""The longer side of the digit (ink included) after size normalisation, as in MNIST."""
SUPERSAMPLE = 4
"""Ink is drawn this many times finer, then box-filtered down: anti-aliasing without cost."""
PEN_WIDTH_RATIO = 0.14
"""Pen width as a fraction of the longer side of the drawing's skeleton.

Chosen so that rendered pen-drawn digits carry the same mean ink per digit as MNIST's (see
``tests/benchmarks/test_preprocess_speed.py::test_ink_mass_matches_mnist``)."""
SMOOTHING_STEPS = 4
"""Sparse strokes (fast pen moves give a point every ~10 % of the digit) are rounded by a
centripetal Catmull-Rom spline with this many sub-steps per long segment, so corners of a polyline
do not look like corners of a digit."""
_LONG_SEGMENT = 0.04
"""Segments longer than this fraction of the digit's size get spline sub-steps."""


class ImageLoadError(ValueError):
    """Raised when an image file cannot be read as a picture."""


def ink_to_image(
    strokes: Sequence[np.ndarray], pen_width_ratio: float = PEN_WIDTH_RATIO
) -> np.ndarray | None:
    """Render strokes (each an (n, 2) array, y down) as a centred 28x28 float32 image in [0, 1].

    Returns ``None`` for an empty drawing: there is no digit to show the model.
    ``pen_width_ratio`` is for training-time variety only; the app always uses the default.
    """
    strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]
    if not strokes:
        return None
    points = np.concatenate(strokes)
    low = points.min(axis=0)
    span = points.max(axis=0) - low
    size = float(span.max())
    if size <= 0.0:  # a single dot: any size will do, it is rendered as a round blob
        size = 1.0
    pen = pen_width_ratio * size
    scale = BOX_SIZE * SUPERSAMPLE / (size + pen)
    width_px, height_px = (np.ceil((span + pen) * scale).astype(int) + 1).tolist()
    offset = low - pen / 2.0

    canvas = Image.new("L", (width_px, height_px), 0)
    draw = ImageDraw.Draw(canvas)
    pen_px = max(1, round(pen * scale))
    radius = pen * scale / 2.0
    for stroke in strokes:
        path = (_smooth(stroke, size) - offset) * scale
        if len(path) > 1:
            draw.line(path.ravel().tolist(), fill=255, width=pen_px)
        # Round caps and round joins (a thick polyline leaves notches where it turns). A dot at
        # every point costs a Python call each, so only the ends and the real turns get one.
        for x, y in path[_ends_and_turns(path)]:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return _centre_by_mass(canvas)


_TURN_COSINE = np.cos(np.radians(25.0))
"""Joins that turn more than this get a round dot; below it the notch is invisible after the
box filter."""


def _ends_and_turns(path: np.ndarray) -> np.ndarray:
    """Boolean mask of the path's first and last points and of the points where it turns."""
    mask = np.zeros(len(path), dtype=bool)
    mask[[0, -1]] = True
    if len(path) > 2:
        before = path[1:-1] - path[:-2]
        after = path[2:] - path[1:-1]
        dot = (before * after).sum(axis=1)
        norms = np.hypot(*before.T) * np.hypot(*after.T)
        mask[1:-1] = dot < _TURN_COSINE * norms
    return mask


def _smooth(stroke: np.ndarray, size: float) -> np.ndarray:
    """Densify long segments along a centripetal Catmull-Rom spline through the points."""
    repeated = np.zeros(len(stroke), dtype=bool)
    repeated[1:] = (np.diff(stroke, axis=0) == 0).all(axis=1)
    stroke = stroke[~repeated]  # a pen resting on a point adds nothing but rounding noise
    if len(stroke) < 3:
        return stroke
    seg = np.diff(stroke, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    if lengths.max() <= _LONG_SEGMENT * size:
        return stroke
    padded = np.concatenate([2 * stroke[:1] - stroke[1:2], stroke, 2 * stroke[-1:] - stroke[-2:-1]])
    p0, p1, p2, p3 = padded[:-3], padded[1:-2], padded[2:-1], padded[3:]
    eps = 1e-9 * size + 1e-12
    d01 = np.sqrt(np.hypot(*(p1 - p0).T)) + eps
    d12 = np.sqrt(np.hypot(*(p2 - p1).T)) + eps
    d23 = np.sqrt(np.hypot(*(p3 - p2).T)) + eps
    # Barry-Goldman pyramid with the tangents of a centripetal spline (alpha = 0.5).
    m1 = (p1 - p0) / d01[:, None] - (p2 - p0) / (d01 + d12)[:, None] + (p2 - p1) / d12[:, None]
    m2 = (p2 - p1) / d12[:, None] - (p3 - p1) / (d12 + d23)[:, None] + (p3 - p2) / d23[:, None]
    m1 *= d12[:, None]
    m2 *= d12[:, None]
    t = np.linspace(0.0, 1.0, SMOOTHING_STEPS, endpoint=False)[None, :, None]
    h00 = 2 * t**3 - 3 * t**2 + 1
    h10 = t**3 - 2 * t**2 + t
    h01 = -2 * t**3 + 3 * t**2
    h11 = t**3 - t**2
    curve = (h00 * p1[:, None] + h10 * m1[:, None] + h01 * p2[:, None] + h11 * m2[:, None]).reshape(
        -1, 2
    )
    return np.concatenate([curve, stroke[-1:]])


def _centre_by_mass(digit: Image.Image) -> np.ndarray | None:
    """Place a supersampled digit (longer side <= 20 * SUPERSAMPLE) in the 28x28 frame by its mass.

    The shift is sub-pixel (bilinear, at 4x resolution), so the centre of mass lands on the frame
    centre, and a drawing moved or scaled by the user gives the same input, not one a rounding
    step away.
    """
    pixels = np.asarray(digit, dtype=np.float64)
    mass = pixels.sum()
    if mass <= 0.0:
        return None
    cy = float(pixels.sum(axis=1) @ np.arange(pixels.shape[0]) / mass) + 0.5
    cx = float(pixels.sum(axis=0) @ np.arange(pixels.shape[1]) / mass) + 0.5
    frame_px = FRAME_SIZE * SUPERSAMPLE
    centre = frame_px / 2.0
    left = float(np.clip(centre - cx, 0, frame_px - digit.width))
    top = float(np.clip(centre - cy, 0, frame_px - digit.height))
    frame = digit.transform(
        (frame_px, frame_px),
        Image.Transform.AFFINE,
        (1.0, 0.0, -left, 0.0, 1.0, -top),
        resample=Image.Resampling.BILINEAR,
    )
    small = frame.reduce(SUPERSAMPLE)
    return np.asarray(small, dtype=np.float32) / np.float32(255.0)


# --- photos and scans -------------------------------------------------------------------------

_INK_THRESHOLD = 0.25
"""After background removal, pixels at least this bright count as ink when cropping."""
_MAX_WORKING_SIDE = 600
"""Big photos are shrunk to this first; a digit needs no more detail than that."""


def load_image(path: str | os.PathLike[str]) -> np.ndarray | None:
    """Read a photo or scan of one digit and normalise it like :func:`ink_to_image`.

    Works for dark-on-light (paper) and light-on-dark (MNIST-like) pictures. Returns ``None`` when
    the picture holds no ink at all (a blank page).
    """
    try:
        with Image.open(path) as opened:
            picture = ImageOps.exif_transpose(opened).convert("L")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageLoadError(f"{path}: cannot read it as an image (PNG or JPEG): {exc}") from exc
    return image_to_mnist(np.asarray(picture, dtype=np.float32) / 255.0)


def image_to_mnist(gray: np.ndarray) -> np.ndarray | None:
    """Normalise a grayscale picture (float in [0, 1], any polarity) to the 28x28 model input."""
    gray = np.asarray(gray, dtype=np.float32)
    if gray.ndim != 2 or gray.size == 0:
        raise ValueError(f"Expected a 2-D grayscale image, received shape {gray.shape}")
    if max(gray.shape) > _MAX_WORKING_SIDE:
        factor = _MAX_WORKING_SIDE / max(gray.shape)
        shrunk = Image.fromarray(gray, mode="F").resize(
            (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor))),
            Image.Resampling.BOX,
        )
        gray = np.asarray(shrunk, dtype=np.float32)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    background = float(np.median(border))
    if background > 0.5:  # paper: dark ink on a light page
        gray = 1.0 - gray
        background = 1.0 - background
    ink = gray - background
    peak = float(ink.max())
    if peak < 0.1:  # nothing stands out from the background: a blank picture
        return None
    ink = np.clip(ink / peak, 0.0, 1.0)
    ink[ink < 0.1] = 0.0  # paper grain and sensor noise
    rows = np.flatnonzero((ink >= _INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink >= _INK_THRESHOLD).any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = crop.shape
    scale = BOX_SIZE * SUPERSAMPLE / max(height, width)
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    digit = Image.fromarray(crop * np.float32(255.0), mode="F").resize(target, resample)
    return _centre_by_mass(digit.convert("L"))


def ink_bounding_box(image: np.ndarray, threshold: float = 0.0) -> tuple[int, int, int, int]:
    """(top, left, height, width) of the pixels brighter than ``threshold`` in a model input."""
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    if not len(rows):
        return (0, 0, 0, 0)
    return (int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1))


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the image's centre of mass, in pixel-centre coordinates."""
    image = np.asarray(image, dtype=np.float64)
    rows, cols = np.indices(image.shape)
    mass = image.sum()
    return (float((rows * image).sum() / mass), float((cols * image).sum() / mass))
