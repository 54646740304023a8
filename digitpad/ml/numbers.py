"""Reading a number of up to twelve digits written left to right in one drawing.

The strokes are grouped into digits and each group is read like a single drawing today
(:func:`ink_to_image`, then the model). All lengths are relative to the *line height* ``h``, the
height of the tallest stroke, so the unit of the points never matters. The rules, in order:

1. **Overlap.** Two strokes belong together when their x-intervals overlap by at least half the
   narrower one's width, a thin stroke counting as ``MIN_WIDTH`` wide: the bar of a 5, the
   crossbar of a 7, the two loops of an 8 lie over each other, while a 1 under the bar of a
   neighbouring 7 overlaps it by only a sliver.
2. **Fragments.** A piece shorter than ``TALL`` is never a digit of its own: the bar of a 5, a
   short stem or top of a 4, the foot of a 1, a dot or a stray tap. Two fragments that touch and
   are tall together are one piece (an 8 or a 0 drawn in two halves). Every other fragment joins
   the tall piece nearest to its ink, counted nearer by ``OVERLAP_PULL`` when they overlap in x;
   a stray tap so joins a digit, as it is part of a single digit's drawing today.
3. **The open 4.** Many people draw a 4 as its open top and then its stem, two tall pieces side
   by side that overlap little. Two neighbouring pieces are read as one 4 when they are close
   (``STEM_REACH``), together no wider than ``MAX_FOUR_WIDTH``, one reaching ``STEM_DROP`` lower
   than the other (less when they touch: ``TOUCHING_STEM_DROP``) and standing right of it, and the
   model reads that one (the stem) as a 1, the other as anything but a 4 or as a 4 less surely
   than both together (a 4 beside a 1 is "41", and a model that knows pairs of digits reads such
   a pair as no digit), and both together as a 4. A short stem (a thin upright fragment at least
   ``MIN_STEM`` tall) that rule 2 gave to the digit it touches moves to a near top it reaches lower
   than (``SHORT_STEM_DROP``) when the model reads the two as a 4 and the top alone as anything
   but a 4. Geometry alone cannot tell these 4s from a 6 or a 2 beside a 1; the model can.

The readings rule 3 needs and the readings of the digits come from one model call. Two digits
joined by one stroke are one group: telling those apart is the model's job, not the grouping's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import Prediction

MAX_DIGITS = 12
"""The longest number read; a drawing of more groups is reported as too many, not read."""
MIN_WIDTH = 0.15
"""A thin stroke (a 1) counts as this wide, times the line height, when overlaps are measured;
a short stem of a 4 (rule 3) is narrower."""
TALL = 0.6
"""Pieces shorter than this fraction of the line height are fragments, never digits."""
TOUCH = 0.03
"""Ink this close, times the line height, touches."""
OVERLAP_PULL = 0.2
"""How much an x-overlap with a tall piece counts, in line heights, when a fragment chooses."""
FRAGMENT_REACH = 0.5
"""A fragment farther than this from every tall piece (a stray tap) joins the one whose box is
nearest."""
STEM_REACH = 0.25
"""The stem of an open 4 is at most this far from its top."""
STEM_DROP = 0.2
"""The stem of an open 4 reaches at least this much lower than its top: digits side by side
end on one baseline, give or take a wobble."""
FOUR_TOUCH = 0.04
"""Top and stem with ink this close touch..."""
TOUCHING_STEM_DROP = 0.1
"""...and then the stem need reach only this much lower."""
MIN_STEM = 0.25
"""A short stem is at least this tall (a dot or a tick is no stem)..."""
SHORT_STEM_DROP = 0.05
"""...and reaches at least this much lower than the top it may belong to."""
MAX_FOUR_WIDTH = 1.15
"""An open 4, top and stem together, is at most this wide."""
FOUR_CONFIDENCE = 0.9
"""The model must read top and stem together as a 4 at least this surely."""
_DISTANCE_STEP = 0.02
"""Ink distances are measured on strokes resampled every this many line heights: exact enough,
and the canvas's dense strokes cost no more than the tablet's sparse ones."""
_MAX_RESAMPLED = 2000
"""At most this many points per stroke: a long level line beside a tiny line height stays cheap."""

Box = tuple[float, float, float, float]


class Reader(Protocol):
    """What reading a number needs of a model (a :class:`~digitpad.ml.recognizer.Recognizer`)."""

    def predict_images(self, images: Sequence[np.ndarray | None]) -> list[Prediction]: ...


@dataclass(frozen=True)
class DigitReading:
    """One digit of a number: its strokes, where it is and what the model thinks it is."""

    strokes: tuple[int, ...]
    """Indices into the drawing's strokes, in drawing order."""
    box: Box
    """``(x0, y0, x1, y1)`` of the digit's points, in the drawing's own units."""
    prediction: Prediction
    image: np.ndarray | None = None
    """The 28x28 model input the prediction is of (None when the model was not shown one)."""

    @property
    def digit(self) -> int | None:
        return self.prediction.digit

    @property
    def confidence(self) -> float:
        return self.prediction.confidence

    @property
    def probabilities(self) -> np.ndarray:
        return self.prediction.probabilities


