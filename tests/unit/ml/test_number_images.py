"""Reading numbers in pictures: real pen-drawn digits drawn as pictures, grouped and read."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import ImageDraw

from digitpad.ml.ink import Drawing
from digitpad.ml.number_images import label_components, read_number_image
from digitpad.ml.number_synthesis import LINE_HEIGHT, SynthesisedNumber, compose_number
from digitpad.ml.numbers import MAX_DIGITS
from digitpad.ml.preprocess import MAX_WORKING_SIDE, load_gray, load_image
from digitpad.ml.recognizer import Prediction, Recognizer
from tests.unit.ml.number_pictures import InkPicture, draw_ink
from tests.unit.ml.photos import ink_on_paper, photograph

WRITER = "tra_w09"
"""A writer whose 4s come in one and two strokes (as in ``test_numbers.py``)."""


def by(drawings: list[Drawing], label: int, strokes: int | None = None) -> list[Drawing]:
    return [d for d in drawings if d.extra["writer"] == WRITER and d.label == label
            and (strokes is None or len(d.strokes) == strokes)]


def number(pendigits: list[Drawing], text: str, gap: float = 0.3, seed: int = 0
           ) -> SynthesisedNumber:
    """The writer's first drawing of each digit, side by side with room between them."""
    digits = [by(pendigits, int(c))[0] for c in text]
    return compose_number(digits, np.random.default_rng(seed), gaps=[gap] * (len(text) - 1))


def gray_of(picture: InkPicture, tmp_path: Path, name: str = "number.png") -> np.ndarray:
    """The picture as the command reads it: written to a file, read back."""
    path = tmp_path / name
    picture.image.save(path)
    return load_gray(path)


class Spy:
    """The bundled model, keeping the inputs it was shown."""

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer
        self.shown: list[list[np.ndarray | None]] = []

    def predict_images(self, images: Sequence[np.ndarray | None]) -> list[Prediction]:
        self.shown.append(list(images))
        return self.recognizer.predict_images(images)


def _flood_fill_labels(mask: np.ndarray) -> np.ndarray:
    """The 8-connected components the slow, obvious way."""
    labels = np.zeros(mask.shape, int)
    count = 0
    for start in zip(*np.nonzero(mask), strict=True):
        if labels[start]:
            continue
        count += 1
        labels[start] = count
        queue = deque([start])
        while queue:
            y, x = queue.popleft()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = y + dy, x + dx
                    if (0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1] and mask[ny, nx]
                            and not labels[ny, nx]):
                        labels[ny, nx] = count
                        queue.append((ny, nx))
    return labels


@pytest.mark.parametrize("density", [0.1, 0.3, 0.5, 0.7])
def test_ink_falls_into_the_pieces_that_touch_diagonals_included(density: float) -> None:
    rng = np.random.default_rng(int(density * 10))
    for shape in [(1, 1), (1, 9), (9, 1), (17, 23), (40, 31)]:
        mask = rng.random(shape) < density
        labels, count = label_components(mask)
        expected = _flood_fill_labels(mask)
        assert count == expected.max()
        assert np.array_equal(labels > 0, mask)
        pairs = set(zip(labels[mask].tolist(), expected[mask].tolist(), strict=True))
        assert len(pairs) == count  # the same partition, whatever the numbering


@pytest.mark.parametrize("height", [200, 1500])  # the second is bigger than the working copy
def test_a_picture_of_one_digit_reads_exactly_as_a_single_picture_does(
    pendigits: list[Drawing], bundled_recognizer: Recognizer, tmp_path: Path, height: int
) -> None:
    drawings = [by(pendigits, digit)[0] for digit in range(10)] + by(pendigits, 4, strokes=2)[:2]
    for n, drawing in enumerate(drawings):
        scale = height / np.ptp(np.concatenate(drawing.strokes)[:, 1])
        picture = draw_ink(drawing.strokes, scale=scale, pen=round(0.08 * height))
        assert (picture.image.height > MAX_WORKING_SIDE) == (height > MAX_WORKING_SIDE)
        path = tmp_path / f"digit{n}.png"
        picture.image.save(path)
        spy = Spy(bundled_recognizer)
        reading = read_number_image(load_gray(path), spy)
        [[shown]] = spy.shown
        np.testing.assert_array_equal(shown, load_image(path))
        [digit] = reading.digits
        alone = bundled_recognizer.predict_image(load_image(path))
        assert digit.digit == alone.digit == drawing.label
        np.testing.assert_array_equal(digit.probabilities, alone.probabilities)


