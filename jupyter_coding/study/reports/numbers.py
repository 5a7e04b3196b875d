"""The numbers of a study's reports, pure and without matplotlib: the study read once,
its codebook entries, code frequencies, co-occurrence, the axial model as a graph, and
saturation (new codes per source in coding order).

Coding order: sources are taken as the study codes them, ``s1 … s57`` numerically,
then ``p1 … p11`` (see :func:`jupyter_coding.study.sources.coding_order`), or in the
order of the paths given with ``order="paths"``.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace

from jupyter_coding.common.files import find_field_notes
from jupyter_coding.common.parallel import map_in_order
from jupyter_coding.common.progress import progress
from jupyter_coding.fieldnotes import FieldNotes, parse, read_text
from jupyter_coding.fieldnotes.reading import coding_traces
from jupyter_coding.study.codebook import (
    APPLIED,
    Code,
    Codebook,
    Evidence,
    FileCodes,
    codes_of_notes,
)
from jupyter_coding.study.sources import coding_order

ORDERS = ("study", "paths")


# -- reading a study ---------------------------------------------------------------


@dataclass(frozen=True)
class TraceCodes:
    """The codes one coding trace applies to the quotes before it.

    ``quote`` is the quote right before the trace (the nearest of the run it codes;
    interview speaker lines are not quotes), or None for a trace with no quote.
    """

    path: str
    source: str | None
    line: int
    codes: tuple[str, ...]
    quote_line: int | None = None
    quote: str | None = None

    @property
    def evidence(self) -> Evidence | None:
        if self.quote_line is None:
            return None
        return Evidence(self.path, self.source, self.quote_line, self.line, self.quote or "")


@dataclass
class Study:
    """What the reports need of a study: its codebook and the codes of every trace.

    ``order`` is ``"study"`` (coding order) or ``"paths"`` (the order the files
    were read in); ``files`` lists the per-file codes in that order.
    """

    codebook: Codebook
    traces: list[TraceCodes] = field(default_factory=list)
    order: str = "study"
    paths: list[str] = field(default_factory=list)  # the files, in the order they were read

    def __post_init__(self) -> None:
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {self.order!r}")

    @property
    def files(self) -> list[FileCodes]:
        """Per-file codes in the study's order, templates left out."""
        files = [item for item in self.codebook.files() if not item.template]
        if self.order == "study":
            return sorted(files, key=lambda item: (coding_order(item.source), item.path))
        position = {path: index for index, path in enumerate(self.paths)}
        return sorted(files, key=lambda item: position.get(item.path, len(position)))

    @classmethod
    def from_notes(cls, notes: Iterable[FieldNotes], order: str = "study") -> Study:
        """A study of parsed files (paths as the notes give them)."""
        return cls.from_file_codes((_study_codes(item) for item in notes), order)

    @classmethod
    def from_file_codes(
        cls, items: Iterable[tuple[FileCodes, list[TraceCodes]]], order: str = "study"
    ) -> Study:
        """A study of each file's codes and the codes of its traces (:func:`_study_codes`)."""
        files: list[FileCodes] = []
        traces: list[TraceCodes] = []
        for codes, file_traces in items:
            files.append(codes)
            traces.extend(file_traces)
        codebook = Codebook.from_file_codes(files)
        # each file its own source: traces take the source their file is read as
        source_of = {item.path: item.source for item in codebook.files()}
        traces = [replace(t, source=source_of.get(t.path, t.source)) for t in traces]
        return cls(codebook, traces, order, [item.path for item in files])


def read_study(
    paths: Iterable[str | os.PathLike], order: str = "study", label: str = "reading"
) -> Study:
    """Read every field-notes file under ``paths`` once (a progress bar on long runs)."""
    files = find_field_notes(paths)
    # each file on its own, on every core for a big study (in the order of the files)
    read = map_in_order(_read_study_file, files)
    return Study.from_file_codes(progress(read, label, total=len(files)), order)


def _study_codes(notes: FieldNotes) -> tuple[FileCodes, list[TraceCodes]]:
    """What a study keeps of one file: its codes, and the codes of each of its traces."""
    codes = codes_of_notes(notes, evidence=False)  # the traces keep the quotes needed
    return codes, [] if codes.template else trace_codes(notes, codes.path)


def _read_study_file(path) -> tuple[FileCodes, list[TraceCodes]]:
    return _study_codes(parse(read_text(path), str(path)))


