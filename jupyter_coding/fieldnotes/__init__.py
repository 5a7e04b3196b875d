"""The field-notes document model: a lossless parser and writer (pure Python)."""

from jupyter_coding.fieldnotes.lines import FieldNotesError, read_text, split_lines
from jupyter_coding.fieldnotes.memo import CodeList
from jupyter_coding.fieldnotes.model import (
    AxialTrace,
    Blank,
    Block,
    CodeBlock,
    CodingLine,
    Disagreement,
    FieldNotes,
    Header,
    HeaderField,
    Image,
    OpenTrace,
    PythonBlock,
    Quote,
    Raw,
    SourceDefinition,
)
from jupyter_coding.fieldnotes.parser import parse, parse_blocks
from jupyter_coding.fieldnotes.python_code import Definition, Problem, Relation, Use


def read(path) -> FieldNotes:
    """Read and parse one field-notes file."""
    import os

    return parse(read_text(path), os.fspath(path))


__all__ = [
    "AxialTrace",
    "Blank",
    "Block",
    "CodeBlock",
    "CodeList",
    "CodingLine",
    "Definition",
    "Disagreement",
    "FieldNotes",
    "FieldNotesError",
    "Header",
    "HeaderField",
    "Image",
    "OpenTrace",
    "Problem",
    "PythonBlock",
    "Quote",
    "Raw",
    "Relation",
    "SourceDefinition",
    "Use",
    "parse",
    "parse_blocks",
    "read",
    "read_text",
    "split_lines",
]
