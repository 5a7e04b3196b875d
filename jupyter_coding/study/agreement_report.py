"""How ``agree`` shows a :class:`~jupyter_coding.study.compare_coders.Comparison`: text, JSON, HTML.

The HTML page is self-contained, in the style of ``jupyter-coding report``; the
``%coding_agreement`` magic shows the same page with links to the notebook cells.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from jupyter_coding.common.words import count
from jupyter_coding.study.compare_coders import Coding, Comparison, DisagreementRow, Figures

__all__ = ["as_dict", "html_page", "shorten", "text_report"]

QUOTE_WIDTH = 90
CODE_WIDTH = 40
LEFT_OUT = (
    "quotes no coder coded are left out of every figure (counting them as agreement "
    "would inflate it)"
)

# (coder name, coding) -> href of the coding's place, or None
Linker = Callable[[str, Coding], "str | None"]


def shorten(text: str, width: int = QUOTE_WIDTH) -> str:
    """The quote on one line, cut at a word with ``…`` when longer than ``width``."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    if flat[width - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # a word cut in two is left out
    return cut.rstrip(",.;: ") + "…"


def _number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _where(coding: Coding) -> str:
    traces = ", ".join(str(line) for line in coding.trace_lines)
    trace = f" (trace {traces})" if traces else " (no trace)"
    return f"{coding.location}:{coding.quote_line}{trace}"


def _disputed(row: DisagreementRow) -> str:
    """Each disputed code and the coders who applied it."""
    parts = []
    every = len(row.unit.codings)
    for code, coders in row.disputed:
        who = ", ".join(coders) if coders else "nobody"
        only = " only" if len(coders) < every else ""
        parts.append(f"{code} ({who}{only})")
    return "; ".join(parts)


def _units_sentence(comparison: Comparison) -> str:
    unmatched = {name: n for name, n in comparison.unmatched.items() if n}
    only = (
        "; coded quotes only one version holds (not compared): "
        + ", ".join(f"{name} {n}" for name, n in unmatched.items())
        if unmatched
        else ""
    )
    return (
        f"Unit: the quote paragraph. {count(len(comparison.units), 'quote')} coded by at least "
        f"one coder are compared; {comparison.uncoded} {LEFT_OUT}{only}."
    )


def _figure_lines(figures: Figures) -> list[tuple[str, str, str]]:
    lines = [("percent agreement", _percent(figures.percent_agreement), "the same codes")]
    if figures.cohen_kappa is not None or figures.alpha_masi is not None:
        lines.append(("Cohen's kappa", _number(figures.cohen_kappa), "code sets as categories"))
    lines.append(("Krippendorff's alpha", _number(figures.alpha), "nominal, code sets"))
    if figures.alpha_masi is not None:
        lines.append(("Krippendorff's alpha", _number(figures.alpha_masi), "MASI distance"))
    return lines


def text_report(comparison: Comparison) -> str:
    """The comparison as plain text, for a terminal."""
    names = comparison.names
    out = [
        f"Agreement of {len(names)} coders: "
        + ", ".join(f"{c.name} ({c.spec}, {count(c.files, 'file')})" for c in comparison.coders),
        _units_sentence(comparison),
        "",
        f"Overall ({count(comparison.overall.quotes, 'quote')})",
    ]
    for label, value, note in _figure_lines(comparison.overall):
        out.append(f"  {label:<22} {value:>7}   ({note})")
    for first, second, figures in comparison.pairs:
        out.append(
            f"  {first} / {second} ({count(figures.quotes, 'quote')}): "
            f"{_percent(figures.percent_agreement)}, kappa {_number(figures.cohen_kappa)}, "
            f"alpha {_number(figures.alpha)}, MASI alpha {_number(figures.alpha_masi)}"
        )
    out += ["", f"Per code (applied or not, over the same {comparison.overall.quotes} quotes)"]
    # a few identifiers are sentences: they push their own row out, not the whole table
    width = min(max([len(row.code) for row in comparison.codes] + [4]), CODE_WIDTH)
    header = f"  {'code':<{width}} " + " ".join(f"{name:>8}" for name in names)
    out.append(header + f" {'all':>5} {'agree':>7} {'kappa':>7} {'alpha':>7}")
    for row in comparison.codes:
        counts = " ".join(f"{row.applied[name]:>8}" for name in names)
        out.append(
            f"  {row.code:<{width}} {counts} {row.by_all:>5} "
            f"{_percent(row.figures.percent_agreement):>7} {_number(row.figures.cohen_kappa):>7} "
            f"{_number(row.figures.alpha):>7}"
        )
    out += [
        "",
        f"Disagreements: {len(comparison.disagreements)} of "
        f"{count(len(comparison.units), 'quote')}, the most frequent first",
    ]
    for row in comparison.disagreements:
        out.append(f'  {row.unit.file}  "{shorten(row.unit.text)}"')
        for name in names:
            coding = row.unit.codings.get(name)
            if coding is None:
                out.append(f"    {name}: (not in this version)")
                continue
            codes = ", ".join(coding.codes) or "nothing"
            out.append(f"    {name}: {codes}  at {_where(coding)}")
        out.append(f"    disputed: {_disputed(row)} [{row.frequency}x]")
    out += ["", "Codebooks"] + [f"  {line}" for line in _codebook_lines(comparison)]
    return "\n".join(out) + "\n"


