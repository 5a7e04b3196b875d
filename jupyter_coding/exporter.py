"""Writing the markdown back from a notebook, safely.

One guard serves the command line (``jupyter-coding to-markdown``), the nbconvert
exporter (``jupyter nbconvert --to fieldnotes``) and the Jupyter Server save hook:
a markdown file is overwritten only when its bytes are still those the notebook
was made from (the ``sha256`` in the notebook's metadata) or those that
jupyter_coding itself last wrote there from the same notebook (a small record in
the Jupyter data folder, because a front end keeps the hash it loaded and saves it
back unchanged). Otherwise the markdown is left alone and the notebook's text is
written beside it, to ``NAME.md.from-notebook``. Every write is atomic.

nbconvert and jupyter_server are imported only where they are needed: the
exporter class is built on first access (``FieldNotesExporter``).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .fieldnotes import FieldNotesError
from .fieldnotes.dialect import SEED, Dialect
from .files import atomic_write, find_field_notes, sha256
from .notebook import METADATA_KEY, MarkdownExport, export_markdown, made_from_markdown
from .notebook_text import loads

__all__ = [
    "ALTERNATE_SUFFIX",
    "MarkdownChanged",
    "WriteRecord",
    "WriteResult",
    "markdown_target",
    "may_overwrite",
    "post_save_hook",
    "write_markdown",
    "write_notebook_markdown",
]

ALTERNATE_SUFFIX = ".from-notebook"
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
        self._changes: dict[str, dict] = {}

    @staticmethod
    def default_path() -> Path:
        configured = os.environ.get(RECORD_ENV)
        if configured:
            return Path(configured)
        from jupyter_core.paths import jupyter_data_dir

        return Path(jupyter_data_dir()) / "jupyter_coding" / "written.json"

    def _load(self) -> dict[str, dict]:
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def wrote(self, target: Path, digest: str, notebook: str | os.PathLike | None) -> bool:
        """True when we last wrote these bytes to ``target`` from this notebook."""
        if self._entries is None:
            self._entries = self._load()
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
        entries = {**self._load(), **self._changes}
        kept = {path: entry for path, entry in entries.items() if os.path.exists(path)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = json.dumps(kept, indent=1, sort_keys=True).encode("utf-8")
            atomic_write(self.path, data, sync=False)  # a convenience, not research data
        except OSError as error:  # the record is a convenience: never fail a write for it
            log.warning("could not update %s: %s", self.path, error)
        self._entries = kept
        self._changes = {}


class MarkdownChanged(RuntimeError):
    """The save hook's refusal; Jupyter Server reports it to the front end."""


@dataclass
class WriteResult:
    """What became of one markdown write."""

    target: Path
    status: str  # "written" | "unchanged" | "refused"
    alternate: Path | None = None
    notebook: str | None = None

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
        return (
            f"{self.target}: the file changed{since}, so it was not overwritten; "
            f"the notebook's text was written to {self.alternate} instead "
            f"(compare the two; to overwrite {self.target.name}, {how_to_force})"
        )


def markdown_target(notebook_path: str | os.PathLike, notebook) -> Path:
    """The markdown file a notebook belongs to: from its metadata, else the same name."""
    notebook_path = Path(notebook_path)
    ours = notebook.get("metadata", {}).get(METADATA_KEY) or {}
    name = ours.get("markdown") if isinstance(ours, dict) else None
    if name:
        return notebook_path.parent / name
    return notebook_path.with_suffix(".md")


def recorded_hash(notebook_path: str | os.PathLike, notebook, target: Path) -> str | None:
    """The notebook's hash of its markdown, when ``target`` is that markdown file."""
    ours = notebook.get("metadata", {}).get(METADATA_KEY) or {}
    digest = ours.get("sha256") if isinstance(ours, dict) else None
    if not digest or _resolved(markdown_target(notebook_path, notebook)) != _resolved(target):
        return None
    return digest


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
    force: bool = False,
    sync: bool = True,
) -> WriteResult:
    """Write ``text`` to ``target`` atomically, unless the guard refuses.

    Refused: ``target`` is left alone and the text goes to
    ``target + ALTERNATE_SUFFIX``. ``record`` is updated; save it when done.
    ``sync=False``: the caller syncs once after many writes (see ``atomic_write``).
    """
    target = Path(target)
    data = text.encode("utf-8")
    notebook_name = os.fspath(notebook) if notebook is not None else None
    try:
        current: bytes | None = target.read_bytes()
    except FileNotFoundError:
        current = None
    except OSError as error:
        raise FieldNotesError(error.strerror or str(error), target) from None
    if current == data:
        record.remember(target, sha256(data), notebook)
        return WriteResult(target, "unchanged", notebook=notebook_name)
    if (
        current is not None
        and not force
        and not may_overwrite(target, current, recorded_sha, notebook, record)
    ):
        alternate = target.with_name(target.name + ALTERNATE_SUFFIX)
        atomic_write(alternate, data, sync)
        return WriteResult(target, "refused", alternate, notebook_name)
    atomic_write(target, data, sync)
    record.remember(target, sha256(data), notebook)
    return WriteResult(target, "written", notebook=notebook_name)


