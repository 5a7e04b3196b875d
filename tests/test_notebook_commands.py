"""to-notebook, to-markdown, new and the guard, on the real corpus and the example study."""

from __future__ import annotations

import json
import shutil

import pytest

from jupyter_coding.cli import main
from jupyter_coding.common import files as files_module
from jupyter_coding.fieldnotes import parse
from jupyter_coding.fieldnotes.new_source import render_new_source
from jupyter_coding.notebooks.convert import METADATA_KEY, read_notebook

from .conftest import CORPUS, EXAMPLES, SEED, corpus_files


@pytest.fixture(autouse=True)
def write_record(tmp_path, monkeypatch):
    """Keep the record of written files out of the user's Jupyter data folder."""
    path = tmp_path / "record" / "written.json"
    monkeypatch.setenv("JUPYTER_CODING_WRITE_RECORD", str(path))
    return path


@pytest.fixture
def study(tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(EXAMPLES, folder)
    return folder


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def load(path):
    return read_notebook(path.read_text(encoding="utf-8"))


def save(path, notebook):
    import nbformat

    nbformat.write(notebook, str(path))


def edit_cell(path, start: str, old: str, new: str) -> None:
    """Edit a notebook on disk as a front end would: change one cell, save the rest as loaded."""
    notebook = load(path)
    cell = next(c for c in notebook.cells if c.source.startswith(start))
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    save(path, notebook)


def test_whole_corpus_round_trips_through_the_commands(tmp_path, capsys):
    notebooks, markdown = tmp_path / "nb", tmp_path / "md"
    code, out, err = run(capsys, "to-notebook", CORPUS, SEED, "-o", notebooks)
    assert (code, err) == (0, ""), err
    assert "70 files: 70 notebooks written, 0 unchanged, 0 refused or failed" in out
    made = sorted(notebooks.glob("*.ipynb"))
    assert len(made) == 70
    document = json.loads((notebooks / "s_43.ipynb").read_text(encoding="utf-8"))
    recorded = document["metadata"][METADATA_KEY]["markdown"]
    assert recorded.endswith("corpus/data_as_a_product/s_43.md")
    code, out, err = run(capsys, "to-markdown", notebooks, "-o", markdown)
    assert (code, err) == (0, ""), err
    for path in [*corpus_files(), SEED]:
        assert (markdown / path.name).read_bytes() == path.read_bytes(), path.name
    # over the originals: they are outside the notebooks' folder, so refused without --root
    code, out, err = run(capsys, "to-markdown", notebooks)
    assert code == 1
    assert "70 notebooks: 0 markdown files written, 0 unchanged, 70 refused or failed" in out
    assert err.count("outside") == 70 and "--root" in err
    # with the folder that holds them allowed: nothing to write, the corpus is not touched
    code, out, _ = run(capsys, "to-markdown", notebooks, "--root", CORPUS.parent.parent)
    assert code == 0
    assert "70 notebooks: 0 markdown files written, 70 unchanged" in out


def test_edit_in_the_notebook_then_to_markdown(study, capsys):
    markdown = study / "s_2.md"
    original = markdown.read_text(encoding="utf-8")
    assert run(capsys, "to-notebook", markdown)[0] == 0
    notebook = study / "s_2.ipynb"
    line = next(line for line in original.split("\n") if line.startswith("> "))
    edit_cell(notebook, line[:20], line, line + " (edited)")
    code, out, err = run(capsys, "to-markdown", notebook)
    assert (code, err) == (0, "")
    assert out == f"wrote {markdown}\n"
    assert markdown.read_text(encoding="utf-8") == original.replace(line, line + " (edited)", 1)
    # the notebook still holds the hash of the first markdown (a front end saves it back
    # unchanged), yet a second edit is written: we wrote that markdown ourselves
    edit_cell(notebook, line[:20], "(edited)", "(edited twice)")
    assert run(capsys, "to-markdown", notebook)[0] == 0
    assert "(edited twice)" in markdown.read_text(encoding="utf-8")


def test_guard_refuses_a_markdown_file_that_changed(study, capsys):
    markdown = study / "s_1.md"
    run(capsys, "to-notebook", markdown)
    notebook = study / "s_1.ipynb"
    edit_cell(notebook, "# s", "## title\n", "## title\nNew: ")
    changed = markdown.read_bytes() + b"\n> typed in an editor meanwhile\n"
    markdown.write_bytes(changed)
    code, out, err = run(capsys, "to-markdown", notebook)
    assert code == 1
    assert markdown.read_bytes() == changed  # left alone
    alternate = study / "s_1.md.from-notebook"
    assert alternate.read_text(encoding="utf-8").startswith("# s \n1\n## url")
    assert "New: How we assign reviewers" in alternate.read_text(encoding="utf-8")
    message = err.strip()
    assert message.startswith(f"jupyter-coding to-markdown: {markdown}: the file changed since")
    assert "s_1.ipynb was made from it" in message
    assert str(alternate) in message and "--force" in message
    assert "\n" not in message
    assert "1 refused or failed" in out
    code, _, _ = run(capsys, "to-markdown", "--force", notebook)
    assert code == 0
    assert markdown.read_bytes() == alternate.read_bytes()


def test_guard_refuses_a_second_notebook_of_the_same_file(study, capsys):
    markdown = study / "s_1.md"
    run(capsys, "to-notebook", markdown)
    copy = study / "copy" / "s_1.ipynb"
    run(capsys, "to-notebook", markdown, "-o", copy)
    edit_cell(study / "s_1.ipynb", "> For years", "For years", "For many years")
    assert run(capsys, "to-markdown", study / "s_1.ipynb")[0] == 0
    # the copy was made from the old bytes, and we did not write the new ones from it
    edit_cell(copy, "> For years", "For years", "Since years")
    code, _, err = run(capsys, "to-markdown", copy, "--root", study)  # its markdown is in ..
    assert code == 1 and "the file changed since" in err
    assert "For many years" in markdown.read_text(encoding="utf-8")


def test_to_notebook_does_not_replace_unsaved_work(study, capsys):
    markdown = study / "s_3.md"
    run(capsys, "to-notebook", markdown)
    notebook = study / "s_3.ipynb"
    assert run(capsys, "to-notebook", markdown)[1] == f"{notebook}: unchanged\n"
    edit_cell(notebook, "# s", "## title\n", "## title\nDraft: ")
    before = notebook.read_bytes()
    code, _, err = run(capsys, "to-notebook", markdown)
    assert code == 1
    assert "not replaced: it has edits that are not in the markdown" in err
    assert "to-markdown" in err and "--force" in err
    assert notebook.read_bytes() == before
    assert run(capsys, "to-markdown", notebook)[0] == 0
    # now everything is in the markdown: the notebook is remade (with the new file's hash)
    code, out, _ = run(capsys, "to-notebook", markdown)
    assert (code, out) == (0, f"wrote {notebook}\n")
    markdown.write_text(markdown.read_text(encoding="utf-8") + "\n> more\n", encoding="utf-8")
    assert run(capsys, "to-notebook", markdown)[0] == 0  # a stale notebook is refreshed
    assert load(notebook).cells[-1].source == "> more"


def test_a_failed_write_leaves_the_markdown_whole(study, capsys, monkeypatch):
    markdown = study / "s_1.md"
    run(capsys, "to-notebook", markdown)
    edit_cell(study / "s_1.ipynb", "> For years", "For years", "For many years")
    before = markdown.read_bytes()

    def failing_replace(source, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(files_module.os, "replace", failing_replace)
    code, _, err = run(capsys, "to-markdown", study / "s_1.ipynb")
    assert code == 1 and "No space left on device" in err
    assert markdown.read_bytes() == before
    assert sorted(p.name for p in study.iterdir() if p.name.startswith(".")) == []


def test_folders_hold_other_notebooks_too(study, capsys, tmp_path):
    run(capsys, "to-notebook", study)
    (study / "analysis.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "to-markdown", study)
    assert code == 0
    assert "4 notebooks: 0 markdown files written, 4 unchanged" in out
    assert "(1 other notebook skipped)" in out
    assert not (study / "analysis.md").exists()


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["to-notebook"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["new", "somewhere", "--id", "s9"])
    assert caught.value.code == 2


def test_missing_input_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "to-markdown", tmp_path / "nope.ipynb")
    assert code == 1
    assert err == f"jupyter-coding to-markdown: {tmp_path / 'nope.ipynb'}: no such file or folder\n"


def test_concise_syntax_error_fails_that_notebook_only(study, capsys):
    run(capsys, "to-notebook", study)
    notebook = load(study / "s_2.ipynb")
    from nbformat import v4

    notebook.cells.append(v4.new_code_cell("%%code\nfamiliar: merge_rules\nnew: oops\n"))
    save(study / "s_2.ipynb", notebook)
    code, out, err = run(capsys, "to-markdown", study)
    assert code == 1
    assert err.startswith(f"jupyter-coding to-markdown: {study / 's_2.ipynb'}: cell ")
    assert ", line 3: expected identifier = CClass(metaclass" in err
    assert "3 unchanged, 1 refused or failed" in out


# -- new ---------------------------------------------------------------------------------------


def test_new_writes_a_source_and_its_notebook(study, capsys):
    code, out, err = run(
        capsys,
        "new",
        study,
        "--id",
        "s4",
        "--url",
        "https://example.org/talks/review-load",
        "--title",
        "Sharing the review load",
        "--example",
        "yes",
    )
    assert (code, err) == (0, "")
    markdown, notebook = study / "s_4.md", study / "s_4.ipynb"
    assert out == f"wrote {markdown}\nwrote {notebook}\n"
    expected = (
        "# s \n4\n"
        "## url\nhttps://example.org/talks/review-load\n"
        "## tiny url\n\n## archive url\n\n"
        "## title\nSharing the review load\n"
        "## source code\nno\n## example\nyes\n"
        "## source type \nPractitioner Audience Article\n"
        "## author type\nPractitioner\n"
        "## references\n\n"
        "**AXIAL CODING TRACE**: source and references\n"
        "``` python\n"
        's4 = CClass(source, "s4", values={\n'
        '    "title": "Sharing the review load",\n'
        '    "url": "https://example.org/talks/review-load",\n'
        '    "archive url": "",\n'
        '    "tiny url": "",\n'
        '    "author type": "Practitioner",\n'
        '    "type": "Practitioner Audience Article",\n'
        '    "example": True,\n'
        '    "source code": False})\n'
        "``` \n\n# coding\n"
    )
    assert markdown.read_text(encoding="utf-8") == expected
    notes = parse(expected)
    assert notes.source_id == "s4" and notes.coding_line is not None
    assert notes.source.values["title"] == notes.header.value("title")
    assert notes.source.values["url"] == notes.header.value("url")
    assert notes.source.values["example"] is True
    made = load(notebook)
    assert made.metadata[METADATA_KEY]["source_id"] == "s4"
    assert made.cells[-1].source == ""  # ready to paste a quote into
    assert run(capsys, "to-markdown", notebook)[0] == 0
    assert markdown.read_text(encoding="utf-8") == expected


def test_new_refuses_an_id_the_study_uses(study, capsys):
    code, _, err = run(capsys, "new", study, "--id", "s1", "--url", "u", "--title", "t")
    assert code == 1
    assert err == f"jupyter-coding new: s1 is already used by {study / 's_1.md'}; pick another id\n"
    code, _, err = run(capsys, "new", study, "--id", "58", "--url", "u", "--title", "t")
    assert code == 1 and "'58' is not a source id" in err
    assert sorted(p.name for p in study.glob("*.md")) == [
        "README.md",
        "p_1.md",
        "s_1.md",
        "s_2.md",
        "s_3.md",
    ]


def test_new_interview_spelling():
    text = render_new_source("p12", {"url": "u", "title": "Interview Expert L"})
    assert text.startswith("# p\n12\n## url\nu\n")
    assert 'p12 = CClass(source, "p12"' in text


# -- verify checks the notebook round trip too -------------------------------------------------


def test_verify_covers_the_notebook_round_trip(capsys, tmp_path, monkeypatch):
    code, out, _ = run(capsys, "verify", CORPUS, SEED)
    assert code == 0
    assert out.strip().endswith("70 files, 70 exact")
    # a notebook round trip that loses a byte is reported with the file and line
    import jupyter_coding.notebooks.convert as notebook_module

    real = notebook_module.to_markdown
    monkeypatch.setattr(notebook_module, "to_markdown", lambda nb, path=None: real(nb)[:-1])
    code, out, _ = run(capsys, "verify", EXAMPLES / "s_1.md")
    assert code == 1
    assert "notebook round trip" in out
    assert out.strip().endswith("1 file, 0 exact")


def test_unreadable_notebooks_are_one_line_errors(tmp_path, capsys):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "to-markdown", broken)
    assert code == 1
    assert err.startswith(f"jupyter-coding to-markdown: {broken}: not a readable notebook: ")
    assert err.count("\n") == 1
    shapeless = tmp_path / "shapeless.ipynb"
    shapeless.write_text('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', encoding="utf-8")
    code, _, err = run(capsys, "to-markdown", shapeless)
    assert code == 1
    assert err == (f"jupyter-coding to-markdown: {shapeless}: not a valid notebook: no 'cells'\n")


def test_write_record_keeps_what_other_processes_added(tmp_path):
    from jupyter_coding.notebooks.export import WriteRecord

    path = tmp_path / "record.json"
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text("a", encoding="utf-8")
    second.write_text("b", encoding="utf-8")
    mine, theirs = WriteRecord(path), WriteRecord(path)
    assert not mine.wrote(first, "1", tmp_path / "a.ipynb")  # loads the (empty) record
    theirs.remember(second, "2", tmp_path / "b.ipynb")
    theirs.save()
    mine.remember(first, "1", tmp_path / "a.ipynb")
    mine.save()
    fresh = WriteRecord(path)
    assert fresh.wrote(first, "1", tmp_path / "a.ipynb")
    assert fresh.wrote(second, "2", tmp_path / "b.ipynb")
    assert not fresh.wrote(second, "2", tmp_path / "a.ipynb")  # another notebook
    second.unlink()
    fresh.remember(first, "3", tmp_path / "a.ipynb")
    fresh.save()
    assert set(json.loads(path.read_text(encoding="utf-8"))) == {str(first.resolve())}
