"""What the code picker knows and does, without any widget (no ipywidgets import here).

:class:`CodeIndex` is the codebook prepared for filtering as you type: codes in
ranked order (most used first) with their lowered identifier and label, so one
keystroke over 10,000 codes takes a few milliseconds. :class:`PickerState` is one
picker: the query, its ranked matches, the highlighted match, the codes picked,
the new codes created, and the cell body with all of them added
(:func:`~jupyter_coding.kernel.widgets.cell_edit.add_codes`).

Why one module: it is the picker's whole state machine (query, ranking, evidence, picks,
the new-code form), kept apart from the widgets so it is tested without a front end.
"""

from __future__ import annotations

import keyword
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_coding.kernel.widgets.cell_edit import NewCode, add_codes
from jupyter_coding.study.codebook import Code, Codebook, Evidence, most_used_first
from jupyter_coding.study.similarity import closest, letters_in_order, spelling_key
from jupyter_coding.study.sources import coding_order

__all__ = [
    "DEFAULT_METACLASSES",
    "CodeDetail",
    "CodeIndex",
    "EvidenceQuote",
    "Match",
    "NewCodeCheck",
    "PickerState",
    "index_of",
    "label_from_identifier",
    "rank_evidence",
]

# match tiers, best first
EXACT, PREFIX, WORD_PREFIX, SUBSTRING, LETTERS_IN_ORDER = range(5)
TIER_NAMES = ("exact", "prefix", "word prefix", "substring", "letters in order")
DEFAULT_METACLASSES = ("practice", "force", "pattern", "decision")
_SEPARATORS = re.compile(r"[\s\-]+")
# evidence quotes shown at first for the highlighted code (More shows as many again),
# and how long each may be
EVIDENCE_SHOWN = 3
QUOTE_CHARS = 280
# with this many quotes or more, words that most of them hold are left out of the overlap
MIN_QUOTES_FOR_COMMON = 4
# files read for the evidence of one code, at most (spread over the study): a code that
# thousands of files apply would take seconds to show
EVIDENCE_FILES_READ = 100


@dataclass(frozen=True)
class Match:
    """A code that matches the query, and how well (``tier``, see TIER_NAMES)."""

    identifier: str
    label: str | None
    metaclass: str | None
    use_count: int
    tier: int

    @property
    def how(self) -> str:
        return TIER_NAMES[self.tier]


