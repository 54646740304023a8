"""What a finished run shows besides its curves, each on a tab beside them: the confusion matrix,
the mistakes and the model's layers.

The curves stay the first tab and the only one until a run has finished, so the dialog looks
as it did while a model trains; the other tabs come with the result and go when the next run
starts. The matrix and the mistakes are of one test set at a time: MNIST's test images, or the
held-out pen writers' drawings when the run kept some out; a choice above either switches
both. Each result tab can be saved as a PNG (:meth:`ResultTabs.save_png`).
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAbstractTextDocumentLayout, QImage, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from digitpad.atomic import write_bytes_atomic
from digitpad.ml.digits import to_model_input
from digitpad.ml.evaluation import Evaluation, Mistake
from digitpad.ml.jobs import Outcome
from digitpad.ml.why import explain_image
from digitpad.ui.models.pages import summary_html
from digitpad.ui.pad.explainer import Explainer
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.support.saving import png_bytes
from digitpad.ui.training.confusion import EXPORT_SCALE, ConfusionMatrix, figures_text
from digitpad.ui.training.mistakes import (
    MistakeDetail,
    MistakeGallery,
    mistakes_sheet,
    mistakes_text,
)
from digitpad.ui.training.result import plural

CURVES = "curves"
MATRIX = "matrix"
MISTAKES = "mistakes"
SUMMARY = "summary"
"""The tabs, as :meth:`ResultTabs.view` names them."""
SUMMARY_WIDTH = 640
"""Points across a saved summary: the table's widest rows without wrapping."""
_TABLE_STYLE = ("th { background-color: palette(alternate-base); } "
                "th, td { padding: 3px 7px; border-bottom: 1px solid palette(mid); "
                "white-space: nowrap; }")
"""The summary's table as a table: a rule under each row, a row on one line."""


def confusions_text(evaluation: Evaluation) -> str:
    """The line under the matrix: how to read it, and its commonest mistakes."""
    text = ("Each row is the digit drawn, each column what the model read it as: the blue "
            "diagonal is read right.")
    common = evaluation.confusions()
    if common:
        text += " Most often confused: " + ", ".join(
            f"{label} as {evaluation.answer_names[answer]} ({times:,})"
            for label, answer, times in common)
        text += "."
    return text


