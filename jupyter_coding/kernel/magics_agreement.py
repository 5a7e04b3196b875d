"""``%coding_agreement A B``: coders' agreement in a notebook, with links to the cells.

The same comparison as ``jupyter-coding agree`` (:mod:`jupyter_coding.study.compare_coders`),
shown as a page of tables. Where a version is a folder on disk, each disagreement
links to the notebook cell that holds the quote (as ``%coding_check`` links its
findings), else to the markdown file; versions read from git revisions have no file
to link to. With one argument, the study folder (that of ``%%code``) is compared
with it: ``%coding_agreement coder-b:study/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from jupyter_coding.fieldnotes import FieldNotesError
from jupyter_coding.kernel.links import Linker
from jupyter_coding.kernel.magics_check import CheckMagics
from jupyter_coding.study.agreement_report import html_body, text_report
from jupyter_coding.study.compare_coders import Coding, Comparison, compare_versions
from jupyter_coding.study.gitstudy import StudyVersion, read_versions

__all__ = ["AgreementMagics", "AgreementView"]


@dataclass(frozen=True)
class _Place:
    """Where a coding is, in the shape the findings linker reads (path, line)."""

    path: str
    line: int


class AgreementView:
    """A comparison as a page with links (HTML) or as text (``repr``)."""

    def __init__(self, comparison: Comparison, versions: list[StudyVersion], base: Path):
        self.comparison = comparison
        self._linker = Linker(base)
        self._on_disk = {v.name: v for v in versions if v.root is not None}

    def link(self, name: str, coding: Coding) -> str | None:
        """The notebook cell (or file) of a coding, for versions on disk."""
        if name not in self._on_disk:
            return None
        return self._linker.link(_Place(coding.location, coding.quote_line))[0]

    def __repr__(self) -> str:
        return text_report(self.comparison)

    def _repr_html_(self) -> str:
        return f'<div class="jc-agreement">{html_body(self.comparison, self.link)}</div>'


@magics_class
class AgreementMagics(Magics):
    """``%coding_agreement``: how far coders agree, quote by quote."""

    @magic_arguments()
    @argument(
        "versions",
        nargs="+",
        help="folders or git revisions (coder-b:study/); one: the study folder compared with it",
    )
    @argument("--names", help="the coders' names, comma-separated")
    @line_magic
    def coding_agreement(self, line: str) -> AgreementView:
        """Compare coders' versions (``%coding_agreement main:study/ coder-b:study/``)."""
        args = parse_argstring(self.coding_agreement, line)
        checks = CheckMagics(self.shell)  # knows the study folder and the notebook's
        specs = list(args.versions)
        if len(specs) == 1:
            specs.insert(0, str(checks.study_folder()))
        names = [name.strip() for name in args.names.split(",")] if args.names else None
        try:
            versions = read_versions(specs, names)
            comparison = compare_versions(versions)
        except FieldNotesError as error:
            raise UsageError(str(error)) from None
        return AgreementView(comparison, versions, checks._notebook_folder())
