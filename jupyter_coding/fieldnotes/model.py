"""The document model of one field-notes file.

A :class:`FieldNotes` is an ordered list of blocks. Every block keeps its lines
verbatim (``lines``) and the blank lines that follow it (``trailing``), so joining
them gives the file back byte for byte. The other attributes are what the parser
understood of those lines; they are derived, never written back.

Why one module: the block classes are one vocabulary, read together; each is small, and
apart they would scatter the one invariant they share (a block's lines and trailing
blanks are the file).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from jupyter_coding.fieldnotes.memo import CodeList, read_code_list
from jupyter_coding.fieldnotes.python_code import (
    CodeFacts,
    Definition,
    Problem,
    Relation,
    Use,
    read_code,
    read_values,
)

__all__ = [
    "AxialTrace",
    "Blank",
    "Block",
    "CodeBlock",
    "CodeList",
    "CodingLine",
    "Disagreement",
    "FieldNotes",
    "Header",
    "HeaderField",
    "Image",
    "OpenTrace",
    "PythonBlock",
    "Quote",
    "Raw",
    "SourceDefinition",
]

HEADER_FIELDS = (
    "url",
    "tiny url",
    "archive url",
    "title",
    "source code",
    "example",
    "source type",
    "author type",
    "references",
)

# header field -> key of ``values={...}`` in the source's CClass
# ``> Interviewer``, ``>Expert G``, ``Interviewer`` (as a lazy line): a turn in an interview
SPEAKER = re.compile(
    r">?[ \t]*(?P<name>Interviewer|Interviewee|Moderator|Researcher"
    r"|(?:Expert|Participant|Respondent|Speaker)[ \t]+\w{1,3}|P\d{1,3})[ \t]*:?",
)

SOURCE_KEYS = {
    "title": "title",
    "url": "url",
    "archive url": "archive url",
    "tiny url": "tiny url",
    "author type": "author type",
    "source type": "type",
    "example": "example",
    "source code": "source code",
}


@dataclass(eq=False)
class Block:
    """A run of lines of the file, plus the blank lines after it."""

    lines: list[str]
    trailing: list[str] = field(default_factory=list)
    line: int = 0  # 1-based number of the first line in the file (0: not placed yet)

    kind: ClassVar[str] = "block"

    @property
    def text(self) -> str:
        """The block's own lines, verbatim."""
        return "".join(self.lines)

    def to_text(self) -> str:
        """The block and the blank lines after it, verbatim."""
        return "".join(self.lines) + "".join(self.trailing)

    @property
    def end_line(self) -> int:
        """1-based number of the block's last own line."""
        return self.line + max(len(self.lines), 1) - 1


@dataclass
class HeaderField:
    """``## name`` and its value lines (indices into the header's lines)."""

    name: str
    heading: int
    value_start: int
    value_end: int


@dataclass(eq=False)
class Header(Block):
    """The kind line (``# s``/``# p``), the id line and the ``## field`` values."""

    kind_letter: str = ""
    number: str = ""
    fields: list[HeaderField] = field(default_factory=list)

    kind: ClassVar[str] = "header"

    @property
    def source_id(self) -> str:
        """``s43``, ``p1``; just the letter for the empty template."""
        return self.kind_letter + self.number

    def value(self, name: str) -> str | None:
        """A field's value (its lines joined, stripped); None when the field is missing."""
        for item in self.fields:
            if item.name == name:
                return "\n".join(
                    line.strip() for line in self.lines[item.value_start : item.value_end]
                ).strip()
        return None

    def field_line(self, name: str) -> int | None:
        """1-based file line of a field's heading."""
        for item in self.fields:
            if item.name == name:
                return self.line + item.heading
        return None

    @property
    def values(self) -> dict[str, str]:
        """All fields by name, in file order."""
        return {item.name: self.value(item.name) or "" for item in self.fields}


