"""``digitpad inspect``: each layer's output for each drawing, in the JSON shape the issue names;
the layers form is made by a child process the first time, and read from the cache after."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.card import ModelCard
from digitpad.ml.ink import Drawing, make_drawing, save_ink
from digitpad.ml.preprocess import ink_to_image
from tests.unit.ml.number_pictures import draw_ink

Cli = Callable[..., tuple[int, str, str]]
PREPARING = "preparing the layers of"
WRITER = "tra_w09"
"""A writer whose 0s have more ink than ``HEAVY_INK`` and whose 1s less (``conftest.py``)."""


@pytest.fixture(scope="module")
def mlp_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tutorial's MLP (untrained), saved as Retrain saves a model."""
    import keras

    from digitpad.ml.card import ModelCard
    from digitpad.ml.models import build_model
    from digitpad.ml.modelstore import save_model

    keras.utils.set_random_seed(0)
    path = tmp_path_factory.mktemp("mlp") / "tutorial.keras"
    save_model(build_model("mlp"), path, ModelCard(architecture="mlp"))
    return path


@pytest.fixture
def mlp(mlp_files: Path) -> Path:
    """The MLP in this test's library of retrained models (its LiteRT form is served as it is)."""
    from digitpad.paths import trusted_model_dirs

    library = trusted_model_dirs()[1]
    library.mkdir(parents=True, exist_ok=True)
    for file in mlp_files.parent.glob(f"{mlp_files.stem}.*"):
        shutil.copy(file, library / file.name)
    return library / mlp_files.name


@pytest.fixture(scope="module")
def bundled_layers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the bundled model's layers form, made once in this process as a first
    inspect's child would make it (a child, or a conversion, per test is slow)."""
    from digitpad.ml.conversion import convert_layers_file
    from digitpad.paths import bundled_model_path

    cache = tmp_path_factory.mktemp("layers-cache")
    convert_layers_file(bundled_model_path(), cache)
    return cache


@pytest.fixture
def bundled(bundled_layers: Path) -> Path:
    """The bundled model, its layers form in this test's cache."""
    from digitpad.paths import bundled_model_path, litert_cache_dir

    shutil.copytree(bundled_layers, litert_cache_dir(), dirs_exist_ok=True)
    return bundled_model_path()


def first(pendigits: list[Drawing], digit: int) -> Drawing:
    return next(d for d in pendigits if d.extra["writer"] == WRITER and d.label == digit)


def two_digits(pendigits: list[Drawing], tmp_path: Path) -> Path:
    path = tmp_path / "two.json"
    save_ink(path, [pendigits[0], pendigits[1]])
    return path


def test_json_gives_every_layers_values_shaped_as_the_layer(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], mlp: Path
) -> None:
    """The first run makes the layers form in a child process; the second reads the cache."""
    from digitpad.paths import litert_cache_dir

    ink = two_digits(pendigits, tmp_path)
    code, out, err = cli("inspect", "--json", "--model", str(mlp), str(ink))
    assert code == 0, err
    assert PREPARING in err
    results = json.loads(out)["results"]
    assert [(r["file"], r["index"]) for r in results] == [(str(ink), 0), (str(ink), 1)]
    assert all(list(r) == ["file", "index", "input", "layers", "probabilities", "why"]
               for r in results)
    first = results[0]
    np.testing.assert_allclose(first["input"], ink_to_image(pendigits[0].strokes), atol=1e-6)
    assert [(layer["class"], layer["shape"]) for layer in first["layers"]] == [
        ("Flatten", [784]), ("Dense", [128]), ("Dense", [10])]
    summary = ModelCard.read(mlp).litert.summary
    assert all(f"{layer['name']} ({layer['class']})" in summary for layer in first["layers"])
    for layer in first["layers"]:
        assert np.asarray(layer["values"]).shape == tuple(layer["shape"])
    _, classified, _ = cli("classify", "--json", "--model", str(mlp), str(ink))
    for result, expected in zip(results, json.loads(classified)["results"], strict=True):
        assert result["probabilities"] == expected["probabilities"]
        np.testing.assert_allclose(result["layers"][-1]["values"], result["probabilities"],
                                   atol=1e-5)

    made = {path: path.stat().st_mtime_ns for path in litert_cache_dir().iterdir()}
    code, again, err = cli("inspect", "--json", "--model", str(mlp), str(ink))
    assert (code, again) == (0, out)
    assert PREPARING not in err
    assert {path: path.stat().st_mtime_ns for path in litert_cache_dir().iterdir()} == made


