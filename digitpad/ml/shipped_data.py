"""Writes the training data that ships with digitpad (``assets/data``) from the datasets' own
files, so that what ships can be made again rather than copied by hand::

    python -m digitpad.ml.shipped_data --from ../shared/data

MNIST is copied byte for byte: it is a compressed ``.npz`` already (deflating it harder saves 2 %,
LZMA 18 % but reads four times slower). The pen-drawn digits' JSON is gzipped, 3.4 MB to 0.9 MB.
``SHA256SUMS`` records what was written; :mod:`digitpad.ml.datasets` checks it on every load.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
from collections.abc import Sequence
from pathlib import Path

from digitpad.atomic import write_bytes_atomic, write_text_atomic
from digitpad.ml.datasets import (
    SHIPPED_CHECKSUMS,
    SHIPPED_MNIST,
    SHIPPED_PEN_DIGITS,
    DatasetError,
    load_mnist_npz,
)
from digitpad.ml.ink import InkError, load_ink
from digitpad.paths import shipped_data_dir

SOURCE_MNIST = "mnist.npz"
SOURCE_PEN_DIGITS = "pendigits_train_strokes.json"
"""The files in the folder given by ``--from`` (the layout of the project's shared data)."""


def write_shipped_data(source: Path, folder: Path) -> dict[str, str]:
    """Check the source files, write their shipped forms and then their sha256 into ``folder``
    (each file atomically); returns the sha256 of each file written."""
    load_mnist_npz(source / SOURCE_MNIST)
    load_ink(source / SOURCE_PEN_DIGITS)
    files = {
        SHIPPED_MNIST: (source / SOURCE_MNIST).read_bytes(),
        # mtime=0 and no file name in the header: the same JSON gives the same bytes.
        SHIPPED_PEN_DIGITS: gzip.compress((source / SOURCE_PEN_DIGITS).read_bytes(),
                                          compresslevel=9, mtime=0),
    }
    for name, data in files.items():
        write_bytes_atomic(folder / name, data)
    checksums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    write_text_atomic(folder / SHIPPED_CHECKSUMS,
                      "".join(f"{digest}  {name}\n" for name, digest in checksums.items()))
    return checksums


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m digitpad.ml.shipped_data",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", metavar="DIR", type=Path, required=True,
                        help=f"the folder holding {SOURCE_MNIST} and {SOURCE_PEN_DIGITS}")
    parser.add_argument("--to", dest="folder", metavar="DIR", type=Path,
                        default=shipped_data_dir(), help="where to write (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        checksums = write_shipped_data(args.source, args.folder)
    except (DatasetError, InkError) as exc:
        raise SystemExit(f"{parser.prog}: {exc}") from exc
    for name, digest in checksums.items():
        size = (args.folder / name).stat().st_size
        print(f"{name}: {size:,} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
