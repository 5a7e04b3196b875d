"""Helpers the subcommands share."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator

from ..fieldnotes import FieldNotes, parse, read_text
from ..files import find_field_notes
from ..progress import progress


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


def read_all(paths: Iterable[str], label: str = "reading") -> Iterator[tuple[str, str, FieldNotes]]:
    """(path, text, parsed notes) for every field-notes file under ``paths``."""
    files = find_field_notes(paths)
    for path in progress(files, label):
        text = read_text(path)
        yield str(path), text, parse(text, str(path))


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
