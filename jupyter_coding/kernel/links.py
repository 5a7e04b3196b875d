"""Links from a study's lines to the notebook cells that show them.

A finding, a quote or a disagreement names a file and a line; in a notebook session
the researcher wants the cell that holds that line (``notebook.ipynb#cell-id=…``,
which JupyterLab scrolls to), or the markdown file when no notebook was made from it.
Notebooks made by :mod:`jupyter_coding.notebooks.convert` say in their metadata which
markdown file they show and what each cell holds; the lines of a cell are counted
from that (the notebook as last saved).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from jupyter_coding.notebooks.convert import MAGIC, METADATA_KEY
from jupyter_coding.study.findings import Finding

__all__ = ["CellSpan", "Linker", "cell_lines", "notebook_for"]


# -- which cell holds a line -------------------------------------------------------


@dataclass(frozen=True)
class CellSpan:
    """The markdown lines a notebook cell shows."""

    cell_id: str
    first: int
    last: int


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def cell_lines(notebook: dict) -> list[CellSpan]:
    """The markdown lines each cell of a jupyter_coding notebook shows, in order.

    A cell shows its source (a trace cell without its ``%%code`` line) followed
    by the blank lines kept in its metadata (``end``); cells added by hand are not
    part of the markdown yet and take no lines.
    """
    ours = notebook.get("metadata", {}).get(METADATA_KEY) or {}
    line = 1 + str(ours.get("leading", "")).count("\n")
    spans = []
    for cell in notebook.get("cells", []):
        mine = cell.get("metadata", {}).get(METADATA_KEY)
        if not mine or mine.get("kind") == "setup":
            continue
        text = _source(cell)
        if mine.get("kind") == "trace" and text.startswith(MAGIC):
            text = text[len(MAGIC) :].removeprefix("\n")
        spans.append(CellSpan(str(cell.get("id", "")), line, line + text.count("\n")))
        line += (text + str(mine.get("end", ""))).count("\n")
    return spans


def notebook_for(markdown: Path) -> Path | None:
    """The notebook beside a markdown file that shows it (``s_43.md`` -> ``s_43.ipynb``)."""
    candidate = markdown.with_suffix(".ipynb")
    try:
        metadata = json.loads(candidate.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return None
    shown = (metadata.get(METADATA_KEY) or {}).get("markdown")
    if shown and (candidate.parent / shown).resolve() == markdown.resolve():
        return candidate
    return None


class Linker:
    """Finds the notebook cell of a file's line (a finding, a quote), reading each notebook
    once; links are relative to ``base`` (the running notebook's folder)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._spans: dict[str, tuple[Path, list[CellSpan]] | None] = {}

    def _notebook(self, path: str) -> tuple[Path, list[CellSpan]] | None:
        if path not in self._spans:
            notebook = notebook_for(Path(path))
            found = None
            if notebook is not None:
                data = json.loads(notebook.read_text(encoding="utf-8"))
                found = (notebook, cell_lines(data))
            self._spans[path] = found
        return self._spans[path]

    def _relative(self, path: Path) -> str:
        try:
            return os.path.relpath(path, self.base).replace(os.sep, "/")
        except ValueError:  # another drive
            return path.as_posix()

    def link_to(self, path: str, line: int) -> tuple[str, str]:
        """(href, what it points at) for a line of a study file: its notebook cell, else
        the file."""
        known = self._notebook(path)
        if known is not None:
            notebook, spans = known
            for span in spans:
                if span.first <= line <= span.last:
                    href = f"{quote(self._relative(notebook))}#cell-id={quote(span.cell_id)}"
                    return href, f"{notebook.name}, cell {span.cell_id}"
        return quote(self._relative(Path(path))), f"{Path(path).name}"

    def link(self, finding: Finding) -> tuple[str, str]:
        """(href, what it points at) for a finding."""
        return self.link_to(finding.path, finding.line)

    def shown(self, path: str) -> str:
        """A path as the findings show it: relative to the base folder (absolute only on
        another drive)."""
        return self._relative(Path(path))