def trace_codes(notes: FieldNotes, path: str | None = None) -> list[TraceCodes]:
    """Per coding trace, the codes it applies to its source (attached, reused, defined).

    The one reading of :mod:`jupyter_coding.fieldnotes.reading`: relation ends and
    memo items talk about codes applied elsewhere.
    """
    path = path or notes.path or "<text>"
    found = []
    for trace in coding_traces(notes):
        names = trace.applies
        if names:
            quote = trace.quotes[-1] if trace.quotes else None
            found.append(
                TraceCodes(
                    path,
                    notes.source_id,
                    trace.line,
                    tuple(names),
                    quote.line if quote else None,
                    quote.plain_text if quote else None,
                )
            )
    return found


def _codebook(data: Study | Codebook) -> Codebook:
    return data.codebook if isinstance(data, Study) else data


# -- the codebook ----------------------------------------------------------------------


@dataclass(frozen=True)
class CodebookEntry:
    """One code as the codebook lists it."""

    identifier: str
    metaclass: str | None
    label: str | None
    defined_at: str | None  # path:line of the first definition in coding order
    definitions: int
    sources: int
    uses: int  # attached, reused or related (memo mentions left out)
    relations: tuple[str, ...]  # "-> force_a (force: positive)", "<- decision (decision_option)"
    evidence: Evidence | None  # the first quote coded with it, in coding order

    def as_dict(self) -> dict:
        data = asdict(self)
        data["relations"] = list(self.relations)
        return data


def _relation_text(arrow: str, other: str, kind: str, value: str | None) -> str:
    detail = f"{kind}: {value}" if value else kind
    return f"{arrow} {other} ({detail})"


def codebook_entries(data: Study | Codebook) -> list[CodebookEntry]:
    """Every code: metaclass, label, where defined, sources, uses, relations, first evidence.

    Sorted by metaclass (undefined codes last), then identifier. The evidence is
    the quote right before the first trace, in coding order, that names the code
    (speaker-only interview lines are not evidence). Given a bare
    :class:`~jupyter_coding.study.codebook.Codebook`, it is the first quote the codebook
    kept for the code in the first source in coding order.
    """
    codebook = _codebook(data)
    relations: dict[str, list[str]] = defaultdict(list)
    for relation in codebook.relations():
        relations[relation.source_code].append(
            _relation_text("->", relation.target_code, relation.kind, relation.value)
        )
        relations[relation.target_code].append(
            _relation_text("<-", relation.source_code, relation.kind, relation.value)
        )
    first_evidence = _first_evidence(data)
    entries = []
    for code in codebook.codes.values():
        definitions = sorted(
            code.definitions, key=lambda d: (coding_order(d.source), d.path, d.line)
        )
        first = definitions[0] if definitions else None
        entries.append(
            CodebookEntry(
                identifier=code.identifier,
                metaclass=first.metaclass if first else None,
                label=first.label if first else None,
                defined_at=f"{first.path}:{first.line}" if first else None,
                definitions=len(definitions),
                sources=len(code.sources),
                uses=code.use_count,
                relations=tuple(dict.fromkeys(relations.get(code.identifier, []))),
                evidence=first_evidence.get(code.identifier),
            )
        )
    return sorted(entries, key=lambda e: (e.metaclass is None, e.metaclass or "", e.identifier))


def _first_evidence(data: Study | Codebook) -> dict[str, Evidence]:
    found: dict[str, Evidence] = {}
    if isinstance(data, Study):
        traces = sorted(data.traces, key=lambda t: (coding_order(t.source), t.path, t.line))
        for trace in traces:
            evidence = trace.evidence
            if evidence is not None:
                for identifier in trace.codes:
                    found.setdefault(identifier, evidence)
        return found
    files = sorted(data.files(), key=lambda item: (coding_order(item.source), item.path))
    for item in files:
        for identifier, evidence in item.evidence.items():
            if evidence and not item.template and identifier not in found:
                found[identifier] = evidence[0]
    return found


# -- frequencies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Frequency:
    """How much a code is used: uses (attached, reused, related) and sources."""

    identifier: str
    metaclass: str | None
    uses: int
    sources: int


def code_frequencies(data: Study | Codebook) -> list[Frequency]:
    """Codes by uses, most used first (memo mentions do not count)."""
    found = [
        Frequency(code.identifier, code.metaclass, code.use_count, len(code.sources))
        for code in _codebook(data).codes.values()
        if code.use_count or code.defined
    ]
    return sorted(found, key=lambda f: (-f.uses, -f.sources, f.identifier))


# -- co-occurrence ---------------------------------------------------------------------------


