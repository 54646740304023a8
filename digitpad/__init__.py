"""digitpad: a desktop drawing pad that recognises handwritten digits."""

__version__ = "0.1.0"
