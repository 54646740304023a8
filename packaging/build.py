"""Build the one-folder app: ``python packaging/build.py`` -> ``dist/digitpad/digitpad``.

Runs PyInstaller on ``packaging/digitpad.spec`` at low CPU priority, then prints how long the
build took and how big the folder is. Needs ``pip install .[packaging]``.

On Linux the build runs in a virtual environment under ``build/`` that has the same versions of
everything as this one, except TensorFlow's CPU-only wheel (``tensorflow-cpu``) in place of
``tensorflow``, whose libraries also carry CUDA kernels: the app never uses a GPU (no CUDA
libraries ship with it), and the CPU-only wheel makes the app 440 MB smaller. Elsewhere
TensorFlow's wheels are CPU-only already and the build uses this environment.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "digitpad.spec"
VENV = ROOT / "build" / "venv-tensorflow-cpu"
SAME_VERSIONS = ("ai-edge-litert", "keras", "PySide6-Essentials", "numpy", "pillow", "h5py",
                 "pyqtgraph", "pyinstaller", "pyinstaller-hooks-contrib")
"""Installed into the tensorflow-cpu environment at this environment's versions."""


def installed(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def tensorflow_cpu_python(venv: Path) -> Path:
    """The Python of ``venv``, created or brought up to date, with tensorflow-cpu."""
    missing = [name for name in ("tensorflow", *SAME_VERSIONS) if installed(name) is None]
    if missing:
        raise SystemExit(f"build: {', '.join(missing)} not installed here; "
                         'run `python -m pip install -e ".[packaging]"` first')
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pins = [f"tensorflow-cpu=={installed('tensorflow')}",
            *(f"{name}=={installed(name)}" for name in SAME_VERSIONS)]
    print(f"build: installing {' '.join(pins)} into {venv}", flush=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *pins], check=True)
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="where the app folder goes (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's working files (default: build/pyinstaller/)")
    parser.add_argument("--this-environment", action="store_true",
                        help="build from this Python's packages as they are (on Linux with the "
                        "tensorflow wheel: 1.4 GB instead of 0.9 GB)")
    parser.add_argument("--baseline", action="store_true",
                        help="no exclusions, no stripping: to measure what they save")
    parser.add_argument("--probe", action="store_true",
                        help="also build digitpad-probe, the start-up benchmark, into the folder")
    args = parser.parse_args(argv)
    if hasattr(os, "nice"):
        os.nice(10)  # a build takes minutes of every core; let the rest of the machine breathe
    started = time.perf_counter()
    gpu_wheel = sys.platform.startswith("linux") and installed("tensorflow") is not None
    python = (tensorflow_cpu_python(VENV) if gpu_wheel and not args.this_environment
              else Path(sys.executable))
    spec_options = [flag for flag, on in (("--baseline", args.baseline), ("--probe", args.probe))
                    if on]
    command = [str(python), "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean",
               "--distpath", str(args.dist), "--workpath", str(args.work), "--", *spec_options]
    result = subprocess.run(command, cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        print(f"build: PyInstaller failed (exit code {result.returncode})", file=sys.stderr)
        return result.returncode
    app = args.dist / "digitpad"
    size = sum(f.stat().st_size for f in app.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"build: {app} in {seconds / 60:.1f} min, {size / 1e6:.0f} MB unpacked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
