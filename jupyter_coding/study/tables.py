"""The paper's tables straight from the field notes, without CodeableModels.

The study this package was measured on made its paper's tables with its own
generators (``generators/generate_latex_files.py``) from a CodeableModels model of
its sources and codes. :func:`paper_tables` reads the same numbers from the field
notes, through the one reading (:mod:`jupyter_coding.fieldnotes.reading`): the
sources with their header metadata, and every code the notes apply with the sources
that apply it (its *evidence*). The LaTeX follows the study's layout cell for cell
(the sources table, the force table, and a table in the force table's layout for
every other metaclass); the Markdown holds the same rows.

The shade of an evidence cell is the study's: seven steps of ``emerald_shape_N`` at
5, 10, 20, 35, 50 and 70 per cent of a share. Which share is the study's too: the
force table divides a force's evidence sources by the number of forces (as
``generate_force_table`` does); a decision's evidence is shared over the number of
sources (as ``generate_overview_table`` does), and so are practices and patterns,
which the study shades only as options of a decision.

Differences from what the study's generators write from an exported model, on
purpose: text is escaped for LaTeX (a title starting with ``#``), a tiny url that
has a scheme is linked as it is (the generator puts ``https://`` before it again),
and a header value the study's metamodel refuses (which the export leaves out, so
the generator prints ``None``) is shown as the notes have it.

Pure numbers and text: nothing here imports CodeableModels.
"""

from __future__ import annotations

import keyword
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jupyter_coding.common.files import atomic_write
from jupyter_coding.fieldnotes import FieldNotes
from jupyter_coding.study.codebook import Code, Codebook
from jupyter_coding.study.sources import coding_order
from jupyter_coding.study.vocabulary import yes_no_value

__all__ = [
    "FORMATS",
    "PaperCode",
    "PaperTables",
    "SourceRow",
    "code_table_latex",
    "code_table_markdown",
    "is_python_name",
    "paper_codes",
    "paper_tables",
    "shade",
    "sources_table_latex",
    "sources_table_markdown",
    "write_tables",
]

FORMATS = ("latex", "markdown")
# the study's generate_latex_files.get_color_coding_command: upper bounds of shades 1..6
SHADE_BOUNDS = (0.05, 0.10, 0.20, 0.35, 0.5, 0.7)
SHADES = len(SHADE_BOUNDS) + 1
# the paper's tables, in this order; other metaclasses follow by name
PAPER_METACLASSES = ("force", "decision", "practice", "pattern")
# the metaclass whose share is over the number of its codes (the study's force table)
SHARED_OVER_ITS_CODES = "force"


def shade(share: float) -> int:
    """The study's shade (1 to 7) of a share between 0 and 1."""
    for step, bound in enumerate(SHADE_BOUNDS, start=1):
        if share < bound:
            return step
    return SHADES


def is_python_name(name: str) -> bool:
    """Whether a code's identifier can be a name in a model module (``input ports`` cannot)."""
    return name.isidentifier() and not keyword.iskeyword(name)


# -- the numbers -------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """A source as the sources table shows it: its id and header metadata."""

    source: str
    path: str
    title: str
    url: str
    tiny_url: str
    source_type: str
    example: bool | None  # None: neither yes nor no in the header
    source_code: bool | None


@dataclass(frozen=True)
class PaperCode:
    """A code the notes apply: metaclass and label of its first definition, its evidence.

    ``metaclass`` and ``label`` are None for a code applied but defined nowhere.
    ``path``/``line`` are its first definition in coding order (else its first
    application). ``evidence`` are the sources that apply it, in coding order.
    """

    identifier: str
    metaclass: str | None
    label: str | None
    path: str
    line: int
    evidence: tuple[str, ...]

    @property
    def name(self) -> str:
        """The name a model gives it: its label, else its identifier."""
        return self.label if self.label is not None else self.identifier


def _first_site(code: Code) -> tuple:
    if code.definitions:
        first = code.definitions[0]
    else:
        first = min(code.applications, key=lambda u: (coding_order(u.source), u.path, u.line))
    return (coding_order(first.source), first.path, first.line)


