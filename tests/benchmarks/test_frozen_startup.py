"""The frozen app: start-up cold and warm, and how big it is unpacked and as a .tar.gz.

Targets, on this machine: window on screen within 1 s and first prediction (on LiteRT) within 1.2 s
of a cold start; at most 1.0 GB unpacked and 310 MB as a .tar.gz. The start-up is measured by
``app_probe.py`` frozen beside the app (``packaging/build.py --probe``, a few minutes); set
``DIGITPAD_FROZEN_PROBE_APP`` to a folder built that way to skip the build. Run with
``python -m pytest tests/benchmarks/test_frozen_startup.py -m benchmark -s``.
"""

from __future__ import annotations

import importlib.util
import statistics
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging.frozen_build import ROOT, frozen_app_folder

pytestmark = pytest.mark.benchmark

RUNS = 3
WINDOW_SHOWN_COLD_S = 1.0
FIRST_PREDICTION_COLD_S = 1.2
UNPACKED_MB = 1000
ARCHIVE_MB = 310


def _measure_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("digitpad_measure",
                                                  ROOT / "packaging" / "measure.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


measure = _measure_module()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return frozen_app_folder(tmp_path_factory, "DIGITPAD_FROZEN_PROBE_APP", "--probe")


@pytest.fixture(scope="module")
def startup(app: Path) -> dict[str, dict[str, float]]:
    runs = measure.startup(app, RUNS)
    medians = {kind: {key: statistics.median(run[key] for run in results) for key in results[0]}
               for kind, results in runs.items()}
    for kind, figures in medians.items():
        print(f"\n{kind} start (median of {RUNS}): window after {figures['window_shown_s']:.2f} s,"
              f" first prediction after {figures['first_prediction_s']:.2f} s, Python running "
              f"after {figures['process_to_python_s']:.2f} s")
    return medians


def test_window_within_a_second_of_a_cold_start(startup: dict[str, dict[str, float]]) -> None:
    assert startup["cold"]["window_shown_s"] <= WINDOW_SHOWN_COLD_S


def test_first_prediction_within_1_2_s_of_a_cold_start(
    startup: dict[str, dict[str, float]],
) -> None:
    assert startup["cold"]["first_prediction_s"] <= FIRST_PREDICTION_COLD_S


def test_unpacked_size(app: Path) -> None:
    sizes = measure.files(app)
    total_mb = sum(sizes.values()) / 1e6
    print(f"\n{total_mb:.0f} MB unpacked; biggest parts:")
    for part, size in measure.biggest_parts(sizes, count=8):
        print(f"  {size / 1e6:8.1f} MB  {part}")
    assert total_mb <= UNPACKED_MB


def test_archive_size(app: Path) -> None:
    archive_mb = measure.archive_size(app) / 1e6
    print(f"\n{archive_mb:.0f} MB as .tar.gz")
    assert archive_mb <= ARCHIVE_MB
