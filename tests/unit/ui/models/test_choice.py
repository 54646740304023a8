"""Which model starts with the app: the last one used, or the bundled one if that is gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from digitpad.ml.card import ModelCard
from digitpad.ui.models.choice import MODEL_KEY, ModelChoice
from digitpad.ui.pad.workers import ModelInfo

BUNDLED = Path("/app/assets/digitpad-cnn.keras")
MINE = Path("/home/me/.local/share/digitpad/models/2025-03-01_141502_cnn.keras")


def info(path: Path) -> ModelInfo:
    return ModelInfo(path, path.name, "", ModelCard())


@pytest.fixture
def choice(settings: QSettings) -> ModelChoice:
    return ModelChoice(settings, BUNDLED)


def test_the_first_start_uses_the_bundled_model(choice: ModelChoice) -> None:
    assert choice.startup_path() == BUNDLED


def test_the_model_in_use_is_the_one_the_next_start_loads(
    choice: ModelChoice, settings: QSettings
) -> None:
    choice.remember(info(MINE))
    assert settings.value(MODEL_KEY) == str(MINE)
    assert ModelChoice(settings, BUNDLED).startup_path() == MINE
    choice.remember(info(BUNDLED))
    assert settings.value(MODEL_KEY) is None
    assert ModelChoice(settings, BUNDLED).startup_path() == BUNDLED


def test_use_and_reset_ask_for_a_load(qtbot, choice: ModelChoice) -> None:
    with qtbot.waitSignal(choice.load_requested) as loaded:
        choice.use(str(MINE))
    assert loaded.args == [str(MINE)]
    with qtbot.waitSignal(choice.load_requested) as loaded:
        choice.reset()
    assert loaded.args == [str(BUNDLED)]


def test_a_remembered_model_that_fails_at_start_falls_back_with_a_message(
    qtbot, choice: ModelChoice, settings: QSettings
) -> None:
    settings.setValue(MODEL_KEY, str(MINE))
    assert choice.startup_path() == MINE
    with qtbot.waitSignal(choice.fell_back) as told, \
            qtbot.waitSignal(choice.load_requested) as loaded, \
            qtbot.assertNotEmitted(choice.model_failed):
        choice.on_model_failed(str(MINE), f"{MINE}: no such model file", False)
    title, message = told.args
    assert title == "Your chosen model could not be loaded"
    assert message.startswith(f"{MINE}: no such model file\n\ndigitpad uses its bundled model")
    assert loaded.args == [str(BUNDLED)]
    assert settings.value(MODEL_KEY) is None


@pytest.mark.parametrize("has_model", [True, False])
def test_other_failures_go_to_the_window_and_change_no_setting(
    qtbot, choice: ModelChoice, settings: QSettings, has_model: bool
) -> None:
    settings.setValue(MODEL_KEY, str(MINE))
    choice.startup_path()
    other = "/tmp/downloaded.keras"
    with qtbot.waitSignal(choice.model_failed) as failed, \
            qtbot.assertNotEmitted(choice.load_requested):
        choice.on_model_failed(other, "broken", has_model)
    assert failed.args == [other, "broken", has_model]
    assert settings.value(MODEL_KEY) == str(MINE)


def test_a_failure_after_start_up_does_not_fall_back(
    qtbot, choice: ModelChoice, settings: QSettings
) -> None:
    settings.setValue(MODEL_KEY, str(MINE))
    choice.startup_path()
    choice.remember(info(MINE))  # it loaded; later the user loads it again and it fails
    with qtbot.waitSignal(choice.model_failed), qtbot.assertNotEmitted(choice.fell_back):
        choice.on_model_failed(str(MINE), "gone", True)
