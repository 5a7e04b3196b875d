"""The text of a new field-notes file, in the study's layout.

The kind and id lines, the nine header fields, the source's ``CClass(source, ...)``
block generated from the same values (so the two cannot disagree), and ``# coding``.
The spelling follows the corpus: ``# s `` with a trailing space for grey-literature
sources and ``# p`` without one for interviews, ``## source type `` with its
trailing space, and one empty line as the value of ``## references``.
"""

from __future__ import annotations

import re

from jupyter_coding.fieldnotes.canonical import render_source_definition
from jupyter_coding.fieldnotes.dialect import SEED, Dialect
from jupyter_coding.fieldnotes.lines import FieldNotesError
from jupyter_coding.fieldnotes.model import HEADER_FIELDS

__all__ = ["SOURCE_ID", "file_name", "render_new_source", "split_source_id"]

SOURCE_ID = re.compile(r"([a-z]{1,3})(\d+)")
# headings spelled with a trailing space in every file of the corpus
HEADINGS_WITH_SPACE = frozenset({"source type"})


def split_source_id(source_id: str) -> tuple[str, str]:
    """``s58`` -> (``s``, ``58``); anything else is a :class:`FieldNotesError`."""
    match = SOURCE_ID.fullmatch(source_id)
    if match is None:
        raise FieldNotesError(
            f"{source_id!r} is not a source id: a letter (s for a source, p for an "
            "interview) and a number, such as s58 or p12"
        )
    return match.group(1), match.group(2)


def file_name(source_id: str) -> str:
    """The study's file name for a source id: ``s58`` -> ``s_58.md``."""
    kind, number = split_source_id(source_id)
    return f"{kind}_{number}.md"


def render_new_source(source_id: str, values: dict[str, str], dialect: Dialect = SEED) -> str:
    """A new field-notes file for ``source_id`` with the header ``values`` (by field name),
    its source block under the study's marker (``dialect``)."""
    kind, number = split_source_id(source_id)
    for name, value in values.items():
        if name not in HEADER_FIELDS:
            raise FieldNotesError(f"no header field {name!r} (fields: {', '.join(HEADER_FIELDS)})")
        if "\n" in value:
            raise FieldNotesError(f"the value of {name!r} must be one line")
    lines = [f"# {kind} " if kind != "p" else "# p", number]
    for name in HEADER_FIELDS:
        lines.append(f"## {name} " if name in HEADINGS_WITH_SPACE else f"## {name}")
        lines.append(values.get(name, "").strip())
    header = "\n".join(lines) + "\n"
    source = render_source_definition(source_id, {k: v.strip() for k, v in values.items()}, dialect)
    return f"{header}{source}\n# coding\n"
