"""Drawings that are not digits, so a model can learn to say "not a digit" (issue 12).

A ten-class model has to name a digit for anything it is shown: a letter, a doodle, a tap, two
digits written together. To learn to refuse them it needs many such drawings, as ink in the same
form as the pen-drawn digits (strokes of points sampled like a tablet, in a 0..500 box), so they
pass through the same rendering as everything else. All are generated from a seed.

Kinds (``Drawing.extra["kind"]``) and their shares of :func:`negative_drawings`
(:data:`KIND_SHARES`):

- ``letter`` 30 %: a letter of a Hershey stroke font (key ``font``, ``char``), under a random
  affine change, slight jitter and tablet-like point spacing. Only letters that cannot be read as
  a digit (:data:`LETTERS`).
- ``pair`` 25 %: two real digits of one writer side by side (keys ``writer``, ``labels`` and
  ``sources``, the digits' :func:`strokes_fingerprint`); half of them ``joined``, the first
  digit's last stroke running on by a straight segment into the second's first. Two digits are
  not one digit.
- ``shape`` 20 %: one of :data:`SHAPES` (key ``shape``), in equal numbers.
- ``scribble`` 10 %: 1-3 smooth curves through random points, turning three full turns or more.
- ``spiral`` 7 %: inward or outward, either direction, 1.5 to 3.5 turns (loops closer than the
  pen's width merge into a disc).
- ``tap`` 4 %: one point, or 2-3 points at one place (a pen that rests).
- ``dash`` 4 %: a short, nearly horizontal line.

Never generated, because a person would read it as a digit or as part of one:

- a single vertical or steep line (a 1), a single circle or ellipse, or any closed loop of about
  one turn (a 0); so spirals make 1.5 turns or more, and a smiley's face has eyes and a mouth;
- a tap that moves: scaled to the model's box like every drawing, it is a short line, a 1 when
  steep;
- letters that look like digits: O D Q o (0), I L J T l i j t (1, 7), Z z (2), S s (5), G b (6),
  B (8), A (4), d g q (9); a script f (a slanted 1 at 28x28 pixels); the Greek omicron (0), epsilon
  and xi (3), the Cyrillic reversed e (3) and ve (8);
- a zigzag of fewer than five segments or a vertical one (a Z is a 2), an S-curve (a 5), a loop
  with a tail (a 6 or a 9), two stacked loops (an 8), a scribble that turns little or is narrow;
- vertical and diagonal arrows: an up arrow is a 1 with a flag, a diagonal one's head and shaft
  make a 7; so arrows point left or right, within about 30 degrees of the horizontal;
- tall, narrow rectangles (a boxy 0), open triangles or hooks (a 4, a 7), and a plus whose bar
  sits high (a crossed 1 or 7): the plus crosses near the middle of both its lines.

The ``evaluation`` family uses other fonts (:data:`EVALUATION_FONTS`), other generator ranges,
another random stream and, for pairs, only the writers a model card holds out, so a refusal rate
measured on it is one for drawings never trained on.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from digitpad.ml.ink import Drawing, Stroke, strokes_fingerprint
from digitpad.ml.ink_augment import random_affine, split_by_writer
from digitpad.ml.preprocess import ink_to_image
from digitpad.paths import assets_dir

BOX = 500.0
"""Generated ink lies in a BOX x BOX square, the pendigits tablet's range."""
SIZE_RANGE = (150.0, 450.0)
"""The longer side of a generated drawing, in box units."""
FAMILIES = ("train", "evaluation")
PAIR_HOLD_OUT_EVERY = 3
"""Pairs use :func:`split_by_writer` with this, as the model card does: the training family
takes the training writers, the evaluation family the held-out ones."""

KIND_SHARES: dict[str, float] = {
    "letter": 0.30,
    "pair": 0.25,
    "shape": 0.20,
    "scribble": 0.10,
    "spiral": 0.07,
    "tap": 0.04,
    "dash": 0.04,
}
SHAPES = (
    "zigzag", "wave", "cross", "plus", "star", "asterisk", "rectangle", "triangle", "heart",
    "arrow", "check", "smiley", "hash",
)

