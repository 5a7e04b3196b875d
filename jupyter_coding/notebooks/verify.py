"""``jupyter-coding verify``: would every file come back byte for byte?"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from jupyter_coding.fieldnotes import parse, read_text, split_lines
from jupyter_coding.fieldnotes.lines import cr_line_ends

__all__ = [
    "Verdict",
    "first_difference",
    "verify_file",
    "verify_files",
    "verify_notes",
    "verify_text",
]

NOTEBOOK_ROUND_TRIP = "the notebook round trip"


@dataclass
class Verdict:
    path: str
    exact: bool
    line: int | None = None
    expected: str | None = None
    got: str | None = None
    via: str = ""  # "" for the document model, "the notebook round trip", ...
    warning: str | None = None  # about the file as a whole (lines ending in \r alone)

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


def _verdict(path: str, text: str, produced: str, via: str) -> Verdict:
    difference = first_difference(text, produced)
    if difference is None:
        return Verdict(path, True, via=via)
    line, expected, got = difference
    return Verdict(path, False, line, expected, got, via)


def verify_text(text: str, path: str = "<text>", round_trip=None, via: str = "") -> Verdict:
    """Parse and write back ``text`` (or apply ``round_trip``, named ``via``) and compare."""
    produced = round_trip(text) if round_trip else parse(text, path).to_text()
    return _verdict(path, text, produced, via)


def verify_notes(text: str, path: str = "<text>") -> list[Verdict]:
    """Both checks of ``verify`` on one parse of ``text``: written back, and through its
    notebook (markdown -> notebook -> JSON text -> notebook -> markdown)."""
    from jupyter_coding.notebooks import convert as notebook

    notes = parse(text, path)
    written = _verdict(path, text, notes.to_text(), "")
    written.warning = cr_line_ends(text)
    return [
        written,
        _verdict(path, text, notebook.round_trip(text, path, notes), NOTEBOOK_ROUND_TRIP),
    ]


def verify_file(path: str) -> list[Verdict]:
    """Both checks of ``verify`` on the file at ``path`` (a bad file: FieldNotesError)."""
    return verify_notes(read_text(path), path)


def verify_files(paths: Sequence[str]) -> Iterator[list[Verdict]]:
    """The verdicts of each file, in the order given; a file that cannot be read raises
    its :class:`FieldNotesError` in its turn.

    Files are independent, so many of them are verified on every core
    (:func:`jupyter_coding.common.parallel.map_in_order`): the output is what one process gives.
    """
    from jupyter_coding.common.parallel import map_in_order

    return map_in_order(verify_file, paths)
