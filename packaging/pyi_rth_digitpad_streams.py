"""PyInstaller runtime hook: give a windowed app somewhere to write.

A program built without a console (Windows ``console=False``, a macOS ``.app`` started from
Finder) starts with ``sys.stdout`` and ``sys.stderr`` set to None. ``print`` copes with that,
but Keras' progress bars and anything else calling ``sys.stdout.write`` would crash the app. Point
the missing streams at the null device before any of digitpad's code runs.
"""

import os
import sys


def _pyi_rthook() -> None:
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


_pyi_rthook()
del _pyi_rthook
