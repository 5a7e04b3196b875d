"""How alike two code identifiers are: edit distance and spelling variants.

Used wherever a typo should be caught: ``did you mean ...?`` in ``%%code``, the
near-duplicate check, and the new-code form of the picker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["closest", "edit_distance", "letters_in_order", "normalise", "spelling_key"]

_SEPARATORS = re.compile(r"[\s\-_]+")


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance; stops early and returns ``limit + 1`` past ``limit``.

    Read diagonal by diagonal (Landau and Vishkin): with ``e`` edits, how far down
    each diagonal the two texts can agree, runs of equal characters compared a
    slice at a time. So the time grows with ``limit ** 2`` comparisons of runs,
    not with ``len(a) * len(b)``: two long identifiers cost little.
    """
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    rows, columns = len(a), len(b)
    if limit is None:
        limit = rows
    if rows - columns > limit:
        return limit + 1
    target = columns - rows  # the diagonal (column - row) of the last cell
    # furthest row reached on each diagonal with the edits so far
    reach = {0: _common_prefix(a, 0, b, 0)}
    for edits in range(1, limit + 1):
        further: dict[int, int] = {}
        for diagonal in range(-edits, edits + 1):
            row = max(
                reach.get(diagonal, -2) + 1,  # a substitution
                reach.get(diagonal + 1, -2) + 1,  # a character of ``a`` deleted
                reach.get(diagonal - 1, -1),  # a character of ``b`` inserted
            )
            row = min(row, rows, columns - diagonal)
            if row < max(0, -diagonal):
                continue
            further[diagonal] = row + _common_prefix(a, row, b, row + diagonal)
        if further.get(target, -1) >= rows:
            return edits
        reach = further
    return limit + 1


def _common_prefix(a: str, i: int, b: str, j: int) -> int:
    """How many characters ``a[i:]`` and ``b[j:]`` share at their start.

    Compared in slices that double while they agree (a short run costs a few
    small comparisons, a long one a few long ones, all at C speed).
    """
    most = min(len(a) - i, len(b) - j)
    length, step = 0, 1
    while length < most:
        size = min(step, most - length)
        if a[i + length : i + length + size] == b[j + length : j + length + size]:
            length += size
            step *= 2
        elif size == 1:
            break
        else:
            step = 1
    return length


def letters_in_order(letters: str, first_anchored: bool = False):
    """A test of whether a text holds ``letters`` in order (``dcat`` in data_catalogue).

    Written as ``[^d]*d[^c]*c...`` and matched at the start: each piece can only
    stop at one place, so a text that fails is given up in linear time (the usual
    ``d.*?c.*?...`` backtracks through every combination of places). With
    ``first_anchored`` the text must start with the first letter.
    """
    pieces = [f"[^{re.escape(char)}]*{re.escape(char)}" for char in letters]
    if first_anchored and letters:
        pieces[0] = re.escape(letters[0])
    return re.compile("".join(pieces)).match


@lru_cache(maxsize=8192)
def normalise(identifier: str) -> str:
    """Lower case, separators and spaces as ``_``."""
    return _SEPARATORS.sub("_", identifier.strip().lower())


# British -> American endings and words the field writes both ways
_SPELLINGS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"isation", "ization"),
        (r"ise(s|d)?\b", r"ize\1"),
        (r"ising\b", "izing"),
        (r"yse(s|d)?\b", r"yze\1"),
        (r"ogue\b", "og"),
        (r"ogues\b", "ogs"),
        (r"our\b", "or"),
        (r"ours\b", "ors"),
        (r"(?<=[a-z])re\b", "er"),
        (r"lling\b", "ling"),
        (r"lled\b", "led"),
    )
)


@lru_cache(maxsize=8192)  # called for every candidate of every look-up
def spelling_key(identifier: str) -> str:
    """A key equal for British/American spellings and singular/plural of each word."""
    words = []
    for word in normalise(identifier).split("_"):
        for pattern, replacement in _SPELLINGS:
            word = pattern.sub(replacement, word)
        if len(word) > 3 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
            word = word[:-2]
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return "_".join(words)


def closest(name: str, candidates: Iterable[str], n: int = 3, max_distance: int = 3) -> list[str]:
    """Up to ``n`` candidates nearest to ``name`` (spelling variants first, then edit distance)."""
    target = normalise(name)
    key = spelling_key(name)
    scored = []
    for candidate in candidates:
        if candidate == name:
            continue
        if spelling_key(candidate) == key:
            scored.append((0, candidate))
            continue
        limit = min(max_distance, max(1, len(target) // 3))
        distance = edit_distance(target, normalise(candidate), limit)
        if distance <= limit:
            scored.append((distance, candidate))
    scored.sort()
    return [candidate for _, candidate in scored[:n]]
