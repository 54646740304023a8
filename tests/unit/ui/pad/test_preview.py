"""The preview shows the exact model input, pixel for pixel, without smoothing."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from digitpad.ui.pad.preview import ZOOM, ModelInputPreview


@pytest.fixture
def preview(qtbot) -> ModelInputPreview:
    widget = ModelInputPreview()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def grey_levels(preview: ModelInputPreview) -> np.ndarray:
    image = preview.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    data = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return data[1 : 1 + 28 * ZOOM, 1 : 1 + 28 * ZOOM].astype(int)


def test_every_model_pixel_is_a_crisp_block(preview: ModelInputPreview) -> None:
    rng = np.random.default_rng(0)
    image = rng.random((28, 28)).astype(np.float32)
    preview.set_image(image)
    shown = grey_levels(preview)
    blocks = shown.reshape(28, ZOOM, 28, ZOOM)
    # Nearest-neighbour scaling: each block is one flat grey, equal to the model's pixel.
    assert (blocks.max(axis=(1, 3)) == blocks.min(axis=(1, 3))).all()
    np.testing.assert_allclose(blocks[:, 0, :, 0], np.round(image * 255), atol=1)
    assert preview.image() is image


def test_no_input_shows_a_black_square(preview: ModelInputPreview) -> None:
    preview.set_image(np.ones((28, 28), np.float32))
    preview.set_image(None)
    assert preview.image() is None
    shown = grey_levels(preview)
    assert np.median(shown) == 0


def test_its_size_is_fixed_to_whole_model_pixels(preview: ModelInputPreview) -> None:
    assert preview.sizeHint().width() == 28 * ZOOM + 2
    assert ZOOM >= 4
