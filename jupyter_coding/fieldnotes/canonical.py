"""The canonical layout: how new or changed traces are written.

It is the layout of the seed file: a marker, a blank line, one memo line per code
list (``Familiar option: a, b``), a blank line; then the axial marker, a blank
line, an ``added:`` block for definitions and relations when there are any, and
an ``add codes to sN: `` block with a ``'''`` list. Fence and label lines carry
the trailing spaces the seed has, so new traces look like the old ones in a diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

OPEN_MARKER = "**OPEN CODING TRACE:**"
AXIAL_MARKER = "**AXIAL CODING TRACE:**"
FENCE_OPEN = "``` python "
FENCE_CLOSE = "```"
INDENT = "    "


@dataclass
class Trace:
    """A coding trace as data, to be written in the canonical layout.

    ``code_lists`` are memo lines like ``("Familiar option", ["a", "b"])``;
    ``definitions`` are ``(identifier, metaclass, label)``; ``relations`` are
    ``(kind, source, target, value)`` with the kinds of
    :class:`~jupyter_coding.fieldnotes.Relation`.
    """

    memo: list[str] = field(default_factory=list)
    code_lists: list[tuple[str, list[str]]] = field(default_factory=list)
    definitions: list[tuple[str, str, str]] = field(default_factory=list)
    relations: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    target: str = "s"

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


def render_open(trace: Trace) -> str:
    """The open coding trace, ending with a newline."""
    body = [line for line in trace.memo if line.strip()]
    body += [f"{prefix}: {', '.join(items)}" for prefix, items in trace.code_lists if items]
    out = OPEN_MARKER + "\n"
    for line in body:
        out += "\n" + line + "\n"
    return out


def render_add_codes(target: str, codes: list[str]) -> str:
    """``add codes to sN: `` and its fenced ``'''`` list, ending with a newline."""
    items = ",\n".join(INDENT * 2 + code for code in codes)
    return (
        f"add codes to {target}: \n{FENCE_OPEN}\n{INDENT}'''\n{items}\n{INDENT}'''\n{FENCE_CLOSE}\n"
    )


def render_axial(trace: Trace) -> str:
    """The axial coding trace, ending with a newline."""
    parts = []
    added = [render_definition(*d) for d in trace.definitions]
    added += _relation_lines(trace.relations)
    added += list(trace.reused)
    if added:
        code = "".join(f"{INDENT}{line}\n" for line in added)
        parts.append(f"added:\n{FENCE_OPEN}\n{code}{FENCE_CLOSE}\n")
    if trace.attached:
        parts.append(render_add_codes(trace.target, trace.attached))
    return AXIAL_MARKER + "\n\n" + "\n".join(parts)


def render_trace(trace: Trace) -> tuple[str, str | None]:
    """Open and axial text of a trace (axial None when there is nothing to say)."""
    return render_open(trace), render_axial(trace) if trace.has_axial else None


SOURCE_MARKER = "**AXIAL CODING TRACE**: source and references"
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


def render_source_definition(source_id: str, header_values: dict[str, str]) -> str:
    """The source-definition block generated from the header values (seed layout)."""
    items = [
        f"    {_quoted(key)}: {source_value_literal(name, header_values.get(name, ''))}"
        for name, key in SOURCE_VALUE_ORDER
    ]
    body = ",\n".join(items)
    return (
        f"{SOURCE_MARKER}\n``` python\n"
        f"{source_id} = CClass(source, {_quoted(source_id)}, values={{\n{body}}})\n``` \n"
    )
