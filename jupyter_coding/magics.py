"""``%%code``, ``%codebook`` and the study they work on.

The magics class is also the traitlets ``Configurable`` for the study settings,
registered in ``shell.configurables``, so ``%config CodingMagics.unknown_codes =
'error'`` and Jupyter/IPython config files work.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.display import display
from traitlets import Bool, Enum, Unicode

from .corpus import Codebook
from .display import CodebookTable, TraceView
from .fieldnotes import FieldNotesError
from .tracecheck import TraceReport, check_trace
from .widgets.picker_logic import PickerState

__all__ = ["CodingMagics", "NotebookContext", "notebook_context"]

NOTEBOOK_METADATA_KEY = "jupyter_coding"
# when the picker asks again for the keyboard focus, after its cell has run
FOCUS_RETRY_SECONDS = (0.3, 1.0, 2.5)


class NotebookContext:
    """Where the running notebook came from: its markdown file, study folder and source id."""

    def __init__(self, notebook: Path | None, markdown: Path | None, source_id: str | None):
        self.notebook = notebook
        self.markdown = markdown
        self.source_id = source_id

    @property
    def study(self) -> Path | None:
        return self.markdown.parent if self.markdown is not None else None


def _session_notebook(user_ns: dict, suffix: str = ".ipynb") -> Path | None:
    """The notebook this kernel runs, as Jupyter Server tells the kernel (JPY_SESSION_NAME)."""
    name = user_ns.get("__session__") or os.environ.get("JPY_SESSION_NAME") or ""
    if not name.lower().endswith(suffix):
        return None
    candidates = [Path(name), Path.cwd() / Path(name).name, Path.cwd() / name]
    return next((path for path in candidates if path.is_file()), None)


def _markdown_context(markdown: Path) -> NotebookContext:
    """A field-notes ``.md`` opened as a notebook (jupyter_coding.contents): it is the notebook."""
    from .fieldnotes import read

    try:
        source_id = read(markdown).source_id
    except FieldNotesError:
        source_id = None
    return NotebookContext(markdown.resolve(), markdown.resolve(), source_id)


def notebook_context(user_ns: dict) -> NotebookContext:
    """Read the notebook's ``jupyter_coding`` metadata (markdown file, source id) if known.

    A field-notes ``.md`` opened directly as a notebook is its own markdown file; its
    source id is read from its header.
    """
    markdown = _session_notebook(user_ns, ".md")
    if markdown is not None:
        return _markdown_context(markdown)
    notebook = _session_notebook(user_ns)
    if notebook is None:
        return NotebookContext(None, None, None)
    try:
        metadata = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return NotebookContext(notebook, None, None)
    ours = metadata.get(NOTEBOOK_METADATA_KEY) or {}
    markdown = ours.get("markdown")
    return NotebookContext(
        notebook,
        (notebook.parent / markdown).resolve() if markdown else None,
        ours.get("source_id"),
    )


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
        help="Put the keyboard focus in the picker's search box when it appears, "
        "so that typing after running a %%code cell searches the codebook.",
    ).tag(config=True)

    def __init__(self, shell=None, **kwargs):
        if shell is not None:
            kwargs.setdefault("config", shell.config)  # so Jupyter/IPython config files apply
        super().__init__(shell=shell, **kwargs)
        self._codebook: Codebook | None = None
        self._codebook_folder: Path | None = None
        self._cell_id: str | None = None
        self.last_report: TraceReport | None = None
        self._latest_picker = None
        # picker states by (magic, cell id): their picks go into the cell when it runs again
        self.pickers: dict[tuple[str, str | None], PickerState] = {}
        if shell is not None:
            shell.events.register("pre_run_cell", self._remember_cell)

    def _remember_cell(self, info=None) -> None:
        self._cell_id = getattr(info, "cell_id", None)

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
        codebook.overlay(key, report.codes)
        unknown = report.warnings_of("unknown-code")
        if unknown and self.unknown_codes == "error":
            raise UsageError("; ".join(w.message for w in unknown))
        display(TraceView(report, codebook))
        if picked is not None and picked.changed:
            # the cell's own text gets the picks: saved in the .ipynb, exported to markdown
            self.shell.set_next_input("%%code\n" + cell.rstrip("\n"), replace=True)
            del self.pickers[("code", self._cell_id)]
        if self.show_picker:
            state = PickerState(codebook, cell, source_id, in_trace=report.applies)
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
        state = PickerState(self.codebook(), "", self.current_source_id())
        state.query = line.strip()
        self._show_picker("picker", state)

    def _show_picker(self, magic: str, state: PickerState) -> None:
        from .widgets.picker import CELL_HINT, NEW_CELL_HINT, CodePicker

        self.pickers[(magic, self._cell_id)] = state
        picker = CodePicker(state, CELL_HINT if magic == "code" else NEW_CELL_HINT)
        display(picker)
        self._latest_picker = picker
        if self.picker_focus:
            picker.search.focus()
            self._focus_again_soon(picker)

    def _focus_again_soon(self, picker) -> None:
        """Ask for the focus again once the front end has drawn the picker.

        A focus request that arrives before the widget's view exists is lost, and
        after Shift+Enter JupyterLab moves on to the next cell; so in a kernel the
        request is repeated shortly after the cell has run, unless a newer picker
        has been shown since (Run All must not jump back).
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a terminal IPython: there is no front end to wait for
            return

        def again() -> None:
            if self._latest_picker is picker:
                picker.search.focus()

        for delay in FOCUS_RETRY_SECONDS:
            loop.call_later(delay, again)

    @line_magic("codebook")
    def codebook_magic(self, line: str) -> CodebookTable:
        """Show the study codebook as a sortable table: ``%codebook [filter]``.

        The filter matches identifiers and labels (substring) or a metaclass name.
        """
        return CodebookTable.from_codebook(self.codebook(), line)


def load(shell) -> CodingMagics:
    """Register the magics, their configuration and Tab completion with ``shell``."""
    from .completion import install_completer
    from .magics_check import CheckMagics

    magics = CodingMagics(shell=shell)
    shell.register_magics(magics)
    shell.register_magics(CheckMagics(shell))
    if magics not in shell.configurables:
        shell.configurables.append(magics)
    install_completer(shell, magics)
    return magics


def unload(shell) -> None:
    from .completion import uninstall_completer

    uninstall_completer(shell)
    for magics in [c for c in shell.configurables if isinstance(c, CodingMagics)]:
        shell.configurables.remove(magics)
        shell.events.unregister("pre_run_cell", magics._remember_cell)
    from .magics_check import CheckMagics

    manager = shell.magics_manager
    for registered in (CodingMagics, CheckMagics):
        for kind, names in registered.magics.items():
            for name in names:
                manager.magics[kind].pop(name, None)
        manager.registry.pop(registered.__name__, None)
