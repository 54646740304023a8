"""What a model's outputs mean, and how they become the ten digits' probabilities. numpy only.

A classic digit model (the tutorial's, a user's own) has ten softmax outputs, one per digit. The
models digitpad trains now have twelve: the ten digits, a **crossed 7** (the 7 with a bar through
its stem that much of the world writes) and **not a digit** (letters, scribbles, shapes, two
digits run together). The crossed 7 is its own output because the same uncrossed shape means 7 to
one writer and 1 to another: to a writer who crosses every 7, an uncrossed flag-and-stem is a 1.
So how the outputs fold into ten digits depends on the writer's convention (:class:`Sevens`):

- ``plain`` (the default where 7s are written uncrossed): 7 = uncrossed 7 + crossed 7.
- ``crossed``: an uncrossed flag-and-stem is a 1 (1 = 1 + uncrossed 7) unless the model sees a
  bar: when the crossed 7 holds at least :data:`CROSSED_SHARE` of the two 7 outputs, the drawing
  is a 7 (7 = both). The model is sure of the crossed form of most crossed 7s, but MNIST's own
  crossed 7s are labelled as plain ones, so a real crossed 7 can be shared between the two
  outputs; a plain 7 gives the crossed output next to nothing.

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
CROSSED_SHARE = 0.005
"""With "crossed 7", a drawing the model reads as a 7 is a 7 (not a 1) when the crossed 7 holds
at least this share of the two 7 outputs. Calibrated on the training writers' drawings (random
variants, not the drawings as trained on) with the bundled model: their crossed 7s read 7 for
99.6 % at 0.005, 98.7 % at 0.02, 90 % at 0.5, while long-flag 1s made from their 1s read 1 at
99.6 % anywhere from 0.005 to 0.5 (a flag 1 gives the crossed 7 next to nothing).
``tests/benchmarks/test_sevens_calibration.py`` re-measures."""

_LOCALE_CROSSED_LANGUAGES = frozenset((
    "bg", "bs", "ca", "cs", "da", "de", "el", "es", "et", "eu", "fi", "fr", "gl", "hr", "hu", "is",
    "it", "lb", "lt", "lv", "mk", "nb", "nl", "nn", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sq",
    "sr", "sv", "tr", "uk"))
"""Languages whose writers are taught the crossed 7 and the long-flag 1: continental Europe
and, through Spanish and Portuguese, Latin America. English, Chinese, Japanese and the rest write
the plain 7."""


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
        plain, crossed = outputs[:, 7], outputs[:, CROSSED_SEVEN]
        barred = crossed >= CROSSED_SHARE * (plain + crossed)
        digits[:, 1] += np.where(barred, 0.0, plain)
        digits[:, 7] = np.where(barred, plain + crossed, crossed)
    else:
        digits[:, 7] += outputs[:, CROSSED_SEVEN]
    return digits, outputs[:, NOT_A_DIGIT].copy()


def sevens_for_locale(name: str | None) -> Sevens:
    """The convention most writers of a locale (``de_DE``, ``pt-BR``, ``C``) follow."""
    language = (name or "").replace("-", "_").split("_")[0].split(".")[0].lower()
    return Sevens.CROSSED if language in _LOCALE_CROSSED_LANGUAGES else Sevens.PLAIN
