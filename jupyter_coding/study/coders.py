"""Merging two coders' versions of a field-notes file, quote by quote.

A file is read as a *skeleton* (header, source definition, quotes, images, text: all
blocks but traces) with, after each skeleton block, the group of coding traces that
follows it. Skeletons are matched block by block (whitespace normalised); where they
match, the trace groups are merged:

* the same traces on both sides (or changed on one side only, given a base): taken;
* traces only one coder wrote (the other has none there, or only some of the same
  ones): taken;
* both coded the same quotes differently: the result holds both coders' traces,
  byte for byte, with a ``**CODERS DISAGREE:** a above, b below`` marker between
  them. The parser reads the marker (:class:`~jupyter_coding.fieldnotes.Disagreement`),
  the traces below it code the same quotes, and ``check`` reports it (JC501) until
  the coders have discussed it, kept one coding and deleted the marker.

Nothing a coder wrote is dropped: a skeleton that both sides changed in different
ways (a header field, the text of a quote) is kept from both sides between git-style
conflict lines, set apart as paragraphs of their own around whole blocks, so they
never stand inside a python block. With a base (a three-way merge, as git's merge
driver does), a side that left something as the base had it takes the other side's
change, so a disagreement resolved on one branch stays resolved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from jupyter_coding.fieldnotes import (
    AxialTrace,
    Block,
    Disagreement,
    FieldNotes,
    OpenTrace,
    Raw,
    parse,
)
from jupyter_coding.fieldnotes.lines import is_blank, split_lines

__all__ = [
    "FileMerge",
    "MergeResult",
    "disagreement_marker",
    "merge_notes",
    "merge_texts",
    "merge_versions",
]

TRACE_BLOCKS = (OpenTrace, AxialTrace, Disagreement)
CONFLICT_START, CONFLICT_MIDDLE, CONFLICT_END = "<<<<<<<", "=======", ">>>>>>>"


# what a coder's name in the marker cannot hold (the parser's DISAGREEMENT_NAMES)
NOT_IN_NAME = re.compile(r"[\s,;]+")


def _coder_name(name: str) -> str:
    """A name the marker can carry: no spaces, commas or semicolons."""
    return NOT_IN_NAME.sub("-", name.strip()) or "coder"


def disagreement_marker(above: str, below: str) -> str:
    """The marker line between two coders' traces of the same quotes."""
    return (
        f"**CODERS DISAGREE:** {_coder_name(above)} above, {_coder_name(below)} below: "
        "discuss, keep one coding (or merge the two) and delete this line\n"
    )


@dataclass
class MergeResult:
    """The merged text and what the merge did."""

    text: str
    taken: dict[str, int] = field(default_factory=dict)  # traces one side alone brought
    disagreements: int = 0  # markers written
    conflicts: int = 0  # skeleton regions kept from both sides between conflict lines

    @property
    def clean(self) -> bool:
        return not (self.disagreements or self.conflicts)


@dataclass
class _Slot:
    """A skeleton block (None: the start of the file) and the traces after it."""

    item: Block | None
    index: int  # of ``item`` in the file's blocks (-1 for the start)
    group: list[Block] = field(default_factory=list)

    @property
    def key(self) -> str:
        if self.item is None:
            return "\0start"
        return f"{self.item.kind}\0{' '.join(self.item.text.split())}"


def _slots(notes: FieldNotes) -> list[_Slot]:
    slots = [_Slot(None, -1)]
    for index, block in enumerate(notes.blocks):
        if isinstance(block, TRACE_BLOCKS):
            slots[-1].group.append(block)
        else:
            slots.append(_Slot(block, index))
    return slots


def _block_key(block: Block) -> tuple[str, ...]:
    """A trace block's lines as compared: trailing spaces and blank lines do not count."""
    return tuple(line.rstrip() for line in block.lines if not is_blank(line))


def _group_key(group: Sequence[Block]) -> tuple:
    return tuple(_block_key(block) for block in group)


def _traces(group: Sequence[Block]) -> int:
    """How many traces a group holds (an open trace and its axial trace are one)."""
    count, after_open = 0, False
    for block in group:
        if isinstance(block, OpenTrace) or not after_open:
            count += not isinstance(block, Disagreement)
        after_open = isinstance(block, OpenTrace)
    return count


def _split_traces(slot: _Slot) -> list[list[tuple[Block, int]]]:
    """A group's traces (an open trace with its axial trace is one; a marker is one),
    each block with its index in the file."""
    traces: list[list[tuple[Block, int]]] = []
    for offset, block in enumerate(slot.group):
        placed = (block, slot.index + 1 + offset)
        if isinstance(block, AxialTrace) and traces and isinstance(traces[-1][-1][0], OpenTrace):
            traces[-1].append(placed)
        else:
            traces.append([placed])
    return traces


def _within(inner: tuple, outer: tuple) -> bool:
    """``inner``'s blocks are all in ``outer``, in order (``outer`` only adds to it)."""
    rest = iter(outer)
    return all(any(item == other for other in rest) for item in inner)