LETTERS = "CEFHKMNPRUVWXYacefhkmnpruvwxy"
"""Latin letters no one reads as a digit."""
TRAIN_FONTS = ("futural", "futuram", "rowmans", "scripts", "cursive", "timesr", "greek")
EVALUATION_FONTS = ("scriptc", "timesi", "cyrillic")
"""Designs of their own: not a duplex or a slanted copy of a training font (futuram is futural
drawn twice, cursive is scripts), and an alphabet the training family never sees."""
_SCRIPT_LETTERS = LETTERS.replace("f", "")
"""A script f is a tall, thin, slanted loop: at 28x28 pixels, a 1."""
_FONT_LETTERS = {
    "scripts": _SCRIPT_LETTERS, "cursive": _SCRIPT_LETTERS, "scriptc": _SCRIPT_LETTERS,
    # The glyphs at these codes are Greek or Cyrillic letters; drop those that look like digits.
    "greek": LETTERS.translate(str.maketrans("", "", "Vevx")),  # omicron, epsilon, xi, ÷
    "cyrillic": LETTERS.translate(str.maketrans("", "", "CVcv")),  # reversed e, ve
}


@dataclass(frozen=True)
class _Family:
    """What differs between the two families of generated drawings."""

    fonts: tuple[str, ...]
    stream: int
    spacing: tuple[float, float]
    """Distance between tablet points, as a fraction of the drawing's size."""
    jitter: float
    """Standard deviation of the per-point noise, as a fraction of the drawing's size."""
    spiral_turns: tuple[float, float]
    scribble_points: tuple[int, int]
    """Random points a scribble's stroke curves through (upper bound excluded)."""
    zigzag_segments: tuple[int, int]
    wave_periods: tuple[float, float]


_FAMILIES = {
    "train": _Family(TRAIN_FONTS, 0, (0.03, 0.10), 0.005, (1.5, 3.0), (7, 13), (5, 8),
                     (1.5, 3.0)),
    "evaluation": _Family(EVALUATION_FONTS, 1, (0.04, 0.12), 0.007, (2.0, 3.5), (9, 16),
                          (6, 10), (2.0, 4.0)),
}


