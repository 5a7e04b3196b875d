"""What the rules look at: one parsed file (:class:`FileContext`), the few facts of
each file the study rules keep (:class:`FileFacts`), and the whole study
(:class:`StudyContext`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from jupyter_coding.fieldnotes import (
    AxialTrace,
    FieldNotes,
    OpenTrace,
)
from jupyter_coding.fieldnotes.lines import split_lines
from jupyter_coding.fieldnotes.names import name_key
from jupyter_coding.fieldnotes.reading import (
    TraceSummary,
    coding_traces,
)
from jupyter_coding.study.checks.config import CheckConfig
from jupyter_coding.study.codebook import Codebook, FileCodes, codes_of_notes
from jupyter_coding.study.findings import Fix
from jupyter_coding.study.fixes import text_digest
from jupyter_coding.study.source_metadata import (
    SourceMetadata,
    agreed_id,
)
from jupyter_coding.study.sources import coding_order, file_name_source_id

# -- per-file facts the study rules need -----------------------------------------


@dataclass
class FileFacts:
    """What the study rules need of one file, so the parsed document can go."""

    path: str
    source_id: str | None
    template: bool
    codes: FileCodes
    # (line, identifier) -> 1-based column, for the places codes are defined and used
    columns: dict[tuple[int, str], int] = field(default_factory=dict)
    # the coding traces with an open and an axial part, for the memo rules
    traces: list[TraceSummary] = field(default_factory=list)
    # header and CClass values, for the metadata rules
    metadata: SourceMetadata | None = None
    digest: str = ""  # of the text checked: a fix must find the file unchanged

    @classmethod
    def of(cls, notes: FieldNotes, text: str | None = None) -> FileFacts:
        path = notes.path or "<text>"
        codes = codes_of_notes(notes, path, evidence=False)  # checks need no quotes
        facts = cls(path, notes.source_id, notes.is_template, codes)
        text = text if text is not None else notes.to_text()
        facts.digest = text_digest(text)
        if not notes.is_template:
            facts.traces = [
                trace.summary()
                for trace in coding_traces(notes)
                if trace.open is not None and trace.axial is not None
            ]
            facts.metadata = SourceMetadata.of(notes)
        lines = split_lines(text)
        places = [(d.line, d.identifier) for d in codes.definitions]
        places += [(u.line, u.identifier) for u in codes.uses]
        places += [(item.line, item.text) for trace in facts.traces for item in trace.memo]
        for line, identifier in places:
            if 0 < line <= len(lines):
                facts.columns[line, identifier] = _column(lines[line - 1], identifier)
        return facts

    def column(self, line: int, identifier: str) -> int:
        return self.columns.get((line, identifier), 1)


def _column(text: str, word: str) -> int:
    """1-based column of ``word`` as a whole word in ``text`` (1 when not found)."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            return start + 1
        start = text.find(word, start + 1)
    return 1


@dataclass
class FileContext:
    """A parsed file and its lines, handed to the file rules."""

    notes: FieldNotes
    lines: list[str]
    config: CheckConfig
    digest: str = ""

    @property
    def path(self) -> str:
        return self.notes.path or "<text>"

    @property
    def own_id(self) -> str | None:
        """The source id that two of file name, header and CClass agree on (else None)."""
        notes = self.notes
        return agreed_id(
            file_name_source_id(self.path) if notes.path else None,
            notes.header.source_id if notes.header is not None else None,
            notes.source.name if notes.source is not None else None,
        )

    def fix(self, description: str, lines=(), renames=()) -> Fix:
        """A fix of this file: ``lines`` as (line, new text) pairs."""
        edits = tuple((line, self.lines[line - 1].rstrip("\r\n"), text) for line, text in lines)
        return Fix(self.path, self.digest, description, edits, tuple(renames))

    def column(self, line: int, word: str) -> int:
        if 0 < line <= len(self.lines):
            return _column(self.lines[line - 1], word)
        return 1

    def traces(self) -> Iterator[tuple[OpenTrace | None, AxialTrace | None]]:
        """Coding traces, templates left out."""
        for open_trace, axial in self.notes.traces():
            if (open_trace is not None and open_trace.template) or (
                axial is not None and axial.template
            ):
                continue
            yield open_trace, axial


# -- study rules -------------------------------------------------------------------


@dataclass
class StudyContext:
    """What the study rules look at: the codebook and per-file facts."""

    codebook: Codebook
    files: list[FileFacts]
    config: CheckConfig
    memo_comparisons: list | None = None  # worked out once for the memo rules
    # the values a CodeableModels model gives each source (``--model``)
    model: dict[str, dict[str, object]] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # what several rules work out once

    def __post_init__(self) -> None:
        self.by_path = {facts.path: facts for facts in self.files}

    def column(self, path: str, line: int, identifier: str) -> int:
        facts = self.by_path.get(path)
        return facts.column(line, identifier) if facts is not None else 1


def in_coding_order(items, source=lambda item: item.source):
    return sorted(items, key=lambda item: (coding_order(source(item)), item.path, item.line))


def site_of(item) -> str:
    return f"{item.path}:{item.line}"


def label_key(label: str | None) -> str:
    """A label's key for comparing labels (case, separators, plurals, spelling)."""
    return name_key(label or "")


def shown_value(value: object) -> str:
    """A value as a message shows it: strings quoted, True/False and numbers bare."""
    return repr(value) if isinstance(value, str) else str(value)


def first_definitions(study: StudyContext) -> list:
    """Each defined code's first definition (in coding order), in coding order."""
    if "first_definitions" not in study.cache:
        firsts = [
            in_coding_order(code.definitions)[0]
            for code in study.codebook.codes.values()
            if code.definitions
        ]
        study.cache["first_definitions"] = in_coding_order(firsts)
    return study.cache["first_definitions"]


def times(count: int) -> str:
    """How often, in words: never, once, twice, 3 times."""
    return {0: "never", 1: "once", 2: "twice"}.get(count, f"{count} times")
