"""Edits of a :class:`FieldNotes` that change only what they must.

Every function returns a new, re-parsed :class:`FieldNotes`; blocks it does not
touch come back byte for byte, and what it writes is in the canonical layout.
"""

from __future__ import annotations

import re

from jupyter_coding.fieldnotes.canonical import (
    Trace,
    render_add_codes,
    render_trace,
    source_value_literal,
)
from jupyter_coding.fieldnotes.dialect import SEED, Dialect
from jupyter_coding.fieldnotes.lines import FieldNotesError, split_lines
from jupyter_coding.fieldnotes.model import (
    SOURCE_KEYS,
    AxialTrace,
    Block,
    FieldNotes,
    OpenTrace,
    PythonBlock,
)
from jupyter_coding.fieldnotes.parser import parse

__all__ = [
    "delete_block",
    "delete_trace",
    "insert_trace",
    "replace_block_text",
    "set_attached_codes",
    "set_header_value",
    "set_memo_codes",
]


def _rebuild(notes: FieldNotes, blocks: list[tuple[list[str], list[str]]]) -> FieldNotes:
    text = "".join("".join(lines) + "".join(trailing) for lines, trailing in blocks)
    return parse(text, notes.path)


def _pieces(notes: FieldNotes) -> list[tuple[list[str], list[str]]]:
    return [(list(block.lines), list(block.trailing)) for block in notes.blocks]


def _index(notes: FieldNotes, block: Block) -> int:
    for index, candidate in enumerate(notes.blocks):
        if candidate is block:
            return index
    raise ValueError("the block is not part of these field notes")


def _keep_end(old: list[str], new: list[str]) -> list[str]:
    """Keep a missing final newline missing."""
    if old and new and not old[-1].endswith("\n") and new[-1].endswith("\n"):
        new = [*new[:-1], new[-1][:-1]]
    return new


def _ensure_newline(lines: list[str]) -> list[str]:
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines


def replace_block_text(notes: FieldNotes, block: Block, text: str) -> FieldNotes:
    """Replace a block's own lines by ``text``; the blank lines after it stay."""
    pieces = _pieces(notes)
    index = _index(notes, block)
    lines, trailing = pieces[index]
    new = split_lines(text)
    if trailing or index + 1 < len(pieces):
        new = _ensure_newline(new)
    pieces[index] = (
        new if trailing or index + 1 < len(pieces) else _keep_end(lines, new),
        trailing,
    )
    return _rebuild(notes, pieces)


def insert_trace(
    notes: FieldNotes, after: Block, trace: Trace, dialect: Dialect = SEED
) -> FieldNotes:
    """Insert a canonical open (+ axial) trace after ``after`` (usually a quote).

    The trace is written in ``dialect`` (the study's, see :class:`~.dialect.Dialect`).
    The blank lines that followed ``after`` now follow the new trace, and one
    blank line separates each new part, as in the seed.
    """
    pieces = _pieces(notes)
    index = _index(notes, after)
    lines, trailing = pieces[index]
    at_end = index + 1 == len(pieces) and not trailing
    open_text, axial_text = render_trace(trace, dialect)
    new_blocks = [(_ensure_newline(lines), ["\n"])]
    if axial_text is None:
        new_blocks.append((split_lines(open_text), trailing))
    else:
        new_blocks.append((split_lines(open_text), ["\n"]))
        new_blocks.append((split_lines(axial_text), trailing))
    if at_end and lines and not lines[-1].endswith("\n"):
        last_lines, last_trailing = new_blocks[-1]
        new_blocks[-1] = (_keep_end(["x"], last_lines), last_trailing)
    pieces[index : index + 1] = new_blocks
    return _rebuild(notes, pieces)


def delete_block(notes: FieldNotes, block: Block) -> FieldNotes:
    """Remove a block and the blank lines after it."""
    pieces = _pieces(notes)
    index = _index(notes, block)
    del pieces[index]
    return _rebuild(notes, pieces)


def delete_trace(notes: FieldNotes, block: OpenTrace | AxialTrace) -> FieldNotes:
    """Remove a coding trace: the open trace and the axial trace that follows it."""
    for open_trace, axial in notes.traces():
        if block is open_trace or block is axial:
            pieces = _pieces(notes)
            doomed = {_index(notes, part) for part in (open_trace, axial) if part is not None}
            kept = [piece for i, piece in enumerate(pieces) if i not in doomed]
            return _rebuild(notes, kept)
    raise ValueError("the block is not a coding trace of these field notes")


def _add_codes_block(trace: AxialTrace) -> PythonBlock | None:
    return next((b for b in trace.blocks if b.role == "add_codes"), None)


def set_attached_codes(
    notes: FieldNotes, trace: AxialTrace, codes: list[str], target: str | None = None
) -> FieldNotes:
    """Make ``codes`` the codes the trace's (first) ``add codes to`` block attaches.

    Only that block changes. A block that is only a code list is
    rewritten canonically; one that also holds definitions, relations or comments
    (they occur inside the ``'''`` string) keeps them: removed codes leave their
    item lines, new codes go before the closing ``'''``. Without such a block one
    is added.
    """
    target = target or notes.source_id or "s"
    block = _add_codes_block(trace)
    lines = list(trace.lines)
    new = split_lines(render_add_codes(block.target if block else target, codes)) if codes else []
    if block is None:
        lines = _ensure_newline(lines)
        if new:
            lines += ["\n", *new]
        return replace_block_text(notes, trace, "".join(lines))
    start = block.line - trace.line
    end = block.code_line - trace.line + len(block.code_lines)
    end += 1 if block.fence_close is not None else 0
    if not _only_a_list(block):
        code_start = block.code_line - trace.line
        lines[code_start : code_start + len(block.code_lines)] = _edit_list_lines(
            block.code_lines, [u.identifier for u in block.attached], codes
        )
        return replace_block_text(notes, trace, "".join(lines))
    old = lines[start:end]
    if not new:
        # drop the block and the blank lines before it
        while start > 1 and not lines[start - 1].strip():
            start -= 1
    lines[start:end] = _keep_end(old, new) if end == len(lines) else new
    return replace_block_text(notes, trace, "".join(lines))


