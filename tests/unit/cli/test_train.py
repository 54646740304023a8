"""``digitpad train``: with no options Retrain's default recipe on the shipped data, ``--preset``
for the others, and the options given over the preset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digitpad.cli import build_parser
from digitpad.cli.train import (
    not_a_digit_count,
    pen_copies,
    recipe_settings,
    recorded_command,
    regional_copies,
    train_command,
)
from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.outputs import CROSSED_SEVEN, NOT_A_DIGIT, OUTPUT_NAMES
from digitpad.ml.presets import BEST, DEFAULT, OVERFIT, PRESETS, TUTORIAL, Preset, preset
from tests.unit.cli.conftest import Run


def parsed(*args: str) -> tuple[dict, int]:
    """The settings and pen-digit variants ``digitpad train ARGS`` trains with."""
    options = build_parser().parse_args(["train", *args])
    chosen, settings = recipe_settings(options)
    return settings, pen_copies(options, chosen)


def non_digits(*args: str) -> tuple[int, int]:
    """The generated non-digits and long-flag/crossed copies ``digitpad train ARGS`` learns."""
    options = build_parser().parse_args(["train", *args])
    chosen = preset(options.preset)
    return (not_a_digit_count(options, chosen, pen_copies(options, chosen)),
            regional_copies(options, chosen))


def outputs_of(chosen: Preset) -> int:
    return len(OUTPUT_NAMES) if chosen.twelve_outputs else NUM_CLASSES


@pytest.mark.parametrize("chosen", PRESETS, ids=[p.name for p in PRESETS])
def test_a_preset_by_name_gives_its_whole_recipe(chosen) -> None:
    assert parsed("--preset", chosen.name) == (
        {**chosen.settings, "seed": 0, "outputs": outputs_of(chosen)}, chosen.pen_copies)


def test_no_options_is_retrains_default_recipe() -> None:
    assert DEFAULT is BEST
    assert parsed() == ({**BEST.settings, "seed": 0, "outputs": len(OUTPUT_NAMES)},
                        BEST.pen_copies)
    assert non_digits() == (BEST.not_a_digit, BEST.regional_copies)
    assert build_parser().parse_args(["train"]).out is None  # into the models folder


def test_twelve_outputs_follow_the_pen_digits_unless_asked_for() -> None:
    """The default keeps the bundled model's twelve outputs; without pen-drawn digits (which
    teach them) a preset's recipe is the ten digits, and ``--outputs 10`` asks for them."""
    assert parsed("--no-pen-digits")[0]["outputs"] == NUM_CLASSES
    assert non_digits("--no-pen-digits")[0] == 0
    assert parsed("--outputs", "10")[0]["outputs"] == NUM_CLASSES
    assert parsed("--preset", "tutorial")[0]["outputs"] == NUM_CLASSES
    assert parsed("--preset", "tutorial", "--pen-digits", "--outputs", "12")[0]["outputs"] == 12
    assert non_digits("--not-a-digit", "500", "--regional-copies", "3") == (500, 3)
    assert non_digits("--preset", "tutorial", "--pen-digits", "--not-a-digit", "9")[0] == 9


def test_twelve_outputs_without_the_data_that_teaches_them_are_refused(cli: Run) -> None:
    for args in (["--no-pen-digits", "--outputs", "12"], ["--preset", "tutorial",
                                                          "--not-a-digit", "100"]):
        code, _, err = cli("train", *args)
        assert code == 2 and "12 outputs need pen-drawn digits" in err, err
    code, _, err = cli("train", "--outputs", "10", "--not-a-digit", "100")
    assert code == 2 and "give one of them" in err


def test_the_options_given_override_the_preset() -> None:
    settings, copies = parsed("--preset", "overfit", "--epochs", "150", "--early-stopping",
                              "--train-images", "500", "--seed", "4")
    assert settings == {**OVERFIT.settings, "epochs": 150, "early_stopping": True,
                        "train_limit": 500, "seed": 4, "outputs": NUM_CLASSES}
    assert copies == 0
    settings, copies = parsed("--arch", "mlp", "--batch-size", "32", "--learning-rate", "0.01",
                              "--no-augment", "--validation-fraction", "0.2")
    assert (settings["arch"], settings["batch_size"], settings["learning_rate"],
            settings["augment"], settings["validation_fraction"]) == ("mlp", 32, 0.01, False, 0.2)
    assert settings["epochs"] == BEST.settings["epochs"] and copies == BEST.pen_copies
    assert parsed("--no-pen-digits")[1] == 0
    assert parsed("--ink-copies", "1")[1] == 1
    assert parsed("--preset", "tutorial", "--pen-digits")[1] == BEST.pen_copies
    assert parsed("--preset", "tutorial", "--ink", "pen.json")[1] == BEST.pen_copies
    assert parsed("--preset", "tutorial", "--subclass")[0] == {
        **TUTORIAL.settings, "subclass": True, "seed": 0, "outputs": NUM_CLASSES}


