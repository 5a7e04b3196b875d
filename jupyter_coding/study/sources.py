"""Which source each file is: its id, the order sources are coded in, and clashes.

A source is a file. Two files may claim one id (a file copied from another keeps its
header); :func:`resolve_sources` gives each its own, and every command that names
sources (the codebook, reports, checks, exports) goes through it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_coding.fieldnotes import FieldNotes, FieldNotesError

__all__ = [
    "ExportedSource",
    "SourceClaim",
    "SourceClash",
    "SourcesToExport",
    "coding_order",
    "file_name_source_id",
    "resolve_sources",
    "sources_to_export",
]


_FILE_NAME_ID = re.compile(r"([A-Za-z]{1,3})_?(\d{1,9})")


def file_name_source_id(path: str | os.PathLike) -> str | None:
    """The source id a file's name gives: ``s_34.md`` and ``s34.md`` -> ``s34``."""
    match = _FILE_NAME_ID.fullmatch(Path(path).stem)
    return match.group(1).lower() + match.group(2) if match else None


@dataclass(frozen=True)
class SourceClash:
    """Files that claim the same source id, and the source each is read as."""

    declared: str
    names: tuple[tuple[str, str], ...]  # (path, the source id it is read as)

    def describe(self, path: str) -> str:
        """Why ``path`` is read as the source it is."""
        name = dict(self.names)[path]
        others = ", ".join(other for other, _ in self.names if other != path)
        if name == self.declared:
            return f"claims source {self.declared}, as does {others}; read as {name}"
        how = "its file name" if name == file_name_source_id(path) else "its CClass"
        if "~" in name:
            how = "neither file name nor CClass tells another id"
        return f"claims source {self.declared}, as does {others}; read as source {name} ({how})"


@dataclass(frozen=True)
class SourceClaim:
    """The source id a file claims (its header's, else its ``CClass``'s), and its ``CClass``."""

    path: str
    declared: str | None
    cclass: str | None = None

    @classmethod
    def of(cls, notes: FieldNotes) -> SourceClaim:
        return cls(
            notes.path or "<text>",
            notes.source_id,
            notes.source.name if notes.source is not None else None,
        )


def resolve_sources(claims: Iterable[SourceClaim]) -> tuple[dict[str, str], list[SourceClash]]:
    """A source id per file (path -> id), each file its own source, and the clashes.

    A file keeps the id it claims unless another file claims it too. Of files that
    share an id, one whose file name gives that id keeps it (else the first by
    path); each other one is read as the id its file name gives, else its
    ``CClass`` name, when no file claims that id, else as ``ID~2``, ``ID~3`` ...
    """
    claims = [claim for claim in claims if claim.declared]
    by_declared: dict[str, list[SourceClaim]] = {}
    for claim in sorted(claims, key=lambda claim: claim.path):
        by_declared.setdefault(claim.declared, []).append(claim)
    taken = set(by_declared)
    names: dict[str, str] = {claim.path: claim.declared for claim in claims}
    clashes = []
    for declared, holders in by_declared.items():
        if len(holders) < 2:
            continue
        keeper = next(
            (claim for claim in holders if file_name_source_id(claim.path) == declared),
            holders[0],
        )
        counter = 1
        for claim in holders:
            if claim is keeper:
                continue
            for candidate in (file_name_source_id(claim.path), claim.cclass):
                if candidate and candidate not in taken:
                    break
            else:
                counter += 1
                candidate = f"{declared}~{counter}"
            taken.add(candidate)
            names[claim.path] = candidate
        clashes.append(
            SourceClash(declared, tuple((claim.path, names[claim.path]) for claim in holders))
        )
    return names, clashes


def _source_order(source: str) -> tuple:
    letters = source.rstrip("0123456789")
    digits = source[len(letters) :]
    return (letters, int(digits) if digits else -1, source)


# the order sources are coded in: grey literature (s) first, then interviews (p)
CODING_ORDER_KINDS = ("s", "p")


def coding_order(source: str | None) -> tuple:
    """Sort key for the order a study is coded in: ``s1 … s57``, then ``p1 … p11``.

    Numbers compare as numbers; other letters come after ``s`` and ``p``, by name;
    a missing id comes last.
    """
    if not source:
        return (len(CODING_ORDER_KINDS) + 1, "", -1, "")
    letters, number, _ = _source_order(source)
    rank = CODING_ORDER_KINDS.index(letters) if letters in CODING_ORDER_KINDS else None
    return (len(CODING_ORDER_KINDS) if rank is None else rank, letters, number, source)


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
    the ids :func:`~jupyter_coding.study.codebook.resolve_sources` gives them (the clashes
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
