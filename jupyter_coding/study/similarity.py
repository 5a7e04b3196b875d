"""How alike two codes are: by identifier (typos, spellings, word forms, word order)
and by label.

Used wherever one meaning under two names should be caught: ``did you mean ...?``
in ``check`` and ``%%code``, the near-duplicate and same-label checks, and the
new-code form of the picker. What counts as *the same name* (case, separators,
plural endings, British/American spelling) is :mod:`jupyter_coding.fieldnotes.names`;
this module adds what is only *nearly* the same: a letter or two, another form of a
word (``managing``/``manage``), the same words in another order, and an identifier
whose words are those of another code's label.

Why one module: every 'how alike' rule (edit distance, word forms, labels) and the
candidate index that must answer exactly what the scan answers are tested against each
other.
"""

from __future__ import annotations

import re
from bisect import insort
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import chain, compress
from typing import ClassVar

from jupyter_coding.fieldnotes.names import name_key, normalise, spelling_key

__all__ = [
    "CandidateIndex",
    "closest",
    "content_words",
    "edit_distance",
    "label_fit",
    "letters_in_order",
    "names_label",
    "normalise",
    "spelling_key",
    "stem_key",
    "variant_kind",
    "word_stem",
]


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


# endings of English word forms: ``managing``, ``managed``, ``manage`` are one stem.
# The stem must keep 4 letters, so ``need``, ``used`` and ``red`` stay whole.
_FORM_ENDINGS = ("ing", "ed", "e")
_MIN_STEM = 4


@lru_cache(maxsize=65536)
def word_stem(word: str) -> str:
    """A word without its plural and its verb ending (``permissions`` -> ``permission``,
    ``managing`` and ``manage`` -> ``manag``), after :func:`name_key`'s spelling rules."""
    word = name_key(word)
    for ending in _FORM_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=65536)
def stem_key(text: str) -> str:
    """A key equal for names made of the same words in any order and form.

    ``managing_read_write_permission`` and ``manage_read_write_permissions``,
    ``change_data_capture`` and ``capture_data_change`` share a key. Small words
    count (``data_as_a_product`` is not ``data_product``).
    """
    return "_".join(sorted(word_stem(word) for word in name_key(text).split("_") if word))


# words that carry no meaning of their own in a label
STOP_WORDS = frozenset(
    """
    a an the of for to and or in on at by as is are be it its with from into via per each
    vs versus their your our this that
    """.split()  # noqa: SIM905 - a word list reads better as words
)


@lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    """The stems of a name's or label's meaningful words (small words left out)."""
    return frozenset(
        word_stem(word) for word in name_key(text).split("_") if word and word not in STOP_WORDS
    )


def label_fit(identifier: str, label: str | None) -> float:
    """How much an identifier and a label share words (0 to 1, Jaccard of content words)."""
    if not label:
        return 0.0
    ours, theirs = content_words(identifier), content_words(label)
    if not ours or not theirs:
        return 0.0
    return len(ours & theirs) / len(ours | theirs)


# an identifier names a label when it holds at least this many of the label's words
# (``configure_pipelines_for_dependency_management`` is "Configure pipelines for
# dependency management"; ``single_subscription_separate_workspace_per_domain`` is "A
# single Azure Subscription with separate workspaces for each domain")
LABEL_COVERAGE = 0.75


def names_label(identifier: str, label: str | None) -> bool:
    """True when all of the identifier's words (two or more) are in ``label``, and they
    make up most of it: the identifier is that label written as a name."""
    if not label:
        return False
    ours, theirs = content_words(identifier), content_words(label)
    if len(ours) < 2 or not ours <= theirs:
        return False
    return len(ours) / len(theirs) >= LABEL_COVERAGE


def _typo(a: str, b: str) -> bool:
    """Two words one typo apart: a letter (5 letters or more), or two letters moved
    (6 letters or more, the same letters: ``workpasce``/``workspace``). Two other
    letters apart are often other words (``production``/``protection``)."""
    if min(len(a), len(b)) < 5:
        return False
    distance = edit_distance(a, b, 2)
    return distance <= 1 or (distance == 2 and len(a) >= 6 and sorted(a) == sorted(b))


def _plural_pair(x: str, y: str) -> bool:
    short, long = sorted((x, y), key=len)
    return long in (short + "s", short + "es") or (short[-1:] == "y" and long == short[:-1] + "ies")