@dataclass(frozen=True)
class NumberReading:
    """A drawing read as a number, left to right.

    ``digits`` is empty for an empty drawing and when the strokes form more than
    :data:`MAX_DIGITS` groups (``too_many``): such a drawing is not claimed to be a number.
    """

    digits: tuple[DigitReading, ...]
    groups_found: int
    """How many digits the strokes form; for too many, how many before any open 4 is joined
    (more than :data:`MAX_DIGITS` either way: the model is not asked)."""

    @property
    def too_many(self) -> bool:
        return self.groups_found > MAX_DIGITS

    @property
    def text(self) -> str:
        """The number as digits, ``""`` when nothing was read."""
        return "".join(str(d.digit) for d in self.digits)

    def is_number(self) -> bool:
        """Two digits or more: the window shows boxes and the number; one digit reads as today."""
        return len(self.digits) > 1


def read_number(strokes: Sequence[np.ndarray], recognizer: Reader) -> NumberReading:
    """Group the strokes into digits and read each, in one model call.

    A drawing of one digit is one group whose image is ``ink_to_image`` of all its strokes, read
    by the recognizer's ``predict_images``: it reads exactly as a single digit does.
    """
    ink = _Ink(strokes)
    groups, readings = _group_and_read(ink, recognizer)
    if not groups or len(groups) > MAX_DIGITS:
        return NumberReading((), len(groups))
    return NumberReading(tuple(DigitReading(g, ink.box(g), *readings[g]) for g in groups),
                         len(groups))


def group_strokes(strokes: Sequence[np.ndarray], recognizer: Reader) -> list[list[int]]:
    """The stroke indices of each digit, left to right (see the module's rules)."""
    return [list(group) for group in _group_and_read(_Ink(strokes), recognizer)[0]]


Group = tuple[int, ...]


Read = tuple[Prediction, "np.ndarray | None"]
"""The model's answer on a group and the model input it answered."""


def _group_and_read(
    ink: _Ink, recognizer: Reader
) -> tuple[list[Group], dict[Group, Read]]:
    """The groups left to right, and the model's reading of each group it was shown."""
    if not ink.present:
        return [], {}
    if ink.line_height == 0.0:  # only dots or level lines: nothing to tell digits apart by
        everything = tuple(ink.present)
        return [everything], ink.read([everything], recognizer)
    plan = _Plan(ink)
    if len(plan.pieces) - len(plan.fours) > MAX_DIGITS:  # too many even if every 4 were joined
        return [_group(p) for p in plan.pieces], {}
    readings = ink.read(plan.questions(), recognizer)
    return plan.settle(readings), readings


