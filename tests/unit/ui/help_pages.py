"""Reading Help's pages as the user does: the keys in the platform's words, the shortcut list's
rows."""

from __future__ import annotations

import re

from PySide6.QtGui import QKeySequence


def native(key: str) -> str:
    """A key as the platform writes it (the shortcut list's words: ⌘ on macOS)."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def shortcut_rows(html: str) -> dict[str, list[str]]:
    """Keyboard Shortcuts as shown: each action's text and its keys."""
    return {text: re.findall(r"<b>(.*?)</b>", keys)
            for text, keys in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", html)}