@dataclass(eq=False)
class PythonBlock:
    """One fenced python block of a trace, with the label lines above it."""

    label_lines: list[str]
    fence_open: str
    code_lines: list[str]
    fence_close: str | None
    line: int  # first line (label or fence)
    code_line: int  # first code line
    role: str  # "added" | "add_codes" | "unlabelled"
    target: str | None  # the N of ``add codes to N``

    @cached_property
    def facts(self) -> CodeFacts:
        """What the code says, read on first use (round trips never need it)."""
        return read_code(self.code, self.code_line, attach=self.role == "add_codes")

    @property
    def label(self) -> str | None:
        for line in reversed(self.label_lines):
            text = line.strip()
            if text:
                return text
        return None

    @property
    def code(self) -> str:
        return "".join(self.code_lines)

    @property
    def definitions(self) -> list[Definition]:
        return self.facts.definitions

    @property
    def reused(self) -> list[Use]:
        return self.facts.reused

    @property
    def attached(self) -> list[Use]:
        return self.facts.attached

    @property
    def relations(self) -> list[Relation]:
        return self.facts.relations

    @property
    def problems(self) -> list[Problem]:
        return self.facts.problems


@dataclass(eq=False)
class SourceDefinition(Block):
    """``**AXIAL CODING TRACE**: source and references`` and the source's CClass."""

    variant: str = "B"  # A: ``**AXIAL CODING TRACE:**``, B: ``…**: source and references``
    block: PythonBlock | None = None
    var: str | None = None
    name: str | None = None

    kind: ClassVar[str] = "source"

    @cached_property
    def _values(self) -> tuple[dict[str, object], list[str]]:
        return read_values(self.block.code) if self.block is not None else ({}, [])

    @property
    def values(self) -> dict[str, object]:
        """``values={...}`` as data: strings, True/False/None."""
        return self._values[0]

    @property
    def key_order(self) -> list[str]:
        return self._values[1]

    @property
    def references(self) -> list[Definition]:
        """``CClass(reference, ...)`` objects defined beside the source."""
        if self.block is None:
            return []
        return [d for d in self.block.definitions if d.metaclass == "reference"]

    def value_line(self, key: str) -> int | None:
        """1-based file line of ``"key":`` in the values."""
        if self.block is None:
            return None
        needle = f'"{key}"'
        for offset, line in enumerate(self.block.code_lines):
            if line.lstrip().startswith(needle):
                return self.block.code_line + offset
        return None


@dataclass(eq=False)
class CodingLine(Block):
    """The ``# coding`` line that opens the body."""

    kind: ClassVar[str] = "coding"


@dataclass(eq=False)
class Quote(Block):
    """A quote paragraph: ``> text`` lines and their lazy continuations."""

    kind: ClassVar[str] = "quote"

    @property
    def speaker_lines(self) -> list[tuple[int, str]]:
        """Interview speaker lines (``> Interviewer``, ``>Expert G``): (file line, name)."""
        return [
            (self.line + offset, match.group("name"))
            for offset, line in enumerate(self.lines)
            if len(line) < 48 and (match := SPEAKER.fullmatch(line.strip(" \t\r\n\ufeff")))
        ]

    @property
    def speaker(self) -> str | None:
        """The speaker when the paragraph opens with a speaker line."""
        speakers = self.speaker_lines
        return speakers[0][1] if speakers and speakers[0][0] == self.line else None

    @property
    def is_speaker_only(self) -> bool:
        """Only speaker lines (``> Interviewer``): a turn marker, not evidence."""
        return all(SPEAKER.fullmatch(line.strip(" \t\r\n\ufeff")) for line in self.lines)

    @property
    def plain_text(self) -> str:
        """The quoted words without ``>`` markers, one line per source line."""
        out = []
        for line in self.lines:
            body = line.rstrip("\n").rstrip("\r")
            stripped = body.lstrip(" ")
            if stripped.startswith(">"):
                body = stripped[1:]
                if body.startswith(" "):
                    body = body[1:]
            out.append(body.rstrip())
        return "\n".join(out)


