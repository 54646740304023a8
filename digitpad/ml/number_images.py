"""Reading a number of up to twelve digits in a picture (a photo or a scan), left to right.

A picture has no strokes, so its *ink components* stand in for them: the picture is shrunk and
its ink found as for a single digit (:func:`~digitpad.ml.preprocess.working_copy`,
:func:`~digitpad.ml.preprocess.picture_ink`), and the pixels at least ``INK_THRESHOLD`` bright
(those a single digit is cropped to) fall into 8-connected components. The components are grouped
into digits by the rules of :mod:`digitpad.ml.numbers` for strokes, with its constants, all
lengths relative to the *line height* ``h``, the height of the tallest component:

1. **Overlap.** Components whose x-intervals overlap by at least half the narrower one's width (a
   thin one counting as ``MIN_WIDTH`` wide) are one piece: the bar of a 5 or of a 7 lifted off
   its stem, the two halves of a broken 0 drawn over each other.
2. **Fragments.** A piece shorter than ``TALL`` is never a digit of its own (a lone bar, a broken
   stroke's short end, a dot, a speck of dust): it joins the tall piece nearest to its ink,
   counted nearer by ``OVERLAP_PULL`` when they overlap in x; when no tall piece is within
   ``FRAGMENT_REACH``, the one whose box is nearest. A speck so joins a digit, as it is part of
   a picture of one digit today.
3. **The open 4.** Two neighbouring pieces are one 4, its open top and its stem, when their
   geometry allows it as for strokes (close, together no wider than ``MAX_FOUR_WIDTH``, the
   right one reaching ``STEM_DROP`` lower, less when they touch) and the model reads the stem
   as a 1, the top as anything but a 4 and both together as a 4 (``FOUR_CONFIDENCE``). The
   short stems that rule 3 moves between strokes stay with the digit they join by rule 2.

Ink that touches is one component, so two digits run together are one group: telling those
apart is the model's job, as for strokes, and it reads them as one digit.

Each group is read as a picture of that group alone would be: the picture's ink, found once with
its lighting flattened (a shadow across the number is paper, not ink), with every other group's
ink and ``FRINGE`` pixels around it (its anti-aliased edge) taken away, scaled so that its own
strongest ink is 1, and cropped and centred by :func:`~digitpad.ml.preprocess.ink_to_mnist`. A
picture of one digit is one group, nothing is taken away, and it reads exactly as
:func:`~digitpad.ml.preprocess.load_image` reads it.
"""

from __future__ import annotations

import math

import numpy as np

from digitpad.ml.numbers import (
    FOUR_CONFIDENCE,
    FOUR_TOUCH,
    FRAGMENT_REACH,
    MAX_DIGITS,
    MAX_FOUR_WIDTH,
    MIN_WIDTH,
    OVERLAP_PULL,
    STEM_DROP,
    STEM_REACH,
    TALL,
    TOUCHING_STEM_DROP,
    DigitReading,
    NumberReading,
)
from digitpad.ml.preprocess import INK_THRESHOLD, ink_to_mnist, picture_ink, working_copy
from digitpad.ml.recognizer import Prediction, Recognizer

FRINGE = 2
"""Pixels of the shrunk picture around another group's ink that are painted with it: its faint
anti-aliased edge, which is not bright enough to belong to a component."""

_PAIRS_AT_ONCE = 1_000_000
"""Distances between two pieces' outlines are measured this many pairs at a time (16 MB)."""

PixelBox = tuple[int, int, int, int]
"""``(x0, y0, x1, y1)``: the first column and row of a box and one past its last, as Pillow's
``crop`` takes them."""
Group = tuple[int, ...]
"""The indices of some ink components, in order."""


