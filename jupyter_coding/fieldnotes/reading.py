"""The one reading of what a coding trace means.

Every command that counts, lists, checks or exports codes reads traces through this
module, so they all count the same thing:

* A trace **applies** to its source every code it attaches (``add codes to sN``
  lists), every code it names again in an ``added:``-type block (bare identifiers)
  and every code it defines there (``x = CClass(...)``). That is what the studies'
  own CodeableModels models record as the source's ``contained_code`` links
  (measured against the corpus study's model: see tests/test_reading.py).
* Relations (``add_force_relations``, ``add_decision_option_link``, ...) are kept
  as relations. Their end points are *not* applications: a relation states how two
  codes bear on each other, often codes applied in other sources; counting them
  lowers the agreement with the researchers' model.
* A memo names codes in one of three styles: code-list lines (``Familiar option:
  a, b``), bare identifiers one a line (``control_port``) and short labels in words
  one a line (``Elastic Performance Engine``). Lines of free prose name nothing.
  :func:`compare_memo` decides what a memo names against the codes of the trace
  and of the study, and says "unknown" rather than guessing when a memo is prose.

Why one module: it is *the* reading: what a trace applies, relates and its memo names
must be decided in one place, or two commands count two things.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from jupyter_coding.fieldnotes.memo import read_code_list
from jupyter_coding.fieldnotes.model import (
    AxialTrace,
    Block,
    FieldNotes,
    OpenTrace,
    PythonBlock,
    Quote,
)
from jupyter_coding.fieldnotes.names import name_key
from jupyter_coding.fieldnotes.python_code import Definition, Relation

__all__ = [
    "Application",
    "CodeNames",
    "CodingTrace",
    "MemoComparison",
    "MemoItem",
    "TraceSummary",
    "applications_of",
    "applied_codes",
    "applied_to_source",
    "coding_traces",
    "compare_memo",
    "memo_items",
]


# -- applications ----------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """A code a trace applies to its source, and how: attached, reused or defined."""

    identifier: str
    how: str  # "attached" | "reused" | "defined"
    line: int


def applications_of(blocks: Iterable[PythonBlock]) -> list[Application]:
    """Every code the python blocks apply, in file order (repeats kept)."""
    found: list[tuple[int, int, Application]] = []
    for block in blocks:
        for index, definition in enumerate(block.definitions):
            application = Application(definition.identifier, "defined", definition.line)
            found.append((definition.line, index, application))
        for index, use in enumerate(block.reused):
            found.append((use.line, index, Application(use.identifier, "reused", use.line)))
        for index, use in enumerate(block.attached):
            found.append((use.line, index, Application(use.identifier, "attached", use.line)))
    found.sort(key=lambda item: (item[0], item[1]))
    return [application for _, _, application in found]


def applied_codes(applications: Iterable[Application]) -> list[str]:
    """Distinct identifiers in order of first application."""
    return list(dict.fromkeys(application.identifier for application in applications))


# -- memo items ------------------------------------------------------------------


@dataclass(frozen=True)
class MemoItem:
    """A phrase of a memo that may name a code.

    ``style`` is ``list`` (an item of ``Prefix: a, b``, or of a line of items that
    continues one), ``identifier`` (a snake-case identifier on a line of its own),
    ``label`` (a short phrase in words on a line of its own) or ``prose`` (a longer
    line or a sentence: it names a code only when it is that code's label word for
    word, a decision's question say). ``listing`` says what a list lists: ``options``
    (options, codes, terms ...), ``forces`` or ``other``.
    """

    text: str
    line: int
    style: str
    listing: str = ""

    @property
    def is_identifier(self) -> bool:
        """Written as a code identifier (snake case, starting lower case), not in words."""
        return self.style in ("list", "identifier") and bool(
            _IDENTIFIER.fullmatch(self.text) and self.text[:1].islower()
        )


# a list's last item is often joined by "and". A try starts only where spaces
# start (``(?<!\s)``): else each space of a long run is tried again (quadratic)
_AND = re.compile(r"(?<!\s)\s+and\s+|^and\s+", re.IGNORECASE)
_LIST_CONTINUATION = re.compile(r"[A-Za-z_][\w ]*(?:,[ \t]*[A-Za-z_][\w ]*)*,?")
_OPTION_WORDS = re.compile(
    r"\b(?:options?|codes?|terms?|items?|practices?|patterns?|decisions?|concepts?)\b",
    re.IGNORECASE,
)
_FORCE_WORDS = re.compile(r"\bforces?\b", re.IGNORECASE)
_IDENTIFIER = re.compile(r"[^\W\d]\w*")
_BULLET = re.compile(r"(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)")
_MARKUP = re.compile(r"</?ins>|\*\*|`")
# a label is a few words; longer lines, or lines that end like sentences, are prose
MAX_LABEL_WORDS = 5
_SENTENCE_END = (".", "?", "!", ",", ";", ":")


def _split_items(text: str) -> list[str]:
    items = []
    for part in text.split(","):
        items += [item.strip().rstrip(".").strip() for item in _AND.split(part.strip())]
    return [item for item in items if item]


def _listing(prefix: str) -> str:
    if _OPTION_WORDS.search(prefix):
        return "options"
    if _FORCE_WORDS.search(prefix):
        return "forces"
    return "other"


def _line_item(text: str, line: int) -> MemoItem | None:
    """A memo line that is not a code list: an identifier, a label, or prose."""
    text = _MARKUP.sub("", text).strip()
    bullet = _BULLET.match(text)
    if bullet:
        text = text[bullet.end() :].strip()
    if not text or not any(char.isalpha() for char in text):
        return None
    if _IDENTIFIER.fullmatch(text) and "_" in text.strip("_"):
        return MemoItem(text, line, "identifier")
    short = len(text.split()) <= MAX_LABEL_WORDS
    if short and not text.endswith(_SENTENCE_END) and not any(c in text for c in "=()>,;"):
        return MemoItem(text, line, "label")
    return MemoItem(text, line, "prose")


def memo_items(open_trace: OpenTrace) -> list[MemoItem]:
    """The phrases of an open trace's memo that may name codes, in order.

    Code-list lines give their items (a line of bare items right after a list
    continues it); every other line is one item: an ``identifier``, a ``label`` when
    it is short enough to be one, else ``prose``. A line that goes on with the
    sentence of the line above it (no blank line between, no full stop before it) is
    prose too: a wrapped sentence's last word is not a label.
    """
    items: list[MemoItem] = []
    listing: str | None = None  # the listing a continuation line would join
    in_sentence = False  # the line above is prose that has not ended
    for line, text in open_trace.memo_lines:
        if not text:
            listing, in_sentence = None, False
            continue
        code_list = read_code_list(text, line)
        if code_list is not None:
            listing, in_sentence = _listing(code_list.prefix), False
            items += [
                MemoItem(item, line, "list", listing)
                for item in _split_items(", ".join(code_list.items))
            ]
            continue
        if listing is not None and _LIST_CONTINUATION.fullmatch(text) and "," in text:
            items += [MemoItem(item, line, "list", listing) for item in _split_items(text)]
            continue
        listing = None
        item = _line_item(text, line)
        if item is None:
            in_sentence = False
        elif in_sentence:
            in_sentence = not item.text.endswith((".", "?", "!"))  # the sentence goes on
        else:
            items.append(item)
            in_sentence = item.style == "prose" and not item.text.endswith((".", "?", "!"))
    return items


# -- traces ----------------------------------------------------------------------


@dataclass(frozen=True)
class TraceSummary:
    """What one trace says about codes, without its text: enough to compare it later.

    Study-wide readers keep these instead of whole documents.
    """

    line: int
    open_line: int | None
    axial_line: int | None
    applications: tuple[Application, ...]
    related: tuple[str, ...]
    defined: tuple[tuple[str, str | None, str], ...]  # (identifier, label, metaclass) here
    memo: tuple[MemoItem, ...]
    has_memo_text: bool
    attaches: bool = False  # the trace has an ``add codes to`` block

    @property
    def stated(self) -> list[Application]:
        """The applications the trace states as such: its ``add codes to`` lists where
        it has them (definitions then belong to the codebook), else all of them."""
        if self.attaches:
            return [a for a in self.applications if a.how == "attached"]
        return list(self.applications)

    @property
    def applies(self) -> list[str]:
        """The codes the trace applies to its source, distinct, in order."""
        return applied_codes(self.applications)


@dataclass(eq=False)
class CodingTrace:
    """One coding trace: an open trace, the axial trace after it, or both."""

    open: OpenTrace | None
    axial: AxialTrace | None
    quotes: list[Quote] = field(default_factory=list)

    @property
    def parts(self) -> list[Block]:
        return [part for part in (self.open, self.axial) if part is not None]

    @property
    def line(self) -> int:
        """The first line of the trace (its open marker, else its axial marker)."""
        return self.parts[0].line

    @property
    def end_line(self) -> int:
        return self.parts[-1].end_line

    @property
    def template(self) -> bool:
        """A copy of the empty template, not coding."""
        return any(getattr(part, "template", False) for part in self.parts)

    @property
    def blocks(self) -> list[PythonBlock]:
        """Its python blocks (also those written under the open marker)."""
        return [block for part in self.parts for block in part.blocks]

    @cached_property
    def applications(self) -> list[Application]:
        """Every code the trace applies to its source, in file order."""
        return applications_of(self.blocks)

    @property
    def applies(self) -> list[str]:
        """The codes the trace applies to its source, distinct, in order."""
        return applied_codes(self.applications)

    @property
    def definitions(self) -> list[Definition]:
        return [d for block in self.blocks for d in block.definitions]

    @property
    def relations(self) -> list[Relation]:
        return [r for block in self.blocks for r in block.relations]

    @cached_property
    def memo(self) -> list[MemoItem]:
        """The memo's phrases that may name codes."""
        return memo_items(self.open) if self.open is not None else []

    def summary(self) -> TraceSummary:
        """The trace's codes and memo items, without its text."""
        related = dict.fromkeys(end for r in self.relations for end in (r.source, r.target))
        return TraceSummary(
            line=self.line,
            open_line=self.open.line if self.open is not None else None,
            axial_line=self.axial.line if self.axial is not None else None,
            applications=tuple(self.applications),
            related=tuple(related),
            defined=tuple((d.identifier, d.label, d.metaclass) for d in self.definitions),
            memo=tuple(self.memo),
            has_memo_text=bool(self.open is not None and self.open.memo),
            attaches=any(block.role == "add_codes" for block in self.blocks),
        )


def applied_to_source(notes: FieldNotes) -> list[Application]:
    """The codes a file's traces apply to its source: each code's first application."""
    first: dict[str, Application] = {}
    for trace in coding_traces(notes):
        for application in trace.applications:
            first.setdefault(application.identifier, application)
    return list(first.values())


def coding_traces(notes: FieldNotes, include_templates: bool = False) -> list[CodingTrace]:
    """The file's coding traces in order, each with the quotes it codes."""
    traces = []
    for open_trace, axial in notes.traces():
        trace = CodingTrace(open_trace, axial)
        if trace.template and not include_templates:
            continue
        trace.quotes = notes.evidence(trace.parts[0])
        traces.append(trace)
    return traces


# -- what a memo names -----------------------------------------------------------


class CodeNames:
    """Identifiers, labels and metaclasses of codes, looked up by :func:`name_key`.

    Built from ``(identifier, label)`` or ``(identifier, label, metaclass)`` items.
    An identifier's own key wins over a label's; among labels the first given wins.
    """

    def __init__(self, codes: Iterable[tuple] = ()) -> None:
        self._by_identifier: dict[str, str] = {}
        self._by_label: dict[str, str] = {}
        self._metaclass: dict[str, str] = {}
        self.add(codes)

    def add(self, codes: Iterable[tuple]) -> None:
        for identifier, label, *rest in codes:
            self._by_identifier.setdefault(name_key(identifier), identifier)
            if label:
                self._by_label.setdefault(name_key(label), identifier)
            if rest and rest[0]:
                self._metaclass.setdefault(identifier, rest[0])

    def lookup(self, text: str) -> str | None:
        """The identifier ``text`` names (by identifier or label), or None."""
        key = name_key(text)
        if not key:
            return None
        return self._by_identifier.get(key) or self._by_label.get(key)

    def by_label(self, text: str) -> str | None:
        """The identifier whose label ``text`` is, or None."""
        key = name_key(text)
        return self._by_label.get(key) if key else None

    def by_words(self, text: str) -> str | None:
        """The one identifier whose words hold all of ``text``'s (``CI/CD`` -> ``ci_cd_process``).

        For the few codes of one trace only: among a study's codes a phrase's words
        are too often in several. Short single words (``data``) name nothing.
        """
        key = name_key(text)
        words = set(key.split("_")) - {""}
        if not words or (len(words) == 1 and len(key) < 5):
            return None
        found = {
            identifier
            for identifier_key, identifier in self._by_identifier.items()
            if words <= set(identifier_key.split("_"))
        }
        return found.pop() if len(found) == 1 else None

    def metaclass(self, identifier: str) -> str | None:
        return self._metaclass.get(identifier)


@dataclass
class MemoComparison:
    """How a memo and its trace agree.

    ``style`` is what the memo was read as: ``lists`` (code-list lines),
    ``identifiers`` or ``labels`` (one a line), ``prose`` (it names no code, so
    nothing is compared) or ``none`` (no memo).
    """

    style: str
    named: list[tuple[MemoItem, str]] = field(default_factory=list)  # item, code it names
    not_applied: list[tuple[MemoItem, str]] = field(default_factory=list)
    unknown: list[MemoItem] = field(default_factory=list)
    unnamed: list[Application] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not (self.not_applied or self.unknown or self.unnamed)


def _words_in(identifier: str, phrases: str) -> bool:
    """``internal_storage`` is named by a list item ``incremental sync and internal storage``."""
    key = name_key(identifier)
    return bool(key) and f"_{key}_" in phrases


def compare_memo(
    trace: CodingTrace | TraceSummary, known: CodeNames | Mapping[str, str | None] | None = None
) -> MemoComparison:
    """What a trace's memo names, and where it disagrees with what the trace applies.

    ``known`` holds the study's codes (a :class:`CodeNames`, or identifier -> label), so
    that a memo can name a code by a label defined in another file. A memo item names
    a code when its :func:`~.names.name_key` equals that of the code's identifier or
    label; among the trace's own codes, also when the code's words hold all of the
    item's (``CI/CD`` names ``ci_cd_process``). List items written in capitalised
    words (``Option: Search Engine``) are prose that may name the trace's own codes,
    never another's. Then:

    * ``not_applied``: items naming a code the trace neither applies nor relates;
    * ``unknown``: identifier-like items (list items and identifier lines written in
      snake case) and, in a memo of labels, label lines, that name no code at all;
    * ``unnamed``: codes the trace states it applies (its ``add codes to`` lists where
      it has them, else every application) that the memo does not name. Compared only
      when the memo lists codes: option lists by identifier (which say nothing about
      the trace's forces and decisions), identifier lines, or lines most of which
      name codes (labels).

    A memo whose short lines mostly match nothing is read as prose: nothing in it is
    reported, and nothing it leaves out.
    """
    summary = trace.summary() if isinstance(trace, CodingTrace) else trace
    if not summary.memo:
        return MemoComparison("prose" if summary.has_memo_text else "none")
    own = CodeNames(summary.defined)
    own.add((application.identifier, None) for application in summary.applications)
    own.add((identifier, None) for identifier in summary.related)
    study = known if isinstance(known, CodeNames) else CodeNames((known or {}).items())
    in_trace = {a.identifier for a in summary.applications} | set(summary.related)

    def own_code(item: MemoItem) -> str | None:
        # words may abbreviate a code's name; an identifier is meant as written
        found = own.lookup(item.text)
        return found or (None if item.is_identifier else own.by_words(item.text))

    def any_code(item: MemoItem) -> str | None:
        return own_code(item) or study.lookup(item.text)

    lists = [item for item in summary.memo if item.style == "list"]
    lines = [item for item in summary.memo if item.style in ("identifier", "label")]
    comparison = MemoComparison("lists" if lists else "prose")
    unknown: dict[str, MemoItem] = {}
    for item in lists:
        code = any_code(item) if item.text[:1].islower() else own_code(item)
        if code is not None:
            comparison.named.append((item, code))
        elif item.is_identifier:
            unknown.setdefault(item.text, item)
    # option lists by identifier tell which options the trace applies
    options_listed = any(item.listing == "options" and item.is_identifier for item in lists)
    # lines of their own: read as names only when most of them are
    matched = [(item, any_code(item)) for item in lines]
    naming = sum(1 for item, code in matched if code is not None or item.style == "identifier")
    lines_name_codes = bool(lines) and naming * 2 >= len(lines)
    if lines_name_codes and not lists:
        identifiers_only = all(item.style == "identifier" for item in lines)
        comparison.style = "identifiers" if identifiers_only else "labels"
    for item, code in matched:
        if code is not None:
            comparison.named.append((item, code))
        elif lines_name_codes:
            unknown.setdefault(item.text, item)
    for item in summary.memo:
        if item.style == "prose" and (code := own.by_label(item.text) or study.by_label(item.text)):
            comparison.named.append((item, code))  # a decision's question, word for word
    comparison.unknown = list(unknown.values())
    comparison.not_applied = [
        (item, code) for item, code in comparison.named if code not in in_trace
    ]
    if options_listed or lines_name_codes:
        named = {code for _, code in comparison.named}
        phrases = "_" + "_".join(name_key(item.text) for item in summary.memo) + "_"
        for application in summary.stated:
            identifier = application.identifier
            if identifier in named or _words_in(identifier, phrases):
                continue
            metaclass = own.metaclass(identifier) or study.metaclass(identifier)
            if (
                not lines_name_codes
                and application.how != "attached"
                and metaclass
                in (
                    "force",
                    "decision",
                )
            ):
                continue  # an option list leaves out the forces and decisions a trace defines
            named.add(identifier)
            comparison.unnamed.append(application)
    return comparison
