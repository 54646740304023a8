"""Getting a frozen app folder for the tests that need one: given, or built now."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def frozen_app_folder(tmp_path_factory: pytest.TempPathFactory, given_by: str,
                      *build_options: str) -> Path:
    """The app folder (``.../digitpad``) named by the environment variable ``given_by``, else
    one built now by ``packaging/build.py`` with ``build_options`` (takes minutes)."""
    given = os.environ.get(given_by)
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("frozen")
    build = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), *build_options,
         "--dist", str(out / "dist"), "--work", str(out / "work")],
        capture_output=True, text=True, timeout=3600, check=False)
    print(build.stdout[-500:])
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-5000:]
    return out / "dist" / "digitpad"
