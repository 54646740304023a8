"""The training child's work, run in this process: its messages, its model file, its endings."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml import training_process
from digitpad.ml.card import ModelCard
from digitpad.ml.datasets import DatasetError, Mnist, load_mnist
from digitpad.ml.digits import to_model_input
from digitpad.ml.evaluation import MISTAKES_KEPT, answers
from digitpad.ml.ink import Drawing, SampleError
from digitpad.ml.jobs import (
    CONVERT,
    DATA_PROBLEM,
    FINE_TUNE,
    INPUT_PROBLEM,
    SAVE_PROBLEM,
    TRAIN,
    TRAIN_WITH_SAMPLES,
    UNEXPECTED,
    BatchEnd,
    Cancelled,
    EpochEnd,
    Failed,
    Finished,
    JobCancelled,
    JobFailed,
    Message,
    Outcome,
    Stage,
    TrainingJob,
)
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.training_process import child_main, run_job
from digitpad.paths import bundled_model_path
from tests.unit.ml.mnist_files import write_mnist_slice, write_wrongly_shaped

MLP_QUICK = {"arch": "mlp", "epochs": 2, "batch_size": 64}


@pytest.fixture(scope="module")
def mnist_file(mnist: Mnist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mnist_slice(mnist, tmp_path_factory.mktemp("data") / "mnist-slice.npz")


class FakeQueue:
    """What child_main needs of a multiprocessing queue."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.closed = False

    def put(self, message: Message) -> None:
        self.messages.append(message)

    def close(self) -> None:
        self.closed = True

    def join_thread(self) -> None:
        assert self.closed