def write_notebook_markdown(
    notebook_path: str | os.PathLike,
    notebook,
    text: str,
    record: WriteRecord,
    *,
    target: str | os.PathLike | None = None,
    force: bool = False,
    sync: bool = True,
) -> WriteResult:
    """Write a notebook's markdown ``text`` to ``target`` (default: the file it came from)."""
    target = Path(target) if target is not None else markdown_target(notebook_path, notebook)
    return write_markdown(
        target,
        text,
        recorded_sha=recorded_hash(notebook_path, notebook, target),
        notebook=notebook_path,
        record=record,
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


def post_save_hook(model, os_path, contents_manager, **kwargs) -> None:
    """Jupyter Server save hook: write the markdown each time a field-notes notebook is saved.

    Enable it in ``jupyter_server_config.py``::

        c.FileContentsManager.post_save_hook = "jupyter_coding.exporter.post_save_hook"

    Notebooks without ``jupyter_coding`` metadata are left alone. When the guard
    refuses, the notebook is still saved, the markdown stays as it is, the text goes
    to ``NAME.md.from-notebook`` and the save reports the reason, which JupyterLab
    shows in a dialog.
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
    export = export_data(notebook, os.path.basename(os_path), study_dialect(os_path))
    for notice in export.left_out:
        logger.info("jupyter_coding: %s: %s", os_path, notice)
    record = WriteRecord()
    result = write_notebook_markdown(os_path, notebook, export.text, record)
    record.save()
    if result.refused:
        message = result.message(f"run `jupyter-coding to-markdown --force {os_path}`")
        logger.warning("jupyter_coding: %s", message)
        raise MarkdownChanged(message)
    if result.status == "written":
        logger.info("jupyter_coding: %s", result.message())


# -- nbconvert ---------------------------------------------------------------------------------


def _exporter_class():
    from nbconvert.exporters import Exporter
    from traitlets import Bool, default

    class FieldNotesExporter(Exporter):
        """``jupyter nbconvert --to fieldnotes NB.ipynb``: the notebook's field-notes markdown.

        nbconvert writes its output next to the notebook, which for a notebook made
        by ``jupyter-coding to-notebook`` is the markdown file itself. So the same
        guard applies: a markdown file that changed since the notebook was made
        from it is not overwritten, and the text goes to ``NAME.md.from-notebook``
        instead (``--FieldNotesExporter.force=True`` overwrites). Output is bytes,
        so nbconvert writes it without newline translation.
        """

        export_from_notebook = "Field notes (markdown)"
        output_mimetype = "text/markdown"

        force = Bool(
            False,
            help="Overwrite the markdown file even when it changed since the notebook "
            "was made from it.",
        ).tag(config=True)

        @default("file_extension")
        def _file_extension_default(self):
            return ".md"

        def from_notebook_node(self, nb, resources=None, **kw):
            nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
            name = resources.get("metadata", {}).get("name") or "notebook"
            export = export_markdown(nb_copy, f"{name}.ipynb")
            for notice in export.left_out:
                self.log.warning("%s.ipynb: %s", name, notice)
            destination = self._destination(resources)
            if destination is None:  # not writing files (a library call, or --stdout)
                return export.text, resources
            self._guard(nb_copy, resources, destination, export.text)
            return export.text.encode("utf-8"), resources

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
            record = WriteRecord()
            try:
                current: bytes | None = destination.read_bytes()
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
                alternate = destination.with_name(destination.name + ALTERNATE_SUFFIX)
                resources["output_extension"] = self.file_extension + ALTERNATE_SUFFIX
                self.log.warning(
                    "%s changed since %s was made from it, so it is not overwritten; the "
                    "notebook's text goes to %s instead (compare the two; to overwrite, "
                    "pass --FieldNotesExporter.force=True)",
                    destination,
                    notebook,
                    alternate,
                )
                return
            record.remember(destination, sha256(data), notebook)
            record.save()

    return FieldNotesExporter


def __getattr__(name: str):
    if name == "FieldNotesExporter":
        cls = _exporter_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
