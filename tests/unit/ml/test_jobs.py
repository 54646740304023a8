"""The job the app hands the training child: checked when it is made, not in the child."""

from __future__ import annotations

import pytest

from digitpad.ml.jobs import FINE_TUNE, TrainingJob


def test_jobs_are_checked_when_made() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        TrainingJob("retrain", "m.keras")
    with pytest.raises(ValueError, match="needs current_model"):
        TrainingJob(FINE_TUNE, "m.keras")
