"""How alike two code identifiers are: edit distance and spelling variants.

Used wherever a typo should be caught: ``did you mean ...?`` in ``%%code``, the
near-duplicate check, and the new-code form of the picker.
"""

from __future__ import annotations

import re
from bisect import insort
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain, compress
from typing import ClassVar

__all__ = ["CandidateIndex", "closest", "edit_distance", "normalise", "spelling_key"]


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
    # a common beginning and end change no distance: most near names differ in a few letters
    start, end_a, end_b = 0, len(a), len(b)
    while start < end_b and a[start] == b[start]:
        start += 1
    while end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if not b:
        return len(a) if len(a) <= limit else limit + 1
    # only cells within ``limit`` of the diagonal can stay within ``limit`` (a band)
    past = limit + 1
    width = len(b)
    previous = [j if j <= limit else past for j in range(width + 1)]
    for i, char_a in enumerate(a, 1):
        current = [past] * (width + 1)
        current[0] = best = i if i < past else past
        low = i - limit if i > limit else 1
        high = i + limit if i + limit < width else width
        left = current[low - 1]
        for j in range(low, high + 1):
            cost = previous[j - 1] if char_a == b[j - 1] else previous[j - 1] + 1
            above = previous[j] + 1
            if above < cost:
                cost = above
            if left + 1 < cost:
                cost = left + 1
            if cost > past:
                cost = past
            current[j] = left = cost
            if cost < best:
                best = cost
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
    """Up to ``n`` candidates nearest to ``name`` (spelling variants first, then edit distance).

    Many candidates (a big codebook) are looked up in an index of them, kept for the
    next look-up in the same candidates (:class:`CandidateIndex`); the answer is the
    same as comparing ``name`` with each candidate in turn.
    """
    items = candidates if isinstance(candidates, tuple) else tuple(candidates)
    if len(items) < INDEX_FROM:
        return _closest_by_scan(name, items, n, max_distance)
    return CandidateIndex.of(items).closest(name, n, max_distance)


def _limit(target: str, max_distance: int) -> int:
    return min(max_distance, max(1, len(target) // 3))


def _closest_by_scan(
    name: str, candidates: Iterable[str], n: int = 3, max_distance: int = 3
) -> list[str]:
    target = normalise(name)
    key = spelling_key(name)
    limit = _limit(target, max_distance)
    scored = []
    for candidate in candidates:
        if candidate == name:
            continue
        if spelling_key(candidate) == key:
            scored.append((0, candidate))
            continue
        distance = edit_distance(target, normalise(candidate), limit)
        if distance <= limit:
            scored.append((distance, candidate))
    scored.sort()
    return [candidate for _, candidate in scored[:n]]


# fewer candidates than this are compared one by one (an index would not pay for itself)
INDEX_FROM = 200
_INDEXES_KEPT = 4
PAIRS_COUNTED = 4  # the fewest letter pairs a look-up counts beyond those an edit may change


def _grams(text: str) -> list[str]:
    """The letter pairs of ``^text$``, a repeated pair numbered (``da``, ``da2``, ...).

    A name within ``k`` edits of another shares all but at most ``2k`` of its pairs
    with it (each edit changes at most two), counted with repeats: the filter of
    :class:`CandidateIndex`.
    """
    padded = f"\x00{text}\x01"
    seen: dict[str, int] = {}
    grams = []
    for i in range(len(padded) - 1):
        gram = padded[i : i + 2]
        count = seen[gram] = seen.get(gram, 0) + 1
        grams.append(gram if count == 1 else f"{gram}{count}")
    return grams


class CandidateIndex:
    """Candidates indexed for :func:`closest`: by spelling key and by letter pairs.

    Edit distance is computed only for candidates that could be near enough, nearest
    possible first, and only until no other can beat the best ``n``: a look-up among
    20,000 codes costs about what comparing a few hundred one by one does, and no cache
    of per-candidate keys can overflow (a cliff once a codebook outgrows it).
    """

    _kept: ClassVar[dict[tuple[str, ...], CandidateIndex]] = {}

    def __init__(self, candidates: tuple[str, ...]):
        self.candidates = candidates
        self.normalised = [normalise(candidate) for candidate in candidates]
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_gram: dict[str, list[int]] = defaultdict(list)
        for position, (candidate, text) in enumerate(zip(candidates, self.normalised, strict=True)):
            self.by_key[spelling_key(candidate)].append(position)
            for gram in _grams(text):
                self.by_gram[gram].append(position)

    @classmethod
    def of(cls, candidates: tuple[str, ...]) -> CandidateIndex:
        """The index of ``candidates``, made once for the last few sets looked up in."""
        kept = cls._kept
        index = kept.pop(candidates, None)
        if index is None:
            index = cls(candidates)
            while len(kept) >= _INDEXES_KEPT:
                del kept[next(iter(kept))]
        kept[candidates] = index  # the most recent last
        return index

    def closest(self, name: str, n: int = 3, max_distance: int = 3) -> list[str]:
        """What :func:`closest` answers for ``name`` among the indexed candidates."""
        candidates, normalised = self.candidates, self.normalised
        target = normalise(name)
        limit = _limit(target, max_distance)
        same_key = self.by_key.get(spelling_key(name), ())
        best = sorted((0, candidates[p]) for p in same_key if candidates[p] != name)
        by_gram = self.by_gram
        grams = _grams(target)
        size = len(target)
        # Only the rarer pairs are counted (the commonest are in most candidates): a
        # candidate within ``limit`` edits still shares all but 2 * limit of them.
        grams.sort(key=lambda gram: len(by_gram.get(gram, ())))
        grams = grams[: max(2 * limit + PAIRS_COUNTED, len(grams) * 2 // 3)]
        shared = Counter(chain.from_iterable(by_gram.get(g, ()) for g in grams))
        needed = len(grams) - 2 * limit
        # those sharing enough pairs, picked without a Python loop over all that share one
        near = compress(shared, map(needed.__le__, shared.values()))
        bounds = sorted(
            (max((len(grams) - shared[p] + 1) // 2, abs(len(normalised[p]) - size)), p)
            for p in near
        )
        if needed <= 0:  # so short a name that a candidate may share no pair with it
            bounds += [(abs(len(text) - size), p) for p, text in enumerate(normalised)
                       if p not in shared]  # fmt: skip
            bounds.sort()
        skip = set(same_key)
        for bound, position in bounds:
            if len(best) >= n:
                limit = min(limit, best[n - 1][0])  # only as near as the n-th best, or nearer
            if bound > limit:
                break
            candidate = candidates[position]
            if position in skip or candidate == name:
                continue
            distance = edit_distance(target, normalised[position], limit)
            if distance <= limit and (len(best) < n or (distance, candidate) < best[n - 1]):
                insort(best, (distance, candidate))
                del best[n:]
        return [candidate for _, candidate in best[:n]]
