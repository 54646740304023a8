"""The tabs beside the curves: they come with a finished run's results (the confusion matrix,
the mistakes, the summary), one test set at a time, and go when the next run starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from digitpad.ml.card import ModelCard
from digitpad.ml.jobs import Outcome
from digitpad.ml.recognizer import Recognizer
from digitpad.paths import bundled_model_path
from digitpad.ui.pad.explainer import Explainer
from digitpad.ui.training.confusion import EXPORT_SCALE
from digitpad.ui.training.results import (
    CURVES,
    MATRIX,
    MISTAKES,
    SUMMARY,
    SUMMARY_WIDTH,
    ResultTabs,
)
from tests.unit.ui.training_work import made_up_results

BUNDLED_CARD = ModelCard.read(bundled_model_path())
"""A card with the LiteRT record, whose summary the Summary tab shows."""


def outcome(pen: bool = True, card: ModelCard = BUNDLED_CARD) -> Outcome:
    return Outcome(str(bundled_model_path()), card, 0.95, None, 500,
                   mnist_evaluation=made_up_results("MNIST test", 500, every=20),
                   pen_evaluation=made_up_results("Held-out pen writers", 100, every=10)
                   if pen else None)


@pytest.fixture
def tabs(qtbot) -> Iterator[ResultTabs]:
    explainer = Explainer(Recognizer.load, "explain-mistakes")
    widget = ResultTabs(QWidget(), explainer)
    qtbot.addWidget(widget)
    widget.resize(560, 420)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    explainer.shutdown()


def test_before_a_result_the_curves_are_alone_without_a_tab_bar(tabs: ResultTabs) -> None:
    assert tabs.views() == [CURVES] and tabs.view() == CURVES
    assert not tabs.tabBar().isVisible()
    assert tabs.evaluation() is None


def test_a_result_brings_its_tabs_and_leaves_the_curves_in_view(qtbot, tabs: ResultTabs) -> None:
    shown = outcome()
    with qtbot.assertNotEmitted(tabs.view_changed):
        tabs.show_outcome(shown)
    assert tabs.views() == [CURVES, MATRIX, MISTAKES, SUMMARY]
    assert tabs.view() == CURVES and tabs.tabBar().isVisible()
    assert [tabs.tabText(index) for index in range(tabs.count())] == [
        "Curves", "Confusion matrix", "Mistakes", "Summary"]
    assert tabs.evaluation() is shown.mnist_evaluation

    with qtbot.waitSignal(tabs.view_changed, check_params_cb=lambda view: view == MATRIX):
        tabs.show_view(MATRIX)
    page = tabs.matrix_page
    assert page.header.choice.isVisible()
    assert page.header.text.text() == "500 images, 475 read right (95.00%)"
    assert page.matrix.cell_text(9, 0) == "25" and page.matrix.cell_text(9, 9) == "25"
    assert page.matrix.cell_text(3, 3) == "50"
    assert page.note.text().endswith("Most often confused: 9 as 0 (25).")


def test_choosing_the_pen_writers_shows_their_matrix_and_their_mistakes(tabs: ResultTabs
                                                                        ) -> None:
    shown = outcome()
    tabs.show_outcome(shown)
    tabs.show_view(MATRIX)
    tabs.matrix_page.header.choice.setCurrentIndex(1)
    assert tabs.evaluation() is shown.pen_evaluation
    assert tabs.matrix_page.matrix.cell_text(9, 0) == "10"
    assert tabs.mistakes_page.header.choice.currentIndex() == 1
    assert tabs.mistakes_page.gallery.mistakes() == list(shown.pen_evaluation.mistakes)

    tabs.show_view(MISTAKES)
    tabs.mistakes_page.header.choice.setCurrentIndex(0)  # either choice switches both
    assert tabs.matrix_page.matrix.evaluation() is shown.mnist_evaluation


def test_with_one_test_set_there_is_nothing_to_choose(tabs: ResultTabs) -> None:
    tabs.show_outcome(outcome(pen=False))
    tabs.show_view(MATRIX)
    header = tabs.matrix_page.header
    assert not header.choice.isVisible()
    assert header.text.text() == "<b>MNIST test</b>: 500 images, 475 read right (95.00%)"


def test_clicking_a_mistake_shows_its_image_and_probabilities(qtbot, tabs: ResultTabs) -> None:
    shown = outcome()
    tabs.show_outcome(shown)
    tabs.show_view(MISTAKES)
    page = tabs.mistakes_page
    assert page.detail.bars.values().tolist() == shown.mnist_evaluation.mistakes[0].outputs \
        .tolist()  # the first at once
    gallery = page.gallery
    third = gallery.mistakes()[2]
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton,
                     pos=gallery.visualItemRect(gallery.item(2)).center())
    assert page.detail.bars.values().tolist() == third.outputs.tolist()
    assert max(third.outputs) == pytest.approx(0.91)
    assert page.detail.title.text() == (f"Labelled <b>{third.label}</b>, read as "
                                        f"<b>{third.answer}</b> (91.0% sure)")


def test_the_summary_is_the_models_layers_as_a_table(tabs: ResultTabs, tmp_path: Path) -> None:
    tabs.show_outcome(outcome())
    tabs.show_view(SUMMARY)
    page = tabs.summary_page.toPlainText()
    for text in ("Layer", "Type", "Output shape", "Parameters", "conv2d", "Conv2D",
                 "(None, 28, 28, 32)", "Total params"):
        assert text in page
    path = tmp_path / "summary.png"
    tabs.save_png(path)
    image = QImage(str(path))
    assert image.width() == SUMMARY_WIDTH * EXPORT_SCALE
    # Every layer, not only those scrolled into view.
    assert image.height() > tabs.summary_page.viewport().height() * EXPORT_SCALE


@pytest.mark.parametrize("view", [MATRIX, MISTAKES])
def test_each_result_tab_saves_as_a_png(tabs: ResultTabs, tmp_path: Path, view: str) -> None:
    tabs.show_outcome(outcome())
    tabs.show_view(view)
    path = tmp_path / f"{view}.png"
    tabs.save_png(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert QImage(str(path)).size() == tabs.image().size()


def test_saving_where_no_file_can_be_written_raises(tabs: ResultTabs, tmp_path: Path) -> None:
    tabs.show_outcome(outcome())
    tabs.show_view(MATRIX)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    with pytest.raises(OSError):
        tabs.save_png(blocked / "matrix.png")


def test_the_next_run_takes_the_results_away(tabs: ResultTabs) -> None:
    tabs.show_outcome(outcome())
    tabs.show_view(MISTAKES)
    tabs.clear_results()
    assert tabs.views() == [CURVES] and tabs.view() == CURVES
    assert tabs.evaluation() is None


def test_a_run_without_results_shows_only_its_curves(tabs: ResultTabs) -> None:
    tabs.show_outcome(Outcome("m.keras", ModelCard(architecture="mlp"), 0.9, None, 500))
    assert tabs.views() == [CURVES]
    with pytest.raises(ValueError, match="no 'matrix' tab now"):
        tabs.show_view(MATRIX)
