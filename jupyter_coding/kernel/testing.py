"""Test helpers: a real IPython shell with the extension loaded on a study folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["coding_shell", "run_cell"]


@contextmanager
def coding_shell(study: str | Path | None = None, source_id: str | None = None) -> Iterator:
    """An ``InteractiveShell`` with ``%load_ext jupyter_coding`` run, unloaded afterwards."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_coding")
    magics = shell.magics_manager.registry["CodingMagics"]
    saved = (magics.study, magics.source_id, magics.unknown_codes, magics.show_picker)
    if study is not None:
        magics.study = str(study)
    if source_id is not None:
        magics.source_id = source_id
    try:
        yield shell
    finally:
        magics.study, magics.source_id, magics.unknown_codes, magics.show_picker = saved
        shell.run_line_magic("unload_ext", "jupyter_coding")


def run_cell(shell, source: str, cell_id: str | None = None):
    """Run a cell; return (result, what it displayed as text/plain and text/html)."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        result = shell.run_cell(source, cell_id=cell_id)
    plain = "\n".join(o.data.get("text/plain", "") for o in captured.outputs)
    html = "\n".join(o.data.get("text/html", "") for o in captured.outputs)
    return result, plain + captured.stdout, html
