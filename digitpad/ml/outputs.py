"""What a model's outputs mean, and how they become the ten digits' probabilities. numpy only.

A classic digit model (the tutorial's, a user's own) has ten softmax outputs, one per digit. The
models digitpad trains now have twelve: the ten digits, a **crossed 7** (the 7 with a bar through
its stem that much of the world writes) and **not a digit** (letters, scribbles, shapes, two
digits run together). The crossed 7 is its own output because the same uncrossed shape means 7 to
one writer and 1 to another: to a writer who crosses every 7, an uncrossed flag-and-stem is a 1.
So how the outputs fold into ten digits depends on the writer's convention (:class:`Sevens`):

- ``plain`` (the default where 7s are written uncrossed): 7 = uncrossed 7 + crossed 7.
- ``crossed``: 1 = 1 + uncrossed 7, and 7 = crossed 7 only.

The not-a-digit probability stays apart; the ten digits and it sum to 1.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import numpy as np

from digitpad.ml.digits import NUM_CLASSES

CROSSED_SEVEN = 10
"""The output index of a crossed 7 in a twelve-output model."""
NOT_A_DIGIT = 11
"""The output index of "not a digit" in a twelve-output model."""
OUTPUT_NAMES: tuple[str, ...] = (*(str(digit) for digit in range(NUM_CLASSES)), "crossed 7",
                                 "not a digit")
"""A twelve-output model's outputs, in order, as its model card lists them."""
DIGIT_NAMES: tuple[str, ...] = OUTPUT_NAMES[:NUM_CLASSES]


class Sevens(str, enum.Enum):
    """How the writer writes 1 and 7."""

    PLAIN = "plain"
    """7 without a bar; a 1 is a stroke, perhaps with a short flag."""
    CROSSED = "crossed"
    """7 with a bar through its stem; a 1 with a long flag rising into its top."""


def output_names(outputs: int, card_names: Sequence[str] | None) -> tuple[str, ...] | None:
    """The meaning of a model's ``outputs``, or None when digitpad cannot know it: ten outputs are
    the digits; twelve only when the model card names them as digitpad writes them."""
    if outputs == NUM_CLASSES:
        return DIGIT_NAMES
    if outputs == len(OUTPUT_NAMES) and card_names is not None \
            and tuple(card_names) == OUTPUT_NAMES:
        return OUTPUT_NAMES
    return None


def fold(outputs: np.ndarray, sevens: Sevens = Sevens.PLAIN) -> tuple[np.ndarray, np.ndarray]:
    """(N, 10 or 12) model outputs -> ((N, 10) digit probabilities, (N,) not-a-digit)."""
    outputs = np.asarray(outputs, dtype=np.float32)
    if outputs.shape[1] == NUM_CLASSES:
        return outputs, np.zeros(len(outputs), np.float32)
    digits = outputs[:, :NUM_CLASSES].copy()
    if sevens is Sevens.CROSSED:
        digits[:, 1] += digits[:, 7]
        digits[:, 7] = outputs[:, CROSSED_SEVEN]
    else:
        digits[:, 7] += outputs[:, CROSSED_SEVEN]
    return digits, outputs[:, NOT_A_DIGIT].copy()
