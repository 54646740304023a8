"""What several benchmarks measure on: the pen-drawn digits of the writers the bundled model
never learned from, split as its card records."""

from __future__ import annotations

import pytest

from digitpad.ml.ink import Drawing
from digitpad.ml.ink_augment import split_by_writer
from digitpad.ml.recognizer import Recognizer


@pytest.fixture(scope="session")
def held_out(pendigits: list[Drawing], bundled_recognizer: Recognizer) -> list[Drawing]:
    """Every third writer's drawings, the split the bundled model's card names."""
    _, held_out, writers = split_by_writer(pendigits, 3)
    assert writers == sorted(bundled_recognizer.card.ink_training["held_out_writers"])
    return held_out

