"""The Jupyter configuration names of earlier releases, kept public on purpose.

Researchers' ``jupyter_server_config.py`` files say
``c.FileContentsManager.post_save_hook = "jupyter_coding.exporter.post_save_hook"``
(the README of earlier releases); that line keeps working. New configuration uses
:mod:`jupyter_coding.notebooks`, where the code lives.
"""

from jupyter_coding.notebooks import export

__all__ = ["post_save_hook"]  # and FieldNotesExporter, built on first use

post_save_hook = export.post_save_hook


def __getattr__(name: str):
    if name == "FieldNotesExporter":  # built on first use: it imports nbconvert
        return export.FieldNotesExporter
    raise AttributeError(name)
