"""HTML and plain-text views of trace reports and codebook tables.

Pure string building: the objects here have ``_repr_html_`` and ``__repr__`` so
they show nicely in a notebook and still read well in a terminal.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from jupyter_coding.common.words import count
from jupyter_coding.study.codebook import Code, Codebook
from jupyter_coding.study.palette import metaclass_colour
from jupyter_coding.study.tracecheck import TraceReport

__all__ = ["CodebookTable", "TraceView", "chip"]


def chip(identifier: str, metaclass: str | None, label: str | None) -> str:
    """A code as a coloured chip: identifier, with metaclass and label on hover and beside."""
    colour = metaclass_colour(metaclass)
    title = html.escape(f"{metaclass or 'undefined'}: {label or 'no definition'}")
    text = html.escape(identifier)
    suffix = f' <span style="opacity:.8">{html.escape(label)}</span>' if label else ""
    return (
        f'<span class="jc-chip" title="{title}" style="display:inline-block;margin:2px;'
        f"padding:1px 8px;border-radius:10px;border:1px solid {colour};"
        f'border-left:6px solid {colour};font-family:monospace">{text}{suffix}</span>'
    )


# Remembers how the last cell was run (which Enter key, on which cell), once per page: a
# cell's own output cannot know. Shown (invisibly) by %load_ext in a kernel, and by every
# trace output in case the page was loaded after the extension.
KEY_LISTENER = """<script>
(function () {
  if (window.jupyterCodingRun) { return; }
  const run = { cell: null, stay: false, time: 0 };
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey || event.shiftKey
                                   || event.altKey)) { return; }
    const target = event.target instanceof Element ? event.target : null;
    const notebook = (target && target.closest(".jp-Notebook"))
                     || document.querySelector(".jp-Notebook");
    run.cell = notebook ? notebook.querySelector(".jp-Cell.jp-mod-active") : null;
    run.stay = (event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey;
    run.time = Date.now();
  }, true);
  window.jupyterCodingRun = run;
})();
</script>"""

# Put the focus in the picker under this output, but only when the researcher stayed on
# the cell: it was run with Ctrl+Enter (Cmd+Enter) and is still the active cell.
# Shift+Enter moves on to the next cell, Run All and the run buttons run without a key:
# none of them moves the focus.
FOCUS_SCRIPT = (
    KEY_LISTENER
    + """<script>