def _scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` scrolled when the page is smaller than it needs (a large text scale), on the
    card's own background."""
    scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
    scroll.setWidget(widget)
    scroll.viewport().setAutoFillBackground(False)
    widget.setAutoFillBackground(False)
    return scroll


class SetHeader(QWidget):
    """Which test set a page shows (a choice when the run had two) and its figures."""

    chosen = Signal(int)
    """The user chose the test set at this index."""

    def __init__(self, stacked: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = QComboBox()
        self.choice.setAccessibleName("Test set")
        self.choice.setToolTip("The test set whose matrix and mistakes are shown")
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.choice.currentIndexChanged.connect(self.chosen)
        self.text = QLabel(wordWrap=True)
        layout = QVBoxLayout(self) if stacked else QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.choice, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.text, 1)

    def set_titles(self, titles: list[str]) -> None:
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItems(titles)
        self.choice.blockSignals(False)
        self.choice.setVisible(len(titles) > 1)

    def show_set(self, index: int, title: str, text: str) -> None:
        """The set at ``index`` is shown: its ``text``, after its ``title`` if not chosen."""
        self.choice.blockSignals(True)
        self.choice.setCurrentIndex(index)
        self.choice.blockSignals(False)
        self.text.setText(text if self.choice.isVisibleTo(self) else f"<b>{title}</b>: {text}")


class MatrixPage(QWidget):
    """The confusion matrix of the chosen test set, with how to read it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = SetHeader()
        self.matrix = ConfusionMatrix()
        scroll = _scrolled(self.matrix)  # never squeezed: the counts keep their size
        self.note = QLabel(wordWrap=True)
        self.note.setProperty("role", "note")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.note)

    def show_evaluation(self, index: int, evaluation: Evaluation) -> None:
        self.header.show_set(index, evaluation.title,
                             f"{plural(evaluation.samples, 'image')}, {figures_text(evaluation)}")
        self.matrix.set_evaluation(evaluation)
        self.note.setText(confusions_text(evaluation))


class MistakesPage(QWidget):
    """The chosen test set's mistakes beside the one chosen of them."""

    def __init__(self, explainer: Explainer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._evaluation: Evaluation | None = None
        self.header = SetHeader(stacked=True)
        self.gallery = MistakeGallery()
        self.detail = MistakeDetail()
        self.explainer = explainer
        """The new model on a thread of its own: which blocks made the chosen mistake."""
        self.explainer.explained.connect(self.detail.show_why)
        self.gallery.mistake_chosen.connect(self._show_mistake)
        thumbnails = QVBoxLayout()
        thumbnails.setContentsMargins(0, 0, 0, 0)
        thumbnails.addWidget(self.header)
        thumbnails.addWidget(self.gallery, 1)
        detail = _scrolled(self.detail)
        detail.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail.setMinimumWidth(self.detail.minimumSizeHint().width()
                               + detail.verticalScrollBar().sizeHint().width())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(thumbnails, 1)
        layout.addWidget(detail, 1)

    def evaluation(self) -> Evaluation | None:
        return self._evaluation

    def show_evaluation(self, index: int, evaluation: Evaluation) -> None:
        self._evaluation = evaluation
        self.header.show_set(index, evaluation.title, mistakes_text(evaluation))
        self.gallery.set_evaluation(evaluation)

    @Slot(object)
    def _show_mistake(self, mistake: Mistake | None) -> None:
        self.detail.show_mistake(mistake, self._evaluation)
        if mistake is None:
            self.explainer.drop()
            return
        image = to_model_input(mistake.image)
        self.explainer.explain(lambda model: explain_image(image, model))


class SummaryPage(QTextBrowser):
    """The model's layers, output shapes and parameters, as the Model Summary page shows them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.document().setDocumentMargin(10)
        self.document().setDefaultStyleSheet(_TABLE_STYLE)
        self._html = ""

    def show_model(self, info: ModelInfo) -> None:
        self._html = summary_html(info)
        self.setHtml(self._html)

    def image(self) -> QImage:
        """The whole page (not only what is scrolled into view), :data:`SUMMARY_WIDTH` points
        wide, at :data:`~digitpad.ui.training.confusion.EXPORT_SCALE` pixels per point."""
        document = QTextDocument()
        document.setDefaultFont(self.font())
        document.setDocumentMargin(16)
        document.setDefaultStyleSheet(_TABLE_STYLE)
        document.setHtml(self._html)
        document.setTextWidth(SUMMARY_WIDTH)
        size = document.size()
        image = QImage(math.ceil(size.width()) * EXPORT_SCALE,
                       math.ceil(size.height()) * EXPORT_SCALE, QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(EXPORT_SCALE)
        image.fill(self.palette().color(QPalette.ColorRole.Base))
        painter = QPainter(image)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette = self.palette()
        document.documentLayout().draw(painter, context)
        painter.end()
        return image


class ResultTabs(QTabWidget):
    """The curves, then (after a run) the confusion matrix, the mistakes and the summary."""

    view_changed = Signal(str)
    """The tab shown now, as :meth:`view` names it."""

    def __init__(self, curves: QWidget, explainer: Explainer,
                 parent: QWidget | None = None) -> None:
        """``explainer`` explains the mistakes with the model whose results are shown."""
        super().__init__(parent)
        self.setDocumentMode(True)
        self.setTabBarAutoHide(True)  # the curves alone need no tab bar
        self.curves = curves
        self.matrix_page = MatrixPage()
        self.mistakes_page = MistakesPage(explainer)
        self.summary_page = SummaryPage()
        for header in (self.matrix_page.header, self.mistakes_page.header):
            header.chosen.connect(self.choose_set)
        self._evaluations: list[Evaluation] = []
        self._chosen = 0
        self._names = {id(curves): CURVES, id(self.matrix_page): MATRIX,
                       id(self.mistakes_page): MISTAKES, id(self.summary_page): SUMMARY}
        self.addTab(curves, "Curves")
        self.currentChanged.connect(self._on_current)

    def view(self) -> str:
        """The tab shown: :data:`CURVES`, :data:`MATRIX`, :data:`MISTAKES` or :data:`SUMMARY`."""
        return self._names[id(self.currentWidget())]

    def views(self) -> list[str]:
        """The tabs there are, in order."""
        return [self._names[id(self.widget(index))] for index in range(self.count())]

    def show_view(self, view: str) -> None:
        for index in range(self.count()):
            if self._names[id(self.widget(index))] == view:
                self.setCurrentIndex(index)
                return
        raise ValueError(f"no {view!r} tab now; the tabs are {', '.join(self.views())}")

    def evaluations(self) -> list[Evaluation]:
        """The test sets of the run shown: MNIST's, then the pen writers' if it had them."""
        return list(self._evaluations)

    def evaluation(self) -> Evaluation | None:
        """The test set whose matrix and mistakes are shown."""
        return self._evaluations[self._chosen] if self._evaluations else None

    def show_outcome(self, outcome: Outcome) -> None:
        """The finished run's results, each on its tab; the curves stay in view."""
        self.clear_results()
        self.mistakes_page.explainer.set_model(outcome.path)
        self._evaluations = [evaluation for evaluation in (outcome.mnist_evaluation,
                                                           outcome.pen_evaluation)
                             if evaluation is not None]
        if self._evaluations:
            titles = [evaluation.title for evaluation in self._evaluations]
            for header in (self.matrix_page.header, self.mistakes_page.header):
                header.set_titles(titles)
            self.addTab(self.matrix_page, "Confusion matrix")
            self.addTab(self.mistakes_page, "Mistakes")
            self.choose_set(0)
        summary = outcome.card.litert.summary if outcome.card.litert is not None else ""
        if summary:
            path = Path(outcome.path)
            self.summary_page.show_model(ModelInfo(path, path.name, summary, outcome.card))
            self.addTab(self.summary_page, "Summary")

    def clear_results(self) -> None:
        """Back to the curves alone (a new run is starting)."""
        self.setCurrentIndex(0)
        while self.count() > 1:
            self.removeTab(1)
        self._evaluations = []
        self._chosen = 0

    @Slot(int)
    def choose_set(self, index: int) -> None:
        """Show the matrix and the mistakes of the test set at ``index``."""
        if not 0 <= index < len(self._evaluations):
            return
        self._chosen = index
        evaluation = self._evaluations[index]
        self.matrix_page.show_evaluation(index, evaluation)
        self.mistakes_page.show_evaluation(index, evaluation)

    @Slot()
    def _on_current(self) -> None:
        self.view_changed.emit(self.view())

    # -- pictures ----------------------------------------------------------------------------

    def image(self) -> QImage:
        """The result tab shown, whole, as a picture (the curves are the plots' to save)."""
        view, evaluation = self.view(), self.evaluation()
        if view == MATRIX:
            return self.matrix_page.matrix.image()
        if view == MISTAKES and evaluation is not None:
            return mistakes_sheet(evaluation, self.font(), self.palette())
        if view == SUMMARY:
            return self.summary_page.image()
        raise ValueError(f"the {view} tab is not saved as a picture here")

    def save_png(self, path: str | Path) -> None:
        """Write :meth:`image` as a PNG, atomically; raises OSError if it cannot."""
        write_bytes_atomic(path, png_bytes(self.image()))
