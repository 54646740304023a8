"""``train``: a model from MNIST (and optionally pen-drawn ink or the user's samples), trained in
this process with progress on stderr, saved with its model card."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from digitpad.cli.common import CliError, evaluate_drawings
from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.ink import Drawing, load_ink
from digitpad.ml.outputs import OUTPUT_NAMES

if TYPE_CHECKING:
    from digitpad.ml.jobs import Message


class _ConsoleProgress:
    """Training progress on stderr: one updating line on a terminal, one line per epoch always.

    A ``Report`` for :class:`digitpad.ml.training.ProgressReporter`, as the app's child has."""

    def __init__(self, epochs: int) -> None:
        self._epochs = epochs
        self._tty = sys.stderr.isatty()
        self._started = time.perf_counter()

    def __call__(self, message: Message) -> None:
        from digitpad.ml.jobs import BatchEnd, EpochEnd

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


def train_command(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix != ".keras":
        raise CliError(f"--out must end in .keras (Keras' file format); received {out}")
    eval_drawings = load_ink(args.eval_ink) if args.eval_ink else None
    from digitpad.ml.datasets import load_mnist
    from digitpad.ml.modelstore import save_model
    from digitpad.ml.training import ProgressReporter, TrainingConfig, train

    try:
        config = TrainingConfig(
            arch=args.arch,
            epochs=args.epochs,
            batch_size=args.batch_size or (32 if args.arch == "mlp" else 128),
            learning_rate=args.learning_rate,
            seed=args.seed,
            validation_fraction=args.validation_fraction,
            early_stopping=args.early_stopping,
            outputs=len(OUTPUT_NAMES) if args.not_a_digit else NUM_CLASSES,
        )
    except ValueError as exc:  # the settings' own checks, in the option's words
        raise CliError(str(exc)) from exc
    data = load_mnist(args.data)
    if args.limit:
        data = data.subset(train=args.limit)
    ink_training: dict[str, Any] | None = None
    extra_train = None
    data_text = f"MNIST ({Path(data.source).name}), {len(data.x_train)} training images"
    eval_name = Path(args.eval_ink).name if args.eval_ink else ""
    if args.not_a_digit and not args.ink:
        raise CliError("--not-a-digit needs --ink: the pen-drawn digits' writers make the pairs "
                       "of digits that are no digit, and teach the crossed 7")
    if args.ink:
        extra_train, eval_drawings, ink_training = _ink_training_set(args)
        variants = f"{args.ink_copies} random variant{'s' if args.ink_copies > 1 else ''}"
        data_text += (
            f"; plus {ink_training['drawings']} pen-drawn digits from "
            f"{Path(args.ink).name} ({len(ink_training['writers'])} writers), "
            f"each as drawn and as {variants}"
        )
        eval_name = f"{Path(args.ink).name}, held-out writers only"
        if args.not_a_digit:
            data_text += (
                f"; their 1s with long flags and uncrossed 7s crossed, {args.regional_copies} of "
                f"each; and {args.not_a_digit} generated drawings that are no digit (letters, "
                "scribbles, shapes, two digits together), each as drawn and as "
                f"{variants}")
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

        report = evaluate_drawings(Recognizer.from_keras(result.model, card=card), eval_drawings)
        card = card.replace(ink_evaluation={
            "file": eval_name,
            "samples": report["samples"],
            "accuracy": report["accuracy"],
            "per_digit_accuracy": report["per_digit_accuracy"],
        })
    try:
        save_model(result.model, out, card)
    except OSError as exc:
        raise CliError(f"{out}: the new model could not be saved ({exc.strerror or exc}); free "
                       "some disk space or choose another folder with --out, then train again"
                       ) from exc
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
    mine = extra_training_data(split.train, others, seed=config.seed,
                               twelve_outputs=config.outputs == len(OUTPUT_NAMES))
    if extra_train is not None:
        mine = tuple(np.concatenate(parts) for parts in zip(extra_train, mine, strict=True))
    return mine, list(split.held_out), len(split.train)


def _ink_training_set(
    args: argparse.Namespace,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], list[Drawing], dict[str, Any]]:
    """Labelled drawings for training (augmented), their held-out writers for evaluation, and
    the card's ``ink_training`` section."""
    from digitpad.ml.training_data import ink_training_set

    try:
        ink = ink_training_set(load_ink(args.ink), Path(args.ink).name,
                               hold_out_every=args.hold_out_writers, copies=args.ink_copies,
                               seed=args.seed, not_a_digit=args.not_a_digit,
                               regional_copies=args.regional_copies)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    images, labels = ink.data.images, ink.data.labels
    return (images, labels, np.ones(len(images), np.float32)), ink.held_out, ink.card_section
