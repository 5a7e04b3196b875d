"""The Jupyter Server extension: field-notes files open as notebooks, and are saved as markdown.

Jupyter configuration names it ``jupyter_coding.serverext`` (:mod:`jupyter_coding.serverext`
hands over to :func:`load_extension` and :func:`start_extension` here). It

- derives the field-notes contents manager (:mod:`jupyter_coding.notebooks.contents`) from the
  server's configured one, as jupytext does. An extension loaded later may derive its
  own from ours (jupytext does, and it would read a field-notes file its own lossy
  way), so when the server starts, ours is put back in front if it is not;
- answers ``GET /jupyter-coding/field-notes?path=FOLDER`` with the names of the
  field-notes files in that folder, so the JupyterLab extension can tell them from
  other markdown, and sends ``GET /jupyter-coding/open/PATH`` on to JupyterLab with
  PATH opened as Field Notes.
"""

from __future__ import annotations

import json
import os

from jupyter_coding.notebooks.contents import build_contents_manager_class, field_notes_in

__all__ = ["FIELD_NOTES_ROUTE", "install_contents_manager"]

FIELD_NOTES_ROUTE = "jupyter-coding/field-notes"
OPEN_ROUTE = "jupyter-coding/open"  # /jupyter-coding/open/PATH: JupyterLab with PATH as Field Notes


def install_contents_manager(app) -> bool:
    """Make the server's contents manager the field-notes one (derived from the current one).

    Returns False when it was that already. Files are the same files: the new manager
    has the old one's configuration.
    """
    current = type(app.contents_manager)
    if vars(current).get("_jupyter_coding_field_notes"):  # ours, and nobody derived from it
        return False
    if not hasattr(current, "_get_os_path"):
        app.log.warning(
            "jupyter_coding: the contents manager %s keeps no files on disk; field-notes "
            "files will not open as notebooks",
            current.__name__,
        )
        return False
    app.contents_manager_class = build_contents_manager_class(current)
    app.contents_manager = app.contents_manager_class(parent=app, log=app.log)
    app.session_manager.contents_manager = app.contents_manager
    app.web_app.settings["contents_manager"] = app.contents_manager
    app.log.info(
        "jupyter_coding: field-notes files open as notebooks (%s)",
        app.contents_manager_class.__name__,
    )
    return True


def _handler_class():
    from jupyter_server.base.handlers import APIHandler
    from tornado import web

    class FieldNotesHandler(APIHandler):
        """``GET`` the field-notes files of one folder: ``{"field_notes": ["s_1.md", ...]}``."""

        @web.authenticated
        async def get(self):
            import asyncio

            path = self.get_query_argument("path", "").strip("/")
            manager = self.contents_manager
            if not hasattr(manager, "_get_os_path"):
                raise web.HTTPError(404, "no files on disk")
            folder = manager._get_os_path(path)  # 404 outside the root
            hidden = not getattr(manager, "allow_hidden", False) and any(
                part.startswith(".") for part in path.split("/") if part
            )
            names = [] if hidden or not os.path.isdir(folder) else None
            if names is None:
                names = await asyncio.to_thread(field_notes_in, folder)
            self.finish(json.dumps({"path": path, "field_notes": names}))

    return FieldNotesHandler


def _open_handler_class():
    from urllib.parse import urlencode

    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join
    from tornado import web

    class OpenHandler(JupyterHandler):
        """``GET /jupyter-coding/open/PATH``: to JupyterLab, which opens PATH as Field Notes.

        ``jupyter-coding lab STUDY FILE`` makes this the server's default URL: a default URL
        with a query of its own would not survive the server adding ``?token=`` to it.
        """

        @web.authenticated
        def get(self, path):
            lab = url_path_join(self.base_url, "lab")
            self.redirect(f"{lab}?{urlencode({'field-notes': path.strip('/')})}")

    return OpenHandler


def load_extension(app) -> None:
    """Put the field-notes contents manager in front and add the extension's routes."""
    from jupyter_server.utils import url_path_join

    install_contents_manager(app)
    base = app.web_app.settings["base_url"]
    app.web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, FIELD_NOTES_ROUTE), _handler_class()),
            (url_path_join(base, OPEN_ROUTE, "(.+)"), _open_handler_class()),
        ],
    )


async def start_extension(app) -> None:
    """When the server starts: the field-notes manager in front again, if need be."""
    # another extension loaded after ours may have derived its manager from ours
    if install_contents_manager(app):
        app.log.info("jupyter_coding: the field-notes manager is in front again")
