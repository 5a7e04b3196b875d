"""Finding field-notes files and writing them safely."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .fieldnotes import FieldNotesError

__all__ = ["atomic_write", "find_field_notes", "sha256"]


def find_field_notes(paths: Iterable[str | os.PathLike], suffix: str = ".md") -> list[Path]:
    """Files named on the command line, and ``*.md`` files found under folders.

    Folders are searched recursively in sorted order; hidden folders, README
    files and ``.ipynb_checkpoints`` are skipped. A path that does not exist is
    a :class:`FieldNotesError`.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in sorted(path.rglob(f"*{suffix}")):
                relative = candidate.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if candidate.name.lower() == "readme.md" or not candidate.is_file():
                    continue
                found.append(candidate)
        elif path.is_file():
            found.append(path)
        else:
            raise FieldNotesError("no such file or folder", path)
    return list(dict.fromkeys(found))


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes: how a notebook remembers the markdown it came from."""
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: str | os.PathLike, data: bytes, sync: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    A crash leaves either the old file or the new one, never half of one. The
    file keeps its permission bits when it existed. ``sync=False`` skips the
    ``fsync`` (about 10 ms a file on some disks), for files that can be made again
    or when the caller syncs once after writing many (``os.sync``).
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            if sync:
                os.fsync(out.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
