"""REFI-QDA, the exchange standard of ATLAS.ti, NVivo, MAXQDA, QualCoder and others.

* :func:`write_qdc`: the study codebook as a REFI-QDA codebook (``.qdc``, namespace
  ``urn:QDA-XML:codebook:1.0``). Metaclasses are categories (codes that cannot be
  coded with) holding the codes defined with them; codes used but never defined sit
  at the top level.
* :func:`write_qdpx`: the whole study as a REFI-QDA project (``.qdpx``: a zip with
  ``project.qde``, namespace ``urn:QDA-XML:project:1.0``, and ``sources/``): one
  text source per field-notes file whose plain text is its quotes, every quote coded
  with the codes its trace applies, open-trace memos as notes on those quotes,
  relations as links between codes, the header fields as variables.
* :func:`read_codebook`, :func:`compare_codebook`: read a codebook back (say, one
  edited in another tool) and say which codes are new, renamed or gone.

Every GUID is a UUID 5 of a fixed namespace and what it names (a code's identifier,
a source id and character offsets), and nothing carries a date, so exporting the
same field notes twice gives the same bytes.

Character positions: ``startPosition`` and ``endPosition`` count Unicode code
points (Python ``str`` indices) from 0 in the source's plain text, end exclusive.
The schema types them as plain integers; the REFI-QDA specification counts
characters of the plain text, and tools written in Python (QualCoder) slice with
them exactly this way. The plain text is UTF-8 with LF line ends.

Why one module: the codebook and the project are one format: they share the XML tree
builder, the GUIDs and the code descriptions (reading them back is
:mod:`.refi_qda_import`).
"""

from __future__ import annotations

import functools
import io
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from jupyter_coding import __version__
from jupyter_coding.common.words import count
from jupyter_coding.fieldnotes import FieldNotes, Quote
from jupyter_coding.fieldnotes.reading import coding_traces
from jupyter_coding.interop.common import NothingToExport, display_paths
from jupyter_coding.study.codebook import Code, Codebook
from jupyter_coding.study.sources import sources_to_export