# pieces of the result: (block, side, index of the block on that side)
_Piece = tuple[Block, str, int]


class _Merge:
    def __init__(self, ours: FieldNotes, theirs: FieldNotes, base: FieldNotes | None, names):
        self.sides = {"a": _slots(ours), "b": _slots(theirs)}
        self.base = _slots(base) if base is not None else None
        self.names = names
        self.pieces: list[_Piece] = []
        self.result = MergeResult("", {names[0]: 0, names[1]: 0})

    # -- emitting ------------------------------------------------------------------
    def emit_item(self, slot: _Slot, side: str) -> None:
        if slot.item is not None:
            self.pieces.append((slot.item, side, slot.index))

    def emit_group(self, slot: _Slot, side: str) -> None:
        first = slot.index + 1
        self.pieces += [(block, side, first + n) for n, block in enumerate(slot.group)]

    def emit_new(self, text: str) -> None:
        self.pieces.append((Raw([text], ["\n"]), "new", 0))

    # -- trace groups --------------------------------------------------------------
    def merge_group(self, a: _Slot, b: _Slot, base: _Slot | None) -> None:
        """Emit the traces after one matched skeleton block."""
        key_a, key_b = _group_key(a.group), _group_key(b.group)
        if key_a == key_b:
            return self.emit_group(a, "a")
        key_o = _group_key(base.group) if base is not None else None
        if key_o is not None and key_a == key_o:
            return self.take(b, "b")
        if key_o is not None and key_b == key_o:
            return self.take(a, "a")
        removed = key_o is not None and not (key_a and key_b)  # one side removed, one changed
        if not removed and _within(key_a, key_b):
            return self.take(b, "b")
        if not removed and _within(key_b, key_a):
            return self.take(a, "a")
        self.disagreement(a, b)

    def disagreement(self, a: _Slot, b: _Slot) -> None:
        """Both coders' traces, the marker between them; traces both wrote alike at the
        start or the end of the group only once."""
        traces_a, traces_b = _split_traces(a), _split_traces(b)
        keys_a = [_group_key([block for block, _ in t]) for t in traces_a]
        keys_b = [_group_key([block for block, _ in t]) for t in traces_b]
        shortest = min(len(keys_a), len(keys_b))
        start = 0
        while start < shortest and keys_a[start] == keys_b[start]:
            start += 1
        end = 0
        while end < shortest - start and keys_a[-1 - end] == keys_b[-1 - end]:
            end += 1

        def emit(traces, side: str) -> None:
            self.pieces += [(block, side, index) for t in traces for block, index in t]

        emit(traces_a[:start], "a")
        emit(traces_a[start : len(traces_a) - end], "a")
        self.emit_new(disagreement_marker(*self.names))
        emit(traces_b[start : len(traces_b) - end], "b")
        emit(traces_a[len(traces_a) - end :], "a")
        self.result.disagreements += 1

    def take(self, slot: _Slot, side: str) -> None:
        """Emit one side's traces: the other side's are within them, or the base's."""
        self.emit_group(slot, side)
        name = self.names[0 if side == "a" else 1]
        self.result.taken[name] += _traces(slot.group)

    # -- skeleton regions ----------------------------------------------------------
    def region(self, a: list[_Slot], b: list[_Slot], base: list[_Slot] | None) -> None:
        """Emit skeleton blocks between two matched ones."""
        keys_a, keys_b = [s.key for s in a], [s.key for s in b]
        keys_o = [s.key for s in base] if base is not None else None
        if base is None:
            if keys_a == keys_b:
                return self.pair(a, b, None)
            if not (a and b):  # blocks only one side has, with their traces
                return self.whole(a, "a") if a else self.whole(b, "b")
            return self.conflict(a, b)
        if keys_a == keys_o and len(a) == len(b):
            return self.pair(b, a, base, flipped=True)
        if keys_b == keys_o and len(a) == len(b):
            return self.pair(a, b, base)
        if keys_a == keys_b:
            return self.pair(a, b, base if len(base) == len(a) else None)
        if keys_a == keys_o and self.unchanged_groups(a, base):
            return self.whole(b, "b")
        if keys_b == keys_o and self.unchanged_groups(b, base):
            return self.whole(a, "a")
        return self.conflict(a, b)

    @staticmethod
    def unchanged_groups(side: list[_Slot], base: list[_Slot]) -> bool:
        return [_group_key(s.group) for s in side] == [_group_key(s.group) for s in base]

    def whole(self, slots: list[_Slot], side: str) -> None:
        for slot in slots:
            self.emit_item(slot, side)
            self.emit_group(slot, side)

    def pair(self, a, b, base, flipped: bool = False) -> None:
        """Blocks alike in number: each emitted from ``a`` with its traces merged."""
        first = "b" if flipped else "a"
        for index, slot in enumerate(a):
            self.emit_item(slot, first)
            base_slot = base[index] if base is not None else None
            if flipped:
                self.merge_group(b[index], slot, base_slot)
            else:
                self.merge_group(slot, b[index], base_slot)

    def conflict(self, a: list[_Slot], b: list[_Slot]) -> None:
        self.emit_new(f"{CONFLICT_START} {self.names[0]}\n")
        self.whole(a, "a")
        self.emit_new(f"{CONFLICT_MIDDLE}\n")
        self.whole(b, "b")
        self.emit_new(f"{CONFLICT_END} {self.names[1]}\n")
        self.result.conflicts += 1

    # -- alignment -----------------------------------------------------------------
    def run(self) -> MergeResult:
        a, b = self.sides["a"], self.sides["b"]
        anchors = self.anchors()
        previous = (0, 0, 0)
        self.merge_group(a[0], b[0], self.base[0] if self.base is not None else None)
        for anchor in [*anchors, None]:
            ia, ib, io = anchor if anchor is not None else (len(a), len(b), len(self.base or ()))
            base = self.base[previous[2] + 1 : io] if self.base is not None else None
            self.region(a[previous[0] + 1 : ia], b[previous[1] + 1 : ib], base)
            if anchor is None:
                break
            self.emit_item(a[ia], "a")
            self.merge_group(a[ia], b[ib], self.base[io] if self.base is not None else None)
            previous = anchor
        self.result.text = _render(self.pieces)
        return self.result

    def anchors(self) -> list[tuple[int, int, int]]:
        """Skeleton blocks matched on both sides (and in the base), after the start."""
        a, b = self.sides["a"], self.sides["b"]
        if self.base is None:
            return [(i, j, 0) for i, j in _matches(a, b)]
        with_a = dict(_matches(self.base, a))
        with_b = dict(_matches(self.base, b))
        return [(with_a[o], with_b[o], o) for o in sorted(with_a.keys() & with_b.keys())]