def test_a_job_reports_each_step_and_saves_the_model_with_its_history(
    mnist_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "models" / "new.keras"
    messages: list[Message] = []
    job = TrainingJob(TRAIN, str(output), MLP_QUICK, str(mnist_file),
                      current_model=str(bundled_model_path()))
    outcome = run_job(job, messages.append, threading.Event())

    stages = [m.text for m in messages if isinstance(m, Stage)]
    assert stages == ["Reading mnist-slice.npz…", "Starting TensorFlow…",
                      "Testing the current model…", "Testing on the 500 MNIST test images…",
                      "Saving the model…"]
    batches = [m for m in messages if isinstance(m, BatchEnd)]
    epochs = [m for m in messages if isinstance(m, EpochEnd)]
    assert [m.epoch for m in epochs] == [0, 1]
    assert {m.epochs for m in batches} == {2}
    # Every epoch's last batch is reported, so progress reaches the end of each epoch.
    assert [(m.epoch, m.batch) for m in batches if m.batch + 1 == m.batches] == [(0, 42), (1, 42)]
    assert all("val_loss" in m.logs and "sparse_categorical_accuracy" in m.logs for m in epochs)

    assert outcome.path == str(output) and output.is_file()
    card = outcome.card
    assert card.epochs_run == 2 and card.architecture == "mlp" and card.history is not None
    assert card.history["val_sparse_categorical_accuracy"] == [
        m.logs["val_sparse_categorical_accuracy"] for m in epochs]
    assert card.mnist_test_accuracy == outcome.test_accuracy > 0.7
    assert card.data == "MNIST (mnist-slice.npz), 3000 training images"
    assert outcome.test_images == 500
    # The bundled model was measured on the same 500 test images for the comparison.
    assert outcome.current_accuracy is not None and outcome.current_accuracy > 0.95
    loaded = Recognizer.load(output)
    assert loaded.card == card and loaded.card.file == "new.keras"

    # The test set's confusion matrix, from the same outputs as the accuracy.
    evaluation = outcome.mnist_evaluation
    sliced = load_mnist(str(mnist_file))
    assert evaluation.title == "MNIST test" and evaluation.confusion.shape == (10, 10)
    assert evaluation.samples == 500 and evaluation.accuracy == outcome.test_accuracy
    np.testing.assert_array_equal(evaluation.confusion.sum(axis=1),
                                  np.bincount(sliced.y_test, minlength=10))
    assert len(evaluation.mistakes) == min(MISTAKES_KEPT, 500 - evaluation.right)
    for mistake in evaluation.mistakes:
        np.testing.assert_array_equal(mistake.image, sliced.x_test[mistake.index])
        assert mistake.label == sliced.y_test[mistake.index] != mistake.answer
    assert outcome.pen_evaluation is None  # no pen-drawn digits in this run
    # The figures are the LiteRT form's, the one the window will serve.
    served_outputs = loaded.outputs(to_model_input(sliced.x_test))
    assert outcome.test_accuracy == float(np.mean(answers(served_outputs) == sliced.y_test))


def test_the_current_models_card_figure_spares_measuring_it(
    mnist_file: Path, tmp_path: Path
) -> None:
    messages: list[Message] = []
    job = TrainingJob(TRAIN, str(tmp_path / "m.keras"), {**MLP_QUICK, "epochs": 1},
                      str(mnist_file), current_model=str(bundled_model_path()),
                      current_accuracy=0.9916)
    outcome = run_job(job, messages.append, threading.Event())
    assert outcome.current_accuracy == 0.9916
    assert "Testing the current model…" not in [getattr(m, "text", "") for m in messages]


def test_a_current_model_without_figures_is_measured_on_its_litert_form(
    mnist_file: Path, tmp_path: Path
) -> None:
    """A model the user opened from elsewhere has no LiteRT form the child may serve: it is
    converted in the child, and measured on that form."""
    current = tmp_path / "elsewhere" / "mine.keras"
    first = run_job(TrainingJob(TRAIN, str(current), {**MLP_QUICK, "epochs": 1},
                                str(mnist_file)), lambda message: None, threading.Event())
    current.with_suffix(".tflite").unlink()
    messages: list[Message] = []
    job = TrainingJob(TRAIN, str(tmp_path / "new.keras"), {**MLP_QUICK, "epochs": 1},
                      str(mnist_file), current_model=str(current))
    outcome = run_job(job, messages.append, threading.Event())
    assert "Testing the current model…" in [getattr(m, "text", "") for m in messages]
    assert outcome.current_accuracy == first.test_accuracy


def test_without_a_file_the_child_trains_offline_on_the_data_shipped_with_digitpad(
    tmp_path: Path, isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh profile (no Keras cache) and no mnist.npz chosen: Retrain on a machine that was
    never online. The shipped MNIST is read for real; only a slice of it trains, to be quick."""

    def shipped_slice(path: str | None) -> Mnist:
        return load_mnist(path).subset(train=3000, test=500)

    monkeypatch.setattr(training_process, "load_mnist", shipped_slice)
    messages: list[Message] = []
    job = TrainingJob(TRAIN, str(tmp_path / "offline.keras"), {**MLP_QUICK, "epochs": 1})
    outcome = run_job(job, messages.append, threading.Event())
    assert messages[0] == Stage("Reading MNIST (shipped with digitpad)…")
    assert outcome.card.data == "MNIST (shipped with digitpad), 3000 training images"
    assert outcome.test_accuracy > 0.7 and Path(outcome.path).is_file()
    assert not (isolated_user_dirs / ".keras" / "datasets").exists()  # nothing was downloaded


def test_a_recipe_with_pen_digits_keeps_the_cards_writers_out_and_is_judged_on_them(
    mnist_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pendigits: list[Drawing],
    few_pen_digits: list[Drawing],
) -> None:
    """The default recipe's data on a small scale: ten drawings of each of the 30 writers (the
    shipped set, read for real, has 7,494); the model in use is judged by its card's figure."""
    assert len(training_process.shipped_pen_digits()) == len(pendigits)
    monkeypatch.setattr(training_process, "shipped_pen_digits", lambda: few_pen_digits)
    messages: list[Message] = []
    job = TrainingJob(TRAIN, str(tmp_path / "pen.keras"), {**MLP_QUICK, "epochs": 1},
                      str(mnist_file), current_model=str(bundled_model_path()), pen_copies=2)
    outcome = run_job(job, messages.append, threading.Event())

    stages = [m.text for m in messages if isinstance(m, Stage)]
    assert stages[:4] == ["Reading mnist-slice.npz…", "Reading the pen-drawn digits…",
                          "Rendering the training writers' pen-drawn digits…",
                          "Starting TensorFlow…"]  # before TensorFlow: a bad copy is told fast
    assert "Testing on the 100 pen-drawn digits of the 10 held-out writers…" in stages
    assert "Testing the current model on the held-out writers…" not in stages
    card = outcome.card
    bundled = Recognizer.load(bundled_model_path()).card
    assert card.ink_training["held_out_writers"] == bundled.ink_training["held_out_writers"]
    assert card.ink_training["drawings"] == 200 and card.ink_training["images"] == 600
    assert card.train_examples == 2700 + 600
    assert card.ink_evaluation["samples"] == outcome.pen_samples == 100
    assert outcome.pen_accuracy == card.ink_evaluation["accuracy"] > 0.3
    assert outcome.current_pen_accuracy == bundled.ink_evaluation["accuracy"]
    assert outcome.pen_writers == 10
    pen = outcome.pen_evaluation
    assert pen.title == "Held-out pen writers" and pen.samples == 100
    assert pen.accuracy == outcome.pen_accuracy
    assert {str(d): a for d, a in pen.per_digit_accuracy().items()} == \
        card.ink_evaluation["per_digit_accuracy"]
    assert pen.mistakes and all(m.label != m.answer for m in pen.mistakes)
    held_out = [d for d in few_pen_digits if d.extra["writer"] in card.ink_training[
        "held_out_writers"]]
    served = Recognizer.load(outcome.path).predict_drawings(held_out)
    assert outcome.pen_accuracy == float(np.mean(
        [p.digit == d.label and not p.is_not_a_digit
         for p, d in zip(served, held_out, strict=True)]))
    assert "plus 200 pen-drawn digits from pendigits_train_strokes.json.gz (20 writers)" in \
        card.data


def test_a_subset_of_mnist_is_named_in_the_card(mnist_file: Path, tmp_path: Path) -> None:
    job = TrainingJob(TRAIN, str(tmp_path / "few.keras"),
                      {**MLP_QUICK, "epochs": 1, "train_limit": 500}, str(mnist_file))
    outcome = run_job(job, lambda message: None, threading.Event())
    assert outcome.card.data == "MNIST (mnist-slice.npz), 500 of its 3000 training images"
    assert (outcome.card.train_examples, outcome.card.validation_examples) == (500, 300)


def test_a_wrong_dataset_is_reported_before_tensorflow_starts(tmp_path: Path) -> None:
    messages: list[Message] = []
    job = TrainingJob(TRAIN, str(tmp_path / "m.keras"), MLP_QUICK,
                      str(write_wrongly_shaped(tmp_path / "bad.npz")))
    with pytest.raises(DatasetError, match=r"x_train must have shape \(N, 28, 28\)"):
        run_job(job, messages.append, threading.Event())
    assert messages == [Stage("Reading bad.npz…")]
    assert not (tmp_path / "m.keras").exists()


def test_stopping_ends_the_run_at_the_next_batch_and_saves_nothing(
    mnist_file: Path, tmp_path: Path
) -> None:
    stop = threading.Event()
    messages: list[Message] = []

    def report(message: Message) -> None:
        messages.append(message)
        if isinstance(message, BatchEnd):
            stop.set()

    output = tmp_path / "m.keras"
    with pytest.raises(JobCancelled):
        run_job(TrainingJob(TRAIN, str(output), MLP_QUICK, str(mnist_file)), report, stop)
    assert sum(isinstance(m, BatchEnd) for m in messages) == 1
    assert not any(isinstance(m, EpochEnd) for m in messages)  # no validation pass after stop
    assert not output.parent.exists() or not any(output.parent.iterdir())


def test_training_with_samples_records_them_and_the_held_out_figures(
    mnist_file: Path, tmp_path: Path, pendigits: list[Drawing]
) -> None:
    drawings = three_of_each_digit(pendigits)
    job = TrainingJob(TRAIN_WITH_SAMPLES, str(tmp_path / "m.keras"), MLP_QUICK, str(mnist_file),
                      current_model=str(bundled_model_path()), drawings=drawings)
    outcome = run_job(job, lambda message: None, threading.Event())
    assert outcome.trained_on + outcome.held_out == len(drawings)
    assert outcome.held_out >= 10  # every digit with two or more drawings is measured
    assert outcome.samples_before is not None and outcome.samples_after is not None
    assert outcome.current_accuracy is not None
    card = outcome.card
    assert card.samples_trained_on == outcome.trained_on
    assert card.mnist_test_accuracy == outcome.test_accuracy
    assert card.history is not None and len(card.history["loss"]) == card.epochs_run == 2
    assert card.data is not None
    assert card.data.endswith(f"and {outcome.trained_on} of the user's samples")
    assert outcome.mnist_evaluation.accuracy == outcome.test_accuracy
    # and on the held-out pen writers, beside the model in use (its card's figure)
    bundled = ModelCard.read(bundled_model_path())
    assert outcome.current_pen_accuracy == bundled.ink_evaluation["accuracy"]
    assert outcome.pen_samples == bundled.ink_evaluation["samples"] == 2498
    assert outcome.pen_writers == 10
    assert outcome.pen_accuracy == card.ink_evaluation["accuracy"] == \
        outcome.pen_evaluation.accuracy
    held_out = [d for d in pendigits
                if d.extra["writer"] in bundled.ink_training["held_out_writers"]]
    served = Recognizer.load(outcome.path).predict_drawings(held_out)
    assert outcome.pen_accuracy == float(np.mean(
        [p.digit == d.label and not p.is_not_a_digit
         for p, d in zip(served, held_out, strict=True)]))


def test_a_fine_tuned_twelve_output_model_keeps_its_outputs_and_opens_as_one(
    mnist_file: Path, tmp_path: Path, pendigits: list[Drawing]
) -> None:
    """Its card names the twelve outputs, without which the app would refuse the new model."""
    import keras

    from digitpad.ml.card import ModelCard
    from digitpad.ml.modelstore import save_model
    from digitpad.ml.outputs import OUTPUT_NAMES
    from digitpad.ml.personal import NOT_DIGIT_SHARE, FineTuneConfig

    current = tmp_path / "current.keras"
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(len(OUTPUT_NAMES), activation="softmax")])
    save_model(model, current, ModelCard(architecture="mlp", outputs=list(OUTPUT_NAMES)))
    job = TrainingJob(FINE_TUNE, str(tmp_path / "tuned.keras"), data_path=str(mnist_file),
                      current_model=str(current), drawings=three_of_each_digit(pendigits))

    outcome = run_job(job, lambda message: None, threading.Event())

    replayed = 3000 - FineTuneConfig().validation  # all the slice holds besides validation
    assert outcome.card.outputs == list(OUTPUT_NAMES)
    assert outcome.card.data == (f"{outcome.trained_on} of the user's samples and a replay of "
                                 f"MNIST; and {round(NOT_DIGIT_SHARE * replayed)} generated "
                                 "drawings that are no digit")
    assert Recognizer.load(outcome.path).knows_non_digits
    # "Not a digit" has its column in the matrix; a mistake keeps all twelve outputs.
    evaluation = outcome.mnist_evaluation
    assert evaluation.confusion.shape == (10, 11) and evaluation.output_names == OUTPUT_NAMES
    assert evaluation.accuracy == outcome.test_accuracy
    assert all(m.outputs.shape == (12,) for m in evaluation.mistakes)
    # judged on the held-out pen writers, the model in use measured there too (its card has no
    # figure for them)
    assert outcome.pen_samples == 2498 and outcome.current_pen_accuracy is not None
    assert outcome.pen_accuracy == outcome.card.ink_evaluation["accuracy"]


