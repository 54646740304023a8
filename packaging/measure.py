"""Measure a built app folder: its size and biggest parts, the archive, the start-up times.

    python packaging/measure.py dist/digitpad                        # size and biggest parts
    python packaging/measure.py dist/digitpad --baseline OTHER       # what the exclusions save
    python packaging/measure.py dist/digitpad --archive              # size as a .tar.gz
    python packaging/measure.py dist/digitpad --startup 3            # cold and warm start-up

Start-up needs the probe in the folder (``python packaging/build.py --probe``): it is
``tests/benchmarks/app_probe.py`` frozen beside the app, so it measures the frozen app.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

PROBE = "digitpad-probe"
PROBE_FILES = (PROBE, "_internal/PySide6/QtTest*", "_internal/*libQt6Test*",
               "_internal/PySide6/Qt/lib/libQt6Test*")
"""What a --probe build adds to the app; sizes leave them out, so they describe what ships."""
GROUP_DEPTH = {"tensorflow": 3, "PySide6": 3}
"""How deep to look inside a package when naming the biggest parts."""


def shipped(name: str) -> bool:
    return not any(fnmatch.fnmatch(name, pattern) for pattern in PROBE_FILES)


def files(app: Path) -> dict[str, int]:
    """Every regular file that ships (symlinks are not counted twice) -> its size."""
    sizes = {path.relative_to(app).as_posix(): path.stat().st_size
             for path in app.rglob("*") if path.is_file() and not path.is_symlink()}
    return {name: size for name, size in sizes.items() if shipped(name)}


def part_of(name: str) -> str:
    """``_internal/tensorflow/python/x.so`` -> ``tensorflow/python/x.so`` (to GROUP_DEPTH)."""
    parts = name.split("/")
    if parts[0] != "_internal":
        return f"{name} (launcher with the archive of Python modules)"
    parts = parts[1:]
    depth = GROUP_DEPTH.get(parts[0], 1)
    return "/".join(parts[:depth])


def biggest_parts(sizes: dict[str, int], count: int = 12) -> list[tuple[str, int]]:
    parts: Counter[str] = Counter()
    for name, size in sizes.items():
        parts[part_of(name)] += size
    return parts.most_common(count)


def savings(app: dict[str, int], baseline: dict[str, int]) -> list[tuple[str, int]]:
    """What the build saves against a ``--baseline`` build, by part: dropped or stripped files."""
    saved: Counter[str] = Counter()
    for name, size in baseline.items():
        saved[part_of(name)] += size - app.get(name, 0)
    for name, size in app.items():
        if name not in baseline:
            saved[part_of(name)] -= size
    big = [(part, size) for part, size in saved.most_common() if abs(size) >= 500_000]
    rest = sum(saved.values()) - sum(size for _, size in big)
    return [*big, ("(smaller parts)", rest)]


def archive_size(app: Path) -> int:
    """Bytes of the folder as a .tar.gz at gzip's default level (what ``tar czf`` makes)."""
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "digitpad.tar.gz"
        def keep(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
            inside = member.name.partition("/")[2]
            return member if shipped(inside) else None

        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(app, arcname=app.name, filter=keep)
        return archive.stat().st_size


def evict_from_page_cache(app: Path) -> None:
    """Make the next start read the app from disk, as after a reboot.

    Dropping all caches (/proc/sys/vm/drop_caches) needs root outside a container; asking the
    kernel to forget just these files does not (Linux). System libraries (libc, X11) stay cached.
    """
    for path in app.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)  # only clean pages can be dropped
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def start_once(app: Path, cold: bool) -> dict[str, float]:
    """One start of the frozen probe: seconds to the window and to the first prediction."""
    if cold:
        evict_from_page_cache(app)
    environment = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM",
                                                                   "offscreen")}
    launched = time.time()
    result = subprocess.run([str(app / PROBE)], capture_output=True, text=True, timeout=300,
                            env=environment, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{PROBE} failed:\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return {"window_shown_s": figures["window_shown"] - launched,
            "first_prediction_s": figures["first_prediction"] - launched,
            "process_to_python_s": figures["started"] - launched}


def startup(app: Path, runs: int) -> dict[str, list[dict[str, float]]]:
    """``runs`` cold starts (the app evicted from the page cache first), then ``runs`` warm."""
    if not (app / PROBE).is_file():
        raise FileNotFoundError(f"{app / PROBE} is missing: build with packaging/build.py --probe")
    return {"cold": [start_once(app, cold=True) for _ in range(runs)],
            "warm": [start_once(app, cold=False) for _ in range(runs)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", type=Path, help="the built folder, e.g. dist/digitpad")
    parser.add_argument("--baseline", type=Path, help="a --baseline build to compare with")
    parser.add_argument("--archive", action="store_true", help="also measure a .tar.gz")
    parser.add_argument("--startup", type=int, default=0, metavar="N",
                        help="also start the frozen probe N times cold and N times warm")
    args = parser.parse_args(argv)
    sizes = files(args.app)
    print(f"{args.app}: {sum(sizes.values()) / 1e6:.0f} MB unpacked in {len(sizes)} files")
    for part, size in biggest_parts(sizes):
        print(f"  {size / 1e6:8.1f} MB  {part}")
    if args.baseline is not None:
        before = files(args.baseline)
        print(f"saved against {args.baseline} ({sum(before.values()) / 1e6:.0f} MB):")
        for part, size in savings(sizes, before):
            print(f"  {size / 1e6:8.1f} MB  {part}")
    if args.archive:
        print(f"as .tar.gz: {archive_size(args.app) / 1e6:.0f} MB")
    if args.startup:
        for kind, runs in startup(args.app, args.startup).items():
            for figures in runs:
                print(f"{kind} start: window after {figures['window_shown_s']:.2f} s, first "
                      f"prediction after {figures['first_prediction_s']:.2f} s "
                      f"(Python running after {figures['process_to_python_s']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
