"""The command line: classify, read, evaluate, train and info. No Qt here.

Every user error (bad file, bad argument, broken model) becomes one line on stderr and exit code 2;
a fault of digitpad's own becomes one line too, exit code 1, its traceback in the log. TensorFlow
is imported only by the subcommands that need it. This module holds the parser and the dispatch;
:mod:`.classify` has the subcommands that read with a model, :mod:`.read` the one that reads
numbers, :mod:`.train` the one that makes a model, and :mod:`.common` what they share.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from digitpad import __version__
from digitpad.cli.classify import classify_command, evaluate_command, info_command
from digitpad.cli.common import CliError
from digitpad.cli.inspect import inspect_command
from digitpad.cli.read import read_command
from digitpad.cli.train import add_train_arguments, train_command
from digitpad.ml.datasets import DatasetError
from digitpad.ml.ink import InkError, SampleError
from digitpad.ml.outputs import Sevens
from digitpad.ml.preprocess import ImageLoadError
from digitpad.ml.recognizer import ModelError
from digitpad.paths import LOG_NAME

EXIT_USAGE = 2
EXIT_FAULT = 1


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

    _add_drawings_command(
        commands, "classify", help="classify ink JSON files or images of digits",
        description="Print the digit and confidence for each drawing in the given files.",
        json_help="print machine-readable JSON")
    _add_drawings_command(
        commands, "read", help="read numbers (or single digits) in ink JSON files or images",
        description="Print what each drawing in the given files reads as: a number of up to "
        "twelve digits written left to right, one digit, \"not a digit\" or \"empty\".",
        json_help="print machine-readable JSON, with each digit's confidence and box")

    evaluate = commands.add_parser(
        "evaluate",
        help="accuracy of a model on labelled ink",
        description="Accuracy, per-digit accuracy and confusion matrix on labelled ink JSON.",
    )
    evaluate.add_argument("ink", metavar="INK.json", help="labelled ink samples")
    _add_model_argument(evaluate)

    train = commands.add_parser(
        "train",
        help="train a model (by default the Retrain dialog's recipe)",
        description="Train a model on MNIST and, with the default preset, the pen-drawn "
        "digits shipped with digitpad; print progress, save it with its model card. A preset "
        "gives every setting; the options given override it.",
    )
    add_train_arguments(train, _positive_int)

    info = commands.add_parser("info", help="model summary and model card figures")
    _add_model_argument(info)

    _add_drawings_command(
        commands, "inspect", help="every layer's output for drawings in ink JSON files or images",
        description="Print each layer's output (name, class, shape, values) for each drawing, "
        "as the model's summary lists its layers.",
        json_help="print machine-readable JSON with every value, and why the model reads each "
        "drawing as it does: the effect of leaving out each piece of ink and each block of the "
        "picture")
    commands.choices["inspect"].add_argument(
        "--compare", metavar="PATH", default=None,
        help="also read each drawing with this .keras model, and give its verdict beside the "
        "first model's")
    commands.choices["inspect"].add_argument(
        "--png", metavar="OUT", default=None,
        help="also draw each drawing as the window shows it (the ink coloured by why the model "
        "reads it so, the answer, the chart with --compare's bars, every layer) into this PNG; "
        "several drawings go to OUT-1.png, OUT-2.png, ...")
    return parser


def _add_drawings_command(commands: Any, name: str, help: str, description: str,
                          json_help: str) -> None:
    """A command that reads the drawings of ink files and pictures with a model."""
    command = commands.add_parser(name, help=help, description=description)
    command.add_argument("paths", nargs="+", metavar="FILE",
                         help="ink .json files or pictures (PNG, JPEG, BMP, GIF, WebP, TIFF)")
    command.add_argument("--json", action="store_true", help=json_help)
    _add_sevens_argument(command)
    _add_model_argument(command)


def _add_model_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", metavar="PATH", default=None, help="a .keras model (default: the bundled one)"
    )


def _add_sevens_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sevens", choices=[sevens.value for sevens in Sevens], default=None,
        help="how you write 7: crossed (with a bar; then a 1 has a long flag) or plain; a "
        "model that knows crossed 7s reads 1s and 7s by it (default: as most writers of your "
        "locale's language do)",
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
    handlers = {"classify": classify_command, "read": read_command,
                "evaluate": evaluate_command, "train": train_command, "info": info_command,
                "inspect": inspect_command}
    try:
        return handlers[args.command](args)
    except (CliError, InkError, SampleError, ImageLoadError, DatasetError, ModelError,
            OSError) as exc:
        print(f"digitpad: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("digitpad: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: said in one line, the traceback kept in the log
        lines = str(exc).strip().splitlines()
        print(f"digitpad: internal error: {type(exc).__name__}"
              f"{': ' + lines[0] if lines else ''}. This is a fault in digitpad, not in your "
              f"files; {_log_fault()}", file=sys.stderr)
        return EXIT_FAULT


def _log_fault() -> str:
    """Append the current exception's traceback to the app's log; says where, for the report."""
    from digitpad.paths import user_data_dir

    log_path = user_data_dir() / LOG_NAME
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("a", encoding="utf-8") as log:
            log.write(f"{datetime.now().isoformat(timespec='seconds')} command line fault\n"
                      f"{traceback.format_exc()}")
    except OSError:
        return "please report it with the command you ran."
    return f"please report it with the details in {log_path}."
