"""``jupyter nbconvert --to fieldnotes``: the same conversion, behind the same guard."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from jupyter_coding.cli import main
from jupyter_coding.exporter import ALTERNATE_SUFFIX
from jupyter_coding.notebook import read_notebook

from .conftest import CORPUS, EXAMPLES


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_CODING_WRITE_RECORD", str(tmp_path / "record.json"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def study(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(EXAMPLES / "s_1.md", folder)
    shutil.copy(CORPUS / "p_1.md", folder)  # form feeds, vertical tabs, no surprises allowed
    assert main(["to-notebook", "-q", str(folder)]) == 0
    return folder


def nbconvert(*argv: str) -> None:
    """Run ``jupyter nbconvert`` in this process (its own command line is tested once)."""
    from nbconvert.nbconvertapp import NbConvertApp

    app = NbConvertApp()
    app.initialize(list(argv))
    app.convert_notebooks()


def edit(path, old: str, new: str) -> None:
    notebook = read_notebook(path.read_text(encoding="utf-8"))
    cell = next(c for c in notebook.cells if old in c.source)
    cell.source = cell.source.replace(old, new)
    nbformat.write(notebook, str(path))


def test_the_exporter_is_registered_under_fieldnotes():
    from nbconvert.exporters.base import get_export_names, get_exporter

    assert "fieldnotes" in get_export_names()
    assert get_exporter("fieldnotes").__name__ == "FieldNotesExporter"


def test_unchanged_notebook_writes_the_markdown_back_byte_for_byte(study):
    originals = {path.name: path.read_bytes() for path in study.glob("*.md")}
    for name in originals:
        nbconvert("--to", "fieldnotes", str(study / name.replace(".md", ".ipynb")))
    for name, data in originals.items():
        assert (study / name).read_bytes() == data
    assert not list(study.glob(f"*{ALTERNATE_SUFFIX}"))


def test_edits_are_written_over_the_source_when_it_did_not_change(study):
    markdown = study / "s_1.md"
    before = markdown.read_text(encoding="utf-8")
    edit(study / "s_1.ipynb", "For years our", "For many years our")
    nbconvert("--to", "fieldnotes", str(study / "s_1.ipynb"))
    assert markdown.read_text(encoding="utf-8") == before.replace(
        "For years our", "For many years our"
    )
    edit(study / "s_1.ipynb", "For many years our", "For all those years our")
    nbconvert("--to", "fieldnotes", str(study / "s_1.ipynb"))  # again: we wrote that file
    assert "For all those years our" in markdown.read_text(encoding="utf-8")


def test_a_changed_source_is_not_overwritten(study, caplog):
    markdown = study / "s_1.md"
    changed = markdown.read_bytes() + b"> typed in an editor\n"
    markdown.write_bytes(changed)
    edit(study / "s_1.ipynb", "For years our", "For many years our")
    nbconvert("--to", "fieldnotes", str(study / "s_1.ipynb"))
    assert markdown.read_bytes() == changed
    alternate = study / f"s_1.md{ALTERNATE_SUFFIX}"
    assert "For many years our" in alternate.read_text(encoding="utf-8")
    assert "s_1.md changed since" in caplog.text and "force=True" in caplog.text
    nbconvert("--to", "fieldnotes", "--FieldNotesExporter.force=True", str(study / "s_1.ipynb"))
    assert markdown.read_bytes() == alternate.read_bytes()


def test_output_elsewhere_and_as_a_library(study, tmp_path):
    from jupyter_coding.exporter import FieldNotesExporter

    out = tmp_path / "out"
    nbconvert("--to", "fieldnotes", "--output-dir", str(out), str(study / "p_1.ipynb"))
    assert (out / "p_1.md").read_bytes() == (CORPUS / "p_1.md").read_bytes()
    text, resources = FieldNotesExporter().from_filename(str(study / "p_1.ipynb"))
    assert text == (CORPUS / "p_1.md").read_text(encoding="utf-8")
    assert resources["output_extension"] == ".md"


def test_jupyter_nbconvert_command_line(study):
    """The real command: ``jupyter nbconvert --to fieldnotes s_1.ipynb`` and ``--stdout``."""
    edit(study / "s_1.ipynb", "For years our", "For many years our")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "fieldnotes"]
    done = subprocess.run(
        [*command, "s_1.ipynb"], cwd=study, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Writing" in done.stderr and "s_1.md" in done.stderr
    assert "For many years our" in (study / "s_1.md").read_text(encoding="utf-8")
    shown = subprocess.run(
        [*command, "--stdout", "p_1.ipynb"],
        cwd=study,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == (CORPUS / "p_1.md").read_bytes()
