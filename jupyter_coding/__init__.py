"""Grounded-theory coding in Jupyter."""

__version__ = "0.1.0"
