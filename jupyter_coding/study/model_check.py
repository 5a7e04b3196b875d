"""A study's CodeableModels module compared with its field notes (``check --model``).

The module (``sources_and_codes_model.py``) is read with :mod:`ast`, never executed:
its sources (``CClass(source, "sN", values={...})``), their code lists and links, and
the names the study's codes module defines (following ``*`` imports). The findings
(JC901–JC909) say where model and notes disagree, per source, and what would stop
the model in CodeableModels. The writer of such modules is
:mod:`jupyter_coding.interop.codeable_models`.

This module is over 400 lines because the reader of the model's ``ast`` and the
comparison are one job: splitting them would pass a half-read model between files.

Why one module: reading a CodeableModels module with ast and comparing it with the notes
are one job; the reader's facts exist only for the comparison.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_coding.fieldnotes import FieldNotesError, read_text
from jupyter_coding.fieldnotes.canonical import SOURCE_VALUE_ORDER
from jupyter_coding.study.codebook import APPLIED, Codebook
from jupyter_coding.study.findings import Finding
from jupyter_coding.study.sources import coding_order
from jupyter_coding.study.tables import is_python_name
from jupyter_coding.study.vocabulary import CONTAINED_CODE, Vocabulary, find_module, typed_value

__all__ = [
    "ModelSource",
    "decisions_with_options",
    "model_findings",
    "module_names",
    "read_model",
]

# rule ids of the findings (the JC9xx range belongs to the exchange formats)
CODE_ONLY_IN_MODEL = ("JC901", "code-in-model-not-in-notes")
CODE_ONLY_IN_NOTES = ("JC902", "code-in-notes-not-in-model")
SOURCE_NOT_IN_MODEL = ("JC903", "source-missing-from-model")
SOURCE_ONLY_IN_MODEL = ("JC904", "source-missing-from-notes")
SOURCE_TWICE = ("JC905", "source-defined-twice")
CODE_TWICE_IN_LIST = ("JC906", "code-twice-in-list")
LINK_TWICE = ("JC907", "link-made-twice")
METADATA_DRIFT = ("JC908", "source-metadata-drift")
VALUE_REFUSED = ("JC909", "value-not-in-metamodel")
# what stops the model in CodeableModels (an exception), not only a disagreement
BREAKING = frozenset({"JC906", "JC907", "JC909"})


# -- the study's codes module -----------------------------------------------


def _bound_names(tree: ast.Module) -> tuple[set[str], list[str], list[str] | None]:
    """(names a module binds at top level, modules it imports with *, its __all__)."""
    names: set[str] = set()
    stars: list[str] = []
    exported: list[str] | None = None

    def bind(target: ast.AST) -> None:
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for item in target.elts:
                bind(item)
        elif isinstance(target, ast.Starred):
            bind(target.value)

    def visit(body: list[ast.stmt]) -> None:
        nonlocal exported
        for node in body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    bind(target)
                    if isinstance(target, ast.Name) and target.id == "__all__":
                        try:
                            exported = [str(name) for name in ast.literal_eval(node.value)]
                        except ValueError:
                            exported = None
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                bind(node.target)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                bind(node.target)
                visit(node.body + node.orelse)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name == "*":
                        stars.append(("." * node.level) + (node.module or ""))
                    else:
                        names.add(alias.asname or alias.name)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                for part in ("body", "orelse", "finalbody"):
                    visit(getattr(node, part, []) or [])
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return names, stars, exported


def module_names(module: str, starts: Iterable[str | os.PathLike]) -> tuple[Path, set[str]]:
    """The file of the study's codes module and the names ``from module import *`` gives.

    The module is found as Python would import it from one of the ``starts`` or a
    folder above it (:func:`~jupyter_coding.study.vocabulary.find_module`), and read with
    :mod:`ast`, never run. Names it imports with ``*`` from modules found the same
    way are followed. A module that is not found is a :class:`FieldNotesError`.
    """
    starts = list(starts)
    path = find_module(module, starts)
    if path is None:
        raise FieldNotesError(
            f"cannot find the codes module {module} ({module.replace('.', '/')}.py) in "
            "the current folder or a folder above the output or the field notes: run the "
            "export from the folder the study imports it from",
            module,
        )
    names: set[str] = set()
    seen: set[Path] = set()

    def collect(file: Path) -> set[str]:
        if file in seen:
            return set()
        seen.add(file)
        try:
            tree = ast.parse(read_text(file), filename=os.fspath(file))
        except SyntaxError as error:
            raise FieldNotesError(f"not valid Python: {error.msg}", file, error.lineno) from None
        bound, stars, exported = _bound_names(tree)
        for star in stars:
            if star.startswith("."):
                continue  # relative imports of a package module: not followed
            found = find_module(star, [*starts, file.parent])
            if found is not None:
                bound |= collect(found)
        if exported is not None:
            return set(exported)
        return {name for name in bound if not name.startswith("_")}

    names = collect(path)
    return path, names


def decisions_with_options(path: str | os.PathLike) -> list[str]:
    """The decisions a codes module defines and gives options, read with :mod:`ast`.

    ``x = CClass(decision, ...)`` with an ``add_decision_option_link(x, ...)`` (the
    guidance metamodel's helper) or ``x.add_links(..., association=
    decision_solution_relation)``, in the module's order.
    """
    tree = ast.parse(read_text(path), filename=os.fspath(path))
    decisions: list[str] = []
    with_options: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and _is_call(node.value, "CClass")
            and node.value.args
            and _is_name(node.value.args[0], "decision")
        ):
            decisions += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif _is_call(node, "add_decision_option_link") and node.args:
            if isinstance(node.args[0], ast.Name):
                with_options.add(node.args[0].id)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_links"
            and isinstance(node.func.value, ast.Name)
            and any(
                k.arg == "association" and _is_name(k.value, "decision_solution_relation")
                for k in node.keywords
            )
        ):
            with_options.add(node.func.value.id)
    return [name for name in dict.fromkeys(decisions) if name in with_options]


# -- reading ---------------------------------------------------------------


@dataclass
class ModelSource:
    """A source as a model module defines it, with the codes linked to it."""

    name: str  # the CClass name, e.g. "s43"
    variable: str
    line: int
    codes: dict[str, int] = field(default_factory=dict)  # identifier -> line in the module
    values: dict[str, tuple[object, int]] = field(default_factory=dict)  # key -> (value, line)


@dataclass(frozen=True)
class _Problem:
    """Something in the module that CodeableModels chokes on or doubles."""

    rule: tuple[str, str]
    line: int
    message: str


def _names(node: ast.AST | None) -> list[tuple[str, int]]:
    """(identifier, line) of the codes in a list display."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        found = []
        for item in node.elts:
            if isinstance(item, ast.Name):
                found.append((item.id, item.lineno))
            elif isinstance(item, ast.Attribute):
                found.append((item.attr, item.lineno))
        return found
    return []


