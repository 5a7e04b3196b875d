"""Reports on a study: codebook, code frequencies, co-occurrence, the axial model, saturation.

The data functions return plain structures (dataclasses, lists, dicts) and need
nothing beyond the standard library; the ``*_figure`` functions draw them with
matplotlib (the ``report`` extra), imported only when a figure is drawn and used
through its object API, so a notebook's plotting backend is left alone (a
:class:`~matplotlib.figure.Figure` shows itself in Jupyter). :func:`write_html_report`
puts everything in one self-contained HTML file with the figures embedded.

From a notebook::

    from jupyter_coding.study import reports
    study = reports.read_study(["field_notes/"])
    reports.saturation_figure(reports.saturation(study))

Coding order: sources are taken as the study codes them, ``s1 … s57`` numerically,
then ``p1 … p11`` (see :func:`jupyter_coding.study.codebook.coding_order`), or in the
order of the paths given with ``order="paths"``.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone

from jupyter_coding.common.files import find_field_notes
from jupyter_coding.common.parallel import map_in_order
from jupyter_coding.common.progress import progress
from jupyter_coding.common.words import count as counted
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
from jupyter_coding.study.palette import metaclass_colour
from jupyter_coding.study.sources import coding_order

__all__ = [
    "CodebookEntry",
    "Frequency",
    "Graph",
    "SaturationPoint",
    "Study",
    "TraceCodes",
    "co_occurrence",
    "co_occurrence_figure",
    "code_frequencies",
    "codebook_entries",
    "frequency_figure",
    "html_report",
    "read_study",
    "relation_figure",
    "relation_graph",
    "saturation",
    "saturation_figure",
    "write_html_report",
]

ORDERS = ("study", "paths")


class MatplotlibMissing(ImportError):
    """Figures need matplotlib: ``pip install 'jupyter_coding[report]'``."""


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


# -- figures -----------------------------------------------------------------------------------


def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MatplotlibMissing(
            "figures need matplotlib: pip install 'jupyter_coding[report]'"
        ) from None
    return Figure


def frequency_figure(frequencies: Sequence[Frequency], top: int = 30):
    """Horizontal bars: the ``top`` most used codes, coloured by metaclass."""
    shown = list(frequencies[:top])[::-1]
    figure = _figure_class()(figsize=(8, max(3.0, 0.22 * len(shown) + 1)), layout="constrained")
    axes = figure.add_subplot()
    axes.barh(
        [f.identifier for f in shown],
        [f.uses for f in shown],
        color=[metaclass_colour(f.metaclass) for f in shown],
    )
    axes.set_xlabel("uses (attached, reused or related)")
    axes.set_title(f"The {len(shown)} most used codes")
    axes.tick_params(axis="y", labelsize=7)
    _metaclass_legend(axes, {f.metaclass for f in shown})
    return figure


def _metaclass_legend(axes, metaclasses) -> None:
    from matplotlib.patches import Patch

    handles = [
        Patch(color=metaclass_colour(m), label=m or "undefined")
        for m in sorted(metaclasses, key=lambda m: (m is None, m or ""))
    ]
    if handles:
        axes.legend(handles=handles, loc="lower right", fontsize=7)


def co_occurrence_figure(
    pairs: dict[tuple[str, str], int], top: int = 25, frequencies: Sequence[Frequency] = ()
):
    """A heat map of how often the ``top`` most co-occurring codes share a trace."""
    weight: Counter[str] = Counter()
    for (a, b), count in pairs.items():
        weight[a] += count
        weight[b] += count
    codes = [code for code, _ in weight.most_common(top)]
    index = {code: i for i, code in enumerate(codes)}
    matrix = [[0] * len(codes) for _ in codes]
    for (a, b), count in pairs.items():
        if a in index and b in index:
            matrix[index[a]][index[b]] = matrix[index[b]][index[a]] = count
    size = max(4.0, 0.28 * len(codes) + 2)
    figure = _figure_class()(figsize=(size + 1, size), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(matrix or [[0]], cmap="viridis")
    axes.set_xticks(range(len(codes)), codes, rotation=90, fontsize=7)
    axes.set_yticks(range(len(codes)), codes, fontsize=7)
    axes.set_title("Codes named by the same trace")
    figure.colorbar(image, ax=axes, shrink=0.6, label="traces")
    return figure


EDGE_COLOURS = {
    "very_positive": "#1b7837",
    "positive": "#5aae61",
    "neutral": "#999999",
    "negative": "#d6604d",
    "very_negative": "#b2182b",
}


def _edge_colour(edge: Edge) -> str:
    if edge.kind == "force":
        return EDGE_COLOURS.get((edge.value or "").replace(" ", "_"), "#999999")
    return {"decision_option": "#8073ac", "decision_link": "#542788"}.get(edge.kind, "#333333")


def _layout(graph: Graph) -> dict[str, tuple[float, float]]:
    """Columns by metaclass; rows ordered by the mean row of neighbours (fewer crossings)."""
    columns: dict[int, list[str]] = defaultdict(list)
    for node in graph.nodes:
        columns[node.column].append(node.identifier)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        neighbours[edge.source].append(edge.target)
        neighbours[edge.target].append(edge.source)
    rows = {name: float(i) for names in columns.values() for i, name in enumerate(names)}
    for _ in range(4):
        for column in sorted(columns):
            names = columns[column]

            def barycentre(name: str) -> float:
                around = [rows[other] for other in neighbours[name] if other in rows]
                return sum(around) / len(around) if around else rows[name]

            names.sort(key=barycentre)
            for i, name in enumerate(names):
                rows[name] = float(i)
    tallest = max((len(names) for names in columns.values()), default=1)
    positions = {}
    for column, names in columns.items():
        step = tallest / max(len(names), 1)
        for i, name in enumerate(names):
            positions[name] = (float(column), tallest - (i + 0.5) * step)
    return positions


def relation_figure(graph: Graph):
    """The axial model: decisions, their options (practices, patterns), and the forces."""
    from matplotlib.collections import LineCollection

    positions = _layout(graph)
    # at least one row: an empty graph would give matplotlib an empty range (and a warning)
    tallest = max(1, *(sum(1 for n in graph.nodes if n.column == c) for c in (0, 1, 2)))
    height = max(6.0, 0.13 * tallest + 2)
    # fixed margins: a layout engine costs seconds on a graph of a few hundred labels
    figure = _figure_class()(figsize=(13, height))
    figure.subplots_adjust(left=0.02, right=0.98, bottom=0.6 / height, top=1 - 0.9 / height)
    axes = figure.add_subplot()
    segments = [(positions[e.source], positions[e.target]) for e in graph.edges]
    axes.add_collection(
        LineCollection(
            segments,
            colors=[_edge_colour(e) for e in graph.edges],
            linewidths=[0.5 + 0.4 * min(e.count, 5) for e in graph.edges],
            alpha=0.6,
        )
    )
    small = 7 if tallest < 60 else 5
    for node in graph.nodes:
        x, y = positions[node.identifier]
        axes.plot(x, y, "o", color=metaclass_colour(node.metaclass), markersize=4)
        axes.annotate(
            node.identifier,
            (x, y),
            xytext=(4 if node.column < 2 else -4, 0),
            textcoords="offset points",
            ha="left" if node.column < 2 else "right",
            va="center",
            fontsize=small,
        )
    axes.set_xlim(-0.3, 2.3)
    axes.set_ylim(0, tallest)
    axes.set_xticks([0, 1, 2], ["decisions", "practices and patterns", "forces"])
    axes.set_yticks([])
    for side in ("left", "right", "top"):
        axes.spines[side].set_visible(False)
    figure.suptitle(
        f"The axial model: {counted(len(graph.nodes), 'code')}, "
        f"{counted(len(graph.edges), 'relation')}",
        y=1 - 0.1 / height,
    )
    from matplotlib.lines import Line2D

    legend = [Line2D([0], [0], color=c, label=v.replace("_", " ")) for v, c in EDGE_COLOURS.items()]
    legend.append(Line2D([0], [0], color="#8073ac", label="decision option"))
    figure.legend(
        handles=legend,
        loc="upper center",
        ncol=6,
        fontsize=7,
        frameon=False,
        bbox_to_anchor=(0.5, 1 - 0.45 / height),
    )
    return figure


# the most bars a saturation figure draws: about what a reader tells apart at page width
MOST_BARS = 150


def _saturation_groups(points: Sequence[SaturationPoint]) -> tuple[int, list[tuple]]:
    """(sources a bar stands for, [(label, new codes, codes so far)]) for the figure.

    Up to :data:`MOST_BARS` sources, a bar each; beyond, runs of consecutive sources
    share one (their new codes added up, labelled ``s1-s48``), so the figure keeps its
    size however many sources the study has.
    """
    size = max(1, -(-len(points) // MOST_BARS))
    if size == 1:
        return 1, [(p.source, p.new, p.total) for p in points]
    groups = []
    for start in range(0, len(points), size):
        run = points[start : start + size]
        label = run[0].source if len(run) == 1 else f"{run[0].source}-{run[-1].source}"
        groups.append((label, sum(p.new for p in run), run[-1].total))
    return size, groups


def saturation_figure(points: Sequence[SaturationPoint]):
    """New codes per source (bars) and distinct codes so far (line), in coding order.

    A study of more than :data:`MOST_BARS` sources gets a bar per run of sources.
    """
    size, groups = _saturation_groups(points)
    figure = _figure_class()(figsize=(max(8.0, 0.14 * len(groups) + 2), 4.5), layout="constrained")
    axes = figure.add_subplot()
    x = list(range(len(groups)))
    axes.bar(x, [new for _, new, _ in groups], color="#56B4E9", label="new codes")
    axes.set_ylabel("new codes in the source" if size == 1 else f"new codes in {size} sources")
    total = axes.twinx()
    total.plot(x, [so_far for _, _, so_far in groups], color="#D55E00", label="codes so far")
    total.set_ylabel("distinct codes so far")
    step = max(1, len(groups) // 60)
    axes.set_xticks(x[::step], [label for label, _, _ in groups][::step], rotation=90, fontsize=6)
    axes.set_xlabel("sources in coding order")
    axes.set_title("Saturation: new codes per source")
    handles = axes.get_legend_handles_labels()[0] + total.get_legend_handles_labels()[0]
    axes.legend(handles=handles, loc="upper right", fontsize=8)
    return figure


def figure_svg(figure) -> bytes:
    """A figure as SVG with real text (small, sharp at any zoom, searchable)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(figure)
    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "jupyter-coding"}):
        figure.savefig(buffer, format="svg")
    return buffer.getvalue()


