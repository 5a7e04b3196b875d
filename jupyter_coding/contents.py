"""The contents manager's name in Jupyter configuration:
``c.ServerApp.contents_manager_class = "jupyter_coding.contents.FieldNotesContentsManager"``.

The code lives in :mod:`jupyter_coding.notebooks.contents`; the class is built on first
use, from Jupyter Server's default manager.
"""

__all__: list[str] = []  # FieldNotesContentsManager is built on first use (__getattr__)


def __getattr__(name: str):
    if name == "FieldNotesContentsManager":  # imports jupyter_server: only when asked for
        from jupyter_coding.notebooks import contents

        return contents.FieldNotesContentsManager
    raise AttributeError(name)
