"""Study-wide checks: a linter for the research record kept in field notes.

Each rule has a stable id (``JC101``), a short kebab-case name and a one-line
docstring that says what it finds. *File* rules look at one parsed file; *study*
rules look at what all files say together (the :class:`~jupyter_coding.corpus.Codebook`
and a few facts per file). :func:`check_paths` reads every file once, runs the file
rules on it and keeps only those facts, so a study of thousands of files fits in
memory. Templates (the empty ``s_.md`` and template traces) are skipped.

Configuration comes from ``[tool.jupyter-coding]`` in the nearest ``pyproject.toml``
above the checked paths (see :class:`CheckConfig`).
"""

from __future__ import annotations

import ast
import os
import re
import sys
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

from .corpus import Code, Codebook, FileCodes, codes_of_notes, coding_order
from .fieldnotes import AxialTrace, FieldNotes, OpenTrace, PythonBlock, parse, read_text
from .fieldnotes.lines import split_lines
from .fieldnotes.model import SOURCE_KEYS
from .fieldnotes.python_code import tokenize
from .fieldnotes.reading import (
    CodeNames,
    MemoComparison,
    MemoItem,
    TraceSummary,
    coding_traces,
    compare_memo,
)
from .files import find_field_notes
from .findings import Finding
from .parallel import map_in_order
from .progress import progress
from .similarity import edit_distance, normalise, spelling_key

__all__ = [
    "RULES",
    "CheckConfig",
    "ConfigError",
    "FileFacts",
    "Rule",
    "check_codebook",
    "check_notes",
    "check_paths",
    "near_duplicates",
]

DEFAULT_SOURCE_TYPES = (
    "Practitioner Audience Article",
    "Interview",
    "Slides",
    "Video",
    "Podcast",
    "White Paper",
    "Book",
)
DEFAULT_AUTHOR_TYPES = ("Practitioner", "Researcher", "Vendor")
YES_NO_FIELDS = ("source code", "example")
CONFIG_TABLE = "jupyter-coding"


# -- rules -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A check: ``JC101 undefined-code`` and the function that runs it."""

    id: str
    name: str
    # "file": run on each parsed file; "study": on the whole study; "trace": on every
    # trace's summary, with the study's codebook (the memo rules)
    scope: str
    run: Callable

    @property
    def summary(self) -> str:
        """What the rule finds, in one line (its function's docstring)."""
        return (self.run.__doc__ or "").strip().splitlines()[0].replace("``", "'")


RULES: dict[str, Rule] = {}


def _rule(rule_id: str, name: str, scope: str):
    def register(function: Callable) -> Callable:
        RULES[rule_id] = Rule(rule_id, name, scope, function)
        return function

    return register


def _finding(rule_id: str, path: str, line: int, col: int, message: str) -> Finding:
    rule = RULES[rule_id]
    severity = "error" if rule_id in ERROR_RULES else "warning"
    return Finding(path, line, max(col, 1), rule.id, rule.name, message, severity)


# rules whose findings break the study's model when it is run, not only its consistency
ERROR_RULES = frozenset({"JC303", "JC401"})


# -- configuration -------------------------------------------------------------


class ConfigError(ValueError):
    """A bad ``[tool.jupyter-coding]`` table or ``--select``/``--ignore`` value."""


