"""What the generated-input suites share: deterministic, undeadlined runs, and the one rule a
refusal must keep (one line that names the file)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings


def fuzz(examples: int) -> settings:
    """``examples`` generated inputs, the same ones on every run and machine (CI included)."""
    return settings(max_examples=examples, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def assert_one_line_naming(error: BaseException, path: Path) -> None:
    """A refusal the user reads: one line, starting with the file it is about."""
    message = str(error)
    assert "\n" not in message and message.startswith(str(path)), message
