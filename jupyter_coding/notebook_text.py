"""Notebook JSON text in nbformat's layout, written and read without the slow paths.

``nbformat.writes`` deep-copies the notebook, validates it again and formats it with
the pure-Python JSON encoder (``indent=1`` rules out the C one): most of the time a
conversion takes. :func:`dumps` gives the same bytes (tests compare the two on the
whole corpus) for notebooks without outputs or attachments, and hands anything else
to nbformat's own writer. :func:`loads` reads version-4 JSON as plain data, which is
all an export needs.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C implementation when available

__all__ = ["dumps", "loads"]

# what nbformat's writer drops (``strip_transient``)
TRANSIENT_METADATA = ("orig_nbformat", "orig_nbformat_minor", "signature")


def _write(value, indent: str, out: list[str]) -> None:
    """``json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)``, appended to ``out``.

    Strings, and lists of strings (cell sources), are written inline: they are most
    of a notebook, and a call per line would double the time.
    """
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))
    elif kind is dict or isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + " "
        separator = "{\n" + inner
        for key in sorted(value):
            item = value[key]
            out.append(separator)
            out.append(encode_basestring(key))
            out.append(": ")
            if type(item) is str:
                out.append(encode_basestring(item))
            else:
                _write(item, inner, out)
            separator = ",\n" + inner
        out.append("\n" + indent + "}")
    elif kind is list or isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = indent + " "
        if all(type(item) is str for item in value):
            out.append("[\n" + inner)
            out.append((",\n" + inner).join(map(encode_basestring, value)))
        else:
            separator = "[\n" + inner
            for item in value:
                out.append(separator)
                _write(item, inner, out)
                separator = ",\n" + inner
        out.append("\n" + indent + "]")
    else:  # numbers, booleans, null: exactly as json writes them
        out.append(json.dumps(value))


def _is_plain(notebook) -> bool:
    """True when only cell sources need splitting: no outputs, attachments or bytes."""
    for cell in notebook["cells"]:
        if cell.get("outputs") or cell.get("attachments") or "trusted" in cell["metadata"]:
            return False
    return True


def dumps(notebook) -> str:
    """The notebook as ``nbformat.writes`` lays it out (without validating it again)."""
    if not _is_plain(notebook) or any(key in notebook["metadata"] for key in TRANSIENT_METADATA):
        from nbformat.v4.nbjson import writes

        return writes(notebook)
    cells = [
        {**cell, "source": cell["source"].splitlines(True)}
        if isinstance(cell.get("source"), str)
        else cell
        for cell in notebook["cells"]
    ]
    out: list[str] = []
    _write({**notebook, "cells": cells}, "", out)
    return "".join(out)


def loads(text: str) -> dict:
    """Notebook JSON as plain data; versions other than 4 are converted by nbformat."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        import nbformat

        return nbformat.reads(text, as_version=4)
    return data
