"""The panel as a learner uses it: every layer named and shaped as the summary has it, drawn as
maps, cells or bars with its own colour range; a click on a unit shows what it looks for and its
value for the drawing, which follows the pen."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from digitpad.ml.layer_outputs import Layer, LayerWeights
from digitpad.ml.outputs import DIGIT_NAMES
from digitpad.ui.inside.pictures import Kind
from digitpad.ui.inside.view import InsideView
from tests.unit.ui.inside.fake_layers import CNN, CNN_WEIGHTS, MLP, MLP_WEIGHTS, fake_outputs

DRAWING = np.zeros((28, 28), np.float32)
DRAWING[6:22, 12:16] = 1.0


@pytest.fixture
def view(qtbot) -> InsideView:
    widget = InsideView()
    widget.resize(440, 1400)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def showing(view: InsideView, layers: tuple[Layer, ...], weights: LayerWeights,
            image: np.ndarray | None = DRAWING) -> list[np.ndarray] | None:
    view.show_layers(layers, weights, DIGIT_NAMES)
    outputs = None if image is None else fake_outputs(layers, image)
    view.set_outputs(image, outputs)
    QApplication.processEvents()  # laid out and painted
    return outputs


def click(view: InsideView, row: int, unit: int) -> None:
    rect = view.stack.unit_rect(row, unit)
    assert rect is not None
    view.scroll.ensureVisible(round(rect.center().x()), round(rect.center().y()))
    QTest.mouseClick(view.stack, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())


def pixel(view: InsideView, row: int, unit: int) -> QColor:
    """The colour in the middle of a unit as painted."""
    image: QImage = view.stack.grab().toImage()
    rect = view.stack.unit_rect(row, unit)
    assert rect is not None
    ratio = image.devicePixelRatio()
    centre = rect.center()
    return image.pixelColor(QPoint(round(centre.x() * ratio), round(centre.y() * ratio)))


def test_every_layer_is_listed_in_order_named_and_shaped_as_the_summary(
        view: InsideView) -> None:
    showing(view, CNN, CNN_WEIGHTS)
    rows = view.stack.rows()
    assert [row.title for row in rows] == ["input", "reshape (Reshape)", "conv2d (Conv2D)",
                                           "batch_normalization (BatchNormalization)",
                                           "activation (Activation)",
                                           "max_pooling2d (MaxPooling2D)", "flatten (Flatten)",
                                           "dense (Dense)", "dense_1 (Dense)"]
    assert [row.shape for row in rows][:3] == ["(None, 28, 28)", "(None, 28, 28, 1)",
                                               "(None, 28, 28, 8)"]
    assert rows[-1].shape == "(None, 10)"
    assert [row.note for row in rows][4:] == ["relu", "", "", "", "probabilities"]
    assert view.message_text() is None


def test_maps_one_per_channel_cells_for_vectors_bars_for_the_answer(view: InsideView) -> None:
    showing(view, CNN, CNN_WEIGHTS)
    pictures = [row.picture for row in view.stack.rows()]
    assert [(p.kind, p.units()) for p in pictures] == [
        (Kind.MAPS, 1), (Kind.MAPS, 1), (Kind.MAPS, 8), (Kind.MAPS, 8), (Kind.MAPS, 8),
        (Kind.MAPS, 8), (Kind.CELLS, 1568), (Kind.CELLS, 32), (Kind.BARS, 10)]
    conv, pooled = pictures[2].grid, pictures[5].grid
    assert conv is not None and pooled is not None
    assert (conv.columns, conv.rows) == (4, 2)
    assert conv.item_width == conv.item_height  # a square map for a square layer
    showing(view, MLP, MLP_WEIGHTS)
    flatten, dense = (row.picture.grid for row in view.stack.rows()[1:3])
    assert flatten is not None and dense is not None
    assert (flatten.columns, flatten.rows, dense.columns, dense.rows) == (28, 28, 16, 8)


def test_each_layer_has_its_own_colour_scale_with_its_range_shown(view: InsideView) -> None:
    showing(view, CNN, CNN_WEIGHTS)
    small = np.zeros((28, 28, 8), np.float32)
    small[..., 1] = 1.0
    large = np.zeros((28, 28, 8), np.float32)
    large[..., 1], large[..., 2], large[..., 3] = 1.0, 10.0, -10.0
    values = [row.picture.values for row in view.stack.rows()]
    values[2], values[3] = small, large
    view.stack.set_values(values)
    rows = view.stack.rows()
    assert rows[2].picture.scale is not None and rows[3].picture.scale is not None
    assert rows[2].picture.scale.text() == "0 \N{HORIZONTAL ELLIPSIS} 1"
    assert rows[3].picture.scale.text() == "\N{MINUS SIGN}10 \N{HORIZONTAL ELLIPSIS} 10"
    assert pixel(view, 2, 0).lightness() < 10  # zero is black
    brightest, dim = pixel(view, 2, 1), pixel(view, 3, 1)  # both 1.0, in their own scales
    assert brightest.lightness() > dim.lightness() + 60
    warm, cool = pixel(view, 3, 2), pixel(view, 3, 3)
    assert warm.red() > warm.blue() and cool.blue() > cool.red()


def test_clicking_a_convolution_map_shows_its_kernel_and_its_map(view: InsideView) -> None:
    outputs = showing(view, CNN, CNN_WEIGHTS)
    assert outputs is not None
    click(view, 2, 5)
    detail = view.detail
    assert detail.title.text() == "conv2d (Conv2D) \N{MIDDLE DOT} map 5 of 8"
    kernel = detail.weights_view.picture()
    assert kernel is not None and kernel.values is not None
    np.testing.assert_array_equal(kernel.values, CNN_WEIGHTS.of("conv2d")["kernel"][..., 5])
    assert detail.weights_text.text() == (
        "A 3\N{NO-BREAK SPACE}\N{MULTIPLICATION SIGN}\N{NO-BREAK SPACE}3 kernel on reshape.")
    assert kernel.scale is not None and kernel.scale.low < 0 < kernel.scale.high
    shown = detail.value_view.picture()
    assert shown is not None and shown.values is not None
    np.testing.assert_array_equal(shown.values, outputs[1][..., 5])
    assert detail.value_text.text().startswith("Its map: up to ")
    assert "convolution" in detail.explanation.text()
    assert view.stack.selected() == (2, 5)


def test_a_hidden_unit_of_the_mlp_looks_for_a_28x28_picture_and_follows_the_pen(
        view: InsideView) -> None:
    outputs = showing(view, MLP, MLP_WEIGHTS)
    assert outputs is not None
    click(view, 2, 17)
    detail = view.detail
    assert detail.title.text() == "dense (Dense) \N{MIDDLE DOT} unit 17 of 128"
    weights = detail.weights_view.picture()
    assert weights is not None and weights.values is not None
    assert weights.kind is Kind.MAPS and weights.values.shape == (28, 28)
    np.testing.assert_array_equal(weights.values.reshape(-1),
                                  MLP_WEIGHTS.of("dense")["kernel"][:, 17])
    assert "784" not in detail.weights_text.text()
    assert detail.weights_text.text().startswith(
        "A weight for each of the 28\N{NO-BREAK SPACE}\N{MULTIPLICATION SIGN}\N{NO-BREAK SPACE}28"
        " pixels of the drawing; bias ")
    before = detail.value_text.text()
    assert before.startswith("Value: ")
    more = DRAWING.copy()
    more[4:8, 4:24] = 1.0
    view.set_outputs(more, fake_outputs(MLP, more))
    assert detail.value_text.text() not in (before, "")
    assert "ReLU" in detail.explanation.text()


def test_the_answer_unit_shows_its_weights_on_the_hidden_units_and_its_probability(
        view: InsideView) -> None:
    showing(view, MLP, MLP_WEIGHTS)
    click(view, 3, 3)
    detail = view.detail
    assert detail.title.text() == "dense_1 (Dense) \N{MIDDLE DOT} digit 3"
    weights = detail.weights_view.picture()
    assert weights is not None and weights.kind is Kind.CELLS and weights.shape == (128,)
    assert detail.value_text.text() == "Probability: 82.0%"
    assert "probabilities" in detail.explanation.text()


def test_layers_without_weights_say_what_they_do(view: InsideView) -> None:
    showing(view, CNN, CNN_WEIGHTS)
    click(view, 3, 2)
    assert not view.detail.weights_text.isVisibleTo(view)
    assert "\N{GREEK SMALL LETTER GAMMA} = 1.5" in view.detail.explanation.text()
    click(view, 6, 14 * 8 + 3)
    assert "This value is max_pooling2d at row 1, column 0 of map 3." in (
        view.detail.explanation.text())
    click(view, 0, 0)
    assert view.detail.title.text().startswith("The drawing")


def test_a_layer_that_cannot_be_drawn_is_listed_with_its_shape(view: InsideView) -> None:
    odd = (Layer("flatten", "Flatten", (784,)), Layer("odd", "Custom", (2, 3, 4, 5)),
           Layer("dense", "Dense", (10,)))
    outputs = [np.zeros(784, np.float32), np.zeros((2, 3, 4, 5), np.float32),
               np.full(10, 0.1, np.float32)]
    view.show_layers(odd, LayerWeights({}, {}), DIGIT_NAMES)
    view.set_outputs(DRAWING, outputs)
    row = view.stack.rows()[2]
    assert (row.title, row.shape, row.note, row.picture.kind) == (
        "odd (Custom)", "(None, 2, 3, 4, 5)", "not drawn", Kind.LISTED)
    assert view.stack.unit_rect(2, 0) is None
    view.stack.grab()  # painted without trouble


def test_an_empty_pad_empties_every_picture(view: InsideView) -> None:
    showing(view, CNN, CNN_WEIGHTS)
    click(view, 2, 1)
    view.set_outputs(None, None)
    assert all(row.picture.values is None for row in view.stack.rows())
    assert view.detail.value_text.text() == "Draw a digit to see its value."
    assert view.detail.weights_view.picture() is not None  # what it looks for stays


def test_a_message_takes_the_place_of_the_layers_with_a_button_when_one_helps(
        view: InsideView, qtbot) -> None:
    view.show_message("The layers were not prepared.", "Prepare the Layers")
    assert view.message_text() == "The layers were not prepared."
    assert view.retry_button.isVisibleTo(view)
    with qtbot.waitSignal(view.retry_requested):
        view.retry_button.click()
    view.show_message("Reading\N{HORIZONTAL ELLIPSIS}")
    assert not view.retry_button.isVisibleTo(view)
