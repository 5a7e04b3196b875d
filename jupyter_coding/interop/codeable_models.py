"""CodeableModels: the sources-and-codes module of a study, written from the field notes.

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
- values are typed as the study's metamodel wants (:mod:`jupyter_coding.study.vocabulary`):
  yes/no as ``True``/``False``, enumerations only with their own values. A value the
  metamodel refuses (an empty yes/no, ``"Interview"`` where the Source Type
  enumeration has no such value) is left out with a comment saying why: the model
  then runs, and ``check`` reports the value (JC302), for the researcher to fix the
  notes or the metamodel; an export that guessed another value would hide it.

Comparing an existing module with the notes (``check --model``) is study analysis:
:mod:`jupyter_coding.study.model_check`.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Iterable
from dataclasses import dataclass, field

from jupyter_coding.fieldnotes import FieldNotes
from jupyter_coding.fieldnotes.canonical import SOURCE_VALUE_ORDER
from jupyter_coding.fieldnotes.reading import applied_to_source
from jupyter_coding.interop.common import display_paths
from jupyter_coding.study.sources import sources_to_export
from jupyter_coding.study.tables import PaperCode, is_python_name
from jupyter_coding.study.vocabulary import (
    CONTAINED_CODE,
    DEFAULT_METAMODEL_MODULE,
    Vocabulary,
    default_metaclasses,
    typed_value,
)

__all__ = [
    "CodeDefinition",
    "SourceEntry",
    "code_definitions",
    "render_model",
    "source_entries",
]

LINE_WIDTH = 100

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

    In the order of :func:`~jupyter_coding.study.tables.paper_codes` (the force table's
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
    from jupyter_coding.study.tables import PAPER_METACLASSES

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
