"""Reading JSON that a user (or an attacker) may hand us: ink files, model cards, a model's own
``config.json``. No Qt here.

Python's ``json`` decodes recursively (a file of 100,000 ``[`` exhausts the stack) and refuses
integer literals longer than 4,300 digits with a message written for programmers. So the text's
nesting is measured before it is decoded, in linear time at C speed, and an over-long integer
decodes as infinity, which every reader then refuses by name.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

MAX_NESTING = 64
"""JSON nesting deeper than this is none of ours (a list of ink samples is five levels deep, a
Keras model's config about twelve)."""
_MAX_INT_DIGITS = 1000
"""In a text with an integer literal too long for Python, literals longer than this decode as
floats; nothing of ours needs more than twenty digits."""


class JsonFileError(ValueError):
    """The text is not JSON we can read; the message says why in a user's words ("not valid
    JSON (line 3, …)"), without the file's name: the caller names it."""


class JsonTooLarge(JsonFileError):
    """The file is larger than its reader's limit; refused unread."""


def read_json_file(path: str | os.PathLike[str], max_bytes: int) -> Any:
    """The decoded JSON of the file at ``path``; raises OSError, JsonTooLarge, or JsonFileError
    (too deep, not UTF-8 text, not valid JSON)."""
    with Path(path).open("rb") as file:
        raw = file.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise JsonTooLarge(f"larger than the limit of {_size(max_bytes)}")
    return decode_json_bytes(raw)


def decode_json_bytes(raw: bytes) -> Any:
    """Decode ``raw`` safely (see the module's docstring); raises JsonFileError."""
    if not raw.strip():
        raise JsonFileError("the file is empty")
    # UTF-8 with or without a byte-order mark (Windows editors write one), UTF-16 or UTF-32, as
    # JSON's standard allows. Brackets are counted in UTF-8, where they are single bytes.
    encoding = json.detect_encoding(raw)
    if encoding == "utf-8":
        utf8 = raw
    else:
        try:
            utf8 = raw.decode(encoding).removeprefix("\ufeff").encode("utf-8")
        except UnicodeError as exc:
            raise JsonFileError("not a text file") from exc
    if nesting(utf8) > MAX_NESTING:
        raise JsonFileError(f"not JSON we can read: nested more than {MAX_NESTING} levels deep")
    try:
        text = utf8.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonFileError("not a text file") from exc
    try:
        return _decode(text)
    except json.JSONDecodeError as exc:
        raise JsonFileError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc


def nesting(raw: bytes) -> int:
    """How deep the JSON text's brackets nest, outside strings; linear and at C speed."""
    depth = _bracket_depth(raw)
    if depth > MAX_NESTING and b'"' in raw:  # brackets inside strings do not nest
        depth = _bracket_depth(_JSON_STRING.sub(b'""', raw))
    return depth


def _bracket_depth(raw: bytes) -> int:
    steps = _BRACKET_STEP[np.frombuffer(raw.translate(None, _NOT_BRACKETS), dtype=np.uint8)]
    return int(np.cumsum(steps).max()) if len(steps) else 0


_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_BRACKET_STEP = np.zeros(256, dtype=np.int64)
_BRACKET_STEP[list(b"[{")] = 1
_BRACKET_STEP[list(b"]}")] = -1
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def _decode(text: str) -> Any:
    """``json.loads``; the integer hook slows decoding by a third, so it is used only when plain
    decoding hit Python's digit limit."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:
        return json.loads(text, parse_int=_parse_int)


def _parse_int(literal: str) -> int | float:
    return int(literal) if len(literal) <= _MAX_INT_DIGITS else float(literal)


def _size(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 2**10} KB"
