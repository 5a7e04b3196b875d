"""A field-notes ``.md`` opened as a notebook in Jupyter Server, and saved as the ``.md``.

:func:`build_contents_manager_class` derives a contents manager from the server's
own (the way jupytext does: a subclass of whatever class is configured, so the rest
keeps working as before). It changes two requests and nothing else:

- ``GET /api/contents/NAME.md?type=notebook`` of a field-notes file (a header and a
  source definition) answers with the notebook view, :func:`notebook.to_notebook`,
  exact. The view's metadata holds the SHA-256 of the bytes it was made from and a
  token of this opening. Other markdown asked for as a notebook goes to the
  manager underneath (jupytext, say), whose refusal is told in words a researcher
  understands; asked for as a file (JupyterLab's editor) every ``.md`` is a file.
- ``PUT /api/contents/NAME.md`` of a notebook made from field notes writes only the
  ``.md``: the same exact export as ``to-markdown``, atomically, through the same
  guard (:func:`exporter.write_markdown`, with its lock) and only inside the server's
  root (:func:`exporter.inside_root`). A markdown file whose bytes are neither those
  the view was made from nor those this opening last saved is never overwritten:
  the text goes to a new ``NAME.md.from-notebook`` (``.1``, ...) and the save fails
  with HTTP 409, whose message JupyterLab shows. No ``.ipynb`` is written unless
  ``FieldNotesContents.paired_notebook`` is on; then ``NAME.ipynb`` beside it keeps
  outputs and scratch cells, and is opened again as long as its field notes are the
  markdown's.

How the guard knows what was opened: the view's ``sha256`` (the front end sends the
metadata it loaded back with every save), and for the saves after the first, the
write record (:class:`exporter.WriteRecord`) naming this opening (the ``.md`` path and
the view's ``opened`` token): a second browser tab that opened the file before the
first tab saved is refused like an editor's change.

Outputs of ``%%code`` cells (chips, warnings, the picker) and code cells without
``%%code`` are not field notes: they are not written to the ``.md``.

jupyter_server and tornado are imported only where a server needs them.

Why one module: the contents manager, its GET and its save are one protocol with Jupyter
Server; the refusals (changed file, second tab) need the paired views beside them.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from traitlets import Bool
from traitlets.config import LoggingConfigurable

from jupyter_coding.common.files import atomic_write, sha256
from jupyter_coding.fieldnotes import FieldNotes, FieldNotesError, parse
from jupyter_coding.fieldnotes.lines import decode
from jupyter_coding.notebooks.convert import (
    METADATA_KEY,
    MarkdownExport,
    made_from_markdown,
    notebook_json,
    notebook_metadata,
    to_notebook,
)
from jupyter_coding.notebooks.export import (
    UnsafeTarget,
    WriteRecord,
    WriteResult,
    export_data,
    inside_root,
    study_dialect,
    write_markdown,
)

__all__ = [
    "FieldNotesContents",
    "NotFieldNotes",
    "SaveOutcome",
    "build_contents_manager_class",
    "field_notes_in",
    "is_field_notes",
    "is_markdown_path",
    "looks_like_field_notes",
    "notebook_view",
    "opening",
    "save_view",
]

MARKDOWN_SUFFIXES = (".md",)
HEAD_BYTES = 32_768  # the header and source definition of every corpus file fit in 3 kB
OPENED_KEY = "opened"  # the token of one opening, in the view's metadata
ROOT_HINT = " (field-notes files are read and written only inside the server's root folder)"
_MANAGED = "_jupyter_coding_field_notes"  # set on classes built here


class NotFieldNotes(FieldNotesError):
    """A markdown file without the field-notes header and source definition."""


def is_markdown_path(path: str) -> bool:
    """True for a path JupyterLab may ask to see as field notes (``*.md``)."""
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def is_field_notes(notes: FieldNotes) -> bool:
    """A field-notes file: it has the header (``# s``/``# p`` ...) and the source definition."""
    return notes.header is not None and notes.source is not None


def looks_like_field_notes(path: str | os.PathLike) -> bool:
    """Whether the file at ``path`` starts as field notes (reads its first 32 kB only)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        return False
    text = head.decode("utf-8", errors="replace")
    if not text.lstrip("\ufeff").startswith("#"):
        return False  # spares the parser the common case (a README, a plain note)
    return is_field_notes(parse(text))


_seen: dict[str, tuple[tuple, bool]] = {}  # real path -> (stat identity, field notes?)


def field_notes_in(folder: str | os.PathLike) -> list[str]:
    """The names of the field-notes files directly in ``folder``, sorted (hidden ones left out).

    Each file's answer is kept until the file changes (size, time or inode), so a
    file browser asking again every few seconds costs a ``stat`` per file.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return []
    names = []
    for entry in entries:
        if entry.name.startswith(".") or not is_markdown_path(entry.name):
            continue
        try:
            info = entry.stat()
        except OSError:
            continue
        if not entry.is_file():
            continue
        identity = (info.st_ino, info.st_size, info.st_mtime_ns)
        key = os.path.realpath(entry.path)
        known = _seen.get(key)
        if known is None or known[0] != identity:
            known = (identity, looks_like_field_notes(entry.path))
            _seen[key] = known
        if known[1]:
            names.append(entry.name)
    return names


def opening(path: str | os.PathLike, token: str) -> str:
    """The name one opening of ``path`` has in the write record (path and token)."""
    return f"{os.path.realpath(os.fspath(path))}#{token}"


def _paired_path(os_path: Path) -> Path:
    return os_path.with_suffix(".ipynb")


def notebook_view(os_path: str | os.PathLike, paired: bool = False):
    """The notebook view of the field-notes file at ``os_path``, and the bytes it was made from.

    :class:`NotFieldNotes` for other markdown; :class:`FieldNotesError` for a file
    that is not UTF-8. With ``paired``, a ``NAME.ipynb`` beside the file whose field
    notes are exactly the markdown's is the view (its outputs and scratch cells kept).
    """
    os_path = Path(os_path)
    try:
        data = os_path.read_bytes()
    except OSError as error:
        raise FieldNotesError(error.strerror or str(error), os_path) from None
    text = decode(data, os_path)
    notes = parse(text, os.fspath(os_path))
    if not is_field_notes(notes):
        raise NotFieldNotes(
            "not a field-notes file (it has no '# s' or '# p' header followed by the "
            "source definition), so it cannot be opened as field notes; open it with the Editor",
            os_path,
        )
    view = (_paired_view(os_path, text) if paired else None) or to_notebook(notes, os_path.name)
    ours = view["metadata"][METADATA_KEY]
    ours.update(markdown=os_path.name, sha256=sha256(data), source_id=notes.source_id or "")
    ours[OPENED_KEY] = secrets.token_hex(8)
    return view, data


def _paired_view(os_path: Path, text: str):
    """The paired notebook, when its field notes are the markdown's (else None)."""
    from jupyter_coding.notebooks.convert import read_notebook

    paired = _paired_path(os_path)
    try:
        notebook = read_notebook(paired.read_text(encoding="utf-8"))
        exported = export_data(notebook, paired, study_dialect(os_path)).text
        if made_from_markdown(notebook) and exported == text:
            return notebook
    except Exception:  # missing, unreadable or stale: the markdown is the record
        return None
    return None


@dataclass
class SaveOutcome:
    """What one save of a view did: the markdown write, the export, the text before it."""

    result: WriteResult
    export: MarkdownExport
    before: bytes | None  # the markdown's bytes before the save (None: there was none)


def save_view(
    os_path: str | os.PathLike,
    notebook: dict,
    root: str | os.PathLike,
    record: WriteRecord | None = None,
) -> SaveOutcome:
    """Write the markdown of a notebook view to ``os_path``, through the guard, inside ``root``.

    The guard lets the write through when the file's bytes are those the view was
    made from (its ``sha256``) or those this opening (its ``opened`` token) last
    wrote; otherwise the file is kept and the text goes to a ``.from-notebook`` file
    (``result.refused``). :class:`UnsafeTarget` when the write would land outside
    ``root``; :class:`FieldNotesError` for a notebook that cannot be exported.
    """
    os_path = Path(os_path)
    real = inside_root(os_path, root, ROOT_HINT)
    ours = notebook_metadata(notebook, os_path.name)
    token = ours.get(OPENED_KEY)
    identity = opening(os_path, token) if isinstance(token, str) and token else None
    export = export_data(notebook, os_path.name, study_dialect(os_path))
    try:
        before: bytes | None = real.read_bytes()
    except FileNotFoundError:
        before = None
    except OSError as error:
        raise FieldNotesError(error.strerror or str(error), os_path) from None
    record = record if record is not None else WriteRecord()
    result = write_markdown(
        os_path,
        export.text,
        recorded_sha=ours.get("sha256"),
        notebook=identity,
        record=record,
        root=root,
    )
    record.save()
    return SaveOutcome(result, export, before)


def refusal_message(result: WriteResult, api_path: str, root: str | os.PathLike) -> str:
    """What JupyterLab shows when the guard kept the markdown: where the text went instead."""
    shown = _shown(result.alternate, root) if result.alternate else "?"
    where = (
        f"your version is in {shown} already"
        if result.alternate_existed
        else f"your version was written to {shown} instead"
    )
    return (
        f"{api_path} changed on disk since it was opened here, so it was not overwritten; "
        f"{where}. Compare the two, bring your changes into {Path(api_path).name}, "
        "then reload it (File > Reload Notebook from Disk)."
    )


def _shown(path: Path, root: str | os.PathLike) -> str:
    """A path as the file browser shows it: relative to the server's root."""
    real_root = os.path.realpath(os.fspath(root))
    real = os.path.realpath(os.fspath(path.parent)) + os.sep + path.name
    relative = os.path.relpath(real, real_root)
    return path.name if relative.startswith("..") else relative


def _paired_content(notebook: dict, markdown: str, data: bytes) -> dict:
    """The notebook to save as the paired ``.ipynb``: made from the markdown just written."""
    import copy

    content = copy.deepcopy(notebook)
    ours = content.setdefault("metadata", {}).setdefault(METADATA_KEY, {})
    ours.update(markdown=markdown, sha256=sha256(data))
    ours.pop(OPENED_KEY, None)
    return content


def _paired_conflict(os_path: Path, before: bytes | None) -> str | None:
    """Why the existing paired notebook must not be replaced (work that is not in the markdown)."""
    from jupyter_coding.notebooks.convert import read_notebook

    paired = _paired_path(os_path)
    if not paired.exists():
        return None
    try:
        existing = read_notebook(paired.read_text(encoding="utf-8"))
        same = (
            made_from_markdown(existing)
            and before is not None
            and export_data(existing, paired, study_dialect(os_path)).text.encode("utf-8") == before
        )
    except Exception:
        same = False
    if same:
        return None
    return (
        f"{paired.name} was not replaced: it holds work that is not in {os_path.name} "
        f"(run `jupyter-coding to-markdown {paired.name}` or move it away)"
    )


class FieldNotesContents(LoggingConfigurable):
    """Settings of the field-notes view (``c.FieldNotesContents.*`` in Jupyter config)."""

    paired_notebook = Bool(
        False,
        help="Also save NAME.ipynb beside each field-notes file saved as a notebook, with "
        "the outputs and the code cells that are not field notes; it is opened again as "
        "long as its field notes are the markdown's. Off: only the .md is written.",
    ).tag(config=True)

    # -- the work of one request (blocking; the async manager runs it in a thread) ---------
    def _root(self) -> str:
        return getattr(self, "root_dir", None) or os.getcwd()

    def _view_model(self, path: str, base_model: dict, content: bool) -> dict:
        from tornado import web

        os_path = Path(self._get_os_path(path))
        try:
            inside_root(os_path, self._root(), ROOT_HINT)
            view, data = notebook_view(os_path, self.paired_notebook)
        except NotFieldNotes as error:
            raise web.HTTPError(400, f"{path}: {error.message}") from None
        except UnsafeTarget as error:
            raise web.HTTPError(403, f"{path}: {error.message}") from None
        except FieldNotesError as error:
            raise web.HTTPError(400, f"{path}: {error}") from None
        model = dict(base_model)
        model.update(type="notebook", format="json" if content else None, mimetype=None)
        model["size"] = len(data)
        if model.get("hash") is not None and hasattr(self, "_get_hash"):
            model.update(self._get_hash(data))  # the hash of exactly the bytes shown
        if content:
            for cell in view.cells:
                if cell.cell_type == "code":
                    cell.metadata["trusted"] = True  # no outputs: nothing to distrust
            model["content"] = view
        return model

    def _save_markdown(self, path: str, notebook: dict) -> SaveOutcome:
        from tornado import web

        os_path = Path(self._get_os_path(path))
        root = self._root()
        try:
            outcome = save_view(os_path, notebook, root)
        except UnsafeTarget as error:
            self.log.warning("jupyter_coding: %s: %s", path, error.message)
            raise web.HTTPError(403, f"{path}: {error.message}") from None
        except FieldNotesError as error:
            self.log.warning("jupyter_coding: %s: the markdown was not written: %s", path, error)
            raise web.HTTPError(400, f"the markdown was not written: {error}") from None
        except OSError as error:
            raise web.HTTPError(500, f"{path}: {error.strerror or error}") from None
        for notice in outcome.export.left_out:
            self.log.info("jupyter_coding: %s: %s", path, notice)
        for notice in outcome.export.kept:
            self.log.warning("jupyter_coding: %s: %s", path, notice)
        if outcome.result.refused:
            message = refusal_message(outcome.result, path, root)
            self.log.warning("jupyter_coding: %s", message)
            raise web.HTTPError(409, message)
        self.log.info("jupyter_coding: %s: %s", path, outcome.result.status)
        return outcome

    def _save_pair(self, path: str, notebook: dict, outcome: SaveOutcome) -> None:
        """Write the paired ``.ipynb`` (only with ``paired_notebook``), never over other work."""
        from tornado import web

        os_path = Path(self._get_os_path(path))
        conflict = _paired_conflict(os_path, outcome.before)
        if conflict:
            raise web.HTTPError(409, f"{path} was saved, but {conflict}")
        paired = _paired_path(os_path)
        inside_root(paired, self._root(), ROOT_HINT)
        data = os_path.read_bytes()
        content = _paired_content(notebook, os_path.name, data)
        import nbformat

        atomic_write(paired, notebook_json(nbformat.from_dict(content)).encode("utf-8"))

    def _guard_other_notebook(self, path: str) -> None:
        """A notebook not made from field notes is not saved over field notes."""
        from tornado import web

        os_path = self._get_os_path(path)
        if os.path.isfile(os_path) and looks_like_field_notes(os_path):
            raise web.HTTPError(
                409,
                f"{path} holds field notes; this notebook was not opened from them, and "
                "saving it there would replace them: save it under another name",
            )


def _handles(path: str, type_: str | None) -> bool:
    return type_ == "notebook" and is_markdown_path(path)


def _hash_argument(require_hash) -> dict:
    """``require_hash`` for the manager underneath, only when asked (servers before 2.11 lack it).

    It is a named parameter of ``get`` here, not in ``**kwargs``: jupytext, deriving its
    manager from ours, reads our signature to decide whether to pass it on.
    """
    return {"require_hash": True} if require_hash else {}


def _friendlier(error, path: str):
    """The manager underneath refused a markdown file as a notebook: say why in our words."""
    from tornado import web

    if isinstance(error, web.HTTPError) and error.status_code == 400:
        return web.HTTPError(
            400,
            f"{path}: not a field-notes file (no '# s' or '# p' header followed by the source "
            "definition), so it cannot be opened as field notes; open it with the Editor",
        )
    return error


def build_contents_manager_class(base: type) -> type:
    """A contents manager class that adds the field-notes view to ``base`` (sync or async).

    ``base`` must keep files on disk (``_get_os_path``: Jupyter Server's file managers
    and classes built on them, jupytext's included). A class built here is returned as
    it is; one derived from it (by jupytext, say) is wrapped again, so ours comes first.
    """
    if vars(base).get(_MANAGED):  # built here (a class derived from one is not)
        return base
    # a class derived from ours has the settings already (and a second copy breaks the MRO)
    bases = (base,) if issubclass(base, FieldNotesContents) else (FieldNotesContents, base)
    if inspect.iscoroutinefunction(base.get):

        class AsyncFieldNotesManager(*bases):
            async def get(self, path, content=True, type=None, format=None, require_hash=False):
                path = path.strip("/")
                kwargs = _hash_argument(require_hash)
                if not _handles(path, type) or not await self._is_file(path):
                    return await super().get(
                        path, content=content, type=type, format=format, **kwargs
                    )
                base_model = await super().get(path, content=False, type="file", **kwargs)
                os_path = self._get_os_path(path)
                if not await asyncio.to_thread(looks_like_field_notes, os_path):
                    try:
                        return await super().get(path, content=content, type=type, **kwargs)
                    except Exception as error:
                        raise _friendlier(error, path) from None
                return await asyncio.to_thread(self._view_model, path, base_model, content)

            async def _is_file(self, path):
                exists = self.file_exists(path)
                return await exists if inspect.isawaitable(exists) else exists

            async def save(self, model, path=""):
                path = path.strip("/")
                if model.get("type") != "notebook" or not is_markdown_path(path):
                    return await super().save(model, path)
                if "content" not in model:
                    from tornado import web

                    raise web.HTTPError(400, "No file content provided")
                if not made_from_markdown(model["content"]):
                    await asyncio.to_thread(self._guard_other_notebook, path)
                    return await super().save(model, path)
                self.run_pre_save_hooks(model=model, path=path)
                outcome = await asyncio.to_thread(self._save_markdown, path, model["content"])
                if self.paired_notebook:
                    await asyncio.to_thread(self._save_pair, path, model["content"], outcome)
                saved = await super().get(path, content=False, type="file")
                saved.update(type="notebook", format=None, mimetype=None)
                self.emit(data={"action": "save", "path": path})
                return saved

        manager = AsyncFieldNotesManager
    else:

        class FieldNotesManager(*bases):
            def get(self, path, content=True, type=None, format=None, require_hash=False):
                path = path.strip("/")
                kwargs = _hash_argument(require_hash)
                if not _handles(path, type) or not self.file_exists(path):
                    return super().get(path, content=content, type=type, format=format, **kwargs)
                base_model = super().get(path, content=False, type="file", **kwargs)
                if not looks_like_field_notes(self._get_os_path(path)):
                    try:
                        return super().get(path, content=content, type=type, **kwargs)
                    except Exception as error:
                        raise _friendlier(error, path) from None
                return self._view_model(path, base_model, content)

            def save(self, model, path=""):
                path = path.strip("/")
                if model.get("type") != "notebook" or not is_markdown_path(path):
                    return super().save(model, path)
                if "content" not in model:
                    from tornado import web

                    raise web.HTTPError(400, "No file content provided")
                if not made_from_markdown(model["content"]):
                    self._guard_other_notebook(path)
                    return super().save(model, path)
                self.run_pre_save_hooks(model=model, path=path)
                outcome = self._save_markdown(path, model["content"])
                if self.paired_notebook:
                    self._save_pair(path, model["content"], outcome)
                saved = super().get(path, content=False, type="file")
                saved.update(type="notebook", format=None, mimetype=None)
                self.emit(data={"action": "save", "path": path})
                return saved

        manager = FieldNotesManager
    manager.__name__ = manager.__qualname__ = f"FieldNotes{base.__name__}"
    manager.__module__ = __name__
    setattr(manager, _MANAGED, True)
    return manager


def _default_class() -> type:
    """The field-notes view on Jupyter Server's default manager (``AsyncLargeFileManager``)."""
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

    return build_contents_manager_class(AsyncLargeFileManager)


def __getattr__(name: str):
    # ``c.ServerApp.contents_manager_class = "jupyter_coding.contents.FieldNotesContentsManager"``
    if name == "FieldNotesContentsManager":
        cls = _default_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
