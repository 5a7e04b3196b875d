"""No export can lose the header: a cell above the header or source block is refused.

Without a kernel: ``export_markdown``, ``to-markdown`` and the save hook, on the real
corpus (``s_43.md``) and the second dialect (``examples/labels_study``), plus a property
test that a cell put anywhere either exports with header and source block intact or is
refused with a message naming it.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_coding.cli import main as cli
from jupyter_coding.fieldnotes import FieldNotesError, parse, read
from jupyter_coding.notebooks.convert import export_markdown, notebook_json, to_notebook
from jupyter_coding.notebooks.export import ALTERNATE_SUFFIX, MarkdownNotWritten, post_save_hook

from .conftest import CORPUS, ROOT, read_exact

LABELS = ROOT / "examples" / "labels_study"
SOURCES = {"corpus": CORPUS / "s_43.md", "labels": LABELS / "s_1.md"}


def code_cell(source: str, cell_id: str = "new") -> dict:
    return {
        "cell_type": "code",
        "id": cell_id,
        "metadata": {},
        "source": source,
        "outputs": [],
        "execution_count": None,
    }


def markdown_cell(source: str, cell_id: str = "new") -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": source}


TRACE = code_cell("%%code\nmemo: a first thought\nfamiliar: k8s\n")


def notebook_of(path: Path) -> dict:
    return json.loads(notebook_json(to_notebook(read(path))))


def kinds(notebook: dict) -> list[str | None]:
    return [c["metadata"].get("jupyter_coding", {}).get("kind") for c in notebook["cells"]]


@pytest.mark.parametrize("study", SOURCES)
def test_a_trace_cell_right_after_the_setup_cell_is_refused(study):
    notebook = notebook_of(SOURCES[study])
    notebook["cells"].insert(1, TRACE)
    with pytest.raises(FieldNotesError) as raised:
        export_markdown(notebook, "s.ipynb")
    message = str(raised.value)
    assert message.startswith("s.ipynb: cell 2: this %%code cell stands above the header (cell 3)")
    assert "move the cell below the '# coding' cell" in message
    assert "\n" not in message


def test_other_cells_that_would_hide_the_header_or_source_block():
    notebook = notebook_of(SOURCES["corpus"])
    header = kinds(notebook).index("header")
    above = copy.deepcopy(notebook)
    above["cells"].insert(header, markdown_cell("> a quote pasted too high"))
    with pytest.raises(
        FieldNotesError, match=r"cell 2: this markdown cell stands above the header"
    ):
        export_markdown(above)
    between = copy.deepcopy(notebook)
    between["cells"].insert(header + 1, TRACE)
    with pytest.raises(
        FieldNotesError, match=r"cell 3: this %%code cell stands above the source block \(cell 4\)"
    ):
        export_markdown(between)
    edited = copy.deepcopy(notebook)
    edited["cells"][header]["source"] = "A title instead of the header"
    with pytest.raises(FieldNotesError, match=r"cell 2: the header no longer reads as one"):
        export_markdown(edited)


def test_cells_that_keep_the_header_are_exported():
    notebook = notebook_of(SOURCES["corpus"])
    original = read_exact(SOURCES["corpus"])
    assert export_markdown(notebook).text == original
    coding = kinds(notebook).index("coding")
    # scratch code and empty cells above the header are left out: nothing is lost
    scratch = copy.deepcopy(notebook)
    scratch["cells"][1:1] = [code_cell("x = 1", "scratch"), markdown_cell("", "empty")]
    assert export_markdown(scratch).text == original
    # a trace between the source block and `# coding` keeps both
    early = copy.deepcopy(notebook)
    early["cells"].insert(coding, TRACE)
    notes = parse(export_markdown(early).text)
    assert notes.header is not None and notes.source is not None


def test_a_notebook_of_a_file_without_a_header_exports_as_before():
    notebook = json.loads(notebook_json(to_notebook(parse("> just a quote\n"))))
    notebook["cells"].insert(1, TRACE)
    assert "**OPEN CODING TRACE:**" in export_markdown(notebook).text


@settings(max_examples=60, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=8),
    cell=st.sampled_from(
        [
            TRACE,
            markdown_cell("> a quote"),
            markdown_cell("# s\n99"),
            code_cell("print('scratch')"),
            markdown_cell("   "),
        ]
    ),
    study=st.sampled_from(sorted(SOURCES)),
)
def test_no_export_loses_the_header_or_the_source_block(position, cell, study):
    notebook = _notebooks()[study]
    notebook = copy.deepcopy(notebook)
    notebook["cells"].insert(position, cell)
    try:
        text = export_markdown(notebook).text
    except FieldNotesError as error:
        assert f"cell {position + 1}" in error.message or "no longer reads" in error.message
        return
    notes = parse(text)
    assert notes.header is not None and notes.source is not None


_NOTEBOOKS: dict[str, dict] = {}


def _notebooks() -> dict[str, dict]:
    if not _NOTEBOOKS:
        _NOTEBOOKS.update({name: notebook_of(path) for name, path in SOURCES.items()})
    return _NOTEBOOKS


@pytest.fixture
def study(tmp_path) -> Path:
    for name in ("s_1.md", "s_2.md"):
        shutil.copyfile(LABELS / name, tmp_path / name)
    assert cli(["to-notebook", "-q", str(tmp_path)]) == 0
    notebook = tmp_path / "s_1.ipynb"
    data = json.loads(notebook.read_text(encoding="utf-8"))
    data["cells"].insert(1, TRACE)
    notebook.write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def test_to_markdown_refuses_and_writes_nothing(study, capsys):
    before = read_exact(study / "s_1.md")
    assert cli(["to-markdown", str(study / "s_1.ipynb")]) == 1
    err = capsys.readouterr().err
    assert "s_1.ipynb: cell 2: this %%code cell stands above the header" in err
    assert "Traceback" not in err
    assert read_exact(study / "s_1.md") == before
    assert not (study / ("s_1.md" + ALTERNATE_SUFFIX)).exists()


def test_the_save_hook_refuses_and_writes_nothing(study, monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_CODING_WRITE_RECORD", str(tmp_path / "record.json"))
    before = read_exact(study / "s_1.md")
    # the notebook is saved; JupyterLab shows the reason the markdown was not written
    with pytest.raises(MarkdownNotWritten) as refused:
        post_save_hook({"type": "notebook"}, str(study / "s_1.ipynb"), None)
    assert "cell 2: this %%code cell stands above the header (cell 3)" in str(refused.value)
    assert str(refused.value).count("not written") == 1
    assert read_exact(study / "s_1.md") == before
    assert not (study / ("s_1.md" + ALTERNATE_SUFFIX)).exists()
    # moved below `# coding` (where a trace belongs), the same save writes the markdown
    data = json.loads((study / "s_1.ipynb").read_text(encoding="utf-8"))
    cell = data["cells"].pop(1)
    data["cells"].insert(kinds(data).index("coding") + 1, cell)
    (study / "s_1.ipynb").write_text(json.dumps(data), encoding="utf-8")
    post_save_hook({"type": "notebook"}, str(study / "s_1.ipynb"), None)
    written = parse(read_exact(study / "s_1.md"))
    assert written.header is not None and written.source is not None
    assert read_exact(study / "s_1.md") != before
