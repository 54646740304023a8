"""The command line: classify, evaluate, train and info. No Qt here.

Every user error (bad file, bad argument, broken model) becomes one line on stderr and exit code 2;
TensorFlow is imported only by the subcommands that need it.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from digitpad import __version__
from digitpad.ml.datasets import DatasetError
from digitpad.ml.digits import ARCHITECTURES, NUM_CLASSES
from digitpad.ml.ink import Drawing, InkError, iter_ink, load_ink, read_ink_json
from digitpad.ml.preprocess import ImageLoadError, load_image

if TYPE_CHECKING:
    from digitpad.ml.training_process import Message

EXIT_USAGE = 2
INK_SUFFIXES = (".json",)


class CliError(Exception):
    """A problem to report in one line, without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitpad",
        description="Draw a digit, watch a neural network read it. "
        "With no command, opens the drawing pad.",
    )
    parser.add_argument("--version", action="version", version=f"digitpad {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check the installation (model, samples, window) and exit 0 if all is well",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    classify = commands.add_parser(
        "classify",
        help="classify ink JSON files or images of digits",
        description="Print the digit and confidence for each drawing in the given files.",
    )
    classify.add_argument("paths", nargs="+", metavar="PATH", help="ink .json or PNG/JPEG files")
    classify.add_argument("--json", action="store_true", help="print machine-readable JSON")
    _add_model_argument(classify)

    evaluate = commands.add_parser(
        "evaluate",
        help="accuracy of a model on labelled ink",
        description="Accuracy, per-digit accuracy and confusion matrix on labelled ink JSON.",
    )
    evaluate.add_argument("ink", metavar="INK.json", help="labelled ink samples")
    _add_model_argument(evaluate)

    train = commands.add_parser(
        "train",
        help="train a model on MNIST",
        description="Train a model on MNIST, print progress, save it with its model card.",
    )
    train.add_argument("--arch", choices=ARCHITECTURES, default="cnn")
    train.add_argument("--epochs", type=_positive_int, default=5)
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        default=None,
        help="default: 32 for mlp (the tutorial), 128 for cnn",
    )
    train.add_argument("--learning-rate", type=float, default=1e-3)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--validation-fraction",
        type=float,
        default=0.1,
        help="part of the training data held out for validation",
    )
    train.add_argument(
        "--early-stopping",
        action="store_true",
        help="stop when validation loss stops improving; keep the best weights",
    )
    train.add_argument(
        "--data",
        metavar="PATH",
        default=None,
        help="mnist.npz to train on (default: Keras' cache, downloading if needed)",
    )
    train.add_argument("--out", metavar="PATH", required=True, help="where to write the .keras")
    train.add_argument(
        "--eval-ink",
        metavar="INK.json",
        default=None,
        help="also report accuracy on these labelled drawings in the model card",
    )
    train.add_argument(
        "--ink",
        metavar="INK.json",
        default=None,
        help="also train on these labelled drawings (rendered like the app's ink, "
        "with random variations), holding some writers out for evaluation",
    )
    train.add_argument(
        "--hold-out-writers",
        metavar="N",
        type=_positive_int,
        default=3,
        help="with --ink: hold out every N-th writer and report accuracy on them (default: 3)",
    )
    train.add_argument(
        "--ink-copies",
        metavar="K",
        type=_positive_int,
        default=4,
        help="with --ink: random variants rendered per drawing (default: 4)",
    )
    train.add_argument(
        "--samples",
        metavar="PATH_OR_DB",
        default=None,
        help="also learn from your own labelled drawings (an exported ink .json or the app's "
        "samples.db); a fifth of them is held out and its accuracy reported",
    )
    train.add_argument(
        "--limit",
        type=_positive_int,
        default=None,
        help="train on only the first N training images (quick runs)",
    )

    info = commands.add_parser("info", help="model summary and model card figures")
    _add_model_argument(info)
    return parser


