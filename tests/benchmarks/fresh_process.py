"""Benchmarks that measure the app as a user starts it run it in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run_probe(probe: Path, timeout_s: float = 600) -> dict:
    """Run a probe script in a fresh process (the app as a user starts it) and return the
    figures it printed as its last line of JSON."""
    result = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True,
                            timeout=timeout_s, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
