"""Field notes <-> notebook: the notebook is a lossless editing view of the markdown.

:func:`to_notebook` makes one cell per block of a :class:`FieldNotes`: the header,
the source definition and ``# coding`` as markdown cells, one markdown cell per
quote paragraph, image and other content, and one ``%%code`` code cell per coding
trace (open + axial). A first code cell loads the extension. Each cell's source is
the block's own text, so researchers see exactly their markdown; what a front end
may not keep (the blank lines after the block, whether the file ends with a
newline) is stored in the cell's metadata as ``end``.

:func:`to_markdown` turns the notebook back into markdown. A cell keeps its text
and its ``end``, so unchanged cells give back the original bytes and an edited
cell changes only its own part. Cells without our metadata are new: markdown
cells become blocks separated by one blank line, and a ``%%code`` cell written in
the concise syntax becomes a canonical trace (the seed's layout). Other code cells
(scratch work) are not part of the field notes and are left out, with a notice.

Metadata contract (the magic and widgets read it)::

    nb.metadata["jupyter_coding"] = {"markdown": "s_43.md",  # relative to the notebook
                                     "sha256": "<hex of the markdown's bytes>",
                                     "source_id": "s43", "format": 1}
    cell.metadata["jupyter_coding"] = {"kind": "quote", "index": 7, "end": "\\n\\n"}

nbformat stores cell sources as ``str.splitlines(True)`` lists; joining them
restores the text exactly (form feeds included), so nothing here relies on how
they are cut.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from . import notebook_text
from .fieldnotes import AxialTrace, FieldNotes, FieldNotesError, OpenTrace, parse
from .fieldnotes.canonical import render_trace
from .fieldnotes.concise import ConciseSyntaxError, is_concise, read_concise
from .fieldnotes.dialect import SEED, Dialect
from .fieldnotes.lines import is_blank, split_lines

if TYPE_CHECKING:
    from nbformat import NotebookNode

# nbformat (and the jsonschema it imports) is loaded only to build, validate or read a
# notebook as nbformat objects: exporting markdown from notebook JSON needs neither.

__all__ = [
    "FORMAT",
    "MAGIC",
    "METADATA_KEY",
    "SETUP_SOURCE",
    "MarkdownExport",
    "add_empty_cell",
    "cell_kind",
    "check_header_kept",
    "export_markdown",
    "made_from_markdown",
    "notebook_json",
    "read_notebook",
    "round_trip",
    "to_markdown",
    "to_notebook",
    "unsaved_changes",
]

METADATA_KEY = "jupyter_coding"
FORMAT = 1
MAGIC = "%%code"
SETUP_SOURCE = "%load_ext jupyter_coding"
SETUP_KIND = "setup"
TRACE_KIND = "trace"
# a cell's text when it is new and not the last one: the seed separates blocks by one blank line
NEW_SEPARATOR = "\n\n"
_BLANKS = " \t\r\n"  # what a blank line is made of (``lines.is_blank``)
_TRACE_KINDS = frozenset((OpenTrace.kind, AxialTrace.kind))

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


# -- markdown -> notebook ----------------------------------------------------------------------


def _cell_texts(notes: FieldNotes) -> Iterator[tuple[str, str, str]]:
    """(kind, source, end) of each cell: a block, or a trace's open and axial parts.

    ``source`` runs to the end of the last non-blank line, without its newline;
    ``end`` is the rest (newline and blank lines), which a front end could not be
    trusted to keep.
    """
    blocks = notes.blocks
    count = len(blocks)
    position = 0
    while position < count:
        block = blocks[position]
        position += 1
        kind = block.kind
        group = None
        if kind in _TRACE_KINDS:
            if block.template:
                kind = "template"
            else:
                kind = TRACE_KIND
                following = blocks[position] if position < count else None
                if (
                    block.kind == "open"
                    and following is not None
                    and following.kind == "axial"
                    and not following.template
                ):
                    group = (block, following)
                    block = following
                    position += 1
        lines = block.lines
        if lines and lines[-1].strip(_BLANKS):  # usual case: blank lines only in ``trailing``
            text = "".join(lines)
            if group is not None:
                text = group[0].to_text() + text
            if text[-1] == "\n":
                yield kind, text[:-1], "\n" + "".join(block.trailing)
            else:
                yield kind, text, "".join(block.trailing)
            continue
        text = "".join(part.to_text() for part in (group or (block,)))
        split = split_lines(text)
        last = len(split)
        while last and is_blank(split[last - 1]):
            last -= 1
        body = "".join(split[:last])
        if body.endswith("\n"):
            body = body[:-1]
        yield kind, body, text[len(body) :]


@cache
def _prototypes() -> tuple[NotebookNode, NotebookNode]:
    """A markdown and a code cell made by nbformat's factory functions.

    The factories validate every cell with jsonschema (about 0.5 ms a cell, most of
    a conversion's time), so cells are copies of these two; the whole notebook is
    validated once, before it is written (:func:`notebook_json`).
    """
    from nbformat import v4

    return v4.new_markdown_cell(), v4.new_code_cell()


def to_notebook(
    notes: FieldNotes,
    markdown: str | None = None,
    sha256: str | None = None,
) -> NotebookNode:
    """The notebook view of ``notes`` (validate it with :func:`notebook_json` to write it).

    ``markdown`` is the markdown file's name relative to the notebook's folder
    (default: the base name of ``notes.path``); ``sha256`` the hex digest of its
    bytes (default: computed from the text).
    """
    from nbformat import NotebookNode, v4

    if markdown is None:
        markdown = os.path.basename(notes.path) if notes.path else ""
    if sha256 is None:
        sha256 = hashlib.sha256(notes.to_text().encode("utf-8")).hexdigest()
    markdown_cell, code_cell = _prototypes()

    def cell(prototype: NotebookNode, cell_id: str, source: str, metadata: dict):
        # one dict literal: NotebookNode.__setitem__ is slow (it converts values one by one)
        fields = {**prototype, "id": cell_id, "source": source}
        fields["metadata"] = NotebookNode({METADATA_KEY: NotebookNode(metadata)})
        if "outputs" in fields:
            fields["outputs"] = []
        return NotebookNode(fields)

    ours = NotebookNode(markdown=markdown, sha256=sha256, source_id=notes.source_id, format=FORMAT)
    cells = [cell(code_cell, "setup", SETUP_SOURCE, {"kind": SETUP_KIND})]
    leading = ""
    for kind, source, end in _cell_texts(notes):
        if not source:  # blank lines before anything else (a file without a header)
            if len(cells) == 1:
                leading += end
            else:
                cells[-1]["metadata"][METADATA_KEY]["end"] += end
            continue
        index = len(cells) - 1
        metadata = {"kind": kind, "index": index, "end": end}
        if kind == TRACE_KIND:
            cells.append(cell(code_cell, f"jc-{index}", f"{MAGIC}\n{source}", metadata))
        else:
            cells.append(cell(markdown_cell, f"jc-{index}", source, metadata))
    if leading:
        ours["leading"] = leading
    notebook = v4.new_notebook()
    notebook.cells = cells
    notebook.metadata = NotebookNode(
        kernelspec=NotebookNode(KERNELSPEC),
        language_info=NotebookNode(name="python"),
        **{METADATA_KEY: ours},
    )
    return notebook


def add_empty_cell(notebook: NotebookNode) -> NotebookNode:
    """Add an empty markdown cell at the end, to paste the first quote into.

    It has no metadata, so it is a new cell: left out while empty, a block once filled.
    """
    from nbformat import v4

    notebook.cells.append(v4.new_markdown_cell())
    return notebook


def notebook_json(notebook: NotebookNode) -> str:
    """The notebook as nbformat writes it to a file, validated first (``ValidationError``)."""
    import nbformat

    nbformat.validate(notebook)
    return notebook_text.dumps(notebook) + "\n"


def read_notebook(text: str) -> NotebookNode:
    """Notebook JSON text as a version-4 notebook, validated (nbformat objects)."""
    import nbformat

    return nbformat.reads(text, as_version=4)


# -- notebook -> markdown ----------------------------------------------------------------------


@dataclass
class MarkdownExport:
    """The markdown a notebook gives, and notices about cells left out."""

    text: str
    left_out: list[str] = field(default_factory=list)


def made_from_markdown(notebook) -> bool:
    """True for a notebook made by :func:`to_notebook` (it has our metadata)."""
    return isinstance(notebook.get("metadata", {}).get(METADATA_KEY), dict)


def cell_kind(cell) -> str | None:
    """The ``kind`` recorded in a cell's metadata (None for a cell added by hand)."""
    ours = cell.get("metadata", {}).get(METADATA_KEY)
    return ours.get("kind") if isinstance(ours, dict) else None


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _trim(text: str) -> str:
    """Without blank lines around it and without the final newline."""
    lines = split_lines(text)
    end = len(lines)
    while end and is_blank(lines[end - 1]):
        end -= 1
    start = 0
    while start < end and is_blank(lines[start]):
        start += 1
    body = "".join(lines[start:end])
    return body[:-1] if body.endswith("\n") else body


def _magic_body(source: str) -> str | None:
    """The text under a ``%%code`` line, or None when the cell does not start with one."""
    first, _, rest = source.lstrip("\n").partition("\n")
    if first.strip() != MAGIC:
        return None
    return rest


def _concise_to_trace(
    body: str, source_id: str, where: tuple[str, str], first_line: int, dialect: Dialect = SEED
) -> str:
    try:
        trace = read_concise(body, target=source_id, first_line=first_line)
    except ConciseSyntaxError as error:
        path, cell = where
        raise FieldNotesError(f"{cell}, line {error.line}: {error.message}", path) from None
    open_text, axial_text = render_trace(trace, dialect)
    return open_text + ("\n" + axial_text if axial_text else "")


def _source_id(notebook: NotebookNode) -> str:
    """The source id from the metadata, else from the markdown cells' header."""
    ours = notebook["metadata"].get(METADATA_KEY) or {}
    if ours.get("source_id"):
        return ours["source_id"]
    text = "\n\n".join(_source(c) for c in notebook["cells"] if c["cell_type"] == "markdown")
    return parse(text).source_id or "s"


def export_markdown(
    notebook: NotebookNode,
    path: str | None = None,
    dialect: Dialect | Callable[[], Dialect] | None = None,
) -> MarkdownExport:
    """The markdown of ``notebook`` and notices about code cells left out.

    ``path`` only names the notebook in messages. A concise ``%%code`` cell that
    does not follow the syntax raises :class:`FieldNotesError` naming the cell; one
    that does is written in ``dialect``, the study's (or a function that finds it,
    called only then; default the seed's layout).
    """
    ours = notebook["metadata"].get(METADATA_KEY) or {}
    leading = ours.get("leading", "")
    source_id: str | None = None
    # (text, recorded separator or None for a new cell, recorded index)
    pieces: list[tuple[str, str | None, int | None]] = []
    left_out: list[str] = []
    for number, cell in enumerate(notebook["cells"], 1):
        mine = cell.get("metadata", {}).get(METADATA_KEY)
        if not isinstance(mine, dict):
            mine = {}
        elif mine.get("kind") == SETUP_KIND:
            continue
        source = _source(cell)
        body = _magic_body(source) if source[:2] == "%%" or source[:1] == "\n" else None
        if body is None:
            if cell["cell_type"] == "code":
                if source.strip() and source.strip() != SETUP_SOURCE:
                    left_out.append(
                        f"cell {number}: a code cell without {MAGIC} is not part of the field "
                        "notes; left out"
                    )
                continue
            body = source
        elif is_concise(body):
            if source_id is None:
                source_id = _source_id(notebook)
            where = (path or "notebook", f"cell {number}")
            first_line = len(source) - len(source.lstrip("\n")) + 2  # after the magic line
            if callable(dialect):
                dialect = dialect()  # found only when a concise cell needs it
            body = _concise_to_trace(body, source_id, where, first_line, dialect or SEED)
        # blank lines around the text are the separator's business
        if not body or body[0] in _BLANKS or body[-1] in _BLANKS:
            body = _trim(body)
            if not body:  # emptied: deleted
                continue
        end = mine.get("end")
        index = mine.get("index")
        if isinstance(end, str) and isinstance(index, int):
            pieces.append((body, end, index))
        else:
            pieces.append((body, None, None))
    text = leading + _join(pieces)
    check_header_kept(notebook, text, path)
    return MarkdownExport(text, left_out)


def check_header_kept(notebook: NotebookNode, text: str, path: str | None = None) -> None:
    """Refuse an export whose header or source block the parser would no longer find.

    The parser reads a header only at the top of a file and the source block right
    after it, so a cell above them (a ``%%code`` cell added right after the setup
    cell, say) would leave a file without a header for every command. Raises
    :class:`FieldNotesError` naming the cell and what to do; the text is not written.
    """
    cells = notebook["cells"]
    kinds = [cell_kind(cell) for cell in cells]
    wanted = [kind for kind in ("header", "source") if kind in kinds]
    if not wanted:
        return  # made from a file without them: nothing to lose
    notes = parse(text)
    found = {"header": notes.header is not None, "source": notes.source is not None}
    lost = next((kind for kind in wanted if not found[kind]), None)
    if lost is None:
        return
    names = {"header": "the header", "source": "the source block"}
    home = kinds.index(lost)
    first = kinds.index("header") + 1 if lost == "source" and "header" in kinds else 0
    for number in range(first, home):
        cell = cells[number]
        source = _source(cell).strip()
        if cell_kind(cell) == SETUP_KIND or not source or source == SETUP_SOURCE:
            continue
        if cell["cell_type"] == "code" and _magic_body(_source(cell)) is None:
            continue  # scratch code is left out of the markdown
        what = "%%code cell" if cell["cell_type"] == "code" else f"{cell['cell_type']} cell"
        raise FieldNotesError(
            f"cell {number + 1}: this {what} stands above {names[lost]} (cell {home + 1}), "
            f"so the markdown would have no {lost} for any command; the markdown was not "
            "written: move the cell below the '# coding' cell and save or export again",
            path,
        )
    raise FieldNotesError(
        f"cell {home + 1}: {names[lost]} no longer reads as one (a header starts with "
        "'# s' or '# p' and the number on the next line; the source block is the python "
        "block under it); the markdown was not written",
        path,
    )


def _join(pieces: list[tuple[str, str | None, int | None]]) -> str:
    """Each piece and the separator after it.

    A piece read from the markdown keeps its recorded separator, so an unchanged
    notebook gives back the original bytes. A new piece, or one whose neighbour
    was deleted or moved, is set apart by at least one blank line, so it cannot
    run into the block next to it (a quote into a quote, say).
    """
    out: list[str] = []
    last = len(pieces) - 1
    for position, (body, end, index) in enumerate(pieces):
        out.append(body)
        if position == last:
            out.append("\n" if end is None else end)
            break
        if end is None:
            out.append(NEW_SEPARATOR)
            continue
        following = pieces[position + 1][2]
        adjacent = following is not None and following == index + 1
        if "\n" not in end or (not adjacent and end.count("\n") < 2):
            end = NEW_SEPARATOR
        out.append(end)
    return "".join(out)


def to_markdown(notebook: NotebookNode, path: str | None = None) -> str:
    """The markdown text of ``notebook`` (see :func:`export_markdown`)."""
    return export_markdown(notebook, path).text


def unsaved_changes(notebook: NotebookNode, markdown_text: str) -> str | None:
    """Why replacing ``notebook`` by a fresh view of ``markdown_text`` would lose work.

    None when everything in the notebook is in the markdown already, or the
    notebook is unchanged since it was made (its markdown may have moved on).
    """
    try:
        export = export_markdown(notebook)
    except FieldNotesError as error:
        return f"it has a %%code cell that cannot be read ({error.message})"
    if export.left_out:
        count = len(export.left_out)
        return f"it has {count} code cell{'s' if count > 1 else ''} that the markdown does not keep"
    if export.text == markdown_text:
        return None
    ours = notebook["metadata"].get(METADATA_KEY) or {}
    if ours.get("sha256") == hashlib.sha256(export.text.encode("utf-8")).hexdigest():
        return None
    return "it has edits that are not in the markdown"


def round_trip(text: str, path: str | None = None) -> str:
    """markdown -> notebook -> JSON text -> notebook -> markdown: what researchers rely on.

    The JSON is read back as ``to-markdown`` reads it, as plain data.
    """
    return to_markdown(notebook_text.loads(notebook_json(to_notebook(parse(text, path)))), path)