def _add_model_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", metavar="PATH", default=None, help="a .keras model (default: the bundled one)"
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Run the parsed subcommand (``argv`` is recorded in model cards); returns the exit code."""
    args.argv = list(argv)
    handlers = {"classify": _classify, "evaluate": _evaluate, "train": _train, "info": _info}
    try:
        return handlers[args.command](args)
    except (CliError, InkError, ImageLoadError, DatasetError, ValueError, OSError) as exc:
        print(f"digitpad: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("digitpad: interrupted", file=sys.stderr)
        return 130


def _load_recognizer(path: str | None) -> Any:
    """The model to classify with, on LiteRT. A ``.keras`` file without a matching ``.tflite``
    is converted once, in a child process (TensorFlow), and cached in the user data folder."""
    from digitpad.ml.recognizer import NeedsConversion, Recognizer
    from digitpad.ml.training_process import CONVERT, JobFailed, TrainingJob, run_in_child
    from digitpad.paths import bundled_model_path, child_log_path, litert_cache_dir

    model_path = Path(path) if path is not None else bundled_model_path()
    cache_dir = litert_cache_dir()
    try:
        return Recognizer.load(model_path, cache_dir)
    except NeedsConversion:
        print(f"digitpad: preparing {model_path.name} for fast reading (once)…", file=sys.stderr)
    job = TrainingJob(CONVERT, output=str(cache_dir), current_model=str(model_path),
                      priority=0, log_path=str(child_log_path()))
    try:
        run_in_child(job)
    except JobFailed as exc:
        raise CliError(str(exc)) from exc
    return Recognizer.load(model_path, cache_dir)


def _is_ink(path: str) -> bool:
    return Path(path).suffix.lower() in INK_SUFFIXES


def _file_size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:  # reading it will say what is wrong
        return 0


def _model_inputs(paths: Sequence[str], renderer: Any, names: list[str]
                  ) -> Iterator[np.ndarray | None]:
    """Every drawing in the files as a model input, lazily: a big ink file is still being read
    while its first drawings are rendered and classified. ``names`` gets each one's label for
    humans (``file#3`` for the fourth drawing of a file of many)."""
    for path in paths:
        if not _is_ink(path):
            names.append(path)
            yield load_image(path)
            continue
        data = read_ink_json(path)
        many = isinstance(data, list) and len(data) > 1
        names.extend(f"{path}#{i}" if many else path
                     for i in range(len(data) if isinstance(data, list) else 1))
        yield from renderer.render(iter_ink(data, source=path))


def _classify(args: argparse.Namespace) -> int:
    from digitpad.ml.render_pool import PARALLEL_FROM_BYTES, InkRenderer

    ink_bytes = sum(_file_size(path) for path in args.paths if _is_ink(path))
    names: list[str] = []
    with InkRenderer(parallel=ink_bytes >= PARALLEL_FROM_BYTES) as renderer:
        recognizer = _load_recognizer(args.model)
        predictions = recognizer.predict_stream(_model_inputs(args.paths, renderer, names))
    if args.json:
        results = [
            {
                "index": i,
                "digit": p.digit,
                "confidence": round(p.confidence, 6),
                "probabilities": [round(float(v), 6) for v in p.probabilities],
            }
            for i, p in enumerate(predictions)
        ]
        json.dump({"results": results}, sys.stdout)
        sys.stdout.write("\n")
    else:
        for name, p in zip(names, predictions, strict=True):
            verdict = "no digit (empty)" if p.digit is None else f"{p.digit}  ({p.confidence:.1%})"
            print(f"{name}: {verdict}")
    return 0


def evaluate_drawings(recognizer: Any, drawings: Sequence[Drawing]) -> dict[str, Any]:
    """Accuracy, per-digit accuracy and the confusion matrix of a model on labelled drawings."""
    labelled = [d for d in drawings if d.label is not None and not d.is_empty]
    if not labelled:
        raise CliError("no labelled, non-empty drawings to evaluate; each sample needs a 'label'")
    predictions = recognizer.predict_drawings(labelled)
    truth = np.array([d.label for d in labelled])
    guess = np.array([p.digit for p in predictions])
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=int)
    np.add.at(confusion, (truth, guess), 1)
    per_digit = {
        str(k): (float(confusion[k, k] / confusion[k].sum()) if confusion[k].sum() else None)
        for k in range(NUM_CLASSES)
    }
    return {
        "samples": len(labelled),
        "skipped": len(drawings) - len(labelled),
        "accuracy": float(np.trace(confusion) / confusion.sum()),
        "per_digit_accuracy": per_digit,
        "confusion": confusion.tolist(),
    }


