"""``digitpad classify``: each result names its file; ``--sevens`` decides an uncrossed 7."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from digitpad.ml.ink import Drawing, save_ink
from tests.unit.ml.number_pictures import draw_ink

Cli = Callable[..., tuple[int, str, str]]


def first(pendigits: list[Drawing], digit: int) -> Drawing:
    return next(d for d in pendigits if d.extra["writer"] == "tra_w09" and d.label == digit)


def test_json_names_the_file_of_each_drawing_and_counts_them_all(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing]
) -> None:
    """``index`` counts every drawing of every file, as before ``file`` was added."""
    three, five = (first(pendigits, k) for k in (3, 5))
    save_ink(tmp_path / "two.json", [three, five])
    draw_ink(three.strokes).image.save(tmp_path / "three.png")
    files = [str(tmp_path / "two.json"), str(tmp_path / "three.png")]
    code, out, _ = cli("classify", "--json", *files)
    assert code == 0
    results = json.loads(out)["results"]
    assert [(r["file"], r["index"]) for r in results] == [
        (files[0], 0), (files[0], 1), (files[1], 2)]
    assert [r["digit"] for r in results] == [3, 5, 3]
    assert set(results[0]) == {"file", "index", "digit", "confidence", "probabilities"}


@pytest.mark.parametrize(("sevens", "digit"), [("plain", 7), ("crossed", 1)])
def test_sevens_says_whether_an_uncrossed_7_is_a_7(
    cli: Cli, tmp_path: Path, pendigits: list[Drawing], heavy_ink_model: Path, sevens: str,
    digit: int
) -> None:
    save_ink(tmp_path / "one.json", first(pendigits, 1))  # light ink: an uncrossed 7 to the model
    code, out, _ = cli("classify", "--json", "--model", str(heavy_ink_model), "--sevens", sevens,
                       str(tmp_path / "one.json"))
    assert code == 0
    [result] = json.loads(out)["results"]
    assert result["digit"] == digit


def test_an_unknown_sevens_is_refused(cli: Cli, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli("classify", "--sevens", "7", str(tmp_path / "ink.json"))
    assert exited.value.code == 2
    assert "argument --sevens: invalid choice: '7'" in capsys.readouterr().err