@dataclass(eq=False)
class OpenTrace(Block):
    """``**OPEN CODING TRACE:**`` and its memo."""

    marker: str = ""
    blocks: list[PythonBlock] = field(default_factory=list)  # axial content under an open marker
    template: bool = False

    kind: ClassVar[str] = "open"

    @cached_property
    def memo_lines(self) -> list[tuple[int, str]]:
        """(file line, stripped text) of every memo line, fenced blocks left out."""
        fenced: set[int] = set()
        for block in self.blocks:
            end = block.code_line + len(block.code_lines) + (block.fence_close is not None)
            fenced.update(range(block.line, end))
        return [
            (self.line + offset, line.strip(" \t\r\n"))
            for offset, line in enumerate(self.lines[1:], 1)
            if self.line + offset not in fenced
        ]

    @cached_property
    def code_lists(self) -> list[CodeList]:
        """Memo lines read as code lists (``Familiar option: a, b``)."""
        found = (read_code_list(text, line) for line, text in self.memo_lines if text)
        return [code_list for code_list in found if code_list is not None]

    @property
    def memo(self) -> str:
        """The memo text (lines after the marker), stripped."""
        return "\n".join(text for _, text in self.memo_lines).strip()

    @property
    def memo_codes(self) -> list[str]:
        """Identifiers named in code-list lines, in order, without repeats."""
        return list(dict.fromkeys(code for cl in self.code_lists for code in cl.codes))


@dataclass(eq=False)
class AxialTrace(Block):
    """``**AXIAL CODING TRACE:**`` and its labelled python blocks."""

    marker: str = ""
    blocks: list[PythonBlock] = field(default_factory=list)
    stray_lines: list[tuple[int, str]] = field(default_factory=list)  # text after the last fence
    template: bool = False

    kind: ClassVar[str] = "axial"

    @property
    def attached(self) -> list[str]:
        """Codes attached to the source, in order, without repeats."""
        return list(
            dict.fromkeys(use.identifier for block in self.blocks for use in block.attached)
        )

    @property
    def definitions(self) -> list[Definition]:
        return [d for block in self.blocks for d in block.definitions]

    @property
    def relations(self) -> list[Relation]:
        return [r for block in self.blocks for r in block.relations]

    @property
    def reused(self) -> list[Use]:
        return [u for block in self.blocks for u in block.reused]


@dataclass(eq=False)
class Disagreement(Block):
    """``**CODERS DISAGREE:** a above, b below``: two coders coded the same quotes.

    A merge of two coders' versions (:mod:`jupyter_coding.study.coders`) writes one between
    the traces of one coder (above) and those of the other (below), for them to discuss.
    The traces below code the same quotes as those above.
    """

    above: str = ""  # the coder whose traces stand above the marker
    below: str = ""

    kind: ClassVar[str] = "disagreement"


@dataclass(eq=False)
class Image(Block):
    """``![alt](url)`` on a line of its own."""

    alt: str = ""
    url: str = ""
    malformed: bool = False

    kind: ClassVar[str] = "image"


@dataclass(eq=False)
class CodeBlock(Block):
    """A fenced block outside any trace."""

    info: str = ""
    closed: bool = True

    kind: ClassVar[str] = "code"


@dataclass(eq=False)
class Raw(Block):
    """Lines the parser does not understand; kept and written back as they are."""

    kind: ClassVar[str] = "raw"


@dataclass(eq=False)
class Blank(Block):
    """Blank lines with no block before them (the start of a headerless file)."""

    kind: ClassVar[str] = "blank"