def variant_kind(a: str, b: str) -> str | None:
    """Why two identifiers look like one code, in words; None when they do not.

    The same words in British/American spelling, singular/plural, case or spacing;
    one letter apart (5 letters or more); the same words in another form or order
    (``managing_read_write_permission``/``manage_read_write_permissions``); or one
    word with two letters moved in an otherwise equal name
    (``dedicated_workpasce``/``dedicated_workspace``).
    """
    if a == b:
        return None
    if spelling_key(a) == spelling_key(b):
        return _spelling_variant(a, b)
    na, nb = normalise(a), normalise(b)
    if min(len(na), len(nb)) >= 5 and edit_distance(na, nb, 1) <= 1:
        return "one letter apart"
    words_a, words_b = na.split("_"), nb.split("_")
    if stem_key(a) == stem_key(b):
        kinds = []
        if [word_stem(w) for w in words_a] != [word_stem(w) for w in words_b]:
            kinds.append("the same words in another order")
        pairs = zip(sorted(words_a, key=word_stem), sorted(words_b, key=word_stem), strict=True)
        forms = {
            "singular/plural" if spelling_key(x) == spelling_key(y) else "another form of a word"
            for x, y in pairs
            if x != y
        }
        kinds += sorted(forms)
        return " and ".join(kinds) or "another form of a word"
    if len(words_a) == len(words_b) and len(words_a) > 1:
        differing = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
        if len(differing) == 1 and _typo(*differing[0]):
            x, y = differing[0]
            return f"a typo in one word ({x}/{y})"
    return None


def _spelling_variant(a: str, b: str) -> str:
    """Why two identifiers with one spelling key differ, in words."""
    words_a, words_b = normalise(a).split("_"), normalise(b).split("_")
    kinds = []
    if normalise(a) != a or normalise(b) != b:
        kinds.append("spaces or case")
    if len(words_a) == len(words_b):
        for x, y in zip(words_a, words_b, strict=True):
            if x == y:
                continue
            kinds.append("singular/plural" if _plural_pair(x, y) else "British/American spelling")
    else:
        kinds.append("word split")
    return " and ".join(dict.fromkeys(kinds)) or "spelling variant"


def closest(
    name: str,
    candidates: Iterable[str],
    n: int = 3,
    max_distance: int = 3,
    labels: Mapping[str, str | None] | None = None,
) -> list[str]:
    """Up to ``n`` candidates nearest to ``name``, best first.

    First the candidates that are ``name`` in another spelling, form or word order
    (by identifier, or by label when ``labels`` gives the candidates' labels), then
    those a few letters away, then those whose label ``name``'s words spell out
    (:func:`names_label`). Many candidates (a big codebook) are looked up in an index
    kept for the next look-up in the same candidates (:class:`CandidateIndex`); the
    answer is the same as comparing ``name`` with each candidate in turn.
    """
    items = candidates if isinstance(candidates, tuple) else tuple(candidates)
    if len(items) < INDEX_FROM:
        return _closest_by_scan(name, items, n, max_distance, labels)
    return CandidateIndex.of(items, labels).closest(name, n, max_distance)


