"""CodeableModels: the sources-and-codes module of a study, written and compared.

Study repositories build their final model with CodeableModels
(``sources_and_codes_model.py``): per source a ``CClass(source, "sN", values={...})``
with the header metadata, the list ``sN_codes`` of the codes its field notes apply
(attach, reuse or define: :mod:`jupyter_coding.fieldnotes.reading`), and
``add_links({sN: sN_codes}, role_name="contained_code")``.
:func:`render_model` writes that module from the field notes; :func:`model_findings`
reads an existing one with :mod:`ast` (never executing it) and reports where it and
the field notes disagree.
"""

from __future__ import annotations

import ast
import json
import keyword
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..corpus import APPLIED, Codebook, coding_order
from ..fieldnotes import FieldNotes, FieldNotesError, read_text
from ..fieldnotes.canonical import SOURCE_VALUE_ORDER, source_value_literal
from ..fieldnotes.reading import applied_to_source
from ..findings import Finding
from .common import sources_to_export

__all__ = [
    "ModelSource",
    "SourceEntry",
    "model_findings",
    "read_model",
    "render_model",
    "source_entries",
]

CONTAINED_CODE = "contained_code"
LINE_WIDTH = 100

# rule ids of the findings (the JC9xx range belongs to the exchange formats)
CODE_ONLY_IN_MODEL = ("JC901", "code-in-model-not-in-notes")
CODE_ONLY_IN_NOTES = ("JC902", "code-in-notes-not-in-model")
SOURCE_NOT_IN_MODEL = ("JC903", "source-missing-from-model")
SOURCE_ONLY_IN_MODEL = ("JC904", "source-missing-from-notes")


# -- writing ---------------------------------------------------------------


@dataclass
class SourceEntry:
    """One source of the model: its id, header metadata and the codes applied to it."""

    source: str
    path: str
    values: list[tuple[str, str]]  # (CClass key, Python literal), in the study's key order
    codes: list[str]  # the codes its traces apply, in order of first use
    not_identifiers: list[str] = field(default_factory=list)  # applied but not valid Python


def _is_python_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _literal(field_name: str, value: str) -> str:
    literal = source_value_literal(field_name, value)
    if literal in ("True", "False"):
        return literal
    # JSON string escapes are valid Python escapes; non-ASCII stays readable
    return json.dumps(value, ensure_ascii=False)


def source_entries(notes: Iterable[FieldNotes]) -> list[SourceEntry]:
    """The sources of parsed field notes in coding order (``s1`` …, then ``p1`` …), no templates.

    Each file is its own source (:func:`~jupyter_coding.interop.common.sources_to_export`);
    files that claim the same id with no other id to tell them apart are a
    :class:`FieldNotesError` naming them all: a model cannot define a source twice.
    """
    entries = []
    for exported in sources_to_export(notes, identifiers=True):
        item = exported.notes
        header = item.header
        values = [
            (key, _literal(name, (header.value(name) if header else None) or ""))
            for name, key in SOURCE_VALUE_ORDER
        ]
        applied = [application.identifier for application in applied_to_source(item)]
        entries.append(
            SourceEntry(
                exported.source,
                exported.path,
                values,
                [code for code in applied if _is_python_name(code)],
                [code for code in applied if not _is_python_name(code)],
            )
        )
    return entries


def _wrapped_list(prefix: str, names: list[str]) -> str:
    """``prefix[a, b,`` continued under the bracket, lines kept under LINE_WIDTH."""
    indent = " " * len(prefix)
    lines: list[str] = []
    current = prefix
    for index, name in enumerate(names):
        item = name + ("," if index < len(names) - 1 else "]")
        candidate = current + ("" if current in (prefix, indent) else " ") + item
        if len(candidate) > LINE_WIDTH and current not in (prefix, indent):
            lines.append(current)
            current = indent + item
        else:
            current = candidate
    if not names:
        current += "]"
    lines.append(current)
    return "\n".join(lines)


def is_module_name(name: str) -> bool:
    """``codes_model``, ``metamodels.GT_coding``: identifiers joined by dots, no keyword.

    The names go into the generated module's import lines, so anything else (a
    space, ``;``, a newline) could put code there.
    """
    parts = name.split(".")
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in parts)


