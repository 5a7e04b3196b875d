"""Writing the markdown back from a notebook, safely.

One guard serves the command line (``jupyter-coding to-markdown``), the nbconvert
exporter (``jupyter nbconvert --to fieldnotes``) and the Jupyter Server save hook:
a markdown file is overwritten only when its bytes are still those the notebook
was made from (the ``sha256`` in the notebook's metadata) or those that
jupyter_coding itself last wrote there from the same notebook (a small record in
the Jupyter data folder, because a front end keeps the hash it loaded and saves it
back unchanged). Otherwise the markdown is left alone and the notebook's text is
written beside it, to ``NAME.md.from-notebook`` (or ``.from-notebook.1``, ... when
that exists: an earlier one may hold the researcher's merge work). Every write is
atomic, and the guard's read-check-write holds a lock beside the markdown file, so
two processes cannot both pass it.

Writes stay inside a root folder: the notebook's own folder (``to-markdown``
``--root`` widens it) or the Jupyter Server's root for the save hook. The markdown
file a notebook names in its metadata is checked by :func:`markdown_target`, and
where a write really lands (symbolic links followed) by :func:`inside_root`, before
anything is read or written: a notebook someone sends you cannot make us write
``../../.bashrc``. A link inside the root that points outside it is refused too,
since a cloned repository or an unpacked archive can carry links the researcher
never made.

nbconvert and jupyter_server are imported only where they are needed: the
exporter class is built on first access (``FieldNotesExporter``).

Why one module: one guard for every writer (command line, nbconvert, save hook): where
the target may be, whether it may be overwritten, and the atomic write must be read
together.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from jupyter_coding.common.files import (
    atomic_write,
    ensure_writable,
    find_field_notes,
    locked,
    sha256,
    write_new,
)
from jupyter_coding.fieldnotes import FieldNotesError
from jupyter_coding.fieldnotes.dialect import SEED, Dialect
from jupyter_coding.notebooks.convert import (
    METADATA_KEY,
    MarkdownExport,
    export_markdown,
    made_from_markdown,
    notebook_metadata,
)
from jupyter_coding.notebooks.json_text import loads

__all__ = [
    "ALTERNATE_SUFFIX",
    "MarkdownChanged",
    "MarkdownNotWritten",
    "UnsafeTarget",
    "WriteRecord",
    "WriteResult",
    "alternate_path",
    "inside_root",
    "markdown_target",
    "may_overwrite",
    "named_markdown",
    "post_save_hook",
    "write_markdown",
    "write_notebook_markdown",
]

ALTERNATE_SUFFIX = ".from-notebook"
MAX_ALTERNATES = 1000
RECORD_ENV = "JUPYTER_CODING_WRITE_RECORD"

log = logging.getLogger(__name__)


def _resolved(path: str | os.PathLike) -> str:
    return os.path.realpath(os.fspath(path))


class WriteRecord:
    """Which bytes jupyter_coding last wrote to which markdown file, from which notebook.

    Kept in ``<jupyter data dir>/jupyter_coding/written.json`` (or the file named
    by ``$JUPYTER_CODING_WRITE_RECORD``). It lets a notebook be saved again and
    again although its metadata still holds the hash of the markdown it was made
    from: the front end never learns about the newer markdown.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else self.default_path()
        self._entries: dict[str, dict] | None = None
        self._seen: tuple | None = None  # the record file's identity when it was read
        self._changes: dict[str, dict] = {}

    @staticmethod
    def default_path() -> Path:
        configured = os.environ.get(RECORD_ENV)
        if configured:
            return Path(configured)
        from jupyter_core.paths import jupyter_data_dir

        return Path(jupyter_data_dir()) / "jupyter_coding" / "written.json"

    def _identity(self) -> tuple | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def _load(self) -> dict[str, dict]:
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def wrote(self, target: Path, digest: str, notebook: str | os.PathLike | None) -> bool:
        """True when we last wrote these bytes to ``target`` from this notebook.

        The record is read again when another process (a Jupyter Server, say) has
        replaced it since, so the guard judges by what is on disk now.
        """
        identity = self._identity()
        if self._entries is None or identity != self._seen:
            self._entries, self._seen = self._load(), identity
        key = _resolved(target)
        entry = self._changes.get(key) or self._entries.get(key)
        return (
            isinstance(entry, dict)
            and entry.get("sha256") == digest
            and entry.get("notebook") == (_resolved(notebook) if notebook else None)
        )

    def remember(self, target: Path, digest: str, notebook: str | os.PathLike | None) -> None:
        self._changes[_resolved(target)] = {
            "sha256": digest,
            "notebook": _resolved(notebook) if notebook else None,
        }

    def save(self) -> None:
        """Add what was remembered to the record on disk, read afresh (another process,
        a Jupyter Server say, may have written to it meanwhile); entries of files that
        are gone are dropped. The write is atomic."""
        if not self._changes:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # the lock keeps two processes from each merging into what they read, and the
            # later one dropping the other's entries
            with locked(self.path):
                entries = {**self._load(), **self._changes}
                kept = {path: entry for path, entry in entries.items() if os.path.exists(path)}
                data = json.dumps(kept, indent=1, sort_keys=True).encode("utf-8")
                atomic_write(self.path, data, sync=False)  # a convenience, not research data
                self._entries, self._seen = kept, self._identity()
        except (OSError, FieldNotesError) as error:  # a convenience: never fail a write for it
            log.warning("could not update %s: %s", self.path, error)
        self._changes = {}


