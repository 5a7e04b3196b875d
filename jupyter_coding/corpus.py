"""A study's field notes read as one codebook.

Every code identifier with its definitions (metaclass, label, file:line), where
and how often it is used, in which sources, and its evidence: the quotes whose
traces attach or mention it. Files are re-read only when they change, and codes
from cells run in a notebook session can be laid on top (:meth:`Codebook.overlay`).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .fieldnotes import FieldNotes, parse, read_text
from .fieldnotes.dialect import Dialect
from .fieldnotes.dialect import votes as dialect_votes
from .fieldnotes.reading import Application, coding_traces
from .files import find_field_notes
from .similarity import closest

__all__ = [
    "APPLIED",
    "Code",
    "Codebook",
    "Definition",
    "Evidence",
    "FileCodes",
    "SourceClaim",
    "SourceClash",
    "Use",
    "codes_of_notes",
    "coding_order",
    "file_name_source_id",
    "most_used_first",
    "resolve_sources",
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
    """One mention of a code by a trace.

    ``how``: ``attached``, ``reused`` or ``defined`` when the trace applies the code
    (one per trace; see :data:`APPLIED`), ``related`` for a relation end, ``memo``
    for a memo item.
    """

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
    """What one file contributes to the codebook.

    ``source`` names the file's source. It is the id the file claims (``declared``:
    its header's, else its ``CClass``'s) unless another file claims the same id; a
    :class:`Codebook` then names each file its own source (:func:`resolve_sources`).
    """

    path: str
    source: str | None
    definitions: list[Definition] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    template: bool = False
    declared: str | None = None
    cclass: str | None = None  # the name in the file's ``CClass(source, ...)``
    dialect: dict = field(default_factory=dict)  # what the file votes for (fieldnotes.dialect)

    @property
    def claim(self) -> SourceClaim:
        return SourceClaim(self.path, self.declared, self.cclass)

    def renamed(self, source: str) -> FileCodes:
        """The same codes credited to source ``source``."""
        return FileCodes(
            self.path,
            source,
            [replace(d, source=source) for d in self.definitions],
            [replace(u, source=source) for u in self.uses],
            self.relations,
            {
                code: [replace(e, source=source) for e in items]
                for code, items in self.evidence.items()
            },
            self.template,
            self.declared,
            self.cclass,
            self.dialect,
        )


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


# how a code is used: applied to a source (the one reading), related, or named in a memo
APPLIED = ("attached", "reused", "defined")


def codes_of_notes(notes: FieldNotes, path: str | None = None, evidence: bool = True) -> FileCodes:
    """Collect definitions, uses, relations and (unless ``evidence`` is off) evidence of a file.

    A code's uses are the traces that apply it (see :mod:`jupyter_coding.fieldnotes.reading`):
    one use per trace, however often the trace names it, with ``how`` the first way
    it does (attached, reused or defined); relation ends (``related``) and memo
    mentions (``memo``) are kept apart and never count as uses.
    """
    path = path or notes.path or "<text>"
    source = notes.source_id
    result = FileCodes(
        path,
        source,
        template=notes.is_template,
        declared=source,
        cclass=notes.source.name if notes.source is not None else None,
    )
    if notes.is_template:
        return result
    result.dialect = dialect_votes(notes)
    for trace in coding_traces(notes):
        for d in trace.definitions:
            result.definitions.append(
                Definition(d.identifier, d.metaclass, d.label, path, d.line, source)
            )
        first: dict[str, Application] = {}
        for application in trace.applications:
            first.setdefault(application.identifier, application)
        for application in first.values():
            result.uses.append(
                Use(application.identifier, application.how, path, application.line, source)
            )
        for r in trace.relations:
            result.relations.append(Relation(r.kind, r.source, r.target, r.value, path, r.line))
            result.uses.append(Use(r.source, "related", path, r.line, source))
            result.uses.append(Use(r.target, "related", path, r.line, source))
        for item in trace.memo:
            if item.is_identifier:
                result.uses.append(Use(item.text, "memo", path, item.line, source))
        if not evidence or not first:
            continue
        quotes = trace.quotes[:EVIDENCE_PER_CODE]
        if not quotes:
            continue
        # one Evidence per quote, shared by every code of the trace (memory on big studies)
        shared = [Evidence(path, source, q.line, trace.line, q.plain_text) for q in quotes]
        for code in first:
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
    def applications(self) -> list[Use]:
        """The traces that apply the code to their source, one use each."""
        return [use for use in self.uses if use.how in APPLIED]

    @property
    def use_count(self) -> int:
        """How many traces apply the code (relation ends and memo mentions left out)."""
        return sum(1 for use in self.uses if use.how in APPLIED)

    @property
    def relation_count(self) -> int:
        """How many relation ends the code is."""
        return sum(1 for use in self.uses if use.how == "related")

    @property
    def sources(self) -> list[str]:
        """The sources (files) the code is applied to, sorted in coding order."""
        found = {use.source for use in self.uses if use.how in APPLIED and use.source}
        return sorted(found, key=coding_order)

    @property
    def first_site(self) -> tuple[str, int] | None:
        """Where it is defined, else first used."""
        if self.definitions:
            return self.definitions[0].path, self.definitions[0].line
        if self.uses:
            return self.uses[0].path, self.uses[0].line
        return None


def most_used_first(code: Code) -> tuple:
    """Sort key: most uses first, then most sources, then by identifier."""
    return (-code.use_count, -len(code.sources), code.identifier)


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


def _read_codes(path: str) -> FileCodes:
    """The codes of the field-notes file at ``path``."""
    return codes_of_notes(parse(read_text(path), path), path)


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
        self._resolved: tuple[list[FileCodes], list[SourceClash]] | None = None

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
        changed: list[tuple[str, tuple[int, int]]] = []
        for path in found:
            key = str(path)
            seen.add(key)
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            entry = self._files.get(key)
            if entry is None or entry.stamp != stamp:
                changed.append((key, stamp))
        # each file on its own, on every core when many changed (in the order found)
        from .parallel import map_in_order

        keys = [key for key, _ in changed]
        for (key, stamp), codes in zip(changed, map_in_order(_read_codes, keys), strict=True):
            self._files[key] = _FileEntry(stamp, codes)
            read += 1
        for key in list(self._files):
            if key not in seen:
                del self._files[key]
                read += 1
        if read:
            self._codes = None
            self._resolved = None
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
        self._resolved = None

    # -- queries -------------------------------------------------------
    def _resolve(self) -> tuple[list[FileCodes], list[SourceClash]]:
        if self._resolved is None:
            entries = [entry.codes for entry in self._files.values()]
            names, clashes = resolve_sources(item.claim for item in entries if not item.template)
            entries = [
                item.renamed(names[item.path])
                if item.path in names and names[item.path] != item.source
                else item
                for item in entries
            ]
            entries.sort(key=lambda codes: (coding_order(codes.source), codes.path))
            self._resolved = entries, clashes
        return self._resolved

    def files(self) -> list[FileCodes]:
        """Per-file codes in coding order (``s1 … s57``, ``p1 …``; templates flagged).

        Each file is its own source: files that claim the same id are told apart
        (see :func:`resolve_sources` and :meth:`source_clashes`). The order decides
        which definition of a code defined twice comes first.
        """
        return list(self._resolve()[0])

    def dialect(self) -> Dialect:
        """How the study's files write traces, for new text (the seed's layout when empty)."""
        return Dialect.detect(entry.codes.dialect for entry in self._files.values())

    def source_clashes(self) -> list[SourceClash]:
        """Files that claim the same source id, and the source each is read as."""
        return list(self._resolve()[1])

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
        """Codes most used first (see :func:`most_used_first`)."""
        return sorted(self.codes.values(), key=most_used_first)

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
