"""JC201, JC202: an open trace's memo against what its axial trace applies (any memo style)."""

from __future__ import annotations

from collections.abc import Iterator

from jupyter_coding.fieldnotes.dialect import LABELS
from jupyter_coding.fieldnotes.reading import (
    CodeNames,
    MemoComparison,
    MemoItem,
    TraceSummary,
    compare_memo,
)
from jupyter_coding.study.checks.facts import (
    FileFacts,
    StudyContext,
)
from jupyter_coding.study.checks.registry import (
    coded,
    example,
    new_finding,
    rule,
    source_file,
)
from jupyter_coding.study.findings import Finding


def _memo_comparisons(
    study: StudyContext,
) -> Iterator[tuple[FileFacts, TraceSummary, MemoComparison]]:
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


# a memo of labels naming a code the study defines (in s2) that the trace does not apply
LABELS_MEMO_NAMES_MORE = """\
> One golden record for every customer.

**OPEN CODING TRACE:**

Master Data Management
Schema Registry

**AXIAL CODING TRACE:**
added:
``` python
    mdm = CClass(practice, "Master Data Management")
```
"""
# a memo of labels leaving out a code the trace applies
LABELS_MEMO_NAMES_LESS = """\
> One golden record, and a schema for every topic.

**OPEN CODING TRACE:**

Master Data Management

**AXIAL CODING TRACE:**
added:
``` python
    mdm = CClass(practice, "Master Data Management")
    schema_registry = CClass(practice, "Schema Registry")
```
"""
LABELS_DEFINES_SCHEMA_REGISTRY = """\
> Every topic has a schema.

**OPEN CODING TRACE:**

Schema Registry

**AXIAL CODING TRACE:**
added:
``` python
    schema_registry = CClass(practice, "Schema Registry")
```
"""


@rule(
    "JC201",
    "memo-not-in-axial",
    "trace",
    examples=(
        example(
            # trunk is the study's code (from s2), but this trace does not apply it
            coded(
                "s1",
                "Familiar option: ci_cd, trunk",
                ('ci_cd = CClass(practice, "CI/CD")',),
                ("ci_cd",),
            ),
            coded("s2", "New option: trunk", ('trunk = CClass(practice, "Trunk")',), ("trunk",)),
        ),
        example(
            source_file("s1", LABELS_MEMO_NAMES_MORE, dialect=LABELS),
            source_file("s2", LABELS_DEFINES_SCHEMA_REGISTRY, dialect=LABELS),
        ),
    ),
)
def _memo_not_in_axial(study: StudyContext) -> Iterator[Finding]:
    """An open trace's memo names codes its axial trace does not apply or relate (or no code).

    In any memo style: option lists, identifier lines, labels one a line.
    """
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
        yield new_finding(
            "JC201",
            facts.path,
            first.line,
            facts.column(first.line, first.text),
            "; ".join(parts),
        )


@rule(
    "JC202",
    "attached-not-in-memo",
    "trace",
    examples=(
        example(
            coded(
                "s1",
                "Familiar option: ci_cd",
                ('ci_cd = CClass(practice, "CI/CD")', 'trunk = CClass(practice, "Trunk")'),
                ("ci_cd", "trunk"),
            ),
        ),
        # in the labels dialect: the memo's one label names mdm, not schema_registry
        example(source_file("s1", LABELS_MEMO_NAMES_LESS, dialect=LABELS)),
    ),
)
def _attached_not_in_memo(study: StudyContext) -> Iterator[Finding]:
    """A trace applies codes that its memo, which lists codes, does not name.

    A memo that lists codes: option lists by identifier, identifier lines, labels.
    """
    for facts, trace, comparison in _memo_comparisons(study):
        if not comparison.unnamed:
            continue
        first = comparison.unnamed[0]
        how = "attaches" if all(a.how == "attached" for a in comparison.unnamed) else "applies"
        yield new_finding(
            "JC202",
            facts.path,
            first.line,
            facts.column(first.line, first.identifier),
            f"{how} {', '.join(a.identifier for a in comparison.unnamed)}, which the memo "
            f"(line {trace.open_line}) does not name",
        )
