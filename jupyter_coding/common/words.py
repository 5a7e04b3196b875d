"""Counted nouns in messages: ``1 line``, ``2 lines``, ``1 match``, ``3 matches``."""

from __future__ import annotations

__all__ = ["count"]


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, plural unless it is one (``plural`` for irregular ones)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