class MarkdownChanged(RuntimeError):
    """The save hook's refusal; Jupyter Server reports it to the front end."""


class MarkdownNotWritten(RuntimeError):
    """The save hook could not write the markdown (outside the root, a bad cell, ...)."""


@dataclass
class WriteResult:
    """What became of one markdown write."""

    target: Path
    status: str  # "written" | "unchanged" | "refused"
    alternate: Path | None = None
    notebook: str | None = None
    alternate_existed: bool = False  # the refused text was in that file already

    @property
    def refused(self) -> bool:
        return self.status == "refused"

    def message(self, how_to_force: str = "run again with --force") -> str:
        if self.status == "written":
            return f"wrote {self.target}"
        if self.status == "unchanged":
            return f"{self.target}: unchanged"
        since = (
            f" since {Path(self.notebook).name} was made from it (or last wrote it)"
            if self.notebook
            else ""
        )
        where = (
            f"the notebook's text is in {self.alternate} already"
            if self.alternate_existed
            else f"the notebook's text was written to {self.alternate} instead"
        )
        return (
            f"{self.target}: the file changed{since}, so it was not overwritten; {where} "
            f"(compare the two; to overwrite {self.target.name}, {how_to_force})"
        )


class UnsafeTarget(FieldNotesError):
    """A write that would land outside the folder it must stay in; nothing was written.

    ``real`` is where it would have landed, ``root`` the folder it must stay in (both
    with links resolved), ``through_link`` whether a symbolic link led out.
    """

    def __init__(self, message: str, path, real: str, root: str, through_link: bool):
        super().__init__(message, path)
        self.real, self.root, self.through_link = real, root, through_link


def _is_inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def inside_root(path: str | os.PathLike, root: str | os.PathLike, hint: str = "") -> Path:
    """Where a write to ``path`` really lands, when that is inside ``root``.

    The one check every writer of markdown calls (``to-markdown``, the save hook,
    nbconvert, and any future contents manager) before it reads or writes: symbolic
    links are followed, in ``path`` and in ``root``, and the real path must be ``root``
    or under it. Otherwise :class:`UnsafeTarget` (its message ends with ``hint``, how
    to allow it). Returns the real path, which is what should be read and replaced.
    """
    real = os.path.realpath(os.fspath(path))
    folder = os.path.realpath(os.fspath(root))
    if _is_inside(real, folder):
        return Path(real)
    through_link = os.path.normpath(os.path.abspath(os.fspath(path))) != real
    how = f"is a link to {real}" if through_link else f"is {real}"
    raise UnsafeTarget(
        f"{how}, outside {folder}, so it was neither read nor written{hint}",
        path,
        real,
        folder,
        through_link,
    )


