"""The study's vocabulary: source types, author types, yes/no fields and metaclasses.

A study that builds its model with CodeableModels has a metamodel (``GT_coding.py``
in the study this package was measured on) that fixes what a source's values may
be: ``CEnum("Source Type", values=[...])``, ``CEnum("Author Type", ...)``, ``bool``
for ``example`` and ``source code``. CodeableModels refuses anything else when the
model runs (``value 'Interview' is not element of enumeration``), so that metamodel
is the vocabulary ``check`` and the exports use. It is read with :mod:`ast`, never
imported, and found

1. where ``[tool.jupyter-coding] metamodel = "path"`` says (relative to that
   ``pyproject.toml``), else
2. the way a study repository lays it out: ``metamodels/GT_coding.py`` (the path of
   the metamodel module, ``metamodels.GT_coding`` unless told otherwise) in the
   folder of the field notes or a folder above it (the study keeps its notes in
   ``<study>/field_notes_open_coding_axial_coding/`` and its metamodel in
   ``<study>/metamodels/``).

Without a metamodel the lists of ``[tool.jupyter-coding]`` (``source-types``,
``author-types``, ``metaclasses``) are the vocabulary, and without those the
defaults of :mod:`jupyter_coding.study.checks`.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_coding.fieldnotes import FieldNotesError, read_text

__all__ = [
    "DEFAULT_METAMODEL_MODULE",
    "GUIDANCE_METACLASSES",
    "Metamodel",
    "Vocabulary",
    "default_metaclasses",
    "find_metamodel",
    "find_module",
    "module_file",
    "read_metamodel",
    "study_vocabulary",
    "yes_no_value",
]

DEFAULT_METAMODEL_MODULE = "metamodels.GT_coding"
# the CodeableModels guidance metamodel (metamodels/guidance_metamodel.py, shipped with
# the library): the metaclasses a grounded-theory study's codes are made of
GUIDANCE_MODULE = "metamodels.guidance_metamodel"
GUIDANCE_METACLASSES = (
    "decision",
    "force",
    "practice",
    "pattern",
    "design_solution",
    "category",
    "known_use",
    "model_element",
    "do_nothing_design_solution",
)
# the source's CClass keys whose values have a vocabulary, and the header fields they hold
TYPED_KEYS = {"type": "source type", "author type": "author type"}
_YES_NO = {"yes": True, "true": True, "no": False, "false": False}


# the role name of the links from a source to the codes it contains (GT_coding.py)
CONTAINED_CODE = "contained_code"
YES_NO_KEYS = ("example", "source code")


def yes_no_value(text: str | None) -> bool | None:
    """A header's yes/no as a boolean (``True``/``False`` too); None for anything else."""
    return _YES_NO.get((text or "").strip().lower())


@dataclass(frozen=True)
class Vocabulary:
    """What a source's typed values may be, and where that was read.

    ``source_types``/``author_types`` are None when any text is allowed (the
    metamodel types the attribute as ``str``). ``yes_no`` are the keys typed
    ``bool``. ``metaclasses`` maps a metaclass's Python name to the module it is
    imported from. ``origin`` is the metamodel or ``pyproject.toml`` it comes from
    (None for the defaults); ``enumerations`` names the metamodel's enumeration of
    each typed key (``"type"`` -> ``"Source Type"``), for messages.
    """

    source_types: tuple[str, ...] | None
    author_types: tuple[str, ...] | None
    yes_no: tuple[str, ...] = ("example", "source code")
    metaclasses: dict[str, str] = field(default_factory=dict)
    origin: str | None = None
    from_metamodel: bool = False
    enumerations: dict[str, str] = field(default_factory=dict)
    keys: tuple[str, ...] | None = None  # the source's attributes, when a metamodel says

    def allowed(self, key: str) -> tuple[str, ...] | None:
        """The values a source's CClass key may take (None: any text)."""
        return {"type": self.source_types, "author type": self.author_types}.get(key)

    def where(self, key: str) -> str:
        """Where the vocabulary of ``key`` is written, for messages."""
        if self.from_metamodel and self.origin:
            name = self.enumerations.get(key)
            what = f"the {name} enumeration" if name else "the metamodel"
            return f"{what} of {Path(self.origin).name}"
        if self.origin:
            return f"[tool.jupyter-coding] of {self.origin}"
        return "the default vocabulary"

    def refusal(self, key: str, value: object, listing: bool = True) -> str | None:
        """Why CodeableModels would refuse ``value`` for ``key`` (None when it takes it).

        With ``listing`` the reason lists the values allowed.
        """
        if self.keys is not None and key not in self.keys:
            return f"not an attribute of the source metaclass in {Path(self.origin or '').name}"
        if key in self.yes_no:
            return None if isinstance(value, bool) else "not True or False"
        if not isinstance(value, str):
            return "not text"
        allowed = self.allowed(key)
        if allowed is not None and value not in allowed:
            listed = f" ({', '.join(allowed)})" if listing else ""
            return f"not in {self.where(key)}{listed}"
        return None


