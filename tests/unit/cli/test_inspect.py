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
    assert all(set(r) == {"file", "index", "input", "layers", "probabilities"} for r in results)
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
