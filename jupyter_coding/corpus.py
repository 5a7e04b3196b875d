"""A study's field notes read as one codebook.

Every code identifier with its definitions (metaclass, label, file:line), where
and how often it is used, in which sources, and its evidence: the quotes whose
traces attach or mention it. Files are re-read only when they change, and codes
from cells run in a notebook session can be laid on top (:meth:`Codebook.overlay`).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .fieldnotes import AxialTrace, FieldNotes, OpenTrace, parse, read_text
from .files import find_field_notes
from .similarity import closest

__all__ = [
    "Code",
    "Codebook",
    "Definition",
    "Evidence",
    "FileCodes",
    "Use",
    "codes_of_notes",
    "coding_order",
]

# uses kept per code for display; counts are exact whatever the cap
EVIDENCE_PER_CODE = 5


@dataclass(frozen=True)
class Definition:
    """Where and how a code is defined."""

    identifier: str
    metaclass: str
    label: str | None
    path: str
    line: int
    source: str | None


@dataclass(frozen=True)
class Use:
    """One use of a code: ``how`` is attached, reused, relation or memo."""

    identifier: str
    how: str
    path: str
    line: int
    source: str | None


@dataclass(frozen=True)
class Evidence:
    """A quote a trace codes with the code, and where the trace is."""

    path: str
    source: str | None
    quote_line: int
    trace_line: int
    text: str


@dataclass(frozen=True)
class Relation:
    kind: str
    source_code: str
    target_code: str
    value: str | None
    path: str
    line: int


@dataclass
class FileCodes:
    """What one file contributes to the codebook."""

    path: str
    source: str | None
    definitions: list[Definition] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    template: bool = False


def _trace_codes(open_trace: OpenTrace | None, axial: AxialTrace | None) -> list[str]:
    names: dict[str, None] = {}
    if open_trace is not None:
        for code in open_trace.memo_codes:
            names[code] = None
        for block in open_trace.blocks:
            for use in block.attached:
                names[use.identifier] = None
    if axial is not None:
        for block in axial.blocks:
            for use in block.attached + block.reused:
                names[use.identifier] = None
            for definition in block.definitions:
                names[definition.identifier] = None
            for relation in block.relations:
                names[relation.source] = None
                names[relation.target] = None
    return list(names)


def codes_of_notes(notes: FieldNotes, path: str | None = None, evidence: bool = True) -> FileCodes:
    """Collect definitions, uses, relations and (unless ``evidence`` is off) evidence of a file."""
    path = path or notes.path or "<text>"
    source = notes.source_id
    result = FileCodes(path, source, template=notes.is_template)
    if notes.is_template:
        return result
    for block in notes.python_blocks():
        for d in block.definitions:
            result.definitions.append(
                Definition(d.identifier, d.metaclass, d.label, path, d.line, source)
            )
        for use in block.attached:
            result.uses.append(Use(use.identifier, "attached", path, use.line, source))
        for use in block.reused:
            result.uses.append(Use(use.identifier, "reused", path, use.line, source))
        for r in block.relations:
            result.relations.append(Relation(r.kind, r.source, r.target, r.value, path, r.line))
            result.uses.append(Use(r.source, "relation", path, r.line, source))
            result.uses.append(Use(r.target, "relation", path, r.line, source))
    for trace in notes.open_traces:
        if trace.template:
            continue
        for code_list in trace.code_lists:
            for code in code_list.codes:
                result.uses.append(Use(code, "memo", path, code_list.line, source))
    if not evidence:
        return result
    for open_trace, axial in notes.traces():
        if (open_trace and open_trace.template) or (axial and axial.template):
            continue
        anchor = open_trace or axial
        quotes = notes.evidence(anchor)[:EVIDENCE_PER_CODE]
        if not quotes:
            continue
        # one Evidence per quote, shared by every code of the trace (memory on big studies)
        shared = [Evidence(path, source, q.line, anchor.line, q.plain_text) for q in quotes]
        for code in _trace_codes(open_trace, axial):
            kept = result.evidence.setdefault(code, [])
            kept.extend(shared[: EVIDENCE_PER_CODE - len(kept)])
    return result


@dataclass
class Code:
    """One code of the study, with everything known about it."""

    identifier: str
    definitions: list[Definition] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def defined(self) -> bool:
        return bool(self.definitions)

    @property
    def metaclass(self) -> str | None:
        """The metaclass of its first definition (None when never defined)."""
        return self.definitions[0].metaclass if self.definitions else None

    @property
    def label(self) -> str | None:
        return self.definitions[0].label if self.definitions else None

    @property
    def use_count(self) -> int:
        """How often the code is attached, reused or related (memo mentions left out)."""
        return sum(1 for use in self.uses if use.how != "memo")

    @property
    def sources(self) -> list[str]:
        """Sources that define or use the code, sorted."""
        found = {use.source for use in self.uses if use.source}
        found |= {d.source for d in self.definitions if d.source}
        return sorted(found, key=coding_order)

    @property
    def first_site(self) -> tuple[str, int] | None:
        """Where it is defined, else first used."""
        if self.definitions:
            return self.definitions[0].path, self.definitions[0].line
        if self.uses:
            return self.uses[0].path, self.uses[0].line
        return None


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


@dataclass
class _FileEntry:
    stamp: tuple[int, int]
    codes: FileCodes


class Codebook:
    """All field-notes files under some folders, as one codebook.

    ``Codebook.load(["study/"])`` reads every ``*.md``; :meth:`refresh` re-reads
    only files whose size or modification time changed.
    """

    def __init__(self, paths: Iterable[str | os.PathLike] = ()) -> None:
        self.paths = [Path(p) for p in paths]
        self._files: dict[str, _FileEntry] = {}
        self._overlays: dict[str, FileCodes] = {}
        self._codes: dict[str, Code] | None = None

    # -- loading -------------------------------------------------------
    @classmethod
    def load(cls, paths: Iterable[str | os.PathLike]) -> Codebook:
        codebook = cls(paths)
        codebook.refresh()
        return codebook

    @classmethod
    def from_notes(cls, notes: Iterable[FieldNotes]) -> Codebook:
        """A codebook of parsed files (no folder behind it)."""
        codebook = cls()
        for item in notes:
            codebook._files[item.path or f"<notes {id(item)}>"] = _FileEntry(
                (0, 0), codes_of_notes(item)
            )
        return codebook

    @classmethod
    def from_file_codes(cls, items: Iterable[FileCodes]) -> Codebook:
        """A codebook of per-file codes already collected, one item per file path.

        For readers that stream through a study and keep no documents in memory.
        """
        codebook = cls()
        for item in items:
            codebook._files[item.path] = _FileEntry((0, 0), item)
        return codebook

    def refresh(self) -> int:
        """Re-read files that changed, added or removed; returns how many were read."""
        if not self.paths:
            return 0
        found = find_field_notes(self.paths)
        seen = set()
        read = 0
        for path in found:
            key = str(path)
            seen.add(key)
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            entry = self._files.get(key)
            if entry is not None and entry.stamp == stamp:
                continue
            notes = parse(read_text(path), key)
            self._files[key] = _FileEntry(stamp, codes_of_notes(notes, key))
            read += 1
        for key in list(self._files):
            if key not in seen:
                del self._files[key]
                read += 1
        if read:
            self._codes = None
        return read

    def overlay(self, key: str, codes: FileCodes | None) -> None:
        """Lay codes from outside the files on top (a notebook cell run this session).

        ``None`` removes the overlay ``key``.
        """
        if codes is None:
            self._overlays.pop(key, None)
        else:
            self._overlays[key] = codes
        self._codes = None

    # -- queries -------------------------------------------------------
    def files(self) -> list[FileCodes]:
        """Per-file codes in coding order (``s1 … s57``, ``p1 …``; templates flagged).

        The order decides which definition of a code defined twice comes first.
        """
        entries = (entry.codes for entry in self._files.values())
        return sorted(entries, key=lambda codes: (coding_order(codes.source), codes.path))

    def _contributions(self) -> Iterator[FileCodes]:
        yield from self.files()
        yield from self._overlays.values()

    @property
    def codes(self) -> dict[str, Code]:
        """Every identifier defined or used, by identifier."""
        if self._codes is None:
            codes: dict[str, Code] = {}
            for item in self._contributions():
                if item.template:
                    continue
                for d in item.definitions:
                    codes.setdefault(d.identifier, Code(d.identifier)).definitions.append(d)
                for use in item.uses:
                    codes.setdefault(use.identifier, Code(use.identifier)).uses.append(use)
                for identifier, evidence in item.evidence.items():
                    code = codes.setdefault(identifier, Code(identifier))
                    room = EVIDENCE_PER_CODE - len(code.evidence)
                    if room > 0:
                        code.evidence.extend(evidence[:room])
            self._codes = codes
        return self._codes

    def __contains__(self, identifier: str) -> bool:
        return identifier in self.codes

    def __getitem__(self, identifier: str) -> Code:
        return self.codes[identifier]

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, identifier: str) -> Code | None:
        return self.codes.get(identifier)

    def ranked(self) -> list[Code]:
        """Codes most used first, then by identifier."""
        return sorted(self.codes.values(), key=lambda c: (-c.use_count, c.identifier))

    def metaclasses(self) -> list[str]:
        """Metaclasses in use, most used first."""
        counts = Counter(c.metaclass for c in self.codes.values() if c.metaclass)
        return [name for name, _ in counts.most_common()]

    def relations(self) -> list[Relation]:
        return [r for item in self._contributions() if not item.template for r in item.relations]

    def sources(self) -> list[str]:
        """Source ids of the files (templates left out)."""
        found = {item.source for item in self._contributions() if item.source and not item.template}
        return sorted(found, key=coding_order)

    def suggest(self, identifier: str, n: int = 3) -> list[str]:
        """Known codes closest to ``identifier`` (for ``did you mean ...?``)."""
        defined = [c.identifier for c in self.codes.values() if c.defined]
        return closest(identifier, defined or list(self.codes), n=n)
