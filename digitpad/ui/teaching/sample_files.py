"""My Samples' Import… and Export…: the user's samples to and from ink JSON files.

Ink JSON is the format ``digitpad evaluate`` reads, so an exported set can be measured from the
command line. Reading and writing a file runs on the window's ``Background``: a big import never
freezes the window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtGui import QAction

from digitpad.samples import ImportReport, SampleStore
from digitpad.ui.support.background import Background
from digitpad.ui.support.dialogs import (
    INK_FILTER,
    Dialogs,
    last_folder,
    open_from_last_folder,
    remember_folder,
)
from digitpad.ui.support.notice import UndoNotice, sample_count

log = logging.getLogger(__name__)


class SampleFiles(QObject):
    """The Import… and Export… actions; Export saves the digit ``digit()`` names (None: all).

    The window puts the actions in its toolbar and calls :meth:`set_enabled` when
    ``background``'s work or the samples shown change.
    """

    def __init__(
        self,
        store: SampleStore,
        background: Background,
        notice: UndoNotice,
        dialogs: Dialogs,
        settings: QSettings,
        digit: Callable[[], int | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._background = background
        self._notice = notice
        self._dialogs = dialogs
        self._settings = settings
        self._digit = digit

        self.import_action = QAction("&Import\N{HORIZONTAL ELLIPSIS}", self)
        self.import_action.setToolTip("Add the labelled drawings of an ink JSON file")
        self.import_action.triggered.connect(self.import_file)
        self.export_action = QAction("&Export\N{HORIZONTAL ELLIPSIS}", self)
        self.export_action.setToolTip("Save your samples (of the digit shown, if one is) as "
                                      "ink JSON, which digitpad evaluate reads")
        self.export_action.triggered.connect(self.export_file)

    def set_enabled(self, idle: bool, any_shown: bool) -> None:
        """Import while no store work runs; Export then too, if there is something to save."""
        self.import_action.setEnabled(idle)
        self.export_action.setEnabled(idle and any_shown)

    @Slot()
    def import_file(self) -> None:
        path = open_from_last_folder(self._dialogs, self._settings,
                                     "Import samples from ink JSON", INK_FILTER)
        if path is None:
            return
        self._notice.show_notice(f"Importing {path.name}\N{HORIZONTAL ELLIPSIS}")

        def imported(report: ImportReport) -> None:
            skipped = f"; skipped {len(report.skipped)} (see the report)" if report.skipped else ""
            self._notice.show_notice(f"Added {sample_count(len(report.added))}{skipped}.")
            if report.skipped:
                self._dialogs.text(f"Import report \N{EN DASH} {path.name}", report.summary())

        def failed(exc: Exception) -> None:
            self._notice.show_idle()
            log.warning("import failed: %s", exc)
            self._dialogs.error("Cannot import the samples",
                                f"{exc}\n\nChoose an ink JSON file of labelled drawings, such as "
                                "one saved with Export\N{HORIZONTAL ELLIPSIS}. Nothing was added.")

        self._background.run(lambda: self._store.import_ink(path), imported, failed)

    @Slot()
    def export_file(self) -> None:
        digit = self._digit()
        name = "my_samples.json" if digit is None else f"my_samples_{digit}.json"
        path = self._dialogs.save_path("Export samples as ink JSON", INK_FILTER,
                                       str(last_folder(self._settings) / name))
        if path is None:
            return
        path = path if path.suffix.lower() == ".json" else path.with_name(path.name + ".json")
        remember_folder(self._settings, path)

        def exported(count: int) -> None:
            self._notice.show_notice(f"Exported {sample_count(count)} to {path.name}.")

        def failed(exc: Exception) -> None:
            log.warning("export failed: %s", exc)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self._dialogs.error("Cannot export the samples",
                                f"{path}: {reason}\n\nChoose a folder you can write to.")

        self._background.run(lambda: self._store.export_ink(path, digit), exported, failed)
