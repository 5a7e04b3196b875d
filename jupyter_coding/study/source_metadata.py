"""A source's metadata, and what the rest of the study says about each value.

The header and the source's ``CClass`` hold the same facts about a source (FORMAT.md
§3, §4). A file started as a copy of another goes wrong in two ways: one side is
updated and the other is not (they disagree), or neither is and both carry the
other source's title, url, tiny url or archive url (they agree, on the wrong
values). To tell which value is right, this module weighs the evidence the study
itself holds:

* the source id a tiny or archive url ends with, where the study's urls end with
  their source's id (``https://tinyurl.com/data-as-a-product-s21``);
* the words of a url's path against the title (``/designing-data-products-b6b93edf3d23``
  is "Designing Data Products");
* other sources holding the same value (unless most sources of the kind share it:
  a placeholder, such as one repository url for all interviews);
* the source's other fields (a url field holding the tiny url), empty values,
  values that are no url, the study's vocabulary;
* the CodeableModels model's values for the source, when one is given.

Checks (JC301, JC305) and their fixes read it; it reads the document model only.

Why one module: a source's two sides and the evidence of the rest of the study about
each value are weighed together; splitting would split each verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jupyter_coding.fieldnotes.model import SOURCE_KEYS, FieldNotes
from jupyter_coding.fieldnotes.names import name_key
from jupyter_coding.study.similarity import content_words, edit_distance
from jupyter_coding.study.sources import coding_order, file_name_source_id

__all__ = [
    "COPY_FIELDS",
    "URL_FIELDS",
    "Copy",
    "MetadataEvidence",
    "SideValue",
    "SourceMetadata",
    "Verdict",
    "is_url",
    "url_scheme_typo",
]

URL_FIELDS = ("url", "tiny url", "archive url")
# the fields one source never shares with another
COPY_FIELDS = ("title", *URL_FIELDS)
YES_NO_FIELDS = ("source code", "example")
HEADER = "header"
CCLASS = "CClass"
# how many of a file's first quotes may repeat its title, and how much of each to keep
OPENING_QUOTES = 3
OPENING_LENGTH = 300


@dataclass(frozen=True)
class SideValue:
    """One side's value of a field: the header's text, or the CClass's value."""

    side: str  # "header" | "CClass"
    value: object  # header: str; CClass: str, True/False/None, or source text
    line: int  # file line of the value (the header's value line, the CClass key line)
    raw: str | None = None  # that line as written (no line end), for fixes; None when
    # the value is not one line of its own (several lines, or none at all)

    @property
    def text(self) -> str:
        """The value as text, spaces collapsed (``True``/``False`` for a CClass's flags)."""
        if isinstance(self.value, str):
            return " ".join(self.value.split())
        return str(self.value)


