"""What the exchange formats share: which codes a trace and a source carry, and paths."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..corpus import coding_order
from ..fieldnotes import AxialTrace, FieldNotes, FieldNotesError, OpenTrace, PythonBlock

__all__ = [
    "NothingToExport",
    "block_codes",
    "display_paths",
    "source_codes",
    "trace_codes",
    "unique_sources",
]


class NothingToExport(ValueError):
    """The field notes hold nothing the format can carry (no sources, or no codes)."""


def block_codes(blocks: Iterable[PythonBlock]) -> list[tuple[str, int]]:
    """(identifier, line) of the codes python blocks apply, in file order, first use kept.

    A trace applies a code to its quotes when it attaches it (``add codes to sN``),
    names an existing one on a line of its own (reused, the interviews' way of
    attaching) or defines it there (``x = CClass(force, "X")``). Relation ends and
    memo items are not applications: they talk about codes applied elsewhere.
    """
    found: list[tuple[int, int, str]] = []
    for block in blocks:
        for index, use in enumerate(block.definitions):
            found.append((use.line, index, use.identifier))
        for index, use in enumerate(block.reused + block.attached):
            found.append((use.line, index, use.identifier))
    first: dict[str, int] = {}
    for line, _, identifier in sorted(found):
        first.setdefault(identifier, line)
    return list(first.items())


def trace_codes(open_trace: OpenTrace | None, axial: AxialTrace | None) -> list[str]:
    """The codes a coding trace applies to the quotes before it (see :func:`block_codes`)."""
    blocks = [*(open_trace.blocks if open_trace else ()), *(axial.blocks if axial else ())]
    return [identifier for identifier, _ in block_codes(blocks)]


def source_codes(notes: FieldNotes) -> list[tuple[str, int]]:
    """(identifier, line) of every code the file's traces apply, in file order."""
    return block_codes(notes.python_blocks())


def display_paths(paths: Iterable[str]) -> dict[str, str]:
    """Each path relative to the folder the paths share: ``s_6.md``, ``study/p_1.md``.

    Exports name files this way so that they do not depend on where they were run.
    """
    paths = list(dict.fromkeys(paths))
    if not paths:
        return {}
    folders = [os.path.dirname(os.path.abspath(path)) for path in paths]
    try:
        base = os.path.commonpath(folders)
    except ValueError:  # different drives
        return {path: path for path in paths}
    return {
        path: os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/") for path in paths
    }


def unique_sources(notes: Iterable[FieldNotes]) -> list[FieldNotes]:
    """The files that are sources, in coding order (``s1`` …, then ``p1`` …), no templates.

    A file without a source id, or a second file of the same source, is a
    :class:`FieldNotesError`: an export names every source once.
    """
    found: dict[str, FieldNotes] = {}
    for item in notes:
        if item.is_template:
            continue
        source = item.source_id
        path = item.path or "<text>"
        if not source:
            raise FieldNotesError(
                "no source id ('# s' and a number): not field notes? leave it out", path, 1
            )
        if source in found:
            raise FieldNotesError(
                f"source {source} is also in {found[source].path}; export one of them", path, 1
            )
        found[source] = item
    return sorted(found.values(), key=lambda item: coding_order(item.source_id))
