"""The commands run in this process, and a twelve-output model whose answers a test can foresee."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

HEAVY_INK = 100.0
"""The twelve-output model's line: a drawing with more ink than this (the sum of its 28x28
input) is no digit, any other a plain 7. The pen-drawn 1s of writer tra_w09 have 60 to 80, the
0s 110 to 140."""


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """``cli(*args)`` runs ``digitpad ARGS`` in this process: exit code, stdout, stderr."""
    from digitpad.__main__ import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="session")
def heavy_ink_model_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A twelve-output model, saved as digitpad saves the models it trains (card and LiteRT form
    beside it), that reads light ink as an uncrossed 7 and heavy ink as no digit."""
    import keras

    from digitpad.ml.card import ModelCard
    from digitpad.ml.modelstore import save_model
    from digitpad.ml.outputs import NOT_A_DIGIT, OUTPUT_NAMES

    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(len(OUTPUT_NAMES), activation="softmax")])
    kernel, bias = model.layers[-1].get_weights()
    kernel[:] = 0.0
    kernel[:, NOT_A_DIGIT] = 1.0
    bias[:] = -30.0
    bias[7] = 0.0
    bias[NOT_A_DIGIT] = -HEAVY_INK
    model.layers[-1].set_weights([kernel, bias])
    path = tmp_path_factory.mktemp("twelve") / "heavy.keras"
    save_model(model, path, ModelCard(architecture="mlp", outputs=list(OUTPUT_NAMES)))
    return path


@pytest.fixture
def heavy_ink_model(heavy_ink_model_files: Path) -> Path:
    """The model in this test's library of retrained models, whose LiteRT forms are served as
    they are (a model from elsewhere would be converted by TensorFlow first)."""
    from digitpad.paths import trusted_model_dirs

    library = trusted_model_dirs()[1]
    library.mkdir(parents=True, exist_ok=True)
    for file in heavy_ink_model_files.parent.glob(f"{heavy_ink_model_files.stem}.*"):
        shutil.copy(file, library / file.name)
    return library / heavy_ink_model_files.name

