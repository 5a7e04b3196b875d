"""A version of a study: a folder on disk, or a folder (or file) at a git revision.

``coder-b:study/`` reads the ``*.md`` files of ``study/`` as they are on branch
``coder-b``, with ``git ls-tree`` and ``git cat-file`` in the current repository:
nothing is checked out, the work tree is left alone. The path after the colon is
git's: relative to the repository's top folder, or to the current folder when it
starts with ``./``. Files are chosen as :func:`jupyter_coding.common.files.find_field_notes`
chooses them (README files and hidden folders skipped).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from jupyter_coding.common.files import find_field_notes
from jupyter_coding.fieldnotes import FieldNotesError, read_text
from jupyter_coding.fieldnotes.lines import decode

__all__ = ["StudyVersion", "is_revision", "read_version", "read_versions"]


@dataclass
class StudyVersion:
    """The field-notes files of one version of a study, by path relative to the study.

    ``prefix`` + a relative path is how a file is named in messages
    (``coder-b:study/s_43.md``, ``study_b/s_43.md``); ``root`` is the folder on disk,
    None for a git revision.
    """

    spec: str
    name: str
    files: dict[str, str] = field(default_factory=dict)
    prefix: str = ""
    root: Path | None = None
    revision: str | None = None
    single_file: bool = False  # a file was named, not a folder

    def location(self, relative: str) -> str:
        """How the file ``relative`` of this version is named in messages."""
        return self.prefix + relative

    def disk_path(self, relative: str) -> Path | None:
        """The file on disk (None for a git revision)."""
        return self.root / relative if self.root is not None else None


def is_revision(spec: str) -> bool:
    """``REV:PATH`` that is not a path on disk (``C:\\study`` on Windows is one)."""
    return ":" in spec and not os.path.exists(spec)


def read_version(spec: str, name: str | None = None, cwd: str | os.PathLike | None = None):
    """Read a study version: a folder or file, else ``REV:PATH`` through git.

    ``name`` (default: the revision, else the folder's name) says whose version it is.
    """
    if not is_revision(spec):
        return _read_folder(spec, name)
    return _read_revision(spec, name, cwd)


def read_versions(specs: list[str], names: list[str] | None = None, cwd=None) -> list:
    """Several versions, with distinct names (``main``, ``main#2`` ...)."""
    if names is not None and len(names) != len(specs):
        raise FieldNotesError(f"{len(names)} names given for {len(specs)} versions")
    versions = []
    taken: set[str] = set()
    for index, spec in enumerate(specs):
        version = read_version(spec, names[index] if names else None, cwd)
        base, number = version.name, 1
        while version.name in taken:
            number += 1
            version.name = f"{base}#{number}"
        taken.add(version.name)
        versions.append(version)
    return versions


def _read_folder(spec: str, name: str | None) -> StudyVersion:
    path = Path(spec)
    if path.is_file():
        root = path.parent
        files = {path.name: read_text(path)}
    else:
        root = path
        files = {
            found.relative_to(path).as_posix(): read_text(found)
            for found in find_field_notes([path])
        }
    shown = os.fspath(root)
    prefix = "" if shown == "." else shown.rstrip("/" + os.sep) + "/"
    default = path.resolve().name if path.is_dir() else root.resolve().name
    return StudyVersion(spec, name or default or spec, files, prefix, root, None, path.is_file())


def _git(args: list[str], cwd, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    except FileNotFoundError:
        raise FieldNotesError("git is not installed, so revisions cannot be read") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise FieldNotesError(message[0] if message else f"git {args[0]} failed")
    return done.stdout


def _chosen(relative: str) -> bool:
    """The files :func:`find_field_notes` would take from a folder."""
    parts = PurePosixPath(relative).parts
    return (
        relative.endswith(".md")
        and not any(part.startswith(".") for part in parts[:-1])
        and parts[-1].lower() != "readme.md"
        and not parts[-1].startswith(".")
    )


def _read_revision(spec: str, name: str | None, cwd) -> StudyVersion:
    revision, _, path = spec.partition(":")
    target = f"{revision}:{path}"
    try:
        kind = _git(["cat-file", "-t", target], cwd).decode().strip()
    except FieldNotesError as error:
        raise FieldNotesError(
            f"neither a file or folder nor a git revision of one ({error.message})", spec
        ) from None
    if kind == "tree":
        listing = _git(["ls-tree", "-r", "-z", target], cwd).decode("utf-8")
        wanted = []
        for entry in filter(None, listing.split("\0")):
            meta, _, relative = entry.partition("\t")
            _mode, object_type, object_id = meta.split()
            if object_type == "blob" and _chosen(relative):
                wanted.append((relative, object_id))
        prefix = f"{revision}:{path.rstrip('/')}/" if path.strip("/.") else f"{revision}:"
    elif kind == "blob":
        object_id = _git(["rev-parse", target], cwd).decode().strip()
        relative = PurePosixPath(path).name
        wanted = [(relative, object_id)]
        parent = str(PurePosixPath(path).parent)
        prefix = f"{revision}:" + ("" if parent in (".", "") else parent + "/")
    else:
        raise FieldNotesError(f"git revision of a {kind}, not of a file or folder", spec)
    files = {
        relative: decode(data, prefix + relative)
        for (relative, _), data in zip(wanted, _blobs([oid for _, oid in wanted], cwd), strict=True)
    }
    files = dict(sorted(files.items()))
    return StudyVersion(spec, name or revision, files, prefix, None, revision, kind == "blob")


def _blobs(object_ids: list[str], cwd) -> list[bytes]:
    """The contents of blobs, read by one ``git cat-file --batch``."""
    if not object_ids:
        return []
    output = _git(["cat-file", "--batch"], cwd, ("\n".join(object_ids) + "\n").encode())
    blobs, position = [], 0
    for _ in object_ids:
        end = output.index(b"\n", position)
        size = int(output[position:end].split()[2])
        blobs.append(output[end + 1 : end + 1 + size])
        position = end + 1 + size + 1  # the blob and the newline after it
    return blobs
