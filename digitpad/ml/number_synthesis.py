"""Numbers of several digits built from real pen-drawn single digits, to measure reading them.

There is no data set of handwritten numbers as strokes, but there are thousands of real single
digits per writer. A number is built from one writer's digits (one hand, as a user writes),
each scaled to a common height, placed left to right with the gaps and overlaps people leave, on
a slightly sloping line. The strokes keep their order, digit by digit, as people write, and each
digit's stroke indices are recorded: the truth that grouping is measured against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from digitpad.ml.ink import Drawing, Stroke

LINE_HEIGHT = 100.0
"""Height every digit is scaled to, in the number's own unit (any unit would do)."""
HEIGHT_VARIATION = 0.10
"""Each digit's height varies by up to this fraction around the line height."""
GAP_RANGE = (-0.10, 0.60)
"""Space between two neighbours' bounding boxes as a fraction of their mean width: from a slight
overlap (a 7's bar over the next digit) to a wide gap."""
VERTICAL_JITTER = 0.05
"""Each digit moves up or down by up to this fraction of the line height."""
MAX_SLOPE = 0.05
"""The baseline rises or falls by up to this much per unit of x (about 3 degrees)."""


@dataclass(frozen=True)
class SynthesisedNumber:
    """A number drawn as one drawing, with what it shows: its digits and each one's strokes."""

    strokes: tuple[Stroke, ...]
    digits: tuple[int, ...]
    groups: tuple[tuple[int, ...], ...]
    """Indices into ``strokes`` of each digit, left to right."""

    @property
    def text(self) -> str:
        return "".join(map(str, self.digits))


def compose_number(
    digits: Sequence[Drawing], rng: np.random.Generator, gaps: Sequence[float] | None = None
) -> SynthesisedNumber:
    """Place labelled, non-empty drawings left to right as one number on a sloping line.

    ``gaps`` are the spaces between neighbours as fractions of their mean width (negative:
    overlapping), one fewer than the digits; drawn at random from :data:`GAP_RANGE` when None.
    """
    labels = [d.label for d in digits if d.label is not None and not d.is_empty]
    if not digits or len(labels) != len(digits):
        raise ValueError(f"expected one or more labelled, non-empty drawings; received "
                         f"{len(digits)} of which {len(labels)} are")
    if gaps is None:
        gaps = rng.uniform(*GAP_RANGE, size=len(digits) - 1).tolist()
    elif len(gaps) != len(digits) - 1:
        raise ValueError(f"expected {len(digits) - 1} gaps for {len(digits)} digits; "
                         f"received {len(gaps)}")
    slope = rng.uniform(-MAX_SLOPE, MAX_SLOPE)
    placed: list[list[np.ndarray]] = []
    right_edge = previous_width = 0.0
    for n, drawing in enumerate(digits):
        points = np.concatenate(drawing.strokes)
        low, high = points.min(axis=0), points.max(axis=0)
        height = max(float(high[1] - low[1]), 1e-9)
        scale = LINE_HEIGHT * (1.0 + rng.uniform(-HEIGHT_VARIATION, HEIGHT_VARIATION)) / height
        width = float(high[0] - low[0]) * scale
        left = right_edge + gaps[n - 1] * (previous_width + width) / 2.0 if n else 0.0
        top = slope * left + rng.uniform(-VERTICAL_JITTER, VERTICAL_JITTER) * LINE_HEIGHT
        placed.append([(s - low) * scale + (left, top) for s in drawing.strokes])
        right_edge, previous_width = left + width, width
    starts = np.cumsum([0] + [len(strokes) for strokes in placed])
    return SynthesisedNumber(
        strokes=tuple(s for strokes in placed for s in strokes),
        digits=tuple(labels),
        groups=tuple(tuple(range(a, b)) for a, b in pairwise(starts)),
    )


def synthesise_numbers(
    drawings: Sequence[Drawing], count: int, lengths: tuple[int, int], seed: int
) -> list[SynthesisedNumber]:
    """``count`` numbers, each of a length drawn uniformly from ``lengths`` (inclusive) and of
    one writer's digits (key ``"writer"``); deterministic for a given seed.

    Digits are drawn at random from the writer's drawings without repeating one drawing in a
    number, so every digit value is about as common as in the data.
    """
    shortest, longest = lengths
    if not 1 <= shortest <= longest:
        raise ValueError(f"lengths must be (shortest, longest) with 1 <= shortest <= longest; "
                         f"received {lengths}")
    by_writer: dict[str, list[Drawing]] = defaultdict(list)
    for drawing in drawings:
        if drawing.label is not None and not drawing.is_empty:
            by_writer[str(drawing.extra.get("writer", ""))].append(drawing)
    writers = sorted(w for w, own in by_writer.items() if len(own) >= longest)
    if not writers:
        raise ValueError(f"no writer has {longest} labelled drawings to build numbers from")
    rng = np.random.default_rng(seed)
    numbers = []
    for _ in range(count):
        own = by_writer[writers[rng.integers(len(writers))]]
        length = int(rng.integers(shortest, longest + 1))
        chosen = [own[i] for i in rng.choice(len(own), size=length, replace=False)]
        numbers.append(compose_number(chosen, rng))
    return numbers
