"""Reading open-trace memos: code-list lines such as ``Familiar option: a, b``."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CodeList", "read_code_list"]

CODE_ITEM = re.compile(r"[a-z_][A-Za-z0-9_]*")
INS_TAG = re.compile(r"</?ins>")
MAX_PREFIX = 60  # characters before the colon: a longer text is a sentence, not a list
CODE_KIND_WORDS = re.compile(
    r"\b(options?|forces?|terms?|codes?|practices?|patterns?|decisions?|items?|concepts?)\b",
    re.IGNORECASE,
)


@dataclass
class CodeList:
    """A memo line like ``Familiar option: a, b`` read as data."""

    prefix: str  # verbatim text before the colon, e.g. "Familiar option"
    kind: str  # familiar | new | recognised | option | force | other
    items: list[str]
    line: int

    @property
    def codes(self) -> list[str]:
        """The items that are code identifiers, not prose.

        Codes are written in snake case: ``k8s``, ``data_catalogue``,
        ``snapshots_ETL``; ``Derived`` or ``Security`` in a memo are words.
        """
        return [item for item in self.items if CODE_ITEM.fullmatch(item)]


def read_code_list(text: str, line: int) -> CodeList | None:
    """``Familiar option: a, b`` -> CodeList; None for a line that is not one."""
    text = INS_TAG.sub("", text).lstrip("-* ").strip()
    # split at the first colon by hand: a regular expression for "prefix, spaces,
    # colon" tries every prefix length against the spaces (slow on long lines)
    colon = text.find(":")
    if colon < 1:
        return None
    head = text[:colon]
    prefix = head.rstrip(" \t") or head[:1]
    rest = text[colon + 1 :].lstrip(" \t")
    if len(prefix) > MAX_PREFIX or not rest or rest[0].isspace() or "\n" in rest:
        return None
    prefix = prefix.strip()
    if not CODE_KIND_WORDS.search(prefix) or len(prefix.split()) > 8:
        return None
    items = [item.strip().rstrip(".").strip() for item in rest.split(",")]
    items = [item for item in items if item]
    if not items:
        return None
    return CodeList(prefix, _code_list_kind(prefix), items, line)


def _code_list_kind(prefix: str) -> str:
    lowered = prefix.lower()
    for word, kind in (
        ("familiar", "familiar"),
        ("new", "new"),
        ("recogni", "recognised"),
    ):
        if word in lowered:
            return kind
    first = lowered.split()[0] if lowered.split() else ""
    if first.startswith("option"):
        return "option"
    if first.startswith("force"):
        return "force"
    return "other"