def _matches(first: list[_Slot], second: list[_Slot]) -> list[tuple[int, int]]:
    """Index pairs of matching skeleton blocks (the start slot left out), in order."""
    matcher = SequenceMatcher(
        None, [s.key for s in first[1:]], [s.key for s in second[1:]], autojunk=False
    )
    return [
        (i + 1 + k, j + 1 + k) for i, j, size in matcher.get_matching_blocks() for k in range(size)
    ]


def _ends_with_blank_line(parts: list[str]) -> bool:
    """Whether the text so far ends with a blank line (a paragraph can follow)."""
    tail = ""
    for part in reversed(parts):
        tail = part + tail
        if tail.count("\n") >= 2:
            break
    lines = split_lines(tail)
    return bool(lines) and lines[-1].endswith("\n") and is_blank(lines[-1])


def _render(pieces: list[_Piece]) -> str:
    """The pieces' text; pieces that did not follow each other are set apart by a blank line."""
    parts: list[str] = []
    previous: tuple[str, int] | None = None
    for block, side, index in pieces:
        follows = previous is not None and previous == (side, index - 1) and side != "new"
        if parts and not follows:
            if not parts[-1].endswith("\n"):
                parts.append("\n")
            if not _ends_with_blank_line(parts):
                parts.append("\n")
        parts.append(block.to_text())
        previous = (side, index)
    return "".join(parts)


def merge_notes(
    ours: FieldNotes,
    theirs: FieldNotes,
    base: FieldNotes | None = None,
    names: tuple[str, str] = ("ours", "theirs"),
) -> MergeResult:
    """Merge two coders' parsed versions of one file (``base``: their common ancestor)."""
    return _Merge(ours, theirs, base, names).run()


def merge_texts(
    ours: str,
    theirs: str,
    base: str | None = None,
    names: tuple[str, str] = ("ours", "theirs"),
) -> MergeResult:
    """Merge two coders' texts of one file; see the module docstring."""
    if ours == theirs:
        return MergeResult(ours, {names[0]: 0, names[1]: 0})
    return merge_notes(parse(ours), parse(theirs), parse(base) if base is not None else None, names)


@dataclass
class FileMerge:
    """One file of a merged study: its relative path, the merge, and its origin."""

    relative: str
    result: MergeResult
    only_in: str | None = None  # the coder whose version alone has the file


def merge_versions(ours, theirs, base=None) -> list[FileMerge]:
    """Merge two coders' versions of a study (:class:`~jupyter_coding.study.gitstudy.StudyVersion`)
    file by file; a file only one version has is taken as it is."""
    names = (ours.name, theirs.name)
    merged = []
    for relative in sorted(ours.files.keys() | theirs.files.keys()):
        mine, other = ours.files.get(relative), theirs.files.get(relative)
        if mine is None or other is None:
            name = names[0] if other is None else names[1]
            text = mine if other is None else other
            taken = {names[0]: 0, names[1]: 0}
            taken[name] = _traces([b for b in parse(text).blocks if isinstance(b, TRACE_BLOCKS)])
            merged.append(FileMerge(relative, MergeResult(text, taken), name))
            continue
        original = base.files.get(relative) if base is not None else None
        merged.append(FileMerge(relative, merge_texts(mine, other, original, names)))
    return merged
