"""How an open trace's memo relates to its axial trace.

A memo's code lists (``Familiar options: a, b and c``, with item lines that
continue them) are compared with what the axial trace after it defines, reuses,
relates and attaches. ``jupyter-coding check`` (JC201, JC202), ``%%code`` and
``rename`` share this reading, so they agree on what a memo names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fieldnotes import AxialTrace, OpenTrace
from .similarity import normalise

__all__ = ["MemoList", "memo_differences", "memo_lists"]

# memo items that name codes: identifiers starting lower case (``Derived``, ``CDC``
# and ``raw data`` are prose or labels, compared only when they match a code)
_CODE_ITEM = re.compile(r"[a-z][A-Za-z0-9_]*")
_OPTION_WORDS = re.compile(r"\b(options?|codes?|terms?|items?|practices?|patterns?)\b", re.I)
_FORCE_WORDS = re.compile(r"\bforces?\b", re.I)
# a try starts only where spaces start (``(?<!\s)``): else every space of a long
# run is tried again against ``and`` (quadratic)
_AND = re.compile(r"(?:^|(?<!\s)\s+)and\s+", re.I)
_LIST_CONTINUATION = re.compile(r"[A-Za-z_][\w ]*(?:,\s*[A-Za-z_][\w ]*)*,?")


@dataclass
class MemoList:
    """A memo code list with its continuation lines: ``(item, line)`` in order."""

    prefix: str
    items: list[tuple[str, int]]

    @property
    def lists_options(self) -> bool:
        """Options (or codes in general), not only forces."""
        return bool(_OPTION_WORDS.search(self.prefix)) or not _FORCE_WORDS.search(self.prefix)


def _split_items(text: str) -> list[str]:
    """``a, b and c`` -> ``[a, b, c]`` (a list's last item is often joined by "and")."""
    items = []
    for part in text.split(","):
        items += [item.strip().rstrip(".").strip() for item in _AND.split(part)]
    return [item for item in items if item]


def memo_lists(open_trace: OpenTrace) -> list[MemoList]:
    """The memo's code lists; a line of bare items right after one continues it."""
    starts = {code_list.line: code_list for code_list in open_trace.code_lists}
    lists: list[MemoList] = []
    current: MemoList | None = None
    for line, text in open_trace.memo_lines:
        if line in starts:
            code_list = starts[line]
            items = _split_items(", ".join(code_list.items))
            current = MemoList(code_list.prefix, [(item, line) for item in items])
            lists.append(current)
        elif current is not None and text and _LIST_CONTINUATION.fullmatch(text):
            current.items += [(item, line) for item in _split_items(text)]
        else:
            current = None
    return lists


def _trace_names(axial: AxialTrace) -> tuple[set[str], set[str]]:
    """Normalised identifiers the axial trace mentions, and labels it defines."""
    names: set[str] = set()
    labels: set[str] = set()
    for block in axial.blocks:
        names.update(normalise(u.identifier) for u in block.attached + block.reused)
        for definition in block.definitions:
            names.add(normalise(definition.identifier))
            if definition.label:
                labels.add(normalise(definition.label))
        for relation in block.relations:
            names.update((normalise(relation.source), normalise(relation.target)))
    return names, labels


def memo_differences(
    open_trace: OpenTrace, axial: AxialTrace
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Where a memo and its axial trace disagree.

    Returns (memo items the axial trace never mentions, with their memo line) and
    (codes the axial trace attaches that the memo's lists do not name, with the
    line they are attached on).

    Memo lists are ``Prefix: a, b and c`` lines and the bare item lines right
    after them. Memo items are compared case-insensitively with every code the
    axial trace defines, reuses, relates or attaches, and with the labels it
    defines (``CQRS`` matches ``cqrs``, ``Discoverability`` matches ``CClass(force,
    "Discoverability")``); capitalised words and phrases that match nothing are
    prose, not codes. An attached code counts as named when its words appear in a
    list (``incremental sync and internal storage`` names ``internal_storage``).
    Attached codes are compared only with memos that list options by identifier:
    a memo that lists only forces, or only prose, says nothing about them.
    """
    names, labels = _trace_names(axial)
    memo_only: dict[str, int] = {}
    listed: set[str] = set()
    phrases: list[str] = []
    lists_options = False
    for memo_list in memo_lists(open_trace):
        for item, line in memo_list.items:
            key = normalise(item)
            listed.add(key)
            phrases.append(key)
            if not _CODE_ITEM.fullmatch(item):
                continue
            lists_options = lists_options or memo_list.lists_options
            if key not in names and key not in labels:
                memo_only.setdefault(item, line)
    attached_only: list[tuple[str, int]] = []
    if lists_options:
        text = "_" + "_".join(phrases) + "_"
        for block in axial.blocks:
            for use in block.attached:
                key = normalise(use.identifier)
                if key in listed or f"_{key}_" in text:
                    continue
                if use.identifier not in (item for item, _ in attached_only):
                    attached_only.append((use.identifier, use.line))
    return list(memo_only.items()), attached_only
