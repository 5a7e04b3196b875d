"""``jupyter-coding tables PATH... -o DIR``: the paper's tables from the field notes."""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_coding.cli import UserError
from jupyter_coding.cli._common import add_paths_argument, read_all
from jupyter_coding.common.files import find_field_notes
from jupyter_coding.common.words import count

CHOICES = {"latex": ("latex",), "markdown": ("markdown",), "both": ("latex", "markdown")}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "tables",
        help="write the paper's tables (sources, forces, decisions, ...) in LaTeX and Markdown",
        description="Write the study's paper tables straight from the field notes, no "
        "CodeableModels needed: the sources table and, for each metaclass (force, decision, "
        "practice, pattern, ...), a table of its codes with their evidence sources, shaded "
        "as the study's own generators shade them. The same notes give the same tables as "
        "the study's generators run on 'export codeable-models'.",
    )
    add_paths_argument(parser)
    parser.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="folder to write the tables into"
    )
    parser.add_argument(
        "--format",
        choices=tuple(CHOICES),
        default="both",
        help="latex (.tex), markdown (.md) or both (default)",
    )
    parser.set_defaults(run=run)


def _check_output(output: Path, paths: list[str], formats: tuple[str, ...]) -> None:
    if output.exists() and not output.is_dir():
        raise UserError(f"{output}: is a file; name the folder to write the tables into")
    if "markdown" not in formats:
        return
    # a table written among the field notes would be read as field notes next time
    target = os.path.realpath(output)
    for path in paths:
        folder = os.path.realpath(path if Path(path).is_dir() else Path(path).parent)
        if target == folder or target.startswith(folder + os.sep):
            raise UserError(
                f"{output}: is inside the study folder {path}; the Markdown tables would be "
                "read as field notes: write them elsewhere (or --format latex)"
            )


def run(args) -> int:
    from jupyter_coding.study.tables import paper_tables, write_tables

    formats = CHOICES[args.format]
    output = Path(args.output)
    if not find_field_notes(args.paths):
        raise UserError("no field-notes files under the paths given")
    _check_output(output, args.paths, formats)
    notes = [parsed for _, _, parsed in read_all(args.paths, "reading")]
    tables = paper_tables(notes)
    written = write_tables(tables, output, formats)
    counts = ", ".join(count(len(tables.of(m)), m) for m in tables.metaclasses())
    print(
        f"wrote {count(len(written), 'table')} to {output}: "
        f"{count(len(tables.sources), 'source')}, {counts}"
    )
    return 0
