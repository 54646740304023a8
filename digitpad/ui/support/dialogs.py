"""Every question and message the window puts to the user, behind one object tests can replace."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontDatabase, QImageReader, QTextCursor, QTextDocument
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

from digitpad.ml.preprocess import IMAGE_FORMATS
from digitpad.ui.support.placement import place_beside
from digitpad.ui.support.settings import read_folder

INK_FILTER = "Ink JSON (*.json);;All files (*)"
PNG_FILTER = "PNG image (*.png)"
MODEL_FILTER = "Keras model (*.keras);;All files (*)"
_LAST_FOLDER_KEY = "files/last_dir"


_FORMAT_NAMES = {"WEBP": "WebP"}
"""How a format is written where its Pillow name is not how people write it."""


def _readable_formats() -> list[tuple[str, list[str]]]:
    """The picture formats digitpad reads (Pillow reads them for the model, Qt shows them on
    the pad), each with the file extensions both know it by."""
    shown = {bytes(name).decode().lower() for name in QImageReader.supportedImageFormats()}
    by_format: dict[str, list[str]] = {name: [] for name in IMAGE_FORMATS}
    for extension, name in sorted(Image.registered_extensions().items()):
        if name in by_format and extension[1:] in shown:
            by_format[name].append(extension[1:])
    return [(name, extensions) for name, extensions in by_format.items() if extensions]


def image_filter() -> str:
    """File → Open Image's filter: every picture digitpad can read, and all files."""
    patterns = " ".join(f"*.{extension}" for _, extensions in _readable_formats()
                        for extension in extensions)
    return f"Images ({patterns});;All files (*)"


def image_format_names() -> str:
    """The formats of :func:`image_filter` in words: "PNG, JPEG, … or TIFF"."""
    names = [_FORMAT_NAMES.get(name, name) for name, _ in _readable_formats()]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


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

    def ask(self, title: str, message: str, choices: Sequence[str], default: int = 0,
            escape: int | None = None) -> int | None:
        """Ask a question (in plain text) answered by one of ``choices``, buttons in this order;
        Enter picks ``default``, Esc ``escape``. The index of the choice, or None when the
        question was dismissed without one (Esc with no ``escape``)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, message,
                          QMessageBox.StandardButton.NoButton, self._parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        buttons = [box.addButton(choice, QMessageBox.ButtonRole.AcceptRole)
                   for choice in choices]
        box.setDefaultButton(buttons[default])
        if escape is not None:
            box.setEscapeButton(buttons[escape])
        box.exec()
        clicked = box.clickedButton()
        return next((n for n, button in enumerate(buttons) if button is clicked), None)

    def text(self, title: str, text: str) -> None:
        """Show a longer read-only text in a fixed-width font (an import report)."""
        TextDialog(title, text, self._parent).exec()

    def document(self, title: str, text: str, text_format: Qt.TextFormat) -> None:
        """Show a page to read (the model card in Markdown, the model summary in rich text)."""
        DocumentDialog(title, text, text_format, self._parent).exec()

    def about(self, title: str, rich_text: str) -> None:
        QMessageBox.about(self._parent, title, rich_text)

    def help(self, title: str, rich_text: str) -> None:
        """Show a help page beside the window, not over it: one reads it while trying it out.
        The page opened last replaces the one shown."""
        if self._help is None:
            self._help = HelpDialog(self._parent)
        if not self._help.isVisible():
            place_beside(self._help, self._parent)
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


class DocumentDialog(QDialog):
    """A page of Markdown or rich text that reads like a document and wraps to the window: a
    long line of code wraps too, rather than pushing the page sideways."""

    def __init__(self, title: str, text: str, text_format: Qt.TextFormat,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)  # a link would replace the page
        self.view.document().setDocumentMargin(12)
        if text_format == Qt.TextFormat.MarkdownText:
            # Markdown from a file beside the model: its text, never HTML it may hold.
            self.view.document().setMarkdown(text, _MARKDOWN)
        else:
            self.view.setHtml(text)
        _wrap_code(self.view.document())
        self.view.setTextCursor(QTextCursor(self.view.document()))  # read from the top
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 110, metrics.lineSpacing() * 40)


_MARKDOWN = (QTextDocument.MarkdownFeature.MarkdownDialectGitHub
             | QTextDocument.MarkdownFeature.MarkdownNoHTML)


def _wrap_code(document: QTextDocument) -> None:
    block = document.begin()
    while block.isValid():
        form = block.blockFormat()
        if form.nonBreakableLines():
            form.setNonBreakableLines(False)
            QTextCursor(block).setBlockFormat(form)
        block = block.next()


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