def paper_codes(codebook: Codebook) -> list[PaperCode]:
    """Every code the notes apply that can be a Python name, in order of first definition.

    The order is coding order of each code's first definition (its first application
    when it has none): the order the study met its codes, which numbers the force
    table (``f1`` is the first force defined) in the tables and in the export alike.
    """
    codes = [
        code
        for code in codebook.codes.values()
        if code.use_count and is_python_name(code.identifier)
    ]
    codes.sort(key=_first_site)
    result = []
    for code in codes:
        _, path, line = _first_site(code)
        result.append(
            PaperCode(
                code.identifier,
                code.metaclass,
                code.label,
                path,
                line,
                tuple(code.sources),
            )
        )
    return result


@dataclass
class PaperTables:
    """The numbers behind the paper's tables."""

    sources: list[SourceRow]
    codes: list[PaperCode]

    def metaclasses(self) -> list[str]:
        """The metaclasses of the study's codes, the paper's four first."""
        found = {code.metaclass for code in self.codes if code.metaclass}
        known = [name for name in PAPER_METACLASSES if name in found]
        return known + sorted(found - set(known))

    def of(self, metaclass: str) -> list[PaperCode]:
        """The codes of one metaclass, in order."""
        return [code for code in self.codes if code.metaclass == metaclass]

    def share(self, code: PaperCode) -> tuple[int, int]:
        """(evidence sources, what they are shared over) for a code's shade."""
        if code.metaclass == SHARED_OVER_ITS_CODES:
            return len(code.evidence), len(self.of(code.metaclass))
        return len(code.evidence), len(self.sources)

    def shade(self, code: PaperCode) -> int:
        count, whole = self.share(code)
        return shade(count / whole if whole else 0.0)

    def prefix(self, metaclass: str) -> str:
        """The row ids of a metaclass's table: ``f1`` …, the shortest prefix of its own."""
        others = [name for name in self.metaclasses() if name != metaclass]
        for size in range(1, len(metaclass) + 1):
            candidate = metaclass[:size]
            if not any(name.startswith(candidate) for name in others):
                return candidate
        return metaclass


def paper_tables(notes: Iterable[FieldNotes]) -> PaperTables:
    """The sources (each file its own, in coding order) and the codes of parsed notes."""
    from jupyter_coding.study.sources import sources_to_export

    notes = list(notes)
    rows = []
    for exported in sources_to_export(notes):
        header = exported.notes.header

        def value(name: str, header=header) -> str:
            return (header.value(name) if header else None) or ""

        rows.append(
            SourceRow(
                exported.source,
                exported.path,
                value("title"),
                value("url"),
                value("tiny url"),
                value("source type"),
                yes_no_value(value("example")),
                yes_no_value(value("source code")),
            )
        )
    return PaperTables(rows, paper_codes(Codebook.from_notes(notes)))


# -- LaTeX ---------------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": "\\textbackslash{}",
    "&": "\\&",
    "%": "\\%",
    "$": "\\$",
    "#": "\\#",
    "_": "\\_",
    "{": "\\{",
    "}": "\\}",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """Text as LaTeX prints it (``#2 Explain`` -> ``\\#2 Explain``)."""
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def _header_line(headers: list[str]) -> str:
    # generate_latex_files.render_table_header_line
    return " & ".join("{\\bf " + header + "}" for header in headers) + "\\\\\n"


def _yes_no_text(value: bool | None) -> str:
    return "Yes" if value else "No"  # the study's parse_binary_value


def _link(row: SourceRow) -> str:
    target = row.tiny_url or row.url
    if target and "://" not in target:
        target = "https://" + target
    return target.replace("%", "\\%").replace("#", "\\#")


