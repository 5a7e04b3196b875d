"""The rule registry: every check is a small registered unit (id, name, scope,
severity, its docstring as its documentation, what ``--fix`` does, and an example
study it finds something in), and the findings it makes.

A rule is one function under :func:`rule` in the module of its family
(``codes``, ``traces``, ``metadata``, ``syntax``, ``coders``). The README's rule table
is :func:`~jupyter_coding.study.checks.run.rule_markdown` of these, and the tests run
every rule on its examples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jupyter_coding.fieldnotes.canonical import render_source_definition
from jupyter_coding.fieldnotes.dialect import SEED, Dialect
from jupyter_coding.fieldnotes.new_source import file_name, render_new_source
from jupyter_coding.study.findings import Finding, Fix


@dataclass(frozen=True)
class Example:
    """A small study (file name and whole text of each file) a rule finds ``finds`` things in.

    The rule's fixture: the tests write it to a folder, check it with every rule on, and
    expect exactly ``finds`` findings of the rule.
    """

    files: tuple[tuple[str, str], ...]
    finds: int = 1


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
    # what ``check --fix`` repairs, in a few words ("" when it repairs nothing)
    fix: str = ""
    examples: tuple[Example, ...] = ()

    @property
    def summary(self) -> str:
        """What the rule finds, in one line (the first sentence of its docstring)."""
        return self.doc.split(". ")[0].rstrip(".").replace("``", "'") + "."

    @property
    def doc(self) -> str:
        """What the rule finds: the first paragraph of its docstring, on one line."""
        paragraph = (self.run.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(line.strip() for line in paragraph.splitlines())


RULES: dict[str, Rule] = {}


def rules() -> list[Rule]:
    """Every registered rule, by id (the order findings come in, whatever the order the
    families were imported in)."""
    return sorted(RULES.values(), key=lambda rule: rule.id)


def rule(
    rule_id: str,
    name: str,
    scope: str,
    severity: str = "warning",
    *,
    fix: str = "",
    examples: tuple[Example, ...] = (),
):
    """Register the decorated function as rule ``rule_id``."""

    def register(function: Callable) -> Callable:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} is registered twice")
        RULES[rule_id] = Rule(rule_id, name, scope, function, severity, fix, examples)
        return function

    return register


def new_finding(
    rule_id: str, path: str, line: int, col: int, message: str, fix: Fix | None = None
) -> Finding:
    """A finding of rule ``rule_id`` (its name and severity from the registry)."""
    rule = RULES[rule_id]
    return Finding(path, line, max(col, 1), rule.id, rule.name, message, rule.severity, fix)


def finding_at(
    rule_id: str, study, site, word: str, message: str, fix: Fix | None = None
) -> Finding:
    """A finding of rule ``rule_id`` at ``site`` (a path and line), in the column of ``word``."""
    return new_finding(
        rule_id, site.path, site.line, study.column(site.path, site.line, word), message, fix
    )


# -- examples ---------------------------------------------------------------------


def example(*files: tuple[str, str], finds: int = 1) -> Example:
    """An example study of the given ``(file name, text)`` files."""
    return Example(tuple(files), finds)


def source_file(
    source_id: str,
    body: str = "",
    *,
    header: dict[str, str] | None = None,
    cclass: dict[str, str] | None = None,
    dialect: Dialect = SEED,
    name: str | None = None,
) -> tuple[str, str]:
    """A whole field-notes file for ``source_id``, with ``body`` after its ``# coding`` line.

    Its header holds a title and urls of its own; ``header`` changes header values,
    ``cclass`` the source definition's values only (a header/CClass disagreement).
    """
    values = {
        "url": f"https://example.org/{source_id}",
        "tiny url": f"https://example.org/t/{source_id}",
        "archive url": f"https://example.org/a/{source_id}",
        "title": f"Source {source_id}",
        "source code": "no",
        "example": "yes",
        "source type": "Practitioner Audience Article",
        "author type": "Practitioner",
        **(header or {}),
    }
    text = render_new_source(source_id, values, dialect)
    if cclass:
        text = text.replace(
            render_source_definition(source_id, values, dialect),
            render_source_definition(source_id, {**values, **cclass}, dialect),
        )
    return (name or file_name(source_id), f"{text}\n{body}")


def seed_trace(
    quote: str,
    memo: str | None = None,
    added: tuple[str, ...] = (),
    attached: tuple[str, ...] | None = None,
    target: str = "s1",
    label: str = "added:",
) -> str:
    """A quote, its open trace (``memo``) and axial trace, in the seed's layout.

    ``added`` are the lines of the python block under ``label`` (``""``: a block
    without a label, whose definitions apply nothing), ``attached`` the ``add codes
    to`` list (none without it).
    """
    text = f"> {quote}\n\n**OPEN CODING TRACE:**\n\n"
    if memo is not None:
        text += f"{memo}\n\n"
    if not added and attached is None:
        return text
    text += "**AXIAL CODING TRACE:**\n\n"
    if added:
        code = "".join(f"    {line}\n" for line in added)
        text += f"{label}\n``` python \n{code}```\n\n" if label else f"``` python \n{code}```\n\n"
    if attached is not None:
        items = ",\n".join(f"        {code}" for code in attached)
        text += f"add codes to {target}: \n``` python \n    '''\n{items}\n    '''\n```\n\n"
    return text


def coded(
    source_id: str,
    memo: str | None = None,
    added=(),
    attached=None,
    target: str | None = None,
    **options,
) -> tuple[str, str]:
    """A file for ``source_id`` holding one trace (see :func:`seed_trace`), its ``add codes
    to`` list aimed at the file's own source unless ``target`` says otherwise."""
    trace = seed_trace("q", memo, added, attached, target=target or source_id, **options)
    return source_file(source_id, trace)