@dataclass(frozen=True)
class CheckConfig:
    """Which rules run and the study's vocabulary.

    In ``pyproject.toml``::

        [tool.jupyter-coding]
        select = ["ALL"]               # rule ids, id prefixes ("JC2") or names
        ignore = ["attached-not-in-memo"]
        source-types = ["Practitioner Audience Article", "Interview"]
        author-types = ["Practitioner"]
    """

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    source_types: tuple[str, ...] = DEFAULT_SOURCE_TYPES
    author_types: tuple[str, ...] = DEFAULT_AUTHOR_TYPES
    origin: str | None = None  # the pyproject.toml it was read from

    KEYS: ClassVar[dict[str, str]] = {
        "select": "select",
        "ignore": "ignore",
        "source-types": "source_types",
        "author-types": "author_types",
    }

    def __post_init__(self) -> None:
        for selector in (*self.select, *self.ignore):
            if not _selector_known(selector):
                where = f" in {self.origin}" if self.origin else ""
                raise ConfigError(
                    f"unknown rule {selector!r}{where}; use an id (JC101), an id prefix (JC1), "
                    "a rule name (undefined-code) or ALL"
                )

    @classmethod
    def from_table(cls, table: dict, origin: str | None = None) -> CheckConfig:
        """Read the ``[tool.jupyter-coding]`` table (keys of other tools are left alone)."""
        values = {}
        for key, attribute in cls.KEYS.items():
            if key not in table:
                continue
            value = table[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{origin or 'configuration'}: {key} must be a list of strings")
            values[attribute] = tuple(value)
        return cls(**values, origin=origin)

    @classmethod
    def from_pyproject(cls, path: str | os.PathLike) -> CheckConfig:
        """The configuration in one ``pyproject.toml`` (defaults without the table)."""
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10 reads TOML with the tomli backport
            import tomli as tomllib
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
        except OSError as error:
            raise ConfigError(f"{path}: {error.strerror or error}") from None
        table = data.get("tool", {}).get(CONFIG_TABLE, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.{CONFIG_TABLE}] must be a table")
        return cls.from_table(table, os.fspath(path))

    @classmethod
    def for_paths(cls, paths: Iterable[str | os.PathLike]) -> CheckConfig:
        """The configuration of the nearest ``pyproject.toml`` above the checked paths."""
        found = find_pyproject(paths)
        return cls.from_pyproject(found) if found is not None else cls()

    def with_options(
        self, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
    ) -> CheckConfig:
        """Command-line ``--select`` replaces the selection; ``--ignore`` adds to it."""
        return replace(
            self,
            select=tuple(select) if select else self.select,
            ignore=self.ignore + tuple(ignore or ()),
        )

    def enabled(self, rule_id: str, name: str | None = None) -> bool:
        """Whether a rule (or a finding's rule, e.g. JC901 of the model check) is on."""

        def matches(selector: str) -> bool:
            return (
                selector == "ALL"
                or rule_id.startswith(selector.upper())
                or (name is not None and selector == name)
            )

        return any(map(matches, self.select)) and not any(map(matches, self.ignore))


def _selector_known(selector: str) -> bool:
    if selector == "ALL" or re.fullmatch(r"JC\d{0,3}", selector.upper()):
        return True
    return any(rule.name == selector for rule in RULES.values()) or selector in _MODEL_NAMES


# names of the findings ``--model`` adds (jupyter_coding.interop.codeable_models)
_MODEL_NAMES = frozenset(
    {
        "code-in-model-not-in-notes",
        "code-in-notes-not-in-model",
        "source-missing-from-model",
        "source-missing-from-notes",
    }
)


def find_pyproject(paths: Iterable[str | os.PathLike]) -> Path | None:
    """The nearest ``pyproject.toml`` in the folder holding all ``paths`` or above it."""
    resolved = [Path(p).resolve() for p in paths]
    if not resolved:
        resolved = [Path.cwd()]
    folders = [p if p.is_dir() else p.parent for p in resolved]
    start = Path(os.path.commonpath([str(f) for f in folders]))
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


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

    @classmethod
    def of(cls, notes: FieldNotes, text: str | None = None) -> FileFacts:
        path = notes.path or "<text>"
        codes = codes_of_notes(notes, path, evidence=False)  # checks need no quotes
        facts = cls(path, notes.source_id, notes.is_template, codes)
        if not notes.is_template:
            facts.traces = [
                trace.summary()
                for trace in coding_traces(notes)
                if trace.open is not None and trace.axial is not None
            ]
        lines = split_lines(text if text is not None else notes.to_text())
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


# -- file rules ----------------------------------------------------------------


@dataclass
class _File:
    """A parsed file and its lines, handed to the file rules."""

    notes: FieldNotes
    lines: list[str]
    config: CheckConfig
    _memo: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.notes.path or "<text>"

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


def _memo_comparisons(study: _Study) -> Iterator[tuple[FileFacts, TraceSummary, MemoComparison]]:
    """Every trace's memo compared with what it applies (:func:`compare_memo`), once."""
    if study.memo_comparisons is None:
        names = CodeNames(
            (code.identifier, code.label, code.metaclass) for code in study.codebook.codes.values()
        )
        study.memo_comparisons = [
            (facts, trace, compare_memo(trace, names))
            for facts in study.files
            if not facts.template
            for trace in facts.traces
        ]
    return iter(study.memo_comparisons)


def _named(item: MemoItem, code: str) -> str:
    """The code as the memo writes it, and its identifier when the memo words it otherwise."""
    return code if item.text == code else f"{item.text!r} ({code})"


@_rule("JC201", "memo-not-in-axial", "trace")
def _memo_not_in_axial(study: _Study) -> Iterator[Finding]:
    """An open trace's memo names codes its axial trace does not apply or relate (or no code)."""
    for facts, trace, comparison in _memo_comparisons(study):
        if not (comparison.not_applied or comparison.unknown):
            continue
        parts = []
        if comparison.not_applied:
            named = ", ".join(_named(item, code) for item, code in comparison.not_applied)
            many = len(comparison.not_applied) > 1
            parts.append(
                f"the memo names {named} but the axial trace (line {trace.axial_line}) does "
                f"not apply {'them' if many else 'it'}; it applies "
                f"{', '.join(trace.applies) or 'nothing'}"
            )
        if comparison.unknown:
            named = ", ".join(
                repr(item.text) if " " in item.text else item.text for item in comparison.unknown
            )
            many = len(comparison.unknown) > 1
            parts.append(
                f"the memo names {named}, which {'are' if many else 'is'} no code of this "
                "trace or of the study"
            )
        first = min(
            [item for item, _ in comparison.not_applied] + comparison.unknown,
            key=lambda item: item.line,
        )
        yield _finding(
            "JC201",
            facts.path,
            first.line,
            facts.column(first.line, first.text),
            "; ".join(parts),
        )


@_rule("JC202", "attached-not-in-memo", "trace")
def _attached_not_in_memo(study: _Study) -> Iterator[Finding]:
    """A trace applies codes that its memo, which lists codes, does not name."""
    for facts, trace, comparison in _memo_comparisons(study):
        if not comparison.unnamed:
            continue
        first = comparison.unnamed[0]
        how = "attaches" if all(a.how == "attached" for a in comparison.unnamed) else "applies"
        yield _finding(
            "JC202",
            facts.path,
            first.line,
            facts.column(first.line, first.identifier),
            f"{how} {', '.join(a.identifier for a in comparison.unnamed)}, which the memo "
            f"(line {trace.open_line}) does not name",
        )


@_rule("JC203", "open-without-axial", "file")
def _open_without_axial(file: _File) -> Iterator[Finding]:
    """An open coding trace with no axial coding trace after it."""
    for open_trace, axial in file.traces():
        if open_trace is not None and axial is None:
            detail = (
                "; its python is under the open marker"
                if open_trace.blocks
                else " (the codes it names are attached to nothing)"
                if open_trace.memo_codes
                else ""
            )
            yield _finding(
                "JC203",
                file.path,
                open_trace.line,
                1,
                f"open coding trace without an axial coding trace after it{detail}",
            )


@_rule("JC204", "wrong-add-codes-target", "file")
def _wrong_target(file: _File) -> Iterator[Finding]:
    """An ``add codes to sN`` label names another source than the file's own."""
    source = file.notes.source_id
    if not source or file.notes.is_template:
        return
    for block in file.notes.python_blocks():
        if block.role != "add_codes" or (block.target or "").lower() == source.lower():
            continue
        label_line = block.line + next(
            i for i, line in reversed(list(enumerate(block.label_lines))) if line.strip()
        )
        named = block.target if block.target and block.target[-1:].isdigit() else None
        what = f"names {block.target}" if named else "names no source number"
        yield _finding(
            "JC204",
            file.path,
            label_line,
            file.column(label_line, block.target) if block.target else 1,
            f"'{block.label}' {what}; this file is source {source}",
        )


def _same(header_value: str, source_value: object, field_name: str) -> bool:
    if field_name in YES_NO_FIELDS:
        wanted = {"yes": True, "no": False}.get(header_value.strip().lower(), header_value)
        return wanted == source_value
    if not isinstance(source_value, str):
        return False
    return " ".join(header_value.split()) == " ".join(source_value.split())


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


@_rule("JC301", "header-mismatch", "file")
def _header_mismatch(file: _File) -> Iterator[Finding]:
    """A header field disagrees with the value in the source's ``CClass``."""
    notes = file.notes
    header, source = notes.header, notes.source
    if header is None or source is None or notes.is_template:
        return
    values = source.values
    for field_name, key in SOURCE_KEYS.items():
        header_value = header.value(field_name)
        if header_value is None:
            continue
        header_line = header.field_line(field_name)
        if key not in values:
            yield _finding(
                "JC301",
                file.path,
                source.block.code_line if source.block else source.line,
                1,
                f'the source\'s CClass has no "{key}" (header "{field_name}" at line '
                f"{header_line} is {header_value!r})",
            )
            continue
        if not _same(header_value, values[key], field_name):
            line = source.value_line(key) or source.line
            yield _finding(
                "JC301",
                file.path,
                line,
                file.column(line, key) - 1,
                f'"{key}" is {_shown(values[key])} but header "{field_name}" '
                f"(line {header_line}) is {header_value!r}",
            )


@_rule("JC302", "header-vocabulary", "file")
def _header_vocabulary(file: _File) -> Iterator[Finding]:
    """A source type, author type or yes/no value outside the study's vocabulary."""
    notes, config = file.notes, file.config
    header, source = notes.header, notes.source
    if notes.is_template:
        return
    vocabularies = {"source type": config.source_types, "author type": config.author_types}
    if header is not None:
        for field_name, allowed in vocabularies.items():
            value = header.value(field_name)
            if value is not None and value not in allowed:
                line = header.field_line(field_name) + 1
                yield _finding(
                    "JC302",
                    file.path,
                    line,
                    1,
                    f'header "{field_name}" is {value!r}, not one of the study\'s '
                    f"{field_name}s ({', '.join(allowed)})",
                )
        for field_name in YES_NO_FIELDS:
            value = header.value(field_name)
            if value is not None and value.strip().lower() not in ("yes", "no"):
                line = header.field_line(field_name) + 1
                shown = "empty" if not value.strip() else repr(value)
                yield _finding(
                    "JC302", file.path, line, 1, f'header "{field_name}" is {shown}, not yes or no'
                )
    if source is None:
        return
    for field_name, allowed in vocabularies.items():
        key = SOURCE_KEYS[field_name]
        value = source.values.get(key)
        if isinstance(value, str) and value not in allowed:
            line = source.value_line(key) or source.line
            yield _finding(
                "JC302",
                file.path,
                line,
                file.column(line, key) - 1,
                f'"{key}" is {value!r}, not one of the study\'s {field_name}s '
                f"({', '.join(allowed)})",
            )
    for field_name in YES_NO_FIELDS:
        value = source.values.get(field_name)
        if field_name in source.values and not isinstance(value, bool):
            line = source.value_line(field_name) or source.line
            yield _finding(
                "JC302",
                file.path,
                line,
                file.column(line, field_name) - 1,
                f'"{field_name}" is {_shown(value)}, not True or False',
            )


_FILE_ID = re.compile(r"([A-Za-z]+)_?(\d+)")


@_rule("JC304", "source-id-mismatch", "file")
def _source_id_mismatch(file: _File) -> Iterator[Finding]:
    """The header number, the source's ``CClass`` name and the file name disagree."""
    notes = file.notes
    header, source = notes.header, notes.source
    if notes.is_template or header is None:
        return
    header_id = header.source_id
    if source is not None and source.name and source.name != header_id:
        line = source.block.code_line if source.block else source.line
        yield _finding(
            "JC304",
            file.path,
            line,
            file.column(line, source.name),
            f"the source's CClass is named {source.name} but the header says {header_id}",
        )
    if source is not None and source.var and source.name and source.var != source.name:
        line = source.block.code_line if source.block else source.line
        yield _finding(
            "JC304",
            file.path,
            line,
            1,
            f"the source's CClass is assigned to {source.var} but named {source.name}",
        )
    match = _FILE_ID.fullmatch(Path(file.path).stem)
    if match and f"{match.group(1)}{int(match.group(2))}" != header_id:
        yield _finding(
            "JC304",
            file.path,
            2,
            1,
            f"the file name says {match.group(1)}{int(match.group(2))} but the header "
            f"says {header_id}",
        )


def _syntax_error(code: str) -> SyntaxError | None:
    try:
        ast.parse(code)
    except SyntaxError as error:
        return error
    return None


def _python_errors(block: PythonBlock) -> list[tuple[int, int, str]]:
    """(line, column, message) of syntax errors in a block's python.

    Python stops at the first error. After an indentation error (indentation that
    changes inside a block) the block is parsed again with every line unindented,
    which finds the next error, if any.
    """
    code = block.code
    lines = code.split("\n")
    dedented = textwrap.dedent(code)
    error = _syntax_error(dedented)
    if error is None:
        return []
    found = [_place(error, lines, dedented.split("\n"), block.code_line)]
    if isinstance(error, IndentationError):
        flat = [line.lstrip(" \t") for line in lines]
        again = _syntax_error("\n".join(flat))
        if again is not None and not isinstance(again, IndentationError):
            found.append(_place(again, lines, flat, block.code_line))
    return found


def _place(error: SyntaxError, lines: list[str], parsed: list[str], first_line: int):
    """A syntax error's file line and column, in the block's original indentation."""
    offset = min(max((error.lineno or 1) - 1, 0), len(lines) - 1)
    shift = len(lines[offset]) - len(parsed[offset])
    # "... on line 4" counts lines of the block: say the file's line
    message = re.sub(
        r"on line (\d+)", lambda m: f"on line {first_line + int(m.group(1)) - 1}", error.msg
    )
    return first_line + offset, (error.offset or 1) + shift, message


@_rule("JC401", "python-syntax", "file")
def _python_syntax(file: _File) -> Iterator[Finding]:
    """Python in a trace or the source definition that does not parse."""
    notes = file.notes
    blocks = list(notes.python_blocks())
    if notes.source is not None and notes.source.block is not None and not notes.is_template:
        blocks.insert(0, notes.source.block)
    for block in blocks:
        errors = _python_errors(block)
        for line, col, message in errors:
            yield _finding("JC401", file.path, line, col, f"python does not parse: {message}")
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
                yield _finding("JC401", file.path, problem.line, 1, problem.message)


BARE_RELATIONS = "a relation dictionary without"


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


# -- study rules -------------------------------------------------------------------


@dataclass
class _Study:
    """What the study rules look at: the codebook and per-file facts."""

    codebook: Codebook
    files: list[FileFacts]
    config: CheckConfig
    memo_comparisons: list | None = None  # worked out once for the memo rules

    def __post_init__(self) -> None:
        self.by_path = {facts.path: facts for facts in self.files}

    def column(self, path: str, line: int, identifier: str) -> int:
        facts = self.by_path.get(path)
        return facts.column(line, identifier) if facts is not None else 1


def _in_coding_order(items, source=lambda item: item.source):
    return sorted(items, key=lambda item: (coding_order(source(item)), item.path, item.line))


def _site(item) -> str:
    return f"{item.path}:{item.line}"


@_rule("JC101", "undefined-code", "study")
def _undefined(study: _Study) -> Iterator[Finding]:
    """A code used in an axial trace (attached, reused, related) but defined nowhere."""
    for code in study.codebook.codes.values():
        if code.defined or any(c.isspace() for c in code.identifier):
            continue  # identifiers with spaces are python-syntax findings
        uses = [use for use in code.uses if use.how != "memo"]
        if not uses:
            continue
        suggestions = study.codebook.suggest(code.identifier)
        hint = f" (did you mean {' or '.join(suggestions)}?)" if suggestions else ""
        elsewhere = len({use.path for use in uses}) - 1
        also = f"; also used in {elsewhere} other file{'s' * (elsewhere != 1)}" if elsewhere else ""
        first_in_file: dict[str, object] = {}
        for use in sorted(uses, key=lambda u: (u.path, u.line)):
            first_in_file.setdefault(use.path, use)
        for use in first_in_file.values():
            yield _finding(
                "JC101",
                use.path,
                use.line,
                study.column(use.path, use.line, use.identifier),
                f"{code.identifier} is used but defined nowhere in the study{hint}{also}",
            )


def _meaning(definition) -> tuple[str, str]:
    return definition.metaclass, (definition.label or "").strip()


def _redefinitions(study: _Study) -> Iterator[tuple[Code, object, object]]:
    """(code, first definition in coding order, a later definition) for every repeat."""
    for code in study.codebook.codes.values():
        first, *later = _in_coding_order(code.definitions) or [None]
        for definition in later:
            yield code, first, definition


@_rule("JC102", "conflicting-definition", "study")
def _conflicting_definition(study: _Study) -> Iterator[Finding]:
    """A code defined again with another metaclass or label."""
    for code, first, definition in _redefinitions(study):
        if _meaning(definition) != _meaning(first):
            metaclass, label = _meaning(first)
            yield _finding(
                "JC102",
                definition.path,
                definition.line,
                study.column(definition.path, definition.line, code.identifier),
                f'{code.identifier} is defined as {definition.metaclass} "{definition.label}"'
                f' here but as {metaclass} "{label}" at {_site(first)}',
            )


@_rule("JC103", "duplicate-definition", "study")
def _duplicate_definition(study: _Study) -> Iterator[Finding]:
    """A code defined again with the same metaclass and label: define each code once."""
    for code, first, definition in _redefinitions(study):
        if _meaning(definition) == _meaning(first):
            yield _finding(
                "JC103",
                definition.path,
                definition.line,
                study.column(definition.path, definition.line, code.identifier),
                f"{code.identifier} is already defined at {_site(first)}",
            )


def near_duplicates(identifiers: Iterable[str]) -> list[tuple[str, str, str]]:
    """Pairs of identifiers that are probably one code spelled two ways.

    (a, b, why) with ``a < b``: the same words in British/American spelling or
    singular/plural (:func:`~jupyter_coding.similarity.spelling_key`), or one edit
    apart when both have at least 5 characters. Two edits apart are mostly other
    words (``stale``/``table``) and shorter words one edit apart too (``cache``,
    ``catch``). Candidates come from an index of one-character deletions, so a
    large codebook costs no comparison per pair.
    """
    names = sorted(set(identifiers))
    pairs: dict[tuple[str, str], str] = {}
    by_key: dict[str, list[str]] = defaultdict(list)
    for name in names:
        by_key[spelling_key(name)].append(name)
    for group in by_key.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pairs[a, b] = _variant_kind(a, b)
    by_deletion: dict[str, set[str]] = defaultdict(set)
    for name in names:
        normal = normalise(name)
        if len(normal) >= 5:
            by_deletion[normal].add(name)
            for i in range(len(normal)):
                by_deletion[normal[:i] + normal[i + 1 :]].add(name)
    for group in by_deletion.values():
        ordered = sorted(group)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if (a, b) not in pairs and edit_distance(normalise(a), normalise(b), 1) <= 1:
                    pairs[a, b] = "one letter apart"
    return sorted((a, b, why) for (a, b), why in pairs.items())


def _variant_kind(a: str, b: str) -> str:
    """Why two identifiers with one spelling key differ, in words."""
    words_a, words_b = normalise(a).split("_"), normalise(b).split("_")
    kinds = []
    if normalise(a) != a or normalise(b) != b:
        kinds.append("spaces or case")
    if len(words_a) == len(words_b):
        for x, y in zip(words_a, words_b, strict=True):
            short, long = sorted((x, y), key=len)
            if x == y:
                continue
            if long in (short + "s", short + "es") or (
                short[-1:] == "y" and long == short[:-1] + "ies"
            ):
                kinds.append("singular/plural")
            else:
                kinds.append("British/American spelling")
    else:
        kinds.append("word split")
    return " and ".join(dict.fromkeys(kinds)) or "spelling variant"


def _weight(code: Code) -> tuple:
    """How established a spelling is: defined, a real identifier, used more, in more sources."""
    return (code.defined, code.identifier.isidentifier(), code.use_count, len(code.sources))


def _times(count: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _first_site(code: Code):
    """Its first definition in coding order, else its first use outside memos."""
    if code.definitions:
        return _in_coding_order(code.definitions)[0]
    uses = [use for use in code.uses if use.how != "memo"]
    return _in_coding_order(uses)[0] if uses else None


@_rule("JC104", "near-duplicate", "study")
def _near_duplicate(study: _Study) -> Iterator[Finding]:
    """Two identifiers that look like one code: a typo, plural/singular, British/American."""
    codes = study.codebook.codes
    used = [
        code.identifier
        for code in codes.values()
        if code.defined or any(use.how != "memo" for use in code.uses)
    ]
    for a, b, why in near_duplicates(used):
        main, variant = sorted((codes[a], codes[b]), key=_weight, reverse=True)
        site = _first_site(variant)
        main_site = _first_site(main)
        how = "defined" if main.defined else "used"
        yield _finding(
            "JC104",
            site.path,
            site.line,
            study.column(site.path, site.line, variant.identifier),
            f"{variant.identifier} looks like {main.identifier} ({why}); {main.identifier} is "
            f"{how} at {_site(main_site)} and applied {_times(main.use_count)}",
        )


@_rule("JC303", "duplicate-source-id", "study")
def _duplicate_source(study: _Study) -> Iterator[Finding]:
    """Two files claim the same source id (each stays a source of its own)."""
    for clash in study.codebook.source_clashes():
        for path, name in clash.names:
            if name == clash.declared:
                continue  # the file the id is left to; the others are reported
            yield _finding("JC303", path, 2, 1, clash.describe(path))


# -- running --------------------------------------------------------------------


def check_notes(
    notes: FieldNotes, config: CheckConfig | None = None, text: str | None = None
) -> list[Finding]:
    """The findings of the file and trace rules on one parsed file, read on its own.

    Study rules need the whole study (:func:`check_paths`); here the memo rules know
    only the file's own codes.
    """
    config = config or CheckConfig()
    if notes.is_template:
        return []
    return _file_findings(notes, config, text) + check_traces([FileFacts.of(notes, text)], config)


def _file_findings(notes: FieldNotes, config: CheckConfig, text: str | None) -> list[Finding]:
    if notes.is_template:
        return []
    file = _File(notes, split_lines(text if text is not None else notes.to_text()), config)
    findings: list[Finding] = []
    for rule in RULES.values():
        if rule.scope == "file" and config.enabled(rule.id, rule.name):
            findings.extend(rule.run(file))
    return findings


def check_traces(
    files: list[FileFacts], config: CheckConfig, codebook: Codebook | None = None
) -> list[Finding]:
    """The trace rules' findings (memo against trace), with the codebook's names of codes."""
    if codebook is None:
        codebook = Codebook.from_file_codes(facts.codes for facts in files)
    study = _Study(codebook, files, config)
    return [
        finding
        for rule in RULES.values()
        if rule.scope == "trace" and config.enabled(rule.id, rule.name)
        for finding in rule.run(study)
    ]


def check_codebook(
    codebook: Codebook,
    config: CheckConfig | None = None,
    files: Iterable[FileFacts] = (),
) -> list[Finding]:
    """The study rules' findings on a codebook (and per-file facts, for source ids)."""
    config = config or CheckConfig()
    study = _Study(codebook, list(files), config)
    findings: list[Finding] = []
    for rule in RULES.values():
        if rule.scope == "study" and config.enabled(rule.id, rule.name):
            findings.extend(rule.run(study))
    return findings


def check_paths(
    paths: Iterable[str | os.PathLike],
    config: CheckConfig | None = None,
    model: str | os.PathLike | None = None,
) -> list[Finding]:
    """Check every field-notes file under ``paths``; findings sorted by place.

    ``config`` defaults to the nearest ``pyproject.toml``'s. With ``model`` (a
    CodeableModels module) the model is compared with the notes too.
    """
    paths = list(paths)
    config = config if config is not None else CheckConfig.for_paths(paths)
    findings: list[Finding] = []
    files: list[FileFacts] = []
    found = find_field_notes(paths)
    # each file on its own, on every core for a big study (results in file order)
    checked = map_in_order(_check_file, found, config)
    for file_findings, facts in progress(checked, "checking", total=len(found)):
        findings.extend(file_findings)
        files.append(facts)
    codebook = Codebook.from_file_codes(facts.codes for facts in files)
    findings.extend(check_codebook(codebook, config, files))
    findings.extend(check_traces(files, config, codebook))
    if model is not None:
        findings.extend(
            finding
            for finding in _model_findings(model, codebook)
            if config.enabled(finding.rule, finding.name)
        )
    return sorted(set(findings))


def _check_file(path: Path, config: CheckConfig) -> tuple[list[Finding], FileFacts]:
    """The file rules' findings of one file, and what the study rules need of it."""
    text = read_text(path)
    notes = parse(text, str(path))
    return list(_file_findings(notes, config, text)), FileFacts.of(notes, text)


def _model_findings(model: str | os.PathLike, codebook: Codebook) -> list[Finding]:
    from .interop.codeable_models import model_findings

    return model_findings(model, codebook)


def rule_table() -> list[tuple[str, str, str]]:
    """(id, name, what it finds) of every rule, by id."""
    return [(rule.id, rule.name, rule.summary) for rule in sorted(RULES.values(), key=_by_id)]


def _by_id(rule: Rule) -> str:
    return rule.id
