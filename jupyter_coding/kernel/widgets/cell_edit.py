"""Adding picked and new codes to the body of a ``%%code`` cell.

A body is either the concise form (``familiar: a, b``) or the trace as it
stands in markdown. Concise bodies get the codes on their ``familiar:`` line
(one is added after the memo when there is none) and a ``new:`` line per new
code. Trace text is edited through the document model
(:mod:`jupyter_coding.fieldnotes.edit`), so the memo's ``Familiar option:``
line, the ``added:`` block and the ``add codes to`` list change and nothing
else: the exported markdown stays canonical.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jupyter_coding.fieldnotes import AxialTrace, FieldNotes, FieldNotesError, OpenTrace, parse
from jupyter_coding.fieldnotes.canonical import FENCE_CLOSE, FENCE_OPEN, INDENT, Trace, render_axial
from jupyter_coding.fieldnotes.canonical import render_definition as _render_definition
from jupyter_coding.fieldnotes.concise import ConciseSyntaxError, is_concise, read_concise
from jupyter_coding.fieldnotes.edit import replace_block_text, set_attached_codes, set_memo_codes

__all__ = ["NewCode", "add_codes", "add_to_concise", "add_to_trace_text"]

_KEYWORD_LINE = re.compile(r"(?P<indent>[ \t]*)(?P<keyword>[A-Za-z]+)[ \t]*:[ \t]*(?P<value>.*)")


@dataclass(frozen=True)
class NewCode:
    """A code created in the picker: defined in the trace and attached."""

    identifier: str
    metaclass: str
    label: str

    def definition(self) -> str:
        """``identifier = CClass(metaclass, "Label")``."""
        return _render_definition(self.identifier, self.metaclass, self.label)


def add_codes(
    body: str,
    codes: Sequence[str],
    new_codes: Iterable[NewCode] = (),
    source_id: str | None = None,
) -> str:
    """``body`` with ``codes`` attached; those among ``new_codes`` are also defined.

    An empty body becomes a concise one. Codes the trace already attaches are
    not added twice.
    """
    new_codes = [code for code in new_codes if code.identifier in codes]
    if not body.strip() or is_concise(body):
        return add_to_concise(body, codes, new_codes)
    return add_to_trace_text(body, codes, new_codes, source_id)


def _keyword(line: str) -> tuple[str, re.Match] | None:
    match = _KEYWORD_LINE.fullmatch(line)
    return (match.group("keyword").lower(), match) if match else None


def add_to_concise(body: str, codes: Sequence[str], new_codes: Sequence[NewCode] = ()) -> str:
    """Concise form: codes onto the first ``familiar:`` line, a ``new:`` line per new code.

    Without a ``familiar:`` line one is added after the last ``memo:`` line (else
    after the last line).
    """
    try:
        trace = read_concise(body) if body.strip() else Trace()
        attached = set(trace.attached)
        defined = {identifier for identifier, _, _ in trace.definitions}
    except ConciseSyntaxError:  # still add to it; running the cell names the bad line
        attached, defined = set(), set()
    created = {code.identifier: code for code in new_codes}
    familiar = [c for c in dict.fromkeys(codes) if c not in created and c not in attached]
    new_lines = [
        f"new: {code.definition()}"
        for code in created.values()
        if code.identifier not in defined and code.identifier not in attached
    ]
    lines = body.split("\n")
    keywords = [_keyword(line) for line in lines]
    at = next((i for i, k in enumerate(keywords) if k and k[0] == "familiar"), None)
    if at is not None:
        match = keywords[at][1]
        items = [item.strip() for item in match.group("value").split(",") if item.strip()]
        items += [code for code in familiar if code not in items]
        lines[at] = f"{match.group('indent')}{match.group('keyword')}: {', '.join(items)}"
        lines[at + 1 : at + 1] = new_lines
        return "\n".join(lines)
    memo_lines = [i for i, k in enumerate(keywords) if k and k[0] == "memo"]
    written = [i for i, line in enumerate(lines) if line.strip()]
    # after the memo, as concise traces are written; else after the last line written
    insert = (memo_lines or written or [-1])[-1] + 1
    added = ([f"familiar: {', '.join(familiar)}"] if familiar else []) + new_lines
    if not body.strip():
        return "\n".join(added) + "\n" if added else body
    lines[insert:insert] = added
    return "\n".join(lines)


def _last_trace(notes: FieldNotes) -> tuple[OpenTrace | None, AxialTrace | None]:
    pairs = list(notes.traces())
    if not pairs:
        raise FieldNotesError("the cell holds no coding trace to add codes to", notes.path)
    return pairs[-1]


def _add_memo_codes(
    notes: FieldNotes, trace: OpenTrace, codes: list[str], first_word: str, prefix: str
) -> FieldNotes:
    """Append ``codes`` to the memo's first ``<first_word> ...:`` line (or add one)."""
    existing = next(
        (cl for cl in trace.code_lists if cl.prefix.lower().startswith(first_word)), None
    )
    items = list(existing.items) if existing is not None else []
    wanted = [code for code in codes if code not in items]
    if not wanted:
        return notes
    return set_memo_codes(notes, trace, items + wanted, prefix=prefix)


