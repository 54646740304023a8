"""The drawing pad and what it shows: ink, the model's input, its answer and the recogniser."""
