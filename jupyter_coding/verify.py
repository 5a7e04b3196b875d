"""``jupyter-coding verify``: would every file come back byte for byte?"""

from __future__ import annotations

from dataclasses import dataclass

from .fieldnotes import parse, split_lines

__all__ = ["Verdict", "first_difference", "verify_text"]


@dataclass
class Verdict:
    path: str
    exact: bool
    line: int | None = None
    expected: str | None = None
    got: str | None = None
    via: str = ""  # "" for the document model, "the notebook round trip", ...

    def message(self) -> str:
        if self.exact:
            return f"{self.path}: exact"
        via = f" through {self.via}" if self.via else ""
        return (
            f"{self.path}:{self.line}: would not come back byte for byte{via}: "
            f"expected {self.expected!r}, got {self.got!r}"
        )


def first_difference(expected: str, got: str) -> tuple[int, str, str] | None:
    """1-based line number and the two versions of the first differing line."""
    if expected == got:
        return None
    want, have = split_lines(expected), split_lines(got)
    for number, (a, b) in enumerate(zip(want, have, strict=False), 1):
        if a != b:
            return number, a, b
    number = min(len(want), len(have)) + 1
    return (
        number,
        want[number - 1] if number <= len(want) else "<end of file>",
        have[number - 1] if number <= len(have) else "<end of file>",
    )


def verify_text(text: str, path: str = "<text>", round_trip=None, via: str = "") -> Verdict:
    """Parse and write back ``text`` (or apply ``round_trip``, named ``via``) and compare."""
    produced = round_trip(text) if round_trip else parse(text, path).to_text()
    difference = first_difference(text, produced)
    if difference is None:
        return Verdict(path, True, via=via)
    line, expected, got = difference
    return Verdict(path, False, line, expected, got, via)