def read_number_image(gray: np.ndarray, recognizer: Recognizer) -> NumberReading:
    """Group a picture's ink into digits and read each, in one model call.

    ``gray`` is the picture's grey levels in [0, 1] (either polarity, as
    :func:`~digitpad.ml.preprocess.load_gray` gives them). Each digit's ``strokes`` are the
    indices of its ink components (numbered left to right) and its box is in ``gray``'s pixels.
    """
    gray = np.asarray(gray, dtype=np.float32)
    small = working_copy(gray)
    ink = picture_ink(small)
    if ink is None:
        return NumberReading((), 0)
    parts = _Components(ink >= INK_THRESHOLD)
    pieces = parts.pieces()
    fours = [n for n in range(len(pieces) - 1) if parts.may_be_open_four(*pieces[n : n + 2])]
    if len(pieces) - len(fours) > MAX_DIGITS:  # too many even if every 4 were joined
        return NumberReading((), len(pieces))
    questions = list(dict.fromkeys(pieces + [_joined(*pieces[n : n + 2]) for n in fours]))
    images = [ink_to_mnist(parts.alone(ink, group)) for group in questions]
    readings = dict(zip(questions, recognizer.predict_images(images), strict=True))
    inputs = dict(zip(questions, images, strict=True))
    groups: list[Group] = []
    n = 0
    while n < len(pieces):
        joined = n in fours and _is_open_four(parts, pieces[n : n + 2], readings)
        groups.append(_joined(*pieces[n : n + 2]) if joined else pieces[n])
        n += 2 if joined else 1
    if len(groups) > MAX_DIGITS:
        return NumberReading((), len(groups))
    scale = (gray.shape[1] / small.shape[1], gray.shape[0] / small.shape[0])
    return NumberReading(tuple(
        DigitReading(g, _scaled(parts.box(g), scale, gray.shape), readings[g], inputs[g])
        for g in groups),
        len(groups))


def _joined(a: Group, b: Group) -> Group:
    return tuple(sorted(a + b))


