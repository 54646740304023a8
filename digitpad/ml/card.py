"""The model card: the JSON file beside each ``name.keras`` that says how the model was made and
how well it does. The one place that knows its keys; no Qt, no TensorFlow here.

The format on disk is a plain JSON object and stays readable by older and newer digitpads: every
key this module does not know (or a known key whose value has an unexpected type) is kept as it
was read and written back unchanged, so an older app never strips what a newer one recorded.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from digitpad.atomic import write_text_atomic
from digitpad.ml.jsonfile import JsonFileError, read_json_file
from digitpad.ml.litert import LiteRTRecord

CARD_SUFFIX = ".json"
MAX_CARD_BYTES = 4 * 2**20
"""A card is a few kilobytes (200 epochs of history are 30 KB); a larger file is not one."""
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "dict": (dict,), "list": (list,),
    "LiteRTRecord": (dict,),
}
"""The JSON values a field takes, by the first word of its annotation."""


@dataclass(frozen=True)
class ModelCard:
    """A model's card. A field is None when the card lacks it; the nested sections
    (``config``, ``history``, ``ink_training``, ...) are the JSON objects as written."""

    architecture: str | None = None
    outputs: list[str] | None = None
    """What each model output means (:data:`digitpad.ml.outputs.OUTPUT_NAMES` for a model that
    says "not a digit"); None for ten outputs, one per digit."""
    parameters: int | None = None
    config: dict[str, Any] | None = None
    """The training settings (``TrainingConfig`` fields)."""
    fine_tuned_from: str | None = None
    """The file name of the model a fine-tune started from."""
    epochs_run: int | None = None
    best_epoch: int | None = None
    train_examples: int | None = None
    validation_examples: int | None = None
    mnist_test_accuracy: float | None = None
    mnist_test_loss: float | None = None
    training_seconds: float | None = None
    history: dict[str, list[float]] | None = None
    """Keras' per-epoch ``loss``, ``sparse_categorical_accuracy`` and their ``val_`` forms."""
    ink_training: dict[str, Any] | None = None
    """The pen-drawn digits trained on: file, drawings, writers, images, held_out_writers."""
    data: str | None = None
    """What the model learned from, in words."""
    command: str | None = None
    """The ``digitpad train`` command line that made it."""
    ink_evaluation: dict[str, Any] | None = None
    """Accuracy on held-out drawings: file, samples, accuracy, per_digit_accuracy."""
    personal_samples: dict[str, Any] | None = None
    """The user's samples: trained_on, held_out and the accuracies before and after."""
    file: str | None = None
    file_size_bytes: int | None = None
    saved: str | None = None
    """ISO 8601 time of the save."""
    litert: LiteRTRecord | None = None
    """What ties the ``.tflite`` beside the model to it (see :mod:`digitpad.ml.litert`)."""
    unknown: dict[str, Any] = field(default_factory=dict)
    """Entries this version does not read, kept so that writing the card back loses nothing."""

    @staticmethod
    def path_for(model_path: str | os.PathLike[str]) -> Path:
        """The card lives next to the model: ``name.keras`` -> ``name.json``."""
        return Path(model_path).with_suffix(CARD_SUFFIX)

    @classmethod
    def read(cls, model_path: str | os.PathLike[str]) -> ModelCard:
        """The card of the model at ``model_path``; empty when it has no (readable) card: the
        model still serves, it just has no figures to show."""
        try:
            data = read_json_file(cls.path_for(model_path), MAX_CARD_BYTES)
        except (OSError, JsonFileError):
            return cls()
        return cls.from_json(data)

    @classmethod
    def from_json(cls, data: object) -> ModelCard:
        """The card in a parsed JSON value; anything but an object is an empty card."""
        if not isinstance(data, dict):
            return cls()
        values: dict[str, Any] = {}
        unknown = dict(data)
        for entry in _entries():
            value = data.get(entry.name)
            if not _fits(value, _json_types(entry)):
                continue
            if entry.name == "litert":
                value = LiteRTRecord.from_json(value)
                if value is None:  # not a record this version can use: keep it as it was
                    continue
            values[entry.name] = value
            del unknown[entry.name]
        return cls(**values, unknown=unknown)

    def to_json(self) -> dict[str, Any]:
        """The card as the JSON object written to disk."""
        data: dict[str, Any] = {}
        for entry in _entries():
            value = getattr(self, entry.name)
            if value is not None:
                data[entry.name] = value.to_json() if isinstance(value, LiteRTRecord) else value
        for key, value in self.unknown.items():
            data.setdefault(key, value)
        return data

    def write(self, model_path: str | os.PathLike[str]) -> None:
        """Write the card beside ``model_path`` atomically: a reader sees the old or the new."""
        write_text_atomic(self.path_for(model_path), json.dumps(self.to_json(), indent=2) + "\n")

    def replace(self, **changes: Any) -> ModelCard:
        """This card with some fields changed (a card is never changed in place)."""
        return dataclasses.replace(self, **changes)

    def is_empty(self) -> bool:
        """True for a model that came without a card (not trained by digitpad)."""
        return not self.to_json()

    @property
    def saved_at(self) -> datetime | None:
        """When the model was saved, in UTC if the card gives no zone; None if unknown."""
        if self.saved is None:
            return None
        try:
            saved = datetime.fromisoformat(self.saved)
        except ValueError:
            return None
        return saved if saved.tzinfo is not None else saved.replace(tzinfo=timezone.utc)

    @property
    def samples_trained_on(self) -> int | None:
        """How many of the user's samples the model learned from, if any."""
        return (self.personal_samples or {}).get("trained_on")

    @property
    def drawings_accuracy(self) -> float | None:
        """Accuracy on labelled drawings the model never learned from (for digitpad's models,
        the held-out pen writers'), if it was judged on any."""
        return (self.ink_evaluation or {}).get("accuracy")

    @property
    def samples_accuracy(self) -> float | None:
        """Accuracy on the user's samples held out of its training, if it learned from some."""
        samples = self.personal_samples or {}
        return samples.get("held_out_accuracy_after", samples.get("held_out_accuracy"))

    def figures(self) -> list[tuple[str, str]]:
        """The card's figures a person asks about, as (what, value) in words, those it has."""
        rows: list[tuple[str, str]] = []

        def add(label: str, value: Any) -> None:
            if value is not None:
                rows.append((label, str(value)))

        add("architecture", self.architecture)
        if self.parameters is not None:
            add("parameters", f"{self.parameters:,}")
        if self.file_size_bytes is not None:
            add("file size", f"{self.file_size_bytes / 1e6:.2f} MB")
        add("data", self.data)
        add("seed", (self.config or {}).get("seed"))
        add("epochs", self.epochs_run)
        add("command", self.command)
        if self.mnist_test_accuracy is not None:
            add("MNIST test accuracy", f"{self.mnist_test_accuracy:.2%}")
        ink = self.ink_evaluation
        if ink:
            add(f"accuracy on {ink['file']}", f"{ink['accuracy']:.2%} ({ink['samples']} drawings)")
        if self.samples_accuracy is not None:
            held_out = (self.personal_samples or {}).get("held_out")
            add("accuracy on your held-out samples", f"{self.samples_accuracy:.2%}"
                + (f" ({held_out} samples)" if held_out else ""))
        add("saved", self.saved)
        return rows

    def describe(self) -> str:
        """The card's figures as a few lines of plain text (for ``info``)."""
        if self.is_empty():
            return "model card: none (this model was not trained by digitpad)"
        return "\n".join(["model card:", *(f"  {label}: {value}" for label, value in
                                           self.figures())])


def _entries() -> tuple[dataclasses.Field[Any], ...]:
    """The fields that are card entries (all but ``unknown``)."""
    return tuple(entry for entry in dataclasses.fields(ModelCard) if entry.name != "unknown")


def _json_types(entry: dataclasses.Field[Any]) -> tuple[type, ...]:
    return _JSON_TYPES[re.split(r"[\[ |]", str(entry.type))[0]]


def _fits(value: object, types: tuple[type, ...]) -> bool:
    """``value`` is one of the JSON ``types`` (a JSON true is not a number here)."""
    return isinstance(value, types) and not isinstance(value, bool)