def _constant(node: ast.AST) -> object:
    """A literal value, strings joined with ``+`` included; raises ValueError otherwise."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant(node.left), _constant(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        raise ValueError("not a string")
    return ast.literal_eval(node)


def _values(call: ast.Call) -> dict[str, tuple[object, int]]:
    table = next((k.value for k in call.keywords if k.arg == "values"), None)
    if table is None and len(call.args) > 2:
        table = call.args[2]
    found: dict[str, tuple[object, int]] = {}
    if isinstance(table, ast.Dict):
        for key, value in zip(table.keys, table.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            try:
                found[key.value] = (_constant(value), key.lineno)
            except (ValueError, TypeError, SyntaxError):
                continue  # computed at run time: nothing to compare
    return found


class _ModelReader(ast.NodeVisitor):
    """Collects sources, code lists and ``contained_code`` links, in module order."""

    def __init__(self) -> None:
        self.sources: dict[str, ModelSource] = {}  # by variable (the latest definition)
        self.by_name: dict[str, ModelSource] = {}  # by CClass name (the first definition)
        self.lists: dict[str, list[tuple[str, int]]] = {}
        self.problems: list[_Problem] = []
        self.linked: dict[tuple[str, str], int] = {}  # (source name, code) -> line

    def codes_of(self, node: ast.AST | None) -> list[tuple[str, int]]:
        if isinstance(node, ast.Name):
            return list(self.lists.get(node.id, []))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.codes_of(node.left) + self.codes_of(node.right)
        return _names(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if not isinstance(target, ast.Name):
                continue
            value = node.value
            if _is_call(value, "CClass") and value.args and _is_name(value.args[0], "source"):
                name = target.id
                if len(value.args) > 1 and isinstance(value.args[1], ast.Constant):
                    name = str(value.args[1].value)
                modelled = ModelSource(name, target.id, node.lineno, values=_values(value))
                first = self.by_name.get(name)
                if first is None:
                    self.by_name[name] = modelled
                else:
                    self.problems.append(
                        _Problem(
                            SOURCE_TWICE,
                            node.lineno,
                            f"source {name} is defined again (first at line {first.line}): "
                            f"CodeableModels makes two sources named {name}, and the sources "
                            "table lists both",
                        )
                    )
                self.sources[target.id] = modelled
            elif isinstance(value, (ast.List, ast.Tuple, ast.BinOp, ast.Name)):
                self.lists[target.id] = self.codes_of(value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
            self.lists.setdefault(node.target.id, []).extend(self.codes_of(node.value))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.attr in ("append", "extend")
            and node.args
        ):
            items = (
                self.codes_of(node.args[0])
                if func.attr == "extend"
                else _names(ast.List(elts=[node.args[0]]))
            )
            self.lists.setdefault(func.value.id, []).extend(items)
        elif _is_call(node, "add_links") and node.args and isinstance(node.args[0], ast.Dict):
            role = next((k.value for k in node.keywords if k.arg == "role_name"), None)
            role_name = role.value if isinstance(role, ast.Constant) else None
            if role_name in (None, CONTAINED_CODE):
                for key, value in zip(node.args[0].keys, node.args[0].values, strict=True):
                    if isinstance(key, ast.Name) and key.id in self.sources:
                        self.link(self.sources[key.id], self.codes_of(value), node.lineno)
        self.generic_visit(node)

    def link(self, modelled: ModelSource, codes: list[tuple[str, int]], call_line: int) -> None:
        """One ``add_links`` of codes to a source: a link CodeableModels has is an error."""
        in_this_call: dict[str, int] = {}
        for identifier, line in codes:
            key = (modelled.name, identifier)
            if identifier in in_this_call:
                self.problems.append(
                    _Problem(
                        CODE_TWICE_IN_LIST,
                        line,
                        f"{identifier} is twice in the codes linked to {modelled.name} (first "
                        f"at line {in_this_call[identifier]}): CodeableModels stops with "
                        '"trying to link the same link twice"',
                    )
                )
            elif key in self.linked:
                self.problems.append(
                    _Problem(
                        LINK_TWICE,
                        call_line,
                        f"{identifier} is linked to {modelled.name} again (linked at line "
                        f"{self.linked[key]}): CodeableModels stops with "
                        '"trying to link the same link twice"',
                    )
                )
            else:
                self.linked[key] = call_line
                in_this_call[identifier] = line
                self.by_name.get(modelled.name, modelled).codes.setdefault(identifier, line)
                modelled.codes.setdefault(identifier, line)


def _is_name(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def _is_call(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and _is_name(node.func, name)


def _read(path: str | os.PathLike) -> _ModelReader:
    text = read_text(path)
    try:
        tree = ast.parse(text, filename=os.fspath(path))
    except SyntaxError as error:
        raise FieldNotesError(f"not valid Python: {error.msg}", path, error.lineno) from None
    reader = _ModelReader()
    reader.visit(tree)
    return reader


def read_model(path: str | os.PathLike) -> dict[str, ModelSource]:
    """The sources of a CodeableModels module by CClass name, read with :mod:`ast`.

    The module is parsed, never imported or executed. A source defined twice is
    given by its first definition, with the codes linked to either. A syntax error
    is a :class:`FieldNotesError` naming the file and line.
    """
    return dict(_read(path).by_name)


# -- comparing -------------------------------------------------------------


@dataclass
class _NotesSource:
    path: str
    applied: dict[str, int] = field(default_factory=dict)  # identifier -> first line
    mentioned: set[str] = field(default_factory=set)  # relation ends, memo items


def _notes_sources(codebook: Codebook) -> dict[str, _NotesSource]:
    """Per source (each file its own), the codes its field notes apply."""
    found: dict[str, _NotesSource] = {}
    for item in codebook.files():
        if item.template or not item.source:
            continue
        entry = found.setdefault(item.source, _NotesSource(item.path))
        applied = sorted((u.line, u.identifier) for u in item.uses if u.how in APPLIED)
        for line, identifier in applied:
            entry.applied.setdefault(identifier, line)
        entry.mentioned.update(u.identifier for u in item.uses if u.how in ("related", "memo"))
    return found


def _header_values(path: str) -> tuple[dict[str, str], dict[str, int]]:
    """A file's header values by CClass key, and the line of each value."""
    from jupyter_coding.fieldnotes import parse

    try:
        header = parse(read_text(path), path).header
    except (OSError, FieldNotesError):
        return {}, {}
    values, lines = {}, {}
    if header is None:
        return values, lines
    for name, key in SOURCE_VALUE_ORDER:
        value = header.value(name)
        if value is not None:
            values[key] = value
            lines[key] = (header.field_line(name) or 0) + 1
    return values, lines