def test_an_unknown_preset_is_refused_with_the_names(
    cli: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli("train", "--preset", "fast")
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--preset: invalid choice: 'fast'" in err
    assert all(p.name in err.rsplit("choose from", 1)[1] for p in PRESETS)


def test_contradicting_options_are_one_line_and_exit_2(cli: Run, tmp_path: Path) -> None:
    code, _, err = cli("train", "--subclass", "--out", str(tmp_path / "m.keras"))
    assert code == 2
    assert err.startswith("digitpad: error: subclass builds the tutorial's MLP") and \
        "use arch='mlp'" in err
    code, _, err = cli("train", "--ink", "pen.json", "--no-pen-digits")
    assert code == 2 and "give one of them" in err


def test_with_no_options_it_trains_on_the_shipped_data_into_the_models_folder(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], few_pen_digits: list
) -> None:
    """What ``digitpad train`` learns from, up to the training itself (minutes for real): the
    MNIST shipped with digitpad (the test's profile has no Keras cache) and the shipped pen
    digits of the training writers, here ten of each writer's."""
    from digitpad.cli.train import _library_path
    from digitpad.ml import datasets, training
    from digitpad.paths import trusted_model_dirs

    assert len(datasets.shipped_pen_digits()) == 7494  # the shipped set, read for real
    monkeypatch.setattr(datasets, "shipped_pen_digits", lambda: few_pen_digits)
    seen: dict[str, object] = {}

    class Trained(Exception):
        pass

    def fake_train(config, data, callbacks=(), extra_train=None):
        seen.update(config=config, data=data, extra=extra_train)
        raise Trained

    monkeypatch.setattr(training, "train", fake_train)
    options = build_parser().parse_args(["train"])
    options.argv = ["train"]
    with pytest.raises(Trained):
        train_command(options)

    assert seen["config"] == training.TrainingConfig(**BEST.settings, seed=0,
                                                     outputs=len(OUTPUT_NAMES))
    assert seen["data"].source == datasets.SHIPPED_SOURCE
    images, labels, weights = seen["extra"]
    assert len(images) == len(labels) == len(weights)
    # The 20 training writers' ten each, as drawn and as the variants, then their 1s and 7s as
    # much of the world writes them, then the non-digits as drawn and as the variants; all
    # weighing as one.
    drawn = 200 * (1 + BEST.pen_copies)
    assert set(labels[:drawn].tolist()) <= {*range(NUM_CLASSES), CROSSED_SEVEN}
    assert (labels == NOT_A_DIGIT).sum() == BEST.not_a_digit * (1 + BEST.pen_copies)
    assert set(weights.tolist()) == {1.0}
    err = capsys.readouterr().err
    assert err.startswith("training cnn (Best for drawings) on MNIST (shipped with digitpad), "
                          "60000 training images; plus 200 pen-drawn digits from "
                          "pendigits_train_strokes.json.gz (20 writers)")
    assert _library_path("cnn").parent == trusted_model_dirs()[1]


def test_the_tutorials_model_as_a_subclass_reports_it_is_the_same_network(
    cli: Run, tmp_path: Path, mnist_path: Path
) -> None:
    out = tmp_path / "sub.keras"
    code, stdout, err = cli("train", "--preset", "tutorial", "--subclass", "--epochs", "1",
                            "--limit", "1000", "--data", str(mnist_path), "--out", str(out))
    assert code == 0, err
    assert ("as a keras.Model subclass: 101,770 parameters, test accuracy ") in stdout
    assert "as a Sequential model: 101,770 parameters, " in stdout
    assert stdout.rstrip().endswith("(the same weights)")
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["config"]["subclass"] is True and card["parameters"] == 101_770
    assert "pen-drawn" not in card["data"]  # the tutorial learns from MNIST alone


def test_the_card_names_the_files_it_was_trained_from_without_the_machines_folders() -> None:
    command = recorded_command(["train", "--data", "/tmp/x1/mnist.npz",
                                "--out=/tmp/b/my model.keras", "--ink", "../shared/pen.json",
                                "--epochs", "3"])
    assert command == ("digitpad train --data mnist.npz '--out=my model.keras' --ink pen.json "
                       "--epochs 3")
