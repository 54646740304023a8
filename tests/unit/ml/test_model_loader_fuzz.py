"""Any file handed to the model loader either loads or is refused with one line naming the file:
random bytes, zip archives of anything, Keras configs with any value anywhere, damaged copies of
a real model, and model cards of any content (generated inputs, deterministic)."""

from __future__ import annotations

import copy
import io
import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

import keras
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digitpad.ml.card import ModelCard
from digitpad.ml.modelstore import save_model
from digitpad.ml.recognizer import ModelError, NeedsConversion, Recognizer, load_keras_model
from digitpad.paths import bundled_model_path
from tests.fuzzing import assert_one_line_naming, fuzz

FUZZ = fuzz(600)
KERAS_FUZZ = settings(FUZZ, max_examples=120)
"""Through Keras itself (as the conversion child loads a file): slower, so fewer."""

_KEYS = ["class_name", "config", "layers", "batch_shape", "batch_input_shape", "build_config",
         "input_shape", "units", "module", "registered_name", "name", "activation", "Lambda"]
_leaves = (st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.sampled_from([10**400])
           | st.floats() | st.text(max_size=6) | st.sampled_from([*_KEYS, "Dense", "Sequential"]))
_json_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)
_member_names = (st.sampled_from(["config.json", "model.weights.h5", "metadata.json", "assets/x",
                                  "../escape", "/abs", "config.json/"])
                 | st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00/"),
                           min_size=1, max_size=8))
_member_data = (st.binary(max_size=300)
                | _json_values.map(lambda value: json.dumps(value).encode())
                | st.integers(1, 200).map(lambda n: b"[" * n * 10))


def _tiny_model() -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(10, activation="softmax")])


@pytest.fixture(scope="module")
def real_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real model saved by digitpad, with its card and LiteRT form."""
    path = tmp_path_factory.mktemp("real") / "real.keras"
    save_model(_tiny_model(), path, ModelCard(architecture="mlp"))
    return path


@pytest.fixture(scope="module")
def bundled_config() -> dict[str, Any]:
    with zipfile.ZipFile(bundled_model_path()) as archive:
        return json.loads(archive.read("config.json"))


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """(the folder a user's file is in, the LiteRT cache)."""
    (tmp_path / "files").mkdir()
    return tmp_path / "files", tmp_path / "cache"


def _load_quietly(path: Path, cache: Path, trusted: list[Path]) -> None:
    """Load as the window does; only :class:`ModelError`, in one line naming the file."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            Recognizer.load(path, cache, trusted)
        except NeedsConversion:
            return
        except ModelError as exc:
            assert_one_line_naming(exc, path)


def _zip(members: list[tuple[str, bytes]], compression: int) -> bytes:
    """A zip archive of ``members`` (names may repeat)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are part of the test
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return buffer.getvalue()


@FUZZ
@given(data=st.binary(max_size=2000) | st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b))
def test_any_bytes_load_or_give_a_model_error(folders: tuple[Path, Path], data: bytes) -> None:
    path = folders[0] / "model.keras"
    path.write_bytes(data)
    _load_quietly(path, folders[1], [])


