"""The 1 and the 7 as much of the world writes them, made from real pen-drawn ones (issue 20).

In continental Europe and Latin America a 1 has a long flag rising from the lower left into the
top of its stem, and no base; the 7 is crossed, so that the two cannot be confused. MNIST's 1s
are mostly bare strokes, so a model trained on it reads such a 1 as a 7. Few real examples
exist, but real 1s and 7s do: each synthesis here keeps a real drawing's hand (its stem, its
other strokes, its point spacing) and adds only what the convention adds. The label never
changes: a flagged 1 is a 1 and a crossed 7 a 7; ``extra["synthesised"]`` says what was added.
"""

from __future__ import annotations

import numpy as np

from digitpad.ml.ink import Drawing, Stroke

FLAG_LENGTH_RANGE = (0.3, 0.9)
"""Flag length (its chord) as a fraction of the stem's height."""
FLAG_ANGLE_RANGE = (15.0, 60.0)
"""Flag angle from the horizontal, in degrees. The long, flat ones are those that look like a
plain 7, and people write them too."""
FLAG_STEM_GAP = 20.0
"""A drawn flag angle stays this many degrees flatter than the stem: on a 1 slanting right, a
steep flag would run along the stem and vanish into it."""
FLAG_BEND_RANGE = (-0.06, 0.06)
"""How far the flag's middle leaves its chord, as a fraction of its length; positive sags below
it (the pen starts flat and steepens into the top)."""
# The crossbar ranges follow the 686 crossed 7s among the pendigits writers: bars of 0.43-1.0 of
# the 7's width (median 0.78), crossing at 0.51-0.71 of its height (median 0.61), rising by
# 1-29 degrees (median 12); 5th to 95th percentiles. A bar of 0.3 is a nub at 28x28 pixels.
CROSSBAR_LENGTH_RANGE = (0.4, 0.85)
"""Crossbar length as a fraction of the 7's width."""
CROSSBAR_TILT_RANGE = (-4.0, 20.0)
"""Crossbar angle from the horizontal in degrees, positive rising to the right."""
CROSSBAR_HEIGHT_RANGE = (0.45, 0.68)
"""Where the bar crosses the stem, as a fraction of the 7's height from its top."""
CROSSBAR_OFFSET_RANGE = (-0.2, 0.2)
"""How far the bar's middle sits from the stem, as a fraction of the bar's length (positive:
more of the bar to the left of the stem)."""
_CROSSBAR_BAND = (0.25, 0.85)
"""The heights, as fractions of a 7's height from its top, between which a stroke of its own is
a crossbar: above is a top bar drawn apart, below a base."""


def flagged_one(
    drawing: Drawing,
    rng: np.random.Generator,
    *,
    length: float | None = None,
    angle: float | None = None,
    bend: float | None = None,
) -> Drawing:
    """A real 1 with a new flag: from the stem's top, a nearly straight upstroke from the lower
    left, drawn in the same stroke (the pen starts at the flag's end). Any old flag goes.

    ``length`` (of the stem's height), ``angle`` (degrees from the horizontal) and ``bend`` are
    drawn from their ``FLAG_*_RANGE`` unless given (a drawn angle keeps ``FLAG_STEM_GAP`` from
    the stem). Other strokes (a base serif) stay.
    """
    _check_label(drawing, 1)
    index = _tallest(drawing.strokes)
    stroke = drawing.strokes[index]
    stem = _stem(stroke)
    top, bottom = stem[0], stem[np.argmax(stem[:, 1])]
    height = float(bottom[1] - top[1])
    if height <= 0.0:
        raise ValueError("this 1 has no height to hang a flag on; received a flat stroke")
    if angle is None:
        slant = np.degrees(np.arctan2(height, top[0] - bottom[0]))  # 90: upright
        steepest = max(FLAG_ANGLE_RANGE[0], min(FLAG_ANGLE_RANGE[1], slant - FLAG_STEM_GAP))
        angle = rng.uniform(FLAG_ANGLE_RANGE[0], steepest)
    length = rng.uniform(*FLAG_LENGTH_RANGE) if length is None else float(length)
    bend = rng.uniform(*FLAG_BEND_RANGE) if bend is None else float(bend)
    angle = float(angle)
    if not length > 0.0 or not 0.0 < angle < 90.0 or not abs(bend) < 0.5:
        raise ValueError(f"a flag needs length > 0, 0 < angle < 90 degrees and |bend| < 0.5; "
                         f"received length={length}, angle={angle}, bend={bend}")
    chord = length * height
    radians = np.radians(angle)
    start = top + chord * np.array([-np.cos(radians), np.sin(radians)])
    across = np.array([np.sin(radians), np.cos(radians)])  # perpendicular, below the chord
    control = (start + top) / 2.0 + 2.0 * bend * chord * across
    steps = max(2, round(chord / _spacing(stroke)))
    t = np.linspace(0.0, 1.0, steps + 1)[:-1, None]
    flag = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * top
    strokes = list(drawing.strokes)
    strokes[index] = np.vstack((flag, stem))
    return Drawing(tuple(strokes), 1, {
        **drawing.extra, "synthesised": "flag", "flag_length": length, "flag_angle": angle,
        "flag_bend": bend})


