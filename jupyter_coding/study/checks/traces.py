"""JC203–JC207: the shape of coding traces (open without axial, empty traces,
add-codes targets, repeats in a block, conflicting relations).

The memo rules JC201 and JC202 are :mod:`.memos`' family.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterator

from jupyter_coding.fieldnotes import (
    FieldNotes,
    OpenTrace,
)
from jupyter_coding.fieldnotes.model import Blank
from jupyter_coding.study.checks.facts import (
    FileContext,
    StudyContext,
    label_key,
    shown_value,
    site_of,
)
from jupyter_coding.study.checks.registry import (
    coded,
    example,
    finding_at,
    new_finding,
    rule,
    seed_trace,
    source_file,
)
from jupyter_coding.study.findings import Finding
from jupyter_coding.study.sources import coding_order


@rule(
    "JC203",
    "open-without-axial",
    "file",
    examples=(
        example(source_file("s1", seed_trace("q", "Familiar option: ci_cd") + "> another quote\n")),
    ),
)
def _open_without_axial(file: FileContext) -> Iterator[Finding]:
    """An open coding trace with a memo and no axial coding trace after it (or an empty one)."""
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
        yield new_finding("JC203", file.path, open_trace.line, 1, what + detail)


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


@rule("JC205", "empty-trace", "file", examples=(example(coded("s1", "TODO")),))
def _empty_trace(file: FileContext) -> Iterator[Finding]:
    """An empty or placeholder coding trace: a marker with nothing, or a stand-in, under it.

    A marker alone before a quote, open and axial markers with nothing under them, a
    memo that is only ``TODO``.
    """
    following = _next_blocks(file.notes)
    for open_trace, axial in file.traces():
        empty_axial = axial is not None and not axial.blocks and not axial.stray_lines
        if open_trace is None:
            if empty_axial:
                yield new_finding(
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
        yield new_finding("JC205", file.path, open_trace.line, 1, what + detail)


def _next_blocks(notes: FieldNotes) -> dict[int, object]:
    """For each block (by id), the next block that is not blank lines."""
    found: dict[int, object] = {}
    blocks = [block for block in notes.blocks if not isinstance(block, Blank)]
    for block, after in itertools.pairwise(blocks):
        found[id(block)] = after
    return found


@rule(
    "JC204",
    "wrong-add-codes-target",
    "file",
    fix="the file's own id",
    examples=(
        example(
            coded(
                "s1", "New option: ci_cd", ('ci_cd = CClass(practice, "CI/CD")',), ("ci_cd",), "s2"
            ),
        ),
    ),
)
def _wrong_target(file: FileContext) -> Iterator[Finding]:
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
        yield new_finding(
            "JC204",
            file.path,
            label_line,
            column,
            f"'{block.label}' {what}; this file is source {source}",
            fix,
        )


@rule(
    "JC207",
    "repeated-in-block",
    "file",
    examples=(
        example(
            coded(
                "s1",
                "New option: ci_cd",
                ('ci_cd = CClass(practice, "CI/CD")',),
                ("ci_cd", "ci_cd"),
            ),
        ),
    ),
)
def _repeated_in_block(file: FileContext) -> Iterator[Finding]:
    """The same code, or the same relation, twice in one python block.

    Defined and named again, listed twice, or one relation stated twice.
    """
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
                    yield new_finding("JC207", file.path, use.line, column, message)
                seen.setdefault(use.identifier, use.line)
        stated: dict[tuple, int] = {}
        for relation in block.relations:
            key = (relation.kind, relation.source, relation.target, label_key(relation.value))
            if key in stated:
                yield new_finding(
                    "JC207",
                    file.path,
                    relation.line,
                    file.column(relation.line, relation.target),
                    f"the relation {relation.source} -> {relation.target} is stated twice in "
                    f"this block (first at line {stated[key]})",
                )
            stated.setdefault(key, relation.line)


_RELATION_WORDS = {
    "force": ("strength", "the force relation"),
    "decision_option": ("label", "the decision option"),
    "decision_link": ("label", "the decision link"),
    "link": ("role", "the link"),
}


@rule(
    "JC206",
    "conflicting-relation",
    "study",
    examples=(
        example(
            source_file(
                "s1",
                seed_trace(
                    "q",
                    "New option: ci_cd",
                    (
                        'ci_cd = CClass(practice, "CI/CD")',
                        'speed = CClass(force, "Speed")',
                        "add_force_relations({ci_cd: {speed: positive}})",
                    ),
                    ("ci_cd", "speed"),
                )
                + seed_trace(
                    "r",
                    "Familiar option: ci_cd",
                    ("add_force_relations({ci_cd: {speed: negative}})",),
                    ("ci_cd", "speed"),
                ),
            ),
        ),
    ),
)
def _conflicting_relation(study: StudyContext) -> Iterator[Finding]:
    """The same relation stated again with another strength or label.

    ``data_access_decision -> rest_apis`` twice in one file, once positive, once negative.
    """
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
            key = label_key(relation.value or "")
            if key == label_key(first.value or "") or key in reported:
                continue
            reported.add(key)
            # the statement it contradicts: one above it in the same file, else the first
            other = next(
                (
                    r
                    for r in reversed(relations[:index])
                    if r.path == relation.path and label_key(r.value or "") != key
                ),
                first,
            )
            where = f"line {other.line}" if other.path == relation.path else site_of(other)
            yield finding_at(
                "JC206",
                study,
                relation,
                source,
                f"{relation_name} {source} -> {target} is stated with the {what} "
                f"{shown_value(relation.value)} here but {shown_value(other.value)} at {where}",
            )
