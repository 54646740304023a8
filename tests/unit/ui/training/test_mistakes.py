"""The mistakes: thumbnails captioned "label → answer", the most confident first; a click
chooses one; its image enlarged and the model's outputs as bars; a sheet of them as a PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from digitpad.atomic import write_bytes_atomic
from digitpad.ml.digits import to_model_input
from digitpad.ml.evaluation import Evaluation, evaluate
from digitpad.ml.outputs import CROSSED_SEVEN, DIGIT_NAMES, NOT_A_DIGIT, OUTPUT_NAMES
from digitpad.ui.support.saving import png_bytes
from digitpad.ui.training.confusion import EXPORT_SCALE
from digitpad.ui.training.mistakes import (
    SHEET_COLUMNS,
    MistakeDetail,
    MistakeGallery,
    caption,
    mistakes_sheet,
    sheet_size,
)
from tests.unit.ml.test_evaluation import images_numbered, rows


@pytest.fixture
def evaluation() -> Evaluation:
    """A 4 read as 9 (80 %), a 7 read right, a 1 read as 7 (60 %)."""
    outputs = rows({9: 0.8, 4: 0.1}, {7: 0.9}, {7: 0.6, 1: 0.3})
    return evaluate(outputs, np.array([4, 7, 1]), images_numbered(3), "MNIST test")


@pytest.fixture
def gallery(qtbot, evaluation: Evaluation) -> MistakeGallery:
    widget = MistakeGallery()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.set_evaluation(evaluation)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_gallery_captions_each_mistake_most_confident_first(
    gallery: MistakeGallery
) -> None:
    assert [gallery.item(row).text() for row in range(gallery.count())] == ["4 → 9", "1 → 7"]
    assert gallery.item(0).toolTip() == "Labelled 4, read as 9 (80.0% sure)"
    assert gallery.chosen() is gallery.mistakes()[0]  # the first is shown at once


def test_clicking_a_thumbnail_chooses_its_mistake(qtbot, gallery: MistakeGallery) -> None:
    second = gallery.mistakes()[1]
    where = gallery.visualItemRect(gallery.item(1)).center()
    with qtbot.waitSignal(gallery.mistake_chosen,
                          check_params_cb=lambda mistake: mistake is second):
        qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert gallery.chosen() is second


def test_the_detail_shows_the_image_enlarged_and_every_output(
    qtbot, evaluation: Evaluation
) -> None:
    detail = MistakeDetail()
    qtbot.addWidget(detail)
    mistake = evaluation.mistakes[0]
    detail.show_mistake(mistake, evaluation)
    np.testing.assert_array_equal(detail.preview.image(), to_model_input(mistake.image))
    assert detail.preview.sizeHint().width() > 3 * 28  # enlarged, not a thumbnail
    assert detail.bars.names() == DIGIT_NAMES
    np.testing.assert_array_equal(detail.bars.values(), mistake.outputs)
    assert detail.title.text() == "Labelled <b>4</b>, read as <b>9</b> (80.0% sure)"
    assert detail.where.text() == "MNIST test, image 1"


def test_a_twelve_output_models_mistake_shows_all_twelve_outputs(qtbot) -> None:
    outputs = rows({NOT_A_DIGIT: 0.7, 3: 0.2}, {CROSSED_SEVEN: 0.9}, outputs=len(OUTPUT_NAMES))
    evaluation = evaluate(outputs, np.array([3, 1]), images_numbered(2), "Held-out pen writers")
    seven, refused = evaluation.mistakes  # the 90 % seven first
    assert caption(refused) == "3 → no digit" and caption(seven) == "1 → 7"
    detail = MistakeDetail()
    qtbot.addWidget(detail)
    detail.show_mistake(refused, evaluation)
    assert detail.bars.names() == OUTPUT_NAMES
    assert detail.bars.values()[NOT_A_DIGIT] == pytest.approx(0.7)
    assert "read as <b>not a digit</b>" in detail.title.text()


def test_the_sheet_has_a_row_of_thumbnails_per_ten_mistakes(qtbot, tmp_path: Path) -> None:
    outputs = rows(*({5: 0.9},) * 25)
    evaluation = evaluate(outputs, np.zeros(25, np.int64), images_numbered(25), "MNIST test")
    gallery = MistakeGallery()  # for the font and palette the dialog would use
    qtbot.addWidget(gallery)
    path = tmp_path / "mistakes.png"
    write_bytes_atomic(path, png_bytes(mistakes_sheet(evaluation, gallery.font(),
                                                      gallery.palette())))
    image = QImage(str(path))
    assert not image.isNull()
    assert image.size() == sheet_size(25, gallery.font()) * EXPORT_SCALE
    font = gallery.font()
    row = sheet_size(2 * SHEET_COLUMNS, font).height() - sheet_size(SHEET_COLUMNS, font).height()
    assert row > 28 * 2  # a thumbnail and its caption
    assert sheet_size(25, font).height() == sheet_size(SHEET_COLUMNS, font).height() + 2 * row
    assert sheet_size(25, font).width() == sheet_size(1, font).width()
