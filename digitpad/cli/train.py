"""``train``: a model from MNIST (and pen-drawn ink, or the user's samples), trained in this
process with progress on stderr, saved with its model card.

With no options it is Retrain's default: the *best* preset (:mod:`digitpad.ml.presets`) on the
data shipped with digitpad, saved in the user's library of models where the app's History lists
it. ``--preset`` names another recipe; every other option overrides the preset's value.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from digitpad.cli.common import CliError, evaluate_drawings
from digitpad.ml.digits import ARCHITECTURES, NUM_CLASSES
from digitpad.ml.ink import Drawing, load_ink
from digitpad.ml.outputs import OUTPUT_NAMES
from digitpad.ml.presets import BEST, DEFAULT, PRESETS, Preset, preset

if TYPE_CHECKING:
    from digitpad.ml.jobs import Message

_PATH_OPTIONS = ("--data", "--out", "--eval-ink", "--ink", "--samples")
"""The options that name a file, recorded in the model card by the file's name alone."""
_OPTION_FOR = {"train_limit": "train_images"}
"""The option that overrides a preset setting, where its name is not the setting's."""


def add_train_arguments(parser: argparse.ArgumentParser,
                        positive_int: Callable[[str], int]) -> None:
    """The ``train`` options; ``positive_int`` is the parser's type for counts."""
    presets = ", ".join(f"{p.name} ({p.title})" for p in PRESETS)
    parser.add_argument("--preset", choices=[p.name for p in PRESETS], default=DEFAULT.name,
                        help=f"the recipe to start from: {presets} (default: {DEFAULT.name})")
    preset_default = "(default: the preset's)"
    parser.add_argument("--arch", choices=ARCHITECTURES, default=None, help=preset_default)
    parser.add_argument("--epochs", type=positive_int, default=None, help=preset_default)
    parser.add_argument("--batch-size", type=positive_int, default=None, help=preset_default)
    parser.add_argument("--learning-rate", type=float, default=None, help=preset_default)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--validation-fraction", type=float, default=None,
                        help="part of the training data held out for validation, never the "
                        f"test set {preset_default}")
    parser.add_argument("--early-stopping", action=argparse.BooleanOptionalAction, default=None,
                        help="stop when validation loss stops improving; keep the best weights")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                        help="vary the images (rotation, zoom, shift, pen width)")
    parser.add_argument("--train-images", metavar="N", type=positive_int, default=None,
                        help="learn from only N MNIST training images, the validation images "
                        "set aside first (the overfit preset's small set)")
    parser.add_argument("--subclass", action=argparse.BooleanOptionalAction, default=None,
                        help="build the mlp as a keras.Model subclass, and train it again as a "
                        "Sequential model to show the two are the same network")
    parser.add_argument(
        "--data",
        metavar="PATH",
        default=None,
        help="mnist.npz to train on (default: Keras' cache if it has MNIST, else the copy "
        "shipped with digitpad; nothing is downloaded)",
    )
    parser.add_argument("--out", metavar="PATH", default=None,
                        help="where to write the .keras (default: a new file in your models "
                        "folder, where the app's History lists it)")
    parser.add_argument(
        "--eval-ink",
        metavar="INK.json",
        default=None,
        help="also report accuracy on these labelled drawings in the model card",
    )
    parser.add_argument("--pen-digits", action=argparse.BooleanOptionalAction, default=None,
                        help="also train on the pen-drawn digits shipped with digitpad, holding "
                        "some writers out for evaluation (default: as the preset)")
    parser.add_argument(
        "--ink",
        metavar="INK.json",
        default=None,
        help="also train on these labelled drawings instead of the shipped pen-drawn digits "
        "(rendered like the app's ink, with random variations), holding some writers out for "
        "evaluation",
    )
    parser.add_argument(
        "--hold-out-writers",
        metavar="N",
        type=positive_int,
        default=3,
        help="with pen-drawn digits: hold out every N-th writer and report accuracy on them "
        "(default: 3, the bundled model's split)",
    )
    parser.add_argument(
        "--ink-copies",
        metavar="K",
        type=positive_int,
        default=None,
        help="with pen-drawn digits: random variants rendered per drawing "
        f"(default: {BEST.pen_copies})",
    )
    parser.add_argument(
        "--outputs",
        type=int,
        choices=(NUM_CLASSES, len(OUTPUT_NAMES)),
        default=None,
        help=f"{NUM_CLASSES}: the digits alone, as the tutorial; {len(OUTPUT_NAMES)}: also a "
        "crossed 7 and \"not a digit\", taught by generated drawings that are no digit and "
        "the pen writers' 1s and 7s as much of the world writes them (needs pen-drawn digits; "
        "default: the preset's)",
    )
    parser.add_argument(
        "--not-a-digit",
        metavar="N",
        type=positive_int,
        default=None,
        help="with pen-drawn digits: how many generated drawings that are no digit (letters, "
        "scribbles, shapes, two digits together) to learn from, each as drawn and varied as "
        f"the pen-drawn digits; implies --outputs {len(OUTPUT_NAMES)} "
        f"(default: {BEST.not_a_digit})",
    )
    parser.add_argument(
        "--regional-copies",
        metavar="K",
        type=positive_int,
        default=None,
        help="with twelve outputs: K long-flag versions of each pen-drawn 1 and crossed versions "
        f"of each uncrossed 7, as much of the world writes them (default: {BEST.regional_copies})",
    )
    parser.add_argument(
        "--samples",
        metavar="PATH_OR_DB",
        default=None,
        help="also learn from your own labelled drawings (an exported ink .json or the app's "
        "samples.db); a fifth of them is held out and its accuracy reported",
    )
    parser.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        help="train on only the first N training images (quick runs)",
    )


