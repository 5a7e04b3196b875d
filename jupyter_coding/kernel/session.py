"""What the kernel knows of the notebook it runs, read from the notebook as last saved.

Jupyter Server tells the kernel which notebook it runs (``JPY_SESSION_NAME``, which
ipykernel also puts in ``__session__``); the notebook's metadata names the markdown
file it shows and the SHA-256 of the bytes it was made from. From these:

* :func:`shown_trace` says which trace of that file a ``%%code`` cell shows (the same
  text now, as last saved, or, while the markdown is still the one the notebook was
  made from, the trace its metadata ``index`` names), so the session's codebook puts
  the cell in that trace's place instead of counting the trace twice;
* :func:`quotes_before` gives the quotes a cell codes (the quote cells right above it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import suppress
from functools import lru_cache
from pathlib import Path

from jupyter_coding.common.files import sha256
from jupyter_coding.fieldnotes import FieldNotesError, parse
from jupyter_coding.notebooks.convert import MAGIC, METADATA_KEY
from jupyter_coding.study.codebook import ShownTrace, trace_digest

__all__ = ["NotebookContext", "notebook_context", "quotes_before", "shown_trace"]


class NotebookContext:
    """Where the running notebook came from: its markdown file, study folder and source id.

    ``cells`` are the notebook's cells as last saved (empty when unknown).
    """

    def __init__(
        self,
        notebook: Path | None,
        markdown: Path | None,
        source_id: str | None,
        cells: list[dict] | None = None,
        made_from: str | None = None,
    ):
        self.notebook = notebook
        self.markdown = markdown
        self.source_id = source_id
        self.cells = cells or []
        self.made_from = made_from  # SHA-256 of the markdown the notebook was made from

    @property
    def study(self) -> Path | None:
        return self.markdown.parent if self.markdown is not None else None

    def cell(self, cell_id: str | None) -> tuple[int, dict] | None:
        """The saved cell with this id, and its position."""
        if not cell_id:
            return None
        for position, cell in enumerate(self.cells):
            if cell.get("id") == cell_id:
                return position, cell
        return None


def _session_notebook(user_ns: dict, suffix: str = ".ipynb") -> Path | None:
    """The notebook this kernel runs, as Jupyter Server tells the kernel (JPY_SESSION_NAME)."""
    name = user_ns.get("__session__") or os.environ.get("JPY_SESSION_NAME") or ""
    if not name.lower().endswith(suffix):
        return None
    candidates = [Path(name), Path.cwd() / Path(name).name, Path.cwd() / name]
    return next((path for path in candidates if path.is_file()), None)


def _markdown_context(markdown: Path) -> NotebookContext:
    """A field-notes ``.md`` opened as a notebook (jupyter_coding.notebooks.contents): it is the
    notebook, and its cells as saved are its notebook view."""
    from jupyter_coding.notebooks.convert import to_notebook

    markdown = markdown.resolve()
    try:
        data = markdown.read_bytes()
        notes = parse(data.decode("utf-8"), str(markdown))
    except (OSError, UnicodeDecodeError, FieldNotesError):
        return NotebookContext(markdown, markdown, None)
    cells = [dict(cell) for cell in to_notebook(notes, markdown.name).cells]
    return NotebookContext(markdown, markdown, notes.source_id, cells, sha256(data))


_CONTEXTS: dict[str, tuple[tuple[int, int], NotebookContext]] = {}


def notebook_context(user_ns: dict) -> NotebookContext:
    """Read the notebook's ``jupyter_coding`` metadata (markdown file, source id) if known.

    A field-notes ``.md`` opened directly as a notebook is its own markdown file; its
    source id is read from its header. The file is read again only when it changed.
    """
    markdown = _session_notebook(user_ns, ".md")
    notebook = markdown or _session_notebook(user_ns)
    if notebook is None:
        return NotebookContext(None, None, None)
    try:
        stat = notebook.stat()
    except OSError:
        return NotebookContext(notebook, None, None)
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _CONTEXTS.get(str(notebook))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    if markdown is not None:
        context = _markdown_context(markdown)
        _CONTEXTS.clear()
        _CONTEXTS[str(notebook)] = (stamp, context)
        return context
    try:
        data = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return NotebookContext(notebook, None, None)
    ours = data.get("metadata", {}).get(METADATA_KEY) or {}
    markdown = ours.get("markdown")
    cells = data.get("cells") if isinstance(data.get("cells"), list) else []
    context = NotebookContext(
        notebook,
        (notebook.parent / markdown).resolve() if markdown else None,
        ours.get("source_id"),
        cells,
        ours.get("sha256"),
    )
    _CONTEXTS.clear()  # one notebook per kernel: keep one
    _CONTEXTS[str(notebook)] = (stamp, context)
    return context


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _trace_body(source: str) -> str | None:
    first, _, rest = source.lstrip("\n").partition("\n")
    return rest if first.strip() == MAGIC else None


@lru_cache(maxsize=4)
def _original_traces(markdown_text: str) -> dict[int, str]:
    """The trace text of each trace cell ``to_notebook`` makes from this markdown, by index."""
    from jupyter_coding.notebooks.convert import to_notebook

    found = {}
    for cell in to_notebook(parse(markdown_text)).cells:
        ours = cell.metadata.get(METADATA_KEY, {})
        body = _trace_body(_source(cell)) if ours.get("kind") == "trace" else None
        if body is not None:
            found[ours["index"]] = body
    return found


def shown_trace(
    context: NotebookContext,
    cell_id: str | None,
    text: str,
    render: Callable[[str], str],
) -> ShownTrace | None:
    """Which trace of the notebook's markdown file the cell ``cell_id`` shows.

    ``text`` is the trace the cell holds now (as markdown); ``render`` turns a cell
    body into trace markdown (the concise form written in the study's dialect). The
    candidates, best first: the cell's text now, as last saved, and the trace its
    metadata index names in the markdown (only while the markdown's bytes are those
    the notebook was made from: the index counts the blocks of that file).
    """
    if context.markdown is None:
        return None
    texts = [text]
    saved = context.cell(cell_id)
    if saved is not None:
        _, cell = saved
        body = _trace_body(_source(cell))
        if body is not None:
            with suppress(FieldNotesError):  # unreadable as saved: the others may do
                texts.append(render(body))
        index = (cell.get("metadata", {}).get(METADATA_KEY) or {}).get("index")
        if isinstance(index, int) and context.made_from:
            try:
                data = context.markdown.read_bytes()
            except OSError:
                data = b""
            if data and sha256(data) == context.made_from:
                original = _original_traces(data.decode("utf-8")).get(index)
                if original is not None:
                    texts.append(original)
    digests = tuple(dict.fromkeys(trace_digest(candidate) for candidate in texts))
    return ShownTrace(str(context.markdown), digests)


def quotes_before(context: NotebookContext, cell_id: str | None) -> list[str]:
    """The quotes a cell codes, as last saved: the quote cells right above it."""
    saved = context.cell(cell_id)
    if saved is None:
        return []
    position, _ = saved
    above: list[str] = []
    for cell in reversed(context.cells[:position]):
        source = _source(cell).strip()
        if cell.get("cell_type") != "markdown" or not source:
            break
        if not (source.startswith(">") or source.startswith("![")):
            break
        above.insert(0, source)
    if not above:
        return []
    notes = parse("\n\n".join(above) + "\n")
    return [quote.plain_text for quote in notes.quotes if not quote.is_speaker_only]
