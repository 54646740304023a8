"""What a run ends with, in words: the new model next to the one in use, or what went wrong and
what to do about it, on a banner above the progress bar."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from digitpad.ml.jobs import DATA_PROBLEM, UNEXPECTED, Outcome

RESULT = "result"
ERROR = "error"
"""The banner's kinds (its ``kind`` property, which the dialog's style sheet colours)."""


class Banner(QFrame):
    """A rich-text message with an optional "Choose mnist.npz…" button; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="banner")
        self.text = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton("Choose mnist.npz…")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_message(self, kind: str, rich_text: str, choose_data: bool = False) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.text.setText(rich_text)
        self.button.setVisible(choose_data)
        self.show()

    def plain_text(self) -> str:
        """The message as plain text (what the user reads), or "" when it is hidden."""
        if self.isHidden():
            return ""
        document = QTextDocument()
        document.setHtml(self.text.text())
        return document.toPlainText()


def result_html(outcome: Outcome, current: str) -> str:
    """The new model's figures next to those of ``current`` (the model in use, by name)."""
    rows = [("New model", _percent(outcome.test_accuracy)),
            (html.escape(current), _percent(outcome.current_accuracy))]
    cells = "".join(f"<td style='padding-right:28px'>{name}<br>"
                    f"<span style='font-size:20pt; font-weight:600'>{value}</span></td>"
                    for name, value in rows)
    text = (f"<table><tr>{cells}</tr></table>"
            f"Accuracy on MNIST's {outcome.test_images:,} test images, which no training step "
            "has seen.")
    if outcome.trained_on:
        if outcome.held_out:
            text += (f"<br>Your {plural(outcome.held_out, 'held-out sample')}: "
                     f"{_percent(outcome.samples_before)} with {html.escape(current)}, "
                     f"<b>{_percent(outcome.samples_after)}</b> with the new model "
                     f"(it learned from {outcome.trained_on} others).")
        else:
            text += (f"<br>It learned from {plural(outcome.trained_on, 'sample')} of yours; "
                     "label more to measure how well it reads your handwriting.")
    return text + "<br>Use the new model now, or discard it."


def failure_html(problem: str, message: str) -> str:
    """A failed run (``problem`` as :mod:`digitpad.ml.jobs` names it) and what the user can do."""
    title = {DATA_PROBLEM: "MNIST could not be loaded.",
             UNEXPECTED: "Training failed."}.get(problem, "Training could not start.")
    extra = ""
    if problem == DATA_PROBLEM:
        extra = "<br>Choose an mnist.npz (in the layout Keras uses) to train on."
    elif problem == UNEXPECTED:
        extra = ("<br>Nothing was saved and the current model is unchanged. The details are "
                 "in digitpad's log.")
    return f"<b>{title}</b> {escaped(message)}{extra}"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def escaped(value: object) -> str:
    """``value`` as rich text, its line breaks kept."""
    return html.escape(str(value)).replace("\n", "<br>")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"