def recipe_settings(args: argparse.Namespace) -> tuple[Preset, dict[str, Any]]:
    """The preset and the ``TrainingConfig`` fields it gives, with the options given over it."""
    chosen = preset(args.preset)
    settings = dict(chosen.settings)
    for field in chosen.settings:
        value = getattr(args, _OPTION_FOR.get(field, field))
        if value is not None:  # given
            settings[field] = value
    settings["seed"] = args.seed
    settings["outputs"] = len(OUTPUT_NAMES) if not_a_digit_count(
        args, chosen, pen_copies(args, chosen)) else NUM_CLASSES
    return chosen, settings


def recorded_command(argv: list[str]) -> str:
    """The command line for the model card, with each file named by its name alone: the folders
    of the machine that trained it (often a temporary one) mean nothing where the model is read."""
    words: list[str] = []
    for n, word in enumerate(argv):
        option, equals, value = word.partition("=")
        if equals and option in _PATH_OPTIONS:
            word = f"{option}={Path(value).name}"
        elif n and argv[n - 1] in _PATH_OPTIONS:
            word = Path(word).name
        words.append(word)
    return "digitpad " + shlex.join(words)


def pen_copies(args: argparse.Namespace, chosen: Preset) -> int:
    """How many variants of each pen-drawn digit to learn from; 0 for none."""
    if args.ink is not None and args.pen_digits is False:
        raise CliError("--ink names pen-drawn digits to train on, --no-pen-digits says not to "
                       "train on any; give one of them")
    wanted = args.pen_digits if args.pen_digits is not None else (
        bool(chosen.pen_copies) or args.ink is not None)
    if not wanted:
        return 0
    return args.ink_copies or chosen.pen_copies or BEST.pen_copies


def not_a_digit_count(args: argparse.Namespace, chosen: Preset, copies: int) -> int:
    """How many generated non-digits to learn from with ``copies`` variants of the pen-drawn
    digits; 0 for a ten-output model."""
    if args.outputs == NUM_CLASSES:
        if args.not_a_digit:
            raise CliError(f"--not-a-digit teaches a {len(OUTPUT_NAMES)}-output model; "
                           f"--outputs {NUM_CLASSES} says the digits alone: give one of them")
        return 0
    asked = args.outputs is not None or args.not_a_digit is not None
    if not copies:
        if asked:
            raise CliError(f"{len(OUTPUT_NAMES)} outputs need pen-drawn digits (--pen-digits "
                           "or --ink): their writers make the pairs of digits that are no "
                           "digit, and teach the crossed 7")
        return 0
    if not (asked or chosen.twelve_outputs):
        return 0
    return args.not_a_digit or chosen.not_a_digit or BEST.not_a_digit