@FUZZ
@given(members=st.lists(st.tuples(_member_names, _member_data), max_size=5),
       config=st.none() | _member_data, weights=st.none() | st.binary(max_size=100),
       compression=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
def test_any_zip_archive_loads_or_gives_a_model_error(
    folders: tuple[Path, Path], members: list[tuple[str, bytes]], config: bytes | None,
    weights: bytes | None, compression: int,
) -> None:
    required = [(name, data) for name, data in [("config.json", config),
                                                ("model.weights.h5", weights)] if data is not None]
    path = folders[0] / "model.keras"
    path.write_bytes(_zip([*required, *members], compression))
    _load_quietly(path, folders[1], [])


def _replace_somewhere(config: Any, choices: list[int], value: Any) -> Any:
    """``config`` with the value at a path picked by ``choices`` replaced by ``value``."""
    config = copy.deepcopy(config)
    node = config
    for choice in choices:
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        containers = [(key, child) for key, child in children if isinstance(child, dict | list)
                      and child]
        if not containers or choice == 0:
            break
        key, child = containers[choice % len(containers)]
        if choice % 3 == 0:
            node[key] = value
            return config
        node = child
    if isinstance(node, dict) and node:
        node[sorted(node)[choices[-1] % len(node) if choices else 0]] = value
    elif isinstance(node, list) and node:
        node[(choices[-1] if choices else 0) % len(node)] = value
    return config


def _with_config(config: Any) -> bytes:
    return _zip([("metadata.json", b"{}"), ("config.json", json.dumps(config).encode()),
                 ("model.weights.h5", b"\x89HDF\r\n\x1a\n")], zipfile.ZIP_STORED)


@FUZZ
@given(choices=st.lists(st.integers(0, 40), max_size=8), value=_json_values)
def test_a_real_config_changed_anywhere_loads_or_gives_a_model_error(
    folders: tuple[Path, Path], bundled_config: dict[str, Any], choices: list[int], value: Any
) -> None:
    path = folders[0] / "model.keras"
    path.write_bytes(_with_config(_replace_somewhere(bundled_config, choices, value)))
    _load_quietly(path, folders[1], [])


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 10**9), st.integers(1, 255)), max_size=4),
       cut=st.none() | st.integers(0, 10**9),
       card=st.none() | _json_values | st.binary(max_size=100),
       trusted=st.booleans())
def test_a_damaged_real_model_and_any_card_load_or_give_a_model_error(
    folders: tuple[Path, Path], real_model: Path, flips: list[tuple[int, int]],
    cut: int | None, card: Any, trusted: bool,
) -> None:
    data = bytearray(real_model.read_bytes())
    for offset, mask in flips:
        data[offset % len(data)] ^= mask
    if cut is not None:
        data = data[: cut % len(data)]
    path = folders[0] / "model.keras"
    path.write_bytes(bytes(data))
    tflite = real_model.with_suffix(".tflite")
    (folders[0] / tflite.name).write_bytes(tflite.read_bytes())
    card_path = ModelCard.path_for(path)
    if card is None:
        card_path.write_bytes(real_model.with_suffix(".json").read_bytes())
    elif isinstance(card, bytes):
        card_path.write_bytes(card)
    else:
        card_path.write_text(json.dumps({**json.loads(real_model.with_suffix(".json").read_text()),
                                         "litert": card}))
    _load_quietly(path, folders[1], [folders[0]] if trusted else [])


def test_an_undamaged_copy_is_served_in_a_trusted_folder_and_converted_elsewhere(
    folders: tuple[Path, Path], real_model: Path
) -> None:
    """The control for the test above: its files, undamaged, load as they should."""
    for suffix in (".keras", ".tflite", ".json"):
        source = real_model.with_suffix(suffix)
        (folders[0] / source.name).write_bytes(source.read_bytes())
    path = folders[0] / real_model.name
    assert Recognizer.load(path, folders[1], [folders[0]]).path == path
    with pytest.raises(NeedsConversion):
        Recognizer.load(path, folders[1], [])


@KERAS_FUZZ
@given(choices=st.lists(st.integers(0, 40), max_size=8), value=_json_values)
def test_keras_itself_loads_a_changed_config_or_gives_a_model_error(
    folders: tuple[Path, Path], real_model: Path, choices: list[int], value: Any
) -> None:
    """What passes the first look reaches Keras, as in the conversion child: still one line."""
    with zipfile.ZipFile(real_model) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    path = folders[0] / "model.keras"
    path.write_bytes(_zip([("metadata.json", b"{}"),
                           ("config.json", json.dumps(_replace_somewhere(config, choices, value))
                            .encode()),
                           ("model.weights.h5", weights)], zipfile.ZIP_STORED))
    try:
        load_keras_model(path)
    except ModelError as exc:
        assert_one_line_naming(exc, path)
