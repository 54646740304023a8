"""Stand-ins for the dialogs and the model, shared by the widget and app tests."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from PySide6.QtCore import Qt

from digitpad.ml.card import ModelCard
from digitpad.ml.outputs import Sevens
from digitpad.ml.recognizer import Prediction


@dataclass
class FakeDialogs:
    """Answers file pickers from a script and records every message instead of blocking."""

    paths: list[Path | None] = field(default_factory=list)
    asked: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)
    documents: list[tuple[str, str, Qt.TextFormat]] = field(default_factory=list)
    abouts: list[tuple[str, str]] = field(default_factory=list)
    helps: list[tuple[str, str]] = field(default_factory=list)
    answers: list[int | None] = field(default_factory=list)
    """The answers to ``ask``, in order: a choice's index, or None for Esc."""
    questions: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    """The file each save dialog suggested, in order."""

    def _answer(self, kind: str, title: str) -> Path | None:
        self.asked.append((kind, title))
        if not self.paths:
            raise AssertionError(f"unexpected {kind} dialog: {title}")
        return self.paths.pop(0)

    def open_path(self, title: str, file_filter: str, directory: str = "") -> Path | None:
        return self._answer("open", title)

    def save_path(self, title: str, file_filter: str, suggested: str) -> Path | None:
        self.suggestions.append(suggested)
        return self._answer("save", title)

    def error(self, title: str, message: str) -> None:
        self.errors.append((title, message))

    def ask(self, title: str, message: str, choices: Sequence[str], default: int = 0,
            escape: int | None = None) -> int | None:
        self.questions.append((title, message, tuple(choices)))
        if not self.answers:
            raise AssertionError(f"unexpected question: {title}")
        return self.answers.pop(0)

    def text(self, title: str, text: str) -> None:
        self.texts.append((title, text))

    def document(self, title: str, text: str, text_format: Qt.TextFormat) -> None:
        self.documents.append((title, text, text_format))

    def about(self, title: str, rich_text: str) -> None:
        self.abouts.append((title, rich_text))

    def help(self, title: str, rich_text: str) -> None:
        self.helps.append((title, rich_text))


class FakeModel:
    """Stands in for a Recognizer: 'reads' the digit from how much ink the image holds.

    Deterministic and instant; ``confidence`` lets a test produce an unsure answer.
    """

    card: ClassVar[ModelCard] = ModelCard(architecture="fake", parameters=10)

    def __init__(self, name: str = "fake.keras", confidence: float = 0.9) -> None:
        self.name = name
        self.confidence = confidence
        self.sevens = Sevens.PLAIN
        self.seen: list[np.ndarray] = []

    def predict_image(self, image: np.ndarray | None) -> Prediction:
        if image is None:
            return Prediction.empty()
        self.seen.append(image)
        digit = int(image.sum()) % 10
        probabilities = np.full(10, (1 - self.confidence) / 9, np.float32)
        probabilities[digit] = self.confidence
        return Prediction.from_probabilities(probabilities)

    def predict_images(self, images: Sequence[np.ndarray | None]) -> list[Prediction]:
        return [self.predict_image(image) for image in images]

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) -> (N, 10), each row as ``predict_image`` would answer."""
        return np.stack([self.predict_image(image).probabilities for image in images])

    def summary(self) -> str:
        return 'Model: "fake"\n Total params: 10'


class GatedModel(FakeModel):
    """Holds each prediction until the test opens the gate; records the threads it ran on."""

    def __init__(self, name: str = "gated.keras", gate_open: bool = False) -> None:
        super().__init__(name)
        self.gate = threading.Event()
        if gate_open:
            self.gate.set()
        self.entered = threading.Event()
        self.threads: set[int] = set()

    def predict_image(self, image: np.ndarray | None) -> Prediction:
        self.threads.add(threading.get_ident())
        self.entered.set()
        self.gate.wait(5)
        return super().predict_image(image)
