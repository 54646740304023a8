"""The command line as a user runs it: a subprocess, real files, exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitpad.ml.datasets import Mnist
from digitpad.ml.ink import Drawing, make_drawing, save_ink
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.render_pool import PARALLEL_FROM_BYTES


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", "digitpad", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory, pendigits: list[Drawing]) -> Path:
    """One real drawing of each digit, an empty drawing in the middle."""
    picked = [next(d for d in pendigits if d.label == digit) for digit in range(10)]
    picked.insert(5, make_drawing([]))
    path = tmp_path_factory.mktemp("ink") / "samples.json"
    save_ink(path, picked)
    return path


def test_classify_json_has_one_entry_per_drawing_in_order(sample_file: Path) -> None:
    result = run_cli("classify", "--json", str(sample_file))
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert list(payload) == ["results"]
    results = payload["results"]
    assert [r["index"] for r in results] == list(range(11))
    assert results[5] == {"file": str(sample_file), "index": 5, "digit": None, "confidence": 0.0,
                          "probabilities": [0.0] * 10}
    drawn = results[:5] + results[6:]
    for entry in drawn:
        assert set(entry) == {"file", "index", "digit", "confidence", "probabilities"}
        assert len(entry["probabilities"]) == 10
        assert entry["confidence"] == max(entry["probabilities"])
    assert sum(entry["digit"] == digit for digit, entry in enumerate(drawn)) >= 8


def test_a_big_ink_file_is_classified_on_every_core_in_order_and_quietly(
    tmp_path: Path, pendigits: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    """Above PARALLEL_FROM_BYTES the drawings are rendered by worker processes: same answers, in
    the file's order, empty drawings kept in place, nothing on stderr. Run twice: the second run
    starts new workers."""
    drawings = list(pendigits[:2400])
    drawings.insert(1234, make_drawing([]))
    path = tmp_path / "many.json"
    save_ink(path, drawings)
    assert path.stat().st_size >= PARALLEL_FROM_BYTES
    expected = [p.digit for p in bundled_recognizer.predict_drawings(drawings)]
    for _ in range(2):
        result = run_cli("classify", "--json", str(path))
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert [r["digit"] for r in json.loads(result.stdout)["results"]] == expected
    assert expected[1234] is None


def test_classify_names_each_drawing_of_a_file_of_many(sample_file: Path) -> None:
    result = run_cli("classify", str(sample_file))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"{sample_file}#{i}" for i in range(11)]
    assert lines[5] == f"{sample_file}#5: no digit (empty)"


def test_classify_prints_digit_and_confidence_for_images(tmp_path: Path, mnist: Mnist) -> None:
    picture = tmp_path / "seven.png"
    index = int(np.flatnonzero(mnist.y_test == 7)[0])
    Image.fromarray(255 - mnist.x_test[index]).resize((140, 140)).save(picture)  # ink on paper
    result = run_cli("classify", str(picture))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{picture}: 7  (")


def test_evaluate_reports_accuracy_per_digit_and_confusion(sample_file: Path) -> None:
    result = run_cli("evaluate", str(sample_file))
    assert result.returncode == 0, result.stderr
    assert "samples: 10 (1 unlabelled or empty skipped)" in result.stdout
    assert "accuracy: " in result.stdout and "per digit: 0: " in result.stdout
    assert "confusion (rows: true digit, columns: predicted):" in result.stdout


def test_info_shows_the_summary_and_the_model_card() -> None:
    result = run_cli("info")
    assert result.returncode == 0, result.stderr
    assert "Total params" in result.stdout
    assert "MNIST test accuracy" in result.stdout


def test_train_a_model_that_knows_what_is_no_digit_then_classify_with_it(
    tmp_path: Path, mnist_path: Path, pendigits_path: Path, pendigits: list[Drawing]
) -> None:
    out = tmp_path / "twelve.keras"
    result = run_cli("train", "--arch", "mlp", "--epochs", "1", "--limit", "1000", "--data",
                     str(mnist_path), "--ink", str(pendigits_path), "--ink-copies", "1",
                     "--not-a-digit", "300", "--regional-copies", "1", "--seed", "2",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "epoch 1/1" in result.stderr and "test accuracy: " in result.stdout
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["architecture"] == "mlp" and card["config"]["seed"] == 2
    assert card["command"].startswith("digitpad train --arch mlp")
    assert "--out twelve.keras" in card["command"] and str(tmp_path) not in card["command"]
    assert card["outputs"][-2:] == ["crossed 7", "not a digit"]
    ink = card["ink_training"]
    assert ink["not_digits"] == 300 and ink["pen_crossed_sevens"] > 300
    assert "300 generated drawings that are no digit" in card["data"]
    save_ink(tmp_path / "one.json", next(d for d in pendigits if d.label == 3))
    for _ in range(2):
        classified = run_cli("classify", "--model", str(out), "--json", str(tmp_path / "one.json"))
        assert classified.returncode == 0, classified.stderr
        [entry] = json.loads(classified.stdout)["results"]
        assert len(entry["probabilities"]) == 10
    info = run_cli("info", "--model", str(out))
    assert "dense" in info.stdout.lower()


def test_train_with_samples_reports_held_out_accuracy(
    tmp_path: Path, mnist_path: Path, pendigits: list[Drawing]
) -> None:
    mine = [d for d in pendigits if d.extra["writer"] == "tra_w05"][:60]
    samples = tmp_path / "my_samples.json"
    save_ink(samples, mine)
    out = tmp_path / "mine.keras"
    result = run_cli(
        "train", "--arch", "mlp", "--epochs", "1", "--limit", "2000", "--data", str(mnist_path),
        "--samples", str(samples), "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "of your samples from my_samples.json" in result.stderr
    card = json.loads(out.with_suffix(".json").read_text())["personal_samples"]
    assert card["trained_on"] + card["held_out"] == 60
    assert card["held_out"] >= 10
    assert f"accuracy on your {card['held_out']} held-out samples" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["classify", "missing.json"], "missing.json: cannot read the file"),
        (["classify", "--model", "nope.keras", "ink.json"], "nope.keras: no such model file"),
        (["evaluate", "bad.json"], "bad.json: sample 0, stroke 0, point 0"),
        (["train", "--out", "model.keras", "--data", "nope.npz"], "nope.npz: no such file"),
        (["train", "--out", "model.h5", "--data", "x.npz"], "--out must end in .keras"),
    ],
)
def test_user_errors_are_one_line_on_stderr_without_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "bad.json").write_text('[{"label": 1, "strokes": [[["a", 1]]]}]')
    save_ink(tmp_path / "ink.json", make_drawing([[(0, 0), (1, 1)]]))
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("digitpad: error: ")
    assert message in result.stderr


def test_bad_arguments_exit_non_zero_with_usage() -> None:
    result = run_cli("train", "--epochs", "zero", "--out", "x.keras")
    assert result.returncode == 2
    assert "expected a whole number" in result.stderr


def _hostile_files(folder: Path) -> None:
    """Odd and hostile files a user might hand to ``classify``."""
    (folder / "deep.json").write_text("[" * 100_000)
    (folder / "digits.json").write_text('{"strokes": [[[' + "9" * 310 + ", 0]]]}")
    (folder / "label.json").write_text('{"strokes": [[[0, 0]]], "label": ' + "7" * 5000 + "}")
    (folder / "eps.png").write_text("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\nshowpage\n")
    Image.new("1", (20_000, 20_000), 1).save(folder / "huge.png")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("deep.json", "deep.json: not JSON we can read: nested more than 64 levels deep; "
                      "expected ink JSON"),
        ("digits.json", "digits.json, stroke 0, point 0: out of range"),
        ("label.json", "label.json: 'label' must be a digit 0-9"),
        ("eps.png", "eps.png: not a supported image (PNG, JPEG, BMP, GIF, WebP or TIFF)"),
        ("huge.png", "huge.png: too many pixels; the limit is 40 megapixels"),
    ],
)
def test_hostile_files_give_one_line_without_traceback(
    tmp_path: Path, name: str, message: str
) -> None:
    _hostile_files(tmp_path)
    result = run_cli("classify", name, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"digitpad: error: {message}")


def _hostile_models(folder: Path) -> None:
    """Model files a user might hand to ``--model``; each is told apart without TensorFlow."""
    import keras

    (folder / "photo.keras").write_bytes(b"\xff\xd8\xff\xe0" + bytes(2000))
    keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                      keras.layers.Dense(10, activation="softmax")]).save(folder / "colour.keras")
    keras.Sequential([keras.Input((28, 28)), keras.layers.Lambda(lambda x: x),
                      keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
                     ).save(folder / "lambda.keras")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("photo.keras", "photo.keras: not a Keras model, or a damaged one"),
        ("colour.keras", "colour.keras: the model takes input of shape (None, 32, 32, 3); "
                         "digitpad needs (None, 28, 28) or (None, 28, 28, 1)"),
        ("lambda.keras", "lambda.keras: the model has a Lambda layer, whose code is stored in the "
                         "file; digitpad never runs code from a model file"),
    ],
)
def test_hostile_models_give_one_line_at_once(tmp_path: Path, name: str, message: str) -> None:
    _hostile_models(tmp_path)
    save_ink(tmp_path / "ink.json", make_drawing([[(0, 0), (1, 1)]]))
    result = run_cli("classify", "--model", name, "ink.json", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()  # no "preparing…" line: no conversion was started
    assert line.startswith(f"digitpad: error: {message}")


FAULTY = """
import sys
import digitpad.cli.classify as classify
def broken(args):
    raise RuntimeError("the renderer lost its place")
classify.classify_command = broken
import digitpad.cli
digitpad.cli.classify_command = broken
from digitpad.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_fault_of_digitpads_own_exits_1_in_one_line_with_the_details_in_the_log(
    tmp_path: Path,
) -> None:
    """Not the user's input: a bug (planted here; a real one would be fixed) is told apart from
    bad input by its exit code, and the traceback goes to the log for the report."""
    save_ink(tmp_path / "ink.json", make_drawing([[(0, 0), (1, 1)]]))
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", FAULTY, "classify", "ink.json"],
                                capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert result.returncode == 1
        [line] = result.stderr.splitlines()
        assert line.startswith("digitpad: internal error: RuntimeError: the renderer lost its "
                               "place. This is a fault in digitpad, not in your files")
    [log] = (tmp_path / "data").rglob("digitpad.log")
    assert line.endswith(f"details in {log}.")
    assert log.read_text().count("Traceback") == 2
