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
"""

from __future__ import annotations

import functools
import io
import re
import uuid
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from jupyter_coding import __version__
from jupyter_coding.common.words import count
from jupyter_coding.fieldnotes import FieldNotes, FieldNotesError, Quote
from jupyter_coding.fieldnotes.reading import coding_traces
from jupyter_coding.interop.common import NothingToExport, display_paths
from jupyter_coding.study.codebook import Code, Codebook
from jupyter_coding.study.sources import sources_to_export

__all__ = [
    "CODEBOOK_NAMESPACE",
    "PROJECT_NAMESPACE",
    "CodebookChanges",
    "ExchangedCode",
    "ProjectContent",
    "ProjectExport",
    "ProjectSource",
    "compare_codebook",
    "export_project",
    "exported_codes",
    "guid",
    "read_codebook",
    "read_project",
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


# -- reading ---------------------------------------------------------------


@dataclass(frozen=True)
class ExchangedCode:
    """A code as a REFI-QDA file has it."""

    guid: str
    name: str
    codable: bool
    description: str
    parent: str | None  # GUID of the enclosing code
    category: str | None  # name of the enclosing category (a code that cannot be coded)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_XML_POSITION = re.compile(r": line \d+, column \d+$")


def _xml_error(error: ET.ParseError, what: str) -> FieldNotesError:
    line, _ = error.position
    message = _XML_POSITION.sub("", str(error))
    return FieldNotesError(f"not a valid REFI-QDA {what}: {message}", None, line)


def _parse_xml(data: bytes, what: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        raise _xml_error(error, what) from None


# -- reading archives: what a .qdpx may make us read ---------------------------

# A .qdpx is a zip someone sent: a 1 MB one can unpack to gigabytes (a zip bomb).
# The directory says how big each member is, and is checked first, but it can
# lie, so the bytes are counted again while they are unpacked.
MAX_UNPACKED = 512 * 2**20  # bytes unpacked from one archive, all members together
MAX_RATIO = 100  # unpacked bytes per byte of the archive; real projects have about 6
RATIO_FROM = 2**20  # below this many bytes unpacked the ratio is not held against it
_CHUNK = 2**16


# what a damaged, encrypted or oddly packed member raises while it is unpacked
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


class _Unpacked:
    """Counts what is unpacked from one archive and stops at either limit."""

    def __init__(self, archive_size: int) -> None:
        self.archive_size = max(archive_size, 1)
        self.total = 0

    def check(self, name: str, size: int, said: bool = False) -> None:
        """Refuse when ``size`` more bytes of ``name`` go past a limit."""
        total = self.total + size
        verb = "would unpack" if said else "unpacks"
        if total > MAX_UNPACKED:
            raise FieldNotesError(
                f"{name} in the archive {verb} to more than {MAX_UNPACKED // 2**20} MiB "
                "(the most read from a .qdpx); nothing was read"
            )
        if total > RATIO_FROM and total > MAX_RATIO * self.archive_size:
            raise FieldNotesError(
                f"{name} in the archive {verb} to more than {MAX_RATIO} times the archive's "
                f"{self.archive_size:,} bytes (a zip bomb?); nothing was read"
            )

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, sink) -> None:
        """Unpack one member chunk by chunk into ``sink``, within the limits."""
        self.check(info.filename, info.file_size, said=True)
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise FieldNotesError(
                f"{info.filename} in the archive would unpack to {info.file_size:,} bytes from "
                f"{info.compress_size:,}, more than {MAX_RATIO} times (a zip bomb?); "
                "nothing was read"
            )
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    self.check(info.filename, len(chunk))
                    self.total += len(chunk)
                    sink(chunk)
        except _DAMAGED as error:
            message = f"{info.filename} in the archive cannot be read: {error}"
            raise FieldNotesError(message) from None


def _open_archive(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise FieldNotesError(f"not a .qdpx archive: {error}") from None


def _project_root(data: bytes, unpacked: _Unpacked | None = None) -> ET.Element:
    """The parsed ``project.qde`` of a ``.qdpx`` archive, parsed as it is unpacked."""
    unpacked = unpacked or _Unpacked(len(data))
    with _open_archive(data) as archive:
        members = [i for i in archive.infolist() if i.filename.lower().endswith(".qde")]
        if not members:
            raise FieldNotesError("the .qdpx archive holds no project.qde")
        parser = ET.XMLParser()
        try:
            unpacked.read(archive, members[0], parser.feed)
            return parser.close()
        except ET.ParseError as error:
            raise _xml_error(error, "project") from None


def _child(node: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in node if _local(child.tag) == name), None)


def _children(node: ET.Element | None, name: str) -> list[ET.Element]:
    return [] if node is None else [child for child in node if _local(child.tag) == name]


def _read_codes(holder: ET.Element | None) -> list[ExchangedCode]:
    found: list[ExchangedCode] = []

    def walk(node: ET.Element, parent: ET.Element | None, category: str | None) -> None:
        codable = node.get("isCodable", "true").strip().lower() in ("true", "1")
        description = _child(node, "Description")
        found.append(
            ExchangedCode(
                node.get("guid", "").strip("{}").lower(),
                node.get("name", ""),
                codable,
                (description.text or "") if description is not None else "",
                parent.get("guid", "").strip("{}").lower() if parent is not None else None,
                category,
            )
        )
        inner = category if codable else node.get("name", "")
        for child in _children(node, "Code"):
            walk(child, node, inner)

    for code in _children(holder, "Code"):
        walk(code, None, None)
    return found


def read_codebook(data: bytes) -> list[ExchangedCode]:
    """Every code (categories included) of a ``.qdc`` codebook or a ``.qdpx`` project.

    From a ``.qdpx`` no more than :data:`MAX_UNPACKED` bytes, nor more than
    :data:`MAX_RATIO` times the archive's size, are unpacked: past either limit
    it is a :class:`FieldNotesError` that says which.
    """
    root = _project_root(data) if data[:2] == b"PK" else _parse_xml(data, "codebook")
    if _local(root.tag) == "Project":
        book = _child(root, "CodeBook")
        root = book if book is not None else root
    if _local(root.tag) != "CodeBook":
        raise FieldNotesError(f"not a REFI-QDA codebook: the root element is <{_local(root.tag)}>")
    return _read_codes(_child(root, "Codes"))


@dataclass
class ProjectSource:
    """A text source of a REFI-QDA project as read back."""

    guid: str
    name: str
    text: str
    # (start, end, code GUIDs, note GUIDs, creating users of the codings)
    selections: list[tuple[int, int, list[str], list[str], list[str]]]
    variables: dict[str, str]


@dataclass
class ProjectContent:
    """What :func:`read_project` finds in a ``.qdpx``."""

    name: str
    users: dict[str, str]  # GUID -> name
    codes: list[ExchangedCode]
    sources: list[ProjectSource]
    notes: dict[str, str]  # GUID -> text
    links: list[tuple[str, str, str]]  # (name, origin GUID, target GUID)
    members: list[str]  # the archive's file names


def read_project(data: bytes) -> ProjectContent:
    """Read a ``.qdpx`` back: codes, sources with their text and codings, notes, links.

    Within the limits of :func:`read_codebook`, for all members together.
    """
    unpacked = _Unpacked(len(data))
    root = _project_root(data, unpacked)
    files: dict[str, bytes] = {}
    with _open_archive(data) as archive:
        members = archive.namelist()
        for info in archive.infolist():
            if info.filename.startswith("sources/"):
                chunks: list[bytes] = []
                unpacked.read(archive, info, chunks.append)
                files[info.filename] = b"".join(chunks)
    variables = {
        v.get("guid"): v.get("name", "") for v in root.iter() if _local(v.tag) == "Variable"
    }
    sources = []
    for node in _children(_child(root, "Sources"), "TextSource"):
        path = node.get("plainTextPath", "")
        text = ""
        if path.startswith("internal://"):
            text = files[f"sources/{path.removeprefix('internal://')}"].decode("utf-8")
        else:
            content = _child(node, "PlainTextContent")
            text = (content.text or "") if content is not None else ""
        selections = []
        for chosen in _children(node, "PlainTextSelection"):
            codings = _children(chosen, "Coding")
            selections.append(
                (
                    int(chosen.get("startPosition", "0")),
                    int(chosen.get("endPosition", "0")),
                    [_child(c, "CodeRef").get("targetGUID", "") for c in codings],
                    [n.get("targetGUID", "") for n in _children(chosen, "NoteRef")],
                    [c.get("creatingUser", "") for c in codings],
                )
            )
        values = {}
        for holder in _children(node, "VariableValue"):
            ref = _child(holder, "VariableRef")
            value = next((c for c in holder if c is not ref), None)
            if ref is not None and value is not None:
                values[variables.get(ref.get("targetGUID"), "")] = value.text or ""
        sources.append(
            ProjectSource(node.get("guid", ""), node.get("name", ""), text, selections, values)
        )
    notes = {}
    for note in _children(_child(root, "Notes"), "Note"):
        content = _child(note, "PlainTextContent")
        notes[note.get("guid", "")] = (content.text or "") if content is not None else ""
    book = _child(root, "CodeBook")
    return ProjectContent(
        root.get("name", ""),
        {u.get("guid", ""): u.get("name", "") for u in _children(_child(root, "Users"), "User")},
        _read_codes(_child(book, "Codes") if book is not None else None),
        sources,
        notes,
        [
            (link.get("name", ""), link.get("originGUID", ""), link.get("targetGUID", ""))
            for link in _children(_child(root, "Links"), "Link")
        ],
        members,
    )


# -- comparing a codebook read back with the field notes ---------------------


@dataclass
class CodebookChanges:
    """How a codebook read back differs from the study's codes.

    ``renamed`` and ``merged`` are (identifier in the notes, name in the file):
    merged when the new name is another code of the study.
    """

    codes: int
    renamed: list[tuple[str, str]] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)
    new: list[ExchangedCode] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    recategorised: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.renamed or self.merged or self.new or self.gone or self.recategorised)

    def as_dict(self) -> dict:
        return {
            "codes": self.codes,
            "renamed": [{"identifier": old, "name": new} for old, new in self.renamed],
            "merged": [{"identifier": old, "into": new} for old, new in self.merged],
            "new": [{"name": c.name, "category": c.category, "guid": c.guid} for c in self.new],
            "gone": self.gone,
            "recategorised": [
                {"identifier": code, "metaclass": old, "category": new}
                for code, old, new in self.recategorised
            ],
        }


def compare_codebook(exchanged: list[ExchangedCode], codebook: Codebook) -> CodebookChanges:
    """Match the file's codes to the study's by GUID, else by name, and list the changes.

    Categories (codes that cannot be coded with, or named by a metaclass GUID) are
    not codes. A code whose GUID another tool replaced is still matched by its name.
    """
    study = {code.identifier: code for code in exported_codes(codebook)}
    by_guid = {code_guid(identifier): identifier for identifier in study}
    category_guids = {category_guid(m) for m in codebook.metaclasses()}
    codes = [c for c in exchanged if c.codable and c.guid not in category_guids and c.name.strip()]
    # a file without categories (a tool that flattened them) says nothing about metaclasses
    has_categories = any(c.category for c in codes)
    changes = CodebookChanges(len(codes))
    matched: set[str] = set()
    for code in codes:
        identifier = by_guid.get(code.guid)
        if identifier is None and code.name in study:
            identifier = code.name
        if identifier is None:
            changes.new.append(code)
            continue
        matched.add(identifier)
        if code.name != identifier:
            target = changes.merged if code.name in study else changes.renamed
            target.append((identifier, code.name))
        metaclass = study[identifier].metaclass
        if has_categories and code.category != metaclass:
            changes.recategorised.append((identifier, metaclass, code.category))
    changes.gone = [identifier for identifier in study if identifier not in matched]
    return changes
