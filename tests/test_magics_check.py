"""``%coding_check`` through a real IPython shell, with links to the cells."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from jupyter_coding.fieldnotes import read
from jupyter_coding.fieldnotes.lines import split_lines
from jupyter_coding.kernel.links import cell_lines, notebook_for
from jupyter_coding.kernel.magics_check import CheckMagics, FindingsView
from jupyter_coding.kernel.testing import coding_shell
from jupyter_coding.notebooks.convert import notebook_json, to_notebook
from jupyter_coding.study.checks import CheckConfig, check_paths

from .conftest import SEED, corpus_files
from .study_fixtures import source_text, trace, write


def make_notebook(markdown: Path) -> Path:
    target = markdown.with_suffix(".ipynb")
    target.write_text(notebook_json(to_notebook(read(markdown))), encoding="utf-8")
    return target


@pytest.fixture
def study(tmp_path) -> Path:
    body = trace("Q one.", "Familiar option: foo_code", attached=["foo_code"], target="s1")
    make_notebook(write(tmp_path, "s_1.md", source_text(1, body)))
    # s_2 has no notebook: its findings link to the markdown file
    write(
        tmp_path,
        "s_2.md",
        source_text(2, trace("Q.", "Familiar option: bar", attached=["bar"], target="s2")),
    )
    return tmp_path


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    yield shell
    shell.magics_manager.registry.pop("CheckMagics", None)


def test_coding_check_links_findings_to_cells(shell, study, monkeypatch):
    monkeypatch.chdir(study)
    shell.register_magics(CheckMagics(shell, study=study))
    view = shell.run_line_magic("coding_check", "")
    assert isinstance(view, FindingsView) and len(view) == 2
    # paths one way, in the text and the table: relative to the notebook's folder (here cwd)
    assert repr(view).splitlines() == [
        "s_1.md:47:9: JC101 foo_code is used but defined nowhere in the study",
        "s_2.md:47:9: JC101 bar is used but defined nowhere in the study",
        "2 findings in 2 of 2 files.",
    ]
    page = view._repr_html_()
    assert '<a href="s_1.ipynb#cell-id=jc-4" title="s_1.ipynb, cell jc-4">s_1.md:47:9</a>' in page
    assert '<a href="s_2.md" title="s_2.md">s_2.md:47:9</a>' in page
    cell = next(
        c for c in json.loads((study / "s_1.ipynb").read_text())["cells"] if c["id"] == "jc-4"
    )
    assert "foo_code" in "".join(cell["source"]) and "".join(cell["source"]).startswith("%%code\n")


def test_coding_check_options_and_errors(shell, study):
    shell.register_magics(CheckMagics(shell, study=study))
    assert len(shell.run_line_magic("coding_check", "--ignore JC101")) == 0
    assert (
        "No findings in 2 files."
        in shell.run_line_magic("coding_check", "--select JC2")._repr_html_()
    )
    assert len(shell.run_line_magic("coding_check", f"{study / 's_2.md'}")) == 1
    with pytest.raises(UsageError, match="unknown rule 'nope'"):
        shell.run_line_magic("coding_check", "--select nope")
    with pytest.raises(UsageError, match="no such file or folder"):
        shell.run_line_magic("coding_check", str(study / "missing"))


def test_the_study_folder_of_the_extension_is_the_default(study):
    with coding_shell(study=study) as shell:
        shell.register_magics(CheckMagics(shell))
        try:
            view = shell.run_line_magic("coding_check", "")
        finally:
            shell.magics_manager.registry.pop("CheckMagics", None)
    assert {Path(f.path).name for f in view} == {"s_1.md", "s_2.md"}


def test_notebook_for_needs_the_notebook_to_show_that_markdown(study):
    assert notebook_for(study / "s_1.md") == study / "s_1.ipynb"
    assert notebook_for(study / "s_2.md") is None
    (study / "s_2.ipynb").write_text((study / "s_1.ipynb").read_text())  # shows s_1.md
    assert notebook_for(study / "s_2.md") is None


@pytest.mark.parametrize("path", [SEED, *corpus_files()[:20]], ids=lambda p: p.name)
def test_every_line_maps_to_the_cell_that_shows_it(path, tmp_path):
    markdown = tmp_path / (path.stem + ".md")
    markdown.write_bytes(path.read_bytes())
    notebook = json.loads(make_notebook(markdown).read_text(encoding="utf-8"))
    cells = {cell["id"]: "".join(cell["source"]) for cell in notebook["cells"]}
    lines = split_lines(path.read_bytes().decode("utf-8"))
    spans = cell_lines(notebook)
    for span in spans:
        shown = cells[span.cell_id]
        for number in range(span.first, span.last + 1):
            assert lines[number - 1].rstrip("\n") in shown
    # every non-blank line belongs to a cell
    covered = {n for span in spans for n in range(span.first, span.last + 1)}
    assert all(n + 1 in covered for n, line in enumerate(lines) if line.strip(" \t\r\n"))


def test_seed_findings_link_to_their_trace_cells(tmp_path):
    markdown = tmp_path / "s_43.md"
    markdown.write_bytes(SEED.read_bytes())
    make_notebook(markdown)
    findings = check_paths([markdown], CheckConfig(select=("JC201", "JC202", "JC301")))
    from jupyter_coding.kernel.magics_check import findings_view

    view = findings_view(findings, tmp_path, 1)
    targets = [target for _, target in view.links]
    assert targets[:3] == ["s_43.ipynb, cell jc-1"] * 3  # the source definition cell
    assert all(target.startswith("s_43.ipynb, cell jc-") for target in targets)


def test_coding_check_paths_are_relative_to_the_notebook_folder_in_text_and_table(
    shell, study, tmp_path_factory, monkeypatch
):
    """One way of writing paths: the text and the table say the same, from the notebook's
    folder (a study in a sibling folder is ``../study/...``)."""
    elsewhere = tmp_path_factory.mktemp("notebooks")
    monkeypatch.chdir(elsewhere)
    shell.register_magics(CheckMagics(shell, study=study))
    view = shell.run_line_magic("coding_check", "")
    shown = os.path.relpath(study / "s_2.md", elsewhere).replace(os.sep, "/")
    assert shown.startswith("../")
    assert f"{shown}:47:9: JC101 bar" in repr(view)
    assert f">{shown}:47:9</a>" in view._repr_html_()
    assert str(study) not in repr(view) and str(study) not in view._repr_html_()
    # one file checked: no "1 files"
    single = shell.run_line_magic("coding_check", f"{study / 's_1.md'} --ignore JC101")
    assert repr(single) == "No findings in 1 file."
