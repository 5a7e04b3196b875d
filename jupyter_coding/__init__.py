"""Grounded-theory coding in Jupyter.

``%load_ext jupyter_coding`` registers ``%%code``, ``%codebook``, ``%coding_check``,
``%coding_agreement`` and Tab
completion of codes; the rest of the package (the field-notes model, the
notebook view, checks, reports and exports) is usable without IPython.
"""

__version__ = "0.1.0"


def load_ipython_extension(ipython) -> None:
    """Called by ``%load_ext jupyter_coding``."""
    from jupyter_coding.kernel.extension import load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    from jupyter_coding.kernel.extension import unload

    unload(ipython)