class _Plan:
    """The digits as geometry groups them (rules 1 and 2), left to right, and what the model
    must settle (rule 3): neighbours that may be one open 4, and short stems that may belong to
    the open 4 beside the digit they touch."""

    def __init__(self, ink: _Ink) -> None:
        self.ink = ink
        tall_enough = TALL * ink.line_height
        pieces = ink.join_fragments(ink.overlapping_pieces())
        tall = [set(p) for p in pieces if ink.height(p) >= tall_enough]
        fragments = [set(p) for p in pieces if ink.height(p) < tall_enough]
        owners = [ink.nearest(f, tall) for f in fragments]
        grown = [set(p) for p in tall]
        for fragment, owner in zip(fragments, owners, strict=True):
            grown[owner] |= fragment
        order = sorted(range(len(tall)), key=lambda t: ink.centre(grown[t]))
        self.pieces = [grown[t] for t in order]
        self.fours = [n for n in range(len(order) - 1)
                      if ink.may_be_open_four(self.pieces[n], self.pieces[n + 1])]
        place = {t: n for n, t in enumerate(order)}
        self.stems = [(f, place[owner], n) for f, owner in zip(fragments, owners, strict=True)
                      if ink.is_stem(f) for n, piece in enumerate(self.pieces)
                      if n != place[owner] and ink.may_be_stem_of(f, piece)]

    def questions(self) -> list[Group]:
        """Every group whose reading the decisions need: each piece, each possible 4, and each
        piece with and without a stem that may move."""
        wanted = [_group(p) for p in self.pieces]
        wanted += [_group(self.pieces[n] | self.pieces[n + 1]) for n in self.fours]
        for stem, owner, other in self.stems:
            wanted += [_group(self.pieces[other] | stem), _group(self.pieces[owner] - stem)]
        return wanted

    def settle(self, reads: dict[Group, Read]) -> list[Group]:
        """The digits, left to right, once the model has read :meth:`questions`."""
        readings = {group: prediction for group, (prediction, _) in reads.items()}
        pieces = [set(p) for p in self.pieces]
        changed: set[int] = set()
        for stem, owner, other in self.stems:
            with_stem = readings[_group(self.pieces[other] | stem)]
            if (not changed & {owner, other} and with_stem.digit == 4
                    and with_stem.confidence >= FOUR_CONFIDENCE
                    and readings[_group(self.pieces[other])].digit != 4):
                pieces[owner] -= stem
                pieces[other] |= stem
                changed |= {owner, other}
        groups: list[Group] = []
        joined = False
        for n, piece in enumerate(pieces):
            if joined:  # this piece is the second half of the 4 before it
                joined = False
                continue
            joined = (n in self.fours and not changed & {n, n + 1}
                      and self._is_open_four(piece, pieces[n + 1], readings))
            groups.append(_group(piece | pieces[n + 1]) if joined else _group(piece))
        return sorted(groups, key=self.ink.centre)

    def _is_open_four(self, a: set[int], b: set[int], readings: dict[Group, Prediction]
                      ) -> bool:
        top, stem = sorted((a, b), key=lambda p: self.ink.box(p)[3])
        both = readings[_group(a | b)]
        alone = readings[_group(top)]
        return (readings[_group(stem)].digit == 1
                and (alone.digit != 4 or both.confidence > alone.confidence)
                and both.digit == 4 and both.confidence >= FOUR_CONFIDENCE)


def _group(strokes: set[int]) -> Group:
    return tuple(sorted(strokes))