def default_metaclasses(metamodel_module: str = DEFAULT_METAMODEL_MODULE) -> dict[str, str]:
    """Metaclass -> module for a study without a metamodel file: CodeableModels' own."""
    metaclasses = dict.fromkeys(GUIDANCE_METACLASSES, GUIDANCE_MODULE)
    metaclasses["domain_metaclass"] = "metamodels.domain_metamodel"
    metaclasses.update(dict.fromkeys(("code", "source", "reference"), metamodel_module))
    return metaclasses


@dataclass(frozen=True)
class Metamodel:
    """What a metamodel file says, read with :mod:`ast`."""

    path: str
    enumerations: dict[str, tuple[str, tuple[str, ...]]]  # variable -> (name, values)
    # the source metaclass's attributes (inherited ones included): key -> type name,
    # the variable of an enumeration, or "bool"/"str"
    source_attributes: dict[str, str]
    metaclasses: tuple[str, ...]  # variables bound to CMetaclass(...)

    def vocabulary(self, module: str = DEFAULT_METAMODEL_MODULE) -> Vocabulary:
        """The vocabulary this metamodel fixes (its metaclasses imported from ``module``)."""

        def values(key: str) -> tuple[str, ...] | None:
            kind = self.source_attributes.get(key)
            return self.enumerations[kind][1] if kind in self.enumerations else None

        metaclasses = default_metaclasses(module)
        metaclasses.update(dict.fromkeys(self.metaclasses, module))
        return Vocabulary(
            values("type"),
            values("author type"),
            tuple(key for key, kind in self.source_attributes.items() if kind == "bool"),
            metaclasses,
            self.path,
            True,
            {
                key: self.enumerations[kind][0]
                for key, kind in self.source_attributes.items()
                if kind in self.enumerations
            },
            tuple(self.source_attributes),
        )


