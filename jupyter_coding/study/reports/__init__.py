"""Reports on a study: codebook, code frequencies, co-occurrence, the axial model, saturation.

Three modules, one way: :mod:`.numbers` returns plain structures (dataclasses, lists,
dicts) and needs nothing beyond the standard library; :mod:`.figures` draws them with
matplotlib (the ``report`` extra, imported only when a figure is drawn);
:mod:`.html_page` puts everything in one self-contained HTML file with the figures embedded.

From a notebook::

    from jupyter_coding.study import reports
    study = reports.read_study(["field_notes/"])
    reports.saturation_figure(reports.saturation(study))

Sources are taken in coding order (``s1 … s57``, then ``p1 … p11``) or in the order of
the paths given with ``order="paths"``.
"""

from jupyter_coding.study.reports.figures import (
    MOST_BARS,
    MatplotlibMissing,
    co_occurrence_figure,
    figure_png,
    figure_svg,
    frequency_figure,
    relation_figure,
    saturation_figure,
)
from jupyter_coding.study.reports.html_page import STYLE, html_report, write_html_report
from jupyter_coding.study.reports.numbers import (
    ORDERS,
    CodebookEntry,
    Frequency,
    Graph,
    SaturationPoint,
    Study,
    TraceCodes,
    co_occurrence,
    code_frequencies,
    codebook_entries,
    read_study,
    relation_graph,
    saturation,
    trace_codes,
)

__all__ = [
    "MOST_BARS",
    "ORDERS",
    "STYLE",
    "CodebookEntry",
    "Frequency",
    "Graph",
    "MatplotlibMissing",
    "SaturationPoint",
    "Study",
    "TraceCodes",
    "co_occurrence",
    "co_occurrence_figure",
    "code_frequencies",
    "codebook_entries",
    "figure_png",
    "figure_svg",
    "frequency_figure",
    "html_report",
    "read_study",
    "relation_figure",
    "relation_graph",
    "saturation",
    "saturation_figure",
    "trace_codes",
    "write_html_report",
]