__all__ = [
    "CODEBOOK_NAMESPACE",
    "PROJECT_NAMESPACE",
    "ProjectExport",
    "code_guid",
    "export_project",
    "exported_codes",
    "guid",
    "write_qdc",
    "write_qdpx",
]

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
# every GUID of an export is uuid5(GUID_NAMESPACE, what it names): re-exports agree
GUID_NAMESPACE = uuid.UUID("6f1c3d2e-8a47-5b0e-9c61-2f4d7e9a1b35")
ORIGIN = f"jupyter_coding {__version__}"
DEFAULT_USER = "jupyter_coding"
QUOTE_SEPARATOR = "\n\n"
HEADER_VARIABLES = (
    "title",
    "url",
    "tiny url",
    "archive url",
    "source type",
    "author type",
    "source code",
    "example",
)
BOOLEAN_WORDS = {"yes": "true", "no": "false", "true": "true", "false": "false"}
RELATION_NAMES = {
    "force": "force",
    "decision_option": "decision option",
    "decision_link": "decision link",
    "link": "link",
}
# XML 1.0 forbids most control characters (p_1.md has PDF leftovers \x0b and \x0c)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@functools.lru_cache(maxsize=1 << 16)  # a code's GUID is asked for at every coding
def guid(*parts: str) -> str:
    """The stable GUID of what ``parts`` name, e.g. ``guid("code", "k8s")``."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts)))


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


class _Tree:
    """Builds the elements of one namespace, with text and attributes made XML-safe.

    Tags stay unqualified and the root declares the namespace as the default:
    ElementTree's ``default_namespace`` option refuses unqualified attributes.
    """

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def element(self, parent: ET.Element | None, tag: str, text: str | None = None, **attrs):
        clean = {key: _xml_text(str(value)) for key, value in attrs.items() if value is not None}
        if parent is None:
            node = ET.Element(tag, {"xmlns": self.namespace, **clean})
        else:
            node = ET.SubElement(parent, tag, clean)
        if text is not None:
            node.text = _xml_text(text)
        return node

    def serialise(self, root: ET.Element) -> bytes:
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


# -- the codebook ----------------------------------------------------------


def exported_codes(codebook: Codebook) -> list[Code]:
    """Codes defined, applied or related in a trace, by identifier; mere memo mentions left out.

    A memo item that no trace takes up (``Security``, ``life_cycle_management``) is a
    thought, not yet a code.
    """
    codes = [
        code
        for code in codebook.codes.values()
        if code.defined or code.use_count or code.relation_count
    ]
    return sorted(codes, key=lambda code: (code.identifier.casefold(), code.identifier))


def code_guid(identifier: str) -> str:
    return guid("code", identifier)


def category_guid(metaclass: str) -> str:
    return guid("metaclass", metaclass)


def _code_description(code: Code, paths: dict[str, str]) -> str:
    lines = []
    if code.label:
        lines.append(f"Label: {code.label}")
    lines.append(f"Identifier: {code.identifier}")
    if code.defined:
        lines.append(f"Metaclass: {code.metaclass}")
        sites = []
        for definition in code.definitions:
            site = f"{paths.get(definition.path, definition.path)}:{definition.line}"
            if definition.label != code.label and definition.label:
                site += f' (label "{definition.label}")'
            sites.append(site)
        lines.append("Defined at: " + ", ".join(sites))
    else:
        use = code.uses[0]
        lines.append(
            "Not defined in the field notes; first used at "
            f"{paths.get(use.path, use.path)}:{use.line}"
        )
    return "\n".join(lines)


def _codes_element(tree: _Tree, parent: ET.Element, codebook: Codebook) -> ET.Element:
    """``<Codes>``: one category per metaclass, then the codes never defined.

    The schemas want at least one code: callers check :func:`exported_codes` first.
    """
    codes = exported_codes(codebook)
    paths = display_paths(item.path for item in codebook.files())
    holder = tree.element(parent, "Codes")
    by_metaclass: dict[str, list[Code]] = {}
    loose: list[Code] = []
    for code in codes:
        if code.defined:
            by_metaclass.setdefault(code.metaclass or "", []).append(code)
        else:
            loose.append(code)

    def add(target: ET.Element, code: Code) -> None:
        tree.element(
            target,
            "Code",
            guid=code_guid(code.identifier),
            name=code.identifier,
            isCodable="true",
        )
        tree.element(target[-1], "Description", _code_description(code, paths))

    for metaclass in sorted(by_metaclass):
        members = by_metaclass[metaclass]
        category = tree.element(
            holder,
            "Code",
            guid=category_guid(metaclass),
            name=metaclass,
            isCodable="false",
        )
        tree.element(
            category,
            "Description",
            f"Metaclass {metaclass}: the {count(len(members), 'code')} defined as "
            f"CClass({metaclass}, ...) in the field notes",
        )
        for code in members:
            add(category, code)
    for code in loose:
        add(holder, code)
    return holder


def write_qdc(codebook: Codebook) -> bytes:
    """The study codebook as a REFI-QDA codebook (``.qdc``), UTF-8 XML bytes.

    A codebook without codes is not valid REFI-QDA: :class:`NothingToExport`.
    """
    if not exported_codes(codebook):
        raise NothingToExport("no codes to export: the field notes define or apply none")
    tree = _Tree(CODEBOOK_NAMESPACE)
    root = tree.element(None, "CodeBook", origin=ORIGIN)
    _codes_element(tree, root, codebook)
    return tree.serialise(root)


# -- the project -----------------------------------------------------------


@dataclass
class _Selection:
    quote: Quote
    start: int
    end: int
    codes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plain_text(notes: FieldNotes) -> tuple[str, list[_Selection]]:
    """The source's plain text (its quotes, blank-line separated) and where each quote is."""
    parts: list[str] = []
    selections: list[_Selection] = []
    offset = 0
    for quote in notes.quotes:
        text = quote.plain_text
        selections.append(_Selection(quote, offset, offset + len(text)))
        parts.append(text)
        offset += len(text) + len(QUOTE_SEPARATOR)
    return (QUOTE_SEPARATOR.join(parts) + "\n" if parts else ""), selections


@dataclass
class _Memo:
    guid: str
    name: str
    text: str
    linked: bool


def _variable_types(notes: list[FieldNotes]) -> dict[str, str]:
    """Boolean for a header field whose every value is yes/no, Text otherwise."""
    types = {}
    for name in HEADER_VARIABLES:
        values = {
            (item.header.value(name) or "").strip().lower() for item in notes if item.header
        } - {""}
        types[name] = "Boolean" if values and values <= set(BOOLEAN_WORDS) else "Text"
    return types


@dataclass(frozen=True)
class ProjectExport:
    """A ``.qdpx`` archive and what it holds."""

    data: bytes
    sources: int
    codes: int
    codings: int
    memos: int
    links: int


def write_qdpx(
    notes: Iterable[FieldNotes], user: str = DEFAULT_USER, name: str | None = None
) -> bytes:
    """The study as a REFI-QDA project (``.qdpx`` zip bytes), byte-identical on re-export."""
    return export_project(notes, user, name).data


