"""A study's field notes read as one codebook.

Every code identifier with its definitions (metaclass, label, file:line), where
and how often it is used, in which sources, and its evidence: the quotes whose
traces attach or mention it. Files are re-read only when they change, and codes
from cells run in a notebook session can be laid on top (:meth:`Codebook.overlay`);
a cell that shows a trace of a file takes that trace's place, so a session counts
what the command line counts. The codebook keeps a few evidence quotes per code;
:meth:`Codebook.evidence` reads all of one code's quotes on demand.

Why one module: the codebook, its codes and their uses, evidence and the notebook
overlay are one data structure with one cache; its parts are not used apart.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from jupyter_coding.common.files import find_field_notes
from jupyter_coding.fieldnotes import FieldNotes, FieldNotesError, parse, read_text
from jupyter_coding.fieldnotes.dialect import Dialect
from jupyter_coding.fieldnotes.dialect import votes as dialect_votes
from jupyter_coding.fieldnotes.reading import Application, coding_traces
from jupyter_coding.study.similarity import closest
from jupyter_coding.study.sources import SourceClaim, SourceClash, coding_order, resolve_sources

__all__ = [
    "APPLIED",
    "Code",
    "Codebook",
    "Definition",
    "Evidence",
    "FileCodes",
    "ShownTrace",
    "TraceSpan",
    "Use",
    "codes_of_notes",
    "most_used_first",
    "trace_digest",
]

# evidence quotes kept per code while reading; Codebook.evidence reads all on demand
EVIDENCE_PER_CODE = 5
# files whose traces and quotes Codebook.evidence keeps at hand (memory stays bounded)
EVIDENCE_FILES_CACHED = 512


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


def trace_digest(text: str) -> str:
    """A digest of a trace's text, blind to blank lines and trailing spaces.

    A notebook cell shows a trace without the blank lines after it, and editors may
    drop trailing spaces: the same trace gives the same digest either way.
    """
    kept = "\n".join(line.rstrip() for line in text.splitlines() if line.strip())
    return hashlib.blake2b(kept.encode("utf-8"), digest_size=12).hexdigest()


@dataclass(frozen=True)
class TraceSpan:
    """Where a trace stands in its file, the digest of its text and the quotes it codes."""

    line: int
    end_line: int
    digest: str
    applies: frozenset[str]
    quotes: tuple[tuple[int, str], ...]  # (line, plain text) of each quote

    def __contains__(self, line: int) -> bool:
        return self.line <= line <= self.end_line


@dataclass(frozen=True)
class ShownTrace:
    """The trace of a study file that a notebook cell shows (see :meth:`Codebook.overlay`).

    ``path`` names the file (the notebook's markdown); the trace is the first one,
    not already shown by another cell, whose text has one of ``digests``
    (:func:`trace_digest` of the cell's text now, as last saved, and as the notebook
    was made).
    """

    path: str
    digests: tuple[str, ...]


@dataclass
class _Overlay:
    codes: FileCodes
    shows: ShownTrace | None = None
    source: str | None = None


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


def _moved(codes: FileCodes, path: str, source: str | None, offset: int) -> FileCodes:
    """A cell's codes credited to the file and source it shows, ``offset`` lines down."""
    return FileCodes(
        path,
        source,
        [replace(d, path=path, source=source, line=d.line + offset) for d in codes.definitions],
        [replace(u, path=path, source=source, line=u.line + offset) for u in codes.uses],
        [replace(r, path=path, line=r.line + offset) for r in codes.relations],
        {},  # a cell holds no quotes: the file's quotes of the trace stay (see _without)
        declared=codes.declared,
        cclass=codes.cclass,
    )


def _without(item: FileCodes, replaced: list[tuple[TraceSpan, set[str]]]) -> FileCodes:
    """A file's codes without the traces cells replace; each trace's quotes stay the
    evidence of the codes its cell still applies."""

    def outside(line: int) -> bool:
        return not any(line in span for span, _ in replaced)

    def kept(identifier: str, evidence: Evidence) -> bool:
        return all(
            evidence.trace_line not in span or identifier in applied for span, applied in replaced
        )

    return FileCodes(
        item.path,
        item.source,
        [d for d in item.definitions if outside(d.line)],
        [u for u in item.uses if outside(u.line)],
        [r for r in item.relations if outside(r.line)],
        {
            identifier: [e for e in items if kept(identifier, e)]
            for identifier, items in item.evidence.items()
        },
        item.template,
        item.declared,
        item.cclass,
        item.dialect,
    )


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
        self._overlays: dict[str, _Overlay] = {}
        self._codes: dict[str, Code] | None = None
        self._resolved: tuple[list[FileCodes], list[SourceClash]] | None = None
        self._contributed: list[FileCodes] | None = None
        self._replaced: dict[str, TraceSpan] = {}  # overlay key -> the file trace it replaces
        # path -> (stamp, its traces): read on demand for overlays and evidence, bounded
        self._traces: OrderedDict[str, tuple[tuple[int, int], list[TraceSpan]]] = OrderedDict()

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
        from jupyter_coding.common.parallel import map_in_order

        keys = [key for key, _ in changed]
        for (key, stamp), codes in zip(changed, map_in_order(_read_codes, keys), strict=True):
            self._files[key] = _FileEntry(stamp, codes)
            read += 1
        for key in list(self._files):
            if key not in seen:
                del self._files[key]
                read += 1
        if read:
            self._changed()
            self._resolved = None
        return read

    def _changed(self) -> None:
        self._codes = None
        self._contributed = None

    def overlay(
        self,
        key: str,
        codes: FileCodes | None,
        shows: ShownTrace | None = None,
        source: str | None = None,
    ) -> None:
        """Lay codes from outside the files on top (a notebook cell run this session).

        When the cell ``shows`` a trace of a study file, its codes take that trace's
        place: the file's definitions, uses, relations and evidence of the trace give
        way to the cell's, credited to the file and its source at the trace's lines.
        Run unchanged, a cell therefore changes no count. A cell that shows no trace
        of the files adds its codes, credited to ``source``. Which trace a cell shows
        is decided afresh whenever a file changes. ``None`` removes the overlay ``key``.
        """
        if codes is None:
            self._overlays.pop(key, None)
        else:
            self._overlays[key] = _Overlay(codes, shows, source)
        self._changed()

    def replaced_trace(self, key: str) -> TraceSpan | None:
        """The trace of a file that overlay ``key`` takes the place of, if any."""
        self._contributions()
        return self._replaced.get(key)

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

    def _contributions(self) -> list[FileCodes]:
        """The files' codes, each overlay in its place: a replaced trace gives way to its cell."""
        if self._contributed is not None:
            return self._contributed
        files = self.files()
        by_real_path = {os.path.realpath(item.path): item for item in files}
        replaced: dict[str, TraceSpan] = {}
        taken: dict[str, list[tuple[TraceSpan, set[str]]]] = {}  # path -> spans replaced
        overlays = []
        for key, overlay in self._overlays.items():
            codes = overlay.codes
            item = by_real_path.get(os.path.realpath(overlay.shows.path)) if overlay.shows else None
            span = self._shown_span(item, overlay.shows, taken) if item is not None else None
            if span is None:
                if overlay.source is not None:
                    codes = codes.renamed(overlay.source)
                overlays.append(codes)
                continue
            replaced[key] = span
            applied = {use.identifier for use in codes.uses if use.how in APPLIED}
            taken.setdefault(item.path, []).append((span, applied))
            overlays.append(_moved(codes, item.path, item.source, span.line - 1))
        self._replaced = replaced
        self._contributed = [
            _without(item, taken[item.path]) if item.path in taken else item for item in files
        ] + overlays
        return self._contributed

    def _shown_span(
        self,
        item: FileCodes,
        shows: ShownTrace,
        taken: dict[str, list[tuple[TraceSpan, set[str]]]],
    ) -> TraceSpan | None:
        """The first trace of ``item`` with one of the digests, not shown by another cell."""
        claimed = [span for span, _ in taken.get(item.path, [])]
        spans = self.trace_spans(item.path)
        for digest in shows.digests:
            for span in spans:
                if span.digest == digest and span not in claimed:
                    return span
        return None

    def trace_spans(self, path: str) -> list[TraceSpan]:
        """The coding traces of one study file, read from the file (a few files are cached)."""
        try:
            stat = os.stat(path)
        except OSError:
            return []
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._traces.get(path)
        if cached is not None and cached[0] == stamp:
            self._traces.move_to_end(path)
            return cached[1]
        try:
            notes = parse(read_text(path), path)
        except (OSError, FieldNotesError):
            return []
        spans = [
            TraceSpan(
                trace.line,
                trace.end_line,
                trace_digest("".join(part.to_text() for part in trace.parts)),
                frozenset(trace.applies),
                tuple((quote.line, quote.plain_text) for quote in trace.quotes),
            )
            for trace in coding_traces(notes)
        ]
        self._traces[path] = (stamp, spans)
        while len(self._traces) > EVIDENCE_FILES_CACHED:
            self._traces.popitem(last=False)
        return spans

    def evidence(self, identifier: str, max_files: int | None = None) -> list[Evidence]:
        """Every quote coded with ``identifier`` in the study's files, in coding order.

        The codebook keeps only the first :data:`EVIDENCE_PER_CODE` quotes of a code;
        this reads the rest on demand from the files whose traces apply it (through a
        cache of :data:`EVIDENCE_FILES_CACHED` files, so memory stays bounded on big
        studies). ``max_files`` reads at most that many of those files, spread evenly
        over the study in coding order (a code applied in thousands of files would
        take seconds). A trace a cell has replaced counts as the cell applies it.
        """
        code = self.get(identifier)
        if code is None:
            return []
        files = {item.path: item for item in self.files()}
        replaced = {
            (path, span.line): overlay
            for key, span in self._replaced.items()
            for overlay in [self._overlays.get(key)]
            if overlay is not None and overlay.shows is not None
            for path in [self._path_of(overlay.shows.path, files)]
        }
        found: list[Evidence] = []
        paths = list(dict.fromkeys(use.path for use in code.applications))
        if max_files is not None and len(paths) > max_files:
            step = len(paths) / max_files
            paths = [paths[int(number * step)] for number in range(max_files)]
        for path in paths:
            item = files.get(path)
            if item is None:  # a cell run in the session: its quotes are in the notebook
                continue
            spans = self.trace_spans(path)
            if not spans:  # not readable from disk (a codebook of parsed notes)
                found += [e for e in code.evidence if e.path == path]
                continue
            for span in spans:
                overlay = replaced.get((path, span.line))
                if overlay is None:
                    applies = identifier in span.applies
                else:  # the cell's reading of this trace counts
                    applies = any(
                        use.identifier == identifier and use.how in APPLIED
                        for use in overlay.codes.uses
                    )
                if not applies:
                    continue
                found += [
                    Evidence(path, item.source, line, span.line, text) for line, text in span.quotes
                ]
        return found

    @staticmethod
    def _path_of(path: str, files: dict[str, FileCodes]) -> str | None:
        real = os.path.realpath(path)
        return next((key for key in files if os.path.realpath(key) == real), None)

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
        """Known codes closest to ``identifier`` (for ``did you mean ...?``), by identifier
        and by label (``master_data_management`` is ``mdm``, "Master Data Management")."""
        pool = [c for c in self.codes.values() if c.defined] or list(self.codes.values())
        labels = {c.identifier: c.label for c in pool}
        return closest(identifier, [c.identifier for c in pool], n=n, labels=labels)
