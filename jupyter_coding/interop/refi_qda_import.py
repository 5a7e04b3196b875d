"""Reading REFI-QDA files back: a codebook (``.qdc``) or project (``.qdpx``) another tool
wrote, read as plainly as it can be (with limits on what an archive may make us unpack),
and compared with the study's field notes (``jupyter-coding import``).

Writing is :mod:`jupyter_coding.interop.refi_qda`.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from jupyter_coding.fieldnotes import FieldNotesError
from jupyter_coding.study.codebook import Codebook

__all__ = [
    "MAX_UNPACKED",
    "CodebookChanges",
    "ExchangedCode",
    "ProjectContent",
    "ProjectSource",
    "compare_codebook",
    "read_codebook",
    "read_project",
]

from jupyter_coding.interop.refi_qda import (
    category_guid,
    code_guid,
    exported_codes,
)

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
