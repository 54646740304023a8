"""Atomic file writes: readers (and a crash) see either the old file or the whole new one."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_DEFAULT_MODE = 0o644


@contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it over ``path`` with os.replace.

    The temporary file lives in the same directory so that the final rename is atomic on every
    platform. On any error (or interrupt) the temporary file is removed and ``path`` is untouched.
    ``suffix`` lets libraries that check the extension (Keras wants ``.keras``) accept the path.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".tmp{suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); give it the target's mode, or an ordinary file's.
    tmp.chmod(target.stat().st_mode & 0o777 if target.exists() else _DEFAULT_MODE)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_with_atomic(
    path: str | os.PathLike[str], writer: Callable[[Path], None], suffix: str = ""
) -> None:
    """Let ``writer`` fill a temporary file, then move it into place atomically."""
    with atomic_path(path, suffix=suffix) as tmp:
        writer(tmp)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def remove_stale(paths: Iterable[Path], older_than: float) -> list[Path]:
    """Delete the files among ``paths`` last changed more than ``older_than`` seconds ago (what
    killed writes left behind: a younger one may belong to a write still running); returns what
    was removed."""
    cutoff = time.time() - older_than
    removed = []
    for path in paths:
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # another instance cleaned it up first
            continue
    return removed