def test_a_model_that_cannot_be_saved_is_a_save_problem(
    mnist_file: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "models"
    blocked.write_text("a file where the models folder should be")
    job = TrainingJob(TRAIN, str(blocked / "m.keras"), {**MLP_QUICK, "epochs": 1},
                      str(mnist_file))
    with pytest.raises(JobFailed, match="could not be saved") as caught:
        run_job(job, lambda message: None, threading.Event())
    assert caught.value.problem == SAVE_PROBLEM


def test_a_conversion_that_cannot_write_its_cache_is_a_save_problem(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    job = TrainingJob(CONVERT, str(blocked), current_model=str(bundled_model_path()), priority=0)
    with pytest.raises(JobFailed, match="could not be prepared for fast reading") as caught:
        run_job(job, lambda message: None, threading.Event())
    assert caught.value.problem == SAVE_PROBLEM
    assert "Free some disk space" in str(caught.value)


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (DatasetError("x.npz: not an MNIST file"), DATA_PROBLEM),
        (SampleError("no samples to learn from"), INPUT_PROBLEM),
        (JobFailed(SAVE_PROBLEM, "disk full"), SAVE_PROBLEM),
    ],
)
def test_the_child_turns_known_errors_into_messages_for_the_user(
    error: Exception, problem: str
) -> None:
    def work(job: TrainingJob, report, stop) -> Outcome:
        raise error

    queue = FakeQueue()
    child_main(work, TrainingJob(TRAIN, "m.keras", priority=0), queue, threading.Event())
    assert queue.messages == [Failed(problem, str(error))]
    assert queue.closed


