"""``read``: every drawing in the files read as text, a number of up to twelve digits or one digit.

Ink is grouped into digits by :mod:`digitpad.ml.numbers`, a picture by
:mod:`digitpad.ml.number_images`. A drawing is claimed as a number only when every part of it is
a digit: when the model finds any part likelier no digit, or there are more than twelve parts,
the drawing is "not a digit", and its parts are still listed, each marked.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

from digitpad.cli.common import (
    drawing_names,
    is_ink,
    load_recognizer,
    writer_sevens,
)
from digitpad.ml.ink import iter_ink, read_ink_json
from digitpad.ml.number_images import read_number_image
from digitpad.ml.numbers import DigitReading, NumberReading, read_number
from digitpad.ml.preprocess import load_gray

DIGIT, NUMBER, NOT_A_DIGIT, EMPTY = "digit", "number", "not-a-digit", "empty"
"""The kinds of drawing ``read --json`` reports."""
SAID = {NOT_A_DIGIT: "not a digit", EMPTY: "empty"}
"""How the plain output says the kinds that have no text."""


def read_command(args: argparse.Namespace) -> int:
    recognizer = load_recognizer(args.model)
    recognizer.sevens = writer_sevens(args.sevens)
    results = [_result(*found) for found in _readings(args.paths, recognizer)]
    if args.json:
        json.dump({"results": [entry for _, entry in results]}, sys.stdout)
        sys.stdout.write("\n")
    else:
        for name, entry in results:
            print(f"{name}: {entry['text'] or SAID[entry['kind']]}")
    return 0


def _readings(paths: list[str], recognizer: Any
              ) -> Iterator[tuple[str, str, int, NumberReading]]:
    """(file, label for humans, index in the file, reading) of every drawing, in order."""
    for path in paths:
        if not is_ink(path):
            yield path, path, 0, read_number_image(load_gray(path), recognizer)
            continue
        data = read_ink_json(path)
        for index, (name, drawing) in enumerate(
                zip(drawing_names(path, data), iter_ink(data, source=path), strict=True)):
            yield path, name, index, read_number(drawing.strokes, recognizer)


def _result(file: str, name: str, index: int, reading: NumberReading
            ) -> tuple[str, dict[str, Any]]:
    """The drawing's label for humans and its JSON entry."""
    if reading.too_many or any(d.prediction.is_not_a_digit for d in reading.digits):
        kind = NOT_A_DIGIT
    elif not reading.digits:
        kind = EMPTY
    else:
        kind = DIGIT if len(reading.digits) == 1 else NUMBER
    return name, {
        "file": file,
        "index": index,
        "kind": kind,
        "text": reading.text if kind in (DIGIT, NUMBER) else "",
        "digits": [_part(d) for d in reading.digits],
    }


def _part(digit: DigitReading) -> dict[str, Any]:
    """A part of a drawing: its digit and how sure the model is, or, for a part that is likelier
    no digit, ``"digit": null``, ``"not_a_digit": true`` and how sure it is of that."""
    box = [float(v) if isinstance(v, float) else int(v) for v in digit.box]
    if digit.prediction.is_not_a_digit:
        return {"digit": None, "confidence": round(digit.prediction.not_a_digit, 6), "box": box,
                "not_a_digit": True}
    return {"digit": digit.digit, "confidence": round(digit.confidence, 6), "box": box}
