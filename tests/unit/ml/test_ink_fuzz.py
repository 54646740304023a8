"""Any file handed to the ink reader either reads or says in one line what is wrong with it:
never a traceback of another kind, never a warning (generated inputs, deterministic)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digitpad.ml.ink import InkError, load_ink
from digitpad.ml.preprocess import ink_to_image
from tests.fuzzing import assert_one_line_naming, fuzz

FUZZ = fuzz(1000)

_numbers = (st.integers(-(10**12), 10**12) | st.floats(allow_nan=True, allow_infinity=True)
            | st.sampled_from([10**310, -(10**310), 2**63, 5e-324, -5e-324, 1.7e308, -1.7e308,
                               1e9, -1e9, 1e9 + 1, 0.0, -0.0]))
_leaves = st.none() | st.booleans() | _numbers | st.text(max_size=4)
_json_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["strokes", "label", "writer", "[{"]), inner, max_size=3),
    max_leaves=6,
)
_strokes = st.lists(st.lists(st.lists(_numbers | _leaves, max_size=3), max_size=8), max_size=3)
_drawings = st.fixed_dictionaries(
    {"strokes": _strokes | _json_values},
    optional={"label": _numbers | _leaves, "writer": _json_values},
)
_ink_like = _json_values | _drawings | st.lists(_drawings, max_size=3)


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "fuzz.json"


def _read_quietly(path: Path) -> None:
    """Read the file and draw what it holds; only :class:`InkError` may come out."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            drawings = load_ink(path)
        except InkError as exc:
            assert_one_line_naming(exc, path)
            return
        for drawing in drawings:
            ink_to_image(list(drawing.strokes))


@FUZZ
@given(value=_ink_like)
def test_any_json_value_reads_or_gives_an_ink_error(fuzz_file: Path, value: object) -> None:
    fuzz_file.write_text(json.dumps(value))
    _read_quietly(fuzz_file)


_VALID = json.dumps([{"label": 3, "strokes": [[[0, 0], [10.5, 20], [3, 4]], [[1, 1]]]}]).encode()


@settings(FUZZ, max_examples=1500)
@given(data=st.binary(max_size=200)
       | st.builds(lambda cut, junk: _VALID[:cut] + junk + _VALID[cut:],
                   st.integers(0, len(_VALID)), st.binary(max_size=8))
       | st.builds(lambda cut: _VALID[:cut], st.integers(0, len(_VALID))))
def test_any_bytes_read_or_give_an_ink_error(fuzz_file: Path, data: bytes) -> None:
    fuzz_file.write_bytes(data)
    _read_quietly(fuzz_file)
