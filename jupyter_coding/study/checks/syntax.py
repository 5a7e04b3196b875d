"""JC4xx: the text itself (python that does not parse, fences left open, line ends,
a second ``# coding`` line, broken images).
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator

from jupyter_coding.fieldnotes import (
    AxialTrace,
    CodeBlock,
    FieldNotes,
    OpenTrace,
    PythonBlock,
    SourceDefinition,
    parser,
)
from jupyter_coding.fieldnotes.lines import cr_line_ends
from jupyter_coding.fieldnotes.model import CodingLine
from jupyter_coding.fieldnotes.python_code import RELATION_FUNCTIONS, tokenize
from jupyter_coding.study.checks.facts import FileContext
from jupyter_coding.study.checks.registry import (
    coded,
    example,
    new_finding,
    rule,
    seed_trace,
    source_file,
)
from jupyter_coding.study.findings import Finding


@rule(
    "JC405",
    "second-coding-line",
    "file",
    examples=(example(source_file("s1", "> q\n\n# coding\n\n> r\n")),),
)
def _second_coding_line(file: FileContext) -> Iterator[Finding]:
    """A second ``# coding`` line (the one that opens the body), further down the body."""
    lines = [block for block in file.notes.blocks if isinstance(block, CodingLine)]
    for block in lines[1:]:
        yield new_finding(
            "JC405",
            file.path,
            block.line,
            1,
            f"a second '# coding' line (the body opens at line {lines[0].line}): left over "
            "from a file pasted in?",
        )


@rule(
    "JC406",
    "broken-image",
    "file",
    fix="closes the link",
    examples=(
        example(
            source_file("s1", "> q\n\n![the pipeline](https://example.org/pipeline.png\n\n> r\n")
        ),
    ),
)
def _broken_image(file: FileContext) -> Iterator[Finding]:
    """An image line whose link is not closed, or holds text instead of an address."""
    for image in file.notes.images:
        if not image.malformed:
            continue
        text = file.lines[image.line - 1].rstrip("\r\n")
        closed = text.rstrip().endswith(")")
        if not closed and image.url and not any(c.isspace() for c in image.url):
            mended = text.rstrip() + ")"
            yield new_finding(
                "JC406",
                file.path,
                image.line,
                len(text.rstrip()) + 1,
                "the image link is not closed: ')' is missing",
                file.fix("close the image link", [(image.line, mended)]),
            )
        elif image.url and any(c.isspace() for c in image.url.strip()):
            yield new_finding(
                "JC406",
                file.path,
                image.line,
                text.find("](") + 3,
                f"the image link holds {image.url!r}, not an address",
            )
        else:
            yield new_finding(
                "JC406", file.path, image.line, 1, "the image line is not ![alt](url)"
            )


def _syntax_error(code: str) -> SyntaxError | None:
    try:
        ast.parse(code)
    except SyntaxError as error:
        return error
    return None


def _python_errors(block: PythonBlock) -> list[tuple[int, int, str]]:
    """(line, column, message) of every syntax error in a block's python.

    Python stops at the first error, so the block is cut into its statements (at the
    newlines outside brackets and ``'''`` strings, and where a definition or a
    relation call starts a line inside brackets an error left open) and each is
    parsed on its own: one error per broken statement, and a statement indented
    otherwise than the block's others is an indentation error.
    """
    code = block.code
    dedented = textwrap.dedent(code)
    error = _syntax_error(dedented)
    if error is None:
        return []
    lines = code.split("\n")
    statements = _statements(code)
    indents = [_indent(lines[start]) for start, _ in statements]
    found = []
    previous = None  # the indentation of the statement before, when it was off too
    for (start, end), indent in zip(statements, indents, strict=True):
        first_line = block.code_line + start
        usual = indents[0]  # python reads the first statement's as the block's
        if indent != usual and indent != previous:
            how = "unexpected indent" if indent > usual else "indented less than the block"
            found.append(
                (
                    first_line,
                    indent + 1 if indent > usual else 1,
                    f"{how} ({_spaces(indent)}; the block's first statement has {_spaces(usual)})",
                )
            )
        previous = indent if indent != usual else None
        original = lines[start:end]
        parsed = [line[indent:] if _indent(line) >= indent else line.lstrip() for line in original]
        problem = _syntax_error("\n".join(parsed))
        if problem is not None and not isinstance(problem, IndentationError):
            found.append(_place(problem, original, parsed, first_line))
    return found or [_place(error, lines, dedented.split("\n"), block.code_line)]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _spaces(count: int) -> str:
    return f"{count} space{'s' * (count != 1)}"