@pytest.mark.parametrize("dark_on_light", [True, False])
def test_a_number_in_a_picture_reads_with_each_digit_where_it_was_drawn(
    pendigits: list[Drawing], bundled_recognizer: Recognizer, tmp_path: Path,
    dark_on_light: bool
) -> None:
    drawn = number(pendigits, "314159")
    picture = draw_ink(drawn.strokes, dark_on_light=dark_on_light)
    assert max(picture.image.size) > MAX_WORKING_SIDE  # boxes come back from the working copy
    spy = Spy(bundled_recognizer)
    reading = read_number_image(gray_of(picture, tmp_path), spy)
    assert reading.text == "314159"
    assert len(spy.shown) == 1  # one model call
    for digit, group in zip(reading.digits, drawn.groups, strict=True):
        expected = picture.box_of([drawn.strokes[i] for i in group])
        np.testing.assert_allclose(digit.box, expected, atol=3)
        assert all(isinstance(v, int) for v in digit.box)  # pixels
    components = [c for d in reading.digits for c in d.strokes]
    assert sorted(components) == list(range(len(components)))


@pytest.mark.parametrize("seed", range(3))
def test_a_photo_of_a_number_under_a_shadow_reads_as_the_number(
    pendigits: list[Drawing], bundled_recognizer: Recognizer, tmp_path: Path, seed: int
) -> None:
    """The shadow's edge crosses the number: the shaded paper is paper, not ink that would join
    digits or make digits of its own."""
    drawn = number(pendigits, "314159", seed=seed)
    rng = np.random.default_rng(seed)
    path = tmp_path / "photo.jpg"
    path.write_bytes(photograph(ink_on_paper(drawn.strokes, rng), "shadow", rng))
    gray = load_gray(path)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    assert np.percentile(border, 5) < 0.7 * np.percentile(border, 95)  # a shadow indeed
    assert read_number_image(gray, bundled_recognizer).text == "314159"


def test_specks_near_and_far_join_a_digit_and_never_make_one(
    pendigits: list[Drawing], bundled_recognizer: Recognizer, tmp_path: Path
) -> None:
    drawn = number(pendigits, "2026")
    picture = draw_ink(drawn.strokes)
    right = picture.box_of(drawn.strokes)[2]
    middle = picture.image.height / 2
    height = LINE_HEIGHT * picture.scale
    draw = ImageDraw.Draw(picture.image)
    for x in (right + 0.3 * height, right + 2.0 * height):
        draw.ellipse((x - 3, middle - 3, x + 3, middle + 3), fill=0)
    reading = read_number_image(gray_of(picture, tmp_path), bundled_recognizer)
    assert reading.text == "2026"


def test_an_open_4_is_one_4_beside_a_1_on_either_side(
    pendigits: list[Drawing], bundled_recognizer: Recognizer, tmp_path: Path
) -> None:
    """The top and the stem of an open 4 are two pieces of ink; the model joins them."""
    open_fours = [d for d in by(pendigits, 4, strokes=2)
                  if np.ptp(d.strokes[0][:, 1]) > 0.6 * np.ptp(np.concatenate(d.strokes)[:, 1])
                  and d.strokes[0][:, 0].max() < d.strokes[1][:, 0].max()]
    assert len(open_fours) >= 5
    one = by(pendigits, 1)[0]
    rng = np.random.default_rng(4)
    for four in open_fours[:5]:
        for pair, text in (([one, four], "14"), ([four, one], "41")):
            drawn = compose_number(pair, rng, gaps=[0.3])
            picture = draw_ink(drawn.strokes)
            reading = read_number_image(gray_of(picture, tmp_path), bundled_recognizer)
            assert reading.text == text


def test_more_than_twelve_digits_are_too_many_and_not_read(
    pendigits: list[Drawing], bundled_recognizer: Recognizer, tmp_path: Path
) -> None:
    drawn = number(pendigits, "1234567890123")
    assert len(drawn.digits) == MAX_DIGITS + 1
    picture = draw_ink(drawn.strokes, scale=1.0, pen=7)
    reading = read_number_image(gray_of(picture, tmp_path), bundled_recognizer)
    assert reading.too_many and reading.digits == () and reading.text == ""


def test_a_blank_picture_has_nothing_to_read(bundled_recognizer: Recognizer) -> None:
    reading = read_number_image(np.full((60, 200), 0.9, np.float32), bundled_recognizer)
    assert reading.digits == () and not reading.too_many