def _codebook_lines(comparison: Comparison) -> list[str]:
    book = comparison.codebook
    lines = []
    for name in comparison.names:
        only = [m for m in book.missing if m.present == (name,)]
        if only:
            items = ", ".join(m.code for m in only)
            lines.append(f"only {name} has ({len(only)}): {items}")
    shared = [m for m in book.missing if len(m.present) > 1]
    for missing in shared:
        lines.append(f"{missing.code}: {', '.join(missing.absent)} lack it")
    for difference in book.differences:
        values = ", ".join(f'{name} "{value}"' for name, value in difference.values)
        lines.append(f"{difference.code}: {difference.what} differs: {values}")
    for match in book.correspondences:
        (a, x), (b, y) = match.first, match.second
        lines.append(f"probably one code: {a} {x} ~ {b} {y} ({match.reason})")
    return lines or ["the coders have the same codes, defined alike"]


def as_dict(comparison: Comparison) -> dict:
    """The comparison as JSON-ready data."""
    book = comparison.codebook
    return {
        "coders": [vars(coder) for coder in comparison.coders],
        "unit": "quote paragraph",
        "compared_quotes": len(comparison.units),
        "uncoded_quotes_left_out": comparison.uncoded,
        "unmatched_coded_quotes": comparison.unmatched,
        "overall": comparison.overall.as_dict(),
        "pairs": [
            {"coders": [first, second], **figures.as_dict()}
            for first, second, figures in comparison.pairs
        ],
        "codes": [
            {
                "code": row.code,
                **row.figures.as_dict(),
                "applied": row.applied,
                "applied_by_all": row.by_all,
                "disputed": row.disputed,
            }
            for row in comparison.codes
        ],
        "disagreements": [
            {
                "file": row.unit.file,
                "quote": shorten(row.unit.text),
                "frequency": row.frequency,
                "disputed": [{"code": code, "applied_by": list(by)} for code, by in row.disputed],
                "codings": {
                    name: {
                        "codes": list(coding.codes),
                        "where": f"{coding.location}:{coding.quote_line}",
                        "traces": list(coding.trace_lines),
                    }
                    for name, coding in row.unit.codings.items()
                },
            }
            for row in comparison.disagreements
        ],
        "codebook": {
            "missing": [
                {
                    "code": m.code,
                    "present": list(m.present),
                    "absent": list(m.absent),
                    "metaclass": m.metaclass,
                    "label": m.label,
                }
                for m in book.missing
            ],
            "differences": [
                {"code": d.code, "what": d.what, "values": dict(d.values)} for d in book.differences
            ],
            "correspondences": [
                {"first": list(c.first), "second": list(c.second), "reason": c.reason}
                for c in book.correspondences
            ],
        },
    }


# -- HTML --------------------------------------------------------------------------------------


def _cell(value: object, numeric: bool = False) -> str:
    css = ' class="n"' if numeric else ""
    return f"<td{css}>{html.escape(str(value))}</td>"