def _add_definitions(notes: FieldNotes, axial: AxialTrace, created: list[NewCode]) -> FieldNotes:
    """Definitions into the ``added:`` block (one canonical block when there is none)."""
    lines = list(axial.lines)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    definitions = [f"{INDENT}{code.definition()}\n" for code in created]
    added = next((block for block in axial.blocks if block.role == "added"), None)
    if added is not None:
        # after the last definition (before relations, as in the canonical layout): a line
        # appended at the end of the block could land inside a call left unclosed
        last = max((d.line for d in added.definitions), default=added.code_line - 1)
        at = last - axial.line + 1
        lines[at:at] = definitions
    else:
        at = axial.blocks[0].line - axial.line if axial.blocks else len(lines)
        if at == len(lines) and lines and lines[-1].strip():
            lines.append("\n")
        block = ["added:\n", f"{FENCE_OPEN}\n", *definitions, f"{FENCE_CLOSE}\n", "\n"]
        lines[at:at] = block
    return replace_block_text(notes, axial, "".join(lines))


def add_to_trace_text(
    body: str,
    codes: Sequence[str],
    new_codes: Sequence[NewCode] = (),
    source_id: str | None = None,
) -> str:
    """Trace text: memo code lines, ``added:`` definitions and the ``add codes to`` list."""
    notes = parse(body)
    open_trace, axial = _last_trace(notes)
    attached: set[str] = set()
    defined: set[str] = set()
    for trace in notes.open_traces + notes.axial_traces:
        for block in trace.blocks:
            attached.update(use.identifier for use in block.attached)
            defined.update(d.identifier for d in block.definitions)
    new_names = {code.identifier for code in new_codes}
    created = [code for code in new_codes if code.identifier not in defined | attached]
    to_attach = [code for code in dict.fromkeys(codes) if code not in attached]
    familiar = [code for code in to_attach if code not in new_names]
    if not to_attach and not created:
        return body
    if open_trace is not None:
        notes = _add_memo_codes(notes, open_trace, familiar, "familiar", "Familiar option")
        if created:
            forces_only = all(code.metaclass == "force" for code in created)
            prefix = "New force" if forces_only else "New option"
            open_trace, _ = _last_trace(notes)
            names = [code.identifier for code in created]
            notes = _add_memo_codes(notes, open_trace, names, "new", prefix)
        open_trace, axial = _last_trace(notes)
    target = source_id or "s"
    if axial is None:
        # an open trace without its axial part: write the axial part canonically after it
        trace = Trace(
            definitions=[(c.identifier, c.metaclass, c.label) for c in created],
            attached=to_attach,
            target=target,
        )
        text = open_trace.text if open_trace.text.endswith("\n") else open_trace.text + "\n"
        notes = replace_block_text(notes, open_trace, text + "\n" + render_axial(trace))
        return notes.to_text()
    if created:
        notes = _add_definitions(notes, axial, created)
        _, axial = _last_trace(notes)
    return _attach(notes, axial, to_attach, target).to_text()


def _attach(notes: FieldNotes, axial: AxialTrace, codes: list[str], target: str) -> FieldNotes:
    """Attach ``codes`` too, through the trace's ``add codes to`` block."""
    if not codes:
        return notes
    block = next((b for b in axial.blocks if b.role == "add_codes"), None)
    current = [use.identifier for use in block.attached] if block is not None else []
    return set_attached_codes(notes, axial, current + codes, target)