def _same(model_value: object, header_value: str, key: str) -> bool:
    notes_value = typed_value(key, header_value)
    if isinstance(model_value, str) and isinstance(notes_value, str):
        return " ".join(model_value.split()) == " ".join(notes_value.split())
    return model_value == notes_value and type(model_value) is type(notes_value)


def _drift(
    modelled: ModelSource, notes_path: str, model_path: str, vocabulary: Vocabulary | None
) -> list[Finding]:
    """The source's values where the model and the header differ, or CodeableModels refuses."""
    findings = []
    header, lines = _header_values(notes_path)
    name = Path(notes_path).name
    for key, (value, line) in modelled.values.items():
        why = vocabulary.refusal(key, value) if vocabulary is not None else None
        if why is not None:
            findings.append(
                _finding(
                    model_path,
                    line,
                    VALUE_REFUSED,
                    f'"{key}" of {modelled.name} is {value!r}, {why}: CodeableModels refuses it',
                )
            )
        if key not in header or _same(value, header[key], key):
            continue
        shown = repr(header[key]) if header[key].strip() else "empty"
        findings.append(
            _finding(
                model_path,
                line,
                METADATA_DRIFT,
                f'"{key}" of {modelled.name} is {value!r} in the model but {shown} in the '
                f"header of {name} (line {lines[key]})",
            )
        )
    for key, value in header.items():
        typed = typed_value(key, value)
        if key in modelled.values or not value.strip() or typed is None:
            continue
        why = vocabulary.refusal(key, typed, listing=False) if vocabulary is not None else None
        refused = f" ({why}: JC302)" if why else ""
        findings.append(
            _finding(
                model_path,
                modelled.line,
                METADATA_DRIFT,
                f'{modelled.name} has no "{key}" in the model but the header of {name} '
                f"(line {lines[key]}) says {value!r}{refused}",
            )
        )
    return findings


