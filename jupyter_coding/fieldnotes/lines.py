"""Lines as field-notes files have them: split on ``\\n`` only, kept verbatim."""

from __future__ import annotations

import os

__all__ = [
    "FieldNotesError",
    "cr_line_ends",
    "decode",
    "is_blank",
    "read_text",
    "split_lines",
    "stripped",
]


class FieldNotesError(Exception):
    """A user-facing problem with a file: printed as one line, ``path:line: message``."""

    def __init__(
        self, message: str, path: str | os.PathLike | None = None, line: int | None = None
    ):
        super().__init__(message)
        self.message = message
        self.path = os.fspath(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = self.path or "<text>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"


def split_lines(text: str) -> list[str]:
    """Split on ``'\\n'`` only, each line keeping its terminator.

    ``str.splitlines`` also breaks at ``\\x0b``, ``\\x0c``, ``\\x1c``… which occur
    inside real field notes (PDF ligature leftovers), so it must not be used.
    The last line has no ``'\\n'`` when the text does not end with one.
    """
    if not text:
        return []
    lines = text.split("\n")
    last = lines.pop()
    result = [line + "\n" for line in lines]
    if last:
        result.append(last)
    return result


def cr_line_ends(text: str) -> str | None:
    """What is wrong with a text whose lines end in ``\\r`` alone (old Mac files), or None.

    Lines are split on ``\\n`` only, so that every byte comes back (a ``\\r`` inside
    a line is kept as it is); such a file then reads as one long line, with no
    header, quotes or traces. It is reported, not read another way: when more
    lines end in a lone ``\\r`` than in ``\\n``, the file says which line end it
    meant. CRLF files read as they are (``\\r`` stays at the end of each line).
    """
    lone = text.count("\r") - text.count("\r\n")
    if lone == 0 or lone <= text.count("\n"):
        return None
    lines = f"{lone} line{'s' * (lone != 1)} end{'s' * (lone == 1)}"
    return (
        f"{lines} in \\r alone (old Mac line ends), so the file reads as one line and "
        "nothing in it is counted; save it with \\n line ends"
    )


def stripped(line: str) -> str:
    """The line without its terminator and surrounding spaces, for recognising it."""
    return line.strip(" \t\r\n\ufeff")


def is_blank(line: str) -> bool:
    """True for an empty or whitespace-only line (spaces, tabs, ``\\r``)."""
    return not line.strip(" \t\r\n")


def decode(data: bytes, path: str | os.PathLike | None = None) -> str:
    """Decode UTF-8 strictly; bad bytes raise a one-line :class:`FieldNotesError`."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FieldNotesError(
            f"not valid UTF-8 at byte offset {error.start} "
            f"(byte 0x{data[error.start]:02x}); save the file as UTF-8",
            path,
            line,
        ) from None


def read_text(path: str | os.PathLike) -> str:
    """Read a field-notes file as exact text (no newline translation)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise FieldNotesError(error.strerror or str(error), path) from None
    return decode(data, path)
