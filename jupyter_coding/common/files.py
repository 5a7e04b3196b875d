"""Finding field-notes files and writing them safely."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from jupyter_coding.fieldnotes import FieldNotesError

__all__ = [
    "LOCK_SUFFIX",
    "STALE_SECONDS",
    "atomic_write",
    "ensure_writable",
    "find_field_notes",
    "locked",
    "remove_stale_temporaries",
    "sha256",
    "write_new",
]

# A temporary file of ours is ``.NAME.<8 characters of mkstemp>.tmp`` beside NAME; one older
# than this was left by a process that died mid-write (kill -9, power cut) and is removed.
STALE_SECONDS = 15 * 60
_TEMPORARY_TAIL = re.compile(r"[a-z0-9_]{8}\.tmp")
LOCK_SUFFIX = ".jupyter-coding-lock"
LOCK_TIMEOUT = 60.0  # seconds to wait for another process writing the same file


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


def _real(path: str | os.PathLike) -> Path:
    """Where a write to ``path`` lands: symbolic links are followed to their target."""
    return Path(os.path.realpath(os.fspath(path)))


def ensure_writable(path: str | os.PathLike) -> None:
    """Refuse to replace a read-only file (``chmod 444``): the researcher protected it.

    ``os.replace`` only needs the folder to be writable, so without this check an
    atomic write would replace a read-only file; and root may write anything, so the
    permission bits are read, not ``os.access``. A missing file is fine.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(path, os.W_OK)):
        raise FieldNotesError(
            "the file is read-only, so it was not overwritten (make it writable to write it)",
            path,
        )


def remove_stale_temporaries(path: str | os.PathLike, older_than: float = STALE_SECONDS) -> int:
    """Remove temporary files that :func:`atomic_write` left beside ``path`` when killed.

    Only regular files named exactly as ours (``.NAME.xxxxxxxx.tmp``) and untouched for
    ``older_than`` seconds: a write in progress, or anybody else's file, is never
    touched. Returns how many were removed.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    prefix = f".{path.name}."
    removed = 0
    try:
        names = os.listdir(directory)
    except OSError:
        return 0
    now = time.time()
    for name in names:
        if not name.startswith(prefix) or not _TEMPORARY_TAIL.fullmatch(name[len(prefix) :]):
            continue
        candidate = directory / name
        try:
            info = os.lstat(candidate)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > older_than:
                os.unlink(candidate)
                removed += 1
        except OSError:  # gone meanwhile, or not ours to remove
            continue
    return removed


def _write_temporary(directory: Path, name: str, data: bytes, sync: bool) -> str:
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            if sync:
                os.fsync(out.fileno())
    except BaseException:
        _unlink_quietly(temporary)
        raise
    return temporary


def _unlink_quietly(path: str | os.PathLike) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def atomic_write(path: str | os.PathLike, data: bytes, sync: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    A crash leaves either the old file or the new one, never half of one; temporary
    files that an earlier, killed write left behind are removed (see
    :func:`remove_stale_temporaries`). A symbolic link is written through: the
    temporary file goes beside the link's target and replaces the target, so the link
    stays a link. The file keeps its permission bits when it existed; a read-only
    file is refused (:func:`ensure_writable`). ``sync=False`` skips the ``fsync``
    (about 10 ms a file on some disks), for files that can be made again or when the
    caller syncs once after writing many (``os.sync``).
    """
    path = _real(path)
    ensure_writable(path)
    remove_stale_temporaries(path)
    temporary = _write_temporary(path.parent, path.name, data, sync)
    try:
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        _unlink_quietly(temporary)
        raise


def write_new(path: str | os.PathLike, data: bytes, sync: bool = True) -> None:
    """Create ``path`` holding ``data``, atomically, and never over an existing file.

    ``FileExistsError`` when ``path`` exists (a symbolic link included: it is not
    followed). The data is written to a temporary file and hard-linked into place,
    which fails rather than replaces; where hard links are not supported the file is
    created with ``O_EXCL`` and written in place.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(path)
    temporary = _write_temporary(directory, path.name, data, sync)
    try:
        os.chmod(temporary, 0o666 & ~_umask())
        try:
            os.link(temporary, path, follow_symlinks=False)
            return
        except FileExistsError:
            raise
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
    finally:
        _unlink_quietly(temporary)
    with open(path, "xb") as out:  # no hard links here (some network and FUSE file systems)
        out.write(data)
        out.flush()
        if sync:
            os.fsync(out.fileno())


@contextlib.contextmanager
def locked(path: str | os.PathLike, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a file that may not exist yet) across processes.

    The lock is a file beside ``path`` (``.NAME.jupyter-coding-lock``) locked with
    ``flock``, which the system releases when the holder dies, so a lock left by a
    killed process never blocks. The file is removed on release; a process that
    locked a file removed meanwhile tries again. Waiting longer than ``timeout``
    seconds for a live holder is a :class:`FieldNotesError`.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    lock_path = directory / f".{path.name}{LOCK_SUFFIX}"
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        fcntl = None
    deadline = time.monotonic() + timeout
    while True:
        if fcntl is None:  # pragma: no cover - not POSIX
            handle = _exclusive_create(lock_path, deadline, path)
            try:
                yield
            finally:
                _unlink_quietly(lock_path)
                os.close(handle)
            return
        handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise _busy(path) from None
                    time.sleep(0.01)
            try:
                current = os.stat(lock_path)
            except FileNotFoundError:
                current = None
            mine = os.fstat(handle)
            if current is None or (current.st_dev, current.st_ino) != (mine.st_dev, mine.st_ino):
                continue  # its holder removed the file we locked: lock the new one
            try:
                yield
            finally:
                _unlink_quietly(lock_path)
            return
        finally:
            os.close(handle)


def _busy(path: Path) -> FieldNotesError:
    return FieldNotesError(
        "another process has been writing this file for a while; try again later", path
    )


def _exclusive_create(lock_path: Path, deadline: float, path: Path) -> int:  # pragma: no cover
    """Without ``flock``: a lock file created with ``O_EXCL``; one older than a minute is stale."""
    while True:
        try:
            return os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            try:
                if time.time() - os.stat(lock_path).st_mtime > LOCK_TIMEOUT:
                    _unlink_quietly(lock_path)
                    continue
            except FileNotFoundError:
                continue
            if time.monotonic() > deadline:
                raise _busy(path) from None
            time.sleep(0.01)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
