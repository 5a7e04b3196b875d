"""Renaming and merging codes across a study, as the smallest text edits.

Only the lines of coding traces change: definitions, bare uses, ``'''`` lists,
relation ends and the items of memo code lists (``Familiar option: a, b``).
Identifiers are matched as whole python tokens, so strings (labels), comments,
metaclasses, keyword arguments and stereotypes are never touched, and neither
are quotes, headers or the source definition. Every block that does not change
is written back byte for byte.

:func:`plan_rename` and :func:`plan_merge` read the study and return a
:class:`Refactoring`: its :meth:`~Refactoring.diff` is what ``--dry-run`` prints,
its :meth:`~Refactoring.write` writes the changed files atomically, refusing a
file that changed since it was read.

Why one module: rename and merge are one planner: the same token matching, the same list
and memo edits, and one diff of the smallest edits.
"""

from __future__ import annotations

import difflib
import keyword
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from jupyter_coding.common.files import atomic_write, ensure_writable, find_field_notes, sha256
from jupyter_coding.fieldnotes import (
    AxialTrace,
    FieldNotes,
    OpenTrace,
    PythonBlock,
    parse,
    read_text,
)
from jupyter_coding.fieldnotes.lines import FieldNotesError, cr_line_ends, split_lines
from jupyter_coding.fieldnotes.python_code import RELATION_FUNCTIONS, read_code, token_spans
from jupyter_coding.fieldnotes.reading import memo_items
from jupyter_coding.study.codebook import Definition
from jupyter_coding.study.sources import coding_order

__all__ = ["RefactorError", "Refactoring", "plan_merge", "plan_rename", "unified_diff"]

# names that are part of the notation, never codes
RESERVED = frozenset(
    {
        "CClass",
        "CClas",
        "source",
        "reference",
        "practice",
        "pattern",
        "force",
        "decision",
        "positive",
        "negative",
        "neutral",
        "very_positive",
        "very_negative",
        "uses",
        "True",
        "False",
        "None",
        *RELATION_FUNCTIONS,
    }
)
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
# a line holding one whole definition (and maybe a comment): it can go as a whole
DEFINITION_LINE = re.compile(
    r"[ \t]*[A-Za-z_]\w*[ \t]*=[ \t]*CClas+[ \t]*\([^\n]*\)[ \t,]*(?:#[^\n]*)?"
)
LIST_SEPARATOR = re.compile(r"(,|\band\b)")  # of memo list items: ``a, b and c``
CODES_LINE = re.compile(r"[ \t\w,]*")  # a line of a block listing codes: ``quality, quality``


class RefactorError(FieldNotesError):
    """A rename or merge that is refused: one line, naming the file and line when known."""

    def __str__(self) -> str:
        return super().__str__() if self.path is not None else self.message


@dataclass(frozen=True)
class FileChange:
    """One file's text before and after."""

    path: str
    before: str
    after: str
    digest: str  # sha256 of the bytes read: the file must still have them when written

    def diff(self) -> str:
        return unified_diff(self.before, self.after, self.path)


