"""What a model learns from besides MNIST, rendered like the app's ink. No Qt, no TensorFlow here
(images are numpy arrays; the training child feeds them to Keras).

- The real pen-drawn digits of the training writers, each as drawn and as random variants. For a
  twelve-output model their 7s are labelled by what the writer drew: a 7 with a bar through its
  stem is a *crossed 7* (:func:`~digitpad.ml.regional.is_crossed_seven`); the digit is the same.
- The 1 and 7 as much of the world writes them (:mod:`digitpad.ml.regional`): each training 1
  again with long flags, each uncrossed 7 again with a bar. Labels never change: a flagged 1 is a
  1, a crossed 7 a (crossed) 7.
- Drawings that are no digit (:mod:`digitpad.ml.negatives`, the training family), labelled "not a
  digit".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from digitpad.ml.digits import INPUT_SHAPE
from digitpad.ml.ink import Drawing
from digitpad.ml.ink_augment import PEN_WIDTH_RANGE, random_affine, split_by_writer
from digitpad.ml.negatives import negative_drawings
from digitpad.ml.outputs import CROSSED_SEVEN, NOT_A_DIGIT
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.regional import crossed_seven, flagged_one, is_crossed_seven

PEN_HOLD_OUT_EVERY = 3
"""Every third writer of the pen-drawn digits is kept out of training to judge the model: the
split of the bundled model's card (tra_w03, tra_w06, ... held out), so a retrained model and the
bundled one are judged on the same 2,498 drawings."""


@dataclass(frozen=True)
class ExtraData:
    """Images (N, 28, 28) float32 in [0, 1], their output labels, and what they are, in numbers
    for the model card."""

    images: np.ndarray
    labels: np.ndarray
    counts: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def empty() -> ExtraData:
        return ExtraData(np.zeros((0, *INPUT_SHAPE), np.float32), np.zeros(0, np.uint8))

    def __add__(self, other: ExtraData) -> ExtraData:
        return ExtraData(np.concatenate([self.images, other.images]),
                         np.concatenate([self.labels, other.labels]),
                         {**self.counts, **other.counts})


def render(drawings: Sequence[Drawing], labels: Sequence[int], copies: int,
           rng: np.random.Generator, include_original: bool = True) -> ExtraData:
    """Each drawing as drawn (optionally) and as ``copies`` random variants, with its label."""
    images: list[np.ndarray] = []
    kept: list[int] = []
    for drawing, label in zip(drawings, labels, strict=True):
        strokes = list(drawing.strokes)
        variants = [ink_to_image(strokes)] if include_original else []
        variants += [ink_to_image(random_affine(strokes, rng), rng.uniform(*PEN_WIDTH_RANGE))
                     for _ in range(copies)]
        for image in variants:
            if image is not None:
                images.append(image)
                kept.append(label)
    if not images:
        return ExtraData.empty()
    return ExtraData(np.stack(images).astype(np.float32), np.asarray(kept, np.uint8))


def pen_digit_label(drawing: Drawing, twelve_outputs: bool) -> int:
    """The output a real pen digit teaches: its digit, or the crossed 7 for a barred 7."""
    assert drawing.label is not None
    if twelve_outputs and drawing.label == 7 and is_crossed_seven(drawing):
        return CROSSED_SEVEN
    return drawing.label


def pen_digits(drawings: Sequence[Drawing], copies: int, seed: int,
               twelve_outputs: bool) -> ExtraData:
    """The labelled, non-empty real drawings, as drawn and as ``copies`` variants each."""
    labelled = [d for d in drawings if d.label is not None and not d.is_empty]
    labels = [pen_digit_label(d, twelve_outputs) for d in labelled]
    data = render(labelled, labels, copies, np.random.default_rng([seed, 1]))
    crossed = sum(label == CROSSED_SEVEN for label in labels)
    return ExtraData(data.images, data.labels,
                     {"pen_digits": len(labelled), "pen_crossed_sevens": crossed})


def regional_forms(drawings: Sequence[Drawing], copies: int, seed: int) -> ExtraData:
    """``copies`` long-flag versions of every 1 and crossed versions of every uncrossed 7."""
    rng = np.random.default_rng([seed, 2])
    ones = [d for d in drawings if d.label == 1 and not d.is_empty]
    sevens = [d for d in drawings if d.label == 7 and not d.is_empty and not is_crossed_seven(d)]
    made = [flagged_one(d, rng) for d in ones for _ in range(copies)]
    labels = [1] * len(made)
    crossed = [crossed_seven(d, rng) for d in sevens for _ in range(copies)]
    data = render([*made, *crossed], [*labels, *[CROSSED_SEVEN] * len(crossed)], 0, rng)
    return ExtraData(data.images, data.labels,
                     {"flagged_ones": len(made), "crossed_sevens_made": len(crossed)})


def not_digits(count: int, seed: int, pen: Sequence[Drawing], copies: int) -> ExtraData:
    """``count`` generated non-digits (the training family) and ``copies`` variants of each."""
    drawings = negative_drawings(count, seed, "train", pen_digits=pen)
    data = render(drawings, [NOT_A_DIGIT] * len(drawings), copies,
                  np.random.default_rng([seed, 3]))
    return ExtraData(data.images, data.labels, {"not_digits": count})


@dataclass(frozen=True)
class InkTrainingSet:
    """What a run learns from the pen-drawn digits, the writers kept out to judge it, and the
    model card's ``ink_training`` section."""

    data: ExtraData
    held_out: list[Drawing]
    card_section: dict[str, object]
    writers: list[str] = field(default_factory=list)
    held_out_writers: list[str] = field(default_factory=list)
    """The writers learned from, and those kept out (each sorted)."""

    def extra_train(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The images, labels and weights (one each) as ``training.train`` takes them."""
        return self.data.images, self.data.labels, np.ones(len(self.data.images), np.float32)


def ink_training_set(
    drawings: Sequence[Drawing],
    source: str,
    *,
    hold_out_every: int,
    copies: int,
    seed: int,
    not_a_digit: int = 0,
    regional_copies: int = 0,
) -> InkTrainingSet:
    """The real pen digits of all but every ``hold_out_every``-th writer (as the model card
    splits them), each as drawn and as ``copies`` variants; with ``not_a_digit`` > 0 (a
    twelve-output model) also the world's 1 and 7 and that many generated non-digits.

    ``source`` names the drawings' file in the card. Raises ValueError when the drawings do not
    have enough writers to hold some out.
    """
    train, held_out, held_out_writers = split_by_writer(drawings, hold_out_every)
    if not train or not held_out:
        raise ValueError(f"{source}: need drawings from at least {hold_out_every} writers (a "
                         "'writer' key per sample) to hold some out for evaluation")
    twelve = not_a_digit > 0
    data = pen_digits(train, copies, seed, twelve)
    if twelve:
        data += regional_forms(train, regional_copies, seed)
        data += not_digits(not_a_digit, seed, drawings, copies)
    writers = sorted({str(d.extra.get("writer", "")) for d in train})
    section: dict[str, object] = {
        "file": source,
        "drawings": len(train),
        "writers": writers,
        "images": len(data.images),
        "held_out_writers": held_out_writers,
        **data.counts,
    }
    return InkTrainingSet(data, held_out, section, writers, held_out_writers)