def named_markdown(notebook_path: str | os.PathLike, notebook) -> Path:
    """The markdown file a notebook names (from its metadata, else the same name), unchecked.

    Only for comparing paths or taking the name; to read or write it, use
    :func:`markdown_target`.
    """
    notebook_path = Path(notebook_path)
    name = notebook_metadata(notebook, notebook_path).get("markdown")
    if name:
        return notebook_path.parent / name
    return notebook_path.with_suffix(".md")


def markdown_target(
    notebook_path: str | os.PathLike,
    notebook,
    root: str | os.PathLike | None = None,
    hint: str = "",
) -> Path:
    """The markdown file a notebook belongs to, checked: inside ``root``.

    ``root`` defaults to the notebook's own folder. The name comes from the
    notebook's metadata (``jupyter_coding.markdown``, relative to the notebook), else
    it is the notebook's name with ``.md``. A name that is not text, an absolute path,
    ``..`` out of the root or a link pointing out of it is a :class:`FieldNotesError`
    (:class:`UnsafeTarget`), raised before anything is read or written.
    """
    notebook_path = Path(notebook_path)
    target = named_markdown(notebook_path, notebook)
    folder = notebook_path.parent if root is None else Path(root)
    name = notebook_metadata(notebook, notebook_path).get("markdown") or target.name
    try:
        inside_root(target, folder)
    except UnsafeTarget as error:
        link = " through a link" if error.through_link else ""
        raise UnsafeTarget(
            f"its metadata names the markdown file {name!r}, which leads{link} to "
            f"{error.real}, outside {error.root}; refused, nothing was read or written{hint}",
            notebook_path,
            error.real,
            error.root,
            error.through_link,
        ) from None
    return target


def recorded_hash(notebook_path: str | os.PathLike, notebook, target: Path) -> str | None:
    """The notebook's hash of its markdown, when ``target`` is that markdown file."""
    digest = notebook_metadata(notebook, notebook_path).get("sha256")
    own = named_markdown(notebook_path, notebook)
    if not digest or _resolved(own) != _resolved(target):
        return None
    return digest


def alternate_path(target: str | os.PathLike, data: bytes) -> tuple[Path, bool]:
    """Where refused text goes: ``NAME.from-notebook``, else ``.from-notebook.1``, ...

    An existing one is never replaced (it may hold the researcher's merge work); one
    that holds exactly ``data`` already is reused. Returns (path, it exists already).
    Links are not followed: a path that is a link counts as taken.
    """
    target = Path(target)
    for number in range(MAX_ALTERNATES):
        suffix = ALTERNATE_SUFFIX + (f".{number}" if number else "")
        candidate = target.with_name(target.name + suffix)
        if not os.path.lexists(candidate):
            return candidate, False
        if candidate.is_file() and not candidate.is_symlink():
            try:
                if candidate.read_bytes() == data:
                    return candidate, True
            except OSError:
                continue
    raise FieldNotesError(
        f"{MAX_ALTERNATES} files {target.name}{ALTERNATE_SUFFIX}* exist already; "
        "clear some away first",
        target,
    )


def _write_alternate(target: Path, data: bytes, sync: bool) -> tuple[Path, bool]:
    """Write refused text to a new alternate file beside ``target`` (never over one)."""
    while True:
        alternate, existed = alternate_path(target, data)
        if existed:
            return alternate, True
        try:
            write_new(alternate, data, sync)
            return alternate, False
        except FileExistsError:  # taken meanwhile: the next number
            continue


def may_overwrite(
    target: Path,
    current: bytes,
    recorded_sha: str | None,
    notebook: str | os.PathLike | None,
    record: WriteRecord,
) -> bool:
    """The guard: are ``current`` (the bytes now in ``target``) ours to replace?"""
    digest = sha256(current)
    return digest == recorded_sha or record.wrote(target, digest, notebook)