@dataclass(eq=False)
class SourceMetadata:
    """A file's header and CClass values, by header field name, with their lines."""

    path: str
    claimed: str | None  # the id the file claims (its header's, else its CClass's)
    file_id: str | None  # the id its file name gives
    cclass_name: str | None
    cclass_line: int | None  # the first line of the CClass code
    header: dict[str, SideValue] = field(default_factory=dict)
    cclass: dict[str, SideValue] = field(default_factory=dict)
    # the name keys of the first quotes, which often repeat the article's title
    opening: tuple[str, ...] = ()

    @classmethod
    def of(cls, notes: FieldNotes) -> SourceMetadata:
        header, source = notes.header, notes.source
        path = notes.path or "<text>"
        meta = cls(
            path,
            notes.source_id,
            file_name_source_id(path) if notes.path else None,
            source.name if source is not None else None,
            (source.block.code_line if source.block else source.line) if source else None,
        )
        if header is not None:
            for item in header.fields:
                if item.name not in SOURCE_KEYS:
                    continue
                value_lines = [
                    line.rstrip("\r\n") for line in header.lines[item.value_start : item.value_end]
                ]
                written = list(value_lines)
                while written and not written[-1].strip():
                    written.pop()  # the blank lines closing a value are layout
                raw = written[0] if len(written) == 1 else value_lines[0] if value_lines else None
                if len(written) > 1:
                    raw = None
                line = header.line + item.heading + 1
                meta.header[item.name] = SideValue(HEADER, header.value(item.name), line, raw)
        if source is not None:
            for name, key in SOURCE_KEYS.items():
                if key in source.values:
                    line = source.value_line(key) or source.line
                    offset = line - source.line
                    raw = (
                        source.lines[offset].rstrip("\r\n") if offset < len(source.lines) else None
                    )
                    meta.cclass[name] = SideValue(CCLASS, source.values[key], line, raw)
        meta.opening = tuple(name_key(quote.plain_text) for quote in notes.quotes[:OPENING_QUOTES])
        return meta

    def quotes_title(self, title: str) -> bool:
        """Whether one of the first quotes is the title (or starts with it)."""
        key = name_key(title)
        return bool(key) and any(
            quote == key or quote.startswith(key + "_") for quote in self.opening
        )

    @cached_property
    def own_id(self) -> str | None:
        """The source the file is: the id two of file name, header and CClass agree on,
        else the file name's, else the one it claims."""
        agreed = agreed_id(self.file_id, self.claimed, self.cclass_name)
        return agreed or self.file_id or self.claimed or self.cclass_name

    @cached_property
    def kind(self) -> str:
        """The kind letters of the source's id (``s``, ``p``)."""
        return _KIND.match(self.own_id or "").group()

    @cached_property
    def coded(self) -> tuple:
        """Where the source comes in the order the study was coded in."""
        return coding_order(self.own_id), self.path

    def values(self, name: str) -> list[SideValue]:
        return [side[name] for side in (self.header, self.cclass) if name in side]

    def agreed(self, name: str) -> SideValue | None:
        """The field's value when header and CClass say the same (or only one says it)."""
        found = self.values(name)
        if not found or len({value.text for value in found}) > 1:
            return None
        return found[0]


def agreed_id(*ids: str | None) -> str | None:
    """The source id at least two of the given ids (file name, header, CClass) agree on."""
    for candidate in ids:
        if candidate and sum(candidate == other for other in ids) >= 2:
            return candidate
    return None


# -- urls --------------------------------------------------------------------------------

_KIND = re.compile(r"[^\d~]*")
_BAD_SCHEME = re.compile(r"[a-z]+:/", re.IGNORECASE)
_SCHEME_START = re.compile(r"([a-z]{2,7})(:/{1,3}|//)", re.IGNORECASE)
_SCHEME_PREFIX = re.compile(r"[a-z]+://")
_PAGE_SUFFIX = re.compile(r"\.(?:html?|php|aspx?|pdf)$")
_WORD_BREAK = re.compile(r"[-_+.\s]+")
_HOST_AND_PATH = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)
_SCHEMES = ("http", "https", "ftp")


def is_url(text: str) -> bool:
    """A web address: a host with a dot and a top-level domain, no spaces; the scheme
    (``https://``) may be missing, but not be misspelt (``hhttps://``, ``https:/``)."""
    text = text.strip()
    if not text or any(char.isspace() for char in text):
        return False
    if "://" in text:
        scheme, rest = text.split("://", 1)
        return scheme.lower() in _SCHEMES and bool(_HOST_AND_PATH.fullmatch(rest))
    if _BAD_SCHEME.match(text):
        return False
    return bool(_HOST_AND_PATH.fullmatch(text))


def url_scheme_typo(text: str) -> str | None:
    """The text with a misspelt scheme mended (``hhttps://`` -> ``https://``), or None.

    Only a scheme one letter away from ``http`` or ``https``, before an otherwise
    good address, counts: that is the one fix a reader would make.
    """
    match = _SCHEME_START.match(text.strip())
    if match is None:
        return None
    scheme, separator = match.group(1).lower(), match.group(2)
    if scheme in ("http", "https") and separator == "://":
        return None
    for wanted in ("https", "http") if scheme != "http" else ("http",):
        if edit_distance(scheme, wanted, 1) <= 1:
            mended = wanted + "://" + text.strip()[match.end() :]
            return mended if is_url(mended) else None
    return None


def _url_key(text: str) -> str:
    """A url as compared across sources: no scheme, no ``www.``, no final ``/``, lower case."""
    text = text.strip().lower()
    scheme = _SCHEME_PREFIX.match(text)
    text = text[scheme.end() :] if scheme else text
    text = text.removeprefix("www.")
    return text.rstrip("/")