def test_pictures_and_empty_drawings_and_the_plain_output(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], mlp: Path
) -> None:
    from digitpad.ml.conversion import convert_layers_file
    from digitpad.paths import litert_cache_dir

    convert_layers_file(mlp, litert_cache_dir())  # as the child of the test above does
    draw_ink(pendigits[0].strokes).image.save(tmp_path / "digit.png")
    save_ink(tmp_path / "empty.json", make_drawing([]))
    files = [str(tmp_path / "digit.png"), str(tmp_path / "empty.json")]
    code, out, err = cli("inspect", "--json", "--model", str(mlp), *files)
    assert (code, err) == (0, "")
    picture, empty = json.loads(out)["results"]
    assert np.asarray(picture["input"]).shape == (28, 28)
    assert [len(layer["values"]) for layer in picture["layers"]] == [784, 128, 10]
    assert empty["input"] is None and empty["probabilities"] == [0.0] * 10
    assert [(layer["shape"], layer["values"]) for layer in empty["layers"]] == [
        ([784], None), ([128], None), ([10], None)]

    code, out, _ = cli("inspect", "--model", str(mlp), *files)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{files[0]}: ")
    assert [line.split()[1:3] for line in lines[1:4]] == [
        ["(Flatten)", "784"], ["(Dense)", "128"], ["(Dense)", "10"]]
    assert lines[4] == f"{files[1]}: no digit (empty)"


def some_files(pendigits: list[Drawing], tmp_path: Path) -> tuple[list[Drawing], list[str]]:
    """A file of a 3 and a 5, a picture of the 3 and an empty drawing."""
    drawings = [first(pendigits, 3), first(pendigits, 5)]
    save_ink(tmp_path / "two.json", drawings)
    draw_ink(drawings[0].strokes).image.save(tmp_path / "three.png")
    save_ink(tmp_path / "empty.json", make_drawing([]))
    return drawings, [str(tmp_path / name) for name in ("two.json", "three.png", "empty.json")]


def test_why_names_the_ink_that_made_the_answer_and_compare_the_other_models_reading(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], bundled: Path, mlp: Path
) -> None:
    drawings, files = some_files(pendigits, tmp_path)
    code, out, err = cli("inspect", "--json", "--compare", str(mlp), *files)
    assert (code, err) == (0, "")
    results = json.loads(out)["results"]
    assert [list(r) for r in results] == [
        ["file", "index", "input", "layers", "probabilities", "why", "compare"]] * 4
    *ink, picture, empty = results

    for result, drawing in zip(ink, drawings, strict=True):
        why = result["why"]
        assert list(why) == ["answer", "probability", "pieces", "occlusion"]
        assert why["answer"] == drawing.label
        assert why["probability"] == result["probabilities"][drawing.label]
        pieces = why["pieces"]
        assert list(pieces[0]) == ["stroke", "effect", "without", "points"]
        assert {piece["stroke"] for piece in pieces} == set(range(len(drawing.strokes)))
        for k, stroke in enumerate(drawing.strokes):
            # a stroke's pieces run along it, in the drawing's units, from its first point to its
            # last
            along = [piece["points"] for piece in pieces if piece["stroke"] == k]
            np.testing.assert_allclose(along[0][0], stroke[0], atol=1e-6)
            np.testing.assert_allclose(along[-1][-1], stroke[-1], atol=1e-6)
        strongest = max(pieces, key=lambda piece: piece["effect"])
        assert strongest["effect"] > 0
        assert strongest["without"] < why["probability"]
        occlusion = np.asarray(why["occlusion"])
        assert occlusion.shape == (7, 7)
        inked = np.asarray(result["input"]).reshape(7, 4, 7, 4).any(axis=(1, 3))
        assert np.all(occlusion[~inked] == 0) and occlusion.max() > 0

    assert picture["why"]["answer"] == drawings[0].label
    assert picture["why"]["pieces"] == []
    assert np.asarray(picture["why"]["occlusion"]).shape == (7, 7)
    assert empty["why"] is None

    _, classified, _ = cli("classify", "--json", "--model", str(mlp), *files)
    for result, expected in zip(results, json.loads(classified)["results"], strict=True):
        assert result["compare"] == {"model": "tutorial.keras",
                                     "probabilities": expected["probabilities"],
                                     "digit": expected["digit"], "not_a_digit": False}
    assert empty["compare"]["digit"] is None

    # each file alone gives what it gave among the others: nothing carries over between drawings
    alone = [r for file in files
             for r in json.loads(cli("inspect", "--json", "--compare", str(mlp), file)[1])[
                 "results"]]
    assert [(r["why"], r["compare"]) for r in alone] == [(r["why"], r["compare"])
                                                         for r in results]