def _evaluate(args: argparse.Namespace) -> int:
    drawings = load_ink(args.ink)
    recognizer = _load_recognizer(args.model)
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


class _ConsoleProgress:
    """Training progress on stderr: one updating line on a terminal, one line per epoch always.

    A ``Report`` for :class:`digitpad.ml.training.ProgressReporter`, as the app's child has."""

    def __init__(self, epochs: int) -> None:
        self._epochs = epochs
        self._tty = sys.stderr.isatty()
        self._started = time.perf_counter()

    def __call__(self, message: Message) -> None:
        from digitpad.ml.training_process import BatchEnd, EpochEnd

        if isinstance(message, BatchEnd):
            self._batch_end(message.epoch, message.batch, message.batches, message.logs)
        elif isinstance(message, EpochEnd):
            self._epoch_end(message.epoch, message.logs)

    def _batch_end(self, epoch: int, batch: int, batches: int, logs: dict[str, float]) -> None:
        if self._tty and (batch % 20 == 0 or batch == batches - 1):
            sys.stderr.write(
                f"\repoch {epoch + 1}/{self._epochs}  batch {batch + 1}/{batches}  "
                f"loss {logs.get('loss', float('nan')):.4f}  "
                f"accuracy {logs.get('sparse_categorical_accuracy', float('nan')):.4f}"
            )
            sys.stderr.flush()

    def _epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        elapsed = time.perf_counter() - self._started
        sys.stderr.write(
            ("\r" if self._tty else "")
            + f"epoch {epoch + 1}/{self._epochs}  loss {logs['loss']:.4f}  "
            f"accuracy {logs['sparse_categorical_accuracy']:.4f}  "
            f"val_loss {logs['val_loss']:.4f}  "
            f"val_accuracy {logs['val_sparse_categorical_accuracy']:.4f}  ({elapsed:.0f} s)\n"
        )
        sys.stderr.flush()


