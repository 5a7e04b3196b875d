"""Coders' versions of a study compared quote by quote: what ``jupyter-coding agree`` shows.

The unit is the quote paragraph. Quotes are the same text in every coder's version,
so a quote is matched across versions by its file and its text (whitespace
normalised; a text repeated in one file is matched by its place among the repeats).
A coder's codes for a quote are the codes of the traces that code it, read the one
way (:func:`jupyter_coding.fieldnotes.reading.coding_traces`: a trace's ``applies``
go to its ``quotes``).

Quotes that no coder coded are left out of every figure: counting them as agreement
("neither applied anything") would inflate agreement with text nobody looked at for
codes. A quote only one coder's version holds cannot be compared and is counted apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from jupyter_coding.fieldnotes import FieldNotes, parse
from jupyter_coding.fieldnotes.names import name_key, normalise, spelling_key
from jupyter_coding.fieldnotes.reading import coding_traces
from jupyter_coding.study.agreement import (
    cohen_kappa,
    krippendorff_alpha,
    masi_distance,
    percent_agreement,
)
from jupyter_coding.study.codebook import Codebook
from jupyter_coding.study.gitstudy import StudyVersion
from jupyter_coding.study.similarity import edit_distance
from jupyter_coding.study.sources import coding_order, file_name_source_id

__all__ = [
    "CodeRow",
    "CodebookComparison",
    "Coding",
    "Comparison",
    "Correspondence",
    "DefinitionDifference",
    "DisagreementRow",
    "Figures",
    "MissingCode",
    "Unit",
    "compare_versions",
    "quote_key",
]


@dataclass(frozen=True)
class Coding:
    """What one coder did with one quote: the codes applied and where."""

    codes: tuple[str, ...]  # distinct, in order of application
    quote_line: int
    trace_lines: tuple[int, ...]
    location: str  # the file, as this coder's version names it

    @property
    def code_set(self) -> frozenset[str]:
        return frozenset(self.codes)


@dataclass
class Unit:
    """One quote and each coder's coding of it (coders whose version has the quote)."""

    file: str
    text: str  # the quote's words, ``>`` markers removed
    codings: dict[str, Coding] = field(default_factory=dict)

    @property
    def coded(self) -> bool:
        return any(coding.codes for coding in self.codings.values())

    def agrees(self) -> bool:
        return len({coding.code_set for coding in self.codings.values()}) == 1


@dataclass(frozen=True)
class Figures:
    """Agreement over some quotes. ``percent_agreement`` is 0..100; None: undefined."""

    quotes: int
    percent_agreement: float | None
    cohen_kappa: float | None  # two coders only
    alpha: float | None  # Krippendorff's alpha, nominal
    alpha_masi: float | None = None  # over sets of codes with the MASI distance

    def as_dict(self) -> dict:
        return {
            "quotes": self.quotes,
            "percent_agreement": self.percent_agreement,
            "cohen_kappa": self.cohen_kappa,
            "krippendorff_alpha": self.alpha,
            **({"krippendorff_alpha_masi": self.alpha_masi} if self.alpha_masi is not None else {}),
        }


@dataclass(frozen=True)
class CodeRow:
    """One code's agreement: applied or not, quote by quote."""

    code: str
    figures: Figures
    applied: dict[str, int]  # coder -> quotes the coder applied it to
    by_all: int  # quotes every coder applied it to
    disputed: int  # quotes some coders applied it to and others did not


@dataclass(frozen=True)
class DisagreementRow:
    """A quote the coders coded differently.

    ``disputed`` holds each code not every coder applied, with the coders who did;
    ``frequency`` is how many quotes share its most common such split (the same code
    applied by the same coders only), which orders the list.
    """

    unit: Unit
    disputed: tuple[tuple[str, tuple[str, ...]], ...]
    frequency: int


@dataclass(frozen=True)
class MissingCode:
    """A code some coders have (define or apply) and others lack."""

    code: str
    present: tuple[str, ...]
    absent: tuple[str, ...]
    metaclass: str | None
    label: str | None


@dataclass(frozen=True)
class DefinitionDifference:
    """One identifier defined with different labels or metaclasses by different coders."""

    code: str
    what: str  # "label" | "metaclass"
    values: tuple[tuple[str, str], ...]  # (coder, value)


@dataclass(frozen=True)
class Correspondence:
    """Two codes, each only one coder has, that are probably one code."""

    first: tuple[str, str]  # (coder, code)
    second: tuple[str, str]
    reason: str


@dataclass
class CodebookComparison:
    missing: list[MissingCode] = field(default_factory=list)
    differences: list[DefinitionDifference] = field(default_factory=list)
    correspondences: list[Correspondence] = field(default_factory=list)


@dataclass
class CoderSummary:
    name: str
    spec: str
    files: int
    quotes: int  # quote paragraphs (speaker lines left out)
    coded: int  # quotes its traces code


