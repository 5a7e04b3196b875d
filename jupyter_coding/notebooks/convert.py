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

Why one module: the two directions of the conversion are one mapping (cell to block and
back); keeping them side by side is what keeps them exact inverses.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jupyter_coding.fieldnotes import AxialTrace, FieldNotes, FieldNotesError, OpenTrace, parse
from jupyter_coding.fieldnotes.canonical import render_trace
from jupyter_coding.fieldnotes.concise import ConciseSyntaxError, is_concise, read_concise
from jupyter_coding.fieldnotes.dialect import SEED, Dialect
from jupyter_coding.fieldnotes.lines import is_blank, split_lines
from jupyter_coding.notebooks import json_text as notebook_text
from jupyter_coding.notebooks.json_text import Node

if TYPE_CHECKING:
    from nbformat import NotebookNode

# nbformat (and the jsonschema it imports) is loaded only to validate a notebook or read
# one as nbformat objects: making a notebook and exporting its markdown need neither.

__all__ = [
    "FORMAT",
    "MAGIC",
    "METADATA_KEY",
    "SETUP_SOURCE",
    "VALIDATE_ENV",
    "MarkdownExport",
    "Node",
    "add_empty_cell",
    "cell_kind",
    "check_header_kept",
    "export_markdown",
    "made_from_markdown",
    "notebook_json",
    "notebook_metadata",
    "read_notebook",
    "round_trip",
    "to_markdown",
    "to_notebook",
    "unsaved_changes",
    "validating",
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

# set (to anything but 0) to validate every notebook written against nbformat's schema
VALIDATE_ENV = "JUPYTER_CODING_VALIDATE"

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


# nbformat's version-4 layout: ``nbformat.v4.new_notebook()`` and its cell factories
NBFORMAT, NBFORMAT_MINOR = 4, 5


def _markdown_cell(cell_id: str, source: str, metadata: dict) -> Node:
    return Node(cell_type="markdown", id=cell_id, metadata=metadata, source=source)


def _code_cell(cell_id: str, source: str, metadata: dict) -> Node:
    return Node(
        cell_type="code",
        execution_count=None,
        id=cell_id,
        metadata=metadata,
        outputs=[],
        source=source,
    )


def _ours(metadata: dict) -> Node:
    return Node({METADATA_KEY: Node(metadata)})


def to_notebook(
    notes: FieldNotes,
    markdown: str | None = None,
    sha256: str | None = None,
) -> Node:
    """The notebook view of ``notes``, as nbformat's objects behave (see :class:`Node`).

    ``markdown`` is the markdown file's name relative to the notebook's folder
    (default: the base name of ``notes.path``); ``sha256`` the hex digest of its
    bytes (default: computed from the text). Write it with :func:`notebook_json`.
    """
    if markdown is None:
        markdown = os.path.basename(notes.path) if notes.path else ""
    if sha256 is None:
        sha256 = hashlib.sha256(notes.to_text().encode("utf-8")).hexdigest()
    ours = Node(markdown=markdown, sha256=sha256, source_id=notes.source_id, format=FORMAT)
    cells = [_code_cell("setup", SETUP_SOURCE, _ours({"kind": SETUP_KIND}))]
    leading = ""
    for kind, source, end in _cell_texts(notes):
        if not source:  # blank lines before anything else (a file without a header)
            if len(cells) == 1:
                leading += end
            else:
                cells[-1]["metadata"][METADATA_KEY]["end"] += end
            continue
        index = len(cells) - 1
        metadata = _ours({"kind": kind, "index": index, "end": end})
        if kind == TRACE_KIND:
            cells.append(_code_cell(f"jc-{index}", f"{MAGIC}\n{source}", metadata))
        else:
            cells.append(_markdown_cell(f"jc-{index}", source, metadata))
    if leading:
        ours["leading"] = leading
    return Node(
        cells=cells,
        metadata=Node(
            kernelspec=Node(KERNELSPEC),
            language_info=Node(name="python"),
            **{METADATA_KEY: ours},
        ),
        nbformat=NBFORMAT,
        nbformat_minor=NBFORMAT_MINOR,
    )


def add_empty_cell(notebook: NotebookNode) -> NotebookNode:
    """Add an empty markdown cell at the end, to paste the first quote into.

    It has no metadata, so it is a new cell: left out while empty, a block once filled.
    Its id is random, as ``nbformat.v4.new_markdown_cell`` makes it.
    """
    notebook["cells"].append(_markdown_cell(uuid.uuid4().hex[:8], "", Node()))
    return notebook


def validating() -> bool:
    """Whether :func:`notebook_json` validates by default (``$JUPYTER_CODING_VALIDATE``).

    The tests set it, so that every notebook they write is checked against nbformat's
    schema; a command does not pay for it (``to_notebook`` makes valid notebooks).
    """
    return os.environ.get(VALIDATE_ENV, "") not in ("", "0")


def notebook_json(notebook: NotebookNode, validate: bool | None = None) -> str:
    """The notebook as nbformat writes it to a file, byte for byte.

    With ``validate`` (default: :func:`validating`) it is checked against nbformat's
    schema first, and an invalid one raises ``nbformat.ValidationError``.
    """
    if validating() if validate is None else validate:
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
    """The markdown a notebook gives, and notices about its cells.

    ``left_out``: code cells that are not field notes (scratch work), left out.
    ``kept``: cells that hold a block of the markdown but were turned into code cells
    (JupyterLab's ``Y`` key); their text is kept as it is, and the user should hear so.
    """

    text: str
    left_out: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def notices(self) -> list[str]:
        """Every notice, in cell order."""
        return sorted(self.left_out + self.kept, key=_cell_number)


def _cell_number(notice: str) -> int:
    number = notice.removeprefix("cell ").partition(":")[0]
    return int(number) if number.isdigit() else 0


def _describe(value) -> str:
    """A value from notebook JSON, for a message: ``5 (a number)``, ``['a'] (a list)``."""
    kinds = {bool: "true or false", int: "a number", float: "a number", list: "a list", str: "text"}
    kind = "a mapping" if isinstance(value, dict) else kinds.get(type(value), "not text")
    shown = repr(value)
    return f"{shown if len(shown) <= 40 else shown[:37] + '...'} ({kind})"


def notebook_metadata(notebook, path: str | os.PathLike | None = None) -> dict:
    """Our part of a notebook's metadata (``{}`` when there is none), checked.

    The metadata comes from a file anyone may have edited: a part that is not a
    mapping, or a field of it that is not text, is a :class:`FieldNotesError` naming
    the field, never a ``TypeError`` further on.
    """
    where = os.fspath(path) if path is not None else "notebook"
    metadata = notebook.get("metadata", {})
    if not isinstance(metadata, dict):
        raise FieldNotesError(f"the notebook's metadata is {_describe(metadata)}", where)
    ours = metadata.get(METADATA_KEY)
    if ours is None:
        return {}
    if not isinstance(ours, dict):
        raise FieldNotesError(
            f"notebook metadata {METADATA_KEY} is {_describe(ours)}, not a mapping", where
        )
    for key in ("markdown", "sha256", "source_id", "leading"):
        value = ours.get(key)
        if value is not None and not isinstance(value, str):
            raise FieldNotesError(
                f"notebook metadata {METADATA_KEY}.{key} is {_describe(value)}, not text", where
            )
    name = ours.get("markdown") or ""
    last = name.replace("\\", "/").rpartition("/")[2]
    if "\0" in name or (name and last in ("", ".", "..")):  # a folder is not a markdown file
        raise FieldNotesError(
            f"notebook metadata {METADATA_KEY}.markdown is {ours['markdown']!r}, not a file name",
            where,
        )
    return ours


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


def _source_id(notebook: NotebookNode, ours: dict) -> str:
    """The source id from the metadata, else from the markdown cells' header."""
    if ours.get("source_id"):
        return ours["source_id"]
    text = "\n\n".join(_source(c) for c in notebook["cells"] if c["cell_type"] == "markdown")
    return parse(text).source_id or "s"


def export_markdown(
    notebook: NotebookNode,
    path: str | None = None,
    dialect: Dialect | Callable[[], Dialect] | None = None,
) -> MarkdownExport:
    """The markdown of ``notebook`` and notices about cells left out or kept as they are.

    ``path`` only names the notebook in messages. A concise ``%%code`` cell that
    does not follow the syntax, metadata of the wrong type, or text that is not valid
    Unicode raises :class:`FieldNotesError` naming the cell. A concise cell that does
    follow it is written in ``dialect``, the study's (or a function that finds it,
    called only then; default the seed's layout).

    No cell that holds a block of the markdown is left out: only the extension's
    setup cell, empty cells and code cells that never were field notes (scratch work,
    with a notice). A ``%%code`` line is the magic in a code cell, a new cell or a
    trace cell turned into a markdown cell; in a markdown cell that holds a block of
    the file it is text, so every file comes back exactly.
    """
    where = path or "notebook"
    ours = notebook_metadata(notebook, where)
    leading = ours.get("leading") or ""
    source_id: str | None = None
    # (text, recorded separator or None for a new cell, recorded index)
    pieces: list[tuple[str, str | None, int | None]] = []
    numbers: list[int] = []  # the cell of each piece, for messages
    left_out: list[str] = []
    kept: list[str] = []
    for number, cell in enumerate(notebook["cells"], 1):
        mine = cell.get("metadata", {}).get(METADATA_KEY)
        if not isinstance(mine, dict):
            mine = {}
        kind = mine.get("kind")
        source = _source(cell)
        if kind == SETUP_KIND and source.strip() == SETUP_SOURCE:  # a code or markdown cell
            continue
        is_code = cell["cell_type"] == "code"
        body = None
        # a markdown cell read from the file keeps a %%code line as text; a new one (or a
        # trace cell made markdown) means the magic
        magic_here = is_code or kind is None or kind == TRACE_KIND
        if magic_here and (source[:2] == "%%" or source[:1] == "\n"):
            body = _magic_body(source)
        if body is None:
            if is_code:
                if kind is None or kind == SETUP_KIND:  # never a block of the markdown
                    stripped = source.strip()
                    if stripped and stripped != SETUP_SOURCE:
                        left_out.append(
                            f"cell {number}: a code cell without {MAGIC} is not part of the "
                            "field notes; left out"
                        )
                    continue
                if source.strip(_BLANKS):
                    kept.append(
                        f"cell {number}: a code cell without {MAGIC} holds a block of the "
                        f"markdown ({kind}); its text is kept as it stands (make it a markdown "
                        "cell again)"
                    )
            body = source
        elif is_concise(body):
            if source_id is None:
                source_id = _source_id(notebook, ours)
            first_line = len(source) - len(source.lstrip("\n")) + 2  # after the magic line
            if callable(dialect):
                dialect = dialect()  # found only when a concise cell needs it
            where_cell = (where, f"cell {number}")
            body = _concise_to_trace(body, source_id, where_cell, first_line, dialect or SEED)
        # blank lines around the text are the separator's business
        if not body or body[0] in _BLANKS or body[-1] in _BLANKS:
            body = _trim(body)
            if not body:  # emptied: deleted
                continue
        end = mine.get("end")
        index = mine.get("index")
        numbers.append(number)
        if isinstance(end, str) and isinstance(index, int):
            pieces.append((body, end, index))
        else:
            pieces.append((body, None, None))
    text = leading + _join(pieces)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _not_unicode(leading, pieces, numbers, where) from None
    check_header_kept(notebook, text, numbers, where)
    return MarkdownExport(text, left_out, kept)


def _not_unicode(leading: str, pieces, numbers: list[int], where: str) -> FieldNotesError:
    """Which cell holds a lone surrogate (a ``\\ud800`` escape in the JSON), as an error."""
    for label, text in (
        ("the notebook metadata's leading blank lines", leading),
        *((f"cell {number}", piece[0]) for number, piece in zip(numbers, pieces, strict=True)),
    ):
        for offset, char in enumerate(text):
            if "\ud800" <= char <= "\udfff":
                line = text.count("\n", 0, offset) + 1
                return FieldNotesError(
                    f"{label}, line {line}: holds U+{ord(char):04X}, half of a surrogate pair, "
                    "which is not a character and cannot be written as UTF-8; remove it",
                    where,
                )
    return FieldNotesError("holds text that cannot be written as UTF-8", where)


def check_header_kept(
    notebook: NotebookNode, text: str, exported: list[int], path: str | None = None
) -> None:
    """Refuse an export whose header or source block the parser would no longer find.

    The parser reads a header only at the top of a file and the source block right
    after it, so a cell above them (a ``%%code`` cell added right after the setup
    cell, say) would leave a file without a header for every command. ``exported``
    numbers (from 1) the cells whose text is in ``text``. Raises
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
    for number in exported:
        if not first < number <= home:
            continue
        cell = cells[number - 1]
        what = "%%code cell" if cell["cell_type"] == "code" else f"{cell['cell_type']} cell"
        raise FieldNotesError(
            f"cell {number}: this {what} stands above {names[lost]} (cell {home + 1}), "
            f"so the markdown would have no {lost} for any command: move the cell below "
            "the '# coding' cell and save or export again",
            path,
        )
    raise FieldNotesError(
        f"cell {home + 1}: {names[lost]} no longer reads as one (a header starts with "
        "'# s' or '# p' and the number on the next line; the source block is the python "
        "block under it): put it back as it was and save or export again",
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
        return f"its markdown cannot be made ({error.message})"
    if export.left_out:
        count = len(export.left_out)
        return f"it has {count} code cell{'s' if count > 1 else ''} that the markdown does not keep"
    if export.text == markdown_text:
        return None
    ours = notebook_metadata(notebook)
    if ours.get("sha256") == hashlib.sha256(export.text.encode("utf-8")).hexdigest():
        return None
    return "it has edits that are not in the markdown"


def round_trip(text: str, path: str | None = None, notes: FieldNotes | None = None) -> str:
    """markdown -> notebook -> JSON text -> notebook -> markdown: what researchers rely on.

    The JSON is read back as ``to-markdown`` reads it, as plain data. ``notes``: the
    text parsed already (``verify`` parses each file once).
    """
    if notes is None:
        notes = parse(text, path)
    return to_markdown(notebook_text.loads(notebook_json(to_notebook(notes))), path)