def _starts_statement(tokens, index: int) -> bool:
    """A definition (``x = CClass(``) or a relation call begins at this token."""
    token = tokens[index]
    if token.kind != "ident":
        return False
    following = [t.text for t in tokens[index + 1 : index + 3]]
    if token.text in RELATION_FUNCTIONS:
        return following[:1] in (["("], ["{"])
    return len(following) == 2 and following[0] == "=" and following[1].startswith("CClas")


def _statements(code: str) -> list[tuple[int, int]]:
    """The block's statements as (first line, line after the last), 0-based."""
    tokens = tokenize(code)
    statements: list[tuple[int, int]] = []
    start: int | None = None
    start_indent = 0
    lines = code.split("\n")
    depth, in_string, line_start = 0, False, True
    for index, token in enumerate(tokens):
        if token.kind == "nl":
            if start is not None and depth == 0 and not in_string:
                statements.append((start, token.line + 1))
                start = None
            line_start = True
            continue
        if token.kind == "comment":
            continue
        if start is None:
            start, start_indent = token.line, _indent(lines[token.line])
        elif (
            line_start
            and depth
            and not in_string
            and _starts_statement(tokens, index)
            and _indent(lines[token.line]) <= start_indent
        ):
            statements.append((start, token.line))  # an error left a bracket open
            start, start_indent, depth = token.line, _indent(lines[token.line]), 0
        line_start = False
        if token.kind == "tq":
            in_string = not in_string
        elif not in_string and token.kind == "op":
            if token.text in "([{":
                depth += 1
            elif token.text in ")]}":
                depth = max(depth - 1, 0)
    if start is not None:
        statements.append((start, len(lines)))
    return statements


_ON_LINE = re.compile(r"(on|at) line (\d+)")


def _place(error: SyntaxError, lines: list[str], parsed: list[str], first_line: int):
    """A syntax error's file line and column, in the block's original indentation."""
    offset = min(max((error.lineno or 1) - 1, 0), len(lines) - 1)
    shift = len(lines[offset]) - len(parsed[offset])
    # "... on line 4" counts lines of the block: say the file's line
    message = _ON_LINE.sub(
        lambda m: f"{m.group(1)} line {first_line + int(m.group(2)) - 1}", error.msg
    )
    return first_line + offset, (error.offset or 1) + shift, message


@rule(
    "JC401",
    "python-syntax",
    "file",
    severity="error",
    examples=(
        example(
            coded("s1", "New option: ci_cd", ('ci_cd = CClass(practice, "CI/CD"',), ("ci_cd",))
        ),
    ),
)
def _python_syntax(file: FileContext) -> Iterator[Finding]:
    """Python in a trace or the source definition that does not parse.

    Every broken statement of a block (or, inside a ``'''`` list, what the reader
    cannot follow).
    """
    notes = file.notes
    blocks = list(notes.python_blocks())
    if notes.source is not None and notes.source.block is not None and not notes.is_template:
        blocks.insert(0, notes.source.block)
    for block in blocks:
        errors = _python_errors(block)
        for line, col, message in errors:
            yield new_finding("JC401", file.path, line, col, f"python does not parse: {message}")
        if errors:
            continue
        # Valid python. What the tolerant reader could not follow matters only inside
        # ''' strings (python sees text there, the study sees codes and relations), or
        # where valid python does not say what was meant (a bare relation dictionary).
        in_strings = _string_lines(block) if block.problems else set()
        reported: set[int] = set()
        for problem in block.problems:
            meant = problem.message.startswith(BARE_RELATIONS)
            if problem.line not in reported and (problem.line in in_strings or meant):
                reported.add(problem.line)
                yield new_finding("JC401", file.path, problem.line, 1, problem.message)


