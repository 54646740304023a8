"""Changing the selected samples in My Samples: Delete and Relabel As, each undoable.

The buttons, the context menu, Delete and the keys 0-9 reach the same actions. The store work
runs on the window's ``Background`` (hundreds of samples can be selected); the notice offers
Undo for a few seconds, and Ctrl+Z takes the change back while it does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QKeyCombination, QObject, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from digitpad.ml.digits import NUM_CLASSES
from digitpad.samples import Sample, SampleNotFoundError, SampleStore
from digitpad.ui.support.background import Background
from digitpad.ui.support.dialogs import Dialogs
from digitpad.ui.support.notice import UndoNotice, sample_count

log = logging.getLogger(__name__)

_BUTTON_STYLE = "QToolButton#relabel-button::menu-indicator { image: none; width: 0; }"


class SampleActions(QObject):
    """Delete, Relabel As and Undo for the samples ``selected_ids()`` names.

    The window adds the actions to itself (their keys), ``relabel_button`` to its toolbar and
    calls :meth:`set_enabled` when the selection or ``background``'s work changes. A change that
    fails is explained and ``reload()`` shows the store as it is.
    """

    def __init__(
        self,
        store: SampleStore,
        background: Background,
        notice: UndoNotice,
        dialogs: Dialogs,
        selected_ids: Callable[[], list[int]],
        reload: Callable[[], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._background = background
        self._notice = notice
        self._dialogs = dialogs
        self._selected_ids = selected_ids
        self._reload = reload
        self._undo: Callable[[], None] | None = None

        self.delete_action = QAction("&Delete", self)
        self.delete_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete),
                                         QKeySequence(Qt.Key.Key_Backspace)])
        self.delete_action.setToolTip("Delete the selected samples (Del; undoable)")
        self.delete_action.triggered.connect(self.delete_selected)
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.triggered.connect(self.undo)
        self.relabel_menu = QMenu("&Relabel As", parent)
        self.relabel_actions = QActionGroup(self)
        for digit in range(NUM_CLASSES):
            action = QAction(str(digit), self)
            key = Qt.Key(Qt.Key.Key_0.value + digit)
            action.setShortcuts([QKeySequence(key), QKeySequence(
                QKeyCombination(Qt.KeyboardModifier.KeypadModifier, key))])
            action.setData(digit)
            action.setShortcutVisibleInContextMenu(False)  # the entry "0" is its key: once
            self.relabel_actions.addAction(action)
            self.relabel_menu.addAction(action)
        self.relabel_actions.triggered.connect(
            lambda action: self.relabel_selected(int(action.data())))

        self.relabel_button = QToolButton(objectName="relabel-button")
        self.relabel_button.setStyleSheet(_BUTTON_STYLE)
        self.relabel_button.setText("Relabel As \N{BLACK DOWN-POINTING SMALL TRIANGLE}")
        self.relabel_button.setToolTip("Give the selected samples another digit (or press 0-9)")
        self.relabel_button.setMenu(self.relabel_menu)
        self.relabel_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        notice.undo_requested.connect(self._run_undo)

    def key_actions(self) -> list[QAction]:
        """The actions whose keys work anywhere in the window: Delete, Ctrl+Z and 0-9."""
        return [self.delete_action, self.undo_action, *self.relabel_actions.actions()]

    def set_enabled(self, selected: bool) -> None:
        """Delete and Relabel As while samples are selected and no store work is running."""
        self.delete_action.setEnabled(selected)
        self.relabel_actions.setEnabled(selected)
        self.relabel_button.setEnabled(selected)

    @Slot()
    def delete_selected(self) -> None:
        ids = self._selected_ids()
        if not ids or self._background.busy():
            return

        def delete() -> list[Sample]:
            deleted = []
            for sample_id in ids:
                try:
                    deleted.append(self._store.delete(sample_id))
                except SampleNotFoundError:
                    continue  # deleted elsewhere meanwhile
            return deleted

        self._background.run(delete, self._deleted, self._failed("Cannot delete the samples"))

    def _deleted(self, deleted: list[Sample]) -> None:
        def restore() -> None:
            for sample in deleted:
                self._store.restore(sample)

        self._offer_undo(f"Deleted {sample_count(len(deleted))}.", restore,
                         f"Put back {sample_count(len(deleted))}.")

    @Slot(int)
    def relabel_selected(self, digit: int) -> None:
        ids = self._selected_ids()
        if not ids or self._background.busy():
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

            self._offer_undo(f"Relabelled {sample_count(len(old))} as {digit}.", back,
                             "Labels put back.")

        self._background.run(relabel, relabelled, self._failed("Cannot relabel the samples"))

    def _offer_undo(self, text: str, undo: Callable[[], None], undone: str) -> None:
        def run_undo() -> None:
            self._background.run(undo, lambda _: self._notice.show_notice(undone),
                                 self._failed("Cannot undo"))

        self._undo = run_undo
        self._notice.show_notice(text, undoable=True)

    @Slot()
    def undo(self) -> None:
        """Ctrl+Z: take back the last delete or relabel while its notice offers Undo."""
        if self._notice.can_undo():
            self._notice.show_idle()
            self._run_undo()

    @Slot()
    def _run_undo(self) -> None:
        undo, self._undo = self._undo, None
        if undo is not None and not self._background.busy():
            undo()

    def _failed(self, title: str) -> Callable[[Exception], None]:
        def show(exc: Exception) -> None:
            log.warning("%s: %s", title, exc)
            self._dialogs.error(title, f"{exc}\n\nNothing was changed that you did not see "
                                       "change; try again in a moment.")
            self._reload()

        return show
