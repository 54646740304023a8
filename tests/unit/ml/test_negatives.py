"""Drawings that are not digits: deterministic, in the documented mix, valid ink, and never
trained on a held-out writer or an evaluation font."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitpad.ml.ink import Drawing, parse_drawing, strokes_fingerprint
from digitpad.ml.ink_augment import split_by_writer
from digitpad.ml.negatives import (
    EVALUATION_FONTS,
    GLYPHS_FILE,
    KIND_SHARES,
    LETTERS,
    SHAPES,
    TRAIN_FONTS,
    contact_sheet,
    font_letters,
    hershey_glyphs,
    kind_counts,
    negative_drawings,
)
from digitpad.paths import assets_dir

COUNT = 400


@pytest.fixture(scope="module")
def families(pendigits: list[Drawing]) -> dict[str, list[Drawing]]:
    return {family: negative_drawings(COUNT, 5, family, pen_digits=pendigits)
            for family in ("train", "evaluation")}


def _as_json(drawings: list[Drawing]) -> str:
    return json.dumps([d.to_json() for d in drawings])


def test_the_same_seed_gives_the_same_drawings(pendigits, families):
    again = negative_drawings(COUNT, 5, "train", pen_digits=pendigits)
    other = negative_drawings(COUNT, 6, "train", pen_digits=pendigits)
    assert _as_json(again) == _as_json(families["train"])
    assert _as_json(other) != _as_json(families["train"])


def test_the_families_are_different_drawings(families):
    train = {strokes_fingerprint(d) for d in families["train"]}
    assert not train & {strokes_fingerprint(d) for d in families["evaluation"]}


@pytest.mark.parametrize("family", ["train", "evaluation"])
def test_kinds_come_in_the_documented_shares(families, family):
    kinds = collections.Counter(d.extra["kind"] for d in families[family])
    assert kinds == kind_counts(COUNT)
    assert kind_counts(COUNT) == {kind: round(share * COUNT) for kind, share in
                                  KIND_SHARES.items()}
    assert kinds.most_common(2)[0][0] == "letter" and kinds.most_common(2)[1][0] == "pair"
    shapes = collections.Counter(d.extra["shape"] for d in families[family]
                                 if d.extra["kind"] == "shape")
    assert set(shapes) == set(SHAPES) and max(shapes.values()) - min(shapes.values()) <= 1
    joined = [d.extra["joined"] for d in families[family] if d.extra["kind"] == "pair"]
    assert sum(joined) == len(joined) // 2


@pytest.mark.parametrize("count", [0, 1, 7, 33, 101])
def test_kind_counts_add_up_to_the_count(count):
    counts = kind_counts(count)
    assert sum(counts.values()) == count
    assert all(abs(n - share * count) < 1 for n, share in
               zip(counts.values(), KIND_SHARES.values(), strict=True))


@pytest.mark.parametrize("family", ["train", "evaluation"])
def test_every_drawing_is_valid_finite_ink_without_a_label(families, family):
    for drawing in families[family]:
        assert not drawing.is_empty and drawing.label is None
        assert all(s.ndim == 2 and s.shape[1] == 2 and len(s) for s in drawing.strokes)
        assert all(np.isfinite(s).all() for s in drawing.strokes)
        # What the app's own ink reader accepts, so the drawings can be saved and read back.
        parse_drawing(drawing.to_json())


def test_points_are_spaced_like_a_tablet(families):
    """A few to a few dozen points per stroke, as the pendigits tablet sampled them."""
    lengths = [len(s) for d in families["train"] if d.extra["kind"] in ("letter", "shape")
               for s in d.strokes]
    assert 3 <= np.median(lengths) <= 40


def test_evaluation_fonts_are_not_training_fonts(families):
    assert not set(TRAIN_FONTS) & set(EVALUATION_FONTS)
    for family, fonts in (("train", TRAIN_FONTS), ("evaluation", EVALUATION_FONTS)):
        letters = [d for d in families[family] if d.extra["kind"] == "letter"]
        assert {d.extra["font"] for d in letters} == set(fonts)
        assert all(d.extra["char"] in font_letters(d.extra["font"]) for d in letters)


def test_no_letter_that_reads_as_a_digit_is_drawn():
    assert not set(LETTERS) & set("ODQILJTZSGBAbdgijloqstz0123456789")
    assert all(set(font_letters(font)) <= set(LETTERS) for font in TRAIN_FONTS + EVALUATION_FONTS)
    assert "V" not in font_letters("greek")  # an omicron in that font: a 0
    assert "f" not in font_letters("scripts")


@pytest.mark.parametrize("family", ["train", "evaluation"])
def test_pairs_are_two_digits_of_one_writer_of_the_family(pendigits, families, family):
    train, held_out, _ = split_by_writer(pendigits, 3)
    own = train if family == "train" else held_out
    by_fingerprint = {strokes_fingerprint(d): d for d in own}
    pairs = [d for d in families[family] if d.extra["kind"] == "pair"]
    for pair in pairs:
        first, second = (by_fingerprint[f] for f in pair.extra["sources"])  # KeyError: not own
        assert first.extra["writer"] == second.extra["writer"] == pair.extra["writer"]
        assert [first.label, second.label] == pair.extra["labels"]
        joined = len(first.strokes) + len(second.strokes) - len(pair.strokes)
        assert joined == int(pair.extra["joined"])
    writers = {p.extra["writer"] for p in pairs}
    assert writers <= {d.extra["writer"] for d in own} and len(writers) > 3


def test_a_joined_pair_runs_from_the_first_digit_into_the_second(pendigits, families):
    by_fingerprint = {strokes_fingerprint(d): d for d in pendigits}
    pairs = [d for d in families["train"] if d.extra["kind"] == "pair" and d.extra["joined"]]
    for pair in pairs:
        first, second = (by_fingerprint[f] for f in pair.extra["sources"])
        end, start = first.strokes[-1], second.strokes[0]
        joined = pair.strokes[len(first.strokes) - 1]
        head, link, tail = joined[: len(end)], joined[len(end) : -len(start)], joined[-len(start):]
        # The two digits' strokes, moved and scaled, with a straight run from one to the other.
        for placed, original in ((head, end), (tail, start)):
            scale = np.ptp(placed, axis=0).max() / np.ptp(original, axis=0).max()
            assert np.allclose(placed - placed[0], (original - original[0]) * scale)
        run = np.vstack((head[-1], link, tail[0]))
        dx, dy = (run[-1] - run[0]) / np.hypot(*(run[-1] - run[0]))
        off_line = (run[:, 0] - run[0, 0]) * dy - (run[:, 1] - run[0, 1]) * dx
        assert len(link) and np.allclose(off_line, 0.0, atol=1e-6)


def test_spirals_turn_more_than_once(families):
    for drawing in (d for f in families.values() for d in f if d.extra["kind"] == "spiral"):
        (stroke,) = drawing.strokes
        centre = (stroke.min(axis=0) + stroke.max(axis=0)) / 2
        around = np.unwrap(np.arctan2(*(stroke - centre).T[::-1]))
        assert abs(around[-1] - around[0]) / (2 * np.pi) > 1.3


def test_taps_do_not_move_and_dashes_lie_flat(families):
    drawings = [d for f in families.values() for d in f]
    taps = [d for d in drawings if d.extra["kind"] == "tap"]
    dashes = [d for d in drawings if d.extra["kind"] == "dash"]
    assert taps and dashes
    assert all(len(d.strokes) == 1 and np.ptp(d.strokes[0], axis=0).max() == 0 for d in taps)
    for dash in dashes:
        dx, dy = dash.strokes[0][-1] - dash.strokes[0][0]
        assert abs(np.degrees(np.arctan2(dy, dx))) < 20


def test_pairs_need_writers_of_the_family(pendigits):
    one_writer = [d for d in pendigits if d.extra["writer"] == "tra_w01"]
    with pytest.raises(ValueError, match="evaluation writer"):
        negative_drawings(10, 0, "evaluation", pen_digits=one_writer)
    with pytest.raises(ValueError, match="family must be one of"):
        negative_drawings(10, 0, "test", pen_digits=pendigits)


def test_contact_sheet_tiles_what_the_model_sees(families, tmp_path: Path):
    path = tmp_path / "sheet.png"
    contact_sheet(families["train"][:10], path, columns=4)
    with Image.open(path) as sheet:
        assert sheet.size == (4 * 84, 3 * (84 + 12))
        tiles = np.asarray(sheet)
    assert tiles[:84, :84].max() == 255 and tiles[2 * 96 :, 2 * 84 :].max() < 255  # 2 empty


def test_the_shipped_letters_are_the_hershey_fonts_strokes() -> None:
    """``assets/letter_strokes.json`` is what ``python -m digitpad.ml.negatives`` writes from the
    Hershey-Fonts package: run it again after changing the fonts or letters used."""
    shipped = json.loads((assets_dir() / GLYPHS_FILE).read_text(encoding="utf-8"))
    assert shipped == hershey_glyphs()
