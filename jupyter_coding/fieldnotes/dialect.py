"""A study's dialect: how its files write what the format family lets them write freely.

Studies of one format family differ in the words and the layout of the same things:
``**AXIAL CODING TRACE**: source and references`` or ``**AXIAL CODING TRACE:**`` over
the source block, ``add codes to sN:`` lists or ``added:`` blocks for attaching, memos as
code lists or as labels, fences with or without a trailing space. New text (traces
written from a ``%%code`` cell or the picker, files made by ``new``) follows the
dialect the study's own files use, so that it reads like the rest of the study in a
diff. :func:`votes` counts what one file does; :meth:`Dialect.detect` takes the most
common choice of each over a study, and falls back to the seed's layout
(:data:`SEED`) where the study says nothing.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from jupyter_coding.fieldnotes.lines import FieldNotesError, read_text
from jupyter_coding.fieldnotes.model import AxialTrace, FieldNotes, OpenTrace
from jupyter_coding.fieldnotes.parser import parse
from jupyter_coding.fieldnotes.reading import coding_traces

__all__ = ["LABELS", "SEED", "Dialect", "votes"]


@dataclass(frozen=True)
class Dialect:
    """The choices a study makes where the format leaves them open.

    ``attach`` is ``add_codes`` (an ``add codes to sN:`` list with the codes the trace
    applies) or ``added`` (the codes named in the ``added:`` block, no list);
    ``memo`` is ``lists`` (``Familiar option: a, b``) or ``labels`` (one label a line).
    ``add_codes_label`` holds ``{target}`` where the source id goes.
    """

    source_marker: str = "**AXIAL CODING TRACE**: source and references"
    open_marker: str = "**OPEN CODING TRACE:**"
    axial_marker: str = "**AXIAL CODING TRACE:**"
    blank_after_axial_marker: bool = True
    attach: str = "add_codes"
    add_codes_label: str = "add codes to {target}: "
    added_label: str = "added:"
    fence_open: str = "``` python "
    fence_close: str = "```"
    indent: str = "    "
    quoted_list: bool = True  # the add-codes list inside ''' lines
    memo: str = "lists"

    @classmethod
    def detect(cls, file_votes: Iterable[Mapping[str, Counter]]) -> Dialect:
        """The study's dialect: each choice as most of its files make it (ties: the seed's)."""
        totals: dict[str, Counter] = {}
        for item in file_votes:
            for name, counter in item.items():
                totals.setdefault(name, Counter()).update(counter)
        chosen = {}
        for spec in fields(cls):
            counter = totals.get(spec.name)
            if not counter:
                continue
            default = getattr(SEED, spec.name)
            best = max(counter.values())
            leaders = [value for value, count in counter.items() if count == best]
            chosen[spec.name] = default if default in leaders else sorted(leaders, key=str)[0]
        return cls(**chosen)

    @classmethod
    def of_files(cls, paths: Iterable[str | os.PathLike]) -> Dialect:
        """The dialect of the field-notes files at ``paths`` (unreadable ones are left out)."""
        found = []
        for path in paths:
            try:
                found.append(votes(parse(read_text(path), os.fspath(path))))
            except (OSError, FieldNotesError):
                continue
        return cls.detect(found)

    def add_codes(self, target: str) -> str:
        """The label line over an ``add codes to`` list, for source ``target``."""
        return self.add_codes_label.replace("{target}", target)


SEED = Dialect()
# the family's other known dialect (FORMAT.md §12, examples/labels_study): the source
# block under the axial marker, memos of labels one a line, codes applied through
# ``added:`` blocks
LABELS = Dialect(
    source_marker="**AXIAL CODING TRACE:**",
    blank_after_axial_marker=False,
    attach="added",
    fence_open="``` python",
    memo="labels",
)

_TARGET = re.compile(r"(?<=to)([ \t]*)([\w-]*)")
_LEADING = re.compile(r"[ \t]*")


def _line(text: str) -> str:
    return text.rstrip("\n").rstrip("\r")


def votes(notes: FieldNotes) -> dict[str, Counter]:
    """What one file does, choice by choice (templates left out)."""
    found: dict[str, Counter] = {}

    def vote(name: str, value: object) -> None:
        found.setdefault(name, Counter())[value] += 1

    if notes.is_template:
        return found
    if notes.source is not None:
        vote("source_marker", _line(notes.source.lines[0]))
    for trace in coding_traces(notes):
        for part in trace.parts:
            if isinstance(part, OpenTrace):
                vote("open_marker", _line(part.marker))
            elif isinstance(part, AxialTrace):
                vote("axial_marker", _line(part.marker))
                after = part.lines[1] if len(part.lines) > 1 else ""
                vote("blank_after_axial_marker", not after.strip())
        blocks = trace.blocks
        if trace.axial is not None and blocks:
            attaches = any(block.role == "add_codes" for block in blocks)
            vote("attach", "add_codes" if attaches else "added")
        for block in blocks:
            vote("fence_open", _line(block.fence_open))
            if block.fence_close is not None:
                vote("fence_close", _line(block.fence_close))
            label = next((_line(x) for x in reversed(block.label_lines) if x.strip()), None)
            if block.role == "add_codes" and label is not None:
                vote("add_codes_label", _TARGET.sub(r"\1{target}", label, count=1))
                vote("quoted_list", "'''" in block.code)
            elif block.role == "added" and label is not None:
                vote("added_label", label)
            # the indent of a block's first line; in a quoted list, of its ''' line
            quoted = block.role == "add_codes" and "'''" in block.code
            code_line = next(
                (x for x in block.code_lines if x.strip() and (not quoted or "'''" in x)), None
            )
            if code_line is not None:
                vote("indent", _LEADING.match(code_line).group())
        if trace.memo:
            lists = any(item.style == "list" for item in trace.memo)
            lines = any(item.style in ("label", "identifier") for item in trace.memo)
            if lists or lines:
                vote("memo", "lists" if lists else "labels")
    return found