@dataclass
class Comparison:
    """Everything ``agree`` reports."""

    coders: list[CoderSummary]
    units: list[Unit]  # the compared quotes: coded by someone, in two versions or more
    uncoded: int  # quotes in two versions or more that no coder coded (left out)
    unmatched: dict[str, int]  # coded quotes only this coder's version holds
    overall: Figures
    codes: list[CodeRow]
    disagreements: list[DisagreementRow]
    codebook: CodebookComparison
    pairs: list[tuple[str, str, Figures]] = field(default_factory=list)  # three coders or more

    @property
    def names(self) -> list[str]:
        return [coder.name for coder in self.coders]


def quote_key(text: str) -> str:
    """A quote's text with runs of whitespace as one space: how quotes are matched."""
    return " ".join(text.split())


def _parsed(version: StudyVersion) -> list[tuple[str, FieldNotes]]:
    return [
        (relative, parse(text, version.location(relative)))
        for relative, text in version.files.items()
    ]


def _codings(relative: str, notes: FieldNotes) -> Iterable[tuple[tuple, Unit, Coding]]:
    """(key, unit, coding) of every quote of one file (templates and speaker lines left out)."""
    if notes.is_template:
        return
    traces_of: dict[int, list] = {}
    for trace in coding_traces(notes):
        for quote in trace.quotes:
            traces_of.setdefault(id(quote), []).append(trace)
    seen: Counter = Counter()
    for quote in notes.quotes:
        if quote.is_speaker_only:
            continue
        text = quote.plain_text
        key_text = quote_key(text)
        seen[key_text] += 1
        traces = traces_of.get(id(quote), [])
        codes = tuple(dict.fromkeys(code for trace in traces for code in trace.applies))
        coding = Coding(codes, quote.line, tuple(t.line for t in traces), notes.path or relative)
        yield (relative, key_text, seen[key_text]), Unit(relative, text), coding


def _figures(units: Sequence[Unit], names: list[str], value, masi: bool = False) -> Figures:
    """Figures over ``units``, each coder's value of a unit given by ``value(coding)``."""
    rows = Counter(
        tuple(value(unit.codings[name]) for name in names if name in unit.codings) for unit in units
    )
    return _counted_figures(rows, len(names), masi)


def _counted_figures(rows: Counter, coders: int, masi: bool = False) -> Figures:
    """Figures of units counted by their values (in coder order, present coders only)."""
    agreement = percent_agreement(rows)
    kappa = None
    if coders == 2:
        kappa = cohen_kappa({values: n for values, n in rows.items() if len(values) == 2})
    return Figures(
        sum(rows.values()),
        None if agreement is None else 100 * agreement,
        kappa,
        krippendorff_alpha(rows),
        krippendorff_alpha(rows, masi_distance) if masi else None,
    )


def _disagreements(units: list[Unit], names: list[str]) -> list[DisagreementRow]:
    splits: list[tuple[Unit, tuple[tuple[str, tuple[str, ...]], ...]]] = []
    for unit in units:
        if unit.agrees():
            continue
        present = [name for name in names if name in unit.codings]
        every = set.intersection(*(set(unit.codings[n].codes) for n in present))
        codes = dict.fromkeys(c for n in present for c in unit.codings[n].codes)
        disputed = tuple(
            (code, tuple(n for n in present if code in unit.codings[n].codes))
            for code in codes
            if code not in every
        )
        splits.append((unit, disputed))
    counts = Counter(split for _, disputed in splits for split in disputed)

    def top(disputed) -> tuple[int, tuple]:
        best = min(disputed, key=lambda split: (-counts[split], split))
        return counts[best], best

    rows = [DisagreementRow(unit, disputed, top(disputed)[0]) for unit, disputed in splits]

    def order(row: DisagreementRow):
        frequency, split = top(row.disputed)
        first = next(iter(row.unit.codings.values()))
        source = file_name_source_id(row.unit.file)
        return (-frequency, split, coding_order(source), row.unit.file, first.quote_line)

    return sorted(rows, key=order)


def _code_rows(units: list[Unit], names: list[str]) -> list[CodeRow]:
    """Each code applied or not, quote by quote.

    Most quotes do not carry a given code for any coder, so each code looks only at the
    quotes some coder applied it to; the others count as "not applied" by all.
    """
    present = [[name for name in names if name in unit.codings] for unit in units]
    sets = [[unit.codings[n].code_set for n in p] for unit, p in zip(units, present, strict=True)]
    quotes_of: dict[str, list[int]] = {}
    for index, unit in enumerate(units):
        for coding in unit.codings.values():
            for code in coding.codes:
                found = quotes_of.setdefault(code, [])
                if not found or found[-1] != index:
                    found.append(index)
    by_size = Counter(len(p) for p in present)
    rows = []
    for code, indices in quotes_of.items():
        patterns: Counter = Counter()
        applied = dict.fromkeys(names, 0)
        unmarked = by_size.copy()
        for index in indices:
            values = tuple(code in codes for codes in sets[index])
            patterns[values] += 1
            unmarked[len(values)] -= 1
            for name, value in zip(present[index], values, strict=True):
                applied[name] += value
        by_all = sum(n for values, n in patterns.items() if all(values))
        for size, number in unmarked.items():
            patterns[(False,) * size] += number
        figures = _counted_figures(patterns, len(names))
        rows.append(CodeRow(code, figures, applied, by_all, len(indices) - by_all))
    rows.sort(key=lambda row: (-row.disputed, -sum(row.applied.values()), row.code))
    return rows


