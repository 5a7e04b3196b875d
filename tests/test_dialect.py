"""New text follows the study's own dialect (FORMAT.md §12), the seed's layout only as fallback."""

from __future__ import annotations

import shutil

from jupyter_coding.cli import main
from jupyter_coding.fieldnotes import parse, read, read_text
from jupyter_coding.fieldnotes.canonical import Trace
from jupyter_coding.fieldnotes.dialect import SEED, Dialect
from jupyter_coding.fieldnotes.edit import insert_trace
from jupyter_coding.fieldnotes.reading import coding_traces
from jupyter_coding.kernel.testing import coding_shell, run_cell
from jupyter_coding.notebooks.convert import add_empty_cell, export_markdown, to_notebook
from jupyter_coding.study.codebook import Codebook
from jupyter_coding.study.tracecheck import check_trace

from .conftest import CORPUS, EXAMPLES, ROOT

LABELS = ROOT / "examples" / "labels_study"


def test_the_corpus_writes_like_the_seed():
    dialect = Codebook.load([CORPUS]).dialect()
    assert dialect == SEED  # the seed is a file of this study
    assert Codebook.load([EXAMPLES]).dialect() == SEED


def test_the_labels_study_dialect_is_detected():
    dialect = Codebook.load([LABELS]).dialect()
    assert dialect == Dialect(
        source_marker="**AXIAL CODING TRACE:**",
        blank_after_axial_marker=False,
        attach="added",
        fence_open="``` python",
        memo="labels",
    )


def test_an_empty_study_falls_back_to_the_seed(tmp_path):
    assert Codebook.load([tmp_path]).dialect() == SEED
    assert Dialect.detect([]) == SEED


def test_a_concise_cell_comes_out_the_way_the_study_writes():
    codebook = Codebook.load([LABELS])
    report = check_trace("familiar: blameless_review, follow_up_fatigue\n", codebook, "s2")
    # the memo names codes the trace does not define in words (the notebook export
    # knows no other file's labels); the words name the codes as their labels do
    assert report.text == (
        "**OPEN CODING TRACE:**\n\nBlameless review\n\nFollow up fatigue\n\n"
        "**AXIAL CODING TRACE:**\nadded:\n``` python\n    blameless_review\n"
        "    follow_up_fatigue\n```\n"
    )
    assert report.applies == ["blameless_review", "follow_up_fatigue"]
    assert not report.warnings_of("memo-mismatch")


def test_a_new_code_in_the_labels_study():
    codebook = Codebook.load([LABELS])
    report = check_trace(
        'new: timeline_review = CClass(practice, "Timeline Review")\n', codebook, "s2"
    )
    assert report.text == (
        "**OPEN CODING TRACE:**\n\nTimeline Review\n\n**AXIAL CODING TRACE:**\nadded:\n"
        '``` python\n    timeline_review = CClass(practice, "Timeline Review")\n```\n'
    )
    assert report.applies == ["timeline_review"] and not report.warnings


def test_the_notebook_export_writes_in_the_study_dialect(tmp_path):
    study = tmp_path / "study"
    shutil.copytree(LABELS, study)
    notes = read(study / "s_2.md")
    notebook = add_empty_cell(to_notebook(notes))
    notebook.cells[-1].source = "%%code\nfamiliar: incident_timeline\n"
    plain = export_markdown(notebook, str(study / "s_2.ipynb")).text
    # no dialect given: the seed's layout
    assert plain.endswith(
        "add codes to s2: \n``` python \n    '''\n        incident_timeline\n    '''\n```\n"
    )
    found = Dialect.of_files(sorted(study.glob("*.md")))
    text = export_markdown(notebook, str(study / "s_2.ipynb"), lambda: found).text
    assert text.endswith(
        "**OPEN CODING TRACE:**\n\nIncident timeline\n\n**AXIAL CODING TRACE:**\nadded:\n"
        "``` python\n    incident_timeline\n```\n"
    )
    (last,) = coding_traces(parse(text))[-1:]
    assert last.applies == ["incident_timeline"]


def test_to_markdown_and_the_save_hook_path_detect_the_dialect(tmp_path, capsys):
    study = tmp_path / "study"
    shutil.copytree(LABELS, study)
    assert main(["to-notebook", str(study / "s_3.md"), "-q"]) == 0
    import json

    path = study / "s_3.ipynb"
    data = json.loads(path.read_text())
    data["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "new-1",
            "metadata": {},
            "outputs": [],
            "source": "%%code\nfamiliar: postmortem_template\n",
        }
    )
    path.write_text(json.dumps(data))
    assert main(["to-markdown", str(path), "-q"]) == 0
    text = read_text(study / "s_3.md")
    assert text.endswith("added:\n``` python\n    postmortem_template\n```\n")
    assert "add codes to" not in text


def test_insert_trace_in_a_dialect():
    notes = read(LABELS / "s_3.md")
    dialect = Codebook.load([LABELS]).dialect()
    edited = insert_trace(notes, notes.quotes[0], Trace(attached=["x_code"], target="s3"), dialect)
    assert "added:\n``` python\n    x_code\n```\n" in edited.to_text()


def test_new_source_follows_the_study(tmp_path, capsys):
    study = tmp_path / "study"
    shutil.copytree(LABELS, study)
    assert (
        main(
            [
                "new",
                str(study),
                "--id",
                "s9",
                "--url",
                "https://example.org/9",
                "--title",
                "T",
                "--no-notebook",
            ]
        )
        == 0
    )
    text = read_text(study / "s_9.md")
    assert "## references\n\n**AXIAL CODING TRACE:**\n``` python\ns9 = CClass(source" in text


def test_the_kernel_writes_in_the_study_dialect():
    with coding_shell(LABELS, "s2") as shell:
        result, plain, _ = run_cell(shell, "%%code\nfamiliar: blameless_review\n")
        assert result.success
        assert "applies to s2: blameless_review (practice)" in plain