def regional_copies(args: argparse.Namespace, chosen: Preset) -> int:
    """Long-flag 1s and crossed 7s made per pen writer's 1 and 7, for a twelve-output model."""
    return args.regional_copies or chosen.regional_copies or BEST.regional_copies


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
    chosen, settings = recipe_settings(args)
    copies = pen_copies(args, chosen)
    not_a_digit = not_a_digit_count(args, chosen, copies)
    if args.out is not None and Path(args.out).suffix != ".keras":
        raise CliError(f"--out must end in .keras (Keras' file format); received {args.out}")
    eval_drawings = load_ink(args.eval_ink) if args.eval_ink else None
    from digitpad.ml.datasets import load_mnist
    from digitpad.ml.models import as_sequential
    from digitpad.ml.modelstore import save_model
    from digitpad.ml.training import (
        ProgressReporter,
        TrainingConfig,
        compare_with_sequential,
        train,
    )

    try:
        config = TrainingConfig(**settings)
    except ValueError as exc:  # the settings' own checks, in the option's words
        raise CliError(str(exc)) from exc
    out = Path(args.out) if args.out is not None else _library_path(config.arch)
    data = load_mnist(args.data)
    if args.limit:
        data = data.subset(train=args.limit)
    ink_training: dict[str, Any] | None = None
    extra_train = None
    learned = config.train_limit if config.train_limit and config.train_limit < len(
        data.x_train) else None
    data_text = (f"MNIST ({Path(data.source).name}), {f'{learned} of its ' if learned else ''}"
                 f"{len(data.x_train)} training images")
    eval_name = Path(args.eval_ink).name if args.eval_ink else ""
    if copies:
        extra_train, eval_drawings, ink_training = _ink_training_set(
            args, copies, not_a_digit, regional_copies(args, chosen))
        variants = f"{copies} random variant{'s' if copies > 1 else ''}"
        data_text += (
            f"; plus {ink_training['drawings']} pen-drawn digits from "
            f"{ink_training['file']} ({len(ink_training['writers'])} writers), "
            f"each as drawn and as {variants}"
        )
        eval_name = f"{ink_training['file']}, held-out writers only"
        if not_a_digit:
            data_text += (
                f"; their 1s with long flags and uncrossed 7s crossed, "
                f"{regional_copies(args, chosen)} of each; and {not_a_digit} generated drawings "
                "that are no digit (letters, scribbles, shapes, two digits together), each as "
                f"drawn and as {variants}")
    held_out_samples: list[Drawing] = []
    if args.samples:
        extra_train, held_out_samples, trained_on = _with_personal_samples(
            args.samples, config, data, extra_train
        )
        data_text += f"; plus {trained_on} of your samples from {Path(args.samples).name}"
    print(f"training {config.arch} ({chosen.title}) on {data_text}", file=sys.stderr)
    progress = ProgressReporter(_ConsoleProgress(config.epochs), interval=0.0)
    result = train(config, data, [progress], extra_train=extra_train)
    model = as_sequential(result.model)  # a subclass's weights, in the form every Keras loads
    card = result.card().replace(ink_training=ink_training, data=data_text,
                                 command=recorded_command(args.argv))
    check = None
    if config.subclass:
        print("training the same network as a Sequential model, to compare", file=sys.stderr)
        check = compare_with_sequential(config, data, result, extra_train=extra_train)
    if held_out_samples:
        from digitpad.ml.personal import evaluate_on_samples

        held_out_accuracy = evaluate_on_samples(result.served.recognizer, held_out_samples)
        card = card.replace(personal_samples={
            "file": Path(args.samples).name,
            "trained_on": trained_on,
            "held_out": len(held_out_samples),
            "held_out_accuracy": held_out_accuracy,
        })
    if eval_drawings is not None:
        report = evaluate_drawings(result.served.recognizer, eval_drawings)
        card = card.replace(ink_evaluation={
            "file": eval_name,
            "samples": report["samples"],
            "accuracy": report["accuracy"],
            "per_digit_accuracy": report["per_digit_accuracy"],
        })
    try:
        save_model(model, out, card, result.served)
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
    if check is not None:
        print(f"as a keras.Model subclass: {check.parameters:,} parameters, test accuracy "
              f"{check.test_accuracy:.2%}; as a Sequential model: "
              f"{check.sequential_parameters:,} parameters, {check.sequential_test_accuracy:.2%}"
              f"{' (the same weights)' if check.same_weights else ''}")
    return 0


def _library_path(arch: str) -> Path:
    """A new file in the user's models folder (``--out`` not given)."""
    from digitpad.ml.model_library import ModelLibrary
    from digitpad.paths import trusted_model_dirs

    return ModelLibrary(trusted_model_dirs()[1]).new_path(arch)


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
    args: argparse.Namespace, copies: int, not_a_digit: int, regional: int,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], list[Drawing], dict[str, Any]]:
    """Labelled drawings for training (``--ink``, else the shipped pen-drawn digits, as
    Retrain's child takes them), their held-out writers for evaluation, and the card's
    ``ink_training`` section."""
    from digitpad.ml.datasets import SHIPPED_PEN_DIGITS, shipped_pen_digits
    from digitpad.ml.training_data import ink_training_set

    drawings, source = ((load_ink(args.ink), Path(args.ink).name) if args.ink
                        else (shipped_pen_digits(), SHIPPED_PEN_DIGITS))
    try:
        ink = ink_training_set(drawings, source, hold_out_every=args.hold_out_writers,
                               copies=copies, seed=args.seed, not_a_digit=not_a_digit,
                               regional_copies=regional)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    return ink.extra_train(), ink.held_out, ink.card_section