def write_markdown(
    target: str | os.PathLike,
    text: str,
    *,
    recorded_sha: str | None,
    notebook: str | os.PathLike | None,
    record: WriteRecord,
    root: str | os.PathLike | None = None,
    force: bool = False,
    sync: bool = True,
) -> WriteResult:
    """Write ``text`` to ``target`` atomically, unless the guard refuses.

    Refused: ``target`` is left alone and the text goes to a new file beside it
    (:func:`alternate_path`). ``record`` is updated; save it when done. The write
    must land inside ``root`` (default: the target's folder; a link is written
    through to its target, when that is inside). A read-only target is not replaced.
    ``sync=False``: the caller syncs once after many writes (see ``atomic_write``).
    """
    target = Path(target)
    real = inside_root(target, target.parent if root is None else root)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:
        message = f"the text cannot be written as UTF-8 ({error.reason})"
        raise FieldNotesError(message, target) from None
    notebook_name = os.fspath(notebook) if notebook is not None else None
    current = _read(real, target)
    if current == data:  # nothing to write, so no lock (the folder may be read-only)
        record.remember(target, sha256(data), notebook)
        return WriteResult(target, "unchanged", notebook=notebook_name)
    # read, check and write as one step: another process must not pass the guard between
    with locked(real):
        current = _read(real, target)
        if current == data:
            record.remember(target, sha256(data), notebook)
            return WriteResult(target, "unchanged", notebook=notebook_name)
        if (
            current is not None
            and not force
            and not may_overwrite(target, current, recorded_sha, notebook, record)
        ):
            alternate, existed = _write_alternate(real, data, sync)
            if os.path.realpath(target.parent) == os.fspath(real.parent):  # not through a link
                alternate = target.parent / alternate.name  # named as the user named the file
            return WriteResult(target, "refused", alternate, notebook_name, existed)
        ensure_writable(target)
        atomic_write(real, data, sync)
        record.remember(target, sha256(data), notebook)
    return WriteResult(target, "written", notebook=notebook_name)


def _read(real: Path, target: Path) -> bytes | None:
    try:
        return real.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise FieldNotesError(error.strerror or str(error), target) from None


def write_notebook_markdown(
    notebook_path: str | os.PathLike,
    notebook,
    text: str,
    record: WriteRecord,
    *,
    target: str | os.PathLike | None = None,
    root: str | os.PathLike | None = None,
    force: bool = False,
    sync: bool = True,
) -> WriteResult:
    """Write a notebook's markdown ``text`` to ``target`` (default: the file it came from).

    Writes stay inside ``root``: by default the notebook's folder for its own
    markdown file, and the target's folder for a ``target`` given.
    """
    if target is None:
        target = markdown_target(notebook_path, notebook, root)
        if root is None:
            root = Path(notebook_path).parent
    target = Path(target)
    return write_markdown(
        target,
        text,
        recorded_sha=recorded_hash(notebook_path, notebook, target),
        notebook=notebook_path,
        record=record,
        root=root,
        force=force,
        sync=sync,
    )


