"""Why this digit: which ink made the model give its answer, found by leaving ink out.

No gradients: the window runs LiteRT, which has none, and "leave it out and read it again" is a
method a learner can follow and check by hand. Two pictures, one batch of model calls each:

- **Pieces.** Each stroke is cut into pieces of about equal length (:data:`PIECES` for the whole
  digit, at least one per stroke). Each piece is rubbed out in turn and the rest is read again,
  drawn where it was in the picture (not re-centred or re-scaled, which would change more than
  the ink left out). A piece whose absence makes the answer less likely supported it; one whose
  absence makes it likelier argued against it. The flag of a 1 that reads as 7 shows up as the
  ink that made it a 7.
- **Occlusion.** The 28x28 model input with one :data:`BLOCK` x :data:`BLOCK` block at a time
  set to paper: a coarse map of where in the picture the answer comes from (Zeiler and Fergus,
  2014). It works for any input, an opened picture or an MNIST digit too.

The *effect* of a piece or block is the answer's evidence with all the ink minus without it, in
log-odds (``log p - log(1 - p)``, the rest's probability summed from the other outputs, not taken
from ``1 - p``): a sure answer's probability stays at 100 % when a piece goes, its evidence does
not. Positive where the ink supported the answer. The answer explained is the digit read, or "not
a digit" when that is what the window shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from digitpad.ml.numbers import Reader
from digitpad.ml.preprocess import ink_parts_to_images, ink_to_image
from digitpad.ml.recognizer import Prediction

PIECES = 8
"""Pieces the ink of one digit is cut into: a handful of model runs (a few ms on LiteRT), and
pieces short enough that a 7's bar, a 1's flag or a 4's stem is a piece of its own."""
WINDOW = 3
"""Pieces rubbed out at once, centred on each piece in turn (fewer at a stroke's ends); a piece's
effect is the mean over the windows that rub it out."""
BLOCK = 4
"""Side of an occlusion block in input pixels: 7x7 blocks over the 28x28 input, the size of a
pen stroke there."""


@dataclass(frozen=True)
class Piece:
    """A piece of one stroke and what leaving it out does to the answer."""

    stroke: int
    """Index of the stroke in the drawing."""
    points: np.ndarray
    """(n, 2) the piece's own polyline, in the drawing's units (ends interpolated)."""
    effect: float
    """The answer's evidence (log-odds) with all the ink minus without this piece."""
    without: float
    """The answer's probability with this piece and its neighbours (:data:`WINDOW`) rubbed out."""


@dataclass(frozen=True)
class Why:
    """What supported the answer and what argued against it."""

    answer: int | None
    """The digit explained; None when the answer explained is "not a digit"."""
    probability: float
    """The answer's probability for all the ink."""
    pieces: tuple[Piece, ...]
    """Empty for a picture (there are no strokes to leave out)."""
    occlusion: np.ndarray | None
    """(28 / BLOCK, 28 / BLOCK) effects of the input's blocks (0 on paper), or None when not
    asked for."""

    def strongest(self) -> float:
        """The largest effect of any piece or block, in size: what a colour scale spans."""
        effects = [abs(p.effect) for p in self.pieces]
        if self.occlusion is not None:
            effects.append(float(np.abs(self.occlusion).max(initial=0.0)))
        return max(effects, default=0.0)


def explain_ink(strokes: Sequence[np.ndarray], model: Reader,
                stroke_ids: Sequence[int] | None = None, occlusion: bool = False,
                pieces: int = PIECES) -> Why | None:
    """Why ``model`` reads the strokes ``stroke_ids`` of a drawing (all of them by default: for
    a number, the selected digit's) as it does. None when there is no ink to explain."""
    ids = [i for i in (range(len(strokes)) if stroke_ids is None else stroke_ids)
           if len(strokes[i])]
    if not ids:
        return None
    ink = [np.asarray(strokes[i], dtype=np.float64).reshape(-1, 2) for i in ids]
    image = ink_to_image(ink)
    assert image is not None  # there are points
    cuts = _cut(ink, pieces)
    windows = [_window(cuts, c) for c in range(len(cuts))]
    without = ink_parts_to_images(ink, [_leave_out(ink, cuts[first][0], cuts[first][1],
                                                   cuts[last][2]) for first, last in windows])
    full, *rest = model.predict_images([image, *without])
    answer = None if full.is_not_a_digit else full.digit
    base = _evidence(full, answer)
    effects = np.array([base - _evidence(prediction, answer) for prediction in rest])
    found = []
    for c, (k, _, _, polyline) in enumerate(cuts):
        covering = [w for w, (first, last) in enumerate(windows) if first <= c <= last]
        found.append(Piece(ids[k], polyline, float(effects[covering].mean()),
                           _probability(rest[c], answer)))
    blocks = _occlusion(image, model, answer, base) if occlusion else None
    return Why(answer, _probability(full, answer), tuple(found), blocks)