def _train(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix != ".keras":
        raise CliError(f"--out must end in .keras (Keras' file format); received {out}")
    eval_drawings = load_ink(args.eval_ink) if args.eval_ink else None
    from digitpad.ml.datasets import load_mnist
    from digitpad.ml.modelstore import save_model
    from digitpad.ml.training import ProgressReporter, TrainingConfig, train

    config = TrainingConfig(
        arch=args.arch,
        epochs=args.epochs,
        batch_size=args.batch_size or (32 if args.arch == "mlp" else 128),
        learning_rate=args.learning_rate,
        seed=args.seed,
        validation_fraction=args.validation_fraction,
        early_stopping=args.early_stopping,
    )
    data = load_mnist(args.data)
    if args.limit:
        data = data.subset(train=args.limit)
    ink_training: dict[str, Any] | None = None
    extra_train = None
    data_text = f"MNIST ({Path(data.source).name}), {len(data.x_train)} training images"
    eval_name = Path(args.eval_ink).name if args.eval_ink else ""
    if args.ink:
        extra_train, eval_drawings, ink_training = _ink_training_set(args)
        variants = f"{args.ink_copies} random variant{'s' if args.ink_copies > 1 else ''}"
        data_text += (
            f"; plus {ink_training['drawings']} pen-drawn digits from "
            f"{Path(args.ink).name} ({len(ink_training['writers'])} writers), "
            f"each as drawn and as {variants}"
        )
        eval_name = f"{Path(args.ink).name}, held-out writers only"
    held_out_samples: list[Drawing] = []
    if args.samples:
        extra_train, held_out_samples, trained_on = _with_personal_samples(
            args.samples, config, data, extra_train
        )
        data_text += f"; plus {trained_on} of your samples from {Path(args.samples).name}"
    print(f"training {config.arch} on {data_text}", file=sys.stderr)
    progress = ProgressReporter(_ConsoleProgress(config.epochs), interval=0.0)
    result = train(config, data, [progress], extra_train=extra_train)
    card = result.card().replace(ink_training=ink_training, data=data_text,
                                 command="digitpad " + shlex.join(args.argv))
    if held_out_samples:
        from digitpad.ml.personal import evaluate_on_samples

        held_out_accuracy = evaluate_on_samples(result.model, held_out_samples)
        card = card.replace(personal_samples={
            "file": Path(args.samples).name,
            "trained_on": trained_on,
            "held_out": len(held_out_samples),
            "held_out_accuracy": held_out_accuracy,
        })
    if eval_drawings is not None:
        from digitpad.ml.recognizer import Recognizer

        report = evaluate_drawings(Recognizer.from_keras(result.model), eval_drawings)
        card = card.replace(ink_evaluation={
            "file": eval_name,
            "samples": report["samples"],
            "accuracy": report["accuracy"],
            "per_digit_accuracy": report["per_digit_accuracy"],
        })
    save_model(result.model, out, card)
    print(f"saved {out}")
    print(f"test accuracy: {result.test_accuracy:.2%} (MNIST test set, {len(data.x_test)} images)")
    if eval_drawings is not None:
        print(f"accuracy on {eval_name}: {report['accuracy']:.2%}")
    if held_out_samples:
        print(f"accuracy on your {len(held_out_samples)} held-out samples: "
              f"{held_out_accuracy:.2%}")
    return 0


def _with_personal_samples(
    path: str,
    config: Any,
    data: Any,
    extra_train: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> tuple[tuple[np.ndarray, ...], list[Drawing], int]:
    """Add the user's samples (weighted, varied) to the extra training data; hold a part out."""
    from digitpad.ml.personal import extra_training_data, split_samples
    from digitpad.samples import load_labelled

    split = split_samples(load_labelled(path), seed=config.seed)
    others = round(len(data.x_train) * (1 - config.validation_fraction))
    others += 0 if extra_train is None else len(extra_train[0])
    mine = extra_training_data(split.train, others, seed=config.seed)
    if extra_train is not None:
        mine = tuple(np.concatenate(parts) for parts in zip(extra_train, mine, strict=True))
    return mine, list(split.held_out), len(split.train)


def _ink_training_set(
    args: argparse.Namespace,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], list[Drawing], dict[str, Any]]:
    """Labelled drawings for training (augmented), their held-out writers for evaluation, and
    the card's ``ink_training`` section."""
    from digitpad.ml.ink_augment import augmented_images, split_by_writer

    drawings = load_ink(args.ink)
    train_part, held_out, held_out_writers = split_by_writer(drawings, args.hold_out_writers)
    if not train_part or not held_out:
        raise CliError(
            f"{args.ink}: need drawings from at least {args.hold_out_writers} writers "
            "(a 'writer' key per sample) to hold some out for evaluation"
        )
    images, labels = augmented_images(train_part, copies=args.ink_copies, seed=args.seed)
    writers = sorted({str(d.extra.get("writer", "")) for d in train_part})
    ink_training = {
        "file": Path(args.ink).name,
        "drawings": len(train_part),
        "writers": writers,
        "images": len(images),
        "held_out_writers": held_out_writers,
    }
    return (images, labels, np.ones(len(images), np.float32)), held_out, ink_training


def _info(args: argparse.Namespace) -> int:
    recognizer = _load_recognizer(args.model)
    print(f"model: {recognizer.path}")
    print(recognizer.summary())
    print(recognizer.card.describe())
    return 0
