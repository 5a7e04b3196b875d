"""The lossless parser: text -> :class:`FieldNotes`.

A line-by-line state machine that knows about fences (a line inside a fence is
never a marker, quote or heading) cuts the file into blocks. Each block keeps its
lines verbatim; blank lines after a block are its ``trailing``. Whatever is not
recognised becomes a :class:`Raw` block, so ``parse(text).to_text() == text`` for
any text at all.

A fence someone forgot to close must not turn the rest of the file into python:
see :meth:`_Parser.fence_end` for where such a block ends.

Every regular expression here runs on user text, so each is written to fail in
time linear in the line (no two quantifiers that can share the same characters
next to each other); ``tests/test_integrity_inputs_regex.py`` holds them to it.

Why one module: it is one state machine; where a block ends (a fence never closed above
all) only makes sense with every other rule beside it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import pairwise

from jupyter_coding.fieldnotes.lines import split_lines, stripped
from jupyter_coding.fieldnotes.model import (
    AxialTrace,
    Blank,
    Block,
    CodeBlock,
    CodingLine,
    Disagreement,
    FieldNotes,
    Header,
    HeaderField,
    Image,
    OpenTrace,
    PythonBlock,
    Quote,
    Raw,
    SourceDefinition,
)

__all__ = ["parse", "parse_blocks"]

KIND_LINE = re.compile(r"#[ \t]+([A-Za-z]{1,3})[ \t]*")
# the digits are optional as a group: ``[ \t]*\d*[ \t]*`` backtracks quadratically
ID_LINE = re.compile(r"[ \t]*(?:(\d+)[ \t]*)?")
# the name is stripped in python: a lazy ``(\S.*?)[ \t]*`` backtracks quadratically
FIELD_HEADING = re.compile(r"## (\S.*)")
OPEN_MARKER = re.compile(
    r"(?:>[ \t]*)?\*\*[ \t]*OPEN[ \t]+CODING(?:[ \t]+TRACE)?[ \t]*(?::\*\*|\*\*[ \t]*:).*",
    re.IGNORECASE,
)
AXIAL_MARKER = re.compile(
    r"(?:>[ \t]*)?\*\*[ \t]*AXIAL[ \t]+CODING(?:[ \t]+TRACE)?[ \t]*(?::\*\*|\*\*[ \t]*:)(.*)",
    re.IGNORECASE,
)
# written by a merge of two coders' versions (jupyter_coding.study.coders)
DISAGREEMENT_MARKER = re.compile(
    r"\*\*[ \t]*CODERS?[ \t]+DISAGREE[ \t]*(?::\*\*|\*\*[ \t]*:)(.*)", re.IGNORECASE
)
DISAGREEMENT_NAMES = re.compile(
    r"[ \t]*(?P<above>[^\s,;]+)[ \t]+above[ \t]*,[ \t]*(?P<below>[^\s,;]+)[ \t]+below",
    re.IGNORECASE,
)
CODING_LINE = re.compile(r"#[ \t]+coding", re.IGNORECASE)
# the look-aheads keep the run whole: else a line of backticks that fails is tried
# again with every shorter run (quadratic)
FENCE = re.compile(r" {0,3}(`{3,}(?!`)|~{3,}(?!~))(.*)")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<url>[^)\s]*)\)")
IMAGE_ALT = re.compile(r"!\[([^\]]*)\]")
# the target is optional as a group, so that the spaces around it cannot be shared
ADD_CODES_LABEL = re.compile(r"add[ \t]+codes?[ \t]+to(?:[ \t]*([\w-]+))?[ \t]*:?", re.IGNORECASE)
ADDED_LABEL = re.compile(r"(?:added|add)[ \t]*:?", re.IGNORECASE)
# ``s43 = CClass(source, "s43"``. The look-behind starts a try only where a word
# starts: without it every position of a long word is tried again (quadratic).
SOURCE_CCLASS = re.compile(r"(?<!\w)(\w+)\s*=\s*CClass\(\s*source\s*,\s*([\"'])(.*?)\2")
# info strings of fences that hold python (or nothing said): such a block cannot
# hold a quote, a marker, an image or another opener, so one of those before the
# closer means the fence was never closed
PYTHON_INFO = frozenset({"", "python", "python3", "py"})
TEMPLATE_MARKS = ("<ins>Option:", "#added classes:")


def parse(text: str, path: str | None = None) -> FieldNotes:
    """Parse field-notes text. Never fails and never loses a byte."""
    return FieldNotes(parse_blocks(text), path)


def parse_blocks(text: str, first_line: int = 1) -> list[Block]:
    """Cut ``text`` into blocks (``first_line`` numbers its first line)."""
    return _Parser(split_lines(text), first_line).run()


# line kinds, computed once per line
BLANK, TEXT, QUOTE, OPEN, AXIAL, FENCE_LINE, IMAGE_LINE, CODING, DISAGREE = range(9)


def classify(line: str) -> int:
    """What a line could start, outside fences. Cheap first-character tests first."""
    body = line.lstrip(" ")
    first = body[:1]
    if not first or first == "\n" or not body.strip(" \t\r\n"):
        return BLANK
    indent = len(line) - len(body)
    if indent > 3 and "**" not in body:
        return TEXT  # indented code, mostly
    if first == "*" or (first == ">" and "**" in body[:8]):
        text = stripped(line)
        if OPEN_MARKER.fullmatch(text):
            return OPEN
        if AXIAL_MARKER.fullmatch(text):
            return AXIAL
        if first == "*" and DISAGREEMENT_MARKER.fullmatch(text):
            return DISAGREE
    if indent > 3:
        return TEXT
    if first == ">":
        return QUOTE
    if first in "`~" and _fence(line):
        return FENCE_LINE
    if first == "!" and body[1:2] == "[":
        return IMAGE_LINE
    if first == "#" and not indent and CODING_LINE.fullmatch(stripped(line)):
        return CODING
    return TEXT


# the kind a line's first character decides; -1: look closer (``classify``)
_FIRST_KIND = {"\n": BLANK, **{c: -1 for c in " \t\r\ufeff*>`~!#"}}
# lazy continuation: any line but a blank, marker, fence or image goes on
_QUOTE_STOPS = frozenset((BLANK, OPEN, AXIAL, FENCE_LINE, IMAGE_LINE, DISAGREE))
# lines that cannot be inside a python block (an opener, too: see ``fence_end``)
_FENCE_STOPS = frozenset((QUOTE, OPEN, AXIAL, IMAGE_LINE, CODING, DISAGREE))


# what ends a paragraph of text (or a disagreement marker's)
_PARAGRAPH_STOPS = (BLANK, OPEN, AXIAL, FENCE_LINE, QUOTE, IMAGE_LINE, CODING, DISAGREE)


def _fence(line: str) -> re.Match | None:
    return FENCE.fullmatch(line.rstrip("\r\n"))


class _Parser:
    def __init__(self, lines: list[str], first_line: int) -> None:
        self.lines = lines
        first_kind = _FIRST_KIND.get
        self.kinds = kinds = [first_kind(line[0], TEXT) for line in lines]
        for index in [i for i, kind in enumerate(kinds) if kind < 0]:
            line = lines[index]
            # most such lines are plain quotes or indented code: spare them the full look
            if "**" in line:
                kinds[index] = classify(line)
            elif line[0] == ">":
                kinds[index] = QUOTE
            elif line.startswith("    "):
                kinds[index] = TEXT if line.strip(" \t\r\n") else BLANK
            else:
                kinds[index] = classify(line)
        # where runs end: found once, then looked up by bisection
        self.non_blank = [i for i, k in enumerate(kinds) if k != BLANK]
        self.quote_stops = [i for i, k in enumerate(kinds) if k in _QUOTE_STOPS]
        # fences: the closers of each fence character (index, length), and the lines
        # python never holds, which end a fence left open
        self.closers: dict[str, list[tuple[int, int]]] = {"`": [], "~": []}
        self._long_closers: dict[tuple[str, int], list[int]] = {}
        openers = []
        for index in [i for i, kind in enumerate(kinds) if kind == FENCE_LINE]:
            fence, info = _fence(lines[index]).groups()
            if info.strip():
                openers.append(index)
            else:
                self.closers[fence[0]].append((index, len(fence)))
        stops = [i for i, kind in enumerate(kinds) if kind in _FENCE_STOPS]
        self.fence_stops = sorted(stops + openers) if openers else stops
        self.first = first_line
        self.pos = 0
        self.blocks: list[Block] = []
        self.seen_body = False  # a quote, trace or ``# coding`` has been seen

    def number(self, index: int) -> int:
        return self.first + index

    # -- driver --------------------------------------------------------
    def run(self) -> list[Block]:
        self.header()
        lines, kinds, blocks = self.lines, self.kinds, self.blocks
        non_blank, quote_stops = self.non_blank, self.quote_stops
        total = len(lines)
        pos = self.pos
        # blank runs and quotes are most of a file: they are handled inline
        while pos < total:
            kind = kinds[pos]
            if kind == BLANK:
                after = bisect_right(non_blank, pos)
                end = non_blank[after] if after < len(non_blank) else total
                if not blocks:
                    self.add(Blank([]), pos)
                blocks[-1].trailing.extend(lines[pos:end])
            elif kind == QUOTE:
                after = bisect_right(quote_stops, pos)
                end = quote_stops[after] if after < len(quote_stops) else total
                blocks.append(Quote(lines[pos:end], [], self.first + pos))
                self.seen_body = True
            else:
                self.pos = pos
                self.body_block(lines[pos])
                end = self.pos
            pos = end
        self.pos = pos
        return blocks

    def add(self, block: Block, start: int) -> None:
        block.line = self.number(start)
        self.blocks.append(block)

    # -- header --------------------------------------------------------
    def header(self) -> None:
        if len(self.lines) < 2:
            return
        kind = KIND_LINE.fullmatch(self.lines[0].rstrip("\r\n").lstrip("\ufeff"))
        ident = ID_LINE.fullmatch(self.lines[1].rstrip("\r\n"))
        if kind is None or ident is None or kind.group(1).lower() == "coding":
            return
        end = 2
        fields: list[HeaderField] = []
        while end < len(self.lines):
            line = self.lines[end]
            heading = FIELD_HEADING.fullmatch(line.rstrip("\r\n")) if line[:3] == "## " else None
            if heading:
                if fields:
                    fields[-1].value_end = end
                name = heading.group(1).rstrip(" \t")
                fields.append(HeaderField(name, end, end + 1, end + 1))
            elif self.kinds[end] not in (BLANK, TEXT, IMAGE_LINE) or not fields:
                break
            end += 1
        if fields:
            fields[-1].value_end = end
        # blank lines closing the last value stay in the header: they are its value
        header = Header(self.lines[:end], kind_letter=kind.group(1), number=ident.group(1) or "")
        header.fields = fields
        self.add(header, 0)
        self.pos = end

    # -- body ----------------------------------------------------------
    def body_block(self, line: str) -> None:
        start = self.pos
        kind = self.kinds[start]
        if kind == OPEN:
            self.open_trace()
        elif kind == AXIAL:
            if not self.seen_body and self.source_definition():
                return
            self.axial_trace()
        elif kind == CODING:
            self.pos += 1
            self.add(CodingLine([line]), start)
        elif kind == DISAGREE:
            self.disagreement()
        elif kind == IMAGE_LINE:
            self.pos += 1
            self.add(_image(line), start)
        elif kind == FENCE_LINE:
            end, closed = self.fence_end(start)
            self.pos = end
            info = _fence(line).group(2).strip()
            self.add(CodeBlock(self.lines[start:end], info=info, closed=closed), start)
        else:
            self.raw()
        if not isinstance(self.blocks[-1], (Raw, Image, CodeBlock)):
            self.seen_body = True

    def paragraph_end(self, start: int, stops: tuple[int, ...]) -> int:
        """Index of the first line after ``start`` whose kind is in ``stops``."""
        kinds = self.kinds
        end = start + 1
        while end < len(kinds) and kinds[end] not in stops:
            end += 1
        return end

    def raw(self) -> None:
        start = self.pos
        end = self.paragraph_end(start, _PARAGRAPH_STOPS)
        self.pos = end
        self.add(Raw(self.lines[start:end]), start)

    def disagreement(self) -> None:
        start = self.pos
        end = self.paragraph_end(start, _PARAGRAPH_STOPS)
        self.pos = end
        text = DISAGREEMENT_MARKER.fullmatch(stripped(self.lines[start])).group(1)
        names = DISAGREEMENT_NAMES.match(text)
        above, below = (names.group("above"), names.group("below")) if names else ("", "")
        self.add(Disagreement(self.lines[start:end], above=above, below=below), start)

    def fence_end(self, start: int) -> tuple[int, bool]:
        """Index after the fence opened at ``start``, and whether it was closed.

        A fence is closed by the next fence line of its character, at least as long
        and with no info string. A fence left open must not swallow the rest of the
        file (quotes and traces read as python, their words as codes), so the fence
        is taken as never closed, and its block ends, where a line comes that python
        never holds: a quote, a trace marker, an image, ``# coding`` or the opener of
        another fenced block, or prose (a sentence or a label) after a blank line;
        blank lines and the label of the next block before that line are not its
        code. A python fence (or one with no info string) reaching such a line
        before its closer was never closed; any other fence (```` ```markdown ````
        may quote anything) is closed by its closer and ends like this only when the
        file has none. A fence with nothing after it that ends it runs to the end of
        the file, as before. Every line stays in exactly one block either way.
        """
        lines, kinds = self.lines, self.kinds
        fence, info = _fence(lines[start]).groups()
        candidates = self.closers_at_least(fence[0], len(fence))
        at = bisect_right(candidates, start)
        closer = candidates[at] if at < len(candidates) else None
        stops = self.fence_stops
        at = bisect_right(stops, start)
        stop = stops[at] if at < len(stops) else None
        python = info.strip().lower() in PYTHON_INFO
        if closer is not None and (stop is None or closer < stop or not python):
            return closer + 1, True
        end = stop if stop is not None else len(lines)
        prose = self.prose_after_blank(start + 1, end)
        if prose is not None:
            end = prose
        elif stop is None:
            return end, False  # nothing ends it: to the end of the file
        elif kinds[end] == FENCE_LINE:
            # ``add codes to s9:`` above the next opener is that block's label
            label = end
            while label > start + 1 and kinds[label - 1] == BLANK:
                label -= 1
            if label > start + 1 and _role(stripped(lines[label - 1]))[0] != "unlabelled":
                end = label - 1
        while end > start + 1 and kinds[end - 1] == BLANK:
            end -= 1
        return end, False

    def closers_at_least(self, char: str, length: int) -> list[int]:
        """Where the closers of ``char`` at least ``length`` long are (made once per length)."""
        key = (char, length)
        found = self._long_closers.get(key)
        if found is None:
            found = [index for index, size in self.closers[char] if size >= length]
            self._long_closers[key] = found
        return found

    def prose_after_blank(self, start: int, end: int) -> int | None:
        """The first line in ``start:end`` after a blank line that reads as prose."""
        kinds, lines = self.kinds, self.lines
        for index in range(max(start, 1), end):
            if kinds[index] == TEXT and kinds[index - 1] == BLANK and _is_prose(lines[index]):
                return index
        return None

    def trace_end(self, start: int) -> int:
        """A trace runs to the next quote, marker or image outside a fence."""
        kinds = self.kinds
        index = start + 1
        while index < len(kinds):
            kind = kinds[index]
            if kind == FENCE_LINE:
                index, _ = self.fence_end(index)
                continue
            if kind in (OPEN, AXIAL, QUOTE, IMAGE_LINE, CODING, DISAGREE):
                break
            index += 1
        # blank lines at the end are the separator, not the trace
        while index > start + 1 and kinds[index - 1] == BLANK:
            index -= 1
        return index

    # -- traces --------------------------------------------------------
    def open_trace(self) -> None:
        start = self.pos
        end = self.trace_end(start)
        self.pos = end
        lines = self.lines[start:end]
        trace = OpenTrace(lines, marker=lines[0])
        blocks, _stray = self.python_blocks(start + 1, end)
        trace.blocks = blocks
        trace.template = any(mark in trace.text for mark in TEMPLATE_MARKS)
        self.add(trace, start)

    def axial_trace(self) -> None:
        start = self.pos
        end = self.trace_end(start)
        self.pos = end
        lines = self.lines[start:end]
        trace = AxialTrace(lines, marker=lines[0])
        trace.blocks, trace.stray_lines = self.python_blocks(start + 1, end)
        trace.template = any(mark in trace.text for mark in TEMPLATE_MARKS)
        self.add(trace, start)

    def python_blocks(self, start: int, end: int) -> tuple[list[PythonBlock], list]:
        """Label lines and fences between ``start`` and ``end``."""
        blocks: list[PythonBlock] = []
        labels: list[int] = []
        index = start
        while index < end:
            kind = self.kinds[index]
            if kind == FENCE_LINE:
                close, closed = self.fence_end(index)
                close = min(close, end)
                blocks.append(self.python_block(labels, index, close, closed))
                labels = []
                index = close
                continue
            if kind != BLANK:
                labels.append(index)
            index += 1
        stray = [(self.number(i), stripped(self.lines[i])) for i in labels]
        return blocks, stray

    def python_block(self, labels: list[int], opener: int, close: int, closed: bool) -> PythonBlock:
        label_start = labels[0] if labels else opener
        label_lines = self.lines[label_start:opener]
        label = next((stripped(self.lines[i]) for i in reversed(labels)), None)
        role, target = _role(label)
        code_lines = self.lines[opener + 1 : close - 1 if closed else close]
        code_line = self.number(opener + 1)
        return PythonBlock(
            label_lines=label_lines,
            fence_open=self.lines[opener],
            code_lines=code_lines,
            fence_close=self.lines[close - 1] if closed else None,
            line=self.number(label_start),
            code_line=code_line,
            role=role,
            target=target,
        )

    def source_definition(self) -> bool:
        """``**AXIAL CODING TRACE**: source and references`` + ``CClass(source, ...)``."""
        start = self.pos
        marker = self.lines[start]
        if start + 1 >= len(self.lines) or self.kinds[start + 1] != FENCE_LINE:
            return False
        end, closed = self.fence_end(start + 1)
        code = "".join(self.lines[start + 2 : end - 1 if closed else end])
        match = SOURCE_CCLASS.search(code)
        if match is None:
            return False
        blocks, _ = self.python_blocks(start + 1, end)
        suffix = AXIAL_MARKER.fullmatch(stripped(marker)).group(1).strip()
        source = SourceDefinition(
            self.lines[start:end],
            variant="B" if suffix else "A",
            block=blocks[0],
            var=match.group(1),
            name=match.group(3),
        )
        self.pos = end
        self.add(source, start)
        return True


def _is_prose(line: str) -> bool:
    """A line no python block holds: a label, or words in a row as in a sentence.

    Code at the margin is a call, an assignment or a list of identifiers
    (``a, b``): it has brackets or ``=``, or a comma after each word.
    """
    if not line[:1].isalpha():
        return False
    text = stripped(line)
    if _role(text)[0] != "unlabelled":
        return True
    if any(char in text for char in '=()[]{}#"`\\'):
        return False
    words = text.split()
    return len(words) >= 3 and any(
        first[-1].isalnum() and second[0].isalpha() for first, second in pairwise(words)
    )


def _image(line: str) -> Image:
    text = stripped(line)
    match = IMAGE.fullmatch(text)
    if match:
        return Image([line], alt=match.group("alt"), url=match.group("url"))
    alt = IMAGE_ALT.match(text)
    # the url runs from the first ``](`` to the end, less one closing ``)``
    start = text.find("](")
    url = text[start + 2 :] if start >= 0 else ""
    return Image(
        [line],
        alt=alt.group(1) if alt else "",
        url=url[:-1] if url.endswith(")") else url,
        malformed=True,
    )


def _role(label: str | None) -> tuple[str, str | None]:
    if label is None:
        return "unlabelled", None
    match = ADD_CODES_LABEL.fullmatch(label)
    if match:
        return "add_codes", match.group(1) or ""
    if ADDED_LABEL.fullmatch(label):
        return "added", None
    return "unlabelled", None
