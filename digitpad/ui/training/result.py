"""What a run ends with, in words: the new model next to the one in use (on MNIST, and on the
held-out pen writers when the run kept some out), what the run showed (the best epoch, a
subclass against its Sequential twin), or what went wrong and what to do about it, on a banner
above the progress bar."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from digitpad.ml.card import ModelCard
from digitpad.ml.jobs import DATA_PROBLEM, UNEXPECTED, Outcome, SubclassCheck

RESULT = "result"
ERROR = "error"
"""The banner's kinds (its ``kind`` property, which the dialog's style sheet colours)."""
OVER_FITTING_EPOCHS = 3
"""Epochs after the lowest validation loss, training loss still falling, that are called
over-fitting; one or two may be noise."""


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
    name = html.escape(current)
    figures = [("MNIST test", "MNIST", outcome.test_accuracy, outcome.current_accuracy)]
    if outcome.pen_accuracy is not None:
        figures.append(("Pen writers", "the pen writers' digits", outcome.pen_accuracy,
                        outcome.current_pen_accuracy))
    cell = "<td style='padding-right:28px'>"
    big = "<span style='font-size:20pt; font-weight:600'>"
    rows = [f"<tr><td></td>{cell}New model</td>{cell}{name}</td></tr>"]
    rows += [f"<tr>{cell}{what}</td>{cell}{big}{_percent(new)}</span></td>"
             f"{cell}{big}{_percent(old)}</span></td></tr>" for what, _, new, old in figures]
    text = (f"<table>{''.join(rows)}</table>"
            f"Accuracy on MNIST's {outcome.test_images:,} test images, which no training step "
            "has seen")
    if outcome.pen_accuracy is not None:
        text += (f", and on {outcome.pen_samples:,} pen-drawn digits by the "
                 f"{outcome.pen_writers} writers the new model never learned from")
    text += "."
    worse = [phrase for _, phrase, new, old in figures if old is not None and new < old]
    if worse:
        text += f"<br><b>The new model reads {' and '.join(worse)} worse than {name}.</b>"
    if outcome.subclass_check is not None:
        text += "<br>" + _subclass_html(outcome.subclass_check)
    text += _best_epoch_html(outcome.card)
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


def _subclass_html(check: SubclassCheck) -> str:
    same = "the very same weights" if check.same_weights else "weights not identical"
    return (f"As a keras.Model subclass: {check.parameters:,} parameters, "
            f"{_percent(check.test_accuracy)} on MNIST. The same network as a Sequential model, "
            f"trained with the same seed: {check.sequential_parameters:,} parameters, "
            f"{_percent(check.sequential_test_accuracy)}, {same}. It is saved as the Sequential "
            "model, which any Keras opens.")


def _best_epoch_html(card: ModelCard) -> str:
    """Which epoch's weights were kept, when that is not plain: early stopping chose them, or
    validation loss was lowest before the end."""
    best, run = card.best_epoch, card.epochs_run
    config = card.config or {}
    if best is None or run is None:
        return ""
    if config.get("early_stopping"):
        planned = config.get("epochs", run)
        ended = f"ended the run after epoch {run} of {planned} and " if run < planned else ""
        return (f"<br>Early stopping {ended}kept the weights of epoch {best}, where validation "
                "loss was lowest (marked).")
    if best == run:
        return ""
    text = f"<br>Validation loss was lowest after epoch {best} of {run} (marked)"
    loss = (card.history or {}).get("loss", [])
    if run - best >= OVER_FITTING_EPOCHS and len(loss) == run and loss[-1] < loss[best - 1]:
        text += " while training loss kept falling: the model over-fits"
    return text + f". The model kept is epoch {run}'s; early stopping would keep the best one."


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
