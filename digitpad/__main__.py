"""``digitpad`` / ``python -m digitpad``: a subcommand runs the CLI, none opens the app."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence

# Keras reads ~/.keras/keras.json at import; a user who set another backend there must not break
# digitpad, which is built on TensorFlow. Set before anything imports Keras.
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv: Sequence[str] | None = None) -> int:
    # In a frozen app a child process (multiprocessing's spawn) runs this executable again:
    # freeze_support runs the child's work and exits instead of opening another window.
    multiprocessing.freeze_support()
    arguments = list(sys.argv[1:] if argv is None else argv)
    from digitpad.cli import build_parser, run

    options = build_parser().parse_args(arguments)
    if options.command is None:
        from digitpad.app import launch

        return launch(self_test=options.self_test)
    return run(options, arguments)


if __name__ == "__main__":
    sys.exit(main())
