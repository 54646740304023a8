"""The one place that knows where things live: bundled assets (source tree or frozen bundle)."""

from __future__ import annotations

import sys
from pathlib import Path

BUNDLED_MODEL_NAME = "digitpad-cnn.keras"


def assets_dir() -> Path:
    """``assets/`` beside the package in a checkout or install, or inside a PyInstaller bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "assets"
    package_root = Path(__file__).resolve().parent
    for candidate in (package_root / "assets", package_root.parent / "assets"):
        if candidate.is_dir():
            return candidate
    return package_root.parent / "assets"


def bundled_model_path() -> Path:
    return assets_dir() / BUNDLED_MODEL_NAME


def shipped_data_dir() -> Path:
    """The training data that ships with digitpad (MNIST, the pen-drawn digits), so that
    training needs no download; see ``assets/data/README.md``."""
    return assets_dir() / "data"


APP_NAME = "digitpad"
LOG_NAME = "digitpad.log"
"""The app's log in the user data folder; the command line adds its faults' tracebacks."""


def user_data_dir() -> Path:
    """Where the user's own files live (retrained models, samples, logs); never the install.

    Qt's AppDataLocation, so the app and the command line agree (on Linux
    ``~/.local/share/digitpad``). Only QtCore is imported: no window or application is needed.
    """
    from PySide6.QtCore import QCoreApplication, QStandardPaths

    QCoreApplication.setApplicationName(APP_NAME)
    location = QStandardPaths.StandardLocation.AppDataLocation
    return Path(QStandardPaths.writableLocation(location))


def litert_cache_dir(data_dir: Path | None = None) -> Path:
    """LiteRT forms of the models the user opened that came without one (keyed by file hash)."""
    from digitpad.ml.litert import CACHE_DIR_NAME

    return (data_dir if data_dir is not None else user_data_dir()) / CACHE_DIR_NAME


def child_log_path(data_dir: Path | None = None) -> Path:
    """Where training and conversion processes write what TensorFlow prints."""
    return (data_dir if data_dir is not None else user_data_dir()) / "training.log"


def trusted_model_dirs(data_dir: Path | None = None) -> tuple[Path, ...]:
    """The folders whose models' ``.tflite`` files digitpad made itself: the bundled model's and
    the library of retrained ones. Only these are served as they are (see ``Recognizer.load``)."""
    from digitpad.ml.model_library import MODELS_DIR_NAME

    return assets_dir(), (data_dir if data_dir is not None else user_data_dir()) / MODELS_DIR_NAME
