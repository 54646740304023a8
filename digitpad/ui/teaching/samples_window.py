"""Window → My Samples: the user's labelled drawings, and how the current model reads them.

A grid of thumbnails, newest first, filterable by digit (the filter buttons carry the counts);
each sample shows a tick when the current model reads it right or what it reads instead. This
module composes the window and keeps it in step with the store and the model; the parts live
beside it: ``filter_bar`` (filters and summary), ``sample_actions`` (delete and relabel, with
undo), ``sample_files`` (import and export), ``model_guesses`` and ``sample_grid``.

The model is asked about the samples on the recogniser thread, a chunk at a time, and store work
that can take long (import, export, changing many samples) runs on a pool thread: the window and
the drawing pad never wait for either.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import (
    QItemSelection,
    QPoint,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from digitpad.ml.ink import InkError
from digitpad.samples import SampleError, SampleStore, StoreError
from digitpad.ui.pad.recognition import LiveRecognition
from digitpad.ui.pad.workers import RecognizerWorker
from digitpad.ui.support.background import Background
from digitpad.ui.support.dialogs import Dialogs
from digitpad.ui.support.notice import UndoNotice
from digitpad.ui.support.settings import read_bytes
from digitpad.ui.teaching.filter_bar import FilterBar, reading_summary
from digitpad.ui.teaching.model_guesses import ModelGuesses
from digitpad.ui.teaching.sample_actions import SampleActions
from digitpad.ui.teaching.sample_files import SampleFiles
from digitpad.ui.teaching.sample_grid import ID_ROLE, SampleDelegate, SampleFilter, SampleListModel

log = logging.getLogger(__name__)

POLL_MS = 2000
"""How often an open window checks whether another digitpad changed the samples."""
GEOMETRY_KEY = "samples_window/geometry"
_EXPECTED = (StoreError, SampleError, InkError, OSError)
"""What store work can fail with through no fault of the program: shown to the user."""

_STYLE = """
QListView#sample-grid { border: none; background: palette(window); }
QToolBar#samples-toolbar QToolButton:focus {
    border: 2px solid palette(highlight);
    border-radius: 4px;
}
QLabel#empty-text { color: palette(placeholder-text); font-size: 15px; }
"""


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
        self.setWindowTitle("My Samples \N{EM DASH} digitpad")
        self.setStyleSheet(_STYLE)

        self.samples = SampleListModel(store, self)
        self.shown = SampleFilter(self.samples, self)
        self.guesses = ModelGuesses(worker, self)
        self.background = Background(_EXPECTED, self)
        self.notice = UndoNotice()
        self.changes = SampleActions(store, self.background, self.notice, self.dialogs,
                                     self.selected_ids, self.reload, self)
        self.files = SampleFiles(store, self.background, self.notice, self.dialogs, settings,
                                 self.shown.digit, self)
        self.addActions(self.changes.key_actions())
        self._build_ui()

        self._reload_timer = QTimer(self, singleShot=True, interval=0)  # one reload per burst
        self._reload_timer.timeout.connect(self._reload_if_shown)
        self._store_changed.connect(self._reload_timer.start)
        # Not Background: no work runs here, the store calls back on whichever thread changed it
        # and the signal only hands the news to the GUI thread (a queued connection).
        self._unsubscribe = store.subscribe(self._store_changed.emit)
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

        geometry = read_bytes(settings, GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(820, 600)

    def _build_ui(self) -> None:
        toolbar = QToolBar("Samples", objectName="samples-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.files.import_action, self.files.export_action])
        toolbar.addSeparator()
        toolbar.addWidget(self.changes.relabel_button)
        toolbar.addAction(self.changes.delete_action)
        for action in (self.files.import_action, self.files.export_action,
                       self.changes.delete_action):  # no menu bar here: Tab is the way there
            toolbar.widgetForAction(action).setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.addToolBar(toolbar)

        self.filters = FilterBar()
        self.filters.digit_chosen.connect(self._on_filter)
        self.filters.misread_only.toggled.connect(self.shown.set_misread_only)

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
        layout.addWidget(self.filters)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

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
        self.filters.set_counts(self.samples.counts())
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
        if self.filters.misread_only.isChecked():
            return f"The current model reads all your {which} right."
        return f"No {which} yet."

    @Slot()
    def _update_summary(self) -> None:
        model = self._recognition.model()
        right, read = self.samples.guess_summary()
        self.summary.setText(reading_summary(None if model is None else model.name,
                                             self.samples.rowCount(), right, read))

    @Slot()
    def _on_data_changed(self) -> None:
        self._update_summary()
        if self.shown.rowCount() == 0:  # e.g. "only misread" and the last one is now read right
            self._update_view()

    @Slot()
    def _update_actions(self) -> None:
        idle = not self.background.busy()
        self.changes.set_enabled(idle and self.grid.selectionModel().hasSelection())
        self.files.set_enabled(idle, self.shown.rowCount() > 0)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._update_actions()

    @Slot(object)
    def _on_filter(self, digit: int | None) -> None:
        self.shown.set_digit(digit)
        self._update_view()

    @Slot(QPoint)
    def _context_menu(self, position: QPoint) -> None:
        if not self.grid.indexAt(position).isValid():
            return
        menu = QMenu(self)
        menu.addMenu(self.changes.relabel_menu)
        menu.addAction(self.changes.delete_action)
        menu.popup(self.grid.viewport().mapToGlobal(position))

    def selected_ids(self) -> list[int]:
        rows = sorted(index.row() for index in self.grid.selectionModel().selectedIndexes())
        return [int(self.shown.index(row, 0).data(ID_ROLE)) for row in rows]

    def sizeHint(self) -> QSize:
        return QSize(820, 600)
