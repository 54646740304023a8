"""The frozen app, built from packaging/digitpad.spec, run the ways users will run it.

Slow: the build takes minutes. ``python -m pytest -m slow tests/packaging`` builds into a temporary
folder; set ``DIGITPAD_FROZEN_APP`` to an already built ``dist/digitpad`` to test that instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from digitpad.ml.datasets import SHIPPED_MNIST, SHIPPED_PEN_DIGITS, shipped_checksums
from tests.packaging.frozen_build import frozen_app_folder

# The first test also waits for the build (minutes, more on a busy machine): each run of the app
# has its own RUN_TIMEOUT_S, the build the hour frozen_app_folder gives it.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

RUN_TIMEOUT_S = 300
NOBODY = 65534


@pytest.fixture(scope="session")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built app folder (``.../digitpad`` holding the ``digitpad`` executable)."""
    return frozen_app_folder(tmp_path_factory, "DIGITPAD_FROZEN_APP")


def run(command: list[str], cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **environment}
    env.pop("KERAS_BACKEND", None)  # the app must pin it itself
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=RUN_TIMEOUT_S, check=False)
    print(result.stdout)
    return result


def self_test_passed(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == 0 and "\nself-test: OK in " in f"\n{result.stdout}"


def test_the_bundle_holds_the_assets_and_not_the_exclusions(frozen_app: Path) -> None:
    inside = frozen_app / "_internal"
    for asset in ("digitpad-cnn.keras", "digitpad-cnn.tflite", "digitpad-cnn.json",
                  "samples/self-test.json", "samples/README.md", "data/README.md"):
        assert (inside / "assets" / asset).is_file(), asset
    # The training data, whole: Retrain works offline.
    data = inside / "assets" / "data"
    checksums = shipped_checksums(data)
    assert set(checksums) == {SHIPPED_MNIST, SHIPPED_PEN_DIGITS}
    for name, digest in checksums.items():
        assert hashlib.sha256((data / name).read_bytes()).hexdigest() == digest, name
    assert list(inside.glob("ai_edge_litert/*interpreter_wrapper*"))
    for unused in ("libLiteRtWebGpuAccelerator.so", "vendors", "aot", "tools"):
        assert not (inside / "ai_edge_litert" / unused).exists(), unused
    assert (inside / "digitpad" / "ml" / "training.py").is_file()  # source for AutoGraph
    for excluded in ("scipy", "IPython", "PySide6/Qt/translations", "assets/screenshots",
                     "tensorflow/include", "tensorflow/compiler/mlir/stablehlo"):
        assert not (inside / excluded).exists(), excluded
    assert not list(inside.glob("PySide6/Qt/plugins/platforms/*eglfs*"))
    for plugin in ("qjpeg", "qgif", "qwebp", "qtiff"):
        assert list(inside.glob(f"PySide6/Qt/plugins/imageformats/*{plugin}*")), plugin


def test_self_test_offscreen_from_another_directory(frozen_app: Path, tmp_path: Path) -> None:
    result = run([str(frozen_app / "digitpad"), "--self-test"], cwd=tmp_path,
                 QT_QPA_PLATFORM="offscreen")
    assert self_test_passed(result), result.stdout + result.stderr[-3000:]
    assert "window shown on the 'offscreen' platform" in result.stdout
    assert "AutoGraph converted" in result.stdout
    assert "TensorFlow was never imported in the window's process" in result.stdout
    assert "switch 3: self-test.keras in use" in result.stdout


def test_self_test_on_a_real_x_server(frozen_app: Path, tmp_path: Path) -> None:
    """xcb needs system libraries (xcb-cursor, xkbcommon-x11...) that offscreen never loads."""
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        pytest.fail("xvfb-run is missing; install the xvfb and xauth packages (see .ci/run)")
    result = run([xvfb_run, "-a", "-s", "-screen 0 1280x900x24",
                  str(frozen_app / "digitpad"), "--self-test"], cwd=tmp_path,
                 QT_QPA_PLATFORM="xcb")
    assert self_test_passed(result), result.stdout + result.stderr[-3000:]
    assert "window shown on the 'xcb' platform" in result.stdout


def test_keras_config_naming_another_backend_is_ignored(
    frozen_app: Path, tmp_path: Path, isolated_user_dirs: Path
) -> None:
    keras_home = Path(os.environ["KERAS_HOME"])
    keras_home.mkdir(parents=True, exist_ok=True)
    (keras_home / "keras.json").write_text(json.dumps({"backend": "jax"}), encoding="utf-8")
    result = run([str(frozen_app / "digitpad"), "--self-test"], cwd=tmp_path,
                 QT_QPA_PLATFORM="offscreen")
    assert self_test_passed(result), result.stdout + result.stderr[-3000:]
    assert "AutoGraph converted the training's traced code" in result.stdout  # Keras trained


@pytest.fixture
def read_only_copy(frozen_app: Path) -> Iterator[Path]:
    """The app copied to a path with a space and a non-ASCII letter, then made read-only."""
    scratch = Path(tempfile.mkdtemp(prefix="digitpad-install-"))
    scratch.chmod(0o755)  # another user may run it
    app = scratch / "dïgit pad" / "digitpad"
    shutil.copytree(frozen_app, app, symlinks=True)
    for path in [app.parent, *app.parent.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    yield app
    for path in [app.parent, *app.parent.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    shutil.rmtree(scratch)


def test_runs_read_only_from_a_path_with_spaces_and_non_ascii_letters(
    read_only_copy: Path, tmp_path: Path
) -> None:
    """User data goes to the user's folders; nothing is written beside the app.

    As root, write permissions do not bind, so the app then runs as ``nobody``.
    """
    home = Path(tempfile.mkdtemp(prefix="digitpad-home-"))
    home.chmod(0o777)
    before = sorted(p.relative_to(read_only_copy) for p in read_only_copy.rglob("*"))
    command = [str(read_only_copy / "digitpad"), "--self-test"]
    if os.geteuid() == 0:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   *command]
    try:
        result = run(command, cwd=home, QT_QPA_PLATFORM="offscreen", HOME=str(home),
                     XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
                     XDG_CACHE_HOME=str(home / "cache"), KERAS_HOME=str(home / "keras"))
        assert self_test_passed(result), result.stdout + result.stderr[-3000:]
        assert "dïgit pad" in result.stdout  # the model was loaded from there
        assert (home / "data" / "digitpad" / "digitpad.log").is_file()
    finally:
        shutil.rmtree(home)
    assert sorted(p.relative_to(read_only_copy) for p in read_only_copy.rglob("*")) == before


def test_without_stdout_or_stderr_like_a_windowed_app(frozen_app: Path, tmp_path: Path) -> None:
    """A windowed build (Windows, a macOS .app) starts with sys.stdout = sys.stderr = None.

    Closing the descriptors recreates that here; ``classify --json`` writes to sys.stdout
    directly, as Keras' progress bars do, and would crash without the runtime hook.
    """
    samples = frozen_app / "_internal" / "assets" / "samples" / "self-test.json"
    out = tmp_path / "exit-codes"
    script = (f'"$1" classify --json "$2" >&- 2>&-; echo $? > "{out}"; '
              f'"$1" --self-test >&- 2>&-; echo $? >> "{out}"')
    run(["sh", "-c", script, "sh", str(frozen_app / "digitpad"), str(samples)], cwd=tmp_path,
        QT_QPA_PLATFORM="offscreen")
    assert out.read_text().split() == ["0", "0"]


def test_training_works_offline_frozen(frozen_app: Path, tmp_path: Path) -> None:
    """No --data and an empty Keras cache: the MNIST inside the app, never a download."""
    out = tmp_path / "offline.keras"
    result = run([str(frozen_app / "digitpad"), "train", "--arch", "mlp", "--epochs", "1",
                  "--limit", "1000", "--out", str(out)], cwd=tmp_path,
                 KERAS_HOME=str(tmp_path / "keras"), https_proxy="http://127.0.0.1:9")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "MNIST (shipped with digitpad), 1000 training images" in result.stderr
    assert out.is_file() and not (tmp_path / "keras" / "datasets").exists()


def test_the_command_line_works_frozen(frozen_app: Path, tmp_path: Path) -> None:
    samples = frozen_app / "_internal" / "assets" / "samples" / "self-test.json"
    result = run([str(frozen_app / "digitpad"), "classify", "--json", str(samples)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == ""  # nothing from TensorFlow or LiteRT on the terminal
    digits = [entry["digit"] for entry in json.loads(result.stdout)["results"]]
    labels = [entry["label"] for entry in json.loads(samples.read_text(encoding="utf-8"))]
    assert digits == labels
