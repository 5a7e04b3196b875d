"""The canonical layout: how new or changed traces are written.

New text follows the study's :class:`~.dialect.Dialect`, else the layout of the
seed file (:data:`~.dialect.SEED`): a marker, a blank line, one memo line per code
list (``Familiar option: a, b``), a blank line; then the axial marker, a blank line,
an ``added:`` block for definitions and relations when there are any, and an
``add codes to sN: `` block with a ``'''`` list. Fence and label lines carry the
trailing spaces the study's files have, so new traces look like the old ones in a
diff. In a study that attaches through ``added:``, the codes are named there and no
list is written; in a study whose memos are labels, the memo has one label a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jupyter_coding.fieldnotes.dialect import SEED, Dialect

__all__ = [
    "AXIAL_MARKER",
    "OPEN_MARKER",
    "Trace",
    "render_add_codes",
    "render_axial",
    "render_definition",
    "render_open",
    "render_trace",
]

OPEN_MARKER = SEED.open_marker
AXIAL_MARKER = SEED.axial_marker
FENCE_OPEN = SEED.fence_open
FENCE_CLOSE = SEED.fence_close
INDENT = SEED.indent


@dataclass
class Trace:
    """A coding trace as data, to be written in the canonical layout.

    ``code_lists`` are memo lines like ``("Familiar option", ["a", "b"])``;
    ``definitions`` are ``(identifier, metaclass, label)``; ``relations`` are
    ``(kind, source, target, value)`` with the kinds of
    :class:`~jupyter_coding.fieldnotes.Relation`. ``labels`` gives the labels of
    codes defined elsewhere, for a study whose memos name codes by label.
    """

    memo: list[str] = field(default_factory=list)
    code_lists: list[tuple[str, list[str]]] = field(default_factory=list)
    definitions: list[tuple[str, str, str]] = field(default_factory=list)
    relations: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    target: str = "s"
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def has_axial(self) -> bool:
        return bool(self.definitions or self.relations or self.reused or self.attached)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_definition(identifier: str, metaclass: str, label: str) -> str:
    """``identifier = CClass(metaclass, "Label")``."""
    return f"{identifier} = CClass({metaclass}, {_quoted(label)})"


def _relation_lines(relations) -> list[str]:
    lines: list[str] = []
    forces: dict[str, list[tuple[str, str | None]]] = {}
    for kind, source, target, value in relations:
        if kind == "force":
            forces.setdefault(source, []).append((target, value))
    for source, edges in forces.items():
        inner = ", ".join(f"{target}: {value or 'positive'}" for target, value in edges)
        lines.append(f"add_force_relations({{{source}: {{{inner}}}}})")
    for kind, source, target, value in relations:
        if kind == "decision_option":
            label = f", {_quoted(value)}" if value else ""
            lines.append(f"add_decision_option_link({source}, {target}{label})")
        elif kind == "decision_link":
            lines.append(f"add_decision_link({source}, {target})")
        elif kind == "link":
            role = f", role_name={_quoted(value)}" if value else ""
            lines.append(f"add_links({{{source}: [{target}]}}{role})")
    return lines


def _in_words(identifier: str) -> str:
    """``blameless_review`` -> ``Blameless review``: a label for a code whose label is unknown."""
    words = identifier.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def render_open(trace: Trace, dialect: Dialect = SEED) -> str:
    """The open coding trace, ending with a newline."""
    body = [line for line in trace.memo if line.strip()]
    if dialect.memo == "labels":
        labels = {**{d[0]: d[2] for d in trace.definitions}, **trace.labels}
        codes = dict.fromkeys(code for _, items in trace.code_lists for code in items)
        body += [labels.get(code) or _in_words(code) for code in codes]
    else:
        body += [f"{prefix}: {', '.join(items)}" for prefix, items in trace.code_lists if items]
    out = dialect.open_marker + "\n"
    for line in body:
        out += "\n" + line + "\n"
    return out


def render_add_codes(target: str, codes: list[str], dialect: Dialect = SEED) -> str:
    """``add codes to sN: `` and its fenced list, ending with a newline."""
    indent = dialect.indent
    if dialect.quoted_list:
        items = ",\n".join(indent * 2 + code for code in codes)
        body = f"{indent}'''\n{items}\n{indent}'''\n"
    else:
        body = "".join(f"{indent}{code}\n" for code in codes)
    return f"{dialect.add_codes(target)}\n{dialect.fence_open}\n{body}{dialect.fence_close}\n"


def render_axial(trace: Trace, dialect: Dialect = SEED) -> str:
    """The axial coding trace, ending with a newline."""
    parts = []
    added = [render_definition(*d) for d in trace.definitions]
    added += _relation_lines(trace.relations)
    added += list(trace.reused)
    attached = list(trace.attached)
    if dialect.attach == "added":
        # the study applies codes by naming them in added:; a definition names itself
        named = set(trace.reused) | {d[0] for d in trace.definitions}
        added += [code for code in attached if code not in named]
        attached = []
    if added:
        code = "".join(f"{dialect.indent}{line}\n" for line in added)
        parts.append(f"{dialect.added_label}\n{dialect.fence_open}\n{code}{dialect.fence_close}\n")
    if attached:
        parts.append(render_add_codes(trace.target, attached, dialect))
    separator = "\n\n" if dialect.blank_after_axial_marker else "\n"
    return dialect.axial_marker + separator + "\n".join(parts)


def render_trace(trace: Trace, dialect: Dialect = SEED) -> tuple[str, str | None]:
    """Open and axial text of a trace (axial None when there is nothing to say)."""
    axial = render_axial(trace, dialect) if trace.has_axial else None
    return render_open(trace, dialect), axial


SOURCE_MARKER = SEED.source_marker
# header field -> CClass key, in the order the study writes them
SOURCE_VALUE_ORDER = (
    ("title", "title"),
    ("url", "url"),
    ("archive url", "archive url"),
    ("tiny url", "tiny url"),
    ("author type", "author type"),
    ("source type", "type"),
    ("example", "example"),
    ("source code", "source code"),
)


def source_value_literal(field_name: str, value: str) -> str:
    """The Python literal for a header value: yes/no fields become True/False."""
    if field_name in ("example", "source code"):
        lowered = value.strip().lower()
        if lowered in ("yes", "true"):
            return "True"
        if lowered in ("no", "false"):
            return "False"
    return _quoted(value)


def render_source_definition(
    source_id: str, header_values: dict[str, str], dialect: Dialect = SEED
) -> str:
    """The source-definition block generated from the header values (the study's marker)."""
    items = [
        f"    {_quoted(key)}: {source_value_literal(name, header_values.get(name, ''))}"
        for name, key in SOURCE_VALUE_ORDER
    ]
    body = ",\n".join(items)
    return (
        f"{dialect.source_marker}\n``` python\n"
        f"{source_id} = CClass(source, {_quoted(source_id)}, values={{\n{body}}})\n``` \n"
    )
