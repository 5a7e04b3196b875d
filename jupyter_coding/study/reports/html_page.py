"""The HTML report: everything in one self-contained file, the figures embedded."""

from __future__ import annotations

import base64
import html
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from jupyter_coding.common.words import count as counted
from jupyter_coding.study.reports.figures import (
    co_occurrence_figure,
    figure_svg,
    frequency_figure,
    relation_figure,
    saturation_figure,
)
from jupyter_coding.study.reports.numbers import (
    Study,
    co_occurrence,
    code_frequencies,
    relation_graph,
    saturation,
)

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