class CodeIndex:
    """Codes in ranked order (most used first, then by identifier), ready to filter."""

    def __init__(self, codes: list[Code]) -> None:
        ranked = sorted(codes, key=most_used_first)
        counted = [(code, code.use_count) for code in ranked]  # use_count walks the uses
        self.codes = [code for code, _ in counted]
        self._entries = [
            (code.identifier, code.label, code.metaclass, uses) for code, uses in counted
        ]
        self._identifiers = [code.identifier.lower() for code in self.codes]
        self._labels = [(code.label or "").lower() for code in self.codes]
        # identifier and label in one string, so a plain query costs one ``in`` per code
        self._combined = [
            f"{identifier}\t{label}"
            for identifier, label in zip(self._identifiers, self._labels, strict=True)
        ]
        # the last query, its substring matches and its letters-in-order matches (or None)
        self._last: tuple[str, list[int], list[int] | None] | None = None

    @classmethod
    def from_codebook(cls, codebook: Codebook) -> CodeIndex:
        return cls(list(codebook.codes.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def _match(self, position: int, tier: int) -> Match:
        identifier, label, metaclass, uses = self._entries[position]
        return Match(identifier, label, metaclass, uses, tier)

    def _letters_in_order(self, letters: str, candidates: list[int] | None) -> list[int]:
        """Positions whose identifier holds ``letters`` in order (``dcat`` -> data_catalogue)."""
        match, identifiers = letters_in_order(letters), self._identifiers
        if candidates is None:
            return [p for p, identifier in enumerate(identifiers) if match(identifier)]
        return [p for p in candidates if match(identifiers[p])]

    def _substring(self, text: str, as_identifier: str, candidates: list[int] | None) -> list[int]:
        if as_identifier == text:  # no spaces or hyphens: one test on identifier and label
            combined = self._combined
            if candidates is None:
                return [p for p, both in enumerate(combined) if text in both]
            return [p for p in candidates if text in combined[p]]
        identifiers, labels = self._identifiers, self._labels
        positions = range(len(identifiers)) if candidates is None else candidates
        return [p for p in positions if as_identifier in identifiers[p] or text in labels[p]]

    def search(self, query: str, limit: int | None = None) -> tuple[list[Match], int]:
        """Ranked matches of ``query`` (the first ``limit``) and how many match in all.

        Identifier and label, case-insensitive; spaces and hyphens in the query
        match ``_`` in identifiers. Exact, then prefix, then word prefix, then
        substring, then letters in order (identifiers only); ties most used first.
        Letters in order are looked for only while the substring matches do not
        fill ``limit`` (they would not be shown), and then counted in the total.
        """
        text = query.strip().lower()
        if not text:
            self._last = None
            shown = range(len(self._entries) if limit is None else min(limit, len(self._entries)))
            return [self._match(p, PREFIX) for p in shown], len(self._entries)
        as_identifier = _SEPARATORS.sub("_", text)
        letters = as_identifier.replace("_", "")
        # a longer query matches a subset of what its prefix matched
        narrowing = self._last is not None and text.startswith(self._last[0])
        previous_substring, previous_letters = self._last[1:] if narrowing else (None, None)
        substring = self._substring(text, as_identifier, previous_substring)
        tiers: list[list[int]] = [[], [], [], [], []]
        identifiers, labels = self._identifiers, self._labels
        word_identifier, word_label = "_" + as_identifier, " " + text
        for p in substring:
            identifier, label = identifiers[p], labels[p]
            if identifier == as_identifier or label == text:
                tiers[EXACT].append(p)
            elif identifier.startswith(as_identifier) or label.startswith(text):
                tiers[PREFIX].append(p)
            elif word_identifier in identifier or word_label in label:
                tiers[WORD_PREFIX].append(p)
            else:
                tiers[SUBSTRING].append(p)
        letters_found: list[int] | None = None
        if len(letters) >= 2 and (limit is None or len(substring) < limit):
            if previous_letters is not None:
                candidates = sorted({*previous_letters, *previous_substring})
            else:
                candidates = None
            letters_found = self._letters_in_order(letters, candidates)
            seen = set(substring)
            tiers[LETTERS_IN_ORDER] = [p for p in letters_found if p not in seen]
        self._last = (text, substring, letters_found)
        total = sum(len(t) for t in tiers)
        matches: list[Match] = []
        for tier, members in enumerate(tiers):
            for p in members:
                if limit is not None and len(matches) >= limit:
                    return matches, total
                matches.append(self._match(p, tier))
        return matches, total


_INDEX_CACHE: dict[int, tuple[object, CodeIndex]] = {}


def index_of(codebook: Codebook) -> CodeIndex:
    """The codebook's index, rebuilt only when its codes changed."""
    codes = codebook.codes  # a new dict object whenever the codebook changed
    cached = _INDEX_CACHE.get(id(codebook))
    if cached is not None and cached[0] is codes:
        return cached[1]
    index = CodeIndex(list(codes.values()))
    _INDEX_CACHE.clear()  # one codebook per session: keep one index, no leak
    _INDEX_CACHE[id(codebook)] = (codes, index)
    return index


_WORD = re.compile(r"[^\W\d_]{3,}")
# words too common to say two quotes are about the same thing
_COMMON_WORDS = frozenset(
    "the and for that this with are was were have has had not but you your our they their "  # noqa: SIM905
    "them its can will would should could also more most from into than then there here what "
    "which who when where how all any each some such one two been being very just about over "
    "only other out use used using like".split()
)


def quote_words(text: str) -> frozenset[str]:
    """The words of a quote that say what it is about (lower case, three letters or more)."""
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _COMMON_WORDS)


def word_overlap(words: frozenset[str], others: frozenset[str]) -> float:
    """Shared words over all words of both (Jaccard): 0 when either has none."""
    if not words or not others:
        return 0.0
    return len(words & others) / len(words | others)


@dataclass(frozen=True)
class EvidenceQuote:
    """A quote another source codes with the code, and how close it is to the cell's own."""

    path: str
    source: str | None
    line: int
    text: str  # whitespace folded, shortened to QUOTE_CHARS
    overlap: float  # word overlap with the quotes the cell codes (0 when none are known)

    @property
    def where(self) -> str:
        return f"{Path(self.path).name}:{self.line}"


def rank_evidence(
    evidence: Iterable[Evidence],
    own_quotes: Sequence[str] = (),
    exclude_path: str | None = None,
    exclude_source: str | None = None,
) -> list[EvidenceQuote]:
    """Quotes of other sources, nearest and most varied first (constant comparison).

    Each source's best quote comes before any source's second one; within a round,
    the quotes that share most words with the cell's own quotes come first (words
    shared over all words of both; words more than half the quotes hold do not
    count), then sources in coding order. The file ``exclude_path`` (the cell's own; else the
    source ``exclude_source``) is left out.
    """
    excluded = os.path.realpath(exclude_path) if exclude_path else None
    candidates: list[tuple[Evidence, frozenset[str]]] = []
    seen: set[tuple[str, int]] = set()
    for item in evidence:
        if (item.path, item.quote_line) in seen:
            continue
        seen.add((item.path, item.quote_line))
        if excluded is not None:
            if os.path.realpath(item.path) == excluded:
                continue
        elif exclude_source is not None and item.source == exclude_source:
            continue
        candidates.append((item, quote_words(item.text)))
    # a word most of the quotes share ("data" in a study of data products) says nothing
    # about which of them is nearest
    shared_by = Counter(word for _, words in candidates for word in words)
    common = (
        {w for w, n in shared_by.items() if n > len(candidates) / 2}
        if len(candidates) >= MIN_QUOTES_FOR_COMMON
        else set()
    )
    own = quote_words(" ".join(own_quotes)) - common
    by_file: dict[str, list[EvidenceQuote]] = {}
    for item, words in candidates:
        text = " ".join(item.text.split())
        overlap = word_overlap(words - common, own)
        if len(text) > QUOTE_CHARS:
            text = text[: QUOTE_CHARS - 1].rstrip() + "…"
        by_file.setdefault(item.path, []).append(
            EvidenceQuote(item.path, item.source, item.quote_line, text, overlap)
        )
    for quotes in by_file.values():
        quotes.sort(key=lambda q: (-q.overlap, q.line))
    ranked: list[EvidenceQuote] = []
    depth = max((len(quotes) for quotes in by_file.values()), default=0)
    for round_number in range(depth):
        this_round = [
            quotes[round_number] for quotes in by_file.values() if round_number < len(quotes)
        ]
        this_round.sort(key=lambda q: (-q.overlap, coding_order(q.source), q.path))
        ranked += this_round
    return ranked


def site_name(path: str, line: int) -> str:
    """``s_1.md:196``; a cell run in this session (not in a file yet) says so."""
    if path.startswith("<"):
        return "a cell of this notebook"
    return f"{Path(path).name}:{line}"


@dataclass
class CodeDetail:
    """What the picker shows for the highlighted code (constant comparison)."""

    identifier: str
    metaclass: str | None
    label: str | None
    definitions: list[str]  # "metaclass "Label" (s_1.md:268)"
    use_count: int
    uses_by_kind: dict[str, int]
    sources: list[str]
    evidence: list[EvidenceQuote]  # every quote of other sources, best first
    definition_sites: list[tuple[str, int]] = field(default_factory=list)
    files_read: int = 0  # of the files that apply the code, those the evidence is from
    files_applying: int = 0

    @property
    def evidence_sources(self) -> int:
        """How many other sources the evidence comes from."""
        return len({quote.path for quote in self.evidence})

    @classmethod
    def of(
        cls,
        code: Code,
        evidence: Iterable[Evidence] | None = None,
        own_quotes: Sequence[str] = (),
        exclude_path: str | None = None,
        exclude_source: str | None = None,
        files_read: int | None = None,
    ) -> CodeDetail:
        """The detail of ``code``; ``evidence`` defaults to the quotes the codebook kept.

        ``files_read``: how many of the files that apply the code the evidence was read
        from (default: all of them)."""
        definitions = [
            f'{d.metaclass} "{d.label or ""}" ({site_name(d.path, d.line)})'
            for d in code.definitions
        ]
        by_kind: dict[str, int] = {}
        for use in code.uses:
            by_kind[use.how] = by_kind.get(use.how, 0) + 1
        applying = len({use.path for use in code.applications})
        ranked = rank_evidence(
            code.evidence if evidence is None else evidence,
            own_quotes,
            exclude_path,
            exclude_source,
        )
        return cls(
            code.identifier,
            code.metaclass,
            code.label,
            definitions,
            code.use_count,
            by_kind,
            code.sources,
            ranked,
            [(d.path, d.line) for d in code.definitions],
            applying if files_read is None else min(files_read, applying),
            applying,
        )


@dataclass
class NewCodeCheck:
    """Whether a new code may be created: errors refuse it, similar codes need a confirm."""

    identifier: str
    errors: list[str] = field(default_factory=list)
    similar: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.similar


def label_from_identifier(identifier: str) -> str:
    """``platform_team`` -> ``Platform Team`` (the label a new code gets when none is typed)."""
    return " ".join(word.capitalize() for word in identifier.split("_") if word)


class PickerState:
    """One picker: a query over the study's codes, and the codes picked for one cell."""

    def __init__(
        self,
        codebook: Codebook,
        body: str = "",
        source_id: str | None = None,
        limit: int = 8,
        index: CodeIndex | None = None,
        in_trace: list[str] | None = None,
        own_quotes: Sequence[str] = (),
        own_path: str | None = None,
    ) -> None:
        self.codebook = codebook
        self._index = index
        self.own_quotes = list(own_quotes)  # the quotes the cell codes, to rank the evidence
        self.own_path = own_path  # the cell's own file: its quotes are not evidence here
        self.evidence_shown = EVIDENCE_SHOWN
        self._details: tuple[object, dict[str, CodeDetail]] = (None, {})
        self.body = body
        self.source_id = source_id
        self.limit = limit
        self.in_trace = list(in_trace or [])  # codes the cell already attaches
        self.picks: list[str] = []
        self.new_codes: list[NewCode] = []
        self._query = ""
        self.highlight = 0
        self.matches: list[Match] = []
        self.total = 0
        self.query = ""

    # -- searching -----------------------------------------------------
    @property
    def index(self) -> CodeIndex:
        """The index of the codebook as it is now (counts follow the cells run since)."""
        return self._index if self._index is not None else index_of(self.codebook)

    @property
    def query(self) -> str:
        return self._query

    @query.setter
    def query(self, text: str) -> None:
        self._query = text
        self.matches, self.total = self.index.search(text, self.limit)
        self.highlight = 0
        self.evidence_shown = EVIDENCE_SHOWN

    @property
    def highlighted(self) -> Match | None:
        return self.matches[self.highlight] if self.matches else None

    def move(self, step: int) -> Match | None:
        """Move the highlight by ``step`` within the shown matches (wrapping around)."""
        if self.matches:
            self.highlight = (self.highlight + step) % len(self.matches)
            self.evidence_shown = EVIDENCE_SHOWN
        return self.highlighted

    def detail(self, identifier: str | None = None) -> CodeDetail | None:
        """Definition, uses and evidence of a code (default: the highlighted one).

        The evidence is every quote other sources code with it, read on demand
        (:meth:`Codebook.evidence`) and ranked by :func:`rank_evidence`.
        """
        if identifier is None:
            match = self.highlighted
            identifier = match.identifier if match else None
        code = self.codebook.get(identifier) if identifier else None
        if code is None:
            return None
        codes = self.codebook.codes  # a new dict whenever the codebook changed
        if self._details[0] is not codes:
            self._details = (codes, {})
        details = self._details[1]
        if identifier not in details:
            details[identifier] = CodeDetail.of(
                code,
                self.codebook.evidence(identifier, EVIDENCE_FILES_READ),
                self.own_quotes,
                self.own_path,
                self.source_id,
                EVIDENCE_FILES_READ,
            )
        return details[identifier]

    def more_evidence(self) -> int:
        """Show as many evidence quotes again; returns how many are shown now."""
        detail = self.detail()
        total = len(detail.evidence) if detail is not None else 0
        self.evidence_shown = min(self.evidence_shown + EVIDENCE_SHOWN, max(total, EVIDENCE_SHOWN))
        return self.evidence_shown

    # -- picking -------------------------------------------------------
    def pick(self, identifier: str | None = None) -> str | None:
        """Add a code (default: the highlighted match) to the picks; None when nothing to pick.

        Picking a code already picked or already in the trace changes nothing.
        """
        if identifier is None:
            if not self._query.strip():
                return None  # Enter in an empty box must not pick the most used code
            match = self.highlighted
            if match is None:
                return None
            identifier = match.identifier
        if identifier not in self.picks and identifier not in self.in_trace:
            self.picks.append(identifier)
        return identifier

    def unpick(self, identifier: str | None = None) -> str | None:
        """Take a code back (default: the last one picked or created)."""
        if identifier is None:
            if not self.picks:
                return None
            identifier = self.picks[-1]
        if identifier in self.picks:
            self.picks.remove(identifier)
        self.new_codes = [c for c in self.new_codes if c.identifier != identifier]
        return identifier

    @property
    def changed(self) -> bool:
        return bool(self.picks)

    # -- new codes -----------------------------------------------------
    @property
    def metaclasses(self) -> list[str]:
        """Metaclasses of the study, most used first (the usual four when it has none)."""
        return self.codebook.metaclasses() or list(DEFAULT_METACLASSES)

    def check_new_code(self, identifier: str, metaclass: str, label: str = "") -> NewCodeCheck:
        """Refuse what cannot be a code; list existing codes it would duplicate."""
        identifier = identifier.strip()
        check = NewCodeCheck(identifier)
        if not identifier:
            check.errors.append("type an identifier for the new code")
        elif not identifier.isidentifier() or keyword.iskeyword(identifier):
            check.errors.append(
                f"{identifier!r} is not a valid identifier: letters, digits and _, "
                "not starting with a digit, not a Python keyword"
            )
        elif identifier in self.codebook or identifier in self._new_identifiers():
            check.errors.append(f"{identifier} is already a code: pick it instead")
        if metaclass.strip() not in self.metaclasses:
            check.errors.append(
                f"metaclass {metaclass.strip()!r} is not one of the study's: "
                + ", ".join(self.metaclasses)
            )
        if '"' in label or "\n" in label or "\\" in label:
            check.errors.append('a label is one line without " or \\')
        if check.errors:
            return check
        known = self.index.codes
        names = [code.identifier for code in known] + self._new_identifiers()
        similar = closest(identifier, names, n=3, max_distance=2)
        key = spelling_key(identifier)
        similar += [n for n in names if spelling_key(n) == key and n not in similar]
        wanted = label.strip().lower()
        if wanted:
            similar += [
                code.identifier
                for code in known
                if (code.label or "").strip().lower() == wanted and code.identifier not in similar
            ]
        check.similar = similar
        return check

    def _new_identifiers(self) -> list[str]:
        return [code.identifier for code in self.new_codes]

    def create(
        self, identifier: str, metaclass: str, label: str = "", allow_similar: bool = False
    ) -> NewCodeCheck:
        """Create a new code and pick it, if :meth:`check_new_code` allows.

        Near-duplicates of existing codes are refused unless ``allow_similar``.
        An empty label becomes the identifier in title case.
        """
        check = self.check_new_code(identifier, metaclass, label)
        if check.errors or (check.similar and not allow_similar):
            return check
        identifier = identifier.strip()
        label = label.strip() or label_from_identifier(identifier)
        self.new_codes.append(NewCode(identifier, metaclass.strip(), label))
        self.picks.append(identifier)
        return check

    # -- the cell ------------------------------------------------------
    def apply(self, body: str | None = None) -> str:
        """The cell body with the picks added (definitions for the new codes)."""
        body = self.body if body is None else body
        if not self.picks:
            return body
        return add_codes(body, self.picks, self.new_codes, self.source_id)
