"""Ink and pictures become MNIST-style 28x28 inputs: size, aspect, centring and invariances."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from digitpad.ml.ink import Drawing
from digitpad.ml.preprocess import (
    BOX_SIZE,
    FRAME_SIZE,
    MAX_IMAGE_PIXELS,
    SUPERSAMPLE,
    ImageLoadError,
    _centre_by_mass,
    centre_of_mass,
    ink_bounding_box,
    ink_parts_to_images,
    ink_to_image,
    load_image,
)

FRAME_CENTRE = (FRAME_SIZE - 1) / 2


def _strokes(drawing: Drawing) -> list[np.ndarray]:
    return list(drawing.strokes)


def test_empty_ink_is_no_digit() -> None:
    assert ink_to_image([]) is None
    assert ink_to_image([np.zeros((0, 2))]) is None


def test_output_is_float32_in_unit_range_white_on_black(pendigits: list[Drawing]) -> None:
    image = ink_to_image(_strokes(pendigits[0]))
    assert image is not None
    assert image.shape == (FRAME_SIZE, FRAME_SIZE)
    assert image.dtype == np.float32
    assert image.min() == 0.0
    assert image.max() == pytest.approx(1.0)
    assert image[0].sum() == 0 and image[:, 0].sum() == 0  # background is black


def test_real_drawings_fit_a_20px_box_and_centre_their_mass(pendigits: list[Drawing]) -> None:
    for drawing in pendigits[:300]:
        image = ink_to_image(_strokes(drawing))
        _, _, height, width = ink_bounding_box(image, threshold=0.05)
        assert max(height, width) <= BOX_SIZE + 1  # +1: anti-aliasing may touch one more pixel
        assert max(height, width) >= BOX_SIZE - 2
        row, col = centre_of_mass(image)
        assert abs(row - FRAME_CENTRE) < 0.5 and abs(col - FRAME_CENTRE) < 0.5


def test_a_one_stays_thin_aspect_ratio_is_kept() -> None:
    one = ink_to_image([np.array([[50.0, 0.0], [50.0, 100.0]])])
    _, _, height, width = ink_bounding_box(one, threshold=0.1)
    assert height >= BOX_SIZE - 1
    assert width <= 5

    wide = ink_to_image([np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 50.0]])])
    _, _, height, width = ink_bounding_box(wide, threshold=0.1)
    assert width >= BOX_SIZE - 1
    assert 0.4 < height / width < 0.7


def test_a_single_dot_is_a_digit_shaped_blob_not_an_error() -> None:
    image = ink_to_image([np.array([[3.0, 4.0]])])
    assert image is not None and image.sum() > 0


def test_part_of_a_drawing_is_drawn_where_it_sits_in_the_whole(pendigits: list[Drawing]) -> None:
    """What "rub this ink out" shows the model: the rest, not re-centred or re-scaled."""
    drawing = next(d for d in pendigits if len(d.strokes) == 2)
    whole = ink_to_image(drawing.strokes)
    first, second, nothing, everything = ink_parts_to_images(
        drawing.strokes, [drawing.strokes[:1], drawing.strokes[1:], [], drawing.strokes])
    assert nothing is None and np.array_equal(everything, whole)
    assert first is not None and second is not None
    # Each part is a subset of the whole's ink, and together they cover it (up to the grey
    # level's rounding): nothing moved.
    assert np.all(first <= whole + 1 / 255) and np.all(second <= whole + 1 / 255)
    assert np.all(np.minimum(first + second, 1.0) >= whole - 1 / 255)
    assert ink_parts_to_images([], [drawing.strokes]) == [None]


@pytest.fixture(scope="module")
def some_strokes(pendigits: list[Drawing]) -> list[list[np.ndarray]]:
    return [_strokes(d) for d in pendigits[::75]]


def test_invariant_to_translation_and_uniform_scale(some_strokes: list[list[np.ndarray]]) -> None:
    @settings(max_examples=60, deadline=None)
    @given(
        sample=st.integers(0, len(some_strokes) - 1),
        scale=st.floats(0.01, 100.0),
        dx=st.floats(-1e4, 1e4),
        dy=st.floats(-1e4, 1e4),
    )
    def check(sample: int, scale: float, dx: float, dy: float) -> None:
        strokes = some_strokes[sample]
        reference = ink_to_image(strokes)
        moved = ink_to_image([s * scale + np.array([dx, dy]) for s in strokes])
        # Each output pixel averages 4x4 sub-pixels; float rounding may flip a few sub-pixels on
        # an edge (at most a few tenths of one pixel), never the digit's shape or position.
        difference = np.abs(reference - moved)
        assert difference.mean() < 0.01, difference.mean()
        assert difference.max() <= 0.5
        assert np.corrcoef(reference.ravel(), moved.ravel())[0, 1] > 0.98
        np.testing.assert_allclose(centre_of_mass(moved), centre_of_mass(reference), atol=0.1)
        box_before = ink_bounding_box(reference, threshold=0.1)
        box_after = ink_bounding_box(moved, threshold=0.1)
        np.testing.assert_allclose(box_after, box_before, atol=1)

    check()


def _write_digit_picture(path: Path, dark_on_light: bool, size: int = 400) -> None:
    canvas = np.zeros((size, size), np.uint8)
    canvas[80:320, 190:215] = 255  # a "1": a tall bar, off-centre on purpose
    canvas[80:110, 150:215] = 255
    if dark_on_light:
        canvas = 255 - canvas
    Image.fromarray(canvas).save(path)


@pytest.mark.parametrize("dark_on_light", [True, False])
def test_pictures_of_either_polarity_give_the_same_normalised_input(
    tmp_path: Path, dark_on_light: bool
) -> None:
    path = tmp_path / "digit.png"
    _write_digit_picture(path, dark_on_light)
    image = load_image(path)
    assert image is not None and image.shape == (FRAME_SIZE, FRAME_SIZE)
    assert image[0].sum() == 0  # white digit on black, whatever the picture's polarity
    _, _, height, width = ink_bounding_box(image, threshold=0.1)
    assert max(height, width) in (BOX_SIZE, BOX_SIZE + 1)
    row, col = centre_of_mass(image)
    assert abs(row - FRAME_CENTRE) < 0.5 and abs(col - FRAME_CENTRE) < 0.5


def test_jpeg_photo_with_grey_paper_is_read(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    page = np.full((300, 240), 200, np.float64) + rng.normal(0, 6, (300, 240))
    page[60:240, 100:125] = 40  # dark pen stroke
    path = tmp_path / "photo.jpg"
    Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).save(path, quality=85)
    image = load_image(path)
    assert image is not None
    _, _, height, width = ink_bounding_box(image, threshold=0.3)
    assert height >= BOX_SIZE - 1 and width <= 6


def test_blank_picture_is_no_digit(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.fromarray(np.full((50, 50), 255, np.uint8)).save(path)
    assert load_image(path) is None


def test_a_file_that_is_not_a_picture_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("not a picture")
    with pytest.raises(ImageLoadError, match=re.escape("notes.png: not a supported image (PNG")):
        load_image(path)


def _centre_with_pillow(digit: Image.Image) -> np.ndarray:
    """How the training drawings were centred: Pillow's bilinear affine shift at 4x, then a 4x4
    box filter, each rounded to 8 bits."""
    pixels = np.asarray(digit, dtype=np.float64)
    mass = pixels.sum()
    cy = pixels.sum(axis=1) @ np.arange(pixels.shape[0]) / mass + 0.5
    cx = pixels.sum(axis=0) @ np.arange(pixels.shape[1]) / mass + 0.5
    fine = FRAME_SIZE * SUPERSAMPLE
    left = float(np.clip(fine / 2 - cx, 0, fine - digit.width))
    top = float(np.clip(fine / 2 - cy, 0, fine - digit.height))
    frame = digit.transform((fine, fine), Image.Transform.AFFINE, (1, 0, -left, 0, 1, -top),
                            resample=Image.Resampling.BILINEAR)
    return np.asarray(frame.reduce(SUPERSAMPLE), dtype=np.float32) / 255.0


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(8, 84), st.integers(8, 84), st.integers(0, 2**32 - 1))
def test_centring_matches_the_pillow_transform_the_model_was_trained_with(
    width: int, height: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    ink = rng.random((height, width)) < rng.uniform(0.05, 0.6)
    ink[rng.integers(height), :] = True  # ink reaching the edges, where Pillow clamps its samples
    ink[:, rng.integers(width)] = True
    digit = Image.fromarray((ink * rng.integers(1, 256, ink.shape)).astype(np.uint8))
    ours = _centre_by_mass(digit)
    assert ours is not None
    np.testing.assert_allclose(ours, _centre_with_pillow(digit), atol=2.5 / 255)


# --- odd and hostile pictures -------------------------------------------------------------------


def _digit_seven() -> np.ndarray:
    """A 7 in dark grey on light grey paper: mid-tones that clipping to 8 bits would lose."""
    page = np.full((60, 50), 230, np.uint8)
    page[8:14, 8:42] = 60
    for row in range(14, 52):
        col = 40 - (row - 14) // 2
        page[row, col - 3 : col + 3] = 60
    return page


def _save_in_mode(path: Path, mode: str) -> None:
    """The 7 saved as a PNG of the given mode, so that it looks the same to a person."""
    gray = _digit_seven()
    if mode == "I;16":
        Image.fromarray(gray.astype(np.uint16) * 257).save(path)
    elif mode == "I":  # Pillow 13 reads 16-bit PNGs as I;16 and writes I only as TIFF
        Image.fromarray(gray.astype(np.int32) * 257).save(path.with_suffix(".tif"))
        path.with_suffix(".tif").rename(path)
    elif mode == "LA":  # ink opaque, paper transparent black
        alpha = 255 - gray
        Image.fromarray(np.dstack([np.zeros_like(gray), alpha])).save(path)
    elif mode == "RGBA":
        alpha = 255 - gray
        Image.fromarray(np.dstack([np.zeros((*gray.shape, 3), np.uint8), alpha])).save(path)
    elif mode == "P":  # palette entry 0 is transparent paper, 1 is the ink
        picture = Image.fromarray((gray < 128).astype(np.uint8), mode="L").convert("P")
        picture.putpalette([0, 0, 0, 60, 60, 60])
        picture.save(path, transparency=0)
    elif mode == "1":  # two levels, no dithering: paper and ink
        Image.fromarray(gray).convert("1", dither=Image.Dither.NONE).save(path)
    else:
        Image.fromarray(gray).convert(mode).save(path)


def test_every_picture_mode_reads_the_same_digit(tmp_path: Path) -> None:
    reference = load_image(_write(tmp_path / "L.png", "L"))
    assert reference is not None
    for mode in ("1", "LA", "P", "RGB", "RGBA", "I;16", "I"):
        image = load_image(_write(tmp_path / f"{mode.replace(';', '')}.png", mode))
        assert image is not None, mode
        assert np.abs(image - reference).max() < 0.05, mode


def _write(path: Path, mode: str) -> Path:
    _save_in_mode(path, mode)
    return path


def test_exif_rotation_is_honoured(tmp_path: Path) -> None:
    upright = tmp_path / "upright.png"
    Image.fromarray(_digit_seven()).save(upright)
    rotated = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show it rotated 90 degrees clockwise
    Image.fromarray(_digit_seven()).transpose(Image.Transpose.ROTATE_90).save(
        rotated, exif=exif, quality=95)
    a, b = load_image(upright), load_image(rotated)
    assert a is not None and b is not None
    assert np.abs(a - b).max() < 0.2


def test_an_eps_file_named_png_is_refused_without_ghostscript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import EpsImagePlugin

    def no_ghostscript(*args: object, **kwargs: object) -> None:
        raise AssertionError("Ghostscript was run")

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", no_ghostscript)
    monkeypatch.setattr(EpsImagePlugin, "has_ghostscript", lambda: True)
    path = tmp_path / "digit.png"
    path.write_text("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n"
                    "0 0 moveto 28 28 lineto stroke\nshowpage\n%%EOF\n")
    with pytest.raises(ImageLoadError) as raised:
        load_image(path)
    assert str(raised.value) == (
        f"{path}: not a supported image (PNG, JPEG, BMP, GIF, WebP or TIFF)")


def test_a_picture_above_the_pixel_limit_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    Image.new("1", (20_000, 20_000), 1).save(path)  # 400 megapixels, beyond Pillow's bomb limit
    with pytest.raises(ImageLoadError, match=re.escape(
            f"huge.png: too many pixels; the limit is {MAX_IMAGE_PIXELS // 10**6} megapixels")):
        load_image(path)


def test_a_truncated_png_says_it_is_damaged(tmp_path: Path) -> None:
    whole = tmp_path / "whole.png"
    Image.fromarray(_digit_seven()).save(whole)
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole.read_bytes()[:-60])
    with pytest.raises(ImageLoadError, match=re.escape("cut.png: the image is damaged")):
        load_image(cut)


def test_a_missing_picture_says_the_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match=re.escape("gone.png: cannot read the file")):
        load_image(tmp_path / "gone.png")
