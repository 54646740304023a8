"""``classify``, ``evaluate`` and ``info``: the subcommands that read with a model (on LiteRT)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.cli.common import (
    drawing_names,
    evaluate_drawings,
    is_ink,
    load_recognizer,
    writer_sevens,
)
from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.ink import iter_ink, load_ink, read_ink_json
from digitpad.ml.preprocess import load_image


def _file_size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:  # reading it will say what is wrong
        return 0


def _model_inputs(paths: Sequence[str], renderer: Any, names: list[tuple[str, str]]
                  ) -> Iterator[np.ndarray | None]:
    """Every drawing in the files as a model input, lazily: a big ink file is still being read
    while its first drawings are rendered and classified. ``names`` gets each one's file and
    its label for humans (``file#3`` for the fourth drawing of a file of many)."""
    for path in paths:
        if not is_ink(path):
            names.append((path, path))
            yield load_image(path)
            continue
        data = read_ink_json(path)
        names.extend((path, name) for name in drawing_names(path, data))
        yield from renderer.render(iter_ink(data, source=path))


def classify_command(args: argparse.Namespace) -> int:
    from digitpad.ml.render_pool import PARALLEL_FROM_BYTES, InkRenderer

    ink_bytes = sum(_file_size(path) for path in args.paths if is_ink(path))
    names: list[tuple[str, str]] = []
    with InkRenderer(parallel=ink_bytes >= PARALLEL_FROM_BYTES) as renderer:
        recognizer = load_recognizer(args.model)
        recognizer.sevens = writer_sevens(args.sevens)
        predictions = recognizer.predict_stream(_model_inputs(args.paths, renderer, names))
    if args.json:
        results = [
            {
                "file": file,
                "index": i,  # counts every drawing of every file, as it always has
                "digit": p.digit,
                "confidence": round(p.confidence, 6),
                "probabilities": [round(float(v), 6) for v in p.probabilities],
            }
            for i, ((file, _), p) in enumerate(zip(names, predictions, strict=True))
        ]
        json.dump({"results": results}, sys.stdout)
        sys.stdout.write("\n")
    else:
        for (_, name), p in zip(names, predictions, strict=True):
            verdict = "no digit (empty)" if p.digit is None else f"{p.digit}  ({p.confidence:.1%})"
            print(f"{name}: {verdict}")
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    drawings = load_ink(args.ink)
    recognizer = load_recognizer(args.model)
    report = evaluate_drawings(recognizer, drawings)
    print(f"model: {recognizer.name}")
    print(
        f"samples: {report['samples']}"
        + (f" ({report['skipped']} unlabelled or empty skipped)" if report["skipped"] else "")
    )
    print(f"accuracy: {report['accuracy']:.2%}")
    print(
        "per digit: "
        + "  ".join(
            f"{k}: {'-' if v is None else f'{v:.1%}'}"
            for k, v in report["per_digit_accuracy"].items()
        )
    )
    print("confusion (rows: true digit, columns: predicted):")
    print("     " + "".join(f"{k:>6}" for k in range(NUM_CLASSES)))
    for k, row in enumerate(report["confusion"]):
        print(f"  {k}: " + "".join(f"{v:>6}" for v in row))
    return 0


def info_command(args: argparse.Namespace) -> int:
    recognizer = load_recognizer(args.model)
    print(f"model: {recognizer.path}")
    print(recognizer.summary())
    print(recognizer.card.describe())
    return 0