def render_model(
    entries: Iterable[SourceEntry],
    codes_module: str | None = None,
    metamodel_module: str = "metamodels.GT_coding",
) -> str:
    """The ``sources_and_codes_model.py`` text for ``entries`` (stable, valid Python).

    A module name that is not a dotted name raises ``ValueError``.
    """
    for module in (codes_module, metamodel_module):
        if module is not None and not is_module_name(module):
            raise ValueError(f"not a dotted module name: {module!r}")
    out = [
        '"""Sources of the study and the codes their field notes apply to them.',
        "",
        "Generated by `jupyter-coding export codeable-models` from the field notes: do not",
        "edit, regenerate it.",
        '"""',
        "",
        "from codeable_models import CClass, add_links",
        f"from {metamodel_module} import source",
    ]
    if codes_module:
        out.append(f"from {codes_module} import *  # noqa: F403 (the study's codes)")
    else:
        out.append(
            "# the codes are defined in the study's codes model: pass --codes-module to import it"
        )
    out += ["", "# ### Sources ###"]
    for entry in entries:
        values = ",\n".join(f"    {json.dumps(key)}: {literal}" for key, literal in entry.values)
        out.append("")
        out.append(f'{entry.source} = CClass(source, "{entry.source}", values={{\n{values}}})')
        for name in entry.not_identifiers:
            out.append(f"# applied but not a Python name, left out: {json.dumps(name)}")
        out.append(_wrapped_list(f"{entry.source}_codes = [", entry.codes))
        out.append(
            f'add_links({{{entry.source}: {entry.source}_codes}}, role_name="{CONTAINED_CODE}")'
        )
    return "\n".join(out) + "\n"


# -- reading ---------------------------------------------------------------


@dataclass
class ModelSource:
    """A source as a model module defines it, with the codes linked to it."""

    name: str  # the CClass name, e.g. "s43"
    variable: str
    line: int
    codes: dict[str, int] = field(default_factory=dict)  # identifier -> line in the module


def _names(node: ast.AST | None) -> list[tuple[str, int]]:
    """(identifier, line) of the codes in a list display, a name or a sum of them."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        found = []
        for item in node.elts:
            if isinstance(item, ast.Name):
                found.append((item.id, item.lineno))
            elif isinstance(item, ast.Attribute):
                found.append((item.attr, item.lineno))
        return found
    return []


class _ModelReader(ast.NodeVisitor):
    """Collects sources, code lists and ``contained_code`` links, in module order."""

    def __init__(self) -> None:
        self.sources: dict[str, ModelSource] = {}  # by variable
        self.lists: dict[str, list[tuple[str, int]]] = {}

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
                self.sources[target.id] = ModelSource(name, target.id, node.lineno)
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
                        codes = self.sources[key.id].codes
                        for identifier, line in self.codes_of(value):
                            codes.setdefault(identifier, line)
        self.generic_visit(node)


def _is_name(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def _is_call(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and _is_name(node.func, name)


def read_model(path: str | os.PathLike) -> dict[str, ModelSource]:
    """The sources of a CodeableModels module by CClass name, read with :mod:`ast`.

    The module is parsed, never imported or executed. A syntax error is a
    :class:`FieldNotesError` naming the file and line.
    """
    text = read_text(path)
    try:
        tree = ast.parse(text, filename=os.fspath(path))
    except SyntaxError as error:
        raise FieldNotesError(f"not valid Python: {error.msg}", path, error.lineno) from None
    reader = _ModelReader()
    reader.visit(tree)
    return {source.name: source for source in reader.sources.values()}


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


def model_findings(model_path: str | os.PathLike, codebook: Codebook) -> list[Finding]:
    """Where a CodeableModels module and the field notes disagree, per source.

    JC901: a code the model links to a source that its field notes do not apply;
    JC902: a code the field notes apply to a source that the model does not link;
    JC903: a source of the field notes the model does not define;
    JC904: a source the model defines that no field notes hold.
    Findings about the model point into the module, the others into the notes.
    """
    model_path = os.fspath(model_path)
    model = read_model(model_path)
    notes = _notes_sources(codebook)
    findings: list[Finding] = []
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
            if identifier not in modelled.codes and _is_python_name(identifier):
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
    return Finding(path, line, 1, rule[0], rule[1], message)