# the last comma is optional as a group: ``[ \t]*,?[ \t]*`` backtracks quadratically
_ITEM_LINE = re.compile(r"[ \t]*[^\W\d]\w*(?:[ \t]*,[ \t]*[^\W\d]\w*)*[ \t]*(?:,[ \t]*)?")
_CODE_WORD = re.compile(r"[^\s,']+")


def _only_a_list(block: PythonBlock) -> bool:
    """True when the block holds its code list and nothing else."""
    if block.definitions or block.relations or block.facts.comments or block.problems:
        return False
    return _CODE_WORD.findall(block.code) == [use.identifier for use in block.attached]


def _edit_list_lines(code_lines: list[str], current: list[str], codes: list[str]) -> list[str]:
    """Remove dropped codes from item-only lines; add new ones before the closing ``'''``."""
    dropped = set(current) - set(codes)
    kept: list[str] = []
    for line in code_lines:
        body = line.rstrip("\r\n")
        if dropped and _ITEM_LINE.fullmatch(body):
            items = [item.strip() for item in body.split(",") if item.strip()]
            remaining = [item for item in items if item not in dropped]
            if remaining != items:
                if remaining:
                    indent = body[: len(body) - len(body.lstrip())]
                    comma = "," if body.rstrip().endswith(",") else ""
                    kept.append(f"{indent}{', '.join(remaining)}{comma}\n")
                continue
        kept.append(line)
    added = [code for code in codes if code not in current]
    if added:
        quotes = [i for i, line in enumerate(kept) if line.strip().startswith("'''")]
        at = quotes[-1] if len(quotes) >= 2 else len(kept)
        previous = kept[at - 1].rstrip("\r\n") if at else ""
        if _ITEM_LINE.fullmatch(previous) and not previous.rstrip().endswith(","):
            kept[at - 1] = kept[at - 1].rstrip("\r\n").rstrip() + ",\n"
        kept[at:at] = [
            f"        {code}{',' if i < len(added) - 1 else ''}\n" for i, code in enumerate(added)
        ]
    return kept


def set_memo_codes(
    notes: FieldNotes, trace: OpenTrace, codes: list[str], prefix: str = "Familiar option"
) -> FieldNotes:
    """Make ``codes`` the items of the memo's first code-list line of the same kind.

    Without such a line a canonical ``Familiar option: ...`` line is appended.
    """
    lines = list(trace.lines)
    wanted = prefix.lower().split()[0]
    existing = next((cl for cl in trace.code_lists if cl.prefix.lower().startswith(wanted)), None)
    if existing is not None:
        offset = existing.line - trace.line
        old = lines[offset]
        indent = old[: len(old) - len(old.lstrip(" "))]
        new = f"{indent}{existing.prefix}: {', '.join(codes)}\n"
        lines[offset] = _keep_end([old], [new])[0]
    else:
        lines = _ensure_newline(lines)
        lines += ["\n", f"{prefix}: {', '.join(codes)}\n"]
    return replace_block_text(notes, trace, "".join(lines))


def set_header_value(
    notes: FieldNotes, name: str, value: str, update_source: bool = True
) -> FieldNotes:
    """Set a header field's value (one line); also the source's CClass value.

    With ``update_source`` the matching ``"key": ...`` line of the source
    definition is rewritten too, so the two do not drift apart.
    """
    header = notes.header
    if header is None:
        raise FieldNotesError("the file has no header", notes.path)
    item = next((f for f in header.fields if f.name == name), None)
    if item is None:
        known = ", ".join(f.name for f in header.fields)
        raise FieldNotesError(f"no header field {name!r} (fields: {known})", notes.path)
    if "\n" in value:
        raise FieldNotesError(f"a value of {name!r} must be one line", notes.path)
    lines = list(header.lines)
    value_lines = lines[item.value_start : item.value_end]
    # the blank lines closing a value are layout (``## references`` + one empty line)
    while value_lines and not value_lines[-1].strip():
        value_lines.pop()
    end = item.value_start + len(value_lines)
    lines[item.value_start : end] = [value + "\n"]
    result = replace_block_text(notes, header, "".join(lines))
    source = result.source
    key = SOURCE_KEYS.get(name)
    if update_source and source is not None and key is not None and key in source.values:
        line_number = source.value_line(key)
        offset = line_number - source.line
        old = source.lines[offset]
        indent = old[: len(old) - len(old.lstrip())]
        tail = _after_value(old.rstrip("\r\n"))
        new = f'{indent}"{key}": {source_value_literal(name, value)}{tail}\n'
        source_lines = list(source.lines)
        source_lines[offset] = new
        result = replace_block_text(result, source, "".join(source_lines))
    return result


def _after_value(line: str) -> str:
    """What follows the value on a ``"key": value,`` line: ``,`` or ``})`` etc."""
    stripped = line.rstrip()
    for ending in ("})", "}", ","):
        if stripped.endswith(ending):
            return ending
    return ""