def test_the_plain_output_names_both_models_verdicts(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], bundled: Path, mlp: Path
) -> None:
    _, files = some_files(pendigits, tmp_path)
    code, out, err = cli("inspect", "--compare", str(mlp), *files)
    assert (code, err) == (0, "")
    ours = cli("classify", *files)[1].splitlines()
    theirs = cli("classify", "--model", str(mlp), *files)[1].splitlines()
    headings = [line for line in out.splitlines() if not line.startswith("  ")]
    assert headings == ours
    compared = [line for line in out.splitlines() if "  ·  " in line]
    assert compared == [
        f"  {bundled.name}: {a.split(': ', 1)[1]}  ·  tutorial.keras: {b.split(': ', 1)[1]}"
        for a, b in zip(ours[:-1], theirs[:-1], strict=True)]  # the empty drawing has no verdicts
    assert out.splitlines()[1] == compared[0]  # right under its drawing's name


def test_not_a_digit_is_the_answer_explained_and_the_verdict_compared(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], bundled: Path, heavy_ink_model: Path
) -> None:
    """The twelve-output model takes the heavy ink of a 0 for no digit and a 1 for a 7."""
    from digitpad.ml.conversion import convert_layers_file
    from digitpad.paths import litert_cache_dir

    convert_layers_file(heavy_ink_model, litert_cache_dir())
    save_ink(tmp_path / "zero.json", first(pendigits, 0))
    save_ink(tmp_path / "one.json", first(pendigits, 1))
    files = [str(tmp_path / "zero.json"), str(tmp_path / "one.json")]
    code, out, err = cli("inspect", "--json", "--model", str(heavy_ink_model), "--sevens",
                         "plain", "--compare", str(bundled), *files)
    assert (code, err) == (0, "")
    zero, one = json.loads(out)["results"]
    assert zero["why"]["answer"] == "not-a-digit" and zero["why"]["probability"] > 0.99
    assert one["why"]["answer"] == 7
    assert (zero["compare"]["model"], zero["compare"]["digit"]) == (bundled.name, 0)
    assert zero["compare"]["not_a_digit"] is False

    code, out, _ = cli("inspect", "--json", "--compare", str(heavy_ink_model), files[0])
    assert code == 0
    [zero] = json.loads(out)["results"]
    assert zero["why"]["answer"] == 0
    assert (zero["compare"]["model"], zero["compare"]["not_a_digit"]) == ("heavy.keras", True)

    code, out, _ = cli("inspect", "--compare", str(heavy_ink_model), files[0])
    assert code == 0
    line = out.splitlines()[1]
    assert line.startswith(f"  {bundled.name}: 0  (")
    assert "  ·  heavy.keras: not a digit  (" in line


