"""Study-wide checks: a linter for the research record kept in field notes.

Each rule has a stable id (``JC101``), a short kebab-case name and a one-line
docstring that says what it finds, and a severity (error, warning, info). *File*
rules look at one parsed file; *source* rules at each file's metadata beside the
whole study's (:mod:`jupyter_coding.source_metadata`); *study* rules at what all
files say together (the :class:`~jupyter_coding.corpus.Codebook` and a few facts
per file); *trace* rules at each trace's memo against what it applies.
:func:`check_paths` reads every file once, runs the file rules on it and keeps only
those facts, so a study of thousands of files fits in memory. Templates (the empty
``s_.md`` and template traces) are skipped. A finding with one unambiguous repair
carries it as a :class:`~jupyter_coding.findings.Fix` (see :mod:`jupyter_coding.fixes`).

Configuration comes from ``[tool.jupyter-coding]`` in the nearest ``pyproject.toml``
above the checked paths (see :class:`CheckConfig`).
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import sys
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

from .corpus import Code, Codebook, FileCodes, codes_of_notes, coding_order, file_name_source_id
from .fieldnotes import (
    AxialTrace,
    CodeBlock,
    FieldNotes,
    OpenTrace,
    PythonBlock,
    SourceDefinition,
    parse,
    parser,
    read_text,
)
from .fieldnotes.lines import cr_line_ends, split_lines
from .fieldnotes.model import SOURCE_KEYS, Blank, CodingLine
from .fieldnotes.names import name_key
from .fieldnotes.python_code import RELATION_FUNCTIONS, tokenize
from .fieldnotes.reading import (
    CodeNames,
    MemoComparison,
    MemoItem,
    TraceSummary,
    coding_traces,
    compare_memo,
)
from .files import find_field_notes
from .findings import SEVERITIES, Finding, Fix
from .fixes import cclass_value_line, header_value_text, text_digest
from .parallel import map_in_order
from .progress import progress
from .similarity import edit_distance, label_fit, similar_pairs, stem_key, variant_kind
from .source_metadata import (
    URL_FIELDS,
    MetadataEvidence,
    SideValue,
    SourceMetadata,
    agreed_id,
    is_url,
    url_scheme_typo,
)

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
    # "file": run on each parsed file; "source": on each file's metadata, with the
    # whole study's beside it; "study": on the whole study; "trace": on every
    # trace's summary, with the study's codebook (the memo rules)
    scope: str
    run: Callable
    # "error": the study's model breaks when run; "warning": the record contradicts
    # itself; "info": worth a look, off unless selected
    severity: str = "warning"

    @property
    def summary(self) -> str:
        """What the rule finds, in one line (its function's docstring)."""
        return (self.run.__doc__ or "").strip().splitlines()[0].replace("``", "'")


RULES: dict[str, Rule] = {}


def _rule(rule_id: str, name: str, scope: str, severity: str = "warning"):
    def register(function: Callable) -> Callable:
        RULES[rule_id] = Rule(rule_id, name, scope, function, severity)
        return function

    return register


def _finding(
    rule_id: str, path: str, line: int, col: int, message: str, fix: Fix | None = None
) -> Finding:
    rule = RULES[rule_id]
    return Finding(path, line, max(col, 1), rule.id, rule.name, message, rule.severity, fix)


# -- configuration -------------------------------------------------------------


class ConfigError(ValueError):
    """A bad ``[tool.jupyter-coding]`` table or ``--select``/``--ignore`` value."""


@dataclass(frozen=True)
class CheckConfig:
    """Which rules run, how severe their findings are, and the study's vocabulary.

    In ``pyproject.toml``::

        [tool.jupyter-coding]
        select = ["ALL"]               # rule ids, id prefixes ("JC2") or names
        extend-select = ["JC107"]      # added to select; info rules run only when named
        ignore = ["attached-not-in-memo"]
        severity = { JC104 = "error", "memo-not-in-axial" = "info" }
        source-types = ["Practitioner Audience Article", "Interview"]
        author-types = ["Practitioner"]
        metamodel = "metamodels/GT_coding.py"   # the study's metamodel, relative to this file

    The vocabulary (source and author types) is the study's metamodel's when there
    is one (:mod:`jupyter_coding.vocabulary`: ``metamodel`` here, else found where a
    study repository keeps it), else ``source-types`` and ``author-types``, else the
    defaults; :meth:`for_study` settles it for the checked paths.
    """

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    source_types: tuple[str, ...] | None = DEFAULT_SOURCE_TYPES  # None: any text
    author_types: tuple[str, ...] | None = DEFAULT_AUTHOR_TYPES
    origin: str | None = None  # the pyproject.toml it was read from
    metamodel: str | None = None  # the study's metamodel file, as configured
    types_origin: str | None = None  # the pyproject.toml that lists the types
    vocabulary_origin: str | None = None  # the metamodel the types were read from
    extend_select: tuple[str, ...] = ()
    # (selector, "error" | "warning" | "info"): the most specific selector wins
    severity: tuple[tuple[str, str], ...] = ()

    KEYS: ClassVar[dict[str, str]] = {
        "select": "select",
        "ignore": "ignore",
        "source-types": "source_types",
        "author-types": "author_types",
        "extend-select": "extend_select",
    }

    def __post_init__(self) -> None:
        where = f" in {self.origin}" if self.origin else ""
        for selector in (*self.select, *self.ignore, *self.extend_select, *dict(self.severity)):
            if not _selector_known(selector):
                raise ConfigError(
                    f"unknown rule {selector!r}{where}; use an id (JC101), an id prefix (JC1), "
                    "a rule name (undefined-code) or ALL"
                )
        for selector, level in self.severity:
            if level not in SEVERITIES:
                raise ConfigError(
                    f"severity of {selector} is {level!r}{where}; use one of "
                    + ", ".join(SEVERITIES)
                )

    @classmethod
    def from_table(cls, table: dict, origin: str | None = None) -> CheckConfig:
        """Read the ``[tool.jupyter-coding]`` table (keys of other tools are left alone)."""
        values: dict = {}
        if "metamodel" in table:
            metamodel = table["metamodel"]
            if not isinstance(metamodel, str):
                raise ConfigError(f"{origin or 'configuration'}: metamodel must be a path")
            folder = Path(origin).parent if origin else Path.cwd()
            values["metamodel"] = os.fspath(folder / metamodel)
            if not Path(values["metamodel"]).is_file():
                raise ConfigError(
                    f"{origin or 'configuration'}: metamodel {metamodel} is not there"
                )
        for key, attribute in cls.KEYS.items():
            if key not in table:
                continue
            value = table[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{origin or 'configuration'}: {key} must be a list of strings")
            values[attribute] = tuple(value)
        if "severity" in table:
            levels = table["severity"]
            if not isinstance(levels, dict) or not all(isinstance(v, str) for v in levels.values()):
                raise ConfigError(
                    f"{origin or 'configuration'}: severity must be a table of rule = level"
                )
            values["severity"] = tuple(levels.items())
        if "source_types" in values or "author_types" in values:
            values["types_origin"] = origin
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

    def vocabulary(self, starts: Iterable[str | os.PathLike] = (), module: str | None = None):
        """The study's :class:`~jupyter_coding.vocabulary.Vocabulary` for these paths.

        ``module`` is the metamodel's module name (``metamodels.GT_coding``), whose
        path is looked for above the ``starts``.
        """
        from .vocabulary import (
            DEFAULT_METAMODEL_MODULE,
            Vocabulary,
            default_metaclasses,
            study_vocabulary,
        )

        configured = Vocabulary(
            self.source_types,
            self.author_types,
            YES_NO_FIELDS,
            default_metaclasses(module or DEFAULT_METAMODEL_MODULE),
            self.types_origin,
        )
        return study_vocabulary(
            starts, configured, self.metamodel, module or DEFAULT_METAMODEL_MODULE
        )

    def for_study(self, starts: Iterable[str | os.PathLike]) -> CheckConfig:
        """This configuration with the vocabulary of the study's metamodel, if it has one."""
        vocabulary = self.vocabulary(starts)
        if not vocabulary.from_metamodel:
            return self
        return replace(
            self,
            source_types=vocabulary.source_types,
            author_types=vocabulary.author_types,
            vocabulary_origin=vocabulary.origin,
        )

    def with_options(
        self,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        extend_select: Iterable[str] | None = None,
    ) -> CheckConfig:
        """Command-line ``--select`` replaces the selection; ``--ignore`` and
        ``--extend-select`` add to theirs."""
        return replace(
            self,
            select=tuple(select) if select else self.select,
            ignore=self.ignore + tuple(ignore or ()),
            extend_select=self.extend_select + tuple(extend_select or ()),
        )

    def severity_of(self, rule_id: str, name: str | None = None, default: str | None = None) -> str:
        """The rule's severity: its own (or ``default``, a finding's), unless the
        configuration says otherwise."""
        rule = RULES.get(rule_id)
        level = default or (rule.severity if rule is not None else "warning")
        best = -1
        for selector, wanted in self.severity:
            specificity = _specificity(selector, rule_id, name)
            if specificity > best:
                best, level = specificity, wanted
        return level

    def enabled(self, rule_id: str, name: str | None = None) -> bool:
        """Whether a rule (or a finding's rule, e.g. JC901 of the model check) is on.

        An info rule is on only when a selector names it (its id or its name): ``ALL``
        and id prefixes leave it off.
        """
        info = self.severity_of(rule_id, name) == "info"
        chosen = (*self.select, *self.extend_select)
        if info:
            selected = any(_specificity(s, rule_id, name) >= EXPLICIT for s in chosen)
        else:
            selected = any(_specificity(s, rule_id, name) >= 0 for s in chosen)
        return selected and not any(_specificity(s, rule_id, name) >= 0 for s in self.ignore)


# a selector that names the rule itself (its id or its name)
EXPLICIT = 100


def _specificity(selector: str, rule_id: str, name: str | None) -> int:
    """How closely a selector names a rule: -1 not at all, 0 ALL, the prefix length,
    :data:`EXPLICIT` for its id or name."""
    if selector == "ALL":
        return 0
    if selector.upper() == rule_id or (name is not None and selector == name):
        return EXPLICIT
    if rule_id.startswith(selector.upper()):
        return len(selector)
    return -1


_RULE_PREFIX = re.compile(r"JC\d{0,3}")


def _selector_known(selector: str) -> bool:
    if selector == "ALL" or _RULE_PREFIX.fullmatch(selector.upper()):
        return True
    return any(rule.name == selector for rule in RULES.values()) or selector in _MODEL_NAMES


# names of the findings ``--model`` adds (jupyter_coding.interop.codeable_models)
_MODEL_NAMES = frozenset(
    {
        "code-in-model-not-in-notes",
        "code-in-notes-not-in-model",
        "source-missing-from-model",
        "source-missing-from-notes",
        "source-defined-twice",
        "code-twice-in-list",
        "link-made-twice",
        "source-metadata-drift",
        "value-not-in-metamodel",
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


# -- file rules ----------------------------------------------------------------


@dataclass
class _File:
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
    """An open coding trace with no axial coding trace after it (or an empty one)."""
    for open_trace, axial in file.traces():
        if open_trace is None or _placeholder_memo(open_trace) is not None:
            continue  # an empty or placeholder trace: JC205 says what it is
        if axial is not None and (axial.blocks or axial.stray_lines):
            continue
        detail = (
            "; its python is under the open marker"
            if open_trace.blocks
            else " (the codes it names are attached to nothing)"
            if open_trace.memo_codes
            else ""
        )
        what = (
            f"open coding trace whose axial coding trace (line {axial.line}) is empty"
            if axial is not None
            else "open coding trace without an axial coding trace after it"
        )
        yield _finding("JC203", file.path, open_trace.line, 1, what + detail)


# memo lines that hold a place rather than a thought
_PLACEHOLDER = re.compile(
    r"(?:todo|tbd|tba|fixme|xxx+|\.{2,}|…|-+|\?+|n/?a|<[^>]*>|\[[^\]]*\]|memo)[.:!]?",
    re.IGNORECASE,
)


def _placeholder_memo(open_trace: OpenTrace) -> str | None:
    """What an open trace holds when it holds no memo: ``""`` for nothing, the
    placeholder text (``TODO``) for a stand-in; None for a real memo or python."""
    if open_trace.blocks:
        return None
    texts = [text for _, text in open_trace.memo_lines if text]
    if not texts:
        return ""
    if all(_PLACEHOLDER.fullmatch(text) for text in texts):
        return " ".join(texts)
    return None


@_rule("JC205", "empty-trace", "file")
def _empty_trace(file: _File) -> Iterator[Finding]:
    """An empty or placeholder coding trace: a marker with nothing, or a stand-in, under it."""
    following = _next_blocks(file.notes)
    for open_trace, axial in file.traces():
        empty_axial = axial is not None and not axial.blocks and not axial.stray_lines
        if open_trace is None:
            if empty_axial:
                yield _finding(
                    "JC205",
                    file.path,
                    axial.line,
                    1,
                    "an empty axial coding trace: the marker alone, with no open coding "
                    "trace before it",
                )
            continue
        memo = _placeholder_memo(open_trace)
        if memo is None:
            continue
        what = (
            "an empty open coding trace (the marker alone"
            if not memo
            else f"a placeholder open coding trace (its memo is only {memo!r}"
        )
        if axial is None:
            after = following.get(id(open_trace))
            where = f", before the {after.kind} at line {after.line}" if after is not None else ""
            detail = f"{where}; no axial coding trace)"
        elif empty_axial:
            detail = f", and the axial coding trace at line {axial.line} is empty too)"
        else:
            detail = f") before the axial coding trace at line {axial.line}: write the memo"
        yield _finding("JC205", file.path, open_trace.line, 1, what + detail)


def _next_blocks(notes: FieldNotes) -> dict[int, object]:
    """For each block (by id), the next block that is not blank lines."""
    found: dict[int, object] = {}
    blocks = [block for block in notes.blocks if not isinstance(block, Blank)]
    for block, after in itertools.pairwise(blocks):
        found[id(block)] = after
    return found


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
        column = file.column(label_line, block.target) if block.target else 1
        fix = None
        own = file.own_id
        text = file.lines[label_line - 1].rstrip("\r\n")
        if own is not None and block.target and text[column - 1 :].startswith(block.target):
            mended = text[: column - 1] + own + text[column - 1 + len(block.target) :]
            fix = file.fix(f"add codes to {own}", [(label_line, mended)])
        yield _finding(
            "JC204",
            file.path,
            label_line,
            column,
            f"'{block.label}' {what}; this file is source {source}",
            fix,
        )


@_rule("JC207", "repeated-in-block", "file")
def _repeated_in_block(file: _File) -> Iterator[Finding]:
    """The same code, or the same relation, twice in one python block."""
    for block in file.notes.python_blocks():
        defined = {d.identifier: d.line for d in block.definitions}
        for uses, what in ((block.attached, "listed"), (block.reused, "named")):
            seen: dict[str, int] = {}
            for use in uses:
                message = None
                if use.identifier in defined and defined[use.identifier] < use.line:
                    message = (
                        f"{use.identifier} is defined at line {defined[use.identifier]} and "
                        f"{what} again in the same block"
                    )
                elif use.identifier in seen:
                    message = (
                        f"{use.identifier} is {what} twice in this block (first at line "
                        f"{seen[use.identifier]})"
                    )
                if message is not None:
                    column = file.column(use.line, use.identifier)
                    yield _finding("JC207", file.path, use.line, column, message)
                seen.setdefault(use.identifier, use.line)
        stated: dict[tuple, int] = {}
        for relation in block.relations:
            key = (relation.kind, relation.source, relation.target, _label_key(relation.value))
            if key in stated:
                yield _finding(
                    "JC207",
                    file.path,
                    relation.line,
                    file.column(relation.line, relation.target),
                    f"the relation {relation.source} -> {relation.target} is stated twice in "
                    f"this block (first at line {stated[key]})",
                )
            stated.setdefault(key, relation.line)


def _same(header_value: str, source_value: object, field_name: str) -> bool:
    if field_name in YES_NO_FIELDS:
        wanted = {"yes": True, "no": False}.get(header_value.strip().lower(), header_value)
        return wanted == source_value
    if not isinstance(source_value, str):
        return False
    return " ".join(header_value.split()) == " ".join(source_value.split())


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _evidence(study: _Study) -> MetadataEvidence:
    """The study's metadata, to weigh each source's values (worked out once)."""
    if "evidence" not in study.cache:
        config = study.config
        study.cache["evidence"] = MetadataEvidence(
            (facts.metadata for facts in study.files if facts.metadata is not None),
            study.model,
            {
                name: allowed
                for name, allowed in (
                    ("source type", config.source_types),
                    ("author type", config.author_types),
                )
                if allowed is not None  # None: the study allows any text
            },
        )
    return study.cache["evidence"]


def _sources(study: _Study) -> Iterator[tuple[FileFacts, SourceMetadata]]:
    for facts in study.files:
        if facts.metadata is not None and not facts.template:
            yield facts, facts.metadata


def _key_column(value: SideValue, key: str) -> int:
    """1-based column of ``"key"`` on a CClass line (1 when not found)."""
    found = (value.raw or "").find(f'"{key}"')
    return found + 1 if found >= 0 else 1


@_rule("JC301", "header-mismatch", "source")
def _header_mismatch(study: _Study) -> Iterator[Finding]:
    """A header field disagrees with the value in the source's ``CClass``."""
    evidence = _evidence(study)
    for facts, meta in _sources(study):
        if meta.cclass_line is None:
            continue  # no source definition: nothing to compare
        for field_name, key in SOURCE_KEYS.items():
            header_value = meta.header.get(field_name)
            if header_value is None:
                continue
            header_line = header_value.line - 1  # the field's heading
            if field_name not in meta.cclass:
                yield _finding(
                    "JC301",
                    facts.path,
                    meta.cclass_line,
                    1,
                    f'the source\'s CClass has no "{key}" (header "{field_name}" at line '
                    f"{header_line} is {header_value.value!r})",
                )
                continue
            cclass_value = meta.cclass[field_name]
            if _same(header_value.value, cclass_value.value, field_name):
                continue
            verdict = evidence.which_side(meta, field_name)
            yield _finding(
                "JC301",
                facts.path,
                cclass_value.line,
                _key_column(cclass_value, key),
                f'"{key}" is {_shown(cclass_value.value)} but header "{field_name}" '
                f"(line {header_line}) is {header_value.value!r}; {verdict.describe()}",
                _side_fix(facts, field_name, verdict, header_value, cclass_value),
            )


def _side_fix(
    facts: FileFacts, field_name: str, verdict, header: SideValue, cclass: SideValue
) -> Fix | None:
    """Set the side the evidence contradicts to the other side's value."""
    key = SOURCE_KEYS[field_name]
    if verdict.winner == "header" and cclass.raw is not None and isinstance(header.value, str):
        line = cclass_value_line(cclass.raw, key, field_name, header.value)
        if line is not None:
            description = f'set the CClass "{key}" to the header\'s {header.value!r}'
            return Fix(facts.path, facts.digest, description, ((cclass.line, cclass.raw, line),))
    if verdict.winner == "CClass" and header.raw is not None:
        text = header_value_text(cclass.value)
        if isinstance(cclass.value, (str, bool)) and "\n" not in text:
            description = f'set header "{field_name}" to the CClass\'s {text!r}'
            return Fix(facts.path, facts.digest, description, ((header.line, header.raw, text),))
    return None


@_rule("JC305", "copied-metadata", "source")
def _copied_metadata(study: _Study) -> Iterator[Finding]:
    """Header and CClass agree on a title or url that belongs to another source."""
    evidence = _evidence(study)
    for facts, meta in _sources(study):
        for copy in evidence.copies(meta):
            also = f" (the CClass too, line {copy.other_line})" if copy.other_line else ""
            yield _finding(
                "JC305",
                facts.path,
                copy.value.line,
                1,
                f"the {copy.name} {copy.value.text!r}{also} is another source's: {copy.reason}",
            )


@_rule("JC306", "not-a-url", "source")
def _not_a_url(study: _Study) -> Iterator[Finding]:
    """A url field (url, tiny url, archive url) that holds no web address."""
    for facts, meta in _sources(study):
        for field_name in URL_FIELDS:
            values = meta.values(field_name)
            if not values or len({value.text for value in values}) > 1:
                continue  # the two sides disagree: JC301 says which is right
            value = values[0]
            if is_url(value.text):
                continue
            where = "header" if value.side == "header" else "the CClass"
            also = f" (and the CClass, line {values[1].line})" if len(values) > 1 else ""
            mended = url_scheme_typo(value.text)
            if not value.text:
                message = f'{where} "{field_name}" is empty{also}'
            else:
                hint = f" (did you mean {mended}?)" if mended else ""
                message = (
                    f'{where} "{field_name}" holds {value.text!r}{also}, not a web address{hint}'
                )
            fix = _url_fix(facts, field_name, values, mended) if mended else None
            yield _finding("JC306", facts.path, value.line, 1, message, fix)


def _url_fix(facts: FileFacts, field_name: str, values: list[SideValue], mended: str) -> Fix | None:
    """Write the mended url on every side that holds the broken one."""
    edits = []
    for side in values:
        if side.raw is None:
            return None
        if side.side == "header":
            line = side.raw.replace(side.text, mended) if side.raw.strip() == side.text else None
        else:
            line = cclass_value_line(side.raw, SOURCE_KEYS[field_name], field_name, mended)
        if line is None:
            return None
        edits.append((side.line, side.raw, line))
    return Fix(facts.path, facts.digest, f"write the {field_name} as {mended}", tuple(edits))


@_rule("JC302", "header-vocabulary", "file")
def _header_vocabulary(file: _File) -> Iterator[Finding]:
    """A source type, author type or yes/no value outside the study's vocabulary."""
    notes, config = file.notes, file.config
    header, source = notes.header, notes.source
    if notes.is_template:
        return
    vocabularies = {"source type": config.source_types, "author type": config.author_types}
    # the metamodel CodeableModels checks values against, when the study has one
    where = f" in {Path(config.vocabulary_origin).name}" if config.vocabulary_origin else ""
    if header is not None:
        for field_name, allowed in vocabularies.items():
            value = header.value(field_name)
            if value is not None and allowed is not None and value not in allowed:
                line = header.field_line(field_name) + 1
                yield _finding(
                    "JC302",
                    file.path,
                    line,
                    1,
                    f'header "{field_name}" is {value!r}, not one of the study\'s '
                    f"{field_name}s{where} ({', '.join(allowed)})",
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
        if isinstance(value, str) and allowed is not None and value not in allowed:
            line = source.value_line(key) or source.line
            yield _finding(
                "JC302",
                file.path,
                line,
                file.column(line, key) - 1,
                f'"{key}" is {value!r}, not one of the study\'s {field_name}s{where} '
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


@_rule("JC405", "second-coding-line", "file")
def _second_coding_line(file: _File) -> Iterator[Finding]:
    """A second ``# coding`` line (the one that opens the body), further down the body."""
    lines = [block for block in file.notes.blocks if isinstance(block, CodingLine)]
    for block in lines[1:]:
        yield _finding(
            "JC405",
            file.path,
            block.line,
            1,
            f"a second '# coding' line (the body opens at line {lines[0].line}): left over "
            "from a file pasted in?",
        )


@_rule("JC406", "broken-image", "file")
def _broken_image(file: _File) -> Iterator[Finding]:
    """An image line whose link is not closed, or holds text instead of an address."""
    for image in file.notes.images:
        if not image.malformed:
            continue
        text = file.lines[image.line - 1].rstrip("\r\n")
        closed = text.rstrip().endswith(")")
        if not closed and image.url and not any(c.isspace() for c in image.url):
            mended = text.rstrip() + ")"
            yield _finding(
                "JC406",
                file.path,
                image.line,
                len(text.rstrip()) + 1,
                "the image link is not closed: ')' is missing",
                file.fix("close the image link", [(image.line, mended)]),
            )
        elif image.url and any(c.isspace() for c in image.url.strip()):
            yield _finding(
                "JC406",
                file.path,
                image.line,
                text.find("](") + 3,
                f"the image link holds {image.url!r}, not an address",
            )
        else:
            yield _finding("JC406", file.path, image.line, 1, "the image line is not ![alt](url)")


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


@_rule("JC401", "python-syntax", "file", severity="error")
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


@_rule("JC402", "unclosed-fence", "file")
def _unclosed_fence(file: _File) -> Iterator[Finding]:
    """A code fence never closed: its block is read up to the next quote, marker or prose."""
    for opener, fence, held in _open_fences(file.notes):
        after = opener + held  # 1-based: the first line the fence does not hold
        while after <= len(file.lines) and parser.classify(file.lines[after - 1]) == parser.BLANK:
            after += 1
        if after > len(file.lines):
            where = "the end of the file"
        else:
            kind = _ENDS_OF_OPEN_FENCES.get(parser.classify(file.lines[after - 1]), "the text")
            where = f"{kind} at line {after}"
        yield _finding(
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


@_rule("JC403", "cr-line-ends", "file")
def _cr_line_ends(file: _File) -> Iterator[Finding]:
    """A file whose lines end in a lone carriage return (old Mac): it reads as one line."""
    problem = cr_line_ends("".join(file.lines))
    if problem is not None:
        yield _finding("JC403", file.path, 1, 1, problem)


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


@_rule("JC501", "coder-disagreement", "file")
def _coder_disagreement(file: _File) -> Iterator[Finding]:
    """Two coders coded the same quotes differently: a merge marked it for discussion."""
    from .fieldnotes import Disagreement  # written by jupyter_coding.coders

    blocks = file.notes.blocks
    trace_of = {id(part): trace for trace in coding_traces(file.notes) for part in trace.parts}

    def traces_from(index: int, step: int) -> list:
        found: list = []
        while 0 <= index < len(blocks) and isinstance(blocks[index], (OpenTrace, AxialTrace)):
            trace = trace_of.get(id(blocks[index]))
            if trace is not None and trace not in found:
                found.append(trace)
            index += step
        return found[::step]

    for index, marker in enumerate(blocks):
        if not isinstance(marker, Disagreement):
            continue
        sides = [
            (marker.above or "the coder above", traces_from(index - 1, -1)),
            (marker.below or "the coder below", traces_from(index + 1, 1)),
        ]
        quotes = sorted({q.line for _, traces in sides for t in traces for q in t.quotes})
        what = [
            f"{name} applies "
            + (", ".join(dict.fromkeys(c for t in traces for c in t.applies)) or "nothing")
            + (f" (line {traces[0].line})" if traces else " (no trace)")
            for name, traces in sides
        ]
        where = ", ".join(map(str, quotes)) or "none"
        yield _finding(
            "JC501",
            file.path,
            marker.line,
            1,
            f"open disagreement on the quote{'s' * (len(quotes) != 1)} at line"
            f"{'s' * (len(quotes) != 1)} {where}: {'; '.join(what)}; discuss, keep one "
            "coding (or merge the two) and delete the marker",
        )


# -- study rules -------------------------------------------------------------------


@dataclass
class _Study:
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
        hint = (
            f" (did you mean {' or '.join(_suggested(study, code, s) for s in suggestions)}?)"
            if suggestions
            else ""
        )
        meant = _clearly_meant(study, code, suggestions)
        elsewhere = len({use.path for use in uses}) - 1
        also = f"; also used in {elsewhere} other file{'s' * (elsewhere != 1)}" if elsewhere else ""
        first_in_file: dict[str, object] = {}
        for use in sorted(uses, key=lambda u: (u.path, u.line)):
            first_in_file.setdefault(use.path, use)
        for use in first_in_file.values():
            facts = study.by_path.get(use.path)
            fix = None
            if meant is not None and facts is not None:
                fix = Fix(
                    use.path,
                    facts.digest,
                    f"rename {code.identifier} to {meant} in this file",
                    renames=((code.identifier, meant),),
                )
            yield _finding(
                "JC101",
                use.path,
                use.line,
                study.column(use.path, use.line, use.identifier),
                f"{code.identifier} is used but defined nowhere in the study{hint}{also}",
                fix,
            )


def _suggested(study: _Study, code: Code, identifier: str) -> str:
    """A suggestion, with its label when that is what the identifier spells out."""
    other = study.codebook.codes[identifier]
    if variant_kind(code.identifier, identifier) is None and other.label:
        return f'{identifier} ("{other.label.strip()}")'
    return identifier


# how two identifiers may differ when one is clearly a typo of the other
_TYPO_KINDS = ("one letter apart", "a typo in one word", "spelling", "plural", "spaces or case")


def _clearly_meant(study: _Study, code: Code, suggestions: list[str]) -> str | None:
    """The defined code an undefined identifier clearly means, for ``--fix``, or None.

    Clearly: the best suggestion is a typo or spelling variant of it (or it spells
    out that code's label word for word), no other suggestion is, and the defined
    spelling is the study's: its label spells the word that differs its way
    (``ci_cd_process``, "CI/CD process", for ``ci_cd_proces``), or it is used at
    least as often (``communication_decision``, used 8 times, is not renamed to the
    definition ``communicaton_decision``, "How can data products communicate?").
    """
    close = [
        candidate
        for candidate in suggestions
        if _typo_of(code.identifier, candidate)
        or name_key(code.identifier) == name_key(study.codebook.codes[candidate].label or "")
    ]
    if len(close) != 1:
        return None
    meant = study.codebook.codes[close[0]]
    if not meant.defined:
        return None
    if _label_spells(meant, code.identifier) or _weight_of_uses(meant) >= _weight_of_uses(code):
        return meant.identifier
    return None


def _label_spells(code: Code, other: str) -> bool:
    """Whether the code's label spells the words in which its identifier differs from
    ``other`` its own way (and none of them ``other``'s way)."""
    ours, theirs = name_key(code.identifier).split("_"), name_key(other).split("_")
    label = set(name_key(code.label or "").split("_"))
    if len(ours) != len(theirs):
        return False
    differing = [(x, y) for x, y in zip(ours, theirs, strict=True) if x != y]
    return bool(differing) and all(x in label and y not in label for x, y in differing)


def _typo_of(a: str, b: str) -> bool:
    why = variant_kind(a, b)
    return why is not None and any(kind in why for kind in _TYPO_KINDS)


def _weight_of_uses(code: Code) -> int:
    return sum(1 for use in code.uses if use.how != "memo")


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

    (a, b, why) with ``a < b`` (:func:`~jupyter_coding.similarity.similar_pairs`):
    British/American spelling, singular/plural, case or spaces; one letter apart
    when both have at least 5 characters (two letters apart are mostly other words,
    ``stale``/``table``); the same words in another form or order; two letters
    moved in one word.
    """
    return similar_pairs(identifiers)


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


def _near_pairs(study: _Study) -> list[tuple[str, str, str]]:
    """The near-duplicate identifiers of the study (worked out once)."""
    if "near_pairs" not in study.cache:
        used = [
            code.identifier
            for code in study.codebook.codes.values()
            if code.defined or any(use.how != "memo" for use in code.uses)
        ]
        study.cache["near_pairs"] = near_duplicates(used)
    return study.cache["near_pairs"]


@_rule("JC104", "near-duplicate", "study")
def _near_duplicate(study: _Study) -> Iterator[Finding]:
    """Two identifiers that look like one code: a typo, plural, spelling, word form or order."""
    codes = study.codebook.codes
    for a, b, why in _near_pairs(study):
        main, variant = sorted((codes[a], codes[b]), key=_weight, reverse=True)
        why = variant_kind(variant.identifier, main.identifier) or why  # in their order
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


def _first_definitions(study: _Study) -> list:
    """Each defined code's first definition (in coding order), in coding order."""
    if "first_definitions" not in study.cache:
        firsts = [
            _in_coding_order(code.definitions)[0]
            for code in study.codebook.codes.values()
            if code.definitions
        ]
        study.cache["first_definitions"] = _in_coding_order(firsts)
    return study.cache["first_definitions"]


def _label_key(label: str | None) -> str:
    return name_key(label or "")


# a label written with one letter more or less than another is the same label
# (``Data Qualty``), once it is this long
_LABEL_TYPO_LENGTH = 8


def _copied_labels(study: _Study) -> dict[tuple[str, str], object]:
    """(earlier identifier, later identifier) -> the later definition, for labels copied
    from the definition above: same label, in one file, and the later identifier has
    little to do with it while the earlier one fits it better."""
    if "copied_labels" in study.cache:
        return study.cache["copied_labels"]
    found: dict[tuple[str, str], object] = {}
    by_file: dict[str, list] = defaultdict(list)
    for code in study.codebook.codes.values():
        for definition in code.definitions:
            by_file[definition.path].append(definition)
    for definitions in by_file.values():
        definitions.sort(key=lambda d: d.line)
        for index, later in enumerate(definitions):
            key = _label_key(later.label)
            if not key:
                continue
            earlier = next(
                (
                    d
                    for d in reversed(definitions[:index])
                    if _label_key(d.label) == key and d.identifier != later.identifier
                ),
                None,
            )
            if earlier is None:
                continue
            fit_later = label_fit(later.identifier, later.label)
            if fit_later < 0.5 and label_fit(earlier.identifier, earlier.label) > fit_later:
                found[earlier.identifier, later.identifier] = (earlier, later)
    study.cache["copied_labels"] = found
    return found


@_rule("JC105", "same-label", "study")
def _same_label(study: _Study) -> Iterator[Finding]:
    """Two codes with the same or nearly the same label: one meaning under two names."""
    firsts = _first_definitions(study)
    order = {d.identifier: index for index, d in enumerate(firsts)}
    near = {frozenset((a, b)) for a, b, _ in _near_pairs(study)}
    copied = {frozenset(pair) for pair in _copied_labels(study)}
    by_label: dict[str, list] = defaultdict(list)
    for definition in firsts:
        if _label_key(definition.label):
            by_label[stem_key(definition.label)].append(definition)
    pairs: dict[frozenset, tuple[object, object, str]] = {}

    def pair(a, b, why: str) -> None:
        key = frozenset((a.identifier, b.identifier))
        if a.identifier == b.identifier or key in near or key in copied or key in pairs:
            return
        first, second = sorted((a, b), key=lambda d: order[d.identifier])
        pairs[key] = (first, second, why)

    for group in by_label.values():
        for index, a in enumerate(group):
            for b in group[index + 1 :]:
                same = _label_key(a.label) == _label_key(b.label)
                pair(a, b, "the same label" if same else "nearly the same label")
    # a label one letter off another, or an identifier that is another code's label
    labels = {stem_key(d.label): d for d in firsts if _label_key(d.label)}
    for definition in firsts:
        other = labels.get(stem_key(definition.identifier))
        if other is not None:
            pair(definition, other, "one's label for the other's identifier")
    long_labels = [d for d in firsts if len(_label_key(d.label)) >= _LABEL_TYPO_LENGTH]
    for a, b, _ in similar_pairs(_label_key(d.label) for d in long_labels):
        for x in (d for d in long_labels if _label_key(d.label) == a):
            for y in (d for d in long_labels if _label_key(d.label) == b):
                if edit_distance(a, b, 1) <= 1:
                    pair(x, y, "nearly the same label")
    for first, second, why in sorted(pairs.values(), key=lambda p: (p[1].path, p[1].line)):
        code = study.codebook.codes[first.identifier]
        yield _finding(
            "JC105",
            second.path,
            second.line,
            study.column(second.path, second.line, second.identifier),
            f'{second.identifier} ({second.metaclass} "{(second.label or "").strip()}") and '
            f'{first.identifier} ({first.metaclass} "{(first.label or "").strip()}", defined at '
            f"{_site(first)}, applied {_times(code.use_count)}) have {why}: one meaning under "
            "two names? (merge them, or tell them apart in their labels)",
        )


@_rule("JC106", "copied-label", "study")
def _copied_label(study: _Study) -> Iterator[Finding]:
    """A new definition carrying the label of the definition above it (copied, not written)."""
    for earlier, later in _copied_labels(study).values():
        yield _finding(
            "JC106",
            later.path,
            later.line,
            study.column(later.path, later.line, later.identifier),
            f'{later.identifier} has the label "{(later.label or "").strip()}" of '
            f"{earlier.identifier}, defined above it at line {earlier.line}: a label "
            f"copied with the definition? (it says little about {later.identifier})",
        )


@_rule("JC107", "never-applied", "study", severity="info")
def _never_applied(study: _Study) -> Iterator[Finding]:
    """A code no trace applies to any source: it is only ever a relation end."""
    for code in study.codebook.codes.values():
        if code.use_count or any(c.isspace() for c in code.identifier):
            continue
        related = [use for use in code.uses if use.how == "related"]
        if not related:
            continue  # named in memos only: the memo rules speak of it
        site = code.definitions[0] if code.definitions else _in_coding_order(related)[0]
        sources = len({use.path for use in related})
        yield _finding(
            "JC107",
            site.path,
            site.line,
            study.column(site.path, site.line, code.identifier),
            f"{code.identifier} is applied to no source: it is only related "
            f"({_times(len(related))}, in {sources} file{'s' * (sources != 1)})",
        )


@_rule("JC108", "single-source-code", "study", severity="info")
def _single_source_code(study: _Study) -> Iterator[Finding]:
    """A code defined and used in one source only: a candidate for merging with another."""
    for definition in _first_definitions(study):
        code = study.codebook.codes[definition.identifier]
        paths = {use.path for use in code.uses if use.how != "memo"}
        paths |= {d.path for d in code.definitions}
        if len(paths) != 1:
            continue
        close = [s for s in study.codebook.suggest(code.identifier) if s != code.identifier]
        hint = f"; the closest code is {close[0]}" if close else ""
        yield _finding(
            "JC108",
            definition.path,
            definition.line,
            study.column(definition.path, definition.line, code.identifier),
            f"{code.identifier} is defined here and used in no other source{hint}",
        )


_RELATION_WORDS = {
    "force": ("strength", "the force relation"),
    "decision_option": ("label", "the decision option"),
    "decision_link": ("label", "the decision link"),
    "link": ("role", "the link"),
}


@_rule("JC206", "conflicting-relation", "study")
def _conflicting_relation(study: _Study) -> Iterator[Finding]:
    """The same relation stated again with another strength or label."""
    by_ends: dict[tuple[str, str, str], list] = defaultdict(list)
    for relation in study.codebook.relations():
        by_ends[relation.kind, relation.source_code, relation.target_code].append(relation)
    order = {item.path: coding_order(item.source) for item in study.codebook.files()}
    for (kind, source, target), relations in by_ends.items():
        relations.sort(key=lambda r: (order.get(r.path, ()), r.path, r.line))
        first = relations[0]
        what, relation_name = _RELATION_WORDS.get(kind, ("value", "the relation"))
        reported: set[str] = set()
        for index, relation in enumerate(relations[1:], 1):
            key = _label_key(relation.value or "")
            if key == _label_key(first.value or "") or key in reported:
                continue
            reported.add(key)
            # the statement it contradicts: one above it in the same file, else the first
            other = next(
                (
                    r
                    for r in reversed(relations[:index])
                    if r.path == relation.path and _label_key(r.value or "") != key
                ),
                first,
            )
            where = f"line {other.line}" if other.path == relation.path else _site(other)
            yield _finding(
                "JC206",
                relation.path,
                relation.line,
                study.column(relation.path, relation.line, source),
                f"{relation_name} {source} -> {target} is stated with the {what} "
                f"{_shown(relation.value)} here but {_shown(other.value)} at {where}",
            )


@_rule("JC303", "duplicate-source-id", "study", severity="error")
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
    """The findings of the file, source and trace rules on one parsed file, read on its own.

    Study rules need the whole study (:func:`check_paths`); here the memo rules know
    only the file's own codes, and the metadata rules only the file's own values.
    """
    config = config or CheckConfig()
    if notes.is_template:
        return []
    facts = [FileFacts.of(notes, text)]
    study = _Study(Codebook.from_file_codes(f.codes for f in facts), facts, config)
    findings = _file_findings(notes, config, text) + _run(study, ("source", "trace"))
    return _with_severity(findings, config)


def _file_findings(notes: FieldNotes, config: CheckConfig, text: str | None) -> list[Finding]:
    if notes.is_template:
        return []
    text = text if text is not None else notes.to_text()
    file = _File(notes, split_lines(text), config, text_digest(text))
    findings: list[Finding] = []
    for rule in RULES.values():
        if rule.scope == "file" and config.enabled(rule.id, rule.name):
            findings.extend(rule.run(file))
    return findings


def _run(study: _Study, scopes: tuple[str, ...]) -> list[Finding]:
    return [
        finding
        for rule in RULES.values()
        if rule.scope in scopes and study.config.enabled(rule.id, rule.name)
        for finding in rule.run(study)
    ]


def _with_severity(findings: Iterable[Finding], config: CheckConfig) -> list[Finding]:
    """The findings with the severity the configuration gives their rules."""
    return [
        finding
        if (level := config.severity_of(finding.rule, finding.name, finding.severity))
        == finding.severity
        else replace(finding, severity=level)
        for finding in findings
    ]


def check_traces(
    files: list[FileFacts], config: CheckConfig, codebook: Codebook | None = None
) -> list[Finding]:
    """The trace rules' findings (memo against trace), with the codebook's names of codes."""
    if codebook is None:
        codebook = Codebook.from_file_codes(facts.codes for facts in files)
    return _with_severity(_run(_Study(codebook, files, config), ("trace",)), config)


def check_codebook(
    codebook: Codebook,
    config: CheckConfig | None = None,
    files: Iterable[FileFacts] = (),
    model: dict[str, dict[str, object]] | None = None,
) -> list[Finding]:
    """The study and metadata rules' findings on a codebook and the files' facts.

    ``model`` gives the values a CodeableModels model has for each source (by id),
    evidence for which side of a header/CClass mismatch is right.
    """
    config = config or CheckConfig()
    study = _Study(codebook, list(files), config, model=dict(model or {}))
    return _with_severity(_run(study, ("study", "source")), config)


def check_paths(
    paths: Iterable[str | os.PathLike],
    config: CheckConfig | None = None,
    model: str | os.PathLike | None = None,
) -> list[Finding]:
    """Check every field-notes file under ``paths``; findings sorted by place.

    ``config`` defaults to the nearest ``pyproject.toml``'s. With ``model`` (a
    CodeableModels module) the model is compared with the notes too, and its values
    for each source are evidence for the metadata rules.
    """
    paths = list(paths)
    config = config if config is not None else CheckConfig.for_paths(paths)
    # the study's metamodel, found beside the notes or the model, fixes the vocabulary
    config = config.for_study([*paths, *([model] if model is not None else [])])
    findings: list[Finding] = []
    files: list[FileFacts] = []
    found = find_field_notes(paths)
    # each file on its own, on every core for a big study (results in file order)
    checked = map_in_order(_check_file, found, config)
    for file_findings, facts in progress(checked, "checking", total=len(found)):
        findings.extend(file_findings)
        files.append(facts)
    codebook = Codebook.from_file_codes(facts.codes for facts in files)
    model_values = _model_values(model) if model is not None else None
    findings = _with_severity(findings, config)
    findings.extend(check_codebook(codebook, config, files, model_values))
    findings.extend(check_traces(files, config, codebook))
    if model is not None:
        findings.extend(
            _with_severity(
                (
                    finding
                    for finding in _model_findings(model, codebook, config.vocabulary(paths))
                    if config.enabled(finding.rule, finding.name)
                ),
                config,
            )
        )
    return sorted(set(findings))


def _check_file(path: Path, config: CheckConfig) -> tuple[list[Finding], FileFacts]:
    """The file rules' findings of one file, and what the study rules need of it."""
    text = read_text(path)
    notes = parse(text, str(path))
    return list(_file_findings(notes, config, text)), FileFacts.of(notes, text)


def _model_values(model: str | os.PathLike) -> dict[str, dict[str, object]]:
    """Each source's values in a CodeableModels module (its ``values={...}`` literals)."""
    from .interop.codeable_models import read_model

    return {
        name: {key: value for key, (value, _) in source.values.items()}
        for name, source in read_model(model).items()
    }


def _model_findings(model: str | os.PathLike, codebook: Codebook, vocabulary) -> list[Finding]:
    from .interop.codeable_models import model_findings

    return model_findings(model, codebook, vocabulary)


def rule_table() -> list[tuple[str, str, str, str]]:
    """(id, name, severity, what it finds) of every rule, by id."""
    return [
        (rule.id, rule.name, rule.severity, rule.summary)
        for rule in sorted(RULES.values(), key=_by_id)
    ]


def _by_id(rule: Rule) -> str:
    return rule.id