def _call_name(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _keyword(call: ast.Call, name: str, position: int | None = None) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _strings(node: ast.AST | None) -> tuple[str, ...]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(
            item.value
            for item in node.elts
            if isinstance(item, ast.Constant) and isinstance(item.value, str)
        )
    return ()


def _names(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [item.id for item in node.elts if isinstance(item, ast.Name)]
    return []


def read_metamodel(path: str | os.PathLike) -> Metamodel:
    """Read a CodeableModels metamodel file with :mod:`ast` (never run).

    Finds ``X = CEnum("Name", values=[...])`` and ``Y = CMetaclass("Name",
    superclasses=..., attributes={...})``; the source metaclass is the one bound to
    ``source``. A file that does not parse is a :class:`FieldNotesError` naming it.
    """
    text = read_text(path)
    try:
        tree = ast.parse(text, filename=os.fspath(path))
    except SyntaxError as error:
        raise FieldNotesError(f"not valid Python: {error.msg}", path, error.lineno) from None
    enumerations: dict[str, tuple[str, tuple[str, ...]]] = {}
    attributes: dict[str, dict[str, str]] = {}
    superclasses: dict[str, list[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
            continue
        targets = [target.id for target in node.targets if isinstance(target, ast.Name)]
        call = node.value
        kind = _call_name(call)
        name = call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) else ""
        for target in targets:
            if kind == "CEnum":
                enumerations[target] = (str(name), _strings(_keyword(call, "values", 1)))
            elif kind == "CMetaclass":
                found = {}
                table = _keyword(call, "attributes")
                if isinstance(table, ast.Dict):
                    for key, value in zip(table.keys, table.values, strict=True):
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            found[key.value] = value.id if isinstance(value, ast.Name) else ""
                attributes[target] = found
                superclasses[target] = _names(_keyword(call, "superclasses"))

    def inherited(metaclass: str, seen: frozenset = frozenset()) -> dict[str, str]:
        result: dict[str, str] = {}
        for parent in superclasses.get(metaclass, ()):
            if parent not in seen:
                result.update(inherited(parent, seen | {metaclass}))
        result.update(attributes.get(metaclass, {}))
        return result

    return Metamodel(os.fspath(path), enumerations, inherited("source"), tuple(attributes))


def module_file(module: str, folder: str | os.PathLike) -> Path | None:
    """The file of dotted ``module`` under ``folder`` (``a/b.py`` or ``a/b/__init__.py``)."""
    parts = module.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    base = Path(folder).joinpath(*parts)
    for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _folders(starts: Iterable[str | os.PathLike], upwards: bool) -> list[Path]:
    found: list[Path] = []
    for start in starts:
        path = Path(start).resolve()
        folder = path if path.is_dir() else path.parent
        for candidate in (folder, *folder.parents) if upwards else (folder,):
            if candidate not in found:
                found.append(candidate)
    return found


def find_module(
    module: str, starts: Iterable[str | os.PathLike], upwards: bool = True
) -> Path | None:
    """The file of ``module`` as Python would import it from one of the ``starts``.

    Each start (a folder, or a file's folder) is tried in turn, and with ``upwards``
    the folders above it: the first folder that holds the module's path wins.
    """
    for folder in _folders(starts, upwards):
        found = module_file(module, folder)
        if found is not None:
            return found
    return None


def find_metamodel(
    starts: Iterable[str | os.PathLike], module: str = DEFAULT_METAMODEL_MODULE
) -> Path | None:
    """The study's metamodel, found the way a study repository lays it out.

    ``metamodels/GT_coding.py`` (the path of ``module``) in the folder of one of
    the ``starts`` (field notes, a model module) or in a folder above it.
    """
    return find_module(module, starts, upwards=True)


def study_vocabulary(
    starts: Iterable[str | os.PathLike],
    fallback: Vocabulary,
    metamodel: str | os.PathLike | None = None,
    module: str = DEFAULT_METAMODEL_MODULE,
) -> Vocabulary:
    """The vocabulary of the study the ``starts`` belong to.

    ``metamodel`` (a file, from ``[tool.jupyter-coding] metamodel`` or an option)
    first, else the metamodel found by :func:`find_metamodel`, else ``fallback``
    (the configured lists, or the defaults). A named metamodel that is missing is a
    :class:`FieldNotesError`.
    """
    if metamodel is not None:
        if not Path(metamodel).is_file():
            raise FieldNotesError("the study's metamodel is not there", metamodel, 1)
        return read_metamodel(metamodel).vocabulary(module)
    found = find_metamodel(starts, module)
    return read_metamodel(found).vocabulary(module) if found is not None else fallback


def typed_value(key: str, value: str, vocabulary: Vocabulary | None = None) -> object:
    """A header value as the model holds it: True/False for yes/no, else the text.

    None when the model cannot hold it: a yes/no that is neither yes nor no (empty
    in ``s_5.md``).
    """
    yes_no = vocabulary.yes_no if vocabulary is not None else YES_NO_KEYS
    return yes_no_value(value) if key in yes_no else value
