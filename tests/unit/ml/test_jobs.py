"""The job the app hands the training child: checked when it is made, not in the child."""

from __future__ import annotations

import pytest

from digitpad.ml.jobs import FINE_TUNE, TRAIN, TrainingJob


def test_jobs_are_checked_when_made() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        TrainingJob("retrain", "m.keras")
    with pytest.raises(ValueError, match="needs current_model"):
        TrainingJob(FINE_TUNE, "m.keras")
    with pytest.raises(ValueError, match="pen_copies must be 0 or more; received -1"):
        TrainingJob(TRAIN, "m.keras", pen_copies=-1)
