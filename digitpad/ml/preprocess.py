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
import struct
import warnings
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from digitpad.ml.digits import FRAME_SIZE, to_model_input

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


_DOT_SIZE = 1e-200
"""A drawing smaller than this, in its own unit, is drawn as a dot: scaling it up to 20 pixels
would overflow floating point (denormal coordinates such as 5e-324)."""


class ImageLoadError(ValueError):
    """Raised when an image file cannot be read as a picture."""


def ink_to_image(
    strokes: Sequence[np.ndarray], pen_width_ratio: float = PEN_WIDTH_RATIO
) -> np.ndarray | None:
    """Render strokes (each an (n, 2) array, y down) as a centred 28x28 float32 image in [0, 1].

    Returns ``None`` for an empty drawing: there is no digit to show the model.
    ``pen_width_ratio`` is for training-time variety only; the app always uses the default.
    """
    strokes = _as_points(strokes)
    if not strokes:
        return None
    return _centre_by_mass(_InkFrame.around(strokes, pen_width_ratio).render(strokes))


def ink_parts_to_images(whole: Sequence[np.ndarray],
                        parts: Sequence[Sequence[np.ndarray]]) -> list[np.ndarray | None]:
    """Each part of a drawing (strokes, or pieces of them) drawn where it sits in the picture of
    the ``whole`` drawing, at the same scale and shift, not re-centred: the picture the model would
    see if the rest of the ink were rubbed out. None for a part with no ink (or no whole)."""
    strokes = _as_points(whole)
    if not strokes:
        return [None for _ in parts]
    frame = _InkFrame.around(strokes)
    placement = _placement(_pixels(frame.render(strokes)))
    if placement is None:
        return [None for _ in parts]
    images: list[np.ndarray | None] = []
    for part in parts:
        ink = _as_points(part)
        pixels = _pixels(frame.render(ink)) if ink else None
        images.append(None if pixels is None or not pixels.any() else _place(pixels, *placement))
    return images


def _as_points(strokes: Sequence[np.ndarray]) -> list[np.ndarray]:
    return [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]


class _InkFrame:
    """Where a drawing's ink goes on the supersampled canvas: its size sets the scale and pen."""

    def __init__(self, low: np.ndarray, span: np.ndarray, size: float, pen_width_ratio: float):
        self.size = size
        self.pen = pen_width_ratio * size
        self.scale = BOX_SIZE * SUPERSAMPLE / (size + self.pen)
        self.pixels = (np.ceil((span + self.pen) * self.scale).astype(int) + 1).tolist()
        self.offset = low - self.pen / 2.0

    @classmethod
    def around(cls, strokes: list[np.ndarray],
               pen_width_ratio: float = PEN_WIDTH_RATIO) -> _InkFrame:
        points = np.concatenate(strokes)
        low = points.min(axis=0)
        span = points.max(axis=0) - low
        size = float(span.max())
        if size < _DOT_SIZE:  # a single dot: any size will do, it is rendered as a round blob
            size = 1.0
        return cls(low, span, size, pen_width_ratio)

    def render(self, strokes: list[np.ndarray]) -> Image.Image:
        canvas = Image.new("L", tuple(self.pixels), 0)
        draw = ImageDraw.Draw(canvas)
        pen_px = max(1, round(self.pen * self.scale))
        radius = self.pen * self.scale / 2.0
        for stroke in strokes:
            path = (_smooth(stroke, self.size) - self.offset) * self.scale
            if len(path) > 1:
                draw.line(path.ravel().tolist(), fill=255, width=pen_px)
            # Round caps and round joins (a thick polyline leaves notches where it turns). A dot
            # at every point costs a Python call each, so only the ends and the real turns get one.
            for x, y in path[_ends_and_turns(path)]:
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
        return canvas


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
    segments = np.diff(stroke, axis=0)
    moved = segments.any(axis=1)  # a pen resting on a point adds nothing but rounding noise
    stroke = stroke[np.concatenate(([True], moved))]
    segments = segments[moved]
    if len(stroke) < 3:
        return stroke
    lengths = np.hypot(segments[:, 0], segments[:, 1])
    if lengths.max() <= _LONG_SEGMENT * size:
        return stroke
    # The spline needs one point beyond each end: mirror the end segments (p0 = 2 p1 - p2).
    padded = np.concatenate((segments[:1], segments, segments[-1:]))
    root = np.sqrt(np.concatenate((lengths[:1], lengths, lengths[-1:])))[:, None]
    root += 1e-9 * size + 1e-12
    # Centripetal (alpha = 0.5) tangent at every point, from the Barry-Goldman pyramid.
    before, after = padded[:-1], padded[1:]
    tangent = before / root[:-1] - (before + after) / (root[:-1] + root[1:]) + after / root[1:]
    span = root[1:-1]  # sqrt of each real segment's length
    controls = np.stack((stroke[:-1], tangent[:-1] * span, stroke[1:], tangent[1:] * span), axis=1)
    curve = (_HERMITE @ controls).reshape(-1, 2)
    return np.concatenate((curve, stroke[-1:]))


