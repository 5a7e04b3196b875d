"""CodeableModels: the sources-and-codes module of a study, written and compared.

Study repositories build their final model with CodeableModels
(``sources_and_codes_model.py``): per source a ``CClass(source, "sN", values={...})``
with the header metadata, the list ``sN_codes`` of the codes its field notes apply
(attach, reuse or define: :mod:`jupyter_coding.fieldnotes.reading`), and
``add_links({sN: sN_codes}, role_name="contained_code")``. The study's generators
(its paper's tables) import that module; :func:`render_model` writes it from the
field notes so that they run on it unchanged:

- every code the notes apply is defined (``x = CClass(force, "Label")``, metaclass
  and label from its first definition in coding order; a code defined nowhere as a
  plain ``code``), except those the study's codes module defines, which are
  imported from it (``codes_module``);
- the metaclasses of the codes are made kinds of ``code`` first, as the study's own
  module does, or CodeableModels finds no ``contained_code`` association;
- values are typed as the study's metamodel wants (:mod:`jupyter_coding.vocabulary`):
  yes/no as ``True``/``False``, enumerations only with their own values. A value the
  metamodel refuses (an empty yes/no, ``"Interview"`` where the Source Type
  enumeration has no such value) is left out with a comment saying why: the model
  then runs, and ``check`` reports the value (JC302), for the researcher to fix the
  notes or the metamodel; an export that guessed another value would hide it.

:func:`model_findings` reads an existing module with :mod:`ast` (never executing it)
and reports where it and the field notes disagree, and what would stop it in
CodeableModels.
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
from ..fieldnotes.canonical import SOURCE_VALUE_ORDER
from ..fieldnotes.reading import applied_to_source
from ..findings import Finding
from ..tables import PaperCode, is_python_name
from ..vocabulary import (
    DEFAULT_METAMODEL_MODULE,
    Vocabulary,
    default_metaclasses,
    find_module,
    yes_no_value,
)
from .common import display_paths, sources_to_export

__all__ = [
    "CodeDefinition",
    "ModelSource",
    "SourceEntry",
    "code_definitions",
    "decisions_with_options",
    "model_findings",
    "module_names",
    "read_model",
    "render_model",
    "source_entries",
]

CONTAINED_CODE = "contained_code"
LINE_WIDTH = 100
YES_NO_KEYS = ("example", "source code")

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

# the study's own sources_and_codes_model.py makes these kinds of code (practice and
# pattern are kinds of design_solution), so that a source can contain them
SUPERCLASS_SETUP = (
    "decision",
    "domain_metaclass",
    "design_solution",
    "force",
    "design_solution_dependencies",
)
GUIDANCE_MODULE = "metamodels.guidance_metamodel"
COVERED = frozenset({*SUPERCLASS_SETUP, "practice", "pattern", "code"})


# -- writing ---------------------------------------------------------------


@dataclass
class SourceEntry:
    """One source of the model: its id, header metadata and the codes applied to it."""

    source: str
    path: str
    values: list[tuple[str, str]]  # (CClass key, Python literal), in the study's key order
    codes: list[str]  # the codes its traces apply, in order of first use
    not_identifiers: list[str] = field(default_factory=list)  # applied but not valid Python
    # (CClass key, header value, why) of values the metamodel would refuse, left out
    left_out: list[tuple[str, str, str]] = field(default_factory=list)
    header_lines: dict[str, int] = field(default_factory=dict)  # CClass key -> header line


def typed_value(key: str, value: str, vocabulary: Vocabulary | None = None) -> object:
    """A header value as the model holds it: True/False for yes/no, else the text.

    None when the model cannot hold it: a yes/no that is neither yes nor no (empty
    in ``s_5.md``).
    """
    yes_no = vocabulary.yes_no if vocabulary is not None else YES_NO_KEYS
    return yes_no_value(value) if key in yes_no else value


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    # JSON string escapes are valid Python escapes; non-ASCII stays readable
    return json.dumps(value, ensure_ascii=False)


def source_entries(
    notes: Iterable[FieldNotes], vocabulary: Vocabulary | None = None
) -> list[SourceEntry]:
    """The sources of parsed field notes in coding order (``s1`` …, then ``p1`` …), no templates.

    Each file is its own source (:func:`~jupyter_coding.interop.common.sources_to_export`);
    files that claim the same id with no other id to tell them apart are a
    :class:`FieldNotesError` naming them all: a model cannot define a source twice.
    Values are typed for the study's metamodel (``vocabulary``); one it would refuse
    is in ``left_out`` with the reason.
    """
    entries = []
    for exported in sources_to_export(notes, identifiers=True):
        item = exported.notes
        header = item.header
        values, left_out, lines = [], [], {}
        for name, key in SOURCE_VALUE_ORDER:
            text = (header.value(name) if header else None) or ""
            if header is not None and header.field_line(name):
                lines[key] = header.field_line(name) + 1
            value = typed_value(key, text, vocabulary)
            if value is None:
                shown = "empty" if not text.strip() else f"{text!r}, neither yes nor no"
                left_out.append((key, text, f"{shown}: the metamodel wants True or False"))
                continue
            why = vocabulary.refusal(key, value, listing=False) if vocabulary is not None else None
            if why is not None:
                left_out.append((key, text, why))
                continue
            values.append((key, _literal(value)))
        applied = [application.identifier for application in applied_to_source(item)]
        entries.append(
            SourceEntry(
                exported.source,
                exported.path,
                values,
                [code for code in applied if is_python_name(code)],
                [code for code in applied if not is_python_name(code)],
                left_out,
                lines,
            )
        )
    return entries


@dataclass(frozen=True)
class CodeDefinition:
    """A code the module defines: ``identifier = CClass(metaclass, "label")``."""

    identifier: str
    metaclass: str  # the Python name of its metaclass ("code" when defined nowhere)
    label: str
    site: str  # where the notes define it (else first apply it): "s_1.md:164"
    note: str | None = None  # why it is defined otherwise than the notes say


def code_definitions(
    codes: Iterable[PaperCode],
    imported: Iterable[str] = (),
    vocabulary: Vocabulary | None = None,
) -> list[CodeDefinition]:
    """The definitions a module needs for ``codes``, leaving out the ``imported`` names.

    In the order of :func:`~jupyter_coding.tables.paper_codes` (the force table's
    order). A metaclass the study's vocabulary does not know cannot be imported: the
    code is defined as a plain ``code``, with a note.
    """
    known = vocabulary.metaclasses if vocabulary is not None else default_metaclasses()
    imported = set(imported)
    codes = [code for code in codes if code.identifier not in imported]
    names = display_paths(code.path for code in codes)
    result = []
    for code in codes:
        site = f"{names.get(code.path, code.path)}:{code.line}"
        if code.metaclass is None:
            result.append(CodeDefinition(code.identifier, "code", code.identifier, site))
        elif code.metaclass not in known:
            note = f"metaclass {code.metaclass!r} is not in the study's metamodel"
            result.append(CodeDefinition(code.identifier, "code", code.name, site, note))
        else:
            result.append(CodeDefinition(code.identifier, code.metaclass, code.name, site))
    return result


def _wrapped(prefix: str, names: list[str], end: str = "]") -> str:
    """``prefix[a, b,`` continued under the bracket, lines kept under LINE_WIDTH."""
    indent = " " * len(prefix)
    lines: list[str] = []
    current = prefix
    for index, name in enumerate(names):
        item = name + ("," if index < len(names) - 1 else end)
        candidate = current + ("" if current in (prefix, indent) else " ") + item
        if len(candidate) > LINE_WIDTH and current not in (prefix, indent):
            lines.append(current)
            current = indent + item
        else:
            current = candidate
    if not names:
        current += end
    lines.append(current)
    return "\n".join(lines)


def is_module_name(name: str) -> bool:
    """``codes_model``, ``metamodels.GT_coding``: identifiers joined by dots, no keyword.

    The names go into the generated module's import lines, so anything else (a
    space, ``;``, a newline) could put code there.
    """
    parts = name.split(".")
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in parts)


def _import(module: str, names: Iterable[str]) -> str:
    names = sorted(set(names))
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_WIDTH:
        return line
    return _wrapped(f"from {module} import (", names, ")")


def render_model(
    entries: Iterable[SourceEntry],
    codes_module: str | None = None,
    metamodel_module: str = DEFAULT_METAMODEL_MODULE,
    definitions: Iterable[CodeDefinition] = (),
    vocabulary: Vocabulary | None = None,
    unevidenced: Iterable[str] = (),
) -> str:
    """The ``sources_and_codes_model.py`` text for ``entries`` (stable, valid Python).

    ``definitions`` are the codes it defines itself (:func:`code_definitions`);
    ``codes_module`` is imported with ``*`` for the others. ``unevidenced`` are
    decisions of the codes module that have options but that no field notes apply:
    the study's overview table divides by a decision's evidence count, so the module
    deletes them, with a comment. A module name that is not a dotted name raises
    ``ValueError`` (the names go into import lines).
    """
    for module in (codes_module, metamodel_module):
        if module is not None and not is_module_name(module):
            raise ValueError(f"not a dotted module name: {module!r}")
    entries = list(entries)
    definitions = list(definitions)
    modules = dict(default_metaclasses(metamodel_module))
    if vocabulary is not None:
        modules.update(vocabulary.metaclasses)
    modules.update(dict.fromkeys(("code", "source"), metamodel_module))
    setup = [*SUPERCLASS_SETUP]
    setup += sorted({d.metaclass for d in definitions} - COVERED)
    used = {"code", "source", *setup, *(d.metaclass for d in definitions)}
    by_module: dict[str, list[str]] = {}
    for name in sorted(used):
        module = modules.get(name, GUIDANCE_MODULE)
        if name == "design_solution_dependencies":
            module = GUIDANCE_MODULE
        by_module.setdefault(module, []).append(name)
    out = [
        '"""Sources of the study and the codes their field notes apply to them.',
        "",
        "Generated by `jupyter-coding export codeable-models` from the field notes: do not",
        "edit, regenerate it.",
        '"""',
        "",
    ]
    if codes_module:
        out.append(f"from {codes_module} import *  # noqa: F403 (the study's codes)")
    out.append("from codeable_models import CClass, add_links")
    for module in sorted(by_module):
        out.append(_import(module, by_module[module]))
    out += [
        "",
        "# a source contains codes (GT_coding: code -> source): make the metaclasses of the",
        "# codes kinds of code, as the study's own sources_and_codes_model.py does",
        _wrapped("for metaclass in [", setup) + ":",
        "    if code not in metaclass.superclasses:",
        "        metaclass.superclasses = metaclass.superclasses + [code]",
    ]
    reserved = {"CClass", "add_links", "metaclass", *used}
    reserved |= {entry.source for entry in entries}
    reserved |= {f"{entry.source}_codes" for entry in entries}
    defined = [d for d in definitions if d.identifier not in reserved]
    if defined:
        out += ["", "# ### Codes ###"]
        if codes_module:
            out.append("# the codes the field notes apply that the study's codes module does not")
            out.append(f"# define ({codes_module}),")
        else:
            out.append("# every code the field notes apply,")
        out.append("# with metaclass and label from its first definition in coding order")
        for group in _groups(defined):
            out.append("")
            out.append(group[0])
            for definition in group[1]:
                out.append(
                    f"{definition.identifier} = CClass({definition.metaclass}, "
                    f"{_literal(definition.label)})  # {definition.site}"
                )
                if definition.note:
                    out[-1] += f" ({definition.note})"
    unevidenced = list(unevidenced)
    if unevidenced:
        out += [
            "",
            "# ### Decisions no field notes apply ###",
            f"# {codes_module} gives these decisions options, but no source's notes apply",
            "# them: the study's overview table divides by a decision's evidence count, so they",
            "# are left out (check --model reports the links the study's model has, JC901)",
        ]
        out += [f"{name}.delete()" for name in unevidenced]
    out += ["", "# ### Sources ###"]
    for entry in entries:
        out.append("")
        out.append(_source_definition(entry))
        for name in entry.not_identifiers:
            out.append(f"# applied but not a Python name, left out: {json.dumps(name)}")
        codes = []
        for name in entry.codes:
            if name in reserved:
                out.append(f"# applied but the name of the model's own {name!r}, left out")
            else:
                codes.append(name)
        out.append(_wrapped(f"{entry.source}_codes = [", codes))
        out.append(
            f'add_links({{{entry.source}: {entry.source}_codes}}, role_name="{CONTAINED_CODE}")'
        )
    return "\n".join(out) + "\n"


