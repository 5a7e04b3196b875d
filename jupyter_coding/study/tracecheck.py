"""Checking one trace as it is written (the logic behind ``%%code``; no IPython here).

A trace is read from a cell body in either form (the trace text as it stands in
markdown, or the concise form of :mod:`jupyter_coding.fieldnotes.concise`) and
checked against the study codebook: unknown codes with the closest known ones,
codes defined again differently, a memo naming other codes than the axial part
attaches, an ``add codes to`` target that is not this source, python the reader
could not follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jupyter_coding.fieldnotes import AxialTrace, FieldNotesError, OpenTrace, parse
from jupyter_coding.fieldnotes.canonical import render_trace
from jupyter_coding.fieldnotes.concise import is_concise, read_concise
from jupyter_coding.fieldnotes.dialect import SEED, Dialect
from jupyter_coding.fieldnotes.python_code import Definition, Relation
from jupyter_coding.fieldnotes.reading import CodeNames, MemoComparison, coding_traces, compare_memo
from jupyter_coding.study.codebook import Codebook, FileCodes, codes_of_notes

__all__ = [
    "TraceReport",
    "TraceSyntaxError",
    "TraceWarning",
    "check_trace",
    "read_trace_text",
]

WARNING_KINDS = {
    "unknown-code": "a code that is defined nowhere in the study",
    "redefined-code": "a code defined again with another label or metaclass",
    "memo-mismatch": "the memo names other codes than the trace applies",
    "wrong-target": "an `add codes to` target that is not this source",
    "python": "python in an axial block that could not be read as intended",
}


class TraceSyntaxError(FieldNotesError):
    """A cell body that is not a trace (in either form)."""


@dataclass(frozen=True)
class TraceWarning:
    kind: str  # a key of WARNING_KINDS
    message: str
    line: int | None = None  # line in the cell body (1-based)


@dataclass
class TraceReport:
    """What a trace says, and what is wrong with it."""

    text: str  # the trace as markdown (canonical when written in the concise form)
    concise: bool
    source_id: str | None
    applies: list[str] = field(default_factory=list)  # the one reading: what it applies
    attached: list[str] = field(default_factory=list)
    memo_codes: list[str] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    warnings: list[TraceWarning] = field(default_factory=list)
    codes: FileCodes | None = None  # what the trace adds to the session's codebook

    @property
    def mentioned(self) -> list[str]:
        names = dict.fromkeys(self.applies + self.attached + self.memo_codes + self.reused)
        for d in self.definitions:
            names[d.identifier] = None
        for r in self.relations:
            names[r.source] = None
            names[r.target] = None
        return list(names)

    def warnings_of(self, kind: str) -> list[TraceWarning]:
        return [w for w in self.warnings if w.kind == kind]


def read_trace_text(body: str, source_id: str | None, dialect: Dialect = SEED) -> tuple[str, bool]:
    """The trace as markdown text (concise form written in ``dialect``), and whether the
    body was in the concise form."""
    if is_concise(body):
        trace = read_concise(body, target=source_id or "s")
        open_text, axial_text = render_trace(trace, dialect)
        return open_text + ("\n" + axial_text if axial_text else ""), True
    return body, False


def check_trace(
    body: str,
    codebook: Codebook | None,
    source_id: str | None = None,
    path: str | None = None,
) -> TraceReport:
    """Read and check one trace. Malformed syntax raises a one-line error naming the line."""
    dialect = codebook.dialect() if codebook is not None else SEED
    text, concise = read_trace_text(body, source_id, dialect)
    notes = parse(text, path)
    report = TraceReport(text, concise, source_id)
    for block in notes.blocks:
        if isinstance(block, (OpenTrace, AxialTrace)):
            continue
        if block.kind == "blank":
            continue
        first = block.lines[0].rstrip("\n") if block.lines else ""
        raise TraceSyntaxError(
            f"not part of a trace: {first.strip()[:60]!r}; a %%code cell holds "
            "'**OPEN CODING TRACE:**' / '**AXIAL CODING TRACE:**' text, or concise lines "
            "such as 'familiar: a, b' (see the README)",
            path,
            block.line,
        )
    names = None
    if codebook is not None:
        names = CodeNames((c.identifier, c.label, c.metaclass) for c in codebook.codes.values())
    for trace in coding_traces(notes):
        report.applies += trace.applies
        report.memo_codes += [item.text for item in trace.memo if item.is_identifier]
        for block in trace.blocks:
            report.attached += [u.identifier for u in block.attached]
            report.reused += [u.identifier for u in block.reused]
            report.definitions += block.definitions
            report.relations += block.relations
            for problem in block.problems:
                report.warnings.append(TraceWarning("python", problem.message, problem.line))
            if block.role == "add_codes" and source_id and block.target != source_id:
                report.warnings.append(
                    TraceWarning(
                        "wrong-target",
                        f"add codes to {block.target or '(no source)'}: this source is {source_id}",
                        block.line,
                    )
                )
        if trace.open is not None and trace.axial is not None:
            # the same comparison as ``jupyter-coding check`` (JC201/JC202)
            warning = _memo_warning(compare_memo(trace, names), trace.open.line)
            if warning is not None:
                report.warnings.append(warning)
    report.applies = list(dict.fromkeys(report.applies))
    report.attached = list(dict.fromkeys(report.attached))
    report.memo_codes = list(dict.fromkeys(report.memo_codes))
    _check_against_codebook(report, codebook)
    report.codes = codes_of_notes(notes, path or "<cell>")
    return report


def _check_against_codebook(report: TraceReport, codebook: Codebook | None) -> None:
    defined_here = {d.identifier for d in report.definitions}
    if codebook is not None:
        for definition in report.definitions:
            known = codebook.get(definition.identifier)
            if known is None or not known.defined:
                continue
            other = next(
                (
                    d
                    for d in known.definitions
                    if (d.metaclass, (d.label or "").strip())
                    != (definition.metaclass, (definition.label or "").strip())
                ),
                None,
            )
            if other is not None:
                report.warnings.append(
                    TraceWarning(
                        "redefined-code",
                        f"{definition.identifier} is already defined as "
                        f'CClass({other.metaclass}, "{other.label}") at {_site(other)}',
                        definition.line,
                    )
                )
    for identifier in report.mentioned:
        if identifier in defined_here:
            continue
        known = codebook.get(identifier) if codebook is not None else None
        if known is not None and known.defined:
            continue
        hint = ""
        if codebook is not None:
            suggestions = codebook.suggest(identifier)
            if suggestions:
                hint = f" (did you mean {' or '.join(suggestions)}?)"
        where = "used elsewhere but defined nowhere" if known is not None else "not in the codebook"
        report.warnings.append(TraceWarning("unknown-code", f"{identifier}: {where}{hint}"))


def _memo_warning(comparison: MemoComparison, line: int) -> TraceWarning | None:
    parts = []
    if comparison.not_applied:
        named = ", ".join(item.text for item, _ in comparison.not_applied)
        parts.append(f"the memo names {named} but the axial trace does not apply it")
    if comparison.unknown:
        named = ", ".join(item.text for item in comparison.unknown)
        parts.append(f"the memo names {named}, which no code is")
    if comparison.unnamed:
        named = ", ".join(a.identifier for a in comparison.unnamed)
        parts.append(f"applied but not in the memo: {named}")
    return TraceWarning("memo-mismatch", "; ".join(parts), line) if parts else None


def _site(definition) -> str:
    return f"{definition.path}:{definition.line}"