def _hermite_basis(steps: int) -> np.ndarray:
    """Rows: the cubic Hermite weights of (p1, m1, p2, m2) at ``steps`` even sub-steps."""
    t = np.linspace(0.0, 1.0, steps, endpoint=False)[:, None]
    return np.hstack(
        (2 * t**3 - 3 * t**2 + 1, t**3 - 2 * t**2 + t, -2 * t**3 + 3 * t**2, t**3 - t**2))


_HERMITE = _hermite_basis(SMOOTHING_STEPS)


def _centre_by_mass(digit: Image.Image) -> np.ndarray | None:
    """Place a supersampled digit (longer side <= 20 * SUPERSAMPLE) in the 28x28 frame by its mass.

    The shift is sub-pixel (bilinear, at 4x resolution), so the centre of mass lands on the frame
    centre, and a drawing moved or scaled by the user gives the same input, not one a rounding
    step away. Shift and 4x box filter are both separable and linear, so they are one small matrix
    per axis: frame = down @ digit @ across.T.
    """
    pixels = _pixels(digit)
    placement = _placement(pixels)
    return None if placement is None else _place(pixels, *placement)


def _pixels(digit: Image.Image) -> np.ndarray:
    pixels = np.frombuffer(digit.tobytes(), dtype=np.uint8).reshape(digit.height, digit.width)
    return pixels.astype(np.float32)


def _placement(pixels: np.ndarray) -> tuple[float, float] | None:
    """The (top, left) shift in fine pixels that puts the digit's centre of mass at the frame's
    centre (None when there is no ink)."""
    rows = pixels.sum(axis=1).astype(np.float64)  # whole numbers < 2**24: exact in float32
    mass = float(rows.sum())
    if mass <= 0.0:
        return None
    columns = pixels.sum(axis=0).astype(np.float64)
    cy = float(rows @ np.arange(len(rows))) / mass + 0.5
    cx = float(columns @ np.arange(len(columns))) / mass + 0.5
    frame_px = FRAME_SIZE * SUPERSAMPLE
    centre = frame_px / 2.0
    height, width = pixels.shape
    left = min(max(centre - cx, 0.0), float(frame_px - width))
    top = min(max(centre - cy, 0.0), float(frame_px - height))
    return top, left


def _place(pixels: np.ndarray, top: float, left: float) -> np.ndarray:
    down = _shift_and_shrink(top, pixels.shape[0])
    across = _shift_and_shrink(left, pixels.shape[1])
    frame = down @ pixels @ across.T
    # 8-bit grey levels, as MNIST's and as My Samples keeps them: what is stored is what was seen.
    frame = to_model_input(np.rint(frame))
    return np.minimum(frame, np.float32(1.0), out=frame)  # every weight row sums to at most 1


