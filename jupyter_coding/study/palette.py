"""The colour of each metaclass, the same in every figure, chip and table."""

from __future__ import annotations

__all__ = ["metaclass_colour"]

# one colour per metaclass (colour-blind-safe Okabe-Ito hues), grey when unknown
METACLASS_COLOURS = {
    "practice": "#0072B2",
    "force": "#D55E00",
    "pattern": "#009E73",
    "decision": "#CC79A7",
    "source": "#56B4E9",
}
UNKNOWN_COLOUR = "#999999"


def metaclass_colour(metaclass: str | None) -> str:
    """The metaclass's colour (a stable one from a spare palette for others)."""
    if not metaclass:
        return UNKNOWN_COLOUR
    if metaclass in METACLASS_COLOURS:
        return METACLASS_COLOURS[metaclass]
    palette = ("#E69F00", "#F0E442", "#000000", "#7F7F7F")
    return palette[sum(map(ord, metaclass)) % len(palette)]
