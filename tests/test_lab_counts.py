"""Counts in a notebook session equal the command line's, through a real InteractiveShell.

A ``%%code`` cell that shows a trace of the notebook's markdown file takes that trace's
place in the session's codebook: running a notebook (once, twice, in any order) changes
no count, picks change exactly the codes picked, and after ``to-markdown`` the command
line counts what the session counted. On the real corpus and on the second dialect
(``examples/labels_study``, whose ``s_4.md`` claims the header id of ``s_3.md``).
"""

from __future__ import annotations

import json
import shutil
from contextlib import ExitStack
from pathlib import Path

import pytest
from IPython.core.completer import provisionalcompleter

from jupyter_coding.cli import main as cli
from jupyter_coding.kernel.testing import coding_shell, run_cell
from jupyter_coding.kernel.widgets.picker_logic import index_of

from .conftest import CORPUS, ROOT, corpus_files

LABELS = ROOT / "examples" / "labels_study"


def copy_study(source: Path, target: Path, pattern: str = "*.md") -> Path:
    target.mkdir()
    for path in sorted(source.glob(pattern)):
        if path.name != "README.md":
            shutil.copyfile(path, target / path.name)
    return target


@pytest.fixture
def corpus_study(tmp_path) -> Path:
    corpus_files()
    return copy_study(CORPUS, tmp_path / "corpus")


@pytest.fixture
def labels_study(tmp_path) -> Path:
    return copy_study(LABELS, tmp_path / "labels")


def cli_codebook(folder: Path, tmp_path: Path) -> dict[str, tuple[int, int, int]]:
    """identifier -> (uses, sources, definitions), as ``jupyter-coding codebook`` says."""
    out = tmp_path / "codebook.json"
    assert cli(["codebook", str(folder), "--format", "json", "-o", str(out)]) == 0
    entries = json.loads(out.read_text(encoding="utf-8"))
    return {e["identifier"]: (e["uses"], e["sources"], e["definitions"]) for e in entries}


def session_codebook(shell) -> dict[str, tuple[int, int, int]]:
    """The same, as ``%codebook`` shows it (and the definitions the picker lists)."""
    codebook = shell.magics_manager.registry["CodingMagics"].codebook()
    table = shell.run_line_magic("codebook", "")
    return {
        row["identifier"]: (
            row["uses"],
            row["sources"],
            len(codebook[row["identifier"]].definitions),
        )
        for row in table
    }


def make_notebook(markdown: Path) -> Path:
    assert cli(["to-notebook", "-q", "--force", str(markdown)]) == 0
    return markdown.with_suffix(".ipynb")


