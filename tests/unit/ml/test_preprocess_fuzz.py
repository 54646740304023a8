"""Any file handed to the picture reader either reads or says in one line what is wrong with it:
random bytes and real pictures cut short or garbled (generated inputs, deterministic)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from digitpad.ml.preprocess import ImageLoadError, load_image
from tests.fuzzing import assert_one_line_naming, fuzz

FUZZ = fuzz(1000)


def _encoded(fmt: str, mode: str) -> bytes:
    gray = np.full((40, 30), 220, np.uint8)
    gray[5:35, 12:18] = 30
    buffer = io.BytesIO()
    Image.fromarray(gray).convert(mode).save(buffer, format=fmt)
    return buffer.getvalue()


_REAL = [_encoded(fmt, mode) for fmt, mode in [
    ("PNG", "L"), ("PNG", "RGBA"), ("PNG", "P"), ("PNG", "1"), ("JPEG", "RGB"), ("GIF", "P"),
    ("BMP", "RGB"), ("TIFF", "L"), ("WEBP", "RGB")]]


@st.composite
def _garbled(draw: st.DrawFn) -> bytes:
    """A real picture with some bytes overwritten, some inserted, or its end cut off."""
    data = bytearray(draw(st.sampled_from(_REAL)))
    for _ in range(draw(st.integers(0, 4))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data)


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "picture.png"


def _read_quietly(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            image = load_image(path)
        except ImageLoadError as exc:
            assert_one_line_naming(exc, path)
            return
    assert image is None or image.shape == (28, 28)


@FUZZ
@given(data=st.binary(max_size=300) | st.builds(lambda head, tail: head[:16] + tail,
                                                  st.sampled_from(_REAL), st.binary(max_size=64)))
def test_random_bytes_read_or_give_an_image_error(fuzz_file: Path, data: bytes) -> None:
    fuzz_file.write_bytes(data)
    _read_quietly(fuzz_file)


@settings(FUZZ, max_examples=1500)
@given(data=_garbled())
def test_garbled_pictures_read_or_give_an_image_error(fuzz_file: Path, data: bytes) -> None:
    fuzz_file.write_bytes(data)
    _read_quietly(fuzz_file)
