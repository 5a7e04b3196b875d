"""The smaller rough edges of issue 14: alignment, paths, advice, plurals, the report without
relations and ``check --model`` when clean."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.common.words import count
from jupyter_coding.kernel.display import CodebookTable
from jupyter_coding.study.codebook import Codebook

from .conftest import CORPUS, EXAMPLES, ROOT
from .study_fixtures import source_text, trace, write

LABELS = ROOT / "examples" / "labels_study"


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_codebook_table_aligns_text_left_and_numbers_right():
    table = CodebookTable.from_codebook(Codebook.load([LABELS]))
    page = table._repr_html_()
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    assert rows
    for row in rows:
        cells = re.findall(r'<t[dh][^>]*style="([^"]*)"', row)
        assert len(cells) == 5, row
        assert all("text-align:left" in style for style in cells[:3])
        assert all("text-align:right" in style for style in cells[3:])
    text = repr(table).splitlines()
    # in text too: a label starts where its header starts, a count ends where its header ends
    header = text[0]
    label_at = header.index("label")
    uses_end = header.index("uses") + len("uses")
    for line in text[2:-1]:
        assert line[label_at - 1] == " " and line[label_at] != " "
        assert line[uses_end - 1].isdigit()


def test_count_says_one_and_many():
    assert [count(1, "line"), count(2, "line"), count(0, "file")] == [
        "1 line",
        "2 lines",
        "0 files",
    ]
    assert count(1, "match", "matches") == "1 match" and count(3, "category", "categories") == (
        "3 categories"
    )


def test_no_one_with_an_s_in_the_commands(capsys, tmp_path):
    study = tmp_path / "study"
    shutil.copytree(EXAMPLES, study)
    code, out, _ = run(capsys, "stats", study / "s_2.md")
    assert code == 0
    assert "1 source, " in out and "1 sources" not in out
    code, out, _ = run(capsys, "verify", study / "s_2.md")
    assert out.strip() == "1 file, 1 exact"
    once = tmp_path / "once"
    write(once, "s_1.md", source_text(1, trace("Q.", "A thought.", attached=["foo_code"])))
    code, _, err = run(capsys, "rename", "foo_code", "bar_code", once, "--dry-run")
    assert code == 0
    assert err.strip().splitlines()[-1] == (
        "rename foo_code to bar_code: would change 1 line in 1 file"
    )
    code, _, err = run(capsys, "export", "qdc", study / "s_2.md", "-o", tmp_path / "one.qdc")
    assert code == 0 and "1 categories" not in err
    everything = "\n".join([out, err])
    assert not re.search(r"\b1 [a-z-]+s\b(?! exact)", everything), everything


def test_check_model_says_no_drift_when_clean(capsys, tmp_path):
    model = tmp_path / "model.py"
    assert run(capsys, "export", "codeable-models", EXAMPLES, "-o", model)[0] == 0
    code, out, err = run(capsys, "check", EXAMPLES, "--model", model, "--select", "JC9")
    assert (code, out) == (0, "")
    assert err.strip() == f"no drift: {model} and the field notes agree"
    # with drift there are findings and no such line
    model.write_text(model.read_text().replace("reviewer_rotation", "reviewer_rota"))
    code, out, err = run(capsys, "check", EXAMPLES, "--model", model, "--select", "JC9")
    assert code == 1 and "JC901" in out and "no drift" not in err


def test_report_of_a_study_without_relations_says_so(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    study = tmp_path / "study"
    study.mkdir()
    shutil.copyfile(LABELS / "s_1.md", study / "s_1.md")
    assert not Codebook.load([study]).relations()
    out = tmp_path / "report.html"
    # warnings are errors in this suite: matplotlib must not warn about an empty graph
    code, _, err = run(capsys, "report", study, "-o", out)
    assert code == 0 and "Warning" not in err
    page = out.read_text(encoding="utf-8")
    section = page[page.index('<section id="relations">') : page.index('<section id="saturation">')]
    assert "This study has no relations yet" in section
    assert "<img" not in section
    assert "1 files" not in page and "1 sources" not in page
    # a study with relations still draws them
    code, _, _ = run(capsys, "report", LABELS, "-o", out)
    page = out.read_text(encoding="utf-8")
    section = page[page.index('<section id="relations">') : page.index('<section id="saturation">')]
    assert "<img" in section and "no relations yet" not in section


def _notebook_with_scratch(study: Path, edit: bool) -> Path:
    notebook = study / "s_1.ipynb"
    data = json.loads(notebook.read_text(encoding="utf-8"))
    data["cells"].append(
        {
            "cell_type": "code",
            "id": "scratch",
            "metadata": {},
            "source": "%codebook review",
            "outputs": [],
            "execution_count": None,
        }
    )
    if edit:
        title = next(c for c in data["cells"] if "## title" in "".join(c["source"]))
        title["source"] = "".join(title["source"]).replace("## title\n", "## title\nDraft: ")
    notebook.write_text(json.dumps(data), encoding="utf-8")
    return notebook


@pytest.mark.parametrize("edit", [False, True], ids=["scratch only", "scratch and edits"])
def test_to_notebook_advice_is_true_about_scratch_cells(capsys, tmp_path, edit):
    study = tmp_path / "study"
    shutil.copytree(EXAMPLES, study)
    assert run(capsys, "to-notebook", "-q", study / "s_1.md")[0] == 0
    _notebook_with_scratch(study, edit)
    code, _, err = run(capsys, "to-notebook", study / "s_1.md")
    assert code == 1
    assert "to-markdown never keeps code cells without %%code" in err
    assert "copy what you need from that cell" in err and "--force" in err
    if edit:
        assert f"run `jupyter-coding to-markdown {study / 's_1.ipynb'}` for the edits" in err
    else:
        assert "to-markdown" not in err.replace("to-markdown never keeps", "")


def test_the_corpus_codebook_table_reads_left_to_right():
    table = CodebookTable.from_codebook(Codebook.load([CORPUS]), "catalogue")
    assert 'style="text-align:left">Data Catalogue</td>' in table._repr_html_()
