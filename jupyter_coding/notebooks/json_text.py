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

__all__ = ["Node", "dumps", "loads"]


class Node(dict):
    """A dict with attribute access, as nbformat's ``NotebookNode`` behaves.

    Notebooks are built from these rather than from nbformat's factories: importing
    nbformat (and jsonschema) costs about a quarter of a second, and the factories
    validate every cell. The layout is nbformat's own (version 4.5, ids on cells), and
    the tests check that every notebook is valid and written byte for byte as nbformat
    writes it. Mappings stored in it become nodes too, as in ``NotebookNode``.
    """

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setitem__(self, key, value) -> None:
        dict.__setitem__(self, key, _as_node(value))


def _as_node(value):
    """``value`` with every mapping in it a :class:`Node` (nbformat's ``from_dict``)."""
    if isinstance(value, dict):
        if type(value) is Node:
            return value
        return Node({key: _as_node(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return type(value)(_as_node(item) for item in value)
    return value


# what nbformat's writer drops (``strip_transient``)
TRANSIENT_METADATA = ("orig_nbformat", "orig_nbformat_minor", "signature")


_NUMBER_TYPES = (int, float)


def _scalar(value) -> str | None:
    """A string, number, boolean or null as ``json.dumps`` writes it; None for the rest."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return json.dumps(value)  # NaN, Infinity and the shortest repr, as json has them
    return None


def _write(value, indent: str, out: list[str]) -> None:
    """``json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)``, appended to ``out``.

    Scalars, and lists of strings (cell sources), are written inline: they are most
    of a notebook, and a call per value would double the time.
    """
    text = _scalar(value)
    if text is not None:
        out.append(text)
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + " "
        separator = "{\n" + inner
        for key in sorted(value):
            item = value[key]
            out.append(separator)
            out.append(encode_basestring(key))
            text = _scalar(item)
            if text is not None:
                out.append(": " + text)
            else:
                out.append(": ")
                _write(item, inner, out)
            separator = ",\n" + inner
        out.append("\n" + indent + "}")
    elif isinstance(value, (list, tuple)):
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
    else:  # what json itself would make of it (or refuse)
        out.append(json.dumps(value))


def _is_plain(notebook) -> bool:
    """True when only cell sources need splitting: no outputs, attachments or bytes."""
    for cell in notebook["cells"]:
        if cell.get("outputs") or cell.get("attachments") or "trusted" in cell["metadata"]:
            return False
    return True


_CELL_INDENT = "   "  # the keys of a cell, in ``"cells": [...]``
_LINE_SEPARATOR = '\\n",\n    "'  # between the lines of a cell's source
# what ``str.splitlines`` breaks at besides ``\n``, and the backslash (escaped in JSON)
_SLOW_SOURCE = ("\\", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _source_json(source: str) -> str:
    """``source.splitlines(True)`` as a JSON list in a cell, as nbformat writes it.

    Usually the text is escaped once and cut at its ``\\n`` escapes, rather than
    line by line: the same bytes, at a fraction of the cost.
    """
    if not source:
        return "[]"
    if any(char in source for char in _SLOW_SOURCE):  # a scan each, far cheaper than a regex
        lines = source.splitlines(True)
        return "[\n    " + ",\n    ".join(map(encode_basestring, lines)) + "\n   ]"
    encoded = encode_basestring(source)
    if source[-1] == "\n":  # the last line keeps its newline; no empty line after it
        encoded = encoded[:-3].replace("\\n", _LINE_SEPARATOR) + '\\n"'
    else:
        encoded = encoded.replace("\\n", _LINE_SEPARATOR)
    return "[\n    " + encoded + "\n   ]"


def _value(value, indent: str) -> str:
    """``value`` as :func:`_write` writes it, at ``indent``: scalars and flat mappings inline."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if (kind is dict or kind is Node) and value:
        inner = indent + " "
        items = []
        for key in sorted(value):
            item = value[key]
            item_kind = type(item)
            if item_kind is str:
                text = encode_basestring(item)
            elif item_kind is int:
                text = int.__repr__(item)
            else:
                text = _value(item, inner)
            items.append(encode_basestring(key) + ": " + text)
        return "{\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "}"
    out: list[str] = []
    _write(value, indent, out)
    return "".join(out)


_OUR_CELL_KEYS = {"end", "index", "kind"}


def _our_cell_metadata(metadata) -> str | None:
    """The metadata ``to_notebook`` gives a cell, written in one step; None for any other."""
    if len(metadata) != 1 or type(metadata) not in (dict, Node):
        return None
    ((key, ours),) = metadata.items()
    if type(key) is not str or type(ours) not in (dict, Node) or ours.keys() != _OUR_CELL_KEYS:
        return None
    end, index, kind = ours["end"], ours["index"], ours["kind"]
    if type(end) is not str or type(index) is not int or type(kind) is not str:
        return None
    return (
        f'{{\n    {encode_basestring(key)}: {{\n     "end": {encode_basestring(end)},\n'
        f'     "index": {int.__repr__(index)},\n     "kind": {encode_basestring(kind)}'
        "\n    }\n   }"
    )


def _cell(cell) -> str:
    """One cell of ``"cells"``, its source cut into lines as nbformat cuts it."""
    parts = []
    for key in sorted(cell):
        value = cell[key]
        if key == "source" and type(value) is str:
            parts.append('"source": ' + _source_json(value))
        elif key == "metadata" and (text := _our_cell_metadata(value)) is not None:
            parts.append('"metadata": ' + text)
        else:
            parts.append(encode_basestring(key) + ": " + _value(value, _CELL_INDENT))
    if not parts:
        return "{}"
    return "{\n   " + ",\n   ".join(parts) + "\n  }"


def dumps(notebook) -> str:
    """The notebook as ``nbformat.writes`` lays it out (without validating it again)."""
    if not _is_plain(notebook) or any(key in notebook["metadata"] for key in TRANSIENT_METADATA):
        from nbformat.v4.nbjson import writes

        return writes(notebook)
    out = ["{"]
    separator = "\n "
    for key in sorted(notebook):
        value = notebook[key]
        out.append(separator + encode_basestring(key) + ": ")
        separator = ",\n "
        if key == "cells" and type(value) is list and value:
            out.append("[\n  " + ",\n  ".join(map(_cell, value)) + "\n ]")
        else:
            _write(value, " ", out)
    out.append("\n}")
    return "".join(out)


def loads(text: str) -> dict:
    """Notebook JSON as plain data; versions other than 4 are converted by nbformat."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        import nbformat

        return nbformat.reads(text, as_version=4)
    return data
