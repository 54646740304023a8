"""Help → About: versions of what digitpad runs on, the data it ships and their licences, and
where it keeps the user's things."""

from __future__ import annotations

import platform
from collections.abc import Sequence

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion

from digitpad import __version__
from digitpad.ml.datasets import SHIPPED_CREDITS


def about_html(locations: Sequence[tuple[str, str]]) -> str:
    rows = [
        ("digitpad", __version__),
        ("TensorFlow", _distribution_version("tensorflow", "tensorflow-cpu")),
        ("Keras", _distribution_version("keras")),
        ("LiteRT", _distribution_version("ai-edge-litert")),
        ("Qt", f"{qVersion()} (PySide6 {pyside_version})"),
        ("Python", platform.python_version()),
    ]
    versions = "".join(f"<tr><td>{name}</td><td>{value}</td></tr>" for name, value in rows)
    places = "".join(f"<tr><td>{name}</td><td><code>{value}</code></td></tr>"
                     for name, value in locations)
    credits = "".join(f"<tr><td>{credit.name}</td><td>{credit.authors}, "
                      f"<a href='{credit.licence_url}'>{credit.licence}</a></td></tr>"
                      for credit in SHIPPED_CREDITS)
    return ("<h3>digitpad</h3><p>Draw a digit and watch a neural network read it.</p>"
            f"<table cellspacing='6'>{versions}</table>"
            f"<p><b>Training data shipped with digitpad</b></p><table cellspacing='6'>{credits}"
            "</table>"
            + (f"<p><b>Your data</b></p><table cellspacing='6'>{places}</table>" if places else ""))


def _distribution_version(*names: str) -> str:
    """An installed package's version without importing it (importing TensorFlow takes seconds).
    ``importlib.metadata`` itself is imported here, when About opens: it costs the start 20 ms."""
    import importlib.metadata

    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"