@dataclass(eq=False)
class FieldNotes:
    """One field-notes file: its blocks in order, and where it came from."""

    blocks: list[Block]
    path: str | None = None
    _evidence: dict[int, list[Quote]] | None = field(default=None, repr=False, compare=False)

    def to_text(self) -> str:
        """The file's text: every block's verbatim lines and separators joined."""
        return "".join(block.to_text() for block in self.blocks)

    # -- navigation ----------------------------------------------------
    def iter(self, *kinds: type[Block]) -> Iterator[Block]:
        return (block for block in self.blocks if not kinds or isinstance(block, kinds))

    @property
    def header(self) -> Header | None:
        return next(self.iter(Header), None)  # type: ignore[return-value]

    @property
    def source(self) -> SourceDefinition | None:
        return next(self.iter(SourceDefinition), None)  # type: ignore[return-value]

    @property
    def coding_line(self) -> CodingLine | None:
        return next(self.iter(CodingLine), None)  # type: ignore[return-value]

    @property
    def quotes(self) -> list[Quote]:
        return list(self.iter(Quote))  # type: ignore[arg-type]

    @property
    def open_traces(self) -> list[OpenTrace]:
        return list(self.iter(OpenTrace))  # type: ignore[arg-type]

    @property
    def axial_traces(self) -> list[AxialTrace]:
        return list(self.iter(AxialTrace))  # type: ignore[arg-type]

    @property
    def images(self) -> list[Image]:
        return list(self.iter(Image))  # type: ignore[arg-type]

    @property
    def source_id(self) -> str | None:
        """``s43``: from the header, else from the source's CClass."""
        header = self.header
        if header is not None and header.number:
            return header.source_id
        source = self.source
        if source is not None and source.name:
            return source.name
        return header.source_id if header is not None else None

    @property
    def is_template(self) -> bool:
        """The empty ``s_.md`` template: a header without a number."""
        header = self.header
        return header is not None and not header.number

    def python_blocks(self, include_templates: bool = False) -> Iterator[PythonBlock]:
        """Every python block of the coding traces, in file order."""
        for block in self.blocks:
            if isinstance(block, (OpenTrace, AxialTrace)):
                if block.template and not include_templates:
                    continue
                yield from block.blocks

    @property
    def definitions(self) -> list[Definition]:
        """Code definitions in the coding traces (the source's CClass left out)."""
        return [d for b in self.python_blocks() for d in b.definitions]

    @property
    def relations(self) -> list[Relation]:
        return [r for b in self.python_blocks() for r in b.relations]

    @property
    def attached(self) -> list[Use]:
        """Every code attached to a source by an ``add codes to`` block."""
        return [u for b in self.python_blocks() for u in b.attached]

    @property
    def reused(self) -> list[Use]:
        return [u for b in self.python_blocks() for u in b.reused]

    @property
    def codes_attached(self) -> list[str]:
        """Distinct identifiers attached to sources, in order of first use."""
        return list(dict.fromkeys(use.identifier for use in self.attached))

    @property
    def codes_mentioned(self) -> list[str]:
        """Distinct identifiers defined, reused, attached or at a relation end."""
        names: dict[str, None] = {}
        for block in self.python_blocks():
            for d in block.definitions:
                names[d.identifier] = None
            for u in block.reused + block.attached:
                names[u.identifier] = None
            for r in block.relations:
                names[r.source] = None
                names[r.target] = None
        return list(names)

    def traces(self) -> Iterator[tuple[OpenTrace | None, AxialTrace | None]]:
        """Coding traces as (open, axial) pairs; either side may be missing."""
        pending: OpenTrace | None = None
        for block in self.blocks:
            if isinstance(block, OpenTrace):
                if pending is not None:
                    yield pending, None
                pending = block
            elif isinstance(block, AxialTrace):
                yield pending, block
                pending = None
            elif pending is not None and not isinstance(block, Blank):
                yield pending, None
                pending = None
        if pending is not None:
            yield pending, None

    def evidence(self, block: Block) -> list[Quote]:
        """The quotes a trace codes: the run of quotes (and images) right before it.

        Interview speaker-only paragraphs (``> Interviewer``) are not evidence. Traces
        below a :class:`Disagreement` marker code the quotes of the traces above it.
        """
        if self._evidence is None:
            found: dict[int, list[Quote]] = {}
            run: list[Quote] = []
            held: list[Quote] = []  # the last run of quotes, for the traces below a marker
            for candidate in self.blocks:
                found[id(candidate)] = run
                if isinstance(candidate, Quote):
                    if not candidate.is_speaker_only:
                        run = [*run, candidate]
                    held = run
                elif isinstance(candidate, Disagreement):
                    run = held  # the other coder's traces code the same quotes
                elif isinstance(candidate, (OpenTrace, AxialTrace)):
                    run = []
                elif not isinstance(candidate, (Image, Blank)):
                    run = held = []
            self._evidence = found
        return list(self._evidence.get(id(block), []))

    def renumber(self) -> None:
        """Recompute every block's line number (after edits)."""
        number = 1
        for block in self.blocks:
            block.line = number
            number += len(block.lines) + len(block.trailing)
