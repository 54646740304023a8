"""Model → Model Card and Model Summary read as pages: Markdown rendered, the summary a table."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextTable

from digitpad.ml.card import ModelCard
from digitpad.paths import bundled_model_path
from digitpad.ui.models.pages import card_markdown, read_summary, summary_html
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.support.dialogs import DocumentDialog

CARD = ModelCard.read(bundled_model_path())
assert CARD.litert is not None
BUNDLED = ModelInfo(bundled_model_path(), bundled_model_path().name, CARD.litert.summary, CARD)
"""The bundled model as the window knows it: its summary is the one Keras printed."""


@pytest.fixture
def shown(qtbot):
    def show(text: str, text_format: Qt.TextFormat) -> DocumentDialog:
        dialog = DocumentDialog("page", text, text_format)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return show


def test_the_summary_is_read_into_one_row_per_layer() -> None:
    summary = read_summary(BUNDLED.summary)
    assert summary is not None and summary.title == "cnn"
    assert summary.headings == ("Layer (type)", "Output Shape", "Param #")
    assert summary.rows[0] == ("reshape (Reshape)", "(None, 28, 28, 1)", "0")
    # A name too long for its column goes on under it, in the same row.
    assert summary.rows[2] == ("batch_normalization (BatchNormalization)", "(None, 28, 28, 32)",
                               "128")
    assert sum(int(row[2].replace(",", "")) for row in summary.rows) == CARD.parameters
    assert summary.totals[0] == ("Total params", "469,036 (1.79 MB)")


def test_the_summary_shows_as_a_table_that_fits_its_window(shown) -> None:
    dialog = shown(summary_html(BUNDLED), Qt.TextFormat.RichText)
    tables = [frame for frame in dialog.view.document().rootFrame().childFrames()
              if isinstance(frame, QTextTable)]
    assert len(tables) == 1
    table = tables[0]
    assert table.rows() == 1 + len(read_summary(BUNDLED.summary).rows)
    assert [table.cellAt(0, c).firstCursorPosition().block().text() for c in range(4)] == [
        "Layer", "Type", "Output shape", "Parameters"]
    assert table.cellAt(3, 1).firstCursorPosition().block().text() == "BatchNormalization"
    assert dialog.view.horizontalScrollBar().maximum() == 0


def test_a_summary_that_is_no_table_shows_as_text() -> None:
    info = ModelInfo(Path("/m/odd.keras"), "odd.keras", "Model: odd\nsomething else", ModelCard())
    assert read_summary(info.summary) is None
    assert "<pre>Model: odd\nsomething else</pre>" in summary_html(info)


def test_the_bundled_models_written_card_is_rendered_from_the_top(shown) -> None:
    dialog = shown(card_markdown(BUNDLED), Qt.TextFormat.MarkdownText)
    text = dialog.view.toPlainText()
    assert text.startswith("Model card: digitpad-cnn.keras")
    assert "|---|" not in text and "# Model card" not in text  # Markdown, not its source
    assert dialog.view.verticalScrollBar().value() == 0
    assert dialog.view.horizontalScrollBar().maximum() == 0  # the long command line wraps


def test_a_card_without_a_written_page_shows_its_figures(tmp_path: Path, shown) -> None:
    card = ModelCard(architecture="mlp", parameters=101770, mnist_test_accuracy=0.9812,
                     command="digitpad train --arch mlp --out /tmp/a_b.keras")
    info = ModelInfo(tmp_path / "mine.keras", "mine.keras", "", card)
    dialog = shown(card_markdown(info), Qt.TextFormat.MarkdownText)
    text = dialog.view.toPlainText()
    for needle in ("Model card: mine.keras", "Parameters", "101,770", "MNIST test accuracy",
                   "98.12%", "digitpad train --arch mlp --out /tmp/a_b.keras"):
        assert needle in text, needle


def test_a_foreign_model_is_said_to_have_no_card(tmp_path: Path) -> None:
    info = ModelInfo(tmp_path / "found.keras", "found.keras", "", ModelCard())
    assert "This model has no card" in card_markdown(info)


def test_html_in_a_written_card_is_shown_as_text(tmp_path: Path, shown) -> None:
    (tmp_path / "m.md").write_text("# Hi\n\n<b>bold?</b> and *emphasis*\n", encoding="utf-8")
    info = ModelInfo(tmp_path / "m.keras", "m.keras", "", ModelCard())
    dialog = shown(card_markdown(info), Qt.TextFormat.MarkdownText)
    assert "<b>bold?</b>" in dialog.view.toPlainText()
