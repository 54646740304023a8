"""Model → History…: the retrained models on disk, their curves, and which one is in use.

Lists the model library newest first (date, architecture, epochs, accuracy on MNIST's test set,
on the held-out pen writers and on the user's held-out samples, what it learned from), the model
in use's figures above the list to compare with, and the selected model's accuracy and loss
curves from its card. "Use" and "Reset
to Bundled Model" are requests (signals) for the composition root; "Delete" asks first, and is
not offered for the model in use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitpad.ml.model_library import LibraryModel, ModelLibrary
from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.support.dialogs import Dialogs
from digitpad.ui.training.plots import TrainingPlots, framed

log = logging.getLogger(__name__)

COLUMNS = ("", "Saved", "Architecture", "Epochs", "MNIST test", "Pen writers", "Your samples",
           "Learned from")
FIGURES = range(3, 7)
"""The columns of numbers, aligned right."""
IN_USE = "\N{BLACK CIRCLE}"


def percent(share: float | None) -> str:
    """A figure in the list, or a dash for one the model was not judged on."""
    return "\N{EM DASH}" if share is None else f"{share:.2%}"


def ask_question(parent: QWidget, title: str, text: str) -> bool:
    """A Yes/No question; the default answer is No (deleting cannot be undone)."""
    answer = QMessageBox.question(
        parent, title, text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class ModelHistoryDialog(QDialog):
    """The list of retrained models; see the module docstring."""

    use_requested = Signal(str)
    reset_requested = Signal()
    compare_requested = Signal(str)
    """(path): read the drawing with this model too, beside the one in use."""

    def __init__(
        self, library: ModelLibrary, bundled: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._library = library
        self._bundled = bundled
        self.dialogs = Dialogs(self)
        self._models: list[LibraryModel] = []
        self._current: Path | None = None
        self.confirm: Callable[[str, str], bool] = lambda title, text: ask_question(
            self, title, text)
        """Asks before deleting; tests replace it."""
        self.setWindowTitle("Model history")
        self._build()
        self.resize(860, 600)

    def _build(self) -> None:
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.itemDoubleClicked.connect(self._use)

        self.in_use = QLabel(textFormat=Qt.TextFormat.RichText)
        self.in_use.setToolTip("Pen writers: the pen-drawn digits of the writers the model never "
                               "learned from; your samples: those of yours it did not learn "
                               "from")
        self.empty = QLabel("No retrained models yet.\nModel → Retrain… trains one; it appears "
                            "here, with its curves.", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("role", "note")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.plots = TrainingPlots(horizontal=True)
        self.plots.set_empty_text("Select a model to see its curves")
        self.plots.setMinimumHeight(210)

        self.use_button = QPushButton("Use")
        self.use_button.setToolTip("Switch the pad to this model now")
        self.use_button.clicked.connect(self._use)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Show this model's bars beside the model in use's, on "
                                       "the same drawing")
        self.compare_button.clicked.connect(self._compare)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self._delete)
        self.reset_button = QPushButton("Reset to Bundled Model")
        self.reset_button.setToolTip("Go back to the model that comes with digitpad")
        self.reset_button.clicked.connect(self.reset_requested.emit)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        for button in (self.delete_button, self.compare_button, self.use_button, close):
            buttons.addWidget(button)

        self.folder = QLabel(f"Saved in {self._library.directory}")
        self.folder.setProperty("role", "note")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(self.in_use)
        layout.addWidget(self.stack, 1)
        layout.addWidget(framed(self.plots))
        layout.addWidget(self.folder)
        layout.addLayout(buttons)
        self.setStyleSheet('QLabel[role="note"] { color: palette(placeholder-text); }')

    # -- what the app tells the dialog -------------------------------------------------------

    @Slot()
    def open_dialog(self) -> None:
        self.refresh()
        if self.isVisible():  # behind the main window: bring it forward
            self.raise_()
            self.activateWindow()
        self.show()

    @Slot(object)
    def set_current_model(self, info: ModelInfo) -> None:
        """The model in use: marked in the list, and its figures above it to compare with."""
        self._current = info.path
        card = info.card
        self.in_use.setText(
            f"In use: <b>{info.name}</b> &nbsp; MNIST test {percent(card.mnist_test_accuracy)}"
            f" &nbsp; pen writers {percent(card.drawings_accuracy)} &nbsp; your samples "
            f"{percent(card.samples_accuracy)}")
        self._mark_current()
        self._on_selection()

    def models(self) -> list[LibraryModel]:
        """The models listed, in the order shown."""
        return list(self._models)

    def select(self, path: str | Path) -> None:
        for row, model in enumerate(self._models):
            if model.path == Path(path):
                self.table.selectRow(row)
                return

    def selected(self) -> LibraryModel | None:
        rows = self.table.selectionModel().selectedRows()
        return self._models[rows[0].row()] if rows else None

    @Slot()
    def refresh(self) -> None:
        """Read the library again (a run finished, or another instance changed it)."""
        chosen = self.selected()
        try:
            self._models = self._library.models()
        except OSError as exc:
            log.warning("model library not read: %s", exc)
            self._models = []
        self.table.setRowCount(len(self._models))
        for row, model in enumerate(self._models):
            values = (
                "",
                model.saved.astimezone().strftime("%Y-%m-%d %H:%M"),
                (model.architecture or "?").upper(),
                "—" if model.epochs is None else str(model.epochs),
                percent(model.test_accuracy),
                percent(model.pen_accuracy),
                percent(model.samples_accuracy),
                model.origin,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(str(model.path))
                if column in FIGURES:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.stack.setCurrentWidget(self.table if self._models else self.empty)
        self._mark_current()
        if chosen is not None:
            self.select(chosen.path)
        if self.selected() is None and self._models:
            self.table.selectRow(0)
        self._on_selection()

    def _mark_current(self) -> None:
        for row, model in enumerate(self._models):
            in_use = model.path == self._current
            for column in range(len(COLUMNS)):
                item = self.table.item(row, column)
                if item is None:
                    continue
                font = QFont(item.font())
                font.setBold(in_use)
                item.setFont(font)
                if column == 0:
                    item.setText(IN_USE if in_use else "")
                    item.setToolTip("In use" if in_use else str(model.path))
        self.reset_button.setEnabled(self._current != self._bundled)

    @Slot()
    def _on_selection(self) -> None:
        model = self.selected()
        in_use = model is not None and model.path == self._current
        self.use_button.setEnabled(model is not None and not in_use)
        self.compare_button.setEnabled(model is not None and not in_use)
        self.delete_button.setEnabled(model is not None and not in_use)
        self.delete_button.setToolTip(
            "The model in use cannot be deleted; use another one first" if in_use
            else "Delete this model and its card from the disk")
        if model is None:
            self.plots.reset(1)
        else:
            self.plots.set_history(model.history)

    @Slot()
    def _use(self) -> None:
        model = self.selected()
        if model is not None and model.path != self._current:
            self.use_requested.emit(str(model.path))

    @Slot()
    def _compare(self) -> None:
        model = self.selected()
        if model is not None and model.path != self._current:
            self.compare_requested.emit(str(model.path))

    @Slot()
    def _delete(self) -> None:
        model = self.selected()
        if model is None or model.path == self._current:
            return
        accuracy = "" if model.test_accuracy is None else f" ({model.test_accuracy:.2%})"
        if not self.confirm("Delete the model?",
                            f"Delete {model.name}{accuracy} from the disk? This cannot be undone."):
            return
        try:
            self._library.delete(model.path)
        except OSError as exc:
            self.dialogs.error("Cannot delete the model", f"{model.path}: {exc.strerror or exc}")
        self.refresh()
