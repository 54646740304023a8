"""Many plausible variants of a real drawing, rendered through the app's own preprocessing.

Real pen-drawn digits teach a model how people draw (European 1s with a long flag, single-stroke
4s, open 9s), but there are few of them. Each copy here is the same strokes under a small random
affine change (rotation, shear, aspect) and pen width, so the model learns the style, not the
writer's exact points. Rendering goes through :func:`ink_to_image`, the path the app uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digitpad.ml.digits import INPUT_SHAPE
from digitpad.ml.ink import Drawing
from digitpad.ml.preprocess import PEN_WIDTH_RATIO, ink_to_image

MAX_ROTATION_DEGREES = 12.0
MAX_SHEAR = 0.25
MAX_ASPECT_CHANGE = 0.2
PEN_WIDTH_RANGE = (0.75 * PEN_WIDTH_RATIO, 1.3 * PEN_WIDTH_RATIO)


def random_affine(strokes: Sequence[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """The strokes under one random rotation, shear and aspect change about their centre."""
    angle = np.radians(rng.uniform(-MAX_ROTATION_DEGREES, MAX_ROTATION_DEGREES))
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR)
    aspect = np.exp(rng.uniform(-MAX_ASPECT_CHANGE, MAX_ASPECT_CHANGE))
    rotate = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    transform = rotate @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([aspect, 1.0 / aspect])
    centre = np.concatenate(strokes).mean(axis=0)
    return [(stroke - centre) @ transform.T for stroke in strokes]


def augmented_images(
    drawings: Sequence[Drawing], copies: int, seed: int, include_original: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Render ``copies`` random variants of each labelled drawing: (images (N, 28, 28), labels).

    Empty or unlabelled drawings are skipped. Deterministic for a given seed.
    """
    rng = np.random.default_rng(seed)
    images: list[np.ndarray] = []
    labels: list[int] = []
    for drawing in drawings:
        if drawing.label is None or drawing.is_empty:
            continue
        strokes = list(drawing.strokes)
        variants = [ink_to_image(strokes)] if include_original else []
        for _ in range(copies):
            variants.append(
                ink_to_image(random_affine(strokes, rng), rng.uniform(*PEN_WIDTH_RANGE))
            )
        images.extend(v for v in variants if v is not None)
        labels.extend(drawing.label for v in variants if v is not None)
    if not images:
        return np.zeros((0, *INPUT_SHAPE), np.float32), np.zeros((0,), np.uint8)
    return np.stack(images).astype(np.float32), np.asarray(labels, dtype=np.uint8)


def split_by_writer(
    drawings: Sequence[Drawing], hold_out_every: int
) -> tuple[list[Drawing], list[Drawing], list[str]]:
    """Hold out every ``hold_out_every``-th writer (sorted by name): (train, held out, writers).

    Splitting by writer, not by drawing, is what makes the held-out figure an honest estimate of
    accuracy on people the model has never seen.
    """
    writers = sorted({str(d.extra.get("writer", "")) for d in drawings})
    held_out = set(writers[hold_out_every - 1 :: hold_out_every])
    train = [d for d in drawings if str(d.extra.get("writer", "")) not in held_out]
    test = [d for d in drawings if str(d.extra.get("writer", "")) in held_out]
    return train, test, sorted(held_out)
