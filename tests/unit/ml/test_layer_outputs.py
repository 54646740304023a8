"""Every layer's output on LiteRT: named, shaped and valued as Keras' own, for every kind of model
digitpad uses; made once into the cache, and read in a process that never imports TensorFlow."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from digitpad.ml.card import ModelCard
from digitpad.ml.conversion import convert_file, convert_layers_file, write_layers_form
from digitpad.ml.datasets import Mnist
from digitpad.ml.ink import Drawing
from digitpad.ml.layer_outputs import (
    Layer,
    LayerOutputs,
    NeedsLayersForm,
    layers_cache_paths,
    layers_job,
    make_layers_form,
    weights_file_bytes,
)
from digitpad.ml.litert import file_sha256
from digitpad.ml.modelstore import save_model
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import ModelError, Recognizer, load_keras_model
from digitpad.ml.training import TrainingConfig, train
from digitpad.ml.training_process import run_in_child
from digitpad.paths import bundled_model_path

LIMIT = 1e-4
"""Largest difference allowed between a layer's output on LiteRT and on Keras."""


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("litert-cache")


@pytest.fixture(scope="module")
def drawings(pendigits: list[Drawing], mnist: Mnist) -> np.ndarray:
    """Pen-drawn digits of many writers as the pad renders them, and a few MNIST digits."""
    pen = [ink_to_image(d.strokes) for d in pendigits[::97][:60]]
    return np.concatenate([np.stack(pen), mnist.x_test[:20].astype(np.float32) / 255.0])


@pytest.fixture(scope="module")
def bundled_layers(cache: Path) -> LayerOutputs:
    convert_layers_file(bundled_model_path(), cache)  # in the app, by a conversion child
    return LayerOutputs.load(bundled_model_path(), cache)


@pytest.fixture(scope="module")
def mlp_path(tmp_path_factory: pytest.TempPathFactory, mnist: Mnist) -> Path:
    """The tutorial's MLP after one epoch on a slice of MNIST, saved as Retrain saves it."""
    result = train(TrainingConfig(arch="mlp", epochs=1, batch_size=32), mnist.subset(2000, 100))
    path = tmp_path_factory.mktemp("library") / "mlp.keras"
    save_model(result.model, path, result.card())
    return path


def _keras_layer_outputs(model: keras.Model, images: np.ndarray) -> list[np.ndarray]:
    """Keras' own output of every layer of a Sequential or functional model."""
    probe = keras.Model(model.inputs[0], [layer.output for layer in model.layers])
    return [np.asarray(output) for output in probe(images, training=False)]


def _largest_difference(lite: LayerOutputs, expected: list[np.ndarray], images: np.ndarray
                        ) -> float:
    got = [lite.run(image) for image in images]
    return max(float(np.max(np.abs(got[i][k] - expected[k][i])))
               for i in range(len(images)) for k in range(len(expected)))


def test_the_bundled_cnns_layers_are_listed_as_its_summary_lists_them(
    bundled_layers: LayerOutputs,
) -> None:
    model = load_keras_model(bundled_model_path())
    assert bundled_layers.layers == [
        Layer(layer.name, type(layer).__name__, tuple(layer.output.shape[1:]))
        for layer in model.layers]
    assert len(bundled_layers.layers) == 23
    assert bundled_layers.layers[1] == Layer("conv2d", "Conv2D", (28, 28, 32))
    assert bundled_layers.layers[-1] == Layer("dense_1", "Dense", (12,))  # digits, crossed 7, none
    summary = ModelCard.read(bundled_model_path()).litert.summary
    assert [(f"{layer.name} ({layer.class_name})", f"(None, {', '.join(map(str, layer.shape))})")
            for layer in bundled_layers.layers] == _summary_rows(summary)


def _summary_rows(summary: str) -> list[tuple[str, str]]:
    """(layer and type, output shape) of each row of a Keras summary's table, wrapped cells
    joined."""
    rows: list[tuple[str, str]] = []
    for block in summary.split("├"):
        cells = [line.split("│")[1:3] for line in block.splitlines() if line.startswith("│")]
        if cells:
            rows.append((" ".join(c[0].strip() for c in cells if c[0].strip()),
                         " ".join(c[1].strip() for c in cells if c[1].strip())))
    return rows


def test_the_bundled_cnns_layer_outputs_are_keras_own(
    bundled_layers: LayerOutputs, drawings: np.ndarray
) -> None:
    expected = _keras_layer_outputs(load_keras_model(bundled_model_path()), drawings)
    outputs = bundled_layers.run(drawings[0])
    assert [output.shape for output in outputs] == [layer.shape for layer in bundled_layers.layers]
    difference = _largest_difference(bundled_layers, expected, drawings)
    print(f"\nbundled CNN, {len(drawings)} drawings: largest difference {difference:.2g}")
    assert difference <= LIMIT


