"""``check --fix``: the findings that have one unambiguous repair, as a diff first.

A rule attaches a :class:`~jupyter_coding.study.findings.Fix` to a finding only when the
study itself says what the repair is: a header value the rest of the evidence
contradicts, set to its CClass's (or the other way round); an undefined identifier
one typo away from the defined code it clearly means; an ``add codes to`` label
naming another source; a misspelt url scheme. :func:`plan_fixes` turns the fixes
into the smallest text edits, the same way ``rename`` does
(:func:`jupyter_coding.study.refactor.rewrite_notes` for codes in traces), and returns a
:class:`~jupyter_coding.study.refactor.Refactoring`: its diff is what ``--fix`` prints,
its ``write()`` is ``--fix --write`` (atomic, refusing a file changed since).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from jupyter_coding.common.files import sha256
from jupyter_coding.fieldnotes import parse, read_text
from jupyter_coding.fieldnotes.canonical import source_value_literal
from jupyter_coding.fieldnotes.lines import FieldNotesError, split_lines
from jupyter_coding.study.findings import Finding, Fix
from jupyter_coding.study.refactor import FileChange, Refactoring, rewrite_notes

__all__ = ["FixPlan", "cclass_value_line", "header_value_text", "plan_fixes", "text_digest"]


def text_digest(text: str) -> str:
    """The digest a fix keeps of the text it was made from."""
    return sha256(text.encode("utf-8"))


class FixPlan(Refactoring):
    """The fixes' changes, and the fixes left out (with why)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.applied: list[Finding] = []
        self.skipped: list[tuple[Finding, str]] = []


def plan_fixes(findings: Iterable[Finding]) -> FixPlan:
    """The edits that fix the findings that have a fix, file by file.

    A file that changed since it was checked is left out (its findings are in
    ``skipped``), as is a fix whose lines no longer read as they did, or that
    disagrees with another fix of the same file (two renames of one code).
    """
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.fix is not None:
            by_path[finding.fix.path].append(finding)
    plan = FixPlan("fix the findings that have one repair")
    for path in sorted(by_path):
        _plan_file(plan, path, by_path[path])
    return plan


def _plan_file(plan: FixPlan, path: str, findings: list[Finding]) -> None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        text = read_text(path)
    except (OSError, FieldNotesError) as error:
        plan.skipped += [(finding, str(error)) for finding in findings]
        return
    changed = [f for f in findings if f.fix.digest != text_digest(text)]
    if changed:
        why = "the file changed since it was checked; check it again"
        plan.skipped += [(finding, why) for finding in findings]
        return
    lines = split_lines(text)
    renames: dict[str, str] = {}
    doubtful = {
        old
        for finding in findings
        for old, new in finding.fix.renames
        if any(o == old and n != new for f in findings for o, n in f.fix.renames)
    }
    edited: dict[int, str] = {}
    for finding in _unique(findings):
        fix = finding.fix
        problem = _line_problem(fix, lines, edited)
        if problem is None and any(old in doubtful for old, _ in fix.renames):
            problem = "another fix renames the same code otherwise"
        if problem is not None:
            plan.skipped.append((finding, problem))
            continue
        for line, _, after in fix.lines:
            edited[line] = after
        renames.update(fix.renames)
        plan.applied.append(finding)
    for line, after in edited.items():
        old = lines[line - 1]
        ending = old[len(old.rstrip("\r\n")) :]
        lines[line - 1] = after + ending
    after_text = "".join(lines)
    if renames:
        after_text = rewrite_notes(parse(after_text, path), renames)
    if after_text != text:
        plan.changes.append(FileChange(path, text, after_text, sha256(data)))


def _unique(findings: list[Finding]) -> list[Finding]:
    """One finding per distinct fix (several findings may share one repair)."""
    seen: set[tuple] = set()
    unique = []
    for finding in sorted(findings):
        key = (finding.fix.lines, finding.fix.renames)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _line_problem(fix: Fix, lines: list[str], edited: dict[int, str]) -> str | None:
    for line, before, after in fix.lines:
        if not 0 < line <= len(lines):
            return f"line {line} is not in the file"
        if lines[line - 1].rstrip("\r\n") != before:
            return f"line {line} no longer reads {before!r}"
        if line in edited and edited[line] != after:
            return f"another fix changes line {line} otherwise"
    return None


# -- building the lines of metadata fixes ------------------------------------------------

# ``    "key": `` at the start of a CClass values line
_CCLASS_KEY = re.compile(r"""\s*(["'])([^"']+)\1\s*:\s*""")
_LITERAL = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|True|False|None""")


def cclass_value_line(raw: str, key: str, field_name: str, value: str) -> str | None:
    """The CClass line ``"key": old,`` with ``value`` (a header value) in place of ``old``,
    or None when the line is not one key and one literal."""
    match = _CCLASS_KEY.match(raw)
    if match is None or match.group(2) != key:
        return None
    # what follows the value: a comma or the closing ``})``, and spaces
    rest = raw[match.end() :]
    end = len(rest.rstrip())
    for closing in ("})", "}", ","):
        if rest[:end].endswith(closing):
            end -= len(closing)
            break
    end = len(rest[:end].rstrip())
    if not _LITERAL.fullmatch(rest[:end]):
        return None
    literal = source_value_literal(field_name, value)
    return raw[: match.end()] + literal + rest[end:]


def header_value_text(value: object) -> str:
    """A CClass value as a header writes it (``True`` -> ``yes``)."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