def co_occurrence(data: Study | Iterable[TraceCodes]) -> dict[tuple[str, str], int]:
    """How many traces name both codes of a pair; pairs as ``(a, b)`` with ``a < b``."""
    traces = data.traces if isinstance(data, Study) else data
    counts: Counter[tuple[str, str]] = Counter()
    for trace in traces:
        codes = sorted(set(trace.codes))
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                counts[a, b] += 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# -- the axial model as a graph ---------------------------------------------------------------

# where a code stands in the axial model: decisions -> options -> forces
COLUMNS = {"decision": 0, "practice": 1, "pattern": 1, "force": 2}


@dataclass(frozen=True)
class Node:
    identifier: str
    metaclass: str | None
    label: str | None
    column: int  # 0 decisions, 1 practices and patterns, 2 forces


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # force, decision_option, decision_link, link
    value: str | None
    count: int  # how many times the study states it


@dataclass
class Graph:
    """The relations of the study: nodes are codes, edges are relations."""

    nodes: list[Node]
    edges: list[Edge]

    def as_dict(self) -> dict:
        return {"nodes": [asdict(n) for n in self.nodes], "edges": [asdict(e) for e in self.edges]}


def _column(code: Code | None, as_source: set[str], as_target: dict[str, set[str]]) -> int:
    """Column of a code: by metaclass, else by the relations it stands in."""
    if code is not None and code.metaclass in COLUMNS:
        return COLUMNS[code.metaclass]
    identifier = code.identifier if code is not None else ""
    kinds = as_target.get(identifier, set())
    if "force" in kinds:
        return 2
    if "decision_option" in kinds or identifier in as_source:
        return 1
    return 0


def relation_graph(data: Study | Codebook) -> Graph:
    """Codes that take part in relations, and the relations (repeats counted once, with a count).

    A code's column comes from its metaclass (decision 0, practice/pattern 1,
    force 2); an undefined code goes where its relations put it.
    """
    codebook = _codebook(data)
    counts: Counter[tuple[str, str, str, str | None]] = Counter(
        (r.source_code, r.target_code, r.kind, r.value) for r in codebook.relations()
    )
    as_source = {s for s, _, kind, _ in counts if kind == "force"}
    as_target: dict[str, set[str]] = defaultdict(set)
    for _, target, kind, _ in counts:
        as_target[target].add(kind)
    names = dict.fromkeys(name for s, t, _, _ in counts for name in (s, t))
    nodes = []
    for name in sorted(names):
        code = codebook.get(name) or Code(name)
        nodes.append(Node(name, code.metaclass, code.label, _column(code, as_source, as_target)))
    edges = [Edge(s, t, kind, value, count) for (s, t, kind, value), count in counts.items()]
    return Graph(nodes, sorted(edges, key=lambda e: (e.source, e.target, e.kind, e.value or "")))


# -- saturation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaturationPoint:
    """One source in coding order: the codes it brings that no earlier source had."""

    source: str
    new_codes: tuple[str, ...]
    total: int  # distinct codes so far

    @property
    def new(self) -> int:
        return len(self.new_codes)


def saturation(
    data: Study | Codebook, order: str | Sequence[str] | None = None
) -> list[SaturationPoint]:
    """New codes per source in coding order: the curve used to argue saturation.

    A source brings a code when one of its files defines it or uses it in an axial
    trace (attached, reused, related; memo mentions left out). ``order`` is
    ``"study"`` (the default: ``s1 … s57``, then ``p1 … p11``), ``"paths"`` (the
    order the files were read in; a :class:`Study` only) or a list of source ids.
    """
    study = data if isinstance(data, Study) else Study(data)
    if order is None or isinstance(order, str):
        if order == "paths" and not study.paths:
            raise ValueError('order="paths" needs a Study (read_study), not a Codebook')
        files = Study(study.codebook, order=order or study.order, paths=study.paths).files
        sources = list(dict.fromkeys(item.source or item.path for item in files))
    else:
        sources = list(order)
        files = study.files
    codes_of: dict[str, dict[str, None]] = {source: {} for source in sources}
    for item in files:
        key = item.source or item.path
        if key not in codes_of:
            continue
        names = codes_of[key]
        for use in item.uses:
            if use.how in APPLIED:
                names[use.identifier] = None
    seen: set[str] = set()
    points = []
    for source in sources:
        new = tuple(name for name in codes_of[source] if name not in seen)
        seen.update(new)
        points.append(SaturationPoint(source, new, len(seen)))
    return points
