"""A field-notes .md opened as a notebook through a real Jupyter Server, and saved as the .md.

The server runs on 127.0.0.1 with isolated Jupyter folders; the contents manager is
the package's server extension, enabled by the config file that installing the
package puts in ``etc/jupyter`` (as on a researcher's machine). Requests are those
JupyterLab sends: ``GET /api/contents/NAME.md?type=notebook`` and ``PUT`` of the
notebook. A few in-process tests cover the sync manager and the pieces.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

from jupyter_coding.common.files import find_field_notes, sha256
from jupyter_coding.fieldnotes import parse
from jupyter_coding.fieldnotes.canonical import Trace, render_trace
from jupyter_coding.fieldnotes.dialect import Dialect
from jupyter_coding.notebooks.contents import (
    OPENED_KEY,
    build_contents_manager_class,
    field_notes_in,
    looks_like_field_notes,
    save_view,
)
from jupyter_coding.notebooks.convert import METADATA_KEY, export_markdown
from jupyter_coding.notebooks.export import ALTERNATE_SUFFIX, WriteRecord

from .conftest import CORPUS, EXAMPLES, ROOT, read_exact
from .test_save_hook import Server

pytestmark = pytest.mark.server

CORPUS_FILES = ("s_43.md", "s_12.md", "p_4.md", "s_28.md", "s_17.md")
LABELS = ROOT / "examples" / "labels_study"
PLAIN = "# Reading list\n\nPapers to read before the next coding session.\n"
# jupytext (installed with the bench extra) derives its manager from ours and serves any
# .md asked for without a type as a notebook; these tests see the server as a plain
# install has it, and test_jupytext_coexists starts one with jupytext on
PLAIN_CONFIG = 'c.ServerApp.jpserver_extensions.update({"jupyterlab_jupytext": False})\n'
PAIRED_CONFIG = PLAIN_CONFIG + "c.FieldNotesContents.paired_notebook = True\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("study")
    for name in CORPUS_FILES:
        shutil.copyfile(CORPUS / name, root / name)
    (root / "labels").mkdir()
    for path in find_field_notes([LABELS]):
        shutil.copyfile(path, root / "labels" / path.name)
    (root / "reading-list.md").write_text(PLAIN, encoding="utf-8")
    running = Server(root, tmp_path_factory.mktemp("jupyter"), config_text=PLAIN_CONFIG)
    yield running
    running.stop()


def open_view(server: Server, name: str) -> dict:
    status, model = server.request("GET", f"/api/contents/{name}?type=notebook&content=1&hash=1")
    assert status == 200, model
    assert model["type"] == "notebook" and model["format"] == "json"
    return model


def source(cell: dict) -> str:
    return "".join(cell["source"])


def new_cell(kind: str, text: str) -> dict:
    cell = {
        "cell_type": kind,
        "id": f"new-{abs(hash(text)) % 10**8}",
        "metadata": {},
        "source": text,
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def listing(folder: Path) -> list[str]:
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if ".ipynb_checkpoints" not in path.parts and not path.is_dir()
    )


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_a_corpus_file_opens_as_its_exact_notebook_and_saves_back_byte_for_byte(server, name):
    markdown = server.root / name
    original = markdown.read_bytes()
    before = listing(server.root)
    model = open_view(server, name)
    notebook = model["content"]
    ours = notebook["metadata"][METADATA_KEY]
    assert ours["sha256"] == sha256(original) and ours["markdown"] == name
    assert model["hash"] == sha256(original)  # what JupyterLab compares before it saves
    assert export_markdown(notebook).text.encode("utf-8") == original
    assert source(notebook["cells"][0]) == "%load_ext jupyter_coding"
    status, saved = server.save(name, notebook)
    assert status == 200, saved
    assert saved["type"] == "notebook" and saved.get("content") is None
    assert markdown.read_bytes() == original
    assert listing(server.root) == before  # no .ipynb, no .from-notebook, no lock left


def quote_pair(notebook: dict) -> tuple[int, str, str]:
    """A quote cell ending in one blank line, followed by another quote: where to add a trace."""
    cells = notebook["cells"]
    for index in range(1, len(cells) - 1):
        here, after = cells[index]["metadata"][METADATA_KEY], cells[index + 1]["metadata"]
        if (
            here.get("kind") == "quote"
            and here.get("end") == "\n\n"
            and after[METADATA_KEY].get("kind") == "quote"
        ):
            return index, source(cells[index]), source(cells[index + 1])
    raise AssertionError("no two quotes in a row")


TRACE_TEXT = (
    "**OPEN CODING TRACE:**\n\nFamiliar option: data_catalogue\n\n**AXIAL CODING TRACE:**\n\n"
    "add codes to s43: \n``` python \n    '''\n        data_catalogue\n    '''\n```"
)


def test_one_trace_added_changes_exactly_that_block_and_saving_again_works(server):
    markdown = server.root / "s_43.md"
    original = read_exact(markdown)
    notebook = open_view(server, "s_43.md")["content"]
    index, quote, following = quote_pair(notebook)
    notebook["cells"].insert(index + 1, new_cell("code", "%%code\n" + TRACE_TEXT))
    status, model = server.save("s_43.md", notebook)
    assert status == 200, model
    join = quote + "\n\n" + following
    assert original.count(join) == 1
    expected = original.replace(join, quote + "\n\n" + TRACE_TEXT + "\n\n" + following)
    assert read_exact(markdown) == expected
    # JupyterLab saves again with the metadata it loaded (the old sha256): the write
    # record knows this opening wrote the file, so the second save goes through
    dialect = Dialect.of_files(find_field_notes([server.root]))
    concise = render_trace(
        Trace(code_lists=[("Familiar option", ["k8s"])], attached=["k8s"], target="s43"), dialect
    )
    notebook["cells"].insert(index + 2, new_cell("code", "%%code\nfamiliar: k8s"))
    status, model = server.save("s_43.md", notebook)
    assert status == 200, model
    block = concise[0] + "\n" + concise[1]
    assert read_exact(markdown) == expected.replace(
        TRACE_TEXT + "\n\n", TRACE_TEXT + "\n\n" + block.strip("\n") + "\n\n", 1
    )
    assert not list(server.root.glob("*.ipynb"))


def test_a_file_changed_on_disk_is_not_overwritten_and_the_text_is_kept(server):
    markdown = server.root / "s_12.md"
    notebook = open_view(server, "s_12.md")["content"]
    changed = markdown.read_bytes() + b"\n> typed in an editor meanwhile\n"
    markdown.write_bytes(changed)
    cell = next(c for c in notebook["cells"] if source(c).startswith("> "))
    cell["source"] = source(cell) + " (edited in the notebook)"
    status, model = server.save("s_12.md", notebook)
    assert status == 409, model
    message = model["message"]
    assert message.startswith("s_12.md changed on disk since it was opened here")
    assert f"s_12.md{ALTERNATE_SUFFIX}" in message and "\n" not in message
    assert markdown.read_bytes() == changed  # untouched
    alternate = server.root / f"s_12.md{ALTERNATE_SUFFIX}"
    assert read_exact(alternate) == export_markdown(notebook).text
    assert "(edited in the notebook)" in read_exact(alternate)
    # the same save again: refused again, and the text is not written a second time
    status, model = server.save("s_12.md", notebook)
    assert status == 409 and "already" in model["message"]
    assert not (server.root / f"s_12.md{ALTERNATE_SUFFIX}.1").exists()


def test_a_second_opening_is_refused_after_the_first_one_saved(server):
    """Two browser tabs: the one that opened the file before the other saved may not overwrite."""
    markdown = server.root / "s_28.md"
    first = open_view(server, "s_28.md")["content"]
    second = open_view(server, "s_28.md")["content"]
    assert (
        first["metadata"][METADATA_KEY][OPENED_KEY] != second["metadata"][METADATA_KEY][OPENED_KEY]
    )
    first["cells"].append(new_cell("markdown", "> added in the first tab"))
    assert server.save("s_28.md", first)[0] == 200
    saved = markdown.read_bytes()
    second["cells"].append(new_cell("markdown", "> added in the second tab"))
    status, model = server.save("s_28.md", second)
    assert status == 409, model
    assert markdown.read_bytes() == saved
    assert "added in the second tab" in read_exact(server.root / f"s_28.md{ALTERNATE_SUFFIX}")


def test_outputs_and_scratch_cells_are_not_written_to_the_markdown(server):
    markdown = server.root / "s_17.md"
    original = markdown.read_bytes()
    notebook = open_view(server, "s_17.md")["content"]
    trace = next(c for c in notebook["cells"] if source(c).startswith("%%code"))
    trace["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "applies to s17: x\n"}]
    trace["execution_count"] = 3
    notebook["cells"].append(new_cell("code", "%codebook data"))
    status, model = server.save("s_17.md", notebook)
    assert status == 200, model
    assert markdown.read_bytes() == original
    assert "a code cell without %%code is not part of the field notes" in server.log_text()


def test_a_study_in_another_dialect_gets_new_traces_in_its_own_layout(server):
    name = "labels/s_1.md"
    markdown = server.root / name
    original = read_exact(markdown)
    notebook = open_view(server, name)["content"]
    notebook["cells"].append(new_cell("code", "%%code\nfamiliar: reviewer_rotation"))
    assert server.save(name, notebook)[0] == 200
    dialect = Dialect.of_files(find_field_notes([server.root / "labels"]))
    open_text, axial_text = render_trace(
        Trace(
            code_lists=[("Familiar option", ["reviewer_rotation"])],
            attached=["reviewer_rotation"],
            target="s1",
        ),
        dialect,
    )
    added = read_exact(markdown)[len(original.rstrip("\n")) :]
    assert read_exact(markdown).startswith(original.rstrip("\n"))
    assert added.strip("\n") == (open_text + "\n" + axial_text).strip("\n")
    assert "add codes to" not in added  # this study attaches through added: only


def test_plain_markdown_is_a_file_and_is_not_served_as_field_notes(server):
    status, model = server.request("GET", "/api/contents/reading-list.md?content=1")
    assert status == 200 and model["type"] == "file" and model["content"] == PLAIN
    status, model = server.request("GET", "/api/contents/reading-list.md?type=notebook&content=1")
    assert status == 400
    assert "reading-list.md: not a field-notes file" in model["message"]
    assert "open it with the Editor" in model["message"]
    # and field notes asked for as a file are the file, as in JupyterLab's editor
    status, model = server.request("GET", "/api/contents/p_4.md?type=file&format=text&content=1")
    assert status == 200 and model["type"] == "file"
    assert model["content"] == read_exact(CORPUS / "p_4.md")


def test_the_lab_extension_learns_which_files_are_field_notes(server):
    status, answer = server.request("GET", "/jupyter-coding/field-notes?path=")
    assert status == 200
    assert answer["field_notes"] == sorted(CORPUS_FILES)  # not reading-list.md
    status, answer = server.request("GET", "/jupyter-coding/field-notes?path=labels")
    assert answer["field_notes"] == sorted(p.name for p in find_field_notes([LABELS]))
    assert "README.md" not in answer["field_notes"]


@pytest.mark.parametrize("kind", ["link", "crafted"])
def test_nothing_is_read_or_written_outside_the_root(server, tmp_path_factory, kind):
    outside = tmp_path_factory.mktemp("outside")
    victim = outside / "x.md"
    victim.write_bytes((CORPUS / "s_43.md").read_bytes())
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    if kind == "link":  # a link inside the root pointing out of it
        (server.root / "linked.md").symlink_to(victim)
        status, model = server.request("GET", "/api/contents/linked.md?type=notebook&content=1")
        assert status == 403 and "outside" in model["message"]
        notebook = open_view(server, "s_43.md")["content"]
        path = "linked.md"
    else:  # the PUT path itself climbs out
        notebook = open_view(server, "s_43.md")["content"]
        path = os.path.relpath(victim, server.root)
    notebook["metadata"][METADATA_KEY]["sha256"] = sha256(victim.read_bytes())
    notebook["cells"].append(new_cell("markdown", "> written through the contents manager"))
    status, model = server.save(path, notebook)
    assert status in (403, 404), model
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before


def test_the_open_route_sends_jupyterlab_to_the_file_as_field_notes(server):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(
            "GET",
            "/jupyter-coding/open/labels/s_1.md",
            headers={"Authorization": f"token {server.token}"},
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 302
    assert response.getheader("Location") == "/lab?field-notes=labels%2Fs_1.md"


def test_a_notebook_not_made_from_field_notes_is_not_saved_over_them(server):
    plain = {
        "cells": [new_cell("markdown", "hello")],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    before = (server.root / "p_4.md").read_bytes()
    status, model = server.save("p_4.md", plain)
    assert status == 409 and "holds field notes" in model["message"]
    assert (server.root / "p_4.md").read_bytes() == before


# -- a paired .ipynb, on request --------------------------------------------------------


def test_with_a_paired_notebook_the_ipynb_keeps_outputs_and_opens_again(tmp_path):
    root = tmp_path / "study"
    shutil.copytree(LABELS, root)  # a study whose dialect is not the seed's
    original = read_exact(root / "s_1.md")
    running = Server(root, tmp_path / "jupyter", config_text=PAIRED_CONFIG)
    try:
        notebook = open_view(running, "s_1.md")["content"]
        notebook["cells"].append(new_cell("code", "%%code\nfamiliar: reviewer_rotation"))
        notebook["cells"].append(new_cell("code", "%codebook"))
        notebook["cells"][-1]["outputs"] = [
            {"output_type": "stream", "name": "stdout", "text": "the codebook\n"}
        ]
        assert running.save("s_1.md", notebook)[0] == 200
        saved = read_exact(root / "s_1.md")
        assert saved.startswith(original.rstrip("\n")) and "reviewer_rotation" in saved
        paired = json.loads((root / "s_1.ipynb").read_text(encoding="utf-8"))
        assert paired["metadata"][METADATA_KEY]["sha256"] == sha256(saved.encode("utf-8"))
        # opened again from the pair: the concise cell as typed, the scratch cell, its output
        again = open_view(running, "s_1.md")["content"]
        assert source(again["cells"][-2]) == "%%code\nfamiliar: reviewer_rotation"
        assert source(again["cells"][-1]) == "%codebook"
        assert again["cells"][-1]["outputs"][0]["text"] == "the codebook\n"
        assert running.save("s_1.md", again)[0] == 200
        assert read_exact(root / "s_1.md") == saved
        # the markdown edited elsewhere: the stale pair is not the view, and not replaced
        (root / "s_1.md").write_text(saved + "\n> more\n", encoding="utf-8")
        fresh = open_view(running, "s_1.md")["content"]
        assert source(fresh["cells"][-1]) != "%codebook"
        status, model = running.save("s_1.md", fresh)
        assert status == 409 and "s_1.ipynb was not replaced" in model["message"]
        assert read_exact(root / "s_1.md").endswith("> more\n")
        assert source(json.loads((root / "s_1.ipynb").read_text())["cells"][-1]) == "%codebook"
    finally:
        running.stop()


# -- in process: the sync manager, the pieces -------------------------------------------


def test_the_sync_manager_serves_and_saves_the_view(tmp_path):
    from jupyter_server.services.contents.filemanager import FileContentsManager

    shutil.copyfile(CORPUS / "p_4.md", tmp_path / "p_4.md")
    manager = build_contents_manager_class(FileContentsManager)(root_dir=str(tmp_path))
    model = manager.get("p_4.md", type="notebook")
    assert export_markdown(model["content"]).text == read_exact(CORPUS / "p_4.md")
    model["content"]["cells"].append(new_cell("markdown", "> one more quote"))
    manager.save({"type": "notebook", "content": model["content"]}, "p_4.md")
    # p_4.md ends in a blank line, which stays between its last quote and the new one
    assert read_exact(tmp_path / "p_4.md") == read_exact(CORPUS / "p_4.md") + "> one more quote\n"
    assert manager.get("p_4.md")["type"] == "file"
    assert build_contents_manager_class(type(manager)) is type(manager)


def test_the_async_manager_refuses_plain_markdown_as_a_notebook(tmp_path):
    from jupyter_server.services.contents.filemanager import AsyncFileContentsManager
    from tornado.web import HTTPError

    (tmp_path / "notes.md").write_text(PLAIN, encoding="utf-8")
    manager = build_contents_manager_class(AsyncFileContentsManager)(root_dir=str(tmp_path))
    with pytest.raises(HTTPError) as refused:
        asyncio.run(manager.get("notes.md", type="notebook"))
    assert (
        refused.value.status_code == 400 and "not a field-notes file" in refused.value.log_message
    )
    assert asyncio.run(manager.get("notes.md"))["content"] == PLAIN


def test_field_notes_are_told_from_other_markdown(tmp_path):
    for path in [*find_field_notes([CORPUS]), *find_field_notes([LABELS])]:
        assert looks_like_field_notes(path), path
    for path in (ROOT / "README.md", EXAMPLES / "README.md", LABELS / "README.md"):
        assert not looks_like_field_notes(path)
    (tmp_path / "header-only.md").write_text("# p\n\nhello\n", encoding="utf-8")
    (tmp_path / "s_1.md").write_bytes((EXAMPLES / "s_1.md").read_bytes())
    (tmp_path / ".hidden.md").write_bytes((EXAMPLES / "s_1.md").read_bytes())
    assert field_notes_in(tmp_path) == ["s_1.md"]


def test_save_view_writes_through_the_guard_of_one_opening(tmp_path):
    markdown = tmp_path / "s_1.md"
    markdown.write_bytes((EXAMPLES / "s_1.md").read_bytes())
    from jupyter_coding.notebooks.contents import notebook_view

    view, data = notebook_view(markdown)
    assert parse(data.decode()).source_id == view["metadata"][METADATA_KEY]["source_id"]
    record = WriteRecord(tmp_path / "record.json")
    view["cells"].append(new_cell("markdown", "> a new quote"))
    assert save_view(markdown, view, tmp_path, record).result.status == "written"
    view["cells"].append(new_cell("markdown", "> and another"))
    assert (
        save_view(markdown, view, tmp_path, WriteRecord(tmp_path / "record.json")).result.status
        == "written"
    )
    other, _ = notebook_view(tmp_path / "s_1.md")
    markdown.write_bytes(markdown.read_bytes() + b"\n> meanwhile\n")
    assert save_view(
        markdown, other, tmp_path, WriteRecord(tmp_path / "record.json")
    ).result.refused


def test_the_magics_find_the_study_and_source_from_the_md_the_kernel_runs(tmp_path, monkeypatch):
    """JupyterLab opens s_2.md as Field Notes: JPY_SESSION_NAME is the .md itself."""
    from jupyter_coding.kernel.testing import coding_shell, run_cell

    study = tmp_path / "study"
    shutil.copytree(EXAMPLES, study)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not the study: the folder must come from the .md
    monkeypatch.setenv("JPY_SESSION_NAME", str(study / "s_2.md"))
    with coding_shell() as shell:
        shell.user_ns.pop("__session__", None)
        magics = shell.magics_manager.registry["CodingMagics"]
        magics.show_picker = False
        assert magics.study_folder() == study.resolve()
        assert magics.current_source_id() == "s2"
        result, shown, _ = run_cell(shell, "%%code\nfamiliar: reviewer_rotation")
        assert result.success, result.error_in_exec
        assert "applies to s2" in shown


def test_jupyter_coding_lab_starts_jupyterlab_on_the_study_with_the_manager_on(capsys, tmp_path):
    from jupyter_coding.cli import main

    assert main(["lab", str(EXAMPLES), "s_1.md", "--print", "--port", "8899"]) == 0
    printed = capsys.readouterr().out
    assert f"--ServerApp.root_dir={EXAMPLES.resolve()}" in printed
    assert "--ServerApp.jpserver_extensions=jupyter_coding.serverext=True" in printed
    assert "--ServerApp.default_url=/jupyter-coding/open/s_1.md" in printed
    assert "--port=8899" in printed
    assert main(["lab", str(tmp_path / "missing"), "--print"]) == 1
    assert "missing: no such folder" in capsys.readouterr().err
    outside = tmp_path / "s_9.md"
    outside.write_text("# s \n9\n", encoding="utf-8")
    assert main(["lab", str(EXAMPLES), str(outside), "--print"]) == 1
    assert "not inside" in capsys.readouterr().err