def crossed_seven(
    drawing: Drawing,
    rng: np.random.Generator,
    *,
    length: float | None = None,
    tilt: float | None = None,
    height: float | None = None,
    offset: float | None = None,
) -> Drawing:
    """A real, uncrossed 7 with a bar across its stem a little below half its height, drawn left
    to right as a last stroke, its points spaced like the 7's own.

    ``length`` (of the 7's width), ``tilt`` (degrees), ``height`` (from the top) and ``offset``
    (of the bar's length) are drawn from their ``CROSSBAR_*_RANGE`` unless given.
    """
    _check_label(drawing, 7)
    if is_crossed_seven(drawing):
        raise ValueError("this 7 is crossed already; pass an uncrossed one "
                         "(see is_crossed_seven)")
    length = rng.uniform(*CROSSBAR_LENGTH_RANGE) if length is None else float(length)
    tilt = rng.uniform(*CROSSBAR_TILT_RANGE) if tilt is None else float(tilt)
    height = rng.uniform(*CROSSBAR_HEIGHT_RANGE) if height is None else float(height)
    offset = rng.uniform(*CROSSBAR_OFFSET_RANGE) if offset is None else float(offset)
    if not length > 0.0 or not abs(tilt) < 45.0 or not 0.0 < height < 1.0 \
            or not abs(offset) < 0.5:
        raise ValueError(
            f"a crossbar needs length > 0, |tilt| < 45 degrees, 0 < height < 1 and "
            f"|offset| < 0.5; received length={length}, tilt={tilt}, height={height}, "
            f"offset={offset}")
    stem = drawing.strokes[_tallest(drawing.strokes)]
    points = np.concatenate(drawing.strokes)
    top, bottom = stem[:, 1].min(), stem[:, 1].max()
    crossing = _descending_crossing(stem, top + height * (bottom - top))
    if crossing is None:
        raise ValueError("found no stem going down through the middle of this 7")
    bar = length * float(np.ptp(points[:, 0]))
    along = np.array([np.cos(np.radians(tilt)), -np.sin(np.radians(tilt))])
    steps = max(2, round(bar / _spacing(stem)))
    t = np.linspace(-0.5 - offset, 0.5 - offset, steps + 1)[:, None]
    crossbar = crossing + t * bar * along
    return Drawing((*drawing.strokes, crossbar), 7, {
        **drawing.extra, "synthesised": "crossbar", "crossbar_length": length,
        "crossbar_tilt": tilt, "crossbar_height": height, "crossbar_offset": offset})


def is_crossed_seven(drawing: Drawing) -> bool:
    """Whether the 7 has a crossbar: a stroke besides its stem whose middle lies in the band
    where a bar goes (a top bar drawn on its own lies above it), or a stem that climbs back
    into that band after its lowest point (a bar drawn without lifting the pen).

    Most pendigits 7s are crossed; their bars often only touch the stem, so no crossing is
    looked for."""
    index = _tallest(drawing.strokes)
    stem = drawing.strokes[index]
    top = stem[:, 1].min()
    low, high = top + np.ptp(stem[:, 1]) * np.array(_CROSSBAR_BAND)
    climbs_back = stem[np.argmax(stem[:, 1]) :, 1].min() < high
    return bool(climbs_back) or any(low < other[:, 1].mean() < high
                                    for i, other in enumerate(drawing.strokes) if i != index)


def _check_label(drawing: Drawing, label: int) -> None:
    if drawing.label != label or drawing.is_empty:
        raise ValueError(f"expected a drawing of a {label}; received label {drawing.label} with "
                         f"{len(drawing.strokes)} strokes")


def _tallest(strokes: tuple[Stroke, ...]) -> int:
    """Index of the stroke with the largest vertical extent: the stem."""
    return int(np.argmax([np.ptp(s[:, 1]) for s in strokes]))


def _stem(stroke: Stroke) -> Stroke:
    """The run of the stroke from its top point down: onward, or backward for a 1 drawn
    upward, whichever reaches lower."""
    top = int(np.argmin(stroke[:, 1]))
    onward, backward = stroke[top:], stroke[: top + 1][::-1]
    return onward if onward[:, 1].max() >= backward[:, 1].max() else backward


def _spacing(stroke: Stroke) -> float:
    """The typical distance between the stroke's points (the pen's sampling, in its units)."""
    steps = np.hypot(*np.diff(stroke, axis=0).T)
    steps = steps[steps > 0]
    return float(np.median(steps)) if len(steps) else 1.0


def _descending_crossing(stroke: Stroke, y: float) -> np.ndarray | None:
    """The first point where the stroke, going down, passes the height ``y``."""
    before, after = stroke[:-1], stroke[1:]
    passing = np.flatnonzero((before[:, 1] <= y) & (after[:, 1] > y))
    if not len(passing):
        return None
    a, b = before[passing[0]], after[passing[0]]
    return a + (y - a[1]) / (b[1] - a[1]) * (b - a)