BARE_RELATIONS = "a relation dictionary without"

# what ends a fence left open (the kinds of :func:`jupyter_coding.fieldnotes.parser.classify`)
_ENDS_OF_OPEN_FENCES = {
    parser.QUOTE: "the quote",
    parser.OPEN: "the open coding trace",
    parser.AXIAL: "the axial coding trace",
    parser.IMAGE_LINE: "the image",
    parser.CODING: "# coding",
    parser.FENCE_LINE: "the next fence",
    parser.TEXT: "the text",
}


def _open_fences(notes: FieldNotes) -> Iterator[tuple[int, str, int]]:
    """(file line of the opener, the opener, lines the fence holds) of each fence left open."""
    for block in notes.blocks:
        if isinstance(block, (OpenTrace, AxialTrace)) and not block.template:
            pythons = block.blocks
        elif isinstance(block, SourceDefinition) and block.block is not None:
            pythons = [block.block]
        else:
            pythons = []
        for python in pythons:
            if python.fence_close is None:
                yield python.code_line - 1, python.fence_open, 1 + len(python.code_lines)
        if isinstance(block, CodeBlock) and not block.closed:
            yield block.line, block.lines[0], len(block.lines)


@rule(
    "JC402",
    "unclosed-fence",
    "file",
    examples=(
        example(
            source_file(
                "s1",
                # the added: block's closing fence left out
                seed_trace(
                    "q", "New option: ci_cd", ('ci_cd = CClass(practice, "CI/CD")',)
                ).replace('")\n```\n', '")\n', 1)
                + "> the next quote\n",
            )
        ),
    ),
)
def _unclosed_fence(file: FileContext) -> Iterator[Finding]:
    """A code fence never closed: its block is read up to the next quote, marker or prose.

    The finding says where its code is read up to (the next quote, marker, image,
    fence or prose, or the end of the file).
    """
    for opener, fence, held in _open_fences(file.notes):
        after = opener + held  # 1-based: the first line the fence does not hold
        while after <= len(file.lines) and parser.classify(file.lines[after - 1]) == parser.BLANK:
            after += 1
        if after > len(file.lines):
            where = "the end of the file"
        else:
            kind = _ENDS_OF_OPEN_FENCES.get(parser.classify(file.lines[after - 1]), "the text")
            where = f"{kind} at line {after}"
        yield new_finding(
            "JC402",
            file.path,
            opener,
            1,
            f"the fence {fence.strip()!r} is never closed: its code is read up to "
            f"{where}; close it with a line of {_fence_run(fence)}",
        )


def _fence_run(opener: str) -> str:
    match = parser.FENCE.fullmatch(opener.rstrip("\r\n"))
    return match.group(1) if match else "```"


def _with_cr_line_ends(file: tuple[str, str]) -> tuple[str, str]:
    name, text = file
    return name, text.replace("\n", "\r")


@rule(
    "JC403",
    "cr-line-ends",
    "file",
    examples=(example(_with_cr_line_ends(coded("s1", "Familiar option: ci_cd"))),),
)
def _cr_line_ends(file: FileContext) -> Iterator[Finding]:
    """A file whose lines end in a lone carriage return (old Mac): it reads as one line,
    so nothing in it counts."""
    problem = cr_line_ends("".join(file.lines))
    if problem is not None:
        yield new_finding("JC403", file.path, 1, 1, problem)


def _string_lines(block: PythonBlock) -> set[int]:
    """File lines inside the block's triple-quoted strings (the lists of codes)."""
    inside: set[int] = set()
    opened: int | None = None
    for token in tokenize(block.code):
        if token.kind != "tq":
            continue
        line = block.code_line + token.line
        if opened is None:
            opened = line
        else:
            inside.update(range(opened, line + 1))
            opened = None
    if opened is not None:
        inside.update(range(opened, block.code_line + len(block.code_lines)))
    return inside
