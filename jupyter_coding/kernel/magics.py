"""``%%code``, ``%codebook`` and the study they work on.

The magics class is also the traitlets ``Configurable`` for the study settings,
registered in ``shell.configurables``, so ``%config CodingMagics.unknown_codes =
'error'`` and Jupyter/IPython config files work.
"""

from __future__ import annotations

from pathlib import Path

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.display import display
from traitlets import Bool, Enum, Unicode

from jupyter_coding.fieldnotes import FieldNotesError
from jupyter_coding.kernel.display import CodebookTable, TraceView
from jupyter_coding.kernel.session import (
    NotebookContext,
    notebook_context,
    quotes_before,
    shown_trace,
)
from jupyter_coding.kernel.widgets.picker_logic import PickerState
from jupyter_coding.notebooks.convert import SETUP_SOURCE
from jupyter_coding.study.codebook import Codebook
from jupyter_coding.study.tracecheck import TraceReport, check_trace, read_trace_text

__all__ = ["CodingMagics", "NotebookContext", "notebook_context"]


@magics_class
class CodingMagics(Magics):
    """Grounded-theory coding magics: ``%%code``, ``%codebook``."""

    study = Unicode(
        "",
        help="Folder holding the study's field-notes files (*.md, searched recursively). "
        "Default: the folder of the markdown file the notebook was made from, else the "
        "working directory.",
    ).tag(config=True)
    source_id = Unicode(
        "",
        help="Id of the source this notebook codes, e.g. 's43' (the target of "
        "'add codes to'). Default: from the notebook's metadata.",
    ).tag(config=True)
    unknown_codes = Enum(
        ["warning", "error"],
        default_value="warning",
        help="What a code defined nowhere in the study is in a %%code cell: a warning "
        "shown under the cell, or an error that stops the cell.",
    ).tag(config=True)
    show_picker = Bool(
        True, help="Show the code picker under each %%code cell (needs ipywidgets)."
    ).tag(config=True)
    picker_focus = Bool(
        True,
        help="Put the keyboard focus in the picker's search box when its %%code cell was "
        "run with Ctrl+Enter (run and stay). Shift+Enter and Run All never move the focus.",
    ).tag(config=True)

    def __init__(self, shell=None, **kwargs):
        if shell is not None:
            kwargs.setdefault("config", shell.config)  # so Jupyter/IPython config files apply
        super().__init__(shell=shell, **kwargs)
        self._codebook: Codebook | None = None
        self._codebook_folder: Path | None = None
        self._cell_id: str | None = None
        self.last_report: TraceReport | None = None
        # picker states by (magic, cell id): their picks go into the cell when it runs again
        self.pickers: dict[tuple[str, str | None], PickerState] = {}
        self._picker_group = None  # the pickers shown, one open at a time (widgets.picker)
        self._picker_widgets: dict[tuple[str, str | None], object] = {}
        if shell is not None:
            shell.events.register("pre_run_cell", self._remember_cell)

    def _remember_cell(self, info=None) -> None:
        self._cell_id = getattr(info, "cell_id", None)
        if (getattr(info, "raw_cell", "") or "").strip() == SETUP_SOURCE:
            show_key_listener(self.shell)  # the setup cell run again, after a page reload say

    # -- the study -----------------------------------------------------
    def context(self) -> NotebookContext:
        return notebook_context(self.shell.user_ns if self.shell is not None else {})

    def study_folder(self) -> Path:
        """The configured study folder, else the notebook's markdown folder, else cwd."""
        if self.study:
            return Path(self.study).expanduser()
        return self.context().study or Path.cwd()

    def current_source_id(self) -> str | None:
        return self.source_id or self.context().source_id

    def codebook(self) -> Codebook:
        """The study codebook, read on first use and refreshed from changed files after."""
        folder = self.study_folder()
        if self._codebook is None or folder != self._codebook_folder:
            if not folder.is_dir():
                raise UsageError(
                    f"the study folder {folder} does not exist; set it with "
                    "%config CodingMagics.study = 'path/to/field-notes'"
                )
            self._codebook = Codebook([folder])
            self._codebook_folder = folder
        try:
            self._codebook.refresh()
        except FieldNotesError as error:
            raise UsageError(str(error)) from None
        return self._codebook

    # -- magics --------------------------------------------------------
    @cell_magic("code")
    def code(self, line: str, cell: str):
        """Check a coding trace and show what it attaches, defines and relates.

        The cell holds the trace as it stands in markdown (``**OPEN CODING TRACE:**``
        … ``**AXIAL CODING TRACE:**`` …) or the concise form::

            %%code
            memo: Infrastructure runs on Kubernetes, managed by a platform team.
            familiar: k8s, infrastructure_as_code
            new: platform_team = CClass(force, "Platform Team")
            relate: k8s -> platform_team: positive

        A cell that shows a trace of the notebook's markdown file takes that trace's
        place in the session's codebook (its codes replace the trace's, never add to
        them); another cell adds its codes.
        """
        if line.strip():
            raise UsageError(f"%%code takes no arguments, got {line.strip()!r}")
        codebook = self.codebook()
        source_id = self.current_source_id()
        picked = self.pickers.get(("code", self._cell_id))
        try:
            if picked is not None and picked.changed:
                cell = picked.apply(cell)  # the codes picked under this cell's last run
            report = check_trace(cell, codebook, source_id)
        except FieldNotesError as error:
            where = f"line {error.line + 1}: " if error.line is not None else ""
            raise UsageError(f"%%code {where}{error.message}") from None
        self.last_report = report
        key = f"cell:{self._cell_id or self.shell.execution_count}"
        context = self.context()
        dialect = codebook.dialect()
        shows = shown_trace(
            context,
            self._cell_id,
            report.text,
            lambda body: read_trace_text(body, source_id, dialect)[0],
        )
        codebook.overlay(key, report.codes, shows=shows, source=source_id)
        unknown = report.warnings_of("unknown-code")
        if unknown and self.unknown_codes == "error":
            raise UsageError("; ".join(w.message for w in unknown))
        focus = self.show_picker and self.picker_focus
        display(TraceView(report, codebook, focus_picker=focus))
        if picked is not None and picked.changed:
            # the cell's own text gets the picks: saved in the .ipynb, exported to markdown
            self.shell.set_next_input("%%code\n" + cell.rstrip("\n"), replace=True)
            del self.pickers[("code", self._cell_id)]
        if self.show_picker:
            replaced = codebook.replaced_trace(key)
            if replaced is not None:
                own_quotes = [text for _, text in replaced.quotes]
            else:
                own_quotes = quotes_before(context, self._cell_id)
            state = PickerState(
                codebook,
                cell,
                source_id,
                in_trace=report.applies,
                own_quotes=own_quotes,
                own_path=str(context.markdown) if context.markdown is not None else None,
            )
            self._show_picker("code", state)

    @line_magic("code_picker")
    def code_picker(self, line: str):
        """Show the code picker: ``%code_picker [search text]``.

        Codes picked here go into a new ``%%code`` cell below when this cell runs again.
        """
        key = ("picker", self._cell_id)
        picked = self.pickers.pop(key, None)
        if picked is not None and picked.changed:
            self.shell.set_next_input("%%code\n" + picked.apply("").rstrip("\n"))
        context = self.context()
        state = PickerState(
            self.codebook(),
            "",
            self.current_source_id(),
            own_path=str(context.markdown) if context.markdown is not None else None,
        )
        state.query = line.strip()
        self._show_picker("picker", state)

    def _show_picker(self, magic: str, state: PickerState) -> None:
        from jupyter_coding.kernel.links import Linker
        from jupyter_coding.kernel.widgets.picker import (
            CELL_HINT,
            NEW_CELL_HINT,
            CodePicker,
            PickerGroup,
        )

        if self._picker_group is None:
            self._picker_group = PickerGroup()
        self.pickers[(magic, self._cell_id)] = state
        previous = self._picker_widgets.pop((magic, self._cell_id), None)
        if previous is not None:
            previous.close_all()  # its output is gone: the front end holds no view of it
        notebook = self.context().notebook
        linker = Linker(notebook.parent if notebook is not None else Path.cwd())
        picker = CodePicker(
            state,
            CELL_HINT if magic == "code" else NEW_CELL_HINT,
            link=linker.link_to,
            group=self._picker_group,
        )
        self._picker_widgets[(magic, self._cell_id)] = picker
        display(picker)

    @line_magic("codebook")
    def codebook_magic(self, line: str) -> CodebookTable:
        """Show the study codebook as a sortable table: ``%codebook [filter]``.

        The filter matches identifiers and labels (substring) or a metaclass name.
        """
        return CodebookTable.from_codebook(self.codebook(), line)


def show_key_listener(shell) -> None:
    """In a kernel (a front end), show the invisible script that learns how cells are run,
    so that only Ctrl+Enter puts the focus in a picker (see :data:`display.KEY_LISTENER`)."""
    if getattr(shell, "kernel", None) is not None:
        from jupyter_coding.kernel.display import KEY_LISTENER

        display({"text/html": KEY_LISTENER}, raw=True)