def test_the_child_reports_a_bug_with_its_traceback() -> None:
    def work(job: TrainingJob, report, stop) -> Outcome:
        report(Stage("Working…"))
        raise ZeroDivisionError("injected")

    queue = FakeQueue()
    child_main(work, TrainingJob(TRAIN, "m.keras", priority=0), queue, threading.Event())
    stage, final = queue.messages
    assert stage == Stage("Working…")
    assert isinstance(final, Failed) and final.problem == UNEXPECTED
    assert final.message == "ZeroDivisionError: injected"
    assert "Traceback" in final.details and "raise ZeroDivisionError" in final.details


def test_the_child_ends_with_exactly_one_final_message() -> None:
    outcome = Outcome("m.keras", {}, 0.99, 0.98, 10_000)

    def finish(job: TrainingJob, report, stop) -> Outcome:
        return outcome

    def cancel(job: TrainingJob, report, stop) -> Outcome:
        raise JobCancelled

    for work, final in ((finish, Finished(outcome)), (cancel, Cancelled())):
        queue = FakeQueue()
        child_main(work, TrainingJob(TRAIN, "m.keras", priority=0), queue, threading.Event())
        assert queue.messages == [final]


def test_the_child_module_and_the_library_do_not_import_tensorflow() -> None:
    """A child reads MNIST before it starts TensorFlow (here the copy shipped with digitpad: the
    fixtures' profile has no Keras cache), and the app imports the child's entry point and the
    library on its GUI thread: none of that may load it."""
    code = (
        "import sys, digitpad.ml.training_process, digitpad.ml.model_library; "
        "digitpad.ml.training_process.load_mnist(); "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def three_of_each_digit(pendigits: list[Drawing]) -> tuple[Drawing, ...]:
    """One writer's first three drawings of each digit."""
    writer = min(str(d.extra["writer"]) for d in pendigits)
    taken: dict[int | None, int] = defaultdict(int)
    chosen = []
    for drawing in pendigits:
        if drawing.extra["writer"] == writer and taken[drawing.label] < 3:
            taken[drawing.label] += 1
            chosen.append(drawing)
    return tuple(chosen)
