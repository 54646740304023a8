"""The confusion matrix heat map: the counts in their cells, blue right and orange wrong, a
tooltip in words, and a picture of it saved as a PNG."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QColor, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QToolTip

from digitpad.ml.evaluation import NOT_A_DIGIT_ANSWER, Evaluation, evaluate
from digitpad.ml.outputs import NOT_A_DIGIT, OUTPUT_NAMES
from digitpad.ui.training.confusion import EXPORT_SCALE, ConfusionMatrix
from tests.unit.ml.test_evaluation import images_numbered, rows


@pytest.fixture
def evaluation() -> Evaluation:
    """Three 1s, one read as 7; two 0s read right; a 2 read as 0."""
    labels = np.array([1, 1, 1, 0, 0, 2])
    outputs = rows({1: 0.9}, {1: 0.8}, {7: 0.7}, {0: 0.9}, {0: 0.95}, {0: 0.6})
    return evaluate(outputs, labels, images_numbered(6), "tiny")


@pytest.fixture
def matrix(qtbot, evaluation: Evaluation) -> ConfusionMatrix:
    widget = ConfusionMatrix()
    qtbot.addWidget(widget)
    widget.resize(widget.sizeHint())
    widget.set_evaluation(evaluation)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def fill(image: QImage, matrix: ConfusionMatrix, row: int, column: int) -> QColor:
    """A cell's colour, next to its corner (clear of the count written in its middle)."""
    corner = matrix.cell_rect(row, column).topLeft().toPoint() + QPoint(4, 4)
    ratio = image.devicePixelRatio()
    return image.pixelColor(round(corner.x() * ratio), round(corner.y() * ratio))


def test_each_cell_shows_its_count(matrix: ConfusionMatrix) -> None:
    assert [matrix.cell_text(1, column) for column in range(10)] == \
        ["0", "2", "0", "0", "0", "0", "0", "1", "0", "0"]
    assert matrix.cell_text(0, 0) == "2" and matrix.cell_text(2, 0) == "1"
    assert matrix.cell_text(9, 9) == "0"  # a digit the set lacks: all zeros
    assert "4 of 6 read right" in matrix.accessibleDescription()


def test_right_is_blue_wrong_is_orange_and_empty_is_neither(matrix: ConfusionMatrix) -> None:
    image = matrix.grab().toImage()
    right, wrong, empty = fill(image, matrix, 1, 1), fill(image, matrix, 1, 7), \
        fill(image, matrix, 1, 3)
    assert right.blue() > right.red() + 60
    assert wrong.red() > wrong.blue() + 60
    assert abs(empty.red() - empty.blue()) < 20 and empty.lightness() > 200
    # A deeper shade for a larger share: the 0s are all right, the 1s two thirds.
    assert fill(image, matrix, 0, 0).lightness() < right.lightness()


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform's tooltip window
def test_a_cells_tooltip_says_it_in_words(qtbot, matrix: ConfusionMatrix) -> None:
    centre = matrix.cell_rect(1, 7).center().toPoint()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, matrix.mapToGlobal(centre))
    QApplication.sendEvent(matrix, event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == "1 read as 7: 1 of 3 (33.3%)"
    QToolTip.hideText()


def test_a_model_that_says_not_a_digit_gets_a_column_for_it(qtbot) -> None:
    outputs = rows({NOT_A_DIGIT: 0.8}, {3: 0.9}, outputs=len(OUTPUT_NAMES))
    matrix = ConfusionMatrix()
    qtbot.addWidget(matrix)
    matrix.set_evaluation(evaluate(outputs, np.array([3, 3]), images_numbered(2), "twelve"))
    assert matrix.cell_text(3, NOT_A_DIGIT_ANSWER) == "1" and matrix.cell_text(3, 3) == "1"
    assert matrix.cell_rect(3, NOT_A_DIGIT_ANSWER).left() > matrix.cell_rect(3, 9).left()


def test_its_picture_is_the_matrix_under_a_title(matrix: ConfusionMatrix) -> None:
    image = matrix.image()
    assert image.size() == matrix.export_size() * EXPORT_SCALE
    assert matrix.export_size().height() > matrix.sizeHint().height()  # the title line
    assert matrix.export_size().width() == matrix.sizeHint().width()
