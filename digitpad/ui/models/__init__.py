"""Which model is in use: choosing, remembering, preparing and comparing models."""