def test_the_tutorial_mlps_layer_outputs_are_keras_own(
    mlp_path: Path, cache: Path, drawings: np.ndarray
) -> None:
    convert_layers_file(mlp_path, cache)
    lite = LayerOutputs.load(mlp_path, cache)
    model = load_keras_model(mlp_path)
    assert [(layer.class_name, layer.shape) for layer in lite.layers] == [
        ("Flatten", (784,)), ("Dense", (128,)), ("Dense", (10,))]
    assert [layer.name for layer in lite.layers] == [layer.name for layer in model.layers]
    difference = _largest_difference(lite, _keras_layer_outputs(model, drawings), drawings)
    print(f"\ntutorial MLP, {len(drawings)} drawings: largest difference {difference:.2g}")
    assert difference <= LIMIT
    probabilities = Recognizer.load(mlp_path).probabilities(drawings[:5])
    np.testing.assert_allclose([lite.run(image)[-1] for image in drawings[:5]], probabilities,
                               atol=LIMIT)


def test_the_tutorials_subclass_twin_is_shown_layer_by_layer(
    tmp_path: Path, drawings: np.ndarray
) -> None:
    """A ``keras.Model`` subclass has no wired layers until it is called; the layers form is
    the same as that of the ``Sequential`` it is saved as."""
    from digitpad.ml.models import as_sequential, build_model

    twin = build_model("mlp", subclass=True)
    record = write_layers_form(twin, tmp_path / "twin.layers.tflite",
                               tmp_path / "twin.weights.npz", "0" * 64)
    lite = LayerOutputs(tmp_path / "twin.layers.tflite", record.layers)
    assert lite.layers == [Layer(layer.name, class_name, shape) for layer, class_name, shape in zip(
        twin.layers, ("Flatten", "Dense", "Dense"), ((784,), (128,), (10,)), strict=True)]
    flat = np.asarray(twin.flatten(drawings))
    hidden = np.asarray(twin.hidden(flat))
    expected = [flat, hidden, np.asarray(twin.classifier(hidden))]
    assert _largest_difference(lite, expected, drawings) <= LIMIT
    path = tmp_path / "twin.keras"
    save_model(as_sequential(twin), path, ModelCard(architecture="mlp"))
    convert_layers_file(path, tmp_path / "cache")
    saved = LayerOutputs.load(path, tmp_path / "cache")
    assert _largest_difference(saved, expected, drawings) <= LIMIT


def test_the_layers_form_is_made_once_into_the_cache_beside_the_litert_form(
    mlp_path: Path, tmp_path: Path
) -> None:
    """Keyed by the file's hash, as the LiteRT form of a user's file is; what a killed
    conversion left there is cleared by the next one."""
    cache = tmp_path / "cache"
    cache.mkdir()
    hour_ago = time.time() - 3600
    for left in (cache / ("0" * 64 + ".layers.tflite"), cache / ("0" * 64 + ".weights.npz")):
        left.write_bytes(b"half a form")
        os.utime(left, (hour_ago, hour_ago))
    with pytest.raises(NeedsLayersForm):
        LayerOutputs.load(mlp_path, cache)
    convert_file(mlp_path, cache)
    with pytest.raises(NeedsLayersForm):  # reading needs no layers form, so it makes none
        LayerOutputs.load(mlp_path, cache)
    form = convert_layers_file(mlp_path, cache)
    sha256 = file_sha256(mlp_path)
    assert (form.path, form.weights_path, form.path.with_suffix(".json")) == layers_cache_paths(
        cache, sha256)
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [f"{sha256}.tflite", f"{sha256}.json", f"{sha256}.layers.tflite",
         f"{sha256}.weights.npz", f"{sha256}.layers.json"])
    made = {path: path.stat().st_mtime_ns for path in cache.iterdir()}
    for _ in range(2):
        assert len(LayerOutputs.load(mlp_path, cache).run(np.zeros((28, 28), np.float32))) == 3
    assert {path: path.stat().st_mtime_ns for path in cache.iterdir()} == made


