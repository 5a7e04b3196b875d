"""Field notes as notebooks: the exact conversion both ways, the guarded writer, the
nbconvert exporter, the Jupyter Server save hook, contents manager and server extension.

Imports the document model and :mod:`jupyter_coding.common` (nbformat and jupyter_server
only where needed); never the study analysis, the kernel or the exchange formats.
"""

__all__ = ["FieldNotesContentsManager", "FieldNotesExporter", "post_save_hook"]


def __getattr__(name: str):
    # the names Jupyter configuration refers to, imported only when asked for (a kernel or
    # the command line never pays for jupyter_server or nbconvert)
    if name in ("post_save_hook", "FieldNotesExporter"):
        from jupyter_coding.notebooks import export

        return getattr(export, name)
    if name == "FieldNotesContentsManager":
        from jupyter_coding.notebooks import contents

        return contents.FieldNotesContentsManager
    raise AttributeError(name)
