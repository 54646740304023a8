"""The build's own environment has every package the app runs on (fast: nothing is built).

On Linux packaging/build.py freezes the app from a separate environment with tensorflow-cpu; a
runtime dependency missing from its list is missing from the app, and only the slow frozen-app
tests would see it, after minutes of building (Retrain once failed there with "No module named
'pyqtgraph'").
"""

from __future__ import annotations

import importlib.util
import re
from importlib.metadata import requires
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("digitpad_build", ROOT / "packaging" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def runtime_dependencies() -> set[str]:
    """What the installed digitpad requires, from pyproject.toml, without the extras."""
    return {re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].lower()
            for requirement in requires("digitpad") or [] if "extra ==" not in requirement}


def test_the_build_environment_installs_every_runtime_dependency() -> None:
    installed_by_build = {name.lower() for name in build_module().SAME_VERSIONS}
    # TensorFlow comes as tensorflow-cpu, pinned to the same version.
    missing = runtime_dependencies() - installed_by_build - {"tensorflow"}
    assert not missing, f"packaging/build.py's SAME_VERSIONS lacks {sorted(missing)}"