def test_a_damaged_or_outdated_layers_form_is_not_served(
    mlp_path: Path, cache: Path, tmp_path: Path
) -> None:
    convert_layers_file(mlp_path, cache)
    form = layers_cache_paths(cache, file_sha256(mlp_path))
    outdated, damaged = tmp_path / "outdated", tmp_path / "damaged"
    for folder in (outdated, damaged):
        folder.mkdir()
        for path in form:
            shutil.copy(path, folder)
    mine = tmp_path / "mine.keras"
    shutil.copy(mlp_path, mine)
    assert len(LayerOutputs.load(mine, outdated).layers) == 3  # the same file: the same form
    shutil.copy(bundled_model_path(), mine)  # another model copied over it
    with pytest.raises(NeedsLayersForm):
        LayerOutputs.load(mine, outdated)
    tflite = damaged / form[0].name
    data = bytearray(tflite.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tflite.write_bytes(bytes(data))
    with pytest.raises(NeedsLayersForm):
        LayerOutputs.load(mlp_path, damaged)


def test_the_child_keeps_each_layers_weights_and_activation_as_keras_has_them(
    mlp_path: Path, tmp_path: Path
) -> None:
    """What a unit looks for comes from the conversion child too: the window has no Keras."""
    run_in_child(layers_job(mlp_path, tmp_path), work=make_layers_form)
    weights = LayerOutputs.load(mlp_path, tmp_path).weights
    model = load_keras_model(mlp_path)
    flatten, hidden, output = model.layers
    assert weights.of(flatten.name) == {}
    for layer in (hidden, output):
        kernel, bias = layer.get_weights()
        assert set(weights.of(layer.name)) == {"kernel", "bias"}
        np.testing.assert_array_equal(weights.of(layer.name)["kernel"], kernel)
        np.testing.assert_array_equal(weights.of(layer.name)["bias"], bias)
    assert weights.of(hidden.name)["kernel"].shape == (784, 128)  # a 28x28 picture per unit
    assert (weights.activation(hidden.name), weights.activation(output.name)) == (
        "relu", "softmax")
    with pytest.raises(ValueError):  # the window only reads them
        weights.of(hidden.name)["bias"][0] = 1.0


def test_the_bundled_cnns_kernels_are_kept_for_every_convolution(
    bundled_layers: LayerOutputs,
) -> None:
    model = load_keras_model(bundled_model_path())
    for layer in model.layers:
        expected = {variable.name: np.asarray(variable) for variable in layer.weights}
        got = bundled_layers.weights.of(layer.name)
        assert set(got) == set(expected), layer.name
        for name, array in expected.items():
            np.testing.assert_array_equal(got[name], array)
    assert bundled_layers.weights.of("conv2d_1")["kernel"].shape == (3, 3, 32, 32)
    assert bundled_layers.weights.activation("activation") == "relu"


def test_tampered_weights_or_a_record_without_weights_are_not_served(
    mlp_path: Path, tmp_path: Path
) -> None:
    """A changed weights file is made again, as a changed form is; one that holds pickled
    objects is refused even when a record vouches for it; an older record without weights is
    made again, not a crash."""
    cache = tmp_path / "cache"
    convert_layers_file(mlp_path, cache)
    paths = layers_cache_paths(cache, file_sha256(mlp_path))
    record = json.loads(paths.record.read_text())
    original = paths.weights.read_bytes()

    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 0xFF
    paths.weights.write_bytes(bytes(tampered))
    with pytest.raises(NeedsLayersForm):
        LayerOutputs.load(mlp_path, cache)
    paths.weights.unlink()
    with pytest.raises(NeedsLayersForm):
        LayerOutputs.load(mlp_path, cache)

    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **{"dense/kernel": np.array([object()], dtype=object)})
    for forged in (pickled.read_bytes(),
                   weights_file_bytes({"not_a_layer": {"kernel": np.ones(3)}})):
        paths.weights.write_bytes(forged)
        paths.record.write_text(json.dumps({**record,
                                            "weights_sha256": file_sha256(paths.weights)}))
        with pytest.raises(ModelError, match="weights"):
            LayerOutputs.load(mlp_path, cache)

    paths.weights.write_bytes(original)
    paths.record.write_text(json.dumps({key: value for key, value in record.items()
                                        if key not in ("weights_sha256", "weights_file")}))
    with pytest.raises(NeedsLayersForm):  # as a digitpad before weights were kept left it
        LayerOutputs.load(mlp_path, cache)
    convert_layers_file(mlp_path, cache)
    hidden = load_keras_model(mlp_path).layers[1].name
    assert set(LayerOutputs.load(mlp_path, cache).weights.of(hidden)) == {"kernel", "bias"}


def test_reading_the_layers_imports_neither_tensorflow_nor_keras(
    bundled_layers: LayerOutputs, cache: Path
) -> None:
    code = (
        "import json, sys\n"
        "import numpy as np\n"
        "from digitpad.ml.layer_outputs import LayerOutputs\n"
        "from digitpad.paths import bundled_model_path\n"
        "outputs = LayerOutputs.load(bundled_model_path(), sys.argv[1]).run(\n"
        "    np.zeros((28, 28), np.float32))\n"
        "print(json.dumps({'layers': len(outputs),\n"
        "                  'tensorflow_imported': 'tensorflow' in sys.modules,\n"
        "                  'keras_imported': 'keras' in sys.modules}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(cache)], capture_output=True,
                            text=True, check=True)
    assert json.loads(result.stdout) == {
        "layers": len(bundled_layers.layers), "tensorflow_imported": False,
        "keras_imported": False}
    assert result.stderr == ""  # nothing from LiteRT on the terminal