def _shift_and_shrink(shift: float, length: int) -> np.ndarray:
    """(28, length) matrix along one axis: move by ``shift`` >= 0 fine pixels (bilinear), then
    average each run of SUPERSAMPLE fine pixels into one frame pixel.

    Shifted by n + f, source pixel i lands on fine pixel i + n with weight 1 - f and on i + n + 1
    with weight f. At the digit's two edges the sample is clamped to the edge pixel for half a
    pixel and is zero beyond it, as in Pillow's affine transform, which rendered the training
    drawings.
    """
    whole = int(shift)
    part = shift - whole
    source = np.arange(length)
    here = np.full(length, 1.0 - part)
    here[0] = 1.0 if part <= 0.5 else 0.0
    beyond = np.full(length, part)
    beyond[-1] = 1.0 if part > 0.5 else 0.0
    frame_pixel = np.concatenate((source + whole, source + whole + 1)) // SUPERSAMPLE
    weights = np.bincount(
        frame_pixel * length + np.concatenate((source, source)),
        weights=np.concatenate((here, beyond)),
        minlength=(FRAME_SIZE + 1) * length,
    )
    return (weights.reshape(-1, length)[:FRAME_SIZE] / SUPERSAMPLE).astype(np.float32)


# --- photos and scans -------------------------------------------------------------------------

INK_THRESHOLD = 0.25
"""After background removal, pixels at least this bright count as ink when cropping."""
MAX_WORKING_SIDE = 600
"""Big photos are shrunk to this first; a digit needs no more detail than that."""
LIGHTING_SCALE = 0.25
"""Anything darker than the paper around it and narrower than this fraction of the picture's
longer side is ink; anything wider is a change of the light. Strokes are far narrower."""
PAPER_GRID = 150
"""The paper's grey is estimated on a grid of at most this many cells a side (4 pixels of a
working copy): fine enough to follow a shadow's edge, small enough to cost little."""
VOTING_SCALES = (1 / 32, 1 / 16, 1 / 8)
"""Fractions of the picture's longer side at which a page mostly in a shadow is told from light
ink on a dark ground."""
MIN_LIGHT = 0.2
"""Shadows keep at least this fraction of the light. Paper darker than that is something dark
on the page (ink running along its edge, say), where dividing the light out would only amplify
noise; and a dark ground is nowhere lighter than its border by more than the inverse."""


IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF")
"""The only decoders a picture is offered to, chosen by content, not name: never EPS or PDF,
whose Pillow plugins run Ghostscript, an external interpreter."""
MAX_IMAGE_PIXELS = 40_000_000
"""Pictures with more pixels are refused from their header, before decoding (a 40 megapixel
photo is ~120 MB of RGB); below Pillow's own decompression-bomb limit, whose errors are tracebacks
nobody asked for."""
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError,
                  ZeroDivisionError, struct.error)
"""What Pillow's decoders raise on a broken file (a truncated, garbled or lying one)."""


def load_image(path: str | os.PathLike[str]) -> np.ndarray | None:
    """Read a photo or scan of one digit and normalise it like :func:`ink_to_image`.

    Works for dark-on-light (paper) and light-on-dark (MNIST-like) pictures; transparent pixels
    are paper. Returns ``None`` when the picture holds no ink at all (a blank page).
    """
    return image_to_mnist(load_gray(path))


def load_gray(path: str | os.PathLike[str]) -> np.ndarray:
    """A picture file's float grey levels in [0, 1], as it is shown (EXIF rotation applied).

    Only the decoders of :data:`IMAGE_FORMATS` are offered the file, and a picture of more than
    :data:`MAX_IMAGE_PIXELS` is refused from its header; every problem is an
    :class:`ImageLoadError` that names the file.
    """
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed below, with the picture
    except OSError as exc:
        raise ImageLoadError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    with file, warnings.catch_warnings():
        if os.fstat(file.fileno()).st_size == 0:
            raise ImageLoadError(f"{path}: the file is empty")
        # Complaints about odd metadata are not the user's business: what is readable is read.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(file, formats=IMAGE_FORMATS) as opened:
                if opened.width * opened.height > MAX_IMAGE_PIXELS:  # our limit, from the header
                    raise Image.DecompressionBombError
                gray = _gray_on_paper(ImageOps.exif_transpose(opened))
        except UnidentifiedImageError as exc:
            raise ImageLoadError(
                f"{path}: not a supported image (PNG, JPEG, BMP, GIF, WebP or TIFF)") from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageLoadError(
                f"{path}: too many pixels; the limit is {MAX_IMAGE_PIXELS // 10**6} megapixels, "
                "shrink the picture first") from exc
        except _DECODE_ERRORS as exc:
            raise ImageLoadError(
                f"{path}: the image is damaged or cut short and cannot be read") from exc
    if gray.size == 0:
        raise ImageLoadError(f"{path}: the image has no pixels")
    return gray


