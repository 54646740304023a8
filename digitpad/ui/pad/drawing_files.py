"""File → Open Image, Open Ink, Save as PNG, Save Ink: the drawing on the pad to and from files.

Opening a picture is the recogniser's business (it reads and normalises it), so this only says
which file was chosen; ink it opens itself, onto the pad. Every failure a user can cause ends in
a message that says what to do, and the drawing on the pad stays as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal, Slot

from digitpad.atomic import write_bytes_atomic
from digitpad.ml.ink import Drawing, InkError, load_ink, save_ink
from digitpad.ui.pad.canvas import PAD_KEY, PAD_UNITS, InkCanvas
from digitpad.ui.support.dialogs import (
    INK_FILTER,
    PNG_FILTER,
    Dialogs,
    image_filter,
    last_folder,
    open_from_last_folder,
    remember_folder,
)
from digitpad.ui.support.saving import png_bytes, save_problem

log = logging.getLogger(__name__)

class DrawingFiles(QObject):
    """The pad's file actions; ``done`` carries a line for the status bar."""

    image_chosen = Signal(str)
    done = Signal(str)

    def __init__(self, canvas: InkCanvas, dialogs: Callable[[], Dialogs], settings: QSettings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._canvas = canvas
        self._dialogs = dialogs
        """The window's current dialogs (tests replace them after construction)."""
        self._settings = settings

    @Slot()
    def open_image(self) -> None:
        path = open_from_last_folder(self._dialogs(), self._settings, "Open an image of a digit",
                                     image_filter())
        if path is not None:
            self.image_chosen.emit(str(path))

    @Slot()
    def open_ink(self) -> None:
        dialogs = self._dialogs()
        path = open_from_last_folder(dialogs, self._settings, "Open ink", INK_FILTER)
        if path is None:
            return
        try:
            drawings = [d for d in load_ink(path) if not d.is_empty]
        except InkError as exc:
            log.warning("ink not opened: %s", exc)
            dialogs.error(
                "Cannot open the ink file",
                f"{exc}\n\nChoose an ink JSON file, such as one saved with File → Save Ink.")
            return
        if not drawings:
            dialogs.error("Nothing to open", f"{path}: the file holds no strokes.")
            return
        drawing = drawings[0]
        self._canvas.set_strokes(drawing.strokes, fit=drawing.extra.get(PAD_KEY) != PAD_UNITS)
        more = f" (the first of {len(drawings)} drawings)" if len(drawings) > 1 else ""
        self.done.emit(f"Opened {path.name}{more}")

    @Slot()
    def save_png(self) -> None:
        path = self._save_path("Save the drawing as PNG", PNG_FILTER, "digit.png")
        if path is None:
            return
        image = self._canvas.render_image()
        self._save(path, lambda: write_bytes_atomic(path, png_bytes(image)))

    @Slot()
    def save_ink(self) -> None:
        path = self._save_path("Save the drawing as ink", INK_FILTER, "digit.json")
        if path is None:
            return
        drawing = Drawing(self._canvas.strokes(), extra={PAD_KEY: PAD_UNITS})
        self._save(path, lambda: save_ink(path, drawing))

    def _save_path(self, title: str, file_filter: str, suggested: str) -> Path | None:
        """The file the user chose, with the suggested name's extension if they left it off."""
        path = self._dialogs().save_path(title, file_filter,
                                         str(last_folder(self._settings) / suggested))
        if path is None:
            return None
        suffix = Path(suggested).suffix
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def _save(self, path: Path, write: Callable[[], None]) -> None:
        existed = path.is_file()
        try:
            write()
        except OSError as exc:
            log.warning("cannot save %s: %s", path, exc)
            self._dialogs().error("Cannot save", save_problem(path, exc, existed))
            return
        remember_folder(self._settings, path)
        self.done.emit(f"Saved {path.name}")

