"""Helpers of the notebook commands (to-notebook, to-markdown, new, verify)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jupyter_coding.common.files import find_field_notes


def import_nbformat_quickly() -> None:
    """Let nbformat load without jsonschema's IRI format checker.

    jsonschema imports ``rfc3987_syntax`` eagerly, which builds some 35 Lark
    grammars at import (1-3 s, python-jsonschema/jsonschema#1428), and nbformat
    imports jsonschema. No notebook schema uses the ``iri`` formats it checks, so
    a short-lived command marks the module as missing, which jsonschema allows
    for. A process that imported jsonschema already is left as it is.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def add_write_options(parser, output_help: str, force_help: str) -> None:
    """``-o OUT``, ``--force`` and ``-q`` of the conversion commands."""
    parser.add_argument("-o", "--output", metavar="OUT", help=output_help)
    parser.add_argument("--force", action="store_true", help=force_help)
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")


def markdown_inputs(paths: list[str]) -> list[tuple[Path, Path]]:
    """(file, path relative to the folder it was found in) for each field-notes file."""
    found: list[tuple[Path, Path]] = []
    for raw in paths:
        root = Path(raw)
        for path in find_field_notes([raw]):
            found.append((path, path.relative_to(root) if root.is_dir() else Path(path.name)))
    return list(dict.fromkeys(found))


def notebook_inputs(paths: list[str]) -> list[tuple[Path, Path, bool]]:
    """(notebook, relative path, named explicitly) for each notebook under ``paths``."""
    from jupyter_coding.fieldnotes import FieldNotesError

    found: list[tuple[Path, Path, bool]] = []
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            found.append((root, Path(root.name), True))
        elif root.is_dir():
            for path in sorted(root.rglob("*.ipynb")):
                relative = path.relative_to(root)
                if any(part.startswith(".") for part in relative.parts) or not path.is_file():
                    continue
                found.append((path, relative, False))
        else:
            raise FieldNotesError("no such file or folder", root)
    return found


def output_path(output: str | None, relative: Path, suffix: str, single: bool) -> Path | None:
    """Where ``-o OUTPUT`` puts one result: the file itself, or a path in that folder."""
    if output is None:
        return None
    out = Path(output)
    if single and out.suffix == suffix and not out.is_dir():
        return out
    return out / relative.with_suffix(suffix)


def relative_to_folder(target: Path, folder: Path) -> str:
    """``target`` as seen from ``folder``, with forward slashes (stored in notebooks)."""
    return Path(os.path.relpath(target, folder)).as_posix()
