"""The preview shows the exact model input, pixel for pixel, without smoothing."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from digitpad.ui.pad.preview import ZOOM, ModelInputPreview


@pytest.fixture
def preview(qtbot) -> Iterator[ModelInputPreview]:
    """In a layout, as in the window: the layout gives it the size it asks for."""
    holder = QWidget()
    widget = ModelInputPreview()
    QVBoxLayout(holder).addWidget(widget)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    yield widget  # the holder lives as long as the test


def grey_levels(preview: ModelInputPreview, zoom: int = ZOOM) -> np.ndarray:
    image = preview.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    data = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return data[1 : 1 + 28 * zoom, 1 : 1 + 28 * zoom].astype(int)


@pytest.mark.parametrize("zoom", [ZOOM, 8])
def test_every_model_pixel_is_a_crisp_block(preview: ModelInputPreview, zoom: int) -> None:
    """At the first zoom and at a roomy window's."""
    preview.set_zoom(zoom)
    QApplication.processEvents()  # the layout makes room
    assert preview.width() == preview.height() == 28 * zoom + 2
    rng = np.random.default_rng(0)
    image = rng.random((28, 28)).astype(np.float32)
    preview.set_image(image)
    shown = grey_levels(preview, zoom)
    blocks = shown.reshape(28, zoom, 28, zoom)
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


def test_a_roomy_layout_does_not_stretch_the_model_pixels(qtbot) -> None:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    preview = ModelInputPreview()
    layout.addWidget(preview)
    holder.resize(600, 600)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    image = np.zeros((28, 28), np.float32)
    image[0, 0] = image[27, 27] = 1.0  # the two corner pixels of the model input
    preview.set_image(image)
    shown = preview.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    data = np.frombuffer(shown.constBits(), np.uint8).reshape(shown.height(), -1)
    data = data[:, : shown.width()]
    white = np.argwhere(data == 255)
    # Two ZOOM x ZOOM blocks inside the one-pixel frame, and nothing else: the whole input at
    # its zoom, however much room there is.
    assert shown.width() == shown.height() == 28 * ZOOM + 2
    assert len(white) == 2 * ZOOM * ZOOM
    assert white.min(axis=0).tolist() == [1, 1]
    assert white.max(axis=0).tolist() == [28 * ZOOM, 28 * ZOOM]