def explain_image(image: np.ndarray, model: Reader) -> Why:
    """Why ``model`` reads a 28x28 model input as it does: the occlusion map alone."""
    full = model.predict_images([image])[0]
    answer = None if full.is_not_a_digit else full.digit
    blocks = _occlusion(image, model, answer, _evidence(full, answer))
    return Why(answer, _probability(full, answer), (), blocks)


_SMALLEST = 1e-30
"""Probabilities are floored here for their logarithm (float32's smallest normal is 1.2e-38)."""


def _probability(prediction: Prediction, answer: int | None) -> float:
    """The probability of ``answer`` (None: "not a digit"); nothing at all for no ink."""
    if prediction.digit is None:
        return 0.0
    if answer is None:
        return prediction.not_a_digit
    return float(prediction.probabilities[answer])


def _evidence(prediction: Prediction, answer: int | None) -> float:
    """The log-odds of ``answer``: the probability of everything else is the sum of the other
    outputs, so a float32 probability that rounds to 1 still has odds."""
    if prediction.digit is None:  # no ink left: no evidence for anything
        return float(np.log(_SMALLEST))
    digits = prediction.probabilities.astype(np.float64)
    if answer is None:
        chosen, others = prediction.not_a_digit, float(digits.sum())
    else:
        chosen = float(digits[answer])
        others = float(np.delete(digits, answer).sum()) + prediction.not_a_digit
    return float(np.log(max(chosen, _SMALLEST)) - np.log(max(others, _SMALLEST)))


def _occlusion(image: np.ndarray, model: Reader, answer: int | None,
               base: float) -> np.ndarray:
    side = image.shape[0] // BLOCK
    effects = np.zeros((side, side), np.float32)
    inked = [(row, column) for row in range(side) for column in range(side)
             if image[row * BLOCK:(row + 1) * BLOCK, column * BLOCK:(column + 1) * BLOCK].any()]
    covered = []
    for row, column in inked:  # a block of paper changes nothing when set to paper
        copy = image.copy()
        copy[row * BLOCK:(row + 1) * BLOCK, column * BLOCK:(column + 1) * BLOCK] = 0.0
        covered.append(copy)
    for (row, column), prediction in zip(inked, model.predict_images(covered), strict=True):
        effects[row, column] = base - _evidence(prediction, answer)
    return effects


Cut = tuple[int, float, float, np.ndarray]
"""(which stroke, where the piece starts and ends along it, the piece's polyline)."""


def _cut(ink: list[np.ndarray], pieces: int) -> list[Cut]:
    """Each stroke's pieces, shared out by length (a dot is one piece)."""
    lengths = [_arc_length(stroke) for stroke in ink]
    total = sum(float(length[-1]) for length in lengths)
    cuts: list[Cut] = []
    for k, (stroke, length) in enumerate(zip(ink, lengths, strict=True)):
        along = float(length[-1])
        count = max(1, round(pieces * along / total)) if total > 0 else 1
        edges = np.linspace(0.0, along, count + 1)
        for start, end in pairwise(edges):
            cuts.append((k, float(start), float(end), _between(stroke, length, start, end)))
    return cuts


def _window(cuts: list[Cut], centre: int) -> tuple[int, int]:
    """The pieces rubbed out together around piece ``centre``: it and its neighbours on the same
    stroke. A gap of one eighth in a stroke is a gap the model has never seen; a third of the
    stroke gone (a 7's bar, a 1's flag) is a change a person would name."""
    stroke = cuts[centre][0]
    near = range(max(0, centre - WINDOW // 2), min(len(cuts), centre + WINDOW // 2 + 1))
    same = [c for c in near if cuts[c][0] == stroke]  # a stroke's pieces are consecutive
    return same[0], same[-1]


def _leave_out(ink: list[np.ndarray], k: int, start: float, end: float) -> list[np.ndarray]:
    """The ink without stroke ``k`` from ``start`` to ``end`` along it."""
    stroke, length = ink[k], _arc_length(ink[k])
    along = float(length[-1])
    kept = [s for j, s in enumerate(ink) if j != k]
    if start > 0:
        kept.append(_between(stroke, length, 0.0, start))
    if end < along:
        kept.append(_between(stroke, length, end, along))
    return kept


def _arc_length(stroke: np.ndarray) -> np.ndarray:
    """Distance along the stroke at each of its points."""
    steps = np.hypot(*np.diff(stroke, axis=0).T) if len(stroke) > 1 else np.zeros(0)
    return np.concatenate([[0.0], np.cumsum(steps)])


def _between(stroke: np.ndarray, length: np.ndarray, start: float, end: float) -> np.ndarray:
    """The polyline of ``stroke`` from ``start`` to ``end`` along it, its ends interpolated."""
    if len(stroke) == 1:
        return stroke.copy()
    inside = stroke[(length > start) & (length < end)]
    ends = np.column_stack([np.interp([start, end], length, stroke[:, axis]) for axis in (0, 1)])
    return np.concatenate([ends[:1], inside, ends[1:]])
