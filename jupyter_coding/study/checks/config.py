"""Which rules run and the study's vocabulary: ``[tool.jupyter-coding]`` in the
nearest ``pyproject.toml``, ``--select``/``--ignore``, severities.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from jupyter_coding.study.checks.registry import RULES
from jupyter_coding.study.findings import SEVERITIES

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
    is one (:mod:`jupyter_coding.study.vocabulary`: ``metamodel`` here, else found where a
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
        """The study's :class:`~jupyter_coding.study.vocabulary.Vocabulary` for these paths.

        ``module`` is the metamodel's module name (``metamodels.GT_coding``), whose
        path is looked for above the ``starts``.
        """
        from jupyter_coding.study.vocabulary import (
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