def _gray_on_paper(picture: Image.Image) -> np.ndarray:
    """Float grey levels in [0, 1] of any mode: 16- and 32-bit grey are scaled, not clipped to 8
    bits, and transparency is composited onto white paper."""
    if picture.mode.startswith("I"):  # I, I;16, I;16B ...: PNG and TIFF 16-bit grey
        return np.clip(np.asarray(picture, dtype=np.float32) / 65535.0, 0.0, 1.0)
    if picture.has_transparency_data:
        paper = Image.new("RGBA", picture.size, "white")
        picture = Image.alpha_composite(paper, picture.convert("RGBA"))
    return to_model_input(np.asarray(picture.convert("L")))


def image_to_mnist(gray: np.ndarray) -> np.ndarray | None:
    """Normalise a grayscale picture (float in [0, 1], any polarity) to the 28x28 model input."""
    ink = picture_ink(working_copy(gray))
    return None if ink is None else ink_to_mnist(ink)


def ink_to_mnist(ink: np.ndarray) -> np.ndarray | None:
    """The 28x28 model input of a picture's ink (as :func:`picture_ink` finds it): cropped to
    the pixels at least :data:`INK_THRESHOLD` bright, size-normalised and centred by mass.
    None when no pixel is that bright."""
    rows = np.flatnonzero((ink >= INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink >= INK_THRESHOLD).any(axis=0))
    if not len(rows):
        return None
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = crop.shape
    scale = BOX_SIZE * SUPERSAMPLE / max(height, width)
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    digit = Image.fromarray(crop * np.float32(255.0), mode="F").resize(target, resample)
    return _centre_by_mass(digit.convert("L"))


def working_copy(gray: np.ndarray) -> np.ndarray:
    """A grayscale picture as float32, box-filtered down to :data:`MAX_WORKING_SIDE` when bigger
    (a copy this size is left as it is)."""
    gray = np.asarray(gray, dtype=np.float32)
    if gray.ndim != 2 or gray.size == 0:
        raise ValueError(f"Expected a 2-D grayscale image, received shape {gray.shape}")
    if max(gray.shape) > MAX_WORKING_SIDE:
        factor = MAX_WORKING_SIDE / max(gray.shape)
        shrunk = Image.fromarray(gray, mode="F").resize(
            (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor))),
            Image.Resampling.BOX,
        )
        gray = np.asarray(shrunk, dtype=np.float32)
    return gray


def picture_ink(gray: np.ndarray) -> np.ndarray | None:
    """The ink of a float32 grayscale picture of either polarity.

    Light on a page is rarely even (a lamp to one side, the shadow of a hand or of the phone),
    so the paper's grey is estimated at every pixel (:func:`_paper_grey`) and divided out:
    shaded paper is paper, and ink in a shadow is as strong as ink in the light. On a dark
    ground it is subtracted instead. Ink is how far a pixel then stands out from the paper,
    scaled so the strongest ink is 1, paper grain and sensor noise set to 0. Evenly lit paper
    is left as it is, so it reads exactly as it did when the border's median grey was taken
    for the paper everywhere. None when nothing stands out: a blank picture.
    """
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    paper = float(np.median(border))
    grid = _grid(gray)
    on_paper = _is_paper(border, paper, grid)
    local = _paper_grey(grid, on_paper, gray.shape)
    gain: np.ndarray | float = 1.0
    if on_paper:  # dark ink on a light page: light multiplies what the page reflects
        gain = np.float32(paper) / np.maximum(local, np.float32(MIN_LIGHT * paper))
        flat = 1.0 - gray * gain
        background = 1.0 - paper
    else:  # light ink on a dark ground: dividing by a near-black ground would amplify noise
        flat = gray + (np.float32(paper) - np.minimum(local, np.float32(paper / MIN_LIGHT)))
        background = paper
    ink = flat - background
    peak = float(ink.max())
    if peak < 0.1:  # nothing stands out from the background: a blank picture
        return None
    ink = np.clip(ink / peak, 0.0, 1.0)
    ink[ink < 0.1 * gain] = 0.0  # paper grain and sensor noise, amplified where light is dim
    return ink