class _Ink:
    """The strokes of one drawing with what the rules measure on them."""

    def __init__(self, strokes: Sequence[np.ndarray]) -> None:
        self.strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
        self.present = [i for i, s in enumerate(self.strokes) if len(s)]
        self._boxes: dict[frozenset[int], Box] = {}
        for i in self.present:
            (x0, y0), (x1, y1) = self.strokes[i].min(axis=0), self.strokes[i].max(axis=0)
            self._boxes[frozenset((i,))] = (float(x0), float(y0), float(x1), float(y1))
        self.line_height = max((b[3] - b[1] for b in self._boxes.values()), default=0.0)
        self._resampled: dict[int, np.ndarray] = {}

    def read(self, groups: Sequence[Group], recognizer: Reader) -> dict[Group, Read]:
        """The model's reading of each distinct group, and its input, in one call."""
        unique = list(dict.fromkeys(groups))
        images = [ink_to_image([self.strokes[i] for i in g]) for g in unique]
        return dict(zip(unique, zip(recognizer.predict_images(images), images, strict=True),
                        strict=True))

    def box(self, group: Iterable[int]) -> Box:
        """``(x0, y0, x1, y1)`` of the group's points."""
        key = frozenset(group)
        if key not in self._boxes:
            boxes = [self._boxes[frozenset((i,))] for i in key]
            self._boxes[key] = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                max(b[2] for b in boxes), max(b[3] for b in boxes))
        return self._boxes[key]

    def height(self, group: Iterable[int]) -> float:
        box = self.box(group)
        return box[3] - box[1]

    def width(self, group: Iterable[int]) -> float:
        box = self.box(group)
        return box[2] - box[0]

    def centre(self, group: Iterable[int]) -> float:
        box = self.box(group)
        return (box[0] + box[2]) / 2.0

    def overlapping_pieces(self) -> list[list[int]]:
        """Rule 1: strokes joined by x-overlap, as connected pieces."""
        index = self.present
        low = np.array([self.box((i,))[0] for i in index])
        high = np.array([self.box((i,))[2] for i in index])
        width = high - low
        overlap = np.minimum.outer(high, high) - np.maximum.outer(low, low)
        floor = MIN_WIDTH * self.line_height
        joined = overlap >= 0.5 * np.maximum(np.minimum.outer(width, width), floor)
        parent = list(range(len(index)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for a, b in zip(*np.nonzero(np.triu(joined, 1)), strict=True):
            parent[root(int(a))] = root(int(b))
        pieces: dict[int, list[int]] = {}
        for n, i in enumerate(index):
            pieces.setdefault(root(n), []).append(i)
        return list(pieces.values())

    def join_fragments(self, pieces: list[list[int]]) -> list[list[int]]:
        """Rule 2, first part: touching fragments that are tall together become one piece."""
        tall_enough = TALL * self.line_height
        touch = TOUCH * self.line_height
        while True:
            short = [p for p in pieces if self.height(p) < tall_enough]
            touching = [(self.distance(a, b, touch), n, m)
                        for n, a in enumerate(short) for m, b in enumerate(short[n + 1:], n + 1)
                        if self.height(a + b) >= tall_enough]
            touching = [pair for pair in touching if pair[0] < math.inf]
            if not touching:
                return pieces
            _, n, m = min(touching)
            joined = short[n] + short[m]
            pieces = [p for p in pieces if p is not short[n] and p is not short[m]] + [joined]

    def nearest(self, fragment: set[int], tall: list[set[int]]) -> int:
        """Rule 2: the index of the tall piece a fragment joins."""
        distances = [self.distance(fragment, piece, FRAGMENT_REACH * self.line_height)
                     for piece in tall]
        if min(distances) == math.inf:  # a tap far from everything: the nearest box will do
            distances = [self.box_gap(fragment, piece) for piece in tall]
        return int(np.argmin([
            distance / self.line_height - OVERLAP_PULL * self.x_overlap(fragment, piece)
            for distance, piece in zip(distances, tall, strict=True)]))

    def is_stem(self, fragment: set[int]) -> bool:
        """Whether a fragment is upright and thin, as a short stem of a 4 is."""
        return (self.width(fragment) < MIN_WIDTH * self.line_height
                and self.height(fragment) >= MIN_STEM * self.line_height)

    def may_be_stem_of(self, stem: set[int], top: set[int]) -> bool:
        """Rule 3's geometry for a short stem: near the top's right, reaching lower."""
        return (self._stands_right_of(stem, top)
                and self.box(stem)[3] - self.box(top)[3] >= SHORT_STEM_DROP * self.line_height
                and self.distance(stem, top, STEM_REACH * self.line_height) < math.inf)

    def may_be_open_four(self, a: set[int], b: set[int]) -> bool:
        """Rule 3's geometry: could these neighbours be the top and the stem of one 4?"""
        top, stem = sorted((a, b), key=lambda p: self.box(p)[3])
        drop = (self.box(stem)[3] - self.box(top)[3]) / self.line_height
        if drop < TOUCHING_STEM_DROP or not self._stands_right_of(stem, top):
            return False
        reach = STEM_REACH if drop >= STEM_DROP else FOUR_TOUCH  # or else they must touch
        return self.distance(a, b, reach * self.line_height) < math.inf

    def _stands_right_of(self, stem: set[int], top: set[int]) -> bool:
        """A 4's stem stands right of its top (a 1 written before an open top is a 1, not its
        stem), and the two are no wider than a 4."""
        return (self.centre(stem) > self.centre(top)
                and self.width(stem | top) <= MAX_FOUR_WIDTH * self.line_height)

    def x_overlap(self, a: Iterable[int], b: Iterable[int]) -> float:
        """How much of the narrower one's x-interval the other covers, 0 to 1."""
        (a0, _, a1, _), (b0, _, b1, _) = self.box(a), self.box(b)
        overlap = min(a1, b1) - max(a0, b0)
        narrower = min(a1 - a0, b1 - b0)
        if narrower <= 0.0:
            return 1.0 if overlap >= 0.0 else 0.0
        return min(max(overlap / narrower, 0.0), 1.0)

    def box_gap(self, a: Iterable[int], b: Iterable[int]) -> float:
        """The distance between two groups' boxes, 0 when they overlap."""
        (a0, a1, a2, a3), (b0, b1, b2, b3) = self.box(a), self.box(b)
        return math.hypot(max(b0 - a2, a0 - b2, 0.0), max(b1 - a3, a1 - b3, 0.0))

    def distance(self, a: Iterable[int], b: Iterable[int], reach: float) -> float:
        """The shortest distance between the ink of two groups of strokes (to within half a
        resampling step) when it is below ``reach``, else infinity.

        Only the ink within ``reach`` of the other group's box is compared: it is all that can
        be that near, and a number's neighbours share little of it."""
        best = math.inf
        if self.box_gap(a, b) >= reach:
            return best
        a_low, a_high = self._corners(a, reach)
        b_low, b_high = self._corners(b, reach)
        points = np.concatenate([self._resample(i) for i in a])
        points = points[((points >= b_low) & (points <= b_high)).all(axis=1)]
        if not len(points):
            return best
        for j in b:
            line = self._resample(j)
            ends_in = ((line >= a_low) & (line <= a_high)).all(axis=1)
            near = np.flatnonzero(ends_in[:-1] | ends_in[1:])
            if len(near):
                best = min(best, _distance_to_polyline(points, line[np.union1d(near, near + 1)]))
        return best if best < reach else math.inf

    def _corners(self, group: Iterable[int], reach: float) -> tuple[np.ndarray, np.ndarray]:
        x0, y0, x1, y1 = self.box(group)
        return np.array((x0 - reach, y0 - reach)), np.array((x1 + reach, y1 + reach))

    def _resample(self, i: int) -> np.ndarray:
        """Stroke ``i`` with a point every ``_DISTANCE_STEP`` line heights along it: sparse
        tablet strokes get points between their corners, dense canvas strokes lose most."""
        if i not in self._resampled:
            stroke = self.strokes[i]
            along = np.concatenate(([0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))))
            steps = int(min(np.ceil(along[-1] / (_DISTANCE_STEP * self.line_height)) + 1,
                            _MAX_RESAMPLED))
            at = np.linspace(0.0, along[-1], max(steps, 2))
            self._resampled[i] = np.column_stack(
                (np.interp(at, along, stroke[:, 0]), np.interp(at, along, stroke[:, 1])))
        return self._resampled[i]


def _distance_to_polyline(points: np.ndarray, line: np.ndarray) -> float:
    """The smallest distance from any of ``points`` to the polyline through ``line`` (two or more
    points)."""
    start, segment = line[:-1], np.diff(line, axis=0)
    length2 = np.maximum((segment**2).sum(axis=1), 1e-300)
    along = ((points[:, None, :] - start[None]) * segment[None]).sum(axis=2) / length2
    nearest = start[None] + np.clip(along, 0.0, 1.0)[..., None] * segment[None]
    return float(np.sqrt(((points[:, None, :] - nearest) ** 2).sum(axis=2).min()))
