"""Teaching digitpad: labelling drawings, collect mode and the My Samples window."""