_HASH = re.compile(r"(?=[a-z]*\d)(?=\d*[a-z])[a-z\d]{8,}|\d+|[a-f\d]{8,}")


def slug_words(url: str) -> frozenset[str]:
    """The meaningful words of a url's path: its last segment of two words or more.

    ``https://towardsdatascience.com/designing-data-products-b6b93edf3d23`` gives
    design, data, product (the medium hash left out); a url without such a path
    (``https://www.youtube.com/watch?v=...``) gives nothing.
    """
    try:
        parts = urlsplit(url.strip() if "://" in url else "//" + url.strip())
    except ValueError:
        return frozenset()
    best: frozenset[str] = frozenset()
    for segment in unquote(parts.path).split("/"):
        segment = _PAGE_SUFFIX.sub("", segment.lower())
        words = [word for word in _WORD_BREAK.split(segment) if word]
        words = [word for word in words if not _HASH.fullmatch(word)]
        found = content_words(" ".join(words))
        if len(found) >= 2 or len(found) > len(best):
            best = found
    return best


def title_fit(url: str, title: str) -> float | None:
    """How much of a url's path the title explains (0 to 1); None without path words.

    A path of two words (``/data-products``) says little: it fits a title wholly only
    when it is all of the title (``/what-is-a-postmortem``), else at most in part.
    """
    words = slug_words(url)
    if len(words) < 2:
        return None
    theirs = content_words(title)
    fit = len(words & theirs) / len(words)
    if len(words) < 3 and words != theirs:
        return min(fit, SHORT_PATH_FIT)
    return fit


# how well a value fits a source, worst first
_FIT_RANK = {"no": 0, "unknown": 1, "partly": 2, "yes": 3}
# a url's path names a title when the title explains this much of it
NAMES_TITLE = 0.8
# ... and does not name it below this
NOT_TITLE = 0.5
# the most a path of two words can fit a title
SHORT_PATH_FIT = 0.7


_TRAILING_ID = re.compile(r"(?:^|[-_/.=])([a-z]{1,3})[-_]?(\d{1,6})/?$")


def embedded_id(text: str) -> str | None:
    """The source id a url ends with (``.../data-as-a-product-s43`` -> ``s43``)."""
    path = text.strip().lower().split("?", 1)[0].split("#", 1)[0]
    match = _TRAILING_ID.search(path)
    return f"{match.group(1)}{int(match.group(2))}" if match else None


# -- evidence ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """One piece of evidence for (weight > 0) or against (weight < 0) a value."""

    weight: int
    reason: str


@dataclass(frozen=True)
class Verdict:
    """Which side of a header/CClass mismatch the evidence supports, and why."""

    winner: str | None  # "header" | "CClass" | None (nothing tells)
    reasons: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.winner is None:
            return "nothing else in the study tells which is right"
        loser = CCLASS if self.winner == HEADER else "header"
        return f"the {self.winner} is right ({'; '.join(self.reasons)}): fix the {loser}"


@dataclass(frozen=True)
class Copy:
    """A value header and CClass agree on that belongs to another source."""

    name: str  # the header field
    value: SideValue
    other_line: int | None  # the same value on the other side
    reason: str


