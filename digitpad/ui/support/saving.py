"""Writing a file the user asked for: pictures encoded in memory, and one message for a save that
failed, with what to do."""

from __future__ import annotations

import errno
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

_NO_ROOM = frozenset({errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)})
"""A full disk, a file size limit or a quota: the write was refused part-way."""


def png_bytes(image: QImage) -> bytes:
    """The picture as PNG, encoded in memory. Written to the file by Python, a write the disk
    refuses is an error, not a PNG cut short that Qt's encoder would report as saved."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("the picture could not be encoded as PNG")
    buffer.close()
    return data.data()


def save_problem(path: Path, error: OSError, existed: bool) -> str:
    """What the user reads when saving ``path`` failed; ``existed``: a file was there before
    (the atomic write left it as it was)."""
    kept = " The file that was there is unchanged." if existed else ""
    if error.errno in _NO_ROOM:
        return (f"{path}: not saved, there is no room for it on the disk ({error.strerror}).\n\n"
                f"Free some space or choose another disk, then save again.{kept}")
    return f"{path}: {error.strerror or error}\n\nChoose a folder you can write to.{kept}"