@dataclass
class Refactoring:
    """The changes a rename or merge makes, and what to tell the researcher."""

    description: str
    changes: list[FileChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed_lines(self) -> int:
        """Lines changed, removed or added, over all files."""
        total = 0
        for change in self.changes:
            old, new = split_lines(change.before), split_lines(change.after)
            matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag != "equal":
                    total += max(i2 - i1, j2 - j1)
        return total

    def diff(self) -> str:
        """The unified diff of every changed file (what ``--dry-run`` prints)."""
        return "".join(change.diff() for change in self.changes)

    def write(self) -> None:
        """Write every changed file atomically; refuse if any changed since it was read
        or is read-only (before writing any)."""
        for change in self.changes:
            ensure_writable(change.path)
            with open(change.path, "rb") as handle:
                if sha256(handle.read()) != change.digest:
                    raise RefactorError(
                        "the file changed since it was read; run the command again", change.path
                    )
        for change in self.changes:
            atomic_write(change.path, change.after.encode("utf-8"))


def unified_diff(before: str, after: str, path: str, context: int = 3) -> str:
    """A unified diff like git's, with its marker for a missing final newline.

    Blank lines are compared like any other (difflib's ``unified_diff`` treats
    lines that are frequent in long files as junk and shows unchanged blank lines
    as changed).
    """
    old, new = split_lines(before), split_lines(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out: list[str] = []
    for group in matcher.get_grouped_opcodes(context):
        if not out:
            out += [f"--- a/{path}\n", f"+++ b/{path}\n"]
        first, last = group[0], group[-1]
        out.append(f"@@ -{_span(first[1], last[2])} +{_span(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in old[i1:i2]]
                continue
            out += ["-" + line for line in old[i1:i2]]
            out += ["+" + line for line in new[j1:j2]]
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out
    )


def _span(start: int, stop: int) -> str:
    """``start,length`` of a hunk, 1-based, as ``diff -u`` writes it."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


# -- rewriting one file ----------------------------------------------------------


def _renamed_code(code: str, mapping: dict[str, str]) -> str:
    """``code`` with every code token in ``mapping`` replaced (multi-word names too).

    Names of functions and methods, keyword arguments (name and value) and the
    metaclass of a definition are not codes and stay; so do strings and comments.
    """
    spans = [span for span in token_spans(code) if span[0] not in ("ws", "comment")]

    def text(index: int) -> str:
        if 0 <= index < len(spans):
            return code[spans[index][1] : spans[index][2]]
        return "\n"

    multi_word = {tuple(name.split()): new for name, new in mapping.items() if " " in name}
    edits: list[tuple[int, int, str]] = []
    depth = 0  # brackets open: inside them ``name=`` is a keyword argument
    index = 0
    while index < len(spans):
        kind, start, end = spans[index]
        word = code[start:end]
        index += 1
        if kind == "tq":
            depth = 0  # a triple-quoted list starts or ends: its lines are statements
        elif kind == "op" and word in "([{":
            depth += 1
        elif kind == "op" and word in ")]}":
            depth = max(depth - 1, 0)
        if kind != "ident":
            continue
        before, after = text(index - 2), text(index)
        if after == "=" and text(index + 1).startswith("CClas"):
            depth = 0  # a definition starts a statement, whatever an error left open
        elif (
            after in ("(", "{")  # a call: add_force_relations(, CClass(
            or before == "."  # a method: register_datasets.add_links
            or (depth and "=" in (before, after))  # a keyword argument and its value
            or (before == "(" and text(index - 3).startswith("CClas"))  # a metaclass
        ):
            continue
        if multi_word:
            words, last = [word], index - 1
            matched = False
            while last + 1 < len(spans) and spans[last + 1][0] == "ident":
                last += 1
                words.append(text(last))
                if tuple(words) in multi_word:
                    edits.append((start, spans[last][2], multi_word[tuple(words)]))
                    index = last + 1
                    matched = True
                    break
            if matched:
                continue
        if word in mapping:
            edits.append((start, end, mapping[word]))
    for start, end, replacement in reversed(edits):
        code = code[:start] + replacement + code[end:]
    return code


def _rename_items(segment: str, mapping: dict[str, str]) -> str:
    """Rename the items of a memo list segment (``a, b and c``) that are exactly a code.

    Words inside prose items (``data quality``) are not codes and stay.
    """
    pieces = LIST_SEPARATOR.split(segment)
    for index, piece in enumerate(pieces):
        item = piece.strip().rstrip(".").strip()
        if item in mapping:
            pieces[index] = piece.replace(item, mapping[item], 1)
    return "".join(pieces)


def _memo_edits(trace: OpenTrace, mapping: dict[str, str], merged: set[str]) -> dict[int, str]:
    """New text of the memo lines that name codes (list lines, continuations, bare codes)."""
    list_lines = {code_list.line for code_list in trace.code_lists}
    # the lines holding items a rename can change: list items and identifier lines
    lines = {item.line for item in memo_items(trace) if item.style in ("list", "identifier")}
    edits: dict[int, str] = {}
    for line, text in trace.memo_lines:
        raw = trace.lines[line - trace.line]
        body, end = (raw[:-1], "\n") if raw.endswith("\n") else (raw, "")
        if line in lines:
            start = body.index(":") + 1 if line in list_lines else 0
            segment = _rename_items(body[start:], mapping)
            if merged:
                segment = _dedupe_items(segment, merged)
            new = body[:start] + segment + end
        elif text in mapping:
            new = body.replace(text, mapping[text]) + end
        else:
            continue
        if new != raw:
            edits[line] = new
    return edits


def _dedupe_items(segment: str, names: set[str], seen: set[str] | None = None) -> str:
    """Drop repeats of ``names`` from a list (``a, b and c``), keeping the first and the layout.

    ``seen`` holds the names listed before the segment (it is updated).
    """
    seen = set() if seen is None else seen
    pieces = LIST_SEPARATOR.split(segment)  # items at even places, separators between
    dropped = set()
    for index in range(0, len(pieces), 2):
        name = pieces[index].strip().rstrip(".").strip()
        if name in names:
            if name in seen:
                dropped.add(index)
            seen.add(name)
    if not dropped:
        return segment
    out: list[str] = []
    for index in range(0, len(pieces), 2):
        if index in dropped:
            continue
        item = pieces[index]
        if out:
            out.append(pieces[index - 1])
        elif index:  # the first items went: keep the indent of the first
            first = pieces[0]
            item = first[: len(first) - len(first.lstrip())] + item.lstrip()
        out.append(item)
    text = "".join(out)
    return text.rstrip() + segment[len(segment.rstrip()) :]  # the segment's own line end


def _dedupe_code(code: str, first_line: int, names: set[str], attach: bool) -> str:
    """Drop repeated bare uses of ``names`` from a block (after a merge made them one)."""
    facts = read_code(code, first_line, attach=attach)
    # CRLF files: the ``\r`` stays with its line, the items are looked at without it
    lines = code.split("\n")
    ends = ["\r" if line.endswith("\r") else "" for line in lines]
    lines = [line[: len(line) - len(end)] for line, end in zip(lines, ends, strict=True)]
    seen: set[str] = set()
    doomed: set[int] = set()
    done: set[int] = set()
    for use in sorted(facts.attached + facts.reused, key=lambda u: u.line):
        offset = use.line - first_line
        if use.identifier not in names or offset in done:
            continue
        done.add(offset)
        body = lines[offset]
        item = body.strip(" \t")
        alone = use.identifier in (item, item[:-1].rstrip(" \t") if item.endswith(",") else None)
        if alone and use.identifier in seen:
            doomed.add(offset)
        elif CODES_LINE.fullmatch(body):
            lines[offset] = _dedupe_items(body, names, seen)
        seen.add(use.identifier)
    for offset in sorted(doomed):
        _drop_dangling_comma(lines, doomed, offset)
    return "\n".join(line + ends[index] for index, line in enumerate(lines) if index not in doomed)


def _drop_dangling_comma(lines: list[str], doomed: set[int], offset: int) -> None:
    """When the last item of a list goes, the comma of the item before it goes too."""
    if lines[offset].rstrip().endswith(","):
        return
    kept = [i for i in range(len(lines)) if i not in doomed and lines[i].strip()]
    before = [i for i in kept if i < offset]
    after = [i for i in kept if i > offset]
    closes = not after or lines[after[0]].strip() in ("'''", '"""')
    if before and closes and lines[before[-1]].rstrip().endswith(","):
        line = lines[before[-1]]
        cut = line.rstrip()
        lines[before[-1]] = cut[:-1] + line[len(cut) :]


def _block_edit(
    block: PythonBlock,
    mapping: dict[str, str],
    merged: set[str],
    drop_lines: set[int],
) -> str | None:
    """The block's new code, or None when it does not change."""
    code = block.code
    new = _renamed_code(code, mapping)
    if merged:
        new = _dedupe_code(new, block.code_line, merged, attach=block.role == "add_codes")
    if drop_lines:
        kept = [
            line
            for offset, line in enumerate(split_lines(new))
            if block.code_line + offset not in drop_lines
        ]
        new = "".join(kept)
    return None if new == code else new


def rewrite_notes(
    notes: FieldNotes,
    mapping: dict[str, str],
    merged: Iterable[str] = (),
    drop_lines: Iterable[int] = (),
) -> str:
    """The file's text with codes renamed in its traces (quotes, header, source untouched).

    ``merged`` names codes whose repeats in one list are dropped (after a merge);
    ``drop_lines`` are file lines of definitions to remove (the merged-away ones).
    """
    merged, drop_lines = set(merged), set(drop_lines)
    pieces: list[str] = []
    for block in notes.blocks:
        lines = list(block.lines)
        if isinstance(block, (OpenTrace, AxialTrace)) and not block.template:
            # later blocks first, so that earlier offsets stay right when lines go
            for python in reversed(block.blocks):
                new = _block_edit(python, mapping, merged, drop_lines)
                if new is not None:
                    start = python.code_line - block.line
                    lines[start : start + len(python.code_lines)] = split_lines(new)
            if isinstance(block, OpenTrace):
                for line, new in _memo_edits(block, mapping, merged).items():
                    lines[line - block.line] = new
        pieces.append("".join(lines))
        pieces.append("".join(block.trailing))
    return "".join(pieces)


# -- planning over a study ---------------------------------------------------------


def _at(definition: Definition) -> str:
    return f"{definition.path}:{definition.line}"


def _check_name(name: str, what: str, allow_spaces: bool = False) -> None:
    words = name.split(" ") if allow_spaces else [name]
    if not all(IDENTIFIER.fullmatch(word) for word in words) or keyword.iskeyword(name):
        raise RefactorError(f"{what} {name!r} is not a code identifier (letters, digits, _)")
    if name in RESERVED:
        raise RefactorError(f"{what} {name!r} is part of the notation, not a code")


@dataclass
class _Read:
    path: str
    text: str
    digest: str
    notes: FieldNotes


def _read_study(
    paths: Iterable[str | os.PathLike], names: Sequence[str], warnings: list[str]
) -> list[_Read]:
    """The files that mention any of ``names`` (a substring test spares the others).

    A file that names them but reads as one line (``\\r`` line ends) is left out,
    and ``warnings`` says so: nothing in it can be renamed.
    """
    found = []
    needles = {name.split(" ")[0] for name in names}
    for path in find_field_notes(paths):
        with open(path, "rb") as handle:
            data = handle.read()
        text = read_text(path) if any(n.encode() in data for n in needles) else None
        if text is None:
            continue
        problem = cr_line_ends(text)
        if problem is not None:
            warnings.append(f"{path}:1: warning: not changed: {problem}")
            continue
        found.append(_Read(str(path), text, sha256(data), parse(text, str(path))))
    return found


def _definitions(files: list[_Read], names: set[str]) -> list[Definition]:
    sites = [
        Definition(d.identifier, d.metaclass, d.label, read.path, d.line, read.notes.source_id)
        for read in files
        if not read.notes.is_template
        for block in read.notes.python_blocks()
        for d in block.definitions
        if d.identifier in names
    ]
    return sorted(sites, key=lambda s: (coding_order(s.source), s.path, s.line))


def _mentioned(files: list[_Read], name: str) -> bool:
    for read in files:
        if read.notes.is_template:
            continue
        if name in read.notes.codes_mentioned:
            return True
        for trace in read.notes.open_traces:
            if any(item.text == name for item in memo_items(trace)):
                return True
    return False


def _changes(
    files: list[_Read], mapping: dict[str, str], merged=(), drops=None
) -> list[FileChange]:
    changes = []
    for read in files:
        after = rewrite_notes(read.notes, mapping, merged, (drops or {}).get(read.path, ()))
        if after != read.text:
            changes.append(FileChange(read.path, read.text, after, read.digest))
    return changes


def plan_rename(paths: Iterable[str | os.PathLike], old: str, new: str) -> Refactoring:
    """Rename code ``old`` to ``new`` everywhere in the study's traces.

    Refused when ``new`` is already defined (it has a meaning of its own: merge
    instead), when ``old`` is named nowhere, or when either is not an identifier.
    ``old`` may contain spaces, to repair ``input ports``.
    """
    _check_name(old, "the code", allow_spaces=True)
    _check_name(new, "the new name")
    if old == new:
        raise RefactorError(f"{old} is already called {new}")
    warnings: list[str] = []
    files = _read_study(paths, [old, new], warnings)
    defined_new = _definitions(files, {new})
    if defined_new:
        site = defined_new[0]
        raise RefactorError(
            f'{new} is already defined at {_at(site)} as {site.metaclass} "{site.label}"; to make '
            f"{old} and {new} one code: jupyter-coding merge {old} {new} {new} PATH..."
        )
    if not _mentioned(files, old):
        raise RefactorError(f"no code {old} in the traces of the study")
    result = Refactoring(f"rename {old} to {new}", _changes(files, {old: new}), warnings)
    if _mentioned(files, new):
        result.notes.append(
            f"{new} was already used (never defined): those uses and {old} are now one code"
        )
    return result


def plan_merge(paths: Iterable[str | os.PathLike], codes: Sequence[str], into: str) -> Refactoring:
    """Make ``codes`` one code called ``into``: uses renamed, one definition kept.

    The definition kept is ``into``'s own, else the first of the merged codes in
    coding order; the others are removed (each must be a one-line definition).
    Repeats that the merge creates in one list are dropped. Refused when the
    definitions disagree on the metaclass.
    """
    codes = list(dict.fromkeys(codes))
    for code in codes:
        _check_name(code, "the code", allow_spaces=True)
    _check_name(into, "the merged code")
    if len(set(codes) | {into}) < 2:
        raise RefactorError("name at least two different codes to merge")
    warnings: list[str] = []
    files = _read_study(paths, [*codes, into], warnings)
    for code in codes:
        if not _mentioned(files, code):
            raise RefactorError(f"no code {code} in the traces of the study")
    sites = _definitions(files, {*codes, into})
    metaclasses = {site.metaclass for site in sites}
    if len(metaclasses) > 1:
        kinds = ", ".join(
            f"{site.identifier} is a {site.metaclass} ({_at(site)})" for site in sites
        )
        raise RefactorError(f"the codes are of different metaclasses: {kinds}")
    own = [site for site in sites if site.identifier == into]
    kept = (own or sites or [None])[0]
    drops: dict[str, set[int]] = {}
    for site in sites:
        if site is kept:
            continue
        read = next(r for r in files if r.path == site.path)
        text = split_lines(read.text)[site.line - 1]
        if text.count("CClas") != 1 or not DEFINITION_LINE.fullmatch(text.rstrip("\r\n")):
            raise RefactorError(
                f"cannot remove the definition of {site.identifier} here: it shares its line or "
                "spans lines; edit it by hand, then merge again",
                site.path,
                site.line,
            )
        drops.setdefault(site.path, set()).add(site.line)
    mapping = {code: into for code in codes if code != into}
    result = Refactoring(
        f"merge {', '.join(codes)} into {into}",
        _changes(files, mapping, {into}, drops),
        warnings,
    )
    if kept is not None:
        result.notes.append(f'kept the definition at {_at(kept)}: {kept.metaclass} "{kept.label}"')
    for site in sites:
        if site is not kept:
            result.notes.append(
                f'removed the definition at {_at(site)}: {site.identifier} "{site.label}"'
            )
    result.notes += _repeated_relations(result.changes, into)
    return result


def _repeated_relations(changes: list[FileChange], into: str) -> list[str]:
    """Relations the merge made loops (into -> into) or repeats: for the researcher to review."""
    notes = []
    for change in changes:
        for block in parse(change.after, change.path).python_blocks():
            seen: set[tuple[str, str, str]] = set()
            for relation in block.relations:
                key = (relation.kind, relation.source, relation.target)
                if into not in key[1:]:
                    continue
                if relation.source == relation.target:
                    notes.append(f"{change.path}:{relation.line}: {into} is now related to itself")
                elif key in seen:
                    notes.append(
                        f"{change.path}:{relation.line}: the relation {relation.source} -> "
                        f"{relation.target} is now stated twice in one block"
                    )
                seen.add(key)
    return notes
