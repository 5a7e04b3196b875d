"""How alike two code identifiers are: edit distance and spelling variants.

Used wherever a typo should be caught: ``did you mean ...?`` in ``%%code``, the
near-duplicate check, and the new-code form of the picker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["closest", "edit_distance", "normalise", "spelling_key"]


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance; stops early and returns ``limit + 1`` past ``limit``."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if limit is None:
        limit = len(a)
    if len(a) - len(b) > limit:
        return limit + 1
    # only cells within ``limit`` of the diagonal can stay within ``limit`` (a band)
    past = limit + 1
    previous = [j if j <= limit else past for j in range(len(b) + 1)]
    for i, char_a in enumerate(a, 1):
        current = [past] * (len(b) + 1)
        current[0] = best = min(i, past)
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (char_a != b[j - 1]),
                past,
            )
            current[j] = cost
            best = min(best, cost)
        if best > limit:
            return past
        previous = current
    return previous[-1]


@lru_cache(maxsize=8192)
def normalise(identifier: str) -> str:
    """Lower case, separators and spaces as ``_``."""
    return re.sub(r"[\s\-_]+", "_", identifier.strip().lower())


# British -> American endings and words the field writes both ways
_SPELLINGS = (
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


@lru_cache(maxsize=8192)  # called for every candidate of every look-up
def spelling_key(identifier: str) -> str:
    """A key equal for British/American spellings and singular/plural of each word."""
    words = []
    for word in normalise(identifier).split("_"):
        for pattern, replacement in _SPELLINGS:
            word = re.sub(pattern, replacement, word)
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