def figure_png(figure, dpi: int = 110) -> bytes:
    """A figure as PNG bytes (rendered with Agg; no plotting backend is touched)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# -- the HTML report -----------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:1em 0}
td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right}img{max-width:100%;height:auto}
code{font-size:.95em}.muted{color:#777}nav a{margin-right:1em}
"""


def _img(figure, alt: str) -> str:
    data = base64.b64encode(figure_svg(figure)).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for value in row:
            numeric = isinstance(value, int)
            css = ' class="n"' if numeric else ""
            cells.append(f"<td{css}>{html.escape(str(value))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def html_report(study: Study, title: str = "Coding report", top: int = 30) -> str:
    """The whole report as one HTML document: four sections, figures embedded as PNG."""
    codebook = study.codebook
    frequencies = code_frequencies(codebook)
    pairs = co_occurrence(study)
    graph = relation_graph(codebook)
    points = saturation(study)
    metaclasses = Counter(code.metaclass or "undefined" for code in codebook.codes.values())
    kinds = Counter(edge.kind for edge in graph.edges)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="muted">{counted(len(study.files), "file")}, '
        f"{counted(len(points), 'source')}, {counted(len(codebook.codes), 'code')}, "
        f"{counted(len(codebook.relations()), 'relation')}; "
        f"made {stamp} by jupyter-coding.</p>",
        '<nav><a href="#frequencies">Frequencies</a><a href="#co-occurrence">Co-occurrence</a>'
        '<a href="#relations">Relations</a><a href="#saturation">Saturation</a></nav>',
        _table(["metaclass", "codes"], sorted(metaclasses.items())),
        '<section id="frequencies"><h2>Code frequencies</h2>',
        "<p>Uses count how often a code is attached to a source, reused or related; memo "
        "mentions do not count.</p>",
        _img(frequency_figure(frequencies, top), "code frequencies"),
        _table(
            ["code", "metaclass", "uses", "sources"],
            [
                (f.identifier, f.metaclass or "undefined", f.uses, f.sources)
                for f in frequencies[:top]
            ],
        ),
        "</section>",
        '<section id="co-occurrence"><h2>Code co-occurrence</h2>',
        "<p>Two codes co-occur when one coding trace applies both to the quotes before it "
        "(attaches, reuses or defines them).</p>",
        _img(co_occurrence_figure(pairs), "code co-occurrence"),
        _table(["code", "code", "traces"], [(a, b, n) for (a, b), n in list(pairs.items())[:top]]),
        "</section>",
        '<section id="relations"><h2>Relations: the axial model</h2>',
        *(
            [
                "<p>Decisions, their options (practices and patterns) and the forces the "
                "options act on.</p>",
                _img(relation_figure(graph), "relations between codes"),
                _table(["relation", "edges"], sorted(kinds.items())),
            ]
            if graph.edges
            else [
                '<p class="no-relations">This study has no relations yet: no trace relates '
                "two codes (<code>add_force_relations</code>, "
                "<code>add_decision_option_link</code>, ...), so there is no axial model "
                "to draw.</p>"
            ]
        ),
        "</section>",
        '<section id="saturation"><h2>Saturation</h2>',
        "<p>Sources in coding order (s1 … then p1 …); a source brings the codes it defines "
        "or uses that no earlier source had. A flat curve at the end argues saturation.</p>",
        _img(saturation_figure(points), "saturation curve"),
        _table(
            ["source", "new codes", "codes so far", "first seen here"],
            [(p.source, p.new, p.total, ", ".join(p.new_codes)) for p in points],
        ),
        "</section></body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_html_report(study: Study, path: str | os.PathLike, title: str = "Coding report") -> None:
    """Write :func:`html_report` to ``path`` atomically."""
    from jupyter_coding.common.files import atomic_write

    atomic_write(path, html_report(study, title).encode("utf-8"))
