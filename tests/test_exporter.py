"""``jupyter nbconvert --to fieldnotes``: the same conversion, behind the same guard."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from jupyter_coding.cli import main
from jupyter_coding.notebooks.convert import read_notebook
from jupyter_coding.notebooks.export import ALTERNATE_SUFFIX

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
    from jupyter_coding.notebooks.export import FieldNotesExporter

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


# -- issue 10: nbconvert refuses what to-markdown refuses, in one line --------------------------


def rewrite(path, change) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")


def test_a_crafted_markdown_path_is_refused_by_the_exporter(study, tmp_path):
    from jupyter_coding.notebooks.export import UnsafeTarget

    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "x.md"
    victim.write_bytes(b"keep me\n")

    def point_outside(document):
        document["metadata"]["jupyter_coding"]["markdown"] = "../outside/x.md"

    rewrite(study / "s_1.ipynb", point_outside)
    before = sorted(study.iterdir())
    with pytest.raises(UnsafeTarget) as caught:
        nbconvert("--to", "fieldnotes", str(study / "s_1.ipynb"))
    assert "'../outside/x.md', which leads to" in str(caught.value)
    assert "--FieldNotesExporter.root" in str(caught.value)
    assert sorted(outside.iterdir()) == [victim] and victim.read_bytes() == b"keep me\n"
    assert sorted(study.iterdir()) == before
    # allowed explicitly: nbconvert writes its own output beside the notebook as usual
    nbconvert(
        "--to", "fieldnotes", f"--FieldNotesExporter.root={tmp_path}", str(study / "s_1.ipynb")
    )
    assert victim.read_bytes() == b"keep me\n"


def test_a_linked_output_pointing_out_of_the_folder_is_refused(study, tmp_path):
    from jupyter_coding.notebooks.export import UnsafeTarget

    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_bytes((study / "s_1.md").read_bytes())
    (study / "s_1.md").unlink()
    (study / "s_1.md").symlink_to(elsewhere)
    edit(study / "s_1.ipynb", "For years our", "For many years our")
    with pytest.raises(UnsafeTarget, match="through a link to"):
        nbconvert("--to", "fieldnotes", str(study / "s_1.ipynb"))
    assert "For many years" not in elsewhere.read_text(encoding="utf-8")


def test_a_second_refusal_does_not_overwrite_the_first(study):
    markdown = study / "s_1.md"
    changed = markdown.read_bytes() + b"> typed in an editor\n"
    markdown.write_bytes(changed)
    edit(study / "s_1.ipynb", "For years our", "First: for years our")
    nbconvert("--to", "fieldnotes", str(study / "s_1.ipynb"))
    first = study / f"s_1.md{ALTERNATE_SUFFIX}"
    merge_work = first.read_bytes() + b"> merging by hand\n"
    first.write_bytes(merge_work)
    edit(study / "s_1.ipynb", "First: for years our", "Second: for years our")
    nbconvert("--to", "fieldnotes", str(study / "s_1.ipynb"))
    assert first.read_bytes() == merge_work
    second = study / f"s_1.md{ALTERNATE_SUFFIX}.1"
    assert "Second: for years our" in second.read_text(encoding="utf-8")
    assert markdown.read_bytes() == changed


def bad_cell(document):
    document["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "bad",
            "metadata": {},
            "outputs": [],
            "source": "%%code\nfamiliar: a\nrelate: a ->\n",
        }
    )


def bad_leading(document):
    document["metadata"]["jupyter_coding"]["leading"] = 5


def string_metadata(document):
    document["metadata"]["jupyter_coding"] = "s_1.md"


def crafted(document):
    document["metadata"]["jupyter_coding"]["markdown"] = "/tmp/../etc/jupyter-coding-test.md"


BAD_NOTEBOOKS = {
    "bad_cell": (bad_cell, "bad_cell.ipynb: cell 17, line 3: relate: expected"),
    "bad_leading": (bad_leading, "jupyter_coding.leading is 5 (a number), not text"),
    "string_metadata": (string_metadata, "jupyter_coding is 's_1.md' (text), not a mapping"),
    "crafted": (crafted, "refused, nothing was read or written"),
}


@pytest.mark.parametrize("name", BAD_NOTEBOOKS)
def test_nbconvert_app_reports_a_bad_notebook_in_one_line(study, capfd, name):
    """As under ``jupyter nbconvert``: the app instance logs one line and exits 1."""
    from nbconvert.nbconvertapp import NbConvertApp

    change, expected = BAD_NOTEBOOKS[name]
    shutil.copy(study / "s_1.ipynb", study / f"{name}.ipynb")
    rewrite(study / f"{name}.ipynb", change)
    before = {path.name: path.read_bytes() for path in study.iterdir()}
    capfd.readouterr()
    app = NbConvertApp.instance()
    try:
        app.initialize(["--to", "fieldnotes", str(study / f"{name}.ipynb")])
        with pytest.raises(SystemExit) as caught:
            app.convert_notebooks()
    finally:
        NbConvertApp.clear_instance()
    assert caught.value.code == 1
    err = capfd.readouterr().err
    problems = [line for line in err.splitlines() if "Converting notebook" not in line]
    assert len(problems) == 1 and expected in problems[0], err
    assert "Traceback" not in err
    assert {path.name: path.read_bytes() for path in study.iterdir()} == before


def test_jupyter_nbconvert_reports_a_bad_notebook_in_one_line(study):
    """The real command, once: one line on stderr, exit status 1, nothing written."""
    shutil.copy(study / "s_1.ipynb", study / "bad_cell.ipynb")
    rewrite(study / "bad_cell.ipynb", bad_cell)
    before = {path.name: path.read_bytes() for path in study.iterdir()}
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "fieldnotes", "bad_cell.ipynb"],
        cwd=study,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[1:] == [
        "[NbConvertApp] ERROR | bad_cell.ipynb: cell 17, line 3: relate: expected "
        + done.stderr.split("relate: expected ", 1)[1].rstrip("\n")
    ]
    assert {path.name: path.read_bytes() for path in study.iterdir()} == before