def _table(header: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _place(name: str, coding: Coding, link: Linker | None) -> str:
    where = html.escape(_where(coding))
    href = link(name, coding) if link is not None else None
    return f'<a href="{html.escape(href)}">{where}</a>' if href else where


def html_body(comparison: Comparison, link: Linker | None = None) -> str:
    """The sections of the page, for the magic's output and for :func:`html_page`."""
    names = comparison.names
    overall = comparison.overall
    figure_rows = [
        f"<tr>{_cell(label)}{_cell(value, True)}{_cell(note)}</tr>"
        for label, value, note in _figure_lines(overall)
    ]
    parts = [
        f"<p>{html.escape(_units_sentence(comparison))}</p>",
        _table(
            ["coder", "version", "files", "quotes", "coded quotes"],
            [
                f"<tr>{_cell(c.name)}{_cell(c.spec)}{_cell(c.files, True)}"
                f"{_cell(c.quotes, True)}{_cell(c.coded, True)}</tr>"
                for c in comparison.coders
            ],
        ),
        '<section id="overall">',
        f"<h2>Overall ({html.escape(count(overall.quotes, 'quote'))})</h2>",
        _table(["figure", "value", "over"], figure_rows),
    ]
    if comparison.pairs:
        parts.append(
            _table(
                ["coders", "quotes", "agreement", "kappa", "alpha", "MASI alpha"],
                [
                    f"<tr>{_cell(f'{a} / {b}')}{_cell(f.quotes, True)}"
                    f"{_cell(_percent(f.percent_agreement), True)}"
                    f"{_cell(_number(f.cohen_kappa), True)}{_cell(_number(f.alpha), True)}"
                    f"{_cell(_number(f.alpha_masi), True)}</tr>"
                    for a, b, f in comparison.pairs
                ],
            )
        )
    parts += [
        "</section>",
        '<section id="codes"><h2>Per code</h2>',
        f"<p>Applied or not, over the same {overall.quotes} quotes.</p>",
        _table(
            ["code", *names, "all", "agreement", "kappa", "alpha"],
            [
                "<tr>"
                + _cell(row.code)
                + "".join(_cell(row.applied[name], True) for name in names)
                + _cell(row.by_all, True)
                + _cell(_percent(row.figures.percent_agreement), True)
                + _cell(_number(row.figures.cohen_kappa), True)
                + _cell(_number(row.figures.alpha), True)
                + "</tr>"
                for row in comparison.codes
            ],
        ),
        "</section>",
        '<section id="disagreements">',
        f"<h2>Disagreements ({len(comparison.disagreements)})</h2>",
        "<p>Quote by quote, the most frequent disagreements first.</p>",
    ]
    rows = []
    for row in comparison.disagreements:
        cells = [f"<td>{html.escape(row.unit.file)}<br>{html.escape(shorten(row.unit.text))}</td>"]
        for name in names:
            coding = row.unit.codings.get(name)
            if coding is None:
                cells.append('<td class="muted">not in this version</td>')
                continue
            codes = html.escape(", ".join(coding.codes) or "nothing")
            cells.append(
                f'<td>{codes}<br><span class="muted">{_place(name, coding, link)}</span></td>'
            )
        cells.append(_cell(f"{_disputed(row)} [{row.frequency}x]"))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    parts += [
        _table(["quote", *names, "disputed"], rows) if rows else "<p>None.</p>",
        "</section>",
        '<section id="codebooks"><h2>Codebooks</h2><ul>',
        *(f"<li>{html.escape(line)}</li>" for line in _codebook_lines(comparison)),
        "</ul></section>",
    ]
    return "\n".join(parts)


def html_page(comparison: Comparison, title: str = "Coder agreement", link=None) -> str:
    """One self-contained HTML page, in the style of ``jupyter-coding report``."""
    from jupyter_coding.study.reports import STYLE

    coders = ", ".join(comparison.names)
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en"><head><meta charset="utf-8">',
                f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
                f"<h1>{html.escape(title)}</h1>",
                f'<p class="muted">{html.escape(coders)}; made by jupyter-coding agree.</p>',
                '<nav><a href="#overall">Overall</a><a href="#codes">Per code</a>'
                '<a href="#disagreements">Disagreements</a>'
                '<a href="#codebooks">Codebooks</a></nav>',
                html_body(comparison, link),
                "</body></html>",
            ]
        )
        + "\n"
    )
