"""Photos of digits on paper: uneven light is flattened, so a shadow is paper and not ink.

The photos are made from real pen-drawn digits of writers the bundled model never trained on
(:mod:`tests.unit.ml.photos`); ``tests/benchmarks/test_photos.py`` measures the same on 1,200.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitpad.ml.digits import to_model_input
from digitpad.ml.ink import Drawing
from digitpad.ml.preprocess import (
    image_to_mnist,
    ink_to_mnist,
    load_gray,
    load_image,
    working_copy,
)
from digitpad.ml.recognizer import Recognizer
from tests.unit.ml.number_pictures import draw_ink
from tests.unit.ml.photos import LIGHTINGS, InkOnPaper, ink_on_paper, photograph, scan


def _gray(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as picture:
        return to_model_input(np.asarray(picture.convert("L")))


@pytest.fixture(scope="module")
def digits(held_out_pendigits: list[Drawing], bundled_recognizer: Recognizer
           ) -> list[tuple[Drawing, InkOnPaper]]:
    """One drawing of each digit, on paper, that the model reads right as a clean scan: what
    lighting does to it is all that is left to see."""
    chosen = []
    for label in range(10):
        for n, drawing in enumerate(d for d in held_out_pendigits if d.label == label):
            ink = ink_on_paper(drawing.strokes, np.random.default_rng([label, n]))
            if bundled_recognizer.predict_image(image_to_mnist(_gray(scan(ink)))).digit == label:
                chosen.append((drawing, ink))
                break
    assert [d.label for d, _ in chosen] == list(range(10))
    return chosen


def _unevenly_lit(gray: np.ndarray) -> bool:
    """Somewhere on the border the paper gets at most four fifths of the light it gets
    elsewhere."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    low, high = np.percentile(border, [5, 95])
    return bool(low < 0.8 * high)


@pytest.mark.parametrize("lighting", LIGHTINGS)
def test_a_photographed_digit_reads_as_the_digit_whatever_the_lighting(
    digits: list[tuple[Drawing, InkOnPaper]], bundled_recognizer: Recognizer, tmp_path: Path,
    lighting: str
) -> None:
    path = tmp_path / "photo.jpg"
    read = []
    for drawing, ink in digits:
        path.write_bytes(photograph(ink, lighting, np.random.default_rng(drawing.label)))
        if lighting != "even":
            assert _unevenly_lit(load_gray(path))
        read.append(bundled_recognizer.predict_image(load_image(path)).digit)
    assert read == list(range(10))


@pytest.mark.parametrize("lighting", LIGHTINGS)
def test_the_preview_of_a_photo_is_the_digit_without_the_shade(
    digits: list[tuple[Drawing, InkOnPaper]], lighting: str
) -> None:
    """The 28x28 input shows the digit as a clean scan of the same ink does: no shaded paper
    kept as ink beside it, the digit the same size and in the same place."""
    for drawing, ink in digits:
        clean = image_to_mnist(_gray(scan(ink)))
        rng = np.random.default_rng(drawing.label)
        photo = image_to_mnist(_gray(photograph(ink, lighting, rng)))
        assert clean is not None and photo is not None
        near_the_ink = _grown(clean > 0, 1)
        assert photo[~near_the_ink].max(initial=0.0) < 0.25, (drawing.label, lighting)
        assert np.abs(photo - clean).mean() < 0.05, (drawing.label, lighting)


def _grown(mask: np.ndarray, by: int) -> np.ndarray:
    grown = mask.copy()
    for dy in range(-by, by + 1):
        for dx in range(-by, by + 1):
            grown |= np.roll(mask, (dy, dx), axis=(0, 1))
    return grown


def _evenly_lit(gray: np.ndarray) -> np.ndarray | None:
    """The input as pictures were read before the light was flattened: the border's median grey
    is the paper (or the dark ground) everywhere."""
    gray = working_copy(gray)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    paper = float(np.median(border))
    ink = (1.0 - gray) - (1.0 - paper) if paper > 0.5 else gray - paper
    ink = np.clip(ink / float(ink.max()), 0.0, 1.0)
    ink[ink < 0.1] = 0.0
    return ink_to_mnist(ink)


@pytest.mark.parametrize("light_on_dark", [False, True])
def test_a_clean_scan_reads_exactly_as_before_the_light_was_flattened(
    digits: list[tuple[Drawing, InkOnPaper]], light_on_dark: bool
) -> None:
    for _, ink in digits:
        gray = _gray(scan(ink, light_on_dark))
        np.testing.assert_array_equal(image_to_mnist(gray), _evenly_lit(gray))


@pytest.mark.parametrize("light_on_dark", [False, True])
def test_a_scan_cut_tight_to_thick_ink_reads_as_before_the_light_was_flattened(
    digits: list[tuple[Drawing, InkOnPaper]], tmp_path: Path, light_on_dark: bool
) -> None:
    """Ink running along the edge of the picture is ink, not a shadow over that side. Black ink
    stays black; where it runs along an edge for more than a quarter of the picture, its
    anti-aliased fringe may move by one grey level."""
    path = tmp_path / "crop.png"
    for drawing, _ in digits:
        draw_ink(drawing.strokes, not light_on_dark, scale=3.0, pen=40, margin=5).image.save(path)
        image, before = load_image(path), _evenly_lit(load_gray(path))
        assert image is not None and before is not None
        np.testing.assert_allclose(image, before, rtol=0, atol=0 if light_on_dark else 1.01 / 255)