def _limit(target: str, max_distance: int) -> int:
    return min(max_distance, max(1, len(target) // 3))


def _closest_by_scan(
    name: str,
    candidates: Iterable[str],
    n: int = 3,
    max_distance: int = 3,
    labels: Mapping[str, str | None] | None = None,
) -> list[str]:
    """:func:`closest` by comparing ``name`` with each candidate in turn."""
    target = normalise(name)
    key, stems = spelling_key(name), stem_key(name)
    limit = _limit(target, max_distance)
    scored = []
    for candidate in candidates:
        if candidate == name:
            continue
        label = labels.get(candidate) if labels else None
        if spelling_key(candidate) == key or stem_key(candidate) == stems:
            scored.append((0.0, candidate))
            continue
        if label and (name_key(label) == name_key(name) or stem_key(label) == stems):
            scored.append((0.5, candidate))
            continue
        distance = edit_distance(target, normalise(candidate), limit)
        if distance <= limit:
            scored.append((float(distance), candidate))
        elif label and names_label(name, label):
            scored.append((limit + 0.5 - label_fit(name, label), candidate))
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
        number = seen[gram] = seen.get(gram, 0) + 1
        grams.append(gram if number == 1 else f"{gram}{number}")
    return grams


class CandidateIndex:
    """Candidates indexed for :func:`closest`: by spelling and stem key, by letter pairs,
    and by their labels' keys and words.

    Edit distance is computed only for candidates that could be near enough, nearest
    possible first, and only until no other can beat the best ``n``: a look-up among
    20,000 codes costs about what comparing a few hundred one by one does, and no cache
    of per-candidate keys can overflow (a cliff once a codebook outgrows it).
    """

    _kept: ClassVar[dict[tuple, CandidateIndex]] = {}

    def __init__(
        self, candidates: tuple[str, ...], labels: tuple[str | None, ...] | None = None
    ) -> None:
        self.candidates = candidates
        self.labels = labels
        self.normalised = [normalise(candidate) for candidate in candidates]
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_gram: dict[str, list[int]] = defaultdict(list)
        self.by_label_key: dict[str, list[int]] = defaultdict(list)
        self.by_label_word: dict[str, set[int]] = defaultdict(set)
        for position, (candidate, text) in enumerate(zip(candidates, self.normalised, strict=True)):
            self.by_key[spelling_key(candidate)].append(position)
            self.by_key[stem_key(candidate)].append(position)
            for gram in _grams(text):
                self.by_gram[gram].append(position)
        for position, label in enumerate(labels or ()):
            if label:
                self.by_label_key[name_key(label)].append(position)
                self.by_label_key[stem_key(label)].append(position)
                for word in content_words(label):
                    self.by_label_word[word].add(position)

    @classmethod
    def of(
        cls, candidates: tuple[str, ...], labels: Mapping[str, str | None] | None = None
    ) -> CandidateIndex:
        """The index of ``candidates`` (and their labels), made once for the last few sets."""
        known = tuple(labels.get(c) for c in candidates) if labels else None
        kept = cls._kept
        index = kept.pop((candidates, known), None)
        if index is None:
            index = cls(candidates, known)
            while len(kept) >= _INDEXES_KEPT:
                del kept[next(iter(kept))]
        kept[candidates, known] = index  # the most recent last
        return index

    def closest(self, name: str, n: int = 3, max_distance: int = 3) -> list[str]:
        """What :func:`closest` answers for ``name`` among the indexed candidates."""
        candidates = self.candidates
        target = normalise(name)
        limit = _limit(target, max_distance)
        stems = stem_key(name)
        scored: dict[int, float] = {}
        for position in (*self.by_key.get(spelling_key(name), ()), *self.by_key.get(stems, ())):
            if candidates[position] != name:
                scored[position] = 0.0
        for key in (name_key(name), stems):
            for position in self.by_label_key.get(key, ()):
                if candidates[position] != name:
                    scored.setdefault(position, 0.5)
        for distance, position in self._nearest(target, name, limit, n, set(scored)):
            scored[position] = float(distance)
        words = content_words(name)
        if self.labels and len(words) >= 2:
            holders = set.intersection(*(self.by_label_word.get(w, set()) for w in words))
            for position in holders - set(scored):
                label = self.labels[position]
                if candidates[position] == name or not names_label(name, label):
                    continue
                distance = edit_distance(target, self.normalised[position], limit)
                scored[position] = (
                    float(distance) if distance <= limit else limit + 0.5 - label_fit(name, label)
                )
        ranked = sorted((score, candidates[position]) for position, score in scored.items())
        return [candidate for _, candidate in ranked[:n]]

    def _nearest(
        self, target: str, name: str, limit: int, n: int, skip: set[int]
    ) -> list[tuple[int, int]]:
        """(distance, position) of the ``n`` nearest candidates within ``limit`` edits,
        ``skip`` left out."""
        candidates, normalised, by_gram = self.candidates, self.normalised, self.by_gram
        best: list[tuple[int, str, int]] = []
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
        for bound, position in bounds:
            if len(best) >= n:
                limit = min(limit, best[n - 1][0])  # only as near as the n-th best, or nearer
            if bound > limit:
                break
            candidate = candidates[position]
            if position in skip or candidate == name:
                continue
            distance = edit_distance(target, normalised[position], limit)
            if distance <= limit and (len(best) < n or (distance, candidate) < best[n - 1][:2]):
                insort(best, (distance, candidate, position))
                del best[n:]
        return [(distance, position) for distance, _, position in best]


def similar_pairs(names: Iterable[str]) -> list[tuple[str, str, str]]:
    """Pairs of names that look like one code, ``(a, b, why)`` with ``a < b``, sorted.

    :func:`variant_kind` decides; candidates come from indexes (spelling key, stem
    key, one-character deletions, the name with one word left out), so a large
    codebook costs no comparison per pair.
    """
    unique = sorted(set(names))
    groups: dict[tuple, set[str]] = {}

    def index(key: tuple, name: str) -> None:
        groups.setdefault(key, set()).add(name)

    for name in unique:
        index(("spelling", spelling_key(name)), name)
        index(("stem", stem_key(name)), name)
        normal = normalise(name)
        if len(normal) >= 5:
            index(("deletion", normal), name)
            for i in range(len(normal)):
                index(("deletion", normal[:i] + normal[i + 1 :]), name)
        words = normal.split("_")
        if len(words) > 1:
            for i in range(len(words)):
                index(("word", len(words), i, *words[:i], *words[i + 1 :]), name)
    pairs: dict[tuple[str, str], str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        ordered = sorted(group)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if (a, b) not in pairs and (why := variant_kind(a, b)) is not None:
                    pairs[a, b] = why
    return sorted((a, b, why) for (a, b), why in pairs.items())