def export_project(
    notes: Iterable[FieldNotes], user: str = DEFAULT_USER, name: str | None = None
) -> ProjectExport:
    """Build the ``.qdpx`` of parsed field notes (templates left out), with counts.

    No sources at all is :class:`NothingToExport`; a study without codes yet has no codebook.
    """
    exported = sources_to_export(notes)
    if not exported:
        raise NothingToExport("no sources to export: no field-notes files with a source id")
    sources = [item.notes for item in exported]
    codebook = Codebook.from_notes(sources)
    paths = display_paths(item.path or "" for item in sources)
    tree = _Tree(PROJECT_NAMESPACE)
    user_guid = guid("user", user)
    root = tree.element(
        None,
        "Project",
        name=name or "jupyter_coding study",
        origin=ORIGIN,
        creatingUserGUID=user_guid,
    )
    users = tree.element(root, "Users")
    tree.element(users, "User", guid=user_guid, name=user)
    known_codes = {code.identifier for code in exported_codes(codebook)}
    if known_codes:
        _codes_element(tree, tree.element(root, "CodeBook"), codebook)

    types = _variable_types(sources)
    variables = tree.element(root, "Variables")
    for variable in HEADER_VARIABLES:
        node = tree.element(
            variables,
            "Variable",
            guid=guid("variable", variable),
            name=variable,
            typeOfVariable=types[variable],
        )
        tree.element(node, "Description", f"the '## {variable}' field of the field-notes header")

    sources_node = tree.element(root, "Sources")
    memos: list[_Memo] = []
    texts: dict[str, str] = {}
    codings = 0
    for exported_source in exported:
        item, source = exported_source.notes, exported_source.source
        shown = paths.get(item.path or "", item.path or "")
        text, selections = plain_text(item)
        by_quote = {id(selection.quote): selection for selection in selections}
        source_memos: list[_Memo] = []
        for trace in coding_traces(item):
            quoted = [by_quote[id(q)] for q in trace.quotes if id(q) in by_quote]
            quoted = [selection for selection in quoted if selection.end > selection.start]
            codes = [code for code in trace.applies if code in known_codes]
            for selection in quoted:
                selection.codes.extend(c for c in codes if c not in selection.codes)
            memo = trace.open.memo if trace.open else ""
            if memo:
                where = f"{quoted[0].start}:{quoted[-1].end}" if quoted else f"line {trace.line}"
                memo_guid = guid("note", source, where)
                source_memos.append(
                    _Memo(memo_guid, f"Memo {shown}:{trace.line}", memo, bool(quoted))
                )
                for selection in quoted:
                    selection.notes.append(memo_guid)
        memos.extend(source_memos)

        source_guid = guid("source", source)
        # a source must have a text; one with no quotes yet gets a line that says so
        texts[source_guid] = text or f"(no quotes yet: field notes {shown})\n"
        node = tree.element(
            sources_node,
            "TextSource",
            guid=source_guid,
            name=source,
            plainTextPath=f"internal://{source_guid}.txt",
            creatingUser=user_guid,
        )
        title = item.header.value("title") if item.header else ""
        tree.element(node, "Description", f"{title}\nField notes: {shown}".lstrip("\n"))
        for selection in selections:
            if not (selection.codes or selection.notes):
                continue
            span = (source, str(selection.start), str(selection.end))
            chosen = tree.element(
                node,
                "PlainTextSelection",
                guid=guid("selection", *span),
                name=f"{shown}:{selection.quote.line}",
                startPosition=selection.start,
                endPosition=selection.end,
                creatingUser=user_guid,
            )
            codings += len(selection.codes)
            for code in selection.codes:
                coding = tree.element(
                    chosen, "Coding", guid=guid("coding", *span, code), creatingUser=user_guid
                )
                tree.element(coding, "CodeRef", targetGUID=code_guid(code))
            for memo_guid in selection.notes:
                tree.element(chosen, "NoteRef", targetGUID=memo_guid)
        for memo in source_memos:
            if not memo.linked:
                tree.element(node, "NoteRef", targetGUID=memo.guid)
        for variable in HEADER_VARIABLES:
            value = (item.header.value(variable) if item.header else None) or ""
            if not value.strip():
                continue
            holder = tree.element(node, "VariableValue")
            tree.element(holder, "VariableRef", targetGUID=guid("variable", variable))
            if types[variable] == "Boolean":
                tree.element(holder, "BooleanValue", BOOLEAN_WORDS[value.strip().lower()])
            else:
                tree.element(holder, "TextValue", value)

    if memos:
        notes_node = tree.element(root, "Notes")
        for memo in memos:
            note = tree.element(
                notes_node, "Note", guid=memo.guid, name=memo.name, creatingUser=user_guid
            )
            tree.element(note, "PlainTextContent", memo.text)

    links: dict[str, tuple[str, str, str]] = {}
    for relation in codebook.relations():
        if relation.source_code not in known_codes or relation.target_code not in known_codes:
            continue
        kind = RELATION_NAMES.get(relation.kind, relation.kind)
        label = f"{kind}: {relation.value}" if relation.value else kind
        key = guid("link", relation.kind, relation.source_code, relation.target_code, label)
        links.setdefault(key, (label, relation.source_code, relation.target_code))
    if links:
        links_node = tree.element(root, "Links")
        for key, (label, origin, target) in links.items():
            tree.element(
                links_node,
                "Link",
                guid=key,
                name=label,
                direction="OneWay",
                originGUID=code_guid(origin),
                targetGUID=code_guid(target),
            )

    members = {"project.qde": tree.serialise(root)}
    for source_guid, text in texts.items():
        members[f"sources/{source_guid}.txt"] = text.encode("utf-8")
    return ProjectExport(
        _zip(members), len(sources), len(known_codes), codings, len(memos), len(links)
    )


def _zip(members: dict[str, bytes]) -> bytes:
    """A zip with fixed dates and modes, members in the given order: stable bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