def sources_table_latex(tables: PaperTables) -> str:
    """The study's sources table: ID, title, tiny url, source type, example, source code."""
    text = "\\begin{tabular}{|c|p{0.4\\linewidth}|l|l|c|c|}\n\\hline\n"
    text += _header_line(["ID", "Title", "Tiny URL", "Source Type", "Example", "Source Code"])
    text += "\\hline\n"
    for row in tables.sources:
        text += (
            f"{row.source} &  {{\\em {latex_escape(row.title)}}} & "
            f"\\href{{{_link(row)}}}{{{latex_escape(row.tiny_url)}}} & "
            f"{latex_escape(row.source_type)} & {_yes_no_text(row.example)} & "
            f"{_yes_no_text(row.source_code)}\\\\\n"
        )
    text += "\\bottomrule\n\\end{tabular}\n"
    return text


def code_table_latex(tables: PaperTables, metaclass: str) -> str:
    """The study's force table for one metaclass: ID, name, shaded evidence sources."""
    text = "\\begin{tabular}{|c|p{0.48\\columnwidth}|p{0.37\\columnwidth}|}\n\\hline\n"
    text += _header_line(["ID", metaclass.replace("_", " ").title(), "Evidences"])
    text += "\\hline\n"
    prefix = tables.prefix(metaclass)
    for number, code in enumerate(tables.of(metaclass), start=1):
        text += (
            f"{prefix}{number} & {latex_escape(code.name)} & "
            f"\\cellcolor{{emerald_shape_{tables.shade(code)}}} {{{', '.join(code.evidence)}}}"
            "\\\\\n"
        )
    text += "\\hline\n\\end{tabular}\n"
    return text


# -- Markdown ------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _bar(step: int) -> str:
    return "■" * step + "□" * (SHADES - step)


def sources_table_markdown(tables: PaperTables) -> str:
    """The sources table as a Markdown table."""
    lines = [
        "| ID | Title | Tiny URL | Source Type | Example | Source Code |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in tables.sources:
        tiny = f"[{_cell(row.tiny_url)}]({_link(row)})" if row.tiny_url else ""
        lines.append(
            f"| {row.source} | *{_cell(row.title)}* | {tiny} | {_cell(row.source_type)} | "
            f"{_yes_no_text(row.example)} | {_yes_no_text(row.source_code)} |"
        )
    return "\n".join(lines) + "\n"


def code_table_markdown(tables: PaperTables, metaclass: str) -> str:
    """One metaclass's table in Markdown: the shade as a bar, with the share it stands for."""
    over = "forces" if metaclass == SHARED_OVER_ITS_CODES else "sources"
    lines = [
        f"| ID | {metaclass.replace('_', ' ').title()} | Evidences | Share (of the {over}) |",
        "| --- | --- | --- | --- |",
    ]
    prefix = tables.prefix(metaclass)
    for number, code in enumerate(tables.of(metaclass), start=1):
        count, whole = tables.share(code)
        lines.append(
            f"| {prefix}{number} | {_cell(code.name)} | {', '.join(code.evidence)} | "
            f"{_bar(tables.shade(code))} {count}/{whole} |"
        )
    return "\n".join(lines) + "\n"


# -- files ---------------------------------------------------------------------------


def table_files(tables: PaperTables, formats: Iterable[str] = FORMATS) -> dict[str, str]:
    """File name -> text of every table: ``sources_table.tex``, ``force_table.md`` …"""
    formats = tuple(formats)
    files: dict[str, str] = {}
    if "latex" in formats:
        files["sources_table.tex"] = sources_table_latex(tables)
    if "markdown" in formats:
        files["sources_table.md"] = sources_table_markdown(tables)
    for metaclass in tables.metaclasses():
        if "latex" in formats:
            files[f"{metaclass}_table.tex"] = code_table_latex(tables, metaclass)
        if "markdown" in formats:
            files[f"{metaclass}_table.md"] = code_table_markdown(tables, metaclass)
    return files


def write_tables(
    tables: PaperTables, directory: str | os.PathLike, formats: Iterable[str] = FORMATS
) -> list[Path]:
    """Write every table into ``directory`` (made when missing), atomically; the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in table_files(tables, formats).items():
        path = directory / name
        atomic_write(path, text.encode("utf-8"))
        written.append(path)
    return written