def _groups(definitions: list[CodeDefinition]) -> list[tuple[str, list[CodeDefinition]]]:
    """Definitions by metaclass, in the paper's order, codes defined nowhere last."""
    from ..tables import PAPER_METACLASSES

    order: dict[str, list[CodeDefinition]] = {}
    for definition in definitions:
        key = "" if definition.metaclass == "code" else definition.metaclass
        order.setdefault(key, []).append(definition)
    keys = [name for name in PAPER_METACLASSES if name in order]
    keys += sorted(name for name in order if name not in keys and name)
    groups = [(f"# {name}", order[name]) for name in keys]
    if "" in order:
        groups.append(
            ("# applied but defined nowhere in the field notes (JC101): plain codes", order[""])
        )
    return groups


def _source_definition(entry: SourceEntry) -> str:
    """``sN = CClass(source, "sN", values={...})``, a comment where a value is left out."""
    literals = dict(entry.values)
    left_out = {key: (value, why) for key, value, why in entry.left_out}
    lines: list[str] = []
    for _, key in SOURCE_VALUE_ORDER:
        if key in literals:
            lines.append(f"    {json.dumps(key)}: {literals[key]},")
        elif key in left_out:
            value, why = left_out[key]
            shown = json.dumps(value, ensure_ascii=False)
            lines.append(f"    # {json.dumps(key)}: {shown} left out: {why}")
    head = f'{entry.source} = CClass(source, "{entry.source}", values={{'
    if lines and lines[-1].endswith(","):
        # the study's layout: the last value closes the dictionary on its line
        return head + "\n" + "\n".join(lines)[:-1] + "})"
    return head + "\n" + "\n".join(lines) + "\n})"


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
    folder above it (:func:`~jupyter_coding.vocabulary.find_module`), and read with
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
    from ..fieldnotes import parse

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
