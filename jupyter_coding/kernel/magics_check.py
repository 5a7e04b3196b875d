"""``%coding_check [PATH...]``: the study-wide checks from a notebook.

Shows the findings of :func:`jupyter_coding.study.checks.check_paths` as a table; each
finding links to the notebook cell that holds its line (``notebook.ipynb#cell-id=…``,
which JupyterLab scrolls to), or to the markdown file when no notebook was made
from it. Notebooks made by :mod:`jupyter_coding.notebooks.convert` say in their metadata
which markdown file they show and what each cell holds; the lines of a cell are
counted from that (the notebook as last saved).
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from jupyter_coding.common.words import count as counted
from jupyter_coding.fieldnotes import FieldNotesError
from jupyter_coding.kernel.links import Linker
from jupyter_coding.kernel.session import notebook_context
from jupyter_coding.study.checks import CheckConfig, ConfigError, check_paths
from jupyter_coding.study.findings import Finding

__all__ = ["CheckMagics", "FindingsView", "findings_view"]


# -- the view ------------------------------------------------------------------------


@dataclass
class FindingsView:
    """Findings as a table with links to the cells (HTML) or as lines (plain text)."""

    findings: list[Finding]
    links: list[tuple[str, str]] = field(default_factory=list)
    checked: int = 0  # files checked
    paths: list[str] = field(default_factory=list)  # each finding's path as shown

    def _path(self, number: int) -> str:
        return self.paths[number] if number < len(self.paths) else self.findings[number].path

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self):
        return iter(self.findings)

    def _summary(self) -> str:
        count = len(self.findings)
        files = len({f.path for f in self.findings})
        if not count:
            return f"No findings in {counted(self.checked, 'file')}."
        return f"{counted(count, 'finding')} in {files} of {counted(self.checked, 'file')}."

    def __repr__(self) -> str:
        lines = [replace(f, path=self._path(n)).format() for n, f in enumerate(self.findings)]
        return "\n".join([*lines, self._summary()])

    def _repr_html_(self) -> str:
        rows = []
        for number, (finding, (href, target)) in enumerate(
            zip(self.findings, self.links, strict=True)
        ):
            where = f"{self._path(number)}:{finding.line}:{finding.col}"
            colour = "#b2182b" if finding.severity == "error" else "#8a6d00"
            rows.append(
                "<tr>"
                f'<td><a href="{html.escape(href)}" title="{html.escape(target)}">'
                f"{html.escape(where)}</a></td>"
                f'<td style="color:{colour};white-space:nowrap">'
                f"{html.escape(finding.rule)} {html.escape(finding.name)}</td>"
                f'<td style="text-align:left">{html.escape(finding.message)}</td>'
                "</tr>"
            )
        table = (
            '<table class="jc-findings"><thead><tr><th>where</th><th>rule</th>'
            '<th style="text-align:left">finding</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            if rows
            else ""
        )
        return f"<div><p>{html.escape(self._summary())}</p>{table}</div>"


def findings_view(
    findings: Sequence[Finding], base: Path | None = None, checked: int = 0
) -> FindingsView:
    """A :class:`FindingsView` with links relative to ``base`` (the notebook's folder)."""
    linker = Linker(base or Path.cwd())
    return FindingsView(
        list(findings),
        [linker.link(f) for f in findings],
        checked,
        [linker.shown(f.path) for f in findings],
    )


# -- the magic ---------------------------------------------------------------------------


def _selectors(values: Iterable[str] | None) -> list[str]:
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


@magics_class
class CheckMagics(Magics):
    """``%coding_check``: the study-wide checks, with links to the cells."""

    def __init__(self, shell=None, study: str | os.PathLike | None = None) -> None:
        super().__init__(shell=shell)
        self.study = Path(study) if study is not None else None

    def study_folder(self) -> Path:
        """The folder given, else the study of ``%%code`` (CodingMagics), else cwd."""
        if self.study is not None:
            return self.study
        registry = self.shell.magics_manager.registry if self.shell is not None else {}
        coding = registry.get("CodingMagics")
        if coding is not None:
            return coding.study_folder()
        return notebook_context(self.shell.user_ns if self.shell else {}).study or Path.cwd()

    @magic_arguments()
    @argument("paths", nargs="*", help="files or folders; default: the study folder")
    @argument("--select", action="append", help="only these rules (ids, prefixes or names)")
    @argument("--ignore", action="append", help="leave out these rules")
    @line_magic
    def coding_check(self, line: str) -> FindingsView:
        """Check the study (``%coding_check [PATH...] [--select JC1] [--ignore JC202]``)."""
        args = parse_argstring(self.coding_check, line)
        paths = args.paths or [str(self.study_folder())]
        try:
            config = CheckConfig.for_paths(paths).with_options(
                _selectors(args.select), _selectors(args.ignore)
            )
            from jupyter_coding.common.files import find_field_notes

            checked = len(find_field_notes(paths))
            findings = check_paths(paths, config)
        except (ConfigError, FieldNotesError) as error:
            raise UsageError(str(error)) from None
        return findings_view(findings, self._notebook_folder(), checked)

    def _notebook_folder(self) -> Path:
        """Where links in the output start from: the running notebook's folder, else cwd."""
        notebook = notebook_context(self.shell.user_ns if self.shell else {}).notebook
        return notebook.parent if notebook is not None else Path.cwd()