(function () {
  const script = document.currentScript;
  const cell = script && script.closest(".jp-Cell");
  const run = window.jupyterCodingRun;
  if (!cell || !run) { return; }
  let tries = 0;
  const timer = setInterval(() => {
    tries += 1;
    const input = cell.querySelector(".jc-picker .jc-search input");
    if (!input && tries < 60) { return; }
    clearInterval(timer);
    if (!input || !cell.classList.contains("jp-mod-active")) { return; }
    if (!(run.stay && run.cell === cell && Date.now() - run.time < 60000)) { return; }
    const focused = document.activeElement;
    if (focused && focused.closest && focused.closest(".jp-Editor")) { return; }  // typing
    run.stay = false;  // one Ctrl+Enter, one focus
    input.focus();
  }, 100);
})();
</script>"""
)


@dataclass
class TraceView:
    """What ``%%code`` shows for a checked trace.

    With ``focus_picker`` the HTML carries a small script that puts the keyboard
    focus in the picker shown under it when the cell was run with Ctrl+Enter.
    """

    report: TraceReport
    codebook: Codebook | None
    line_offset: int = 1  # the ``%%code`` line comes before the body
    focus_picker: bool = False

    def _meta(self, identifier: str) -> tuple[str | None, str | None]:
        for definition in self.report.definitions:
            if definition.identifier == identifier:
                return definition.metaclass, definition.label
        code = self.codebook.get(identifier) if self.codebook is not None else None
        return (code.metaclass, code.label) if code is not None else (None, None)

    def _where(self, line: int | None) -> str:
        return f"line {line + self.line_offset}: " if line is not None else ""

    def _repr_html_(self) -> str:
        report = self.report
        parts = ['<div class="jc-trace">']
        if report.applies:
            chips = "".join(chip(code, *self._meta(code)) for code in report.applies)
            target = html.escape(report.source_id or "this source")
            parts.append(f"<div><b>applies to {target}:</b> {chips}</div>")
        if report.definitions:
            chips = "".join(chip(d.identifier, d.metaclass, d.label) for d in report.definitions)
            parts.append(f"<div><b>defined</b> {chips}</div>")
        if report.relations:
            items = "".join(
                f"<li><code>{html.escape(r.source)}</code> &rarr; "
                f"<code>{html.escape(r.target)}</code> "
                f"<i>{html.escape(r.kind)}{': ' + html.escape(r.value) if r.value else ''}</i></li>"
                for r in report.relations
            )
            parts.append(f"<div><b>relations</b><ul style='margin:0'>{items}</ul></div>")
        if report.warnings:
            items = "".join(
                f'<li class="jc-warning jc-{html.escape(w.kind)}">'
                f"<b>{html.escape(w.kind)}</b> {html.escape(self._where(w.line) + w.message)}</li>"
                for w in report.warnings
            )
            parts.append(
                f'<div style="color:#a33"><b>{len(report.warnings)} warning'
                f"{'s' if len(report.warnings) != 1 else ''}</b><ul style='margin:0'>{items}</ul>"
                "</div>"
            )
        else:
            parts.append('<div style="color:#2a2">no warnings</div>')
        parts.append("</div>")
        if self.focus_picker:
            parts.append(FOCUS_SCRIPT)
        return "".join(parts)

    def __repr__(self) -> str:
        report = self.report
        lines = []
        if report.applies:
            lines.append(
                f"applies to {report.source_id or 'this source'}: "
                + ", ".join(
                    f"{code} ({self._meta(code)[0] or 'undefined'})" for code in report.applies
                )
            )
        for d in report.definitions:
            lines.append(f'defined: {d.identifier} = CClass({d.metaclass}, "{d.label}")')
        for r in report.relations:
            lines.append(
                f"relation: {r.source} -> {r.target} {r.kind}{': ' + r.value if r.value else ''}"
            )
        for w in report.warnings:
            lines.append(f"warning[{w.kind}]: {self._where(w.line)}{w.message}")
        if not report.warnings:
            lines.append("no warnings")
        return "\n".join(lines)


COLUMNS = ("identifier", "label", "metaclass", "uses", "sources")
NUMERIC = ("uses", "sources")


def _row(code: Code) -> dict:
    return {
        "identifier": code.identifier,
        "label": code.label or "",
        "metaclass": code.metaclass or "",
        "uses": code.use_count,
        "sources": len(code.sources),
    }


_SORT_SCRIPT = """
<script>
(function () {
  const table = document.currentScript.previousElementSibling;
  table.querySelectorAll("th").forEach((th, column) => {
    th.style.cursor = "pointer";
    th.addEventListener("click", () => {
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      const numeric = th.dataset.numeric === "1";
      const descending = th.dataset.order !== "desc";
      th.dataset.order = descending ? "desc" : "asc";
      rows.sort((a, b) => {
        const x = a.cells[column].textContent, y = b.cells[column].textContent;
        const order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return descending ? -order : order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
})();
</script>
"""


class CodebookTable:
    """The codebook as a table: identifier, label, metaclass, uses, sources.

    Sortable by clicking a column in the notebook; :meth:`sorted` sorts it in code,
    and ``rows`` gives plain dicts for further use.
    """

    def __init__(self, codes: Sequence[Code], filter_text: str = "") -> None:
        self.filter_text = filter_text
        self.rows = [_row(code) for code in codes]

    @classmethod
    def from_codebook(cls, codebook: Codebook, filter_text: str = "") -> CodebookTable:
        needle = filter_text.strip().lower()
        codes = [
            code
            for code in codebook.ranked()
            if not needle
            or needle in code.identifier.lower()
            or needle in (code.label or "").lower()
            or needle == (code.metaclass or "").lower()
        ]
        return cls(codes, filter_text)

    def sorted(self, by: str = "uses", descending: bool | None = None) -> CodebookTable:
        """A copy sorted by a column (numbers descending, text ascending by default)."""
        if by not in COLUMNS:
            raise ValueError(f"no column {by!r}; columns: {', '.join(COLUMNS)}")
        numeric = by in NUMERIC
        descending = numeric if descending is None else descending
        table = CodebookTable([], self.filter_text)
        table.rows = sorted(self.rows, key=lambda row: row[by], reverse=descending)
        return table

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __repr__(self) -> str:
        if not self.rows:
            return f"no codes match {self.filter_text!r}" if self.filter_text else "no codes"
        cells = [list(COLUMNS)] + [[str(row[c]) for c in COLUMNS] for row in self.rows]
        widths = [min(max(len(r[i]) for r in cells), 50) for i in range(len(COLUMNS))]
        lines = []
        for number, row in enumerate(cells):
            lines.append(
                "  ".join(
                    value[:50].rjust(width) if COLUMNS[i] in NUMERIC else value[:50].ljust(width)
                    for i, (value, width) in enumerate(zip(row, widths, strict=False))
                ).rstrip()
            )
            if number == 0:
                lines.append("  ".join("-" * width for width in widths))
        lines.append(count(len(self.rows), "code"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        # JupyterLab right-aligns table cells: text reads from the left, numbers line up right
        left, right = "text-align:left", "text-align:right"
        head = "".join(
            f'<th data-numeric="{int(c in NUMERIC)}" style="{right if c in NUMERIC else left}">'
            f"{c}</th>"
            for c in COLUMNS
        )
        body = []
        for row in self.rows:
            colour = metaclass_colour(row["metaclass"] or None)
            body.append(
                "<tr>"
                f'<td style="{left};border-left:6px solid {colour}"><code>'
                f"{html.escape(row['identifier'])}</code></td>"
                f'<td style="{left}">{html.escape(row["label"])}</td>'
                f'<td style="{left}">{html.escape(row["metaclass"])}</td>'
                f'<td style="{right}">{row["uses"]}</td>'
                f'<td style="{right}">{row["sources"]}</td></tr>'
            )
        caption = count(len(self.rows), "code") + (
            f" matching {html.escape(self.filter_text)!s}" if self.filter_text else ""
        )
        return (
            f'<table class="jc-codebook"><caption>{caption} (click a column to sort)</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>" + _SORT_SCRIPT
        )
