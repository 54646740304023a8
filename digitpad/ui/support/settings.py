"""Typed reads of the user's settings: a hand-edited or damaged value is ignored, never a crash.

``QSettings`` in INI format hands back whatever the file holds: a string for most values (numbers
and booleans too), a list for ``a, b``, a ``QByteArray``, ``QSize``… for ``@Type(…)``, ``None``
for a ``@Variant`` it cannot decode. Each reader accepts only what digitpad itself writes at that
key and otherwise returns the default, logging which key it ignored. Nothing here writes: a value
that comes back valid (a folder that is mounted again) is used again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_TEXT = 4096
"""The longest text a value may hold (the longest path Linux accepts); longer is damage."""
_SHOWN_CHARS = 60


def read_text(settings: QSettings, key: str, default: str = "") -> str:
    """The text at ``key``, or ``default``: a text holds no NUL and at most ``MAX_TEXT``
    characters."""
    value = settings.value(key)
    if value is None:
        return default
    if isinstance(value, str) and len(value) <= MAX_TEXT and "\0" not in value:
        return value
    return _ignored(settings, key, value, "a text", default)


def read_choice(settings: QSettings, key: str, choices: Collection[str], default: str) -> str:
    """One of ``choices`` (exactly as digitpad writes it), or ``default``."""
    value = read_text(settings, key, default)
    if value in choices:
        return value
    return _ignored(settings, key, value, f"one of {', '.join(choices)}", default)


def read_bool(settings: QSettings, key: str, default: bool) -> bool:
    """``true`` or ``false``, or ``default`` (Qt's own conversion calls any other text true)."""
    value = settings.value(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return _ignored(settings, key, value, "true or false", default)


def read_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """The bytes digitpad saved at ``key`` (a window's geometry), or None."""
    value = settings.value(key)
    if value is None:
        return None
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    return _ignored(settings, key, value, "saved bytes", None)


def read_path(settings: QSettings, key: str) -> Path | None:
    """The absolute path at ``key``, or None. Whether anything is there is left to the loader
    that opens it: a model or dataset that is gone is explained to the user, not forgotten
    quietly."""
    text = read_text(settings, key)
    if not text:
        return None
    path = Path(text)
    if path.is_absolute():
        return path
    return _ignored(settings, key, text, "an absolute path", None)


def read_folder(settings: QSettings, key: str) -> Path | None:
    """The path at ``key`` if it names a folder now, or None."""
    path = read_path(settings, key)
    if path is None:
        return None
    try:
        found = path.is_dir()
    except OSError:  # a name too long for the file system, a folder we may not look into
        found = False
    return path if found else _ignored(settings, key, str(path), "a folder that exists", None)


def settings_problem(settings: QSettings) -> str | None:
    """What the user should know when the settings file cannot be used, after the first read
    (logged too); None when it can. The app runs on without it: QSettings then keeps values in
    memory only."""
    name = settings.fileName()
    problems = []
    if settings.status() == QSettings.Status.FormatError:
        problems.append(f"{name} is damaged: what could be read of it is used, and it is written "
                        "afresh when digitpad closes")
    elif settings.status() == QSettings.Status.AccessError:
        problems.append(f"{name} cannot be read; digitpad starts with its defaults")
    if not settings.isWritable():
        problems.append(f"{name} cannot be written, so the window size, pen, model and folders "
                        "chosen now will not be remembered")
    if not problems:
        return None
    problem = "; ".join(problems)
    log.warning("%s", problem)
    return problem


def _ignored(settings: QSettings, key: str, value: object, expected: str, default: T) -> T:
    shown = repr(value)
    if len(shown) > _SHOWN_CHARS:
        shown = shown[: _SHOWN_CHARS - 1] + "…"
    log.warning("%s: ignoring %s = %s (expected %s)", settings.fileName(), key, shown, expected)
    return default
