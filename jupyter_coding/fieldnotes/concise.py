"""The concise form of a trace, for writing by hand in a ``%%code`` cell.

::

    memo: Infrastructure runs on Kubernetes, managed by a platform team.
    familiar: k8s, infrastructure_as_code
    new: platform_team = CClass(force, "Platform Team")
    relate: k8s -> platform_team: positive

One ``keyword: value`` per line; blank lines and ``#`` comments are ignored.

=========== =========================================== ==========================================
keyword     value                                       becomes
=========== =========================================== ==========================================
memo        free text                                   a memo line
familiar    ``a, b``                                    ``Familiar option: a, b``; a, b attached
new         ``x = CClass(metaclass, "Label")``          defined, attached, ``New option: x``
define      ``x = CClass(metaclass, "Label")``          defined only
attach      ``a, b``                                    attached only
reuse       ``a, b``                                    named in the ``added:`` block
relate      ``practice -> force[: positive]``           ``add_force_relations``
option      ``decision -> option[: "label"]``           ``add_decision_option_link``
link        ``a -> b[: role]``                          ``add_links``
target      ``s43``                                     the ``add codes to`` source
=========== =========================================== ==========================================

:func:`read_concise` turns it into a :class:`~.canonical.Trace`, written in the
canonical layout by :func:`~.canonical.render_trace`.
"""

from __future__ import annotations

import re

from jupyter_coding.fieldnotes.canonical import Trace
from jupyter_coding.fieldnotes.lines import FieldNotesError, split_lines

__all__ = ["CONCISE_KEYWORDS", "ConciseSyntaxError", "is_concise", "read_concise"]

CONCISE_KEYWORDS = (
    "memo",
    "familiar",
    "new",
    "define",
    "attach",
    "reuse",
    "relate",
    "option",
    "link",
    "target",
)
FORCE_VALUES = ("very_positive", "positive", "neutral", "negative", "very_negative")

_LINE = re.compile(r"(?P<keyword>[A-Za-z]+)[ \t]*:[ \t]*(?P<value>.*)")
_DEFINITION = re.compile(
    r"(?P<identifier>[^\W\d]\w*)\s*=\s*CClass\(\s*(?P<metaclass>[^\W\d]\w*)\s*,\s*"
    r"(?P<q>[\"'])(?P<label>.*?)(?P=q)\s*\)"
)
_ARROW = re.compile(
    r"(?P<source>[^\W\d]\w*)\s*->\s*(?P<target>[^\W\d]\w*)\s*(?::\s*(?P<value>.*))?"
)


class ConciseSyntaxError(FieldNotesError):
    """A line of a concise trace that does not follow the syntax."""


def is_concise(text: str) -> bool:
    """True when the first meaningful line starts with a concise keyword."""
    for line in split_lines(text):
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        match = _LINE.fullmatch(body)
        return bool(match and match.group("keyword").lower() in CONCISE_KEYWORDS)
    return False


def _identifiers(value: str, line: int) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        if not item.isidentifier():
            raise ConciseSyntaxError(
                f"{item!r} is not a code identifier (letters, digits and _, not starting "
                "with a digit)",
                line=line,
            )
    return items


def _definition(value: str, line: int) -> tuple[str, str, str]:
    match = _DEFINITION.fullmatch(value.strip())
    if match is None:
        raise ConciseSyntaxError(
            f'expected identifier = CClass(metaclass, "Label"), got {value.strip()!r}', line=line
        )
    return match.group("identifier"), match.group("metaclass"), match.group("label")


def _arrow(value: str, line: int, keyword: str, example: str) -> tuple[str, str, str | None]:
    match = _ARROW.fullmatch(value.strip())
    if match is None:
        raise ConciseSyntaxError(f"{keyword}: expected {example}, got {value.strip()!r}", line=line)
    extra = match.group("value")
    extra = extra.strip() if extra is not None else None
    return match.group("source"), match.group("target"), extra or None


def _unquote(text: str | None) -> str | None:
    if text and len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def read_concise(text: str, target: str = "s", first_line: int = 1) -> Trace:
    """Read a concise trace. Errors name the line (counted from ``first_line``)."""
    trace = Trace(target=target)
    attached: list[str] = []
    familiar: list[str] = []
    new_codes: dict[str, list[str]] = {}
    for offset, raw in enumerate(split_lines(text)):
        number = first_line + offset
        body = raw.strip()
        if not body or body.startswith("#"):
            continue
        match = _LINE.fullmatch(body)
        keyword = match.group("keyword").lower() if match else ""
        if keyword not in CONCISE_KEYWORDS:
            raise ConciseSyntaxError(
                f"expected 'keyword: value' with a keyword of {', '.join(CONCISE_KEYWORDS)}; "
                f"got {body!r}",
                line=number,
            )
        value = match.group("value")
        if keyword == "memo":
            trace.memo.append(value.strip())
        elif keyword == "familiar":
            items = _identifiers(value, number)
            familiar += items
            attached += items
        elif keyword in ("new", "define"):
            identifier, metaclass, label = _definition(value, number)
            trace.definitions.append((identifier, metaclass, label))
            if keyword == "new":
                prefix = "New force" if metaclass == "force" else "New option"
                new_codes.setdefault(prefix, []).append(identifier)
                attached.append(identifier)
        elif keyword == "attach":
            attached += _identifiers(value, number)
        elif keyword == "reuse":
            trace.reused += _identifiers(value, number)
        elif keyword == "relate":
            source, target_code, stereotype = _arrow(
                value, number, "relate", "practice -> force: positive"
            )
            stereotype = (stereotype or "positive").replace(" ", "_")
            if stereotype not in FORCE_VALUES:
                raise ConciseSyntaxError(
                    f"relate: {stereotype!r} is not one of {', '.join(FORCE_VALUES)}", line=number
                )
            trace.relations.append(("force", source, target_code, stereotype))
        elif keyword == "option":
            source, target_code, label = _arrow(
                value, number, "option", 'decision -> option: "label"'
            )
            trace.relations.append(("decision_option", source, target_code, _unquote(label)))
        elif keyword == "link":
            source, target_code, role = _arrow(value, number, "link", "a -> b: role")
            trace.relations.append(("link", source, target_code, _unquote(role)))
        elif keyword == "target":
            trace.target = value.strip()
    if familiar:
        trace.code_lists.append(("Familiar option", list(dict.fromkeys(familiar))))
    for prefix, codes in new_codes.items():
        trace.code_lists.append((prefix, codes))
    trace.attached = list(dict.fromkeys(attached))
    return trace
