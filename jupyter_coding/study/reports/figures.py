"""The figures of a study's reports, drawn with matplotlib (the ``report`` extra).

matplotlib is imported only when a figure is drawn, and used through its object API, so
a notebook's plotting backend is left alone (a :class:`~matplotlib.figure.Figure` shows
itself in Jupyter). The numbers come from :mod:`jupyter_coding.study.reports.numbers`.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Sequence

from jupyter_coding.common.words import count as counted
from jupyter_coding.study.palette import metaclass_colour
from jupyter_coding.study.reports.numbers import (
    Edge,
    Frequency,
    Graph,
    SaturationPoint,
)


class MatplotlibMissing(ImportError):
    """Figures need matplotlib: ``pip install 'jupyter_coding[report]'``."""


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
