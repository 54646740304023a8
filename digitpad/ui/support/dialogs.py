"""Every question and message the window puts to the user, behind one object tests can replace."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMessageBox,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from digitpad.ui.support.settings import read_folder

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)"
INK_FILTER = "Ink JSON (*.json);;All files (*)"
PNG_FILTER = "PNG image (*.png)"
MODEL_FILTER = "Keras model (*.keras);;All files (*)"
_LAST_FOLDER_KEY = "files/last_dir"


def last_folder(settings: QSettings) -> Path:
    """Where the last file was opened or saved, so the next file dialog starts there."""
    return read_folder(settings, _LAST_FOLDER_KEY) or Path.home()


def remember_folder(settings: QSettings, file: Path) -> None:
    settings.setValue(_LAST_FOLDER_KEY, str(file.parent))


def open_from_last_folder(dialogs: Dialogs, settings: QSettings, title: str,
                          file_filter: str) -> Path | None:
    """Ask for a file to open, starting in the last folder used; remember the chosen one's."""
    path = dialogs.open_path(title, file_filter, str(last_folder(settings)))
    if path is not None:
        remember_folder(settings, path)
    return path


class Dialogs:
    """Modal file pickers and message boxes, parented to ``parent``."""

    def __init__(self, parent: QWidget) -> None:
        self._parent = parent
        self._help: HelpDialog | None = None

    def open_path(self, title: str, file_filter: str, directory: str = "") -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self._parent, title, directory, file_filter)
        return Path(path) if path else None

    def save_path(self, title: str, file_filter: str, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self._parent, title, suggested, file_filter)
        return Path(path) if path else None

    def error(self, title: str, message: str) -> None:
        """A warning in plain text: a message quotes file names and contents, which Qt would
        otherwise render as HTML when they look like it."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                          self._parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def text(self, title: str, text: str) -> None:
        """Show a longer read-only text in a fixed-width font (model summary, model card)."""
        TextDialog(title, text, self._parent).exec()

    def about(self, title: str, rich_text: str) -> None:
        QMessageBox.about(self._parent, title, rich_text)

    def help(self, title: str, rich_text: str) -> None:
        """Show a help page beside the window, not over it: one reads it while trying it out.
        The page opened last replaces the one shown."""
        if self._help is None:
            self._help = HelpDialog(self._parent)
        self._help.show_page(title, rich_text)


class TextDialog(QDialog):
    """Read-only, selectable, fixed-width text with a Close button."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        view = QPlainTextEdit(text)
        view.setReadOnly(True)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(buttons)
        metrics = view.fontMetrics()
        longest = max((metrics.horizontalAdvance(line) for line in text.splitlines()), default=0)
        lines = text.count("\n") + 4
        self.resize(min(longest + 60, 1000), min(metrics.lineSpacing() * lines + 60, 640))


class HelpDialog(QDialog):
    """A help page: rich text that reads like a document, links opening in the browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = QTextBrowser()
        self.view.setOpenExternalLinks(True)
        self.view.document().setDocumentMargin(12)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()  # lines of about 90 characters, as a book's
        self.resize(metrics.averageCharWidth() * 110, metrics.lineSpacing() * 42)

    def show_page(self, title: str, rich_text: str) -> None:
        self.setWindowTitle(title)
        self.view.setHtml(rich_text)
        self.show()
        self.raise_()
        self.activateWindow()
