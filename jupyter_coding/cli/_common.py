"""Helpers the subcommands share: finding the study's files, reading them, writing ``-o``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from jupyter_coding.cli import EXIT_USAGE, UserError
from jupyter_coding.common.files import atomic_write, find_field_notes
from jupyter_coding.common.progress import progress
from jupyter_coding.fieldnotes import FieldNotes, parse, read_text
from jupyter_coding.fieldnotes.lines import cr_line_ends


def add_paths_argument(
    parser, help_text: str = "field-notes files, or folders holding *.md"
) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help=help_text)


def add_format_argument(parser, choices: Iterable[str] = ("text", "json")) -> None:
    choices = tuple(choices)
    parser.add_argument(
        "--format",
        choices=choices,
        default=choices[0],
        help=f"output format (default {choices[0]})",
    )


def study_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The field-notes files under ``paths``; a folder that holds none is an error.

    A mistyped folder (or one of other files) would otherwise give empty counts,
    an empty export or a clean ``check``, and look fine.
    """
    found: list[Path] = []
    for path in paths:
        files = find_field_notes([path])
        if not files:
            raise UserError(f"{os.fspath(path)}: no field-notes files")
        found.extend(files)
    return list(dict.fromkeys(found))


def warn_line_ends(path: str | os.PathLike, text: str) -> None:
    """Say on stderr that a file's lines end in ``\\r`` alone: it would count as empty."""
    problem = cr_line_ends(text)
    if problem is not None:
        print(f"{os.fspath(path)}:1: warning: {problem}", file=sys.stderr)


def read_all(paths: Iterable[str], label: str = "reading") -> Iterator[tuple[str, str, FieldNotes]]:
    """(path, text, parsed notes) for every field-notes file under ``paths``."""
    for path in progress(study_files(paths), label):
        text = read_text(path)
        warn_line_ends(path, text)
        yield str(path), text, parse(text, str(path))


def check_output(output: str) -> None:
    """Refuse an ``-o`` that cannot be written, before any work: a folder, or in none."""
    if output == "-":
        return
    target = Path(output)
    if target.is_dir():
        raise UserError(f"{output}: is a folder; name the file to write", EXIT_USAGE)
    folder = target.parent
    if not folder.exists():
        raise UserError(f"{output}: the folder {folder} does not exist", EXIT_USAGE)
    if not folder.is_dir():
        raise UserError(f"{output}: {folder} is not a folder", EXIT_USAGE)


def write_output(output: str, data: bytes) -> None:
    """Write ``-o``'s file atomically; an error of the system is one line, not a traceback."""
    check_output(output)
    try:
        atomic_write(output, data)
    except OSError as error:
        raise UserError(f"{output}: {error.strerror or error}") from None


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
