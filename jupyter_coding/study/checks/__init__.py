"""Study-wide checks: a linter for the research record kept in field notes.

Each rule has a stable id (``JC101``), a short kebab-case name and a one-line
docstring that says what it finds, and a severity (error, warning, info). *File*
rules look at one parsed file; *source* rules at each file's metadata beside the
whole study's (:mod:`jupyter_coding.study.source_metadata`); *study* rules at what all
files say together (the :class:`~jupyter_coding.study.codebook.Codebook` and a few facts
per file); *trace* rules at each trace's memo against what it applies.
:func:`check_paths` reads every file once, runs the file rules on it and keeps only
those facts, so a study of thousands of files fits in memory. Templates (the empty
``s_.md`` and template traces) are skipped. A finding with one unambiguous repair
carries it as a :class:`~jupyter_coding.study.findings.Fix` (see :mod:`jupyter_coding.study.fixes`).

Configuration comes from ``[tool.jupyter-coding]`` in the nearest ``pyproject.toml``
above the checked paths (see :class:`CheckConfig`).
"""

from __future__ import annotations

import importlib
import pkgutil

from jupyter_coding.study.checks.codes import near_duplicates
from jupyter_coding.study.checks.config import CheckConfig, ConfigError, find_pyproject
from jupyter_coding.study.checks.facts import FileFacts
from jupyter_coding.study.checks.registry import RULES, Rule
from jupyter_coding.study.checks.run import (
    check_codebook,
    check_notes,
    check_paths,
    check_traces,
    rule_markdown,
    rule_table,
)

# every other module of the package is a rule family: importing it registers its rules,
# so a new rule is one new file here (``registry.rule`` on a function)
_MACHINERY = {"config", "facts", "registry", "run"}
RULE_FAMILIES = tuple(
    sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name not in _MACHINERY)
)
for _family in RULE_FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")

__all__ = [
    "RULES",
    "RULE_FAMILIES",
    "CheckConfig",
    "ConfigError",
    "FileFacts",
    "Rule",
    "check_codebook",
    "check_notes",
    "check_paths",
    "check_traces",
    "find_pyproject",
    "near_duplicates",
    "rule_markdown",
    "rule_table",
]
