"""Window → My Samples: the user's labelled drawings, and how the current model reads them.

A grid of thumbnails, newest first, filterable by digit (the filter buttons carry the counts);
each sample shows a tick when the current model reads it right or what it reads instead. Delete
and relabel (buttons, the context menu, Delete and 0-9) are undoable for a few seconds; Export…
and Import… use the ink JSON format that ``digitpad evaluate`` reads.

The model is asked about the samples on the recogniser thread, a chunk at a time, and store work
that can take long (import, export, changing many samples) runs on a pool thread: the window and
the drawing pad never wait for either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QKeyCombination,
    QObject,
    QPoint,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.ink import InkError
from digitpad.samples import (
    ImportReport,
    Sample,
    SampleError,
    SampleNotFoundError,
    SampleStore,
    StoreError,
)
from digitpad.ui.pad.recognition import LiveRecognition
from digitpad.ui.pad.workers import BatchResult, RecognizerWorker
from digitpad.ui.support.background import Background
from digitpad.ui.support.dialogs import INK_FILTER, Dialogs, last_folder, remember_folder
from digitpad.ui.support.notice import UndoNotice
from digitpad.ui.teaching.sample_grid import ID_ROLE, SampleDelegate, SampleFilter, SampleListModel

log = logging.getLogger(__name__)

POLL_MS = 2000
"""How often an open window checks whether another digitpad changed the samples."""
GEOMETRY_KEY = "samples_window/geometry"
_ALL = NUM_CLASSES
"""The filter button id for all digits (QButtonGroup ids must not be negative)."""
_EXPECTED = (StoreError, SampleError, InkError, OSError)
"""What store work can fail with through no fault of the program: shown to the user."""

_STYLE = """
QToolButton[role="filter"] {
    border: 1px solid palette(midlight);
    border-radius: 8px;
    padding: 3px 0;
    min-width: 44px;
}
QToolButton[role="filter"]:hover { border-color: palette(highlight); }
QToolButton[role="filter"]:checked {
    background: palette(highlight);
    color: palette(highlighted-text);
    border-color: palette(highlight);
}
QListView#sample-grid { border: none; background: palette(window); }
QToolButton#relabel-button::menu-indicator { image: none; width: 0; }
QLabel#empty-text { color: palette(placeholder-text); font-size: 15px; }
"""


class ModelGuesses(QObject):
    """Asks the recogniser thread what the current model reads for samples, in one batch.

    The worker answers a chunk at a time; only the latest request's answers are passed on.
    """

    guessed = Signal(object, object, object)
    """(sample ids, digits, confidences) for one chunk"""
    progress = Signal(int, int)
    """(answered, asked) of the latest request"""

    def __init__(self, worker: RecognizerWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._request_id = 0
        self._ids = np.zeros(0, np.int64)
        self._answered = 0
        worker.batch_classified.connect(self._on_batch)

    def ask(self, ids: np.ndarray, images: np.ndarray) -> None:
        """Ask about these samples, instead of whatever was asked before."""
        self._request_id += 1
        self._ids = ids
        self._answered = 0
        self.progress.emit(0, len(ids))
        if len(ids):
            self._worker.submit_batch(self._request_id, images)

    def cancel(self) -> None:
        self._request_id += 1
        self._ids = np.zeros(0, np.int64)
        self._worker.cancel_batch()

    def busy(self) -> bool:
        return self._answered < len(self._ids)

    @Slot(object)
    def _on_batch(self, result: BatchResult) -> None:
        if result.request_id != self._request_id:
            return
        count = len(result.probabilities)
        ids = self._ids[result.start : result.start + count]
        self._answered = result.start + count
        self.guessed.emit(ids, result.probabilities.argmax(axis=1),
                          result.probabilities.max(axis=1))
        self.progress.emit(self._answered, len(self._ids))


class SamplesWindow(QMainWindow):
    """See the module docstring. Opened from Window → My Samples."""

    _store_changed = Signal()

    def __init__(
        self,
        store: SampleStore,
        recognition: LiveRecognition,
        worker: RecognizerWorker,
        settings: QSettings,
        dialogs: Dialogs | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._store = store
        self._recognition = recognition
        self._settings = settings
        self.dialogs = dialogs if dialogs is not None else Dialogs(self)
        self._undo: Callable[[], None] | None = None
        self.setWindowTitle("My Samples \N{EM DASH} digitpad")
        self.setStyleSheet(_STYLE)

        self.samples = SampleListModel(store, self)
        self.shown = SampleFilter(self.samples, self)
        self.guesses = ModelGuesses(worker, self)
        self.background = Background(_EXPECTED, self)
        self._build_actions()
        self._build_ui()

        self._reload_timer = QTimer(self, singleShot=True, interval=0)  # one reload per burst
        self._reload_timer.timeout.connect(self._reload_if_shown)
        self._store_changed.connect(self._reload_timer.start)
        self._unsubscribe = store.subscribe(self._store_changed.emit)  # may fire on any thread
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._check_elsewhere)

        self.guesses.guessed.connect(self.samples.set_guesses)
        self.guesses.progress.connect(self._update_summary)
        recognition.model_ready.connect(self._on_model_ready)
        self.background.busy_changed.connect(self._update_actions)
        for signal in (self.shown.rowsInserted, self.shown.rowsRemoved, self.shown.modelReset,
                       self.shown.layoutChanged):
            signal.connect(self._update_view)
        self.samples.dataChanged.connect(self._on_data_changed)
        self.grid.selectionModel().selectionChanged.connect(self._on_selection_changed)

        geometry = settings.value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(820, 600)

    # -- construction ------------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.import_action = QAction("&Import\N{HORIZONTAL ELLIPSIS}", self)
        self.import_action.setToolTip("Add the labelled drawings of an ink JSON file")
        self.import_action.triggered.connect(self._import)
        self.export_action = QAction("&Export\N{HORIZONTAL ELLIPSIS}", self)
        self.export_action.setToolTip("Save your samples (of the digit shown, if one is) as "
                                      "ink JSON, which digitpad evaluate reads")
        self.export_action.triggered.connect(self._export)
        self.delete_action = QAction("&Delete", self)
        self.delete_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete),
                                         QKeySequence(Qt.Key.Key_Backspace)])
        self.delete_action.setToolTip("Delete the selected samples (Del; undoable)")
        self.delete_action.triggered.connect(self.delete_selected)
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.triggered.connect(self.undo)
        self.relabel_menu = QMenu("&Relabel As", self)
        self.relabel_actions = QActionGroup(self)
        for digit in range(NUM_CLASSES):
            action = QAction(str(digit), self)
            key = Qt.Key(Qt.Key.Key_0.value + digit)
            action.setShortcuts([QKeySequence(key), QKeySequence(
                QKeyCombination(Qt.KeyboardModifier.KeypadModifier, key))])
            action.setData(digit)
            self.relabel_actions.addAction(action)
            self.relabel_menu.addAction(action)
        self.relabel_actions.triggered.connect(
            lambda action: self.relabel_selected(int(action.data())))
        self.addActions([self.delete_action, self.undo_action, *self.relabel_actions.actions()])

    def _build_ui(self) -> None:
        toolbar = QToolBar("Samples", objectName="samples-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.import_action, self.export_action])
        toolbar.addSeparator()
        relabel_button = QToolButton(objectName="relabel-button")
        relabel_button.setText("Relabel As \N{BLACK DOWN-POINTING SMALL TRIANGLE}")
        relabel_button.setToolTip("Give the selected samples another digit (or press 0-9)")
        relabel_button.setMenu(self.relabel_menu)
        relabel_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.relabel_button = relabel_button
        toolbar.addWidget(relabel_button)
        toolbar.addAction(self.delete_action)
        self.addToolBar(toolbar)

        self.filter_buttons = QButtonGroup(self)
        filters = QHBoxLayout()
        filters.setSpacing(4)
        for key, text in [(_ALL, "All"), *((d, str(d)) for d in range(NUM_CLASSES))]:
            button = QToolButton()
            button.setProperty("role", "filter")
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setProperty("caption", text)
            button.setAccessibleName("All digits" if key == _ALL else f"Only {text}s")
            self.filter_buttons.addButton(button, key)
            filters.addWidget(button)
        self.filter_buttons.button(_ALL).setChecked(True)
        self.filter_buttons.idClicked.connect(self._on_filter)
        filters.addStretch(1)
        self.misread_only = QCheckBox("Only misread")
        self.misread_only.setToolTip("Show only the samples the current model reads wrong")
        self.misread_only.toggled.connect(self.shown.set_misread_only)
        filters.addWidget(self.misread_only)

        self.grid = QListView(objectName="sample-grid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setGridSize(SampleDelegate.CELL)
        self.grid.setSpacing(0)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setItemDelegate(SampleDelegate(self.grid))
        self.grid.setModel(self.shown)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._context_menu)
        self.empty_text = QLabel(objectName="empty-text")
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.grid)
        self.pages.addWidget(self.empty_text)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 8, 12, 4)
        layout.setSpacing(8)
        layout.addLayout(filters)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.notice = UndoNotice()
        self.notice.undo_requested.connect(self._run_undo)
        self.summary = QLabel()
        self.summary.setContentsMargins(8, 0, 8, 0)
        self.statusBar().addWidget(self.notice, 1)
        self.statusBar().addPermanentWidget(self.summary)

    # -- keeping in step with the store and the model ----------------------------------------

    @Slot()
    def reload(self) -> None:
        """Re-read the store (cheap: one query) and ask the model about new samples."""
        try:
            self.samples.reload()
        except StoreError as exc:
            log.warning("samples not read: %s", exc)
            self.notice.show_notice(f"Cannot read the samples: {exc}")
            return
        self._update_counts()
        self._update_view()
        self._ask_model()

    @Slot()
    def _reload_if_shown(self) -> None:
        if self.isVisible():  # a closed window catches up when shown again
            self.reload()

    def _ask_model(self) -> None:
        self.guesses.ask(*self.samples.missing_guesses())

    @Slot(object)
    def _on_model_ready(self, info: object) -> None:
        self.samples.forget_guesses()
        self._ask_model()

    @Slot()
    def _check_elsewhere(self) -> None:
        try:
            changed = self._store.changed_elsewhere()
        except StoreError as exc:
            log.warning("samples not checked: %s", exc)
            return
        if changed:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        """Read the store afresh: a closed window does not follow the changes."""
        self._poll.start()
        self.reload()
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._poll.stop()
        self._settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Before the store closes: finish store work in progress, stop listening to it."""
        self.background.wait()
        self.guesses.cancel()
        self._poll.stop()
        self._unsubscribe()

    # -- what the window shows ---------------------------------------------------------------

    def _update_counts(self) -> None:
        counts = self.samples.counts()
        for key in range(NUM_CLASSES + 1):
            button = self.filter_buttons.button(key)
            count = int(counts.sum()) if key == _ALL else int(counts[key])
            button.setText(f"{button.property('caption')}\n{count}")
            button.setToolTip(f"{count} sample{'' if count == 1 else 's'}")

    @Slot()
    def _update_view(self) -> None:
        if self.shown.rowCount() > 0:
            self.pages.setCurrentWidget(self.grid)
        else:
            self.pages.setCurrentWidget(self.empty_text)
            self.empty_text.setText(self._empty_text())
        self._update_summary()
        self._update_actions()

    def _empty_text(self) -> str:
        if self.samples.rowCount() == 0:
            return ("No samples yet.\n\nDraw a digit on the pad and press its key (0\N{EN DASH}9),"
                    " or use Teach \N{RIGHTWARDS ARROW} Collect Samples.")
        digit = self.shown.digit()
        which = "samples" if digit is None else f"{digit}s"
        if self.misread_only.isChecked():
            return f"The current model reads all your {which} right."
        return f"No {which} yet."

    @Slot()
    def _update_summary(self) -> None:
        model = self._recognition.model()
        total = self.samples.rowCount()
        right, read = self.samples.guess_summary()
        if model is None:
            text = "Waiting for the model to load\N{HORIZONTAL ELLIPSIS}" if total else ""
        elif read < total:
            text = f"{model.name} is reading them\N{HORIZONTAL ELLIPSIS} {read} of {total}"
        elif total:
            text = f"{model.name} reads {right} of {total} right ({right / total:.0%})"
        else:
            text = ""
        self.summary.setText(text)

    @Slot()
    def _on_data_changed(self) -> None:
        self._update_summary()
        if self.shown.rowCount() == 0:  # e.g. "only misread" and the last one is now read right
            self._update_view()

    @Slot()
    def _update_actions(self) -> None:
        idle = not self.background.busy()
        selected = idle and self.grid.selectionModel().hasSelection()
        self.delete_action.setEnabled(selected)
        self.relabel_actions.setEnabled(selected)
        self.relabel_button.setEnabled(selected)
        self.import_action.setEnabled(idle)
        self.export_action.setEnabled(idle and self.shown.rowCount() > 0)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._update_actions()

    @Slot(int)
    def _on_filter(self, key: int) -> None:
        self.shown.set_digit(None if key == _ALL else key)
        self._update_view()

    @Slot(QPoint)
    def _context_menu(self, position: QPoint) -> None:
        if not self.grid.indexAt(position).isValid():
            return
        menu = QMenu(self)
        menu.addMenu(self.relabel_menu)
        menu.addAction(self.delete_action)
        menu.popup(self.grid.viewport().mapToGlobal(position))

    def selected_ids(self) -> list[int]:
        rows = sorted(index.row() for index in self.grid.selectionModel().selectedIndexes())
        return [int(self.shown.index(row, 0).data(ID_ROLE)) for row in rows]

    # -- changes -----------------------------------------------------------------------------

    @Slot()
    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or self.background.busy():
            return

        def delete() -> list[Sample]:
            deleted = []
            for sample_id in ids:
                try:
                    deleted.append(self._store.delete(sample_id))
                except SampleNotFoundError:
                    continue  # deleted elsewhere meanwhile
            return deleted

        self.background.run(delete, self._deleted, self._failed("Cannot delete the samples"))

    def _deleted(self, deleted: list[Sample]) -> None:
        def restore() -> None:
            for sample in deleted:
                self._store.restore(sample)

        self._offer_undo(f"Deleted {_samples(len(deleted))}.", restore,
                         f"Put back {_samples(len(deleted))}.")

    @Slot(int)
    def relabel_selected(self, digit: int) -> None:
        ids = self.selected_ids()
        if not ids or self.background.busy():
            return

        def relabel() -> list[tuple[int, int]]:
            old = []
            for sample_id in ids:
                try:
                    old.append((sample_id, self._store.relabel(sample_id, digit)))
                except SampleNotFoundError:
                    continue
            return old

        def relabelled(old: list[tuple[int, int]]) -> None:
            def back() -> None:
                for sample_id, label in old:
                    try:
                        self._store.relabel(sample_id, label)
                    except SampleNotFoundError:
                        continue

            self._offer_undo(f"Relabelled {_samples(len(old))} as {digit}.", back,
                             "Labels put back.")

        self.background.run(relabel, relabelled, self._failed("Cannot relabel the samples"))

    def _offer_undo(self, text: str, undo: Callable[[], None], undone: str) -> None:
        def run_undo() -> None:
            self.background.run(undo, lambda _: self.notice.show_notice(undone),
                                self._failed("Cannot undo"))

        self._undo = run_undo
        self.notice.show_notice(text, undoable=True)
        self._update_actions()

    @Slot()
    def undo(self) -> None:
        """Ctrl+Z: take back the last delete or relabel while its notice offers Undo."""
        if self.notice.can_undo():
            self.notice.show_idle()
            self._run_undo()

    @Slot()
    def _run_undo(self) -> None:
        undo, self._undo = self._undo, None
        if undo is not None and not self.background.busy():
            undo()

    def _failed(self, title: str) -> Callable[[Exception], None]:
        def show(exc: Exception) -> None:
            log.warning("%s: %s", title, exc)
            self.dialogs.error(title, f"{exc}\n\nNothing was changed that you did not see "
                                      "change; try again in a moment.")
            self.reload()

        return show

    # -- files -------------------------------------------------------------------------------

    @Slot()
    def _import(self) -> None:
        path = self.dialogs.open_path("Import samples from ink JSON", INK_FILTER,
                                      str(last_folder(self._settings)))
        if path is None:
            return
        remember_folder(self._settings, path)
        self.notice.show_notice(f"Importing {path.name}\N{HORIZONTAL ELLIPSIS}")

        def imported(report: ImportReport) -> None:
            skipped = f"; skipped {len(report.skipped)} (see the report)" if report.skipped else ""
            self.notice.show_notice(f"Added {_samples(len(report.added))}{skipped}.")
            if report.skipped:
                self.dialogs.text(f"Import report \N{EN DASH} {path.name}", report.summary())

        def failed(exc: Exception) -> None:
            self.notice.show_idle()
            log.warning("import failed: %s", exc)
            self.dialogs.error("Cannot import the samples",
                               f"{exc}\n\nChoose an ink JSON file of labelled drawings, such as "
                               "one saved with Export\N{HORIZONTAL ELLIPSIS}. Nothing was added.")

        self.background.run(lambda: self._store.import_ink(path), imported, failed)

    @Slot()
    def _export(self) -> None:
        digit = self.shown.digit()
        name = "my_samples.json" if digit is None else f"my_samples_{digit}.json"
        path = self.dialogs.save_path("Export samples as ink JSON", INK_FILTER,
                                      str(last_folder(self._settings) / name))
        if path is None:
            return
        path = path if path.suffix.lower() == ".json" else path.with_name(path.name + ".json")
        remember_folder(self._settings, path)

        def exported(count: int) -> None:
            self.notice.show_notice(f"Exported {_samples(count)} to {path.name}.")

        def failed(exc: Exception) -> None:
            log.warning("export failed: %s", exc)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.dialogs.error("Cannot export the samples",
                               f"{path}: {reason}\n\nChoose a folder you can write to.")

        self.background.run(lambda: self._store.export_ink(path, digit), exported, failed)

    def sizeHint(self) -> QSize:
        return QSize(820, 600)


def _samples(count: int) -> str:
    return f"{count} sample{'' if count == 1 else 's'}"