def _grid(gray: np.ndarray) -> np.ndarray:
    """The picture box-filtered down to at most :data:`PAPER_GRID` cells a side, for speed."""
    height, width = gray.shape
    shrink = max(height, width) / PAPER_GRID
    if shrink <= 1:
        return gray
    cells = (max(1, round(width / shrink)), max(1, round(height / shrink)))
    return np.asarray(Image.fromarray(gray, mode="F").resize(cells, Image.Resampling.BOX),
                      np.float32)


def _paper_grey(grid: np.ndarray, on_paper: bool, shape: tuple[int, int]) -> np.ndarray:
    """The grey the paper (or the dark background) has at every pixel of a picture of ``shape``,
    from the picture's :func:`_grid`, stretched back to the picture's size. Evenly lit paper
    comes out exactly its own grey."""
    grid = _without_ink(grid, max(2, round(LIGHTING_SCALE * max(grid.shape))), on_paper)
    if grid.shape == shape:
        return grid
    return np.asarray(Image.fromarray(grid, mode="F").resize(
        (shape[1], shape[0]), Image.Resampling.BILINEAR), np.float32)


def _without_ink(grid: np.ndarray, size: int, on_paper: bool) -> np.ndarray:
    """The grid with everything darker than its surroundings (on paper; lighter on a dark
    background) and narrower than ``size`` cells taken away: a morphological closing (an
    opening) with a square that size.

    Strokes are far narrower than :data:`LIGHTING_SCALE`, and light changes slowly but for a
    shadow's edge, which a closing keeps as it is. The grid is extended by its edge beyond its
    border, so that a shadow over one side is kept however narrow.
    """
    first, then = (np.maximum, np.minimum) if on_paper else (np.minimum, np.maximum)
    extended = np.pad(grid, size - 1, mode="edge")
    for extreme in (first, then):
        extended = _running(_running(extended, size, extreme, 0), size, extreme, 1)
    return extended


def _running(values: np.ndarray, size: int, extreme: np.ufunc, axis: int) -> np.ndarray:
    """The ``extreme`` (np.maximum or np.minimum) of every run of ``size`` values along an
    axis, one per run: ``size - 1`` fewer values. Runs double in length at each step."""
    values = np.moveaxis(values, axis, 0)
    span = 1
    while 2 * span <= size:
        values = extreme(values[:-span], values[span:])
        span *= 2
    if span < size:
        values = extreme(values[: len(values) - (size - span)], values[size - span :])
    return np.moveaxis(values, 0, axis)


def _is_paper(border: np.ndarray, paper: float, grid: np.ndarray) -> bool:
    """Whether a picture is dark ink on a light page rather than light ink on a dark ground.

    A light border (``paper``, its median) is paper, as it always was. A dark one is a dark
    ground, unless part of it is light and the rest no darker than paper in a shadow
    (:data:`MIN_LIGHT`): then it may be a page mostly in a shadow, and the ink tells. At each
    of :data:`VOTING_SCALES`, what stands out from its surroundings is mostly darker or mostly
    lighter than them (the residues of a closing and of an opening); strokes, the narrowest
    things that do, outweigh the paper inside loops, and a shadow's edge is neither.
    """
    if paper > 0.5:
        return True
    light = float(np.percentile(border, 90))
    if light <= 0.5 or paper < MIN_LIGHT * light:
        return False
    votes = 0.0
    for scale in VOTING_SCALES:
        size = max(2, round(scale * max(grid.shape)))
        darker = float((_without_ink(grid, size, True) - grid).sum())
        lighter = float((grid - _without_ink(grid, size, False)).sum())
        votes += (darker - lighter) / max(darker + lighter, 1e-9)
    return votes > 0


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