def _is_open_four(parts: _Components, pair: list[Group], readings: dict[Group, Prediction]
                  ) -> bool:
    """Rule 3's verdict: the model reads the stem alone as a 1, the top as anything but a 4 (a 4
    beside a 1 is "41") and both together surely as a 4."""
    top, stem = sorted(pair, key=lambda piece: parts.box(piece)[3])
    both = readings[_joined(*pair)]
    return (readings[stem].digit == 1 and readings[top].digit != 4 and both.digit == 4
            and both.confidence >= FOUR_CONFIDENCE)


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """The 8-connected components of a boolean image: an int32 image of labels 1 to n (0 where
    ``mask`` is off) and n.

    Done on runs (the stretches of ink of each row), joined where runs of two neighbouring rows
    touch, by union-find: a digit's picture has a few runs per row.
    """
    height, width = mask.shape
    edges = np.diff(np.pad(mask.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    row, start = np.nonzero(edges == 1)
    end = np.nonzero(edges == -1)[1]  # one past each run's last column
    labels = np.zeros((height, width), np.int32)
    if not len(row):
        return labels, 0
    # Runs are in row order and, within a row, left to right; key a column by its row.
    stride = width + 2
    start_key, end_key = row * stride + start, row * stride + end
    below = (row + 1) * stride
    first = np.searchsorted(end_key, below + start, side="left")  # ends at or after our start
    last = np.searchsorted(start_key, below + end, side="right")  # starts at or before our end
    count = np.maximum(last - first, 0)
    upper = np.repeat(np.arange(len(row)), count)
    lower = np.repeat(first, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count,
                                                                         count)
    parent = list(range(len(row)))
    for a, b in zip(upper.tolist(), lower.tolist(), strict=True):
        ra, rb = _root(parent, a), _root(parent, b)
        parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([_root(parent, i) for i in range(len(row))])
    component = np.unique(roots, return_inverse=True)[1].reshape(-1) + 1
    lengths = end - start
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    labels[np.repeat(row, lengths), np.repeat(start, lengths) + offsets] = np.repeat(component,
                                                                                     lengths)
    return labels, int(component.max())


class _Components:
    """A picture's ink components, numbered left to right, with what the rules measure."""

    def __init__(self, mask: np.ndarray) -> None:
        labels, count = label_components(mask)
        ys, xs = np.nonzero(labels)
        found = labels[ys, xs] - 1
        boxes = np.empty((count, 4), int)
        boxes[:, :2] = np.array(mask.shape[::-1])
        boxes[:, 2:] = 0
        np.minimum.at(boxes[:, 0], found, xs)
        np.minimum.at(boxes[:, 1], found, ys)
        np.maximum.at(boxes[:, 2], found, xs + 1)
        np.maximum.at(boxes[:, 3], found, ys + 1)
        order = np.lexsort((boxes[:, 1], boxes[:, 0]))  # left to right, then top to bottom
        number = np.empty(count, int)
        number[order] = np.arange(count)
        self._boxes = boxes[order]
        self.labels = np.concatenate(([0], number + 1))[labels]
        """Each pixel's component plus one; 0 where there is no ink."""
        # Ink is nearest other ink at its outline: an inner pixel has a neighbour nearer.
        inner = _shrink(mask)[ys, xs]
        index = number[found[~inner]]
        by_component = np.argsort(index, kind="stable")
        self._outlines = np.split(
            np.column_stack((xs[~inner], ys[~inner]))[by_component].astype(float),
            np.cumsum(np.bincount(index, minlength=count))[:-1])
        self.line_height = float((self._boxes[:, 3] - self._boxes[:, 1]).max())
        self._group_boxes: dict[Group, PixelBox] = {}
        self._group_outlines: dict[Group, np.ndarray] = {}

    def pieces(self) -> list[Group]:
        """The components of each piece, left to right, by rules 1 and 2; only the tall pieces
        when they are so many that no joining of 4s can make them :data:`MAX_DIGITS` (placing
        a noisy photo's specks in them would be wasted)."""
        pieces = self._overlapping_pieces()
        heights = np.array([self.box(p)[3] - self.box(p)[1] for p in pieces])
        is_tall = heights >= TALL * self.line_height
        tall = [p for p, t in zip(pieces, is_tall, strict=True) if t]
        if len(tall) <= 2 * MAX_DIGITS:
            fragments = [p for p, t in zip(pieces, is_tall, strict=True) if not t]
            grown = [list(p) for p in tall]
            for fragment, owner in zip(fragments, self._owners(fragments, tall), strict=True):
                grown[owner] += fragment
            tall = [tuple(sorted(p)) for p in grown]
        return sorted(tall, key=lambda p: self.box(p)[0] + self.box(p)[2])

    def may_be_open_four(self, a: Group, b: Group) -> bool:
        """Rule 3's geometry: could these neighbours be the top and the stem of one 4?"""
        top, stem = sorted((a, b), key=lambda piece: self.box(piece)[3])
        drop = (self.box(stem)[3] - self.box(top)[3]) / self.line_height
        (t0, _, t1, _), (s0, _, s1, _) = self.box(top), self.box(stem)
        if (drop < TOUCHING_STEM_DROP or s0 + s1 <= t0 + t1
                or max(t1, s1) - min(t0, s0) > MAX_FOUR_WIDTH * self.line_height):
            return False
        reach = (STEM_REACH if drop >= STEM_DROP else FOUR_TOUCH) * self.line_height
        return self._box_gap(a, b) < reach and self._distance(a, b, reach) < math.inf

    def box(self, group: Group) -> PixelBox:
        if group not in self._group_boxes:
            boxes = self._boxes[list(group)]
            self._group_boxes[group] = (int(boxes[:, 0].min()), int(boxes[:, 1].min()),
                                        int(boxes[:, 2].max()), int(boxes[:, 3].max()))
        return self._group_boxes[group]

    def alone(self, ink: np.ndarray, group: Group) -> np.ndarray:
        """The picture's ink without every other group's ink and its fringe, its strongest
        left 1 (the ink itself for a group of every component)."""
        if len(group) == len(self._boxes):
            return ink
        own = np.isin(self.labels, np.array(group) + 1)
        other = _grow((self.labels > 0) & ~own, FRINGE) & ~own
        kept = np.where(other, np.float32(0.0), ink)
        return kept / kept.max()

    def _overlapping_pieces(self) -> list[Group]:
        """Rule 1: components joined by x-overlap, as connected pieces. Only components whose
        x-intervals meet are compared: a noisy photo's specks are many, but they meet few."""
        by_left = np.argsort(self._boxes[:, 0], kind="stable")
        low = self._boxes[by_left, 0].astype(float)
        high = self._boxes[by_left, 2].astype(float)
        meets = np.searchsorted(low, high, side="left") - np.arange(len(low)) - 1
        count = np.maximum(meets, 0)
        a = np.repeat(np.arange(len(low)), count)
        b = a + 1 + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        width = high - low
        overlap = np.minimum(high[a], high[b]) - np.maximum(low[a], low[b])
        floor = MIN_WIDTH * self.line_height
        joined = overlap >= 0.5 * np.maximum(np.minimum(width[a], width[b]), floor)
        parent = list(range(len(low)))
        for i, j in zip(by_left[a[joined]].tolist(), by_left[b[joined]].tolist(), strict=True):
            parent[_root(parent, max(i, j))] = _root(parent, min(i, j))
        pieces: dict[int, list[int]] = {}
        for component in range(len(low)):
            pieces.setdefault(_root(parent, component), []).append(component)
        return [tuple(p) for p in pieces.values()]

    def _owners(self, fragments: list[Group], tall: list[Group]) -> list[int]:
        """Rule 2: the index of the tall piece each fragment joins."""
        reach = FRAGMENT_REACH * self.line_height
        owners = []
        for fragment in fragments:
            gaps = [self._box_gap(fragment, piece) for piece in tall]
            distances = [self._distance(fragment, piece, reach) if gap < reach else math.inf
                         for gap, piece in zip(gaps, tall, strict=True)]
            if min(distances) == math.inf:  # a speck far from everything: the nearest box
                distances = gaps
            owners.append(int(np.argmin([
                distance / self.line_height - OVERLAP_PULL * self._x_overlap(fragment, piece)
                for distance, piece in zip(distances, tall, strict=True)])))
        return owners

    def _distance(self, a: Group, b: Group, reach: float) -> float:
        """The shortest distance between the ink of two pieces when it is below ``reach``, else
        infinity; only the ink within ``reach`` of the other's box can be that near."""
        near_a = self._ink_near(a, self.box(b), reach)
        near_b = self._ink_near(b, self.box(a), reach)
        if not len(near_a) or not len(near_b):
            return math.inf
        best = math.inf
        step = max(1, _PAIRS_AT_ONCE // len(near_b))
        for start in range(0, len(near_a), step):
            apart = near_a[start : start + step, None, :] - near_b[None, :, :]
            best = min(best, float(np.sqrt((apart**2).sum(axis=2).min())))
        return best if best < reach else math.inf

    def _ink_near(self, piece: Group, box: PixelBox, reach: float) -> np.ndarray:
        if piece not in self._group_outlines:
            self._group_outlines[piece] = np.concatenate([self._outlines[c] for c in piece])
        points = self._group_outlines[piece]
        x0, y0, x1, y1 = box
        inside = ((points[:, 0] >= x0 - reach) & (points[:, 0] < x1 + reach)
                  & (points[:, 1] >= y0 - reach) & (points[:, 1] < y1 + reach))
        return points[inside]

    def _x_overlap(self, a: Group, b: Group) -> float:
        """How much of the narrower one's x-interval the other covers, 0 to 1."""
        (a0, _, a1, _), (b0, _, b1, _) = self.box(a), self.box(b)
        return min(max((min(a1, b1) - max(a0, b0)) / min(a1 - a0, b1 - b0), 0.0), 1.0)

    def _box_gap(self, a: Group, b: Group) -> float:
        """The distance between two pieces' boxes, 0 when they overlap."""
        (a0, a1, a2, a3), (b0, b1, b2, b3) = self.box(a), self.box(b)
        return math.hypot(max(b0 - a2, a0 - b2, 0), max(b1 - a3, a1 - b3, 0))


def _root(parent: list[int], i: int) -> int:
    """Union-find: the representative of ``i``, halving the path on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _grow(mask: np.ndarray, by: int) -> np.ndarray:
    """The mask and every pixel within ``by`` rows and columns of it."""
    grown = mask.copy()
    for axis in (0, 1):
        source = grown.copy()
        length = mask.shape[axis]
        for shift in range(1, min(by, length - 1) + 1):
            ahead = [slice(None)] * 2
            behind = [slice(None)] * 2
            ahead[axis], behind[axis] = slice(shift, None), slice(None, length - shift)
            grown[tuple(ahead)] |= source[tuple(behind)]
            grown[tuple(behind)] |= source[tuple(ahead)]
    return grown


def _shrink(mask: np.ndarray) -> np.ndarray:
    """The pixels of the mask whose four neighbours are all in it."""
    inner = mask.copy()
    inner[1:] &= mask[:-1]
    inner[:-1] &= mask[1:]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    inner[[0, -1]] = False
    inner[:, [0, -1]] = False
    return inner


def _scaled(box: PixelBox, scale: tuple[float, float], shape: tuple[int, ...]) -> PixelBox:
    """A box of the shrunk picture in the picture's own pixels (covering every pixel that went
    into it)."""
    x0, y0, x1, y1 = box
    sx, sy = scale
    return (max(0, math.floor(x0 * sx)), max(0, math.floor(y0 * sy)),
            min(shape[1], math.ceil(x1 * sx)), min(shape[0], math.ceil(y1 * sy)))
