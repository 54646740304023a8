"""The sample store as the app and the user see it: what goes in comes back out exactly,
changes can be undone, and import/export speak the engine's ink format."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitpad.ml.ink import Drawing, InkError, load_ink, make_drawing
from digitpad.ml.preprocess import ink_to_image
from digitpad.samples import (
    SampleError,
    SampleNotFoundError,
    SampleStore,
    StoreError,
    load_labelled,
    store_path,
)


def seven(shift: float = 0.0) -> Drawing:
    return make_drawing([[(10 + shift, 10), (60, 10), (30, 90)], [(25, 50), (50, 50)]], 7)


def same_strokes(a: Drawing, b: Drawing) -> bool:
    return len(a.strokes) == len(b.strokes) and all(
        np.array_equal(x, y) for x, y in zip(a.strokes, b.strokes, strict=True)
    )


@pytest.fixture
def store(tmp_path: Path):
    with SampleStore.open_in(tmp_path / "data") as opened:
        yield opened


def test_store_lives_in_the_given_data_directory(tmp_path: Path) -> None:
    with SampleStore.open_in(tmp_path / "new" / "dir") as store:
        assert store.path == store_path(tmp_path / "new" / "dir") == tmp_path / "new/dir/samples.db"
        assert store.path.is_file()
        assert store.recovered_from is None and store.recovery_message is None


def test_sample_keeps_everything_the_issue_lists(store: SampleStore) -> None:
    drawing = seven()
    image = ink_to_image(drawing.strokes)
    before = datetime.now(timezone.utc)
    sample_id = store.add(
        drawing, 7, image=image, predicted=1, confidence=0.62, model="digitpad-cnn.keras"
    )
    sample = store.get(sample_id)
    assert sample.id == sample_id
    assert sample.label == 7
    assert same_strokes(sample.drawing, drawing)
    assert sample.image.dtype == np.float32 and np.array_equal(sample.image, image)
    assert (sample.predicted, sample.confidence, sample.model) == (1, 0.62, "digitpad-cnn.keras")
    assert sample.was_misread is True
    assert sample.created.tzinfo is not None
    assert before <= sample.created <= datetime.now(timezone.utc)


def test_image_defaults_to_the_rendered_ink_and_prediction_to_unknown(store: SampleStore) -> None:
    sample = store.get(store.add(seven(), 7))
    assert np.array_equal(sample.image, ink_to_image(seven().strokes))
    assert sample.predicted is None and sample.confidence is None and sample.was_misread is None


coordinate = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
strokes_strategy = st.lists(
    st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=20), min_size=1, max_size=4
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(strokes=strokes_strategy, label=st.integers(0, 9))
def test_ink_round_trips_exactly(store: SampleStore, strokes: list, label: int) -> None:
    drawing = make_drawing(strokes, label)
    sample = store.get(store.add(drawing, label, image=np.zeros((28, 28), np.float32)))
    assert same_strokes(sample.drawing, drawing)
    assert sample.label == label


def test_extra_keys_of_a_drawing_are_kept(store: SampleStore) -> None:
    drawing = Drawing(seven().strokes, 7, {"writer": "w01"})
    assert store.get(store.add(drawing, 7)).drawing.extra == {"writer": "w01"}


def test_database_is_in_wal_mode(store: SampleStore) -> None:
    store.add(seven(), 7)
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"label": 10}, "label must be a digit 0-9; received label=10"),
        ({"label": True}, "label must be a digit 0-9; received label=True"),
        ({"label": "7"}, "label must be a digit 0-9; received label='7'"),
        ({"predicted": -1}, "predicted must be a digit 0-9; received predicted=-1"),
        ({"confidence": 1.5}, r"confidence must be in \[0, 1\]; received 1.5"),
        ({"image": np.zeros((28, 27), np.float32)}, r"received shape \(28, 27\)"),
        ({"image": np.full((28, 28), 255.0, np.float32)}, r"pixels must be in \[0, 1\]"),
        ({"drawing": make_drawing([], None)}, "the drawing has no ink"),
        ({"model": None}, "model must be a name"),
    ],
)
def test_invalid_sample_is_refused_with_what_was_received(
    store: SampleStore, change: dict, expected: str
) -> None:
    arguments = {"drawing": seven(), "label": 7, **change}
    with pytest.raises(SampleError, match=expected):
        store.add(**arguments)
    assert len(store) == 0


def test_delete_then_undo_brings_back_the_same_sample(store: SampleStore) -> None:
    keep = store.add(seven(), 7)
    sample_id = store.add(seven(1.0), 7, predicted=1, confidence=0.9, model="m.keras")
    original = store.get(sample_id)

    deleted = store.delete(sample_id)
    assert len(store) == 1
    with pytest.raises(SampleNotFoundError, match=f"no sample with id {sample_id}"):
        store.get(sample_id)
    assert store.add(seven(2.0), 7) not in (keep, sample_id)  # a deleted id is never reused

    store.restore(deleted)
    back = store.get(sample_id)
    assert same_strokes(back.drawing, original.drawing)
    assert np.array_equal(back.image, original.image)
    assert (back.label, back.predicted, back.confidence, back.model, back.created) == (
        original.label, original.predicted, original.confidence, original.model, original.created
    )
    with pytest.raises(SampleError, match="already in the store"):
        store.restore(deleted)


def test_deleting_a_missing_sample_says_so(store: SampleStore) -> None:
    with pytest.raises(SampleNotFoundError, match="no sample with id 42"):
        store.delete(42)


def test_relabel_changes_counts_and_returns_the_old_label_for_undo(store: SampleStore) -> None:
    sample_id = store.add(seven(), 1)
    assert store.relabel(sample_id, 7) == 1
    assert store.get(sample_id).label == 7
    assert store.counts()[1] == 0 and store.counts()[7] == 1
    with pytest.raises(SampleError, match="received label=11"):
        store.relabel(sample_id, 11)
    with pytest.raises(SampleNotFoundError):
        store.relabel(sample_id + 1, 3)


def test_counts_cover_every_digit_and_listing_filters_by_digit(store: SampleStore) -> None:
    ids = [store.add(seven(float(i)), label) for i, label in enumerate([3, 3, 5, 3])]
    assert store.counts() == {0: 0, 1: 0, 2: 0, 3: 3, 4: 0, 5: 1, 6: 0, 7: 0, 8: 0, 9: 0}
    assert [s.id for s in store.samples(label=3)] == [ids[0], ids[1], ids[3]]
    assert [s.id for s in store.samples()] == ids
    assert len(store) == 4


def test_arrays_hold_the_stored_images_for_one_model_call(store: SampleStore) -> None:
    ids = [store.add(seven(float(i)), i) for i in range(3)]
    arrays = store.arrays()
    assert arrays.ids.tolist() == ids
    assert arrays.labels.tolist() == [0, 1, 2]
    assert arrays.images.shape == (3, 28, 28) and arrays.images.dtype == np.float32
    assert np.array_equal(arrays.images[2], store.get(ids[2]).image)
    assert store.arrays(label=1).ids.tolist() == [ids[1]]
    assert store.arrays(label=9).images.shape == (0, 28, 28)


def test_export_is_ink_json_that_load_ink_reads_back(store: SampleStore, tmp_path: Path) -> None:
    drawings = [seven(float(i)) for i in range(3)]
    for drawing, label in zip(drawings, [7, 1, 7], strict=True):
        store.add(drawing, label)
    out = tmp_path / "my_samples.json"
    assert store.export_ink(out) == 3
    loaded = load_ink(out)
    assert [d.label for d in loaded] == [7, 1, 7]
    assert all(same_strokes(a, b) for a, b in zip(loaded, drawings, strict=True))
    assert store.export_ink(tmp_path / "sevens.json", label=7) == 2


def test_import_adds_the_good_samples_and_says_why_it_skipped_the_others(
    store: SampleStore, tmp_path: Path
) -> None:
    already = store.add(make_drawing([[(0, 0), (5, 9)]], 1), 1)
    good = {"label": 4, "strokes": [[[0, 0], [0, 10], [8, 10]], [[6, 0], [6, 20]]]}
    items = [
        good,
        {"label": 3},
        {"label": 12, "strokes": [[[0, 0], [1, 1]]]},
        {"strokes": [[[0, 0], [1, 1]]]},
        {"label": 2, "strokes": []},
        {"label": 9, "strokes": [[[0, 0], [2, 2], [2, 9]]], "writer": "w07"},
        dict(good),
        {"label": 1, "strokes": [[[0, 0], [5, 9]]]},
        "not a sample",
    ]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(items), encoding="utf-8")

    report = store.import_ink(path)

    assert len(report.added) == 2
    assert [store.get(i).label for i in report.added] == [4, 9]
    assert store.get(report.added[1]).drawing.extra == {"writer": "w07"}
    reasons = dict(report.skipped)
    assert sorted(reasons) == [1, 2, 3, 4, 6, 7, 8]
    assert "missing the 'strokes' key" in reasons[1]
    assert "'label' must be a digit 0-9, got 12" in reasons[2]
    assert "no 'label'" in reasons[3]
    assert "no ink" in reasons[4]
    assert "the same drawing as sample 0" in reasons[6]
    assert f"already stored, as a 1 (sample #{already})" in reasons[7]
    assert "expected an object" in reasons[8]
    assert report.summary().startswith("Added 2 samples. Skipped 7:\nsample 1:")
    assert len(store) == 3


def test_import_of_an_unreadable_file_adds_nothing(store: SampleStore, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"label": 1, "strokes": [[[0, 0]]]}', encoding="utf-8")
    with pytest.raises(InkError, match="not valid JSON"):
        store.import_ink(broken)
    with pytest.raises(InkError, match="cannot read the file"):
        store.import_ink(tmp_path / "missing.json")
    assert len(store) == 0


def test_export_then_import_into_another_store_gives_the_same_samples(
    store: SampleStore, tmp_path: Path
) -> None:
    for i in range(4):
        store.add(seven(float(i)), i)
    store.export_ink(tmp_path / "out.json")
    with SampleStore.open(tmp_path / "other.db") as other:
        report = other.import_ink(tmp_path / "out.json")
        assert len(report.added) == 4 and not report.skipped
        assert other.counts() == store.counts()
        again = other.import_ink(tmp_path / "out.json")
        assert again.added == () and len(again.skipped) == 4


def test_listeners_hear_each_committed_change_only(store: SampleStore, tmp_path: Path) -> None:
    heard: list[int] = []
    unsubscribe = store.subscribe(lambda: heard.append(len(store)))
    sample_id = store.add(seven(), 7)
    store.relabel(sample_id, 1)
    with pytest.raises(SampleError):
        store.add(seven(), 12)
    store.restore(store.delete(sample_id))
    assert heard == [1, 1, 0, 1]
    unsubscribe()
    store.add(seven(3.0), 7)
    assert heard == [1, 1, 0, 1]


def test_a_second_instance_notices_changes_made_by_the_first(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SampleStore.open(path) as first, SampleStore.open(path) as second:
        assert not second.changed_elsewhere()
        first.add(seven(), 7)
        assert second.changed_elsewhere()
        assert not second.changed_elsewhere()
        assert len(second) == 1
        second.add(seven(1.0), 7)
        assert not second.changed_elsewhere()  # its own change


def test_store_can_be_shared_between_threads(store: SampleStore) -> None:
    errors: list[BaseException] = []

    def add_many(offset: int) -> None:
        try:
            for i in range(20):
                store.add(seven(offset + i), 7)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=add_many, args=(n * 100,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.counts()[7] == 60


def test_load_labelled_reads_ink_files_and_databases(store: SampleStore, tmp_path: Path) -> None:
    store.add(seven(), 7)
    store.add(seven(1.0), 1)
    store.export_ink(tmp_path / "mine.json")
    assert [d.label for d in load_labelled(store.path)] == [7, 1]
    assert [d.label for d in load_labelled(tmp_path / "mine.json")] == [7, 1]
    with pytest.raises(StoreError, match="no such file"):
        load_labelled(tmp_path / "nothing.db")
    (tmp_path / "empty.json").write_text("[]", encoding="utf-8")
    with pytest.raises(SampleError, match="holds no labelled drawings"):
        load_labelled(tmp_path / "empty.json")
