"""The user's retrained models: a folder of ``.keras`` files with their model cards. No Qt here.

The folder lives in the user's data directory (``paths.user_data_dir() / "models"``), never in the
install or the frozen bundle. Every model is written with :func:`digitpad.ml.modelstore.save_model`,
which moves the ``.keras`` into place last, after its ``.tflite`` and card: a crash, a kill or a
full disk leaves either no model or a whole one. What such an interruption can leave behind is
hidden temporary files, and a card or ``.tflite`` whose ``.keras`` never appeared; History lists
neither, and :meth:`ModelLibrary.remove_leftovers` clears both. Which model is in use is the UI's
business (it is a setting); this module only knows what is on disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from digitpad.atomic import remove_stale
from digitpad.ml.card import CARD_SUFFIX, ModelCard
from digitpad.ml.litert import LITERT_SUFFIX, beside_path

MODELS_DIR_NAME = "models"
MODEL_SUFFIX = ".keras"
LEFTOVER_AGE_SECONDS = 600.0
"""A temporary file, or a card or ``.tflite`` without its model, older than this belongs to no save
still running (a save takes seconds), so it was left by a run that was killed; a younger one may be
another app instance's save in progress."""


@dataclass(frozen=True)
class LibraryModel:
    """One model in the library and the facts its card records."""

    path: Path
    card: ModelCard

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def architecture(self) -> str | None:
        return self.card.architecture

    @property
    def epochs(self) -> int | None:
        return self.card.epochs_run

    @property
    def test_accuracy(self) -> float | None:
        return self.card.mnist_test_accuracy

    @property
    def pen_accuracy(self) -> float | None:
        return self.card.drawings_accuracy

    @property
    def samples_accuracy(self) -> float | None:
        return self.card.samples_accuracy

    @property
    def history(self) -> dict[str, list[float]]:
        return self.card.history or {}

    @property
    def saved(self) -> datetime:
        """When the model was saved (from its card; the file's time if the card has none)."""
        saved = self.card.saved_at
        if saved is None:
            return datetime.fromtimestamp(self.path.stat().st_mtime, timezone.utc)
        return saved

    @property
    def origin(self) -> str:
        """What the model learned from, in a few words for a list."""
        trained_on = self.card.samples_trained_on
        if self.card.fine_tuned_from is not None:
            return f"{self.card.fine_tuned_from} fine-tuned on {trained_on} of your samples"
        if trained_on:
            return f"MNIST and {trained_on} of your samples"
        return "MNIST"


class ModelLibrary:
    """The folder of retrained models; every method reads the disk afresh (another app instance
    may have changed it)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    @classmethod
    def in_data_dir(cls, data_dir: str | os.PathLike[str]) -> ModelLibrary:
        return cls(Path(data_dir) / MODELS_DIR_NAME)

    def new_path(self, architecture: str, now: datetime | None = None) -> Path:
        """A free file name for a new model, e.g. ``2025-03-01_141502_cnn.keras``.

        Only the name is chosen; the folder is created when the model is saved.
        """
        stamp = (now or datetime.now()).strftime("%Y-%m-%d_%H%M%S")
        path = self.directory / f"{stamp}_{architecture}{MODEL_SUFFIX}"
        counter = 2
        while path.exists() or ModelCard.path_for(path).exists():
            path = self.directory / f"{stamp}_{architecture}_{counter}{MODEL_SUFFIX}"
            counter += 1
        return path

    def models(self) -> list[LibraryModel]:
        """The finished models, newest first (hidden temporary files are not models)."""
        if not self.directory.is_dir():
            return []
        found = [
            LibraryModel(path, ModelCard.read(path))
            for path in self.directory.glob(f"*{MODEL_SUFFIX}")
            if not path.name.startswith(".") and path.is_file()
        ]
        return sorted(found, key=lambda model: (model.saved, model.name), reverse=True)

    def get(self, path: str | os.PathLike[str]) -> LibraryModel | None:
        """The library's model at ``path``, or None when ``path`` is not one of them."""
        path = Path(path)
        if not self.contains(path) or not path.is_file():
            return None
        return LibraryModel(path, ModelCard.read(path))

    def contains(self, path: str | os.PathLike[str]) -> bool:
        path = Path(path)
        return path.suffix == MODEL_SUFFIX and path.resolve().parent == self.directory.resolve()

    def delete(self, path: str | os.PathLike[str]) -> None:
        """Remove a model, its LiteRT form, its card and any temporary file of an interrupted
        save of them.

        Raises ValueError for a path outside the library (the bundled model, a user's own file):
        those are never ours to delete.
        """
        path = Path(path)
        if not self.contains(path):
            raise ValueError(
                f"{path} is not in the model library {self.directory}; only retrained models "
                "can be deleted"
            )
        for leftover in self.directory.glob(f".{path.name}.*"):
            leftover.unlink(missing_ok=True)
        for derived in (ModelCard.path_for(path), beside_path(path)):
            for leftover in self.directory.glob(f".{derived.name}.*"):
                leftover.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        beside_path(path).unlink(missing_ok=True)
        ModelCard.path_for(path).unlink(missing_ok=True)

    def remove_leftovers(self, older_than: float = LEFTOVER_AGE_SECONDS) -> list[Path]:
        """Delete what killed saves left behind; returns what was removed.

        That is hidden temporary files, and a card or ``.tflite`` whose ``.keras`` does not exist
        (a save writes them before it moves the model into place). Only files older than
        ``older_than`` seconds: a younger one may be part of a save still running.
        """
        if not self.directory.is_dir():
            return []
        return remove_stale([*self.directory.glob(".*.tmp*"), *self._orphans()], older_than)

    def _orphans(self) -> list[Path]:
        """Cards and ``.tflite`` files beside no ``.keras`` of the same name."""
        return [
            path
            for suffix in (CARD_SUFFIX, LITERT_SUFFIX)
            for path in self.directory.glob(f"*{suffix}")
            if not path.name.startswith(".") and not path.with_suffix(MODEL_SUFFIX).exists()
        ]
