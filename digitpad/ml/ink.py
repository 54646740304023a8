"""The ink format: a drawing is a list of strokes, a stroke the ordered points of one pen-down.

Points are (x, y) with y pointing down, in any unit (canvas pixels, tablet units): everything
downstream normalises by the drawing's own size, so the unit never matters.

On disk a drawing is JSON, either one drawing ``{"strokes": [[[x, y], ...], ...]}`` or a list of
samples ``[{"strokes": ..., "label": 0-9 (optional), ...}, ...]`` (the pendigits layout).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.atomic import write_text_atomic
from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.jsonfile import JsonFileError, JsonTooLarge, read_json_file


class InkError(ValueError):
    """Raised when ink data is malformed; the message names the sample and what is wrong."""


class SampleError(ValueError):
    """A sample, or a value for one, that is not valid; says what was received and expected.

    Here rather than in :mod:`digitpad.samples`: learning from samples raises it too, and the ML
    core does not depend on the sample store."""


Stroke = np.ndarray  # shape (n_points, 2), float64

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Ink files larger than this are refused unread: the pendigits set, 7,494 drawings, is 2 MB."""
MAX_DRAWINGS = 100_000
"""Drawings in one file; more is refused before any is parsed."""
MAX_POINTS = 100_000
"""Points in one drawing, all strokes together; a digit drawn on the canvas has a few hundred."""
MAX_COORDINATE = 1e9
"""Largest coordinate magnitude: far beyond any canvas or tablet, and small enough that a
drawing's size and its scaling to 20 pixels stay ordinary floating-point numbers."""
_SHOWN_CHARS = 40
"""Values quoted in an error message are cut to this many characters."""


@dataclass(frozen=True)
class Drawing:
    """One drawing: its strokes and, for labelled data, the digit it shows."""

    strokes: tuple[Stroke, ...] = ()
    label: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_empty(self) -> bool:
        return not any(len(stroke) for stroke in self.strokes)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this drawing (integers stay integers, so files stay compact)."""
        data: dict[str, Any] = dict(self.extra)
        if self.label is not None:
            data["label"] = self.label
        data["strokes"] = [[_json_number_pair(p) for p in stroke] for stroke in self.strokes]
        return data


def strokes_fingerprint(drawing: Drawing) -> str:
    """SHA-256 of the drawing's points: the same drawing has the same fingerprint wherever it
    came from (a file, the canvas, the store), whatever its label or extra keys."""
    strokes = drawing.to_json()["strokes"]
    return hashlib.sha256(json.dumps(strokes, separators=(",", ":")).encode()).hexdigest()


def _json_number_pair(point: np.ndarray) -> list[float | int]:
    return [int(v) if float(v).is_integer() else float(v) for v in point]


def make_drawing(strokes: Iterable[Iterable[Sequence[float]]], label: int | None = None) -> Drawing:
    """Build a validated drawing from plain Python point lists."""
    return parse_drawing({"strokes": [list(s) for s in strokes], "label": label}, where="drawing")


def parse_drawing(obj: Any, where: str = "drawing") -> Drawing:
    """Validate one JSON sample/drawing object and return it as a :class:`Drawing`."""
    if not isinstance(obj, dict):
        raise InkError(f"{where}: expected an object with a 'strokes' key, got {_kind(obj)}")
    if "strokes" not in obj:
        raise InkError(f"{where}: missing the 'strokes' key")
    raw_strokes = obj["strokes"]
    if not isinstance(raw_strokes, list):
        raise InkError(f"{where}: 'strokes' must be a list of strokes, got {_kind(raw_strokes)}")
    points = sum(len(raw) for raw in raw_strokes if isinstance(raw, list))
    if points > MAX_POINTS:
        raise InkError(
            f"{where}: {points:,} points; a drawing may have at most {MAX_POINTS:,}")
    strokes = tuple(_parse_stroke(raw, f"{where}, stroke {i}") for i, raw in enumerate(raw_strokes))
    label = _parse_label(obj.get("label"), where)
    extra = {k: v for k, v in obj.items() if k not in ("strokes", "label")}
    return Drawing(tuple(s for s in strokes if len(s)), label, extra)


def _parse_stroke(raw: Any, where: str) -> Stroke:
    if not isinstance(raw, list):
        raise InkError(f"{where}: a stroke must be a list of [x, y] points, got {_kind(raw)}")
    fast = _json_points(raw)
    if fast is not None:
        return fast
    points = np.empty((len(raw), 2), dtype=np.float64)
    for j, point in enumerate(raw):
        if (
            not isinstance(point, (list, tuple))
            or len(point) != 2
            or not all(_is_number(v) for v in point)
        ):
            raise InkError(
                f"{where}, point {j}: expected [x, y] with two numbers, got {_short(point)}")
        try:
            x, y = float(point[0]), float(point[1])
        except OverflowError:
            x = y = math.inf
        if math.isnan(x) or math.isnan(y):
            raise InkError(
                f"{where}, point {j}: coordinates must be finite numbers, got {_short(point)}")
        if not (abs(x) <= MAX_COORDINATE and abs(y) <= MAX_COORDINATE):
            raise InkError(
                f"{where}, point {j}: out of range; coordinates must be finite and within "
                f"±{MAX_COORDINATE:,.0f}, got {_short(point)}")
        points[j] = (x, y)
    return points


_JSON_NUMBERS = {int, float}
"""The types JSON numbers decode to; ``bool`` is an ``int`` to Python but not a coordinate."""


def _json_points(raw: list[Any]) -> Stroke | None:
    """The stroke as an (n, 2) array when every point is a pair of JSON numbers in range (the
    common case, checked at C speed), else None: the caller finds and names the bad point."""
    try:
        if not set(map(type, chain.from_iterable(raw))) <= _JSON_NUMBERS:
            return None
        points = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    if points.shape != (len(raw), 2) or not (np.abs(points) <= MAX_COORDINATE).all():
        return None
    return points


def _parse_label(raw: Any, where: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < NUM_CLASSES:
        shown = "a number too long to show" if raw == float("inf") else _short(raw)
        raise InkError(f"{where}: 'label' must be a digit 0-9, got {shown}")
    return raw


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _short(value: Any) -> str:
    """``repr(value)``, cut short: a hostile file's value must not flood the one-line message."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string"}.get(
        type(value), type(value).__name__
    )


