"""How a layer's numbers are drawn: grids of the shapes the tutorial talks about, one colour scale
per picture with zero black, and clicks that land on the unit under the pointer."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from digitpad.ui.inside.colours import MINUS, ColourScale, format_value
from digitpad.ui.inside.pictures import Kind, Picture, grid_columns, kind_of


@pytest.mark.parametrize(("count", "square", "columns"), [
    (784, True, 28), (128, True, 16), (3136, True, 56), (10, True, 5),
    (32, False, 8), (64, False, 16), (1, False, 1), (12, True, 6)])
def test_grids_are_square_or_twice_as_wide_as_tall(count: int, square: bool,
                                                   columns: int) -> None:
    assert grid_columns(count, square) == columns


def test_what_each_shape_is_drawn_as() -> None:
    assert kind_of((28, 28, 32)) is Kind.MAPS
    assert kind_of((28, 28)) is Kind.MAPS
    assert kind_of((128,)) is Kind.CELLS
    assert kind_of((10,), last=True) is Kind.BARS
    assert kind_of((10,)) is Kind.CELLS  # only the model's answer is bars
    assert kind_of((2, 3, 4, 5)) is Kind.LISTED


def rgb(argb: int) -> tuple[int, int, int]:
    colour = QColor.fromRgba(argb)
    return colour.red(), colour.green(), colour.blue()


def test_zero_is_black_positive_warm_negative_cool() -> None:
    scale = ColourScale.of(np.array([-2.0, 0.0, 4.0]))
    zero, warm, cool, half = (rgb(int(c)) for c in scale.colours(np.array([0.0, 4.0, -4.0, 2.0])))
    assert zero == (0, 0, 0)
    assert warm[0] > warm[2] and cool[2] > cool[0]
    assert sum(half) < sum(warm)  # brighter with the value
    assert scale.text() == f"{MINUS}2 \N{HORIZONTAL ELLIPSIS} 4"


def test_values_are_written_short_with_a_true_minus() -> None:
    assert [format_value(v) for v in (0.0, -0.0, 0.012345, -4.567, 1234.5)] == [
        "0", "0", "0.0123", f"{MINUS}4.57", "1.23e+03"]


def test_a_click_finds_the_map_under_it_and_not_the_gap_between() -> None:
    picture = Picture((28, 28, 32), Kind.MAPS)
    height = picture.layout(400, 300, 56)
    grid = picture.grid
    assert grid is not None and (grid.columns, grid.rows) == (8, 4)
    assert height == pytest.approx(grid.height) and grid.width <= 400
    tenth = grid.rect(10)
    assert picture.unit_at(tenth.center()) == 10
    assert picture.unit_at(QPointF(tenth.right() + grid.gap / 2, tenth.center().y())) is None
    assert picture.unit_at(QPointF(-1, 5)) is None


def test_the_tutorials_784_values_are_a_28x28_grid_of_cells() -> None:
    picture = Picture((784,), Kind.CELLS)
    picture.layout(400, 240, 56)
    assert picture.grid is not None and (picture.grid.columns, picture.grid.rows) == (28, 28)
    assert picture.unit_at(picture.grid.rect(28 * 3 + 4).center()) == 28 * 3 + 4


def test_a_units_weights_fill_their_room_in_full_rows() -> None:
    """What a unit of the bundled CNN's first Dense layer looks for: 64 maps of 7 x 7."""
    picture = Picture((7, 7, 64), Kind.MAPS)
    picture.layout(260, 190, 72, fill=True)
    usual = Picture((7, 7, 64), Kind.MAPS)
    usual.layout(260, 190, 72)
    assert picture.grid is not None and usual.grid is not None
    assert (picture.grid.columns, picture.grid.rows) == (8, 8)
    assert picture.grid.item_width > usual.grid.item_width
