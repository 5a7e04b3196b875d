"""The names of the notebook writer that Jupyter configuration holds: the save hook
(``c.FileContentsManager.post_save_hook = "jupyter_coding.exporter.post_save_hook"``)
and the nbconvert exporter (the ``fieldnotes`` entry point).

The top level of the package holds only such names, which users write into their
configuration files; the code lives in :mod:`jupyter_coding.notebooks.export`.
"""

from jupyter_coding.notebooks import export

__all__ = ["post_save_hook"]  # and FieldNotesExporter, built on first use (__getattr__)

post_save_hook = export.post_save_hook


def __getattr__(name: str):
    if name == "FieldNotesExporter":  # built on first use: it imports nbconvert
        return export.FieldNotesExporter
    raise AttributeError(name)