def parse_ink(data: Any, source: str = "ink") -> list[Drawing]:
    """Parse decoded JSON that is one drawing or a list of samples."""
    return list(iter_ink(data, source))


def iter_ink(data: Any, source: str = "ink") -> Iterator[Drawing]:
    """Like :func:`parse_ink`, one drawing at a time, so a consumer can start on the first."""
    if isinstance(data, dict):
        yield parse_drawing(data, where=source)
    elif isinstance(data, list):
        if len(data) > MAX_DRAWINGS:
            raise InkError(
                f"{source}: {len(data):,} drawings; a file may hold at most {MAX_DRAWINGS:,}")
        for i, obj in enumerate(data):
            yield parse_drawing(obj, where=f"{source}: sample {i}")
    else:
        raise InkError(
            f"{source}: expected a drawing object or a list of samples, got {_kind(data)}")


def read_ink_json(path: str | os.PathLike[str]) -> Any:
    """The decoded JSON of an ink file; raises :class:`InkError` naming the file on any problem."""
    path = Path(path)
    try:
        return read_json_file(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise InkError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    except JsonTooLarge as exc:
        raise InkError(
            f"{path}: too big for an ink file; the limit is {MAX_FILE_BYTES // 2**20} MB") from exc
    except JsonFileError as exc:
        raise InkError(f"{path}: {exc}; expected ink JSON") from exc


def load_ink(path: str | os.PathLike[str]) -> list[Drawing]:
    """Read an ink JSON file; raises :class:`InkError` with the file name on any problem."""
    return parse_ink(read_ink_json(path), source=str(path))


def save_ink(path: str | os.PathLike[str], drawings: Drawing | Sequence[Drawing]) -> None:
    """Write ink JSON atomically: one :class:`Drawing` as an object, a sequence as a list."""
    payload: Any = (
        drawings.to_json() if isinstance(drawings, Drawing) else [d.to_json() for d in drawings]
    )
    write_text_atomic(Path(path), json.dumps(payload, separators=(",", ":")))
