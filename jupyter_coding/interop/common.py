"""What the exchange formats share: which sources a study exports, and paths."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..corpus import SourceClaim, SourceClash, coding_order, resolve_sources
from ..fieldnotes import FieldNotes, FieldNotesError

__all__ = [
    "ExportedSource",
    "NothingToExport",
    "SourcesToExport",
    "display_paths",
    "sources_to_export",
]


class NothingToExport(ValueError):
    """The field notes hold nothing the format can carry (no sources, or no codes)."""


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


@dataclass(frozen=True)
class ExportedSource:
    """A file exported as a source, under the id it is exported as."""

    notes: FieldNotes
    source: str

    @property
    def path(self) -> str:
        return self.notes.path or "<text>"


@dataclass
class SourcesToExport:
    """The files of a study as the sources an export holds, each file its own source."""

    sources: list[ExportedSource] = field(default_factory=list)
    clashes: list[SourceClash] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """One line per file that claims an id another file claims too (``path:line: ...``)."""
        lines = []
        for clash in self.clashes:
            for path, _ in clash.names:
                lines.append(f"{path}:2: {clash.describe(path)}")
        return lines

    def __iter__(self):
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)


def sources_to_export(notes: Iterable[FieldNotes], identifiers: bool = False) -> SourcesToExport:
    """The files that are sources, in coding order (``s1`` …, then ``p1`` …), no templates.

    Each file is its own source. Files that claim the same id are exported under
    the ids :func:`~jupyter_coding.corpus.resolve_sources` gives them (the clashes
    are in the result, for a warning). With ``identifiers`` (a format whose source
    names must be Python names), a clash that leaves a file without an id of its
    own stops the export with a message that lists every clash at once. A file
    without a source id is a :class:`FieldNotesError`.
    """
    files = [item for item in notes if not item.is_template]
    for item in files:
        if not item.source_id:
            raise FieldNotesError(
                "no source id ('# s' and a number): not field notes? leave it out",
                item.path or "<text>",
                1,
            )
    keys = [item.path or f"<text {index}>" for index, item in enumerate(files)]
    names, clashes = resolve_sources(
        SourceClaim(key, item.source_id, item.source.name if item.source else None)
        for key, item in zip(keys, files, strict=True)
    )
    if identifiers:
        unnamed = [
            (path, clash.describe(path))
            for clash in clashes
            for path, name in clash.names
            if not name.isidentifier()
        ]
        if unnamed:
            (path, first), *others = unnamed
            more = "".join(f"; also {other}:2: {text}" for other, text in others)
            raise FieldNotesError(
                f"{first}, and no other id tells them apart{more} (a model names each source "
                "once: give each file its own id in its header and CClass)",
                path,
                2,
            )
    exported = [ExportedSource(item, names[key]) for key, item in zip(keys, files, strict=True)]
    exported.sort(key=lambda item: (coding_order(item.source), item.path))
    return SourcesToExport(exported, clashes)