# -- codebooks ---------------------------------------------------------------------------------


def _own_codes(codebook: Codebook) -> dict[str, object]:
    """The codes a coder has: those it defines or applies (relation ends alone do not count)."""
    return {
        identifier: code
        for identifier, code in codebook.codes.items()
        if code.defined or code.use_count
    }


def _near(first: str, second: str) -> str | None:
    """Why two identifiers are probably one code, or None."""
    if spelling_key(first) == spelling_key(second):
        return "spelling variant"
    a, b = normalise(first), normalise(second)
    limit = 2 if min(len(a), len(b)) >= 10 else 1 if min(len(a), len(b)) >= 5 else 0
    if limit and (distance := edit_distance(a, b, limit)) <= limit:
        return f"identifiers {distance} letter{'s' * (distance > 1)} apart"
    return None


def compare_codebooks(codebooks: dict[str, Codebook]) -> CodebookComparison:
    """Codes some coders lack, definitions that differ, and likely correspondences."""
    names = list(codebooks)
    own = {name: _own_codes(book) for name, book in codebooks.items()}
    result = CodebookComparison()
    every = dict.fromkeys(code for name in names for code in own[name])
    for identifier in sorted(every):
        present = tuple(name for name in names if identifier in own[name])
        code = own[present[0]][identifier]
        if len(present) < len(names):
            absent = tuple(name for name in names if name not in present)
            result.missing.append(
                MissingCode(identifier, present, absent, code.metaclass, code.label)
            )
        defined = [(name, own[name][identifier]) for name in present]
        defined = [(name, c) for name, c in defined if c.defined]
        for what in ("metaclass", "label"):
            values = tuple((name, (getattr(c, what) or "").strip()) for name, c in defined)
            if len({value for _, value in values}) > 1:
                result.differences.append(DefinitionDifference(identifier, what, values))
    only = {name: [m for m in result.missing if m.present == (name,)] for name in names}
    for first, second in combinations(names, 2):
        for a in only[first]:
            for b in only[second]:
                reason = None
                if a.label and b.label and name_key(a.label) == name_key(b.label):
                    reason = f'same label "{a.label}"'
                reason = reason or _near(a.code, b.code)
                if reason:
                    result.correspondences.append(
                        Correspondence((first, a.code), (second, b.code), reason)
                    )
    return result


# -- the comparison ----------------------------------------------------------------------------


def compare_versions(versions: Sequence[StudyVersion]) -> Comparison:
    """Compare two or more coders' versions of a study (see the module docstring)."""
    names = [version.name for version in versions]
    units: dict[tuple, Unit] = {}
    coders = []
    codebooks: dict[str, Codebook] = {}
    for version in versions:
        parsed = _parsed(version)
        codebooks[version.name] = Codebook.from_notes(notes for _, notes in parsed)
        quotes = coded = 0
        for relative, notes in parsed:
            for key, unit, coding in _codings(relative, notes):
                units.setdefault(key, unit).codings[version.name] = coding
                quotes += 1
                coded += bool(coding.codes)
        coders.append(CoderSummary(version.name, version.spec, len(parsed), quotes, coded))
    shared = [unit for unit in units.values() if len(unit.codings) >= 2]
    compared = [unit for unit in shared if unit.coded]
    unmatched = {
        name: sum(
            1
            for unit in units.values()
            if len(unit.codings) == 1 and unit.coded and name in unit.codings
        )
        for name in names
    }
    overall = _figures(compared, names, lambda coding: coding.code_set, masi=True)
    pairs = []
    if len(names) > 2:
        for first, second in combinations(names, 2):
            both = [u for u in compared if first in u.codings and second in u.codings]
            both = [u for u in both if u.codings[first].codes or u.codings[second].codes]
            pairs.append(
                (first, second, _figures(both, [first, second], lambda c: c.code_set, True))
            )
    return Comparison(
        coders=coders,
        units=compared,
        uncoded=len(shared) - len(compared),
        unmatched=unmatched,
        overall=overall,
        codes=_code_rows(compared, names),
        disagreements=_disagreements(compared, names),
        codebook=compare_codebooks(codebooks),
        pairs=pairs,
    )