def model_findings(
    model_path: str | os.PathLike, codebook: Codebook, vocabulary: Vocabulary | None = None
) -> list[Finding]:
    """Where a CodeableModels module and the field notes disagree, and what breaks it.

    Per source: JC901 a code the model links that its field notes do not apply;
    JC902 a code the field notes apply that the model does not link; JC903 a source
    of the notes the model does not define; JC904 a source the model defines that no
    notes hold; JC908 a value (title, url, types, yes/no) that differs from the
    header. What CodeableModels makes of the module: JC905 a source defined twice
    (two rows in the tables), JC906 a code twice in one linked list and JC907 a
    link made twice (both stop CodeableModels), JC909 a value the study's metamodel
    refuses (``vocabulary``; it stops CodeableModels too). Findings about the model
    point into the module, the others into the notes.
    """
    model_path = os.fspath(model_path)
    reader = _read(model_path)
    model = reader.by_name
    notes = _notes_sources(codebook)
    findings: list[Finding] = [
        _finding(model_path, problem.line, problem.rule, problem.message)
        for problem in reader.problems
    ]
    for source in sorted(notes, key=coding_order):
        entry = notes[source]
        modelled = model.get(source)
        if modelled is None:
            findings.append(
                _finding(
                    entry.path,
                    1,
                    SOURCE_NOT_IN_MODEL,
                    f"source {source} is not defined in {Path(model_path).name}",
                )
            )
            continue
        findings.extend(_drift(modelled, entry.path, model_path, vocabulary))
        for identifier, line in modelled.codes.items():
            if identifier in entry.applied:
                continue
            how = "only mention it" if identifier in entry.mentioned else "do not apply it"
            findings.append(
                _finding(
                    model_path,
                    line,
                    CODE_ONLY_IN_MODEL,
                    f"{identifier} is in {modelled.variable}'s codes but the field notes "
                    f"of {source} ({Path(entry.path).name}) {how}",
                )
            )
        for identifier, line in entry.applied.items():
            # a name that is not Python cannot be in a model; checks report it elsewhere
            if identifier not in modelled.codes and is_python_name(identifier):
                findings.append(
                    _finding(
                        entry.path,
                        line,
                        CODE_ONLY_IN_NOTES,
                        f"{identifier} is applied to {source} but not in its codes in "
                        f"{Path(model_path).name}",
                    )
                )
    for name, modelled in model.items():
        if name not in notes:
            findings.append(
                _finding(
                    model_path,
                    modelled.line,
                    SOURCE_ONLY_IN_MODEL,
                    f"source {name} is in the model but in none of the field notes checked",
                )
            )
    return sorted(findings)


def _finding(path: str, line: int, rule: tuple[str, str], message: str) -> Finding:
    severity = "error" if rule[0] in BREAKING else "warning"
    return Finding(path, line, 1, rule[0], rule[1], message, severity)