def export_notebook_file(path: str | os.PathLike) -> tuple[dict, MarkdownExport]:
    """Read a notebook file and export its markdown: (notebook, export)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FieldNotesError(error.strerror or str(error), path) from None
    except UnicodeDecodeError:
        raise FieldNotesError("not a notebook (not UTF-8 text)", path) from None
    return read_and_export(text, path)


def read_and_export(text: str, path: str | os.PathLike) -> tuple[dict, MarkdownExport]:
    """Notebook JSON text (of the notebook at ``path``) as data, and its markdown."""
    try:
        notebook = loads(text)
    except Exception as error:  # json and nbformat raise several kinds for unreadable text
        raise FieldNotesError(f"not a readable notebook: {error}", path) from None
    return notebook, export_data(notebook, path, study_dialect(path))


def study_dialect(notebook_path: str | os.PathLike):
    """A function giving the dialect of the study beside a notebook (found when first asked)."""
    folder = Path(notebook_path).parent

    def find() -> Dialect:
        try:
            return Dialect.of_files(find_field_notes([folder]))
        except FieldNotesError:
            return SEED

    return find


def export_data(notebook: dict, path: str | os.PathLike, dialect=None) -> MarkdownExport:
    """The markdown of notebook data read from ``path``; a malformed notebook is a user error.

    New traces written in the concise form follow ``dialect`` (see :func:`study_dialect`).
    """
    try:
        return export_markdown(notebook, os.fspath(path), dialect)
    except KeyError as error:
        raise FieldNotesError(f"not a valid notebook: no {error.args[0]!r}", path) from None
    except (TypeError, AttributeError) as error:
        raise FieldNotesError(f"not a valid notebook ({error})", path) from None


# -- Jupyter Server ----------------------------------------------------------------------------


SERVER_HINT = " (the save hook writes only inside the server's root folder)"


def post_save_hook(model, os_path, contents_manager, **kwargs) -> None:
    """Jupyter Server save hook: write the markdown each time a field-notes notebook is saved.

    Enable it in ``jupyter_server_config.py``::

        c.FileContentsManager.post_save_hook = "jupyter_coding.exporter.post_save_hook"

    Notebooks without ``jupyter_coding`` metadata are left alone. The markdown file
    must be inside the server's root folder (``root_dir``): a notebook whose metadata
    names a file outside it is saved, but nothing else is read or written. When the
    guard refuses, the notebook is still saved, the markdown stays as it is, the text
    goes to ``NAME.md.from-notebook`` and the save reports the reason, which JupyterLab
    shows in a dialog; so does any other reason the markdown was not written.
    """
    if model.get("type") != "notebook":
        return
    logger = getattr(contents_manager, "log", log)
    try:
        with open(os_path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        logger.warning("jupyter_coding: could not read %s: %s", os_path, error)
        return
    if f'"{METADATA_KEY}"' not in text:  # not a field-notes notebook: spare the parsing
        return
    try:
        notebook = loads(text)
    except Exception as error:
        logger.warning("jupyter_coding: could not read %s: %s", os_path, error)
        return
    if not made_from_markdown(notebook):
        return
    root = getattr(contents_manager, "root_dir", None) or os.path.dirname(os_path)
    try:
        target = markdown_target(os_path, notebook, root, SERVER_HINT)
        export = export_data(notebook, os.path.basename(os_path), study_dialect(os_path))
        for notice in export.left_out:
            logger.info("jupyter_coding: %s: %s", os_path, notice)
        for notice in export.kept:
            logger.warning("jupyter_coding: %s: %s", os_path, notice)
        record = WriteRecord()
        result = write_notebook_markdown(
            os_path, notebook, export.text, record, target=target, root=root
        )
        record.save()
    except (FieldNotesError, OSError) as error:
        logger.warning("jupyter_coding: the markdown was not written: %s", error)
        raise MarkdownNotWritten(f"the markdown was not written: {error}") from None
    if result.refused:
        message = result.message(f"run `jupyter-coding to-markdown --force {os_path}`")
        logger.warning("jupyter_coding: %s", message)
        raise MarkdownChanged(message)
    if result.status == "written":
        logger.info("jupyter_coding: %s", result.message())


# -- nbconvert ---------------------------------------------------------------------------------


NBCONVERT_HINT = " (to allow a wider folder, pass --FieldNotesExporter.root=DIR)"


def _exporter_class():
    from nbconvert.exporters import Exporter
    from traitlets import Bool, Unicode, default

    class FieldNotesExporter(Exporter):
        """``jupyter nbconvert --to fieldnotes NB.ipynb``: the notebook's field-notes markdown.

        nbconvert writes its output next to the notebook, which for a notebook made
        by ``jupyter-coding to-notebook`` is the markdown file itself. So the same
        guard applies: a markdown file that changed since the notebook was made
        from it is not overwritten, and the text goes to ``NAME.md.from-notebook``
        (or the first free ``.from-notebook.N``) instead
        (``--FieldNotesExporter.force=True`` overwrites). The markdown file the
        notebook names, and where the output lands, must be inside ``root``
        (default: the notebook's folder, and the output's folder). Output is bytes,
        so nbconvert writes it without newline translation. Under ``jupyter
        nbconvert`` a problem with the notebook is one line and exit status 1.
        """

        export_from_notebook = "Field notes (markdown)"
        output_mimetype = "text/markdown"

        force = Bool(
            False,
            help="Overwrite the markdown file even when it changed since the notebook "
            "was made from it.",
        ).tag(config=True)

        root = Unicode(
            "",
            help="The folder the notebook's markdown file and the output must be in "
            "(default: the notebook's folder, and the output's folder).",
        ).tag(config=True)

        @default("file_extension")
        def _file_extension_default(self):
            return ".md"

        def from_notebook_node(self, nb, resources=None, **kw):
            nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
            name = resources.get("metadata", {}).get("name") or "notebook"
            folder = resources.get("metadata", {}).get("path") or "."
            try:
                dialect = study_dialect(Path(folder) / f"{name}.ipynb")
                export = export_data(nb_copy, f"{name}.ipynb", dialect)
                for notice in export.notices:
                    self.log.warning("%s.ipynb: %s", name, notice)
                destination = self._destination(resources)
                if destination is None:  # not writing files (a library call, or --stdout)
                    return export.text, resources
                self._guard(nb_copy, resources, destination, export.text)
            except FieldNotesError as error:
                self._fail(error)
            return export.text.encode("utf-8"), resources

        def _fail(self, error: FieldNotesError):
            """Under ``jupyter nbconvert``: the message on one line, exit 1; else raise."""
            from nbconvert.nbconvertapp import NbConvertApp

            if NbConvertApp.initialized():
                self.log.error("%s", error)
                NbConvertApp.instance().exit(1)
            raise error

        def _destination(self, resources) -> Path | None:
            """Where nbconvert's FilesWriter will write, when it is the writer."""
            if "unique_key" not in resources:
                return None
            app = self.config.get("NbConvertApp", {})
            if "Stdout" in str(app.get("writer_class", "FilesWriter")):
                return None
            folder = self.config.get("FilesWriter", {}).get("build_directory") or resources.get(
                "metadata", {}
            ).get("path", "")
            return Path(folder or ".") / (resources["unique_key"] + self.file_extension)

        def _guard(self, nb, resources, destination: Path, text: str) -> None:
            data = text.encode("utf-8")
            folder = resources.get("metadata", {}).get("path") or "."
            notebook = Path(folder) / (resources["metadata"].get("name", "notebook") + ".ipynb")
            if made_from_markdown(nb):  # a crafted markdown path is refused, as everywhere
                markdown_target(notebook, nb, self.root or None, NBCONVERT_HINT)
            real = inside_root(destination, self.root or destination.parent, NBCONVERT_HINT)
            record = WriteRecord()
            try:
                current: bytes | None = real.read_bytes()
            except OSError:
                current = None
            if (
                current is not None
                and current != data
                and not self.force
                and not may_overwrite(
                    destination, current, recorded_hash(notebook, nb, destination), notebook, record
                )
            ):
                alternate, _ = alternate_path(destination, data)  # where FilesWriter writes
                suffix = alternate.name.removeprefix(destination.name)
                resources["output_extension"] = self.file_extension + suffix
                self.log.warning(
                    "%s changed since %s was made from it, so it is not overwritten; the "
                    "notebook's text goes to %s instead (compare the two; to overwrite, "
                    "pass --FieldNotesExporter.force=True)",
                    destination,
                    notebook,
                    alternate,
                )
                return
            if current != data:
                ensure_writable(destination)
            record.remember(destination, sha256(data), notebook)
            record.save()

    return FieldNotesExporter


def __getattr__(name: str):
    if name == "FieldNotesExporter":
        cls = _exporter_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