def cells_of(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def source_of(cell: dict) -> str:
    return "".join(cell["source"])


def run_notebook(shell, notebook: Path) -> int:
    """Run every code cell, as Run All does; returns how many %%code cells ran."""
    ran = 0
    for cell in cells_of(notebook):
        if cell["cell_type"] != "code":
            continue
        result, _, _ = run_cell(shell, source_of(cell), cell_id=cell["id"])
        assert result.success, result.error_in_exec
        ran += source_of(cell).startswith("%%code")
    return ran


@pytest.fixture
def session():
    """Start a shell that runs a notebook, as Jupyter Server tells ipykernel (``__session__``)."""
    with ExitStack() as stack:

        def start(notebook: Path):
            shell = stack.enter_context(coding_shell())
            shell.user_ns["__session__"] = str(notebook)
            magics = shell.magics_manager.registry["CodingMagics"]
            # the defaults, whatever %config other tests ran on this (singleton) shell
            magics.study = magics.source_id = ""
            magics.show_picker, magics.unknown_codes = True, "warning"
            stack.callback(shell.user_ns.pop, "__session__", None)
            return shell

        yield start


def test_running_the_corpus_notebook_changes_no_count(corpus_study, session, tmp_path):
    expected = cli_codebook(corpus_study, tmp_path)
    notebook = make_notebook(corpus_study / "s_43.md")
    shell = session(notebook)
    magics = shell.magics_manager.registry["CodingMagics"]
    assert magics.study_folder() == corpus_study and magics.current_source_id() == "s43"
    assert run_notebook(shell, notebook) == 9
    assert session_codebook(shell) == expected
    assert run_notebook(shell, notebook) == 9  # Run All again, then once more by hand
    assert session_codebook(shell) == expected
    codebook = magics.codebook()
    # the picker's counts are the codebook's, and it lists no definition twice
    index = index_of(codebook)
    for identifier, uses in ((m.identifier, m.use_count) for m in index.search("", None)[0]):
        assert uses == expected[identifier][0], identifier
    last_trace = [c for c in cells_of(notebook) if source_of(c).startswith("%%code")][-1]
    state = magics.pickers[("code", last_trace["id"])]
    for identifier in ("data_catalogue", "k8s", "infrastructure_as_code", "query_catalogue"):
        detail = state.detail(identifier)
        assert detail.use_count == expected[identifier][0]
        assert not any("cell" in definition for definition in detail.definitions)
        assert all(site != "<cell>" for site, _ in detail.definition_sites)
    # completion ranks by the same counts: most used first
    with provisionalcompleter():
        text = "%%code\nfamiliar: "
        offered = [c.text for c in shell.Completer.completions(text, len(text))]
    ranked = sorted(expected, key=lambda i: (-expected[i][0], -expected[i][1], i))
    assert offered[:20] == [i for i in ranked if i.isidentifier()][:20]


def test_a_pick_changes_exactly_the_code_picked_and_export_agrees(
    corpus_study, session, tmp_path, monkeypatch
):
    expected = cli_codebook(corpus_study, tmp_path)
    notebook = make_notebook(corpus_study / "s_43.md")
    shell = session(notebook)
    inputs = []
    monkeypatch.setattr(shell, "set_next_input", lambda text, replace=False: inputs.append(text))
    magics = shell.magics_manager.registry["CodingMagics"]
    run_notebook(shell, notebook)
    trace = next(c for c in cells_of(notebook) if "Familiar option: k8s\n" in source_of(c))
    assert "s43" not in [s for s in magics.codebook()["quality_monitoring"].sources]
    magics.pickers[("code", trace["id"])].pick("quality_monitoring")
    run_cell(shell, source_of(trace), cell_id=trace["id"])  # the run that writes the pick
    [written] = inputs
    assert "quality_monitoring" in written
    counts = session_codebook(shell)
    uses, sources, definitions = expected["quality_monitoring"]
    assert counts["quality_monitoring"] == (uses + 1, sources + 1, definitions)
    assert {i: c for i, c in counts.items() if i != "quality_monitoring"} == {
        i: c for i, c in expected.items() if i != "quality_monitoring"
    }
    # the front end puts the text in the cell and saves; to-markdown writes the trace
    data = json.loads(notebook.read_text(encoding="utf-8"))
    saved = next(c for c in data["cells"] if c["id"] == trace["id"])
    saved["source"] = written
    notebook.write_text(json.dumps(data), encoding="utf-8")
    run_cell(shell, written, cell_id=trace["id"])  # as saved: the same counts
    assert session_codebook(shell) == counts
    assert cli(["to-markdown", "-q", str(notebook)]) == 0
    assert cli_codebook(corpus_study, tmp_path) == counts  # the CLI now counts the same
    assert session_codebook(shell) == counts  # and the session still does (file re-read)
    run_notebook(shell, notebook)
    assert session_codebook(shell) == counts


def test_a_new_cell_adds_until_exported_then_replaces(labels_study, session, tmp_path):
    """The second dialect; a concise cell written by hand, exported, run again."""
    expected = cli_codebook(labels_study, tmp_path)
    notebook = make_notebook(labels_study / "s_2.md")
    shell = session(notebook)
    run_notebook(shell, notebook)
    assert session_codebook(shell) == expected
    # a new %%code cell after the last quote: a new trace, so its codes are added
    data = json.loads(notebook.read_text(encoding="utf-8"))
    new_cell = {
        "cell_type": "code",
        "id": "new-trace",
        "metadata": {},
        "source": "%%code\nmemo: Blameless Review\nreuse: blameless_review\n",
        "outputs": [],
        "execution_count": None,
    }
    data["cells"].append(new_cell)
    notebook.write_text(json.dumps(data), encoding="utf-8")
    run_cell(shell, new_cell["source"], cell_id="new-trace")
    counts = session_codebook(shell)
    assert counts["blameless_review"][0] == expected["blameless_review"][0] + 1
    assert (
        "s2" in shell.magics_manager.registry["CodingMagics"].codebook()["blameless_review"].sources
    )
    # exported (the concise cell becomes a trace in the study's dialect): no double count
    assert cli(["to-markdown", "-q", str(notebook)]) == 0
    assert cli_codebook(labels_study, tmp_path) == counts
    run_cell(shell, new_cell["source"], cell_id="new-trace")
    assert session_codebook(shell) == counts


def test_a_file_read_as_another_source_keeps_its_source(labels_study, session, tmp_path):
    """``s_4.md`` claims id 3 (as ``s_3.md`` does) and is read as s4: its cells too."""
    expected = cli_codebook(labels_study, tmp_path)
    notebook = make_notebook(labels_study / "s_4.md")
    shell = session(notebook)
    assert run_notebook(shell, notebook) >= 1
    assert session_codebook(shell) == expected
    codebook = shell.magics_manager.registry["CodingMagics"].codebook()
    applied = {u.source for code in codebook.codes.values() for u in code.applications}
    assert "s4" in applied and None not in applied


def test_a_cell_edited_before_it_is_saved_still_replaces_its_trace(corpus_study, session, tmp_path):
    """Text changed in the browser (not saved): the saved text, then the metadata index,
    say which trace it shows."""
    expected = cli_codebook(corpus_study, tmp_path)
    notebook = make_notebook(corpus_study / "s_43.md")
    shell = session(notebook)
    run_notebook(shell, notebook)
    trace = next(c for c in cells_of(notebook) if "Familiar option: k8s\n" in source_of(c))
    edited = source_of(trace).replace("        k8s,\n", "        k8s,\n        data_catalogue,\n")
    assert edited != source_of(trace)
    run_cell(shell, edited, cell_id=trace["id"])
    counts = session_codebook(shell)
    assert counts["data_catalogue"][0] == expected["data_catalogue"][0] + 1
    assert counts["k8s"] == expected["k8s"]
    # the saved cell changed too (saved without the hook): the metadata index still knows
    data = json.loads(notebook.read_text(encoding="utf-8"))
    saved = next(c for c in data["cells"] if c["id"] == trace["id"])
    saved["source"] = edited.replace("k8s,\n", "k8s, \n")  # saved with a stray space
    saved["source"] = saved["source"].replace("Familiar option: k8s", "Familiar option: k8s, x")
    notebook.write_text(json.dumps(data), encoding="utf-8")
    run_cell(shell, edited, cell_id=trace["id"])
    assert session_codebook(shell) == counts


def test_a_field_notes_file_opened_as_a_notebook_counts_the_same(corpus_study, session, tmp_path):
    """The .md itself as the notebook (the contents manager): its cells are its view."""
    from jupyter_coding.fieldnotes import read
    from jupyter_coding.notebooks.convert import notebook_json, to_notebook

    expected = cli_codebook(corpus_study, tmp_path)
    markdown = corpus_study / "s_43.md"
    view = tmp_path / "view.ipynb"  # what JupyterLab holds; only its cells are run here
    view.write_text(notebook_json(to_notebook(read(markdown), markdown.name)), encoding="utf-8")
    shell = session(markdown)
    magics = shell.magics_manager.registry["CodingMagics"]
    assert magics.study_folder() == corpus_study and magics.current_source_id() == "s43"
    assert run_notebook(shell, view) == 9
    assert session_codebook(shell) == expected
    assert all(
        magics.codebook().replaced_trace(f"cell:{c['id']}") is not None
        for c in cells_of(view)
        if source_of(c).startswith("%%code")
    )