def _display(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


class MetadataEvidence:
    """The metadata of every source of a study, to weigh one value against the rest.

    ``model`` maps a source id to the values a CodeableModels model gives it (the
    ``CClass`` keys); ``vocabularies`` maps a header field to its allowed values.
    """

    def __init__(
        self,
        sources: Iterable[SourceMetadata],
        model: Mapping[str, Mapping[str, object]] | None = None,
        vocabularies: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.sources = list(sources)
        self.model = dict(model or {})
        self.vocabularies = {name: set(values) for name, values in (vocabularies or {}).items()}
        self._holders: dict[tuple[str, str], list[SourceMetadata]] = {}
        # (field, value key) -> kind -> the sources of that kind holding the value
        self._holding_kind: dict[tuple[str, str], dict[str, set[str]]] = {}
        kinds: dict[str, set[str]] = {}
        for meta in self.sources:
            kinds.setdefault(meta.kind, set()).add(meta.own_id or meta.path)
            for name in COPY_FIELDS:
                for key in {self._key(name, value.text) for value in meta.values(name)}:
                    if key:
                        self._holders.setdefault((name, key), []).append(meta)
                        by_kind = self._holding_kind.setdefault((name, key), {})
                        by_kind.setdefault(meta.kind, set()).add(meta.own_id or meta.path)
        self._kinds = {kind: len(ids) for kind, ids in kinds.items()}
        self._embeds = {name: self._embeds_ids(name) for name in URL_FIELDS}
        self._title_index: dict[str, set] | None = None
        self._urls: dict[int, str | None] = {}  # by id(meta)
        self._url_keys: dict[int, str | None] = {}
        self._fits: dict[tuple[int, str, str], str] = {}

    # -- what the study holds ----------------------------------------------------
    @staticmethod
    def _key(name: str, text: str) -> str:
        return _url_key(text) if name in URL_FIELDS else name_key(text)

    def _embeds_ids(self, name: str) -> bool:
        """Whether the study's values of a field end with their source's id (most do)."""
        values = [
            (meta, value)
            for meta in self.sources
            if (value := meta.header.get(name) or meta.cclass.get(name)) is not None and value.text
        ]
        own = sum(1 for meta, value in values if embedded_id(value.text) == meta.own_id)
        return len(values) >= 2 and own * 5 >= len(values) * 3

    def _holding(self, meta: SourceMetadata, name: str, text: str) -> list[SourceMetadata]:
        """Other files with the value: files of another source (two files that are one
        source, such as an older version beside it, are a duplicate id: JC303)."""
        key = self._key(name, text)
        if not key:
            return []
        return [
            m
            for m in self._holders.get((name, key), [])
            if m is not meta and (m.own_id != meta.own_id or not meta.own_id)
        ]

    def _placeholder(self, meta: SourceMetadata, name: str, text: str) -> bool:
        """Most sources of the kind share the value (three or more), or all of them do
        for a url: one repository url for all interviews, say."""
        holders = self._holding_kind.get((name, self._key(name, text)), {})
        same_kind = len(holders.get(meta.kind, set()) | {meta.own_id or meta.path})
        of_kind = self._kinds.get(meta.kind, 0)
        if name in URL_FIELDS and same_kind >= 2 and same_kind == of_kind:
            return True
        return same_kind >= 3 and same_kind * 2 >= of_kind

    def others_holding(self, meta: SourceMetadata, name: str, text: str) -> list[SourceMetadata]:
        """The other sources with this value of the field (none for a placeholder)."""
        holders = self._holding(meta, name, text)
        if not holders or self._placeholder(meta, name, text):
            return []
        return sorted(holders, key=_coded)

    def named_source(self, meta: SourceMetadata, name: str, text: str) -> str | None:
        """The other source a tiny or archive url names by its id, where the study's do."""
        if not self._embeds.get(name):
            return None
        named = embedded_id(text)
        if named is None or named == meta.own_id:
            return None
        return named

    def _title(self, meta: SourceMetadata) -> str | None:
        """The source's title, when header and CClass agree on it (else it is no evidence:
        a title and a url copied together on one side would vouch for each other)."""
        value = meta.agreed("title")
        return value.text if value is not None and value.text else None

    def _url(self, meta: SourceMetadata) -> str | None:
        """The source's url, when both sides agree and it is no placeholder."""
        if id(meta) not in self._urls:
            value = meta.agreed("url")
            placeholder = value is None or not value.text
            placeholder = placeholder or self._placeholder(meta, "url", value.text)
            self._urls[id(meta)] = None if placeholder else value.text
        return self._urls[id(meta)]

    def _url_key_of(self, meta: SourceMetadata) -> str | None:
        if id(meta) not in self._url_keys:
            url = self._url(meta)
            self._url_keys[id(meta)] = _url_key(url) if url else None
        return self._url_keys[id(meta)]

    def title_named_by(self, meta: SourceMetadata, url: str) -> SourceMetadata | None:
        """The one other source whose title the url's path spells, when it does not
        spell this source's own title."""
        own = self._title(meta)
        fit = title_fit(url, own) if own else None
        words = slug_words(url)
        if fit is None or fit > NOT_TITLE or len(words) < 3:
            return None
        candidates = set.intersection(*(self._titles_with(word) for word in words))
        found = [
            other
            for other in candidates
            if other is not meta
            and (title := self._title(other))
            and len(words) >= len(content_words(title)) * 0.6
        ]
        return found[0] if len(found) == 1 else None

    def _titles_with(self, word: str) -> set:
        """The sources whose (agreed) title has this word, from an index built once."""
        if self._title_index is None:
            self._title_index = {}
            for source in self.sources:
                if (title := self._title(source)) is not None:
                    for each in content_words(title):
                        self._title_index.setdefault(each, set()).add(source)
        return self._title_index.get(word, set())

    # -- one value -------------------------------------------------------------------
    def signals(self, meta: SourceMetadata, name: str, value: SideValue) -> list[Signal]:
        """What the study says for and against this value of the field.

        Each reason completes "the value ...": ``names source s20``, ``is empty``.
        """
        text = value.text
        found: list[Signal] = []
        if (name in URL_FIELDS or name == "title") and not text:
            return [Signal(-2, "is empty")]
        if name in URL_FIELDS:
            if not is_url(text):
                found.append(Signal(-2, "is not a web address"))
            named = self.named_source(meta, name, text)
            if named is not None:
                found.append(Signal(-2, f"names source {named}"))
            elif self._embeds.get(name) and embedded_id(text) == meta.own_id:
                found.append(Signal(1, f"names {meta.own_id}, this file"))
            for other_name in URL_FIELDS:
                if other_name != name and text in {v.text for v in meta.values(other_name)}:
                    found.append(Signal(-2, f"is the source's {other_name}"))
            title = self._title(meta)
            fit = title_fit(text, title) if name == "url" and title else None
            if fit is not None and fit >= NAMES_TITLE:
                found.append(Signal(1, "has the title in its path"))
        if name == "title":
            if meta.quotes_title(text):
                found.append(Signal(1, "opens the quotes"))
            url = self._url(meta)
            fit = title_fit(url, text) if url else None
            if fit is not None and fit >= NAMES_TITLE:
                found.append(Signal(1, "is the title in the url's path"))
            elif fit is not None and fit <= NOT_TITLE:
                found.append(Signal(-1, "is not the title in the url's path"))
        if name in COPY_FIELDS:
            holders = self.others_holding(meta, name, text)
            if holders:
                found.append(Signal(-1, f"is also the {name} of {_ids(holders)}"))
        allowed = self.vocabularies.get(name)
        if allowed and isinstance(value.value, str) and text not in allowed:
            found.append(Signal(-1, f"is not one of the study's {name}s"))
        if name in YES_NO_FIELDS and value.side == HEADER and text.lower() not in ("yes", "no"):
            found.append(Signal(-1, "is not yes or no" if text else "is empty"))
        modelled = self.model.get(meta.own_id or "", {})
        key = SOURCE_KEYS[name]
        if key in modelled and _same_value(name, value.value, modelled[key]):
            found.append(Signal(1, "is the model's"))
        return found

    def which_side(self, meta: SourceMetadata, name: str) -> Verdict:
        """Which of the header's and the CClass's differing values the evidence supports.

        Reasons that hold for both values say nothing and are left out.
        """
        if name not in meta.header or name not in meta.cclass:
            return Verdict(None)
        header = self.signals(meta, name, meta.header[name])
        cclass = self.signals(meta, name, meta.cclass[name])
        shared = {s.reason for s in header} & {s.reason for s in cclass}
        header = [s for s in header if s.reason not in shared]
        cclass = [s for s in cclass if s.reason not in shared]
        scores = {HEADER: sum(s.weight for s in header), CCLASS: sum(s.weight for s in cclass)}
        if scores[HEADER] == scores[CCLASS]:
            return Verdict(None)
        winner = HEADER if scores[HEADER] > scores[CCLASS] else CCLASS
        ours, theirs = (header, cclass) if winner == HEADER else (cclass, header)
        loser = CCLASS if winner == HEADER else HEADER
        reasons = [f"its value {s.reason}" for s in ours if s.weight > 0]
        reasons += [f"the {loser}'s {s.reason}" for s in theirs if s.weight < 0]
        return Verdict(winner, tuple(reasons))

    def copies(self, meta: SourceMetadata) -> list[Copy]:
        """Values header and CClass agree on that another source holds or names."""
        found = []
        for name in COPY_FIELDS:
            value = meta.agreed(name)
            if value is None or not value.text:
                continue
            reason = self._copied(meta, name, value)
            if reason is None:
                continue
            # report the header's place; the CClass's holds the same value
            shown = meta.header.get(name, value)
            other = meta.cclass.get(name) if shown.side == HEADER else None
            found.append(Copy(name, shown, other.line if other else None, reason))
        return found

    def _copied(self, meta: SourceMetadata, name: str, value: SideValue) -> str | None:
        text = value.text
        if name in URL_FIELDS:
            named = self.named_source(meta, name, text)
            if named is not None:
                return f"it names source {named}, but this file is {meta.own_id}"
        holders = self.others_holding(meta, name, text)
        if holders and self._is_the_copy(meta, name, text, holders):
            return f"{_ids(holders)} ha{'s' if len(holders) == 1 else 've'} the same {name}"
        if name == "url":
            other = self.title_named_by(meta, text)
            if other is not None:
                return (
                    f"its path is the title of {other.own_id} ({Path(other.path).name}), not "
                    f"this source's title {self._title(meta)!r}"
                )
        return None

    def _is_the_copy(
        self, meta: SourceMetadata, name: str, text: str, holders: list[SourceMetadata]
    ) -> bool:
        """Of sources sharing a value, whether this one is the copy.

        A tiny or archive url names its source. Otherwise the original is the one the
        value fits best (a title that its url's path or one of its first quotes
        spells, a url whose path is its title); where they fit alike, the source
        coded first. Two sources whose different urls both spell one title are two
        articles with one title: neither is a copy.
        """
        if name in URL_FIELDS and self._embeds.get(name):
            named = embedded_id(text)
            if named == meta.own_id:
                return False
            if any(named == other.own_id for other in holders):
                return True
        mine = self._fit(meta, name, text)
        if name != "title":
            return self._later_or_worse(meta, mine, name, text, holders)
        # a title: sources at my url are my article (one of us copied the other);
        # sources at other urls are other articles, which may share my title
        mine_url = self._url_key_of(meta)
        same = [other for other in holders if mine_url and self._url_key_of(other) == mine_url]
        others = [other for other in holders if other not in same]
        if same and self._later_or_worse(meta, mine, name, text, same):
            return True
        return (
            bool(others) and mine != "yes" and self._later_or_worse(meta, mine, name, text, others)
        )

    def _later_or_worse(
        self, meta: SourceMetadata, mine: str, name: str, text: str, holders: list
    ) -> bool:
        """The value fits me worse than one of the others, or as well and I came later."""
        best = max(_FIT_RANK[self._fit(other, name, text)] for other in holders)
        if _FIT_RANK[mine] != best:
            return _FIT_RANK[mine] < best
        first = min((meta, *holders), key=_coded)
        return first is not meta

    def _fit(self, meta: SourceMetadata, name: str, text: str) -> str:
        key = (id(meta), name, text)
        if key not in self._fits:
            self._fits[key] = self._fit_of(meta, name, text)
        return self._fits[key]

    def _fit_of(self, meta: SourceMetadata, name: str, text: str) -> str:
        """Whether a title fits the source (its url's path, its first quotes), or a url
        its title: ``yes``, ``partly``, ``no``, or ``unknown`` without evidence."""
        if name == "title":
            if meta.quotes_title(text):
                return "yes"
            url = self._url(meta)
            fit = title_fit(url, text) if url else None
        elif name == "url":
            title = self._title(meta)
            fit = title_fit(text, title) if title else None
        else:
            return "unknown"
        if fit is None:
            return "unknown"
        return "yes" if fit >= NAMES_TITLE else "no" if fit <= NOT_TITLE else "partly"


def _coded(meta: SourceMetadata) -> tuple:
    """Sort key: the order the study was coded in."""
    return meta.coded


def _ids(sources: list[SourceMetadata]) -> str:
    shown = [f"{m.own_id} ({Path(m.path).name})" for m in sources[:3]]
    more = len(sources) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _same_value(name: str, value: object, modelled: object) -> bool:
    if name in YES_NO_FIELDS:
        wanted = {"yes": True, "no": False}.get(str(value).strip().lower(), value)
        return wanted == modelled
    if not isinstance(value, str) or not isinstance(modelled, str):
        return False
    if name in URL_FIELDS:
        return _url_key(value) == _url_key(modelled)
    return " ".join(value.split()) == " ".join(modelled.split())