def negative_drawings(
    count: int, seed: int, family: str = "train", *, pen_digits: Sequence[Drawing]
) -> list[Drawing]:
    """``count`` drawings that are not digits, in the shares of :data:`KIND_SHARES`, shuffled.

    ``pen_digits`` is the whole set of real digits with their ``writer``: the family takes its own
    writers from it (see :data:`PAIR_HOLD_OUT_EVERY`), so the training family never uses a
    held-out writer. Deterministic for a given seed and family.
    """
    if family not in _FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}; received {family!r}")
    if count < 0:
        raise ValueError(f"count must be 0 or more; received {count}")
    params = _FAMILIES[family]
    rng = np.random.default_rng([seed, params.stream])
    counts = kind_counts(count)
    writers = _pair_writers(pen_digits, family) if counts["pair"] else {}
    drawings: list[Drawing] = []
    for kind, n in counts.items():
        for i in range(n):
            if kind == "pair":
                drawings.append(_pair(writers, rng, joined=i < n // 2))
            elif kind == "shape":
                drawings.append(_shape(SHAPES[i % len(SHAPES)], rng, params))
            else:
                drawings.append(_GENERATORS[kind](rng, params))
    order = rng.permutation(len(drawings))
    return [drawings[i] for i in order]


def kind_counts(count: int) -> dict[str, int]:
    """How many drawings of each kind ``count`` holds: the shares, rounded by largest remainder."""
    exact = {kind: share * count for kind, share in KIND_SHARES.items()}
    counts = {kind: int(value) for kind, value in exact.items()}
    by_remainder = sorted(exact, key=lambda kind: counts[kind] - exact[kind])
    for kind in by_remainder[: count - sum(counts.values())]:
        counts[kind] += 1
    return counts


def font_letters(font: str) -> str:
    """The characters drawn from ``font``: those of its glyphs that cannot be read as a digit."""
    return _FONT_LETTERS.get(font, LETTERS)


# --- finishing: from an ideal shape to tablet ink ----------------------------------------------


def _ink(strokes: Sequence[np.ndarray], rng: np.random.Generator, params: _Family) -> list[Stroke]:
    """Ideal strokes -> ink: random affine, placed in the box, resampled like a tablet, jittered."""
    strokes, size = _place(random_affine([np.asarray(s, dtype=np.float64) for s in strokes], rng),
                           rng)
    spacing = rng.uniform(*params.spacing) * size
    sigma = params.jitter * size
    resampled = [_tablet(s, spacing, rng) for s in strokes]
    return [s + rng.normal(0.0, sigma, s.shape) for s in resampled]


def _place(strokes: list[np.ndarray], rng: np.random.Generator) -> tuple[list[np.ndarray], float]:
    """Scale the strokes to a random size and move them to a random place in the box."""
    points = np.concatenate(strokes)
    low = points.min(axis=0)
    span = np.ptp(points, axis=0)
    longest = max(float(span.max()), 1e-9)
    size = rng.uniform(*SIZE_RANGE)
    scale = size / longest
    corner = rng.uniform(0.0, 1.0, 2) * (BOX - span * scale)
    return [(s - low) * scale + corner for s in strokes], size


_CORNER_COSINE = np.cos(np.radians(40.0))
"""A glyph's vertex that turns more than this is a corner: the pen slows there, so it is kept."""


def _tablet(stroke: np.ndarray, spacing: float, rng: np.random.Generator) -> np.ndarray:
    """Resample a polyline at about ``spacing`` apart, unevenly, as a pen sampled in time does;
    corners stay where they are."""
    keep = np.concatenate(([True], np.diff(stroke, axis=0).any(axis=1)))
    stroke = stroke[keep]
    if len(stroke) < 2:
        return stroke
    before = stroke[1:-1] - stroke[:-2]
    after = stroke[2:] - stroke[1:-1]
    turns = (before * after).sum(axis=1) < _CORNER_COSINE * (
        np.hypot(*before.T) * np.hypot(*after.T))
    cuts = [0, *(np.flatnonzero(turns) + 1).tolist(), len(stroke) - 1]
    pieces = [stroke[:1]]
    for start, end in itertools.pairwise(cuts):
        piece = stroke[start : end + 1]
        along = np.concatenate(([0.0], np.cumsum(np.hypot(*np.diff(piece, axis=0).T))))
        steps = rng.lognormal(0.0, 0.3, max(1, round(along[-1] / spacing)))
        at = np.cumsum(steps) / steps.sum() * along[-1]
        pieces.append(np.column_stack((np.interp(at, along, piece[:, 0]),
                                       np.interp(at, along, piece[:, 1]))))
    return np.concatenate(pieces)


# --- letters -------------------------------------------------------------------------------------


GLYPHS_FILE = "letter_strokes.json"
"""In ``assets/``: the strokes of every letter used, of every font used, taken from the Hershey
fonts as the ``Hershey-Fonts`` package (MIT) holds them (``python -m digitpad.ml.negatives``
writes it). Shipped as data so that making negatives needs no package at run time: that one
installs a top-level ``tests`` package beside the user's own."""


def hershey_glyphs() -> dict[str, dict[str, list[list[list[float]]]]]:
    """Every font's letters' strokes (Hershey units, y down) from the ``Hershey-Fonts`` package,
    for :data:`GLYPHS_FILE` (a development dependency)."""
    from HersheyFonts import HersheyFonts

    glyphs = {}
    for font in (*TRAIN_FONTS, *EVALUATION_FONTS):
        hershey = HersheyFonts()
        hershey.load_default_font(font)
        glyphs[font] = {char: [[list(map(float, point)) for point in stroke]
                               for stroke in hershey.strokes_for_text(char)]
                        for char in font_letters(font)}
    return glyphs


@functools.cache
def _all_glyphs() -> dict[str, dict[str, tuple[np.ndarray, ...]]]:
    data = json.loads((assets_dir() / GLYPHS_FILE).read_text(encoding="utf-8"))
    return {font: {char: tuple(np.asarray(stroke, dtype=np.float64) for stroke in strokes)
                   for char, strokes in letters.items()}
            for font, letters in data.items()}


def _glyphs(font: str) -> dict[str, tuple[np.ndarray, ...]]:
    """The strokes of each of the font's letters (Hershey units, y down)."""
    return _all_glyphs()[font]


def _letter(rng: np.random.Generator, params: _Family) -> Drawing:
    font = params.fonts[rng.integers(len(params.fonts))]
    letters = font_letters(font)
    char = letters[rng.integers(len(letters))]
    strokes = _ink(_glyphs(font)[char], rng, params)
    return Drawing(tuple(strokes), None, {"kind": "letter", "font": font, "char": char})


# --- scribbles, spirals, taps, dashes ----------------------------------------------------------


SCRIBBLE_TURNING = 6 * np.pi
"""Least total turning of a scribble's strokes, in radians."""
SCRIBBLE_ASPECT = 0.75
"""Least ratio of a scribble's shorter side to its longer one: nine in ten pendigits 8s, 6s, 4s
and 1s are narrower."""


def _scribble(rng: np.random.Generator, params: _Family) -> Drawing:
    """Smooth curves through random points of the box: they turn often and criss-cross it.

    A few random points can make a simple curve (a 2, a 4) or a narrow one (a 1, an 8): those
    are drawn again until the scribble turns through three full turns and is not narrow."""
    while True:
        sizes = rng.integers(*params.scribble_points, size=rng.integers(1, 4))
        strokes = [_rounded(rng.uniform(-1.0, 1.0, (int(n), 2)), 3) for n in sizes]
        if sum(map(_turning, strokes)) < SCRIBBLE_TURNING:
            continue
        ink = _ink(strokes, rng, params)
        span = np.ptp(np.concatenate(ink), axis=0)
        if span.min() >= SCRIBBLE_ASPECT * span.max():
            return Drawing(tuple(ink), None, {"kind": "scribble"})


def _turning(stroke: np.ndarray) -> float:
    """How much a polyline turns along its length, in radians, whichever way it turns."""
    heading = np.unwrap(np.arctan2(*np.diff(stroke, axis=0).T[::-1]))
    return float(np.abs(np.diff(heading)).sum())


def _rounded(polygon: np.ndarray, rounds: int) -> np.ndarray:
    """Chaikin's corner cutting: ``rounds`` of it turn a polygon into a smooth curve."""
    for _ in range(rounds):
        a, b = polygon[:-1], polygon[1:]
        polygon = np.vstack((polygon[:1], np.stack((0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b),
                                                    axis=1).reshape(-1, 2), polygon[-1:]))
    return polygon


def _spiral(rng: np.random.Generator, params: _Family) -> Drawing:
    turns = rng.uniform(*params.spiral_turns)
    angle = np.linspace(0.0, 2 * np.pi * turns, max(40, int(40 * turns)))
    radius = rng.uniform(0.0, 0.15) + (1.0 - rng.uniform(0.0, 0.15)) * angle / angle[-1]
    direction = rng.choice((-1.0, 1.0))
    start = rng.uniform(0.0, 2 * np.pi)
    points = radius[:, None] * np.column_stack(
        (np.cos(start + direction * angle), np.sin(start + direction * angle)))
    points[:, 1] *= rng.uniform(0.7, 1.0)
    inward = bool(rng.integers(2))
    strokes = _ink([points[::-1] if inward else points], rng, params)
    return Drawing(tuple(strokes), None,
                   {"kind": "spiral", "turns": float(turns), "inward": inward})


def _tap(rng: np.random.Generator, params: _Family) -> Drawing:
    """One point, or 2-3 on the same tablet unit: a pen that rests. A tap that moves is a short
    line once scaled to the model's box, and a steep one is a 1."""
    where = np.rint(rng.uniform(50.0, BOX - 50.0, 2))
    return Drawing((np.tile(where, (int(rng.integers(1, 4)), 1)),), None, {"kind": "tap"})


def _dash(rng: np.random.Generator, params: _Family) -> Drawing:
    tilt = np.radians(rng.uniform(-15.0, 15.0))
    length = rng.uniform(60.0, 300.0)
    t = np.linspace(-0.5, 0.5, int(rng.integers(2, 9)))[:, None]
    points = t * length * np.array([np.cos(tilt), np.sin(tilt)]) + BOX / 2
    points = points + rng.normal(0.0, params.jitter * length, points.shape)
    return Drawing((points,), None, {"kind": "dash"})


# --- shapes: unit-sized ideal strokes, y down ----------------------------------------------------


def _zigzag(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    segments = int(rng.integers(params.zigzag_segments[0], params.zigzag_segments[1] + 1))
    x = np.linspace(-1.0, 1.0, segments + 1) + rng.normal(0.0, 0.03, segments + 1)
    y = rng.uniform(0.25, 0.6) * (np.resize([1.0, -1.0], segments + 1)) * rng.uniform(
        0.8, 1.2, segments + 1)
    return [np.column_stack((x, y))]


def _wave(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    periods = rng.uniform(*params.wave_periods)
    x = np.linspace(-1.0, 1.0, int(30 * periods))
    y = rng.uniform(0.2, 0.5) * np.sin(np.pi * periods * (x + 1.0) + rng.uniform(0, 2 * np.pi))
    return [np.column_stack((x, y))]


def _cross(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    ends = np.array([[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]])
    ends += rng.normal(0.0, 0.1, ends.shape)
    return _shuffled([ends[:2], ends[2:]], rng)


def _plus(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    across, down = rng.uniform(0.4, 0.6, 2)  # where each line is crossed, along its length
    half = rng.uniform(0.8, 1.25)
    bar = np.array([[-2 * across, 0.0], [2 * (1 - across), 0.0]]) * half
    stem = np.array([[0.0, -2 * down], [0.0, 2 * (1 - down)]])
    return _shuffled([bar, stem], rng)


def _star(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    """A five-pointed star in one stroke."""
    angles = -np.pi / 2 + np.arange(6) * 4 * np.pi / 5 + rng.normal(0.0, 0.05, 6)
    angles[-1] = angles[0]
    return [np.column_stack((np.cos(angles), np.sin(angles)))]


def _asterisk(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    lines = int(rng.integers(3, 5))
    angles = rng.uniform(0.0, np.pi) + np.arange(lines) * np.pi / lines
    return [np.array([[-np.cos(a), -np.sin(a)], [np.cos(a), np.sin(a)]]) for a in angles]


def _rectangle(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    width, height = rng.uniform(1.0, 2.2), 1.0
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height], [0, 0]], float)
    corners += rng.normal(0.0, 0.04, corners.shape)
    corners = np.vstack((corners, corners[0] + 0.15 * (corners[1] - corners[0])))  # overshoot
    if rng.integers(2):  # two strokes: top and right, then left and bottom
        return [corners[:3], np.vstack((corners[0], corners[3], corners[2]))]
    return [corners]


def _triangle(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    corners = np.array([[0.0, -1.0], [0.9, 0.7], [-0.9, 0.7]]) + rng.normal(0.0, 0.08, (3, 2))
    if rng.integers(2):
        corners[:, 1] *= -1.0  # pointing down
    start = int(rng.integers(3))
    corners = np.roll(corners, -start, axis=0)
    return [np.vstack((corners, corners[0], corners[0] + 0.1 * (corners[1] - corners[0])))]


def _heart(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    t = np.linspace(0.0, 2 * np.pi, 80)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    points = np.column_stack((x, y)) / 16.0
    if rng.integers(2):  # each half from the dip down to the tip
        return [points[:41], points[40:][::-1]]
    return [points]


def _arrow(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    barb = rng.uniform(0.25, 0.45)
    spread = np.radians(rng.uniform(25.0, 45.0))
    shaft = np.array([[-1.0, 0.0], [1.0, 0.0]])
    head = np.array([[1 - barb * np.cos(spread), -barb * np.sin(spread)], [1.0, 0.0],
                     [1 - barb * np.cos(spread), barb * np.sin(spread)]])
    tilt = np.radians(rng.uniform(-10.0, 10.0))  # the affine change can add 20 more
    turn = np.array([[np.cos(tilt), -np.sin(tilt)], [np.sin(tilt), np.cos(tilt)]])
    if rng.integers(2):  # pointing left
        shaft, head = shaft * (-1, 1), head * (-1, 1)
    return [shaft @ turn.T, head @ turn.T]


def _check(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    points = np.array([[-0.6, 0.0], [-0.2, 0.5], [0.8, -0.7]]) + rng.normal(0.0, 0.06, (3, 2))
    return [points]


def _smiley(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    start = rng.uniform(0.0, 2 * np.pi)
    t = start + np.linspace(0.0, 2.1 * np.pi, 60)
    face = np.column_stack((np.cos(t), np.sin(t)))
    eyes = [np.array([[x, -0.3]]) + rng.normal(0.0, 0.03, (int(rng.integers(1, 3)), 2))
            for x in (-0.35, 0.35)]
    smile = np.linspace(np.radians(30), np.radians(150), 20)
    mouth = np.column_stack((0.55 * np.cos(smile), 0.55 * np.sin(smile) - 0.05))
    return [face, *eyes, mouth]


def _hash(rng: np.random.Generator, params: _Family) -> list[np.ndarray]:
    lean = rng.uniform(0.0, 0.25)
    rows = [np.array([[-1.0, y], [1.0, y]]) for y in (-0.33, 0.33)]
    columns = [np.array([[x + lean, -1.0], [x - lean, 1.0]]) for x in (-0.33, 0.33)]
    lines = [line + rng.normal(0.0, 0.05, (2, 2)) for line in (*rows, *columns)]
    return lines if rng.integers(2) else columns + rows


def _shuffled(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """The strokes in a random order, each drawn either way: people start where they like."""
    strokes = [s[::-1] if rng.integers(2) else s for s in strokes]
    return [strokes[i] for i in rng.permutation(len(strokes))]


_SHAPE_MAKERS: dict[str, Callable[[np.random.Generator, _Family], list[np.ndarray]]] = {
    "zigzag": _zigzag, "wave": _wave, "cross": _cross, "plus": _plus, "star": _star,
    "asterisk": _asterisk, "rectangle": _rectangle, "triangle": _triangle, "heart": _heart,
    "arrow": _arrow, "check": _check, "smiley": _smiley, "hash": _hash,
}


def _shape(name: str, rng: np.random.Generator, params: _Family) -> Drawing:
    strokes = _ink(_SHAPE_MAKERS[name](rng, params), rng, params)
    return Drawing(tuple(strokes), None, {"kind": "shape", "shape": name})


_GENERATORS: dict[str, Callable[[np.random.Generator, _Family], Drawing]] = {
    "letter": _letter, "scribble": _scribble, "spiral": _spiral, "tap": _tap, "dash": _dash,
}


# --- pairs of real digits ------------------------------------------------------------------------


def _pair_writers(pen_digits: Sequence[Drawing], family: str) -> dict[str, list[Drawing]]:
    """The family's writers (training or held out) and their labelled, non-empty drawings."""
    train, held_out, _ = split_by_writer(pen_digits, PAIR_HOLD_OUT_EVERY)
    own: dict[str, list[Drawing]] = {}
    for drawing in train if family == "train" else held_out:
        if drawing.label is not None and not drawing.is_empty:
            own.setdefault(str(drawing.extra.get("writer", "")), []).append(drawing)
    writers = {w: drawings for w, drawings in sorted(own.items()) if len(drawings) >= 2}
    if not writers:
        raise ValueError(
            f"pen_digits has no {family} writer with two labelled drawings to make pairs from; "
            f"received {len(pen_digits)} drawings. Pass the whole set of real digits, each with "
            "its 'writer'.")
    return writers


PAIR_GAP = (-0.25, 0.6)
"""Space between the two digits' boxes as a fraction of their height: negative values overlap,
by at most a quarter of the narrower digit's width, so two 1s never merge into one."""


def _pair(writers: dict[str, list[Drawing]], rng: np.random.Generator, joined: bool) -> Drawing:
    """Two of one writer's digits side by side at a similar height, perhaps in one stroke."""
    names = list(writers)
    writer = names[rng.integers(len(names))]
    first, second = (writers[writer][i] for i in rng.choice(len(writers[writer]), 2, False))
    height = 300.0
    placed: list[list[np.ndarray]] = []
    right = 0.0
    narrowest = np.inf
    for drawing in (first, second):
        points = np.concatenate(drawing.strokes)
        low, span = points.min(axis=0), np.ptp(points, axis=0)
        scale = height * rng.uniform(0.85, 1.15) / max(float(span[1]), 1e-9)
        narrowest = min(narrowest, float(span[0]) * scale)
        gap = rng.uniform(*PAIR_GAP)
        gap = gap * min(narrowest, height) if gap < 0 else gap * height
        left = right + gap if placed else 0.0
        top = rng.uniform(-0.1, 0.1) * height
        placed.append([(s - low) * scale + (left, top) for s in drawing.strokes])
        right = left + float(span[0]) * scale
    strokes = placed[0] + placed[1]
    if joined:
        end, start = placed[0][-1], placed[1][0]
        spacing = np.median(np.hypot(*np.diff(np.concatenate(strokes), axis=0).T))
        steps = max(2, round(float(np.hypot(*(start[0] - end[-1]))) / max(spacing, 1e-9)))
        link = end[-1] + np.linspace(0.0, 1.0, steps + 1)[1:-1, None] * (start[0] - end[-1])
        strokes = [*placed[0][:-1], np.vstack((end, link, start)), *placed[1][1:]]
    points = np.concatenate(strokes)
    fit = (BOX * 0.9) / max(float(np.ptp(points, axis=0).max()), 1e-9)
    low = points.min(axis=0)
    strokes = [(s - low) * fit + BOX * 0.05 for s in strokes]
    return Drawing(tuple(strokes), None, {
        "kind": "pair", "writer": writer, "labels": [first.label, second.label],
        "joined": joined, "sources": [strokes_fingerprint(first), strokes_fingerprint(second)]})


# --- looking at them -----------------------------------------------------------------------------


def contact_sheet(
    drawings: Sequence[Drawing], path: str | os.PathLike[str], columns: int = 16,
    scale: int = 3,
) -> None:
    """Save a PNG of the drawings as the model sees them (28x28, ``scale`` times bigger), each
    captioned with its kind and detail, or its label: generated ink has to be looked at."""
    cell = 28 * scale
    caption = 12
    rows = max(1, -(-len(drawings) // columns))
    sheet = Image.new("L", (columns * cell, rows * (cell + caption)), 48)
    draw = ImageDraw.Draw(sheet)
    for i, drawing in enumerate(drawings):
        x, y = (i % columns) * cell, (i // columns) * (cell + caption)
        image = ink_to_image(drawing.strokes)
        if image is not None:
            tile = Image.fromarray(np.rint(image * 255).astype(np.uint8))
            sheet.paste(tile.resize((cell, cell), Image.Resampling.NEAREST), (x, y))
        draw.text((x + 2, y + cell), _caption(drawing)[: cell // 6], fill=255)
    sheet.save(path)


def _caption(drawing: Drawing) -> str:
    extra = drawing.extra
    detail = extra.get("char") or extra.get("shape") or extra.get("synthesised") or ""
    if extra.get("kind") == "pair":
        detail = "".join(map(str, extra["labels"])) + ("j" if extra["joined"] else "")
    head = extra.get("kind") or (str(drawing.label) if drawing.label is not None else "")
    return f"{head} {detail}".strip()


if __name__ == "__main__":
    from digitpad.atomic import write_text_atomic

    write_text_atomic(assets_dir() / GLYPHS_FILE,
                      json.dumps(hershey_glyphs(), separators=(",", ":")) + "\n")