def _pixels(path: Path) -> np.ndarray:
    """A PNG's pixels, (height, width, RGB)."""
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int32)


def _blue_ink(pixels: np.ndarray) -> int:
    """Pixels of the pad (the sheet's top left) in the blue of ink that made the answer."""
    pad = pixels[40:340, 20:320]
    return int(np.sum(pad[..., 2] - pad[..., 0] > 60))


def _compared_bars(pixels: np.ndarray) -> int:
    """Pixels of the chart (the sheet's top right) in the compared model's colour."""
    from digitpad.ui.pad.probability_chart import COMPARED

    colour = (COMPARED.red(), COMPARED.green(), COMPARED.blue())
    return int(np.sum(np.all(pixels[40:340, 510:] == colour, axis=-1)))


def test_png_draws_each_drawing_as_the_window_shows_it(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], bundled: Path, mlp: Path
) -> None:
    """The ink coloured by why, the compared model's bars, every layer: one picture a drawing."""
    _, files = some_files(pendigits, tmp_path)  # a 3 and a 5, a picture of the 3, empty
    out = tmp_path / "inspect.png"
    code, _, err = cli("inspect", "--compare", str(mlp), "--png", str(out), *files)
    assert code == 0
    written = [tmp_path / f"inspect-{n}.png" for n in range(1, 5)]
    assert err.splitlines() == [f"wrote {path}" for path in written] and not out.exists()
    three, five, picture, empty = (_pixels(path) for path in written)
    assert {image.shape[1] for image in (three, five, picture, empty)} == {960}
    # every layer of the bundled CNN is drawn under the pad: the sheets are tall
    assert min(image.shape[0] for image in (three, five, picture, empty)) > 3000
    assert _blue_ink(three) > 500 and _blue_ink(five) > 500
    assert _blue_ink(empty) == 0 and _blue_ink(picture) == 0  # a picture is explained by blocks
    assert min(_compared_bars(image) for image in (three, five, picture)) > 100
    assert _compared_bars(empty) == 0  # an empty drawing has no bars at all

    # one drawing, no second model: exactly the file asked for, and no compared bars
    code, _, err = cli("inspect", "--png", str(out), files[1])
    assert (code, err) == (0, f"wrote {out}\n")
    alone = _pixels(out)
    assert _compared_bars(alone) == 0 and _blue_ink(alone) == 0 and alone.shape[1] == 960
    # asked again, the picture is written again over the first
    out.write_bytes(b"stale")
    assert cli("inspect", "--png", str(out), files[1])[0] == 0
    np.testing.assert_array_equal(_pixels(out), alone)


def test_png_works_without_a_screen_in_a_fresh_process(
    tmp_path: Path, pendigits: list[Drawing], bundled: Path
) -> None:
    """As a user runs it in a terminal, or over ssh with no display: Qt's offscreen platform."""
    import os
    import subprocess
    import sys

    save_ink(tmp_path / "seven.json", first(pendigits, 7))
    out = tmp_path / "seven.png"
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "digitpad", "inspect", "--png", str(out),
             str(tmp_path / "seven.json")], env=env, capture_output=True, text=True,
            timeout=120)
        assert (done.returncode, done.stderr.strip().splitlines()[-1]) == (0, f"wrote {out}")
        assert _blue_ink(_pixels(out)) > 500


def test_png_names_what_went_wrong(cli: Cli, tmp_path: Path, pendigits: list[Drawing],
                                   bundled: Path) -> None:
    save_ink(tmp_path / "seven.json", first(pendigits, 7))
    ink = str(tmp_path / "seven.json")
    code, _, err = cli("inspect", "--png", str(tmp_path / "seven.jpg"), ink)
    assert code == 2 and "--png must end in .png" in err
    code, _, err = cli("inspect", "--png", str(tmp_path / "seven.json" / "in-a-file.png"), ink)
    assert code == 2 and "could not write the picture" in err and "choose another file" in err
