"""Issue 10, writing half: nothing written where it should not be, nothing lost.

S1 a notebook's metadata cannot send a write out of the study; D2 two writers at once
(real processes); D3 symbolic links; D4 an earlier ``.from-notebook`` is never
overwritten; temporary files a killed write left; read-only files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.notebooks import export as exporter
from jupyter_coding.notebooks.convert import METADATA_KEY, read_notebook
from jupyter_coding.notebooks.export import ALTERNATE_SUFFIX, WriteRecord

from .conftest import EXAMPLES
from .test_notebook_commands import write_record  # noqa: F401 (autouse: a record of our own)

QUOTE = "For years our"


@pytest.fixture
def study(tmp_path, capsys):
    """A copy of the example study with a notebook beside each file."""
    folder = tmp_path / "study"
    shutil.copytree(EXAMPLES, folder)
    assert main(["to-notebook", "-q", str(folder)]) == 0
    capsys.readouterr()
    return folder


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def edit(notebook: Path, old: str, new: str) -> None:
    """Change one cell as a front end saves it (the rest as loaded)."""
    document = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in document["cells"] if old in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace(old, new, 1)
    notebook.write_text(json.dumps(document), encoding="utf-8")


def set_markdown(notebook: Path, name: str) -> None:
    document = json.loads(notebook.read_text(encoding="utf-8"))
    document["metadata"][METADATA_KEY]["markdown"] = name
    notebook.write_text(json.dumps(document), encoding="utf-8")


def listing(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# -- S1: the metadata cannot send a write out of the notebook's folder --------------------------


@pytest.mark.parametrize("kind", ["parent", "absolute", "down-and-up", "linked folder"])
def test_a_crafted_markdown_path_is_refused_before_anything_is_written(
    study, tmp_path, capsys, kind
):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.md"
    victim.write_bytes(b"# the researcher's other file\n")
    (study / "linked").symlink_to(outside, target_is_directory=True)
    name = {
        "parent": "../outside/victim.md",
        "absolute": str(victim),
        "down-and-up": "sub/../../outside/victim.md",
        "linked folder": "linked/victim.md",
    }[kind]
    notebook = study / "s_1.ipynb"
    set_markdown(notebook, name)
    edit(notebook, QUOTE, "Overwritten by a notebook someone sent:")
    before_outside, before_study = listing(outside), listing(study)
    for force in ([], ["--force"]):
        code, _, err = run(capsys, "to-markdown", *force, notebook)
        assert code == 1
        assert err.startswith(
            f"jupyter-coding to-markdown: {notebook}: its metadata names the markdown file "
            f"{name!r}, which leads"
        )
        assert f"outside {os.path.realpath(study)}; refused, nothing was read or written" in err
        assert "--root" in err and err.count("\n") == 1
        assert listing(outside) == before_outside  # no victim.md.from-notebook either
        assert listing(study) == before_study


def test_a_markdown_file_in_a_subfolder_or_under_root_is_allowed(study, tmp_path, capsys):
    (study / "notes").mkdir()
    shutil.move(study / "s_1.md", study / "notes" / "s_1.md")
    notebook = study / "s_1.ipynb"
    set_markdown(notebook, "notes/s_1.md")
    edit(notebook, QUOTE, "For many years our")
    assert run(capsys, "to-markdown", notebook)[0] == 0
    assert "For many years our" in (study / "notes" / "s_1.md").read_text(encoding="utf-8")
    # a notebook in a subfolder, naming ../s_2.md: refused, unless --root allows the study
    made = study / "nb" / "s_2.ipynb"
    assert run(capsys, "to-notebook", study / "s_2.md", "-o", made)[0] == 0
    assert read_notebook(made.read_text(encoding="utf-8")).metadata[METADATA_KEY]["markdown"] == (
        "../s_2.md"
    )
    edit(made, "## title\n", "## title\nNew: ")
    assert run(capsys, "to-markdown", made)[0] == 1
    code, out, err = run(capsys, "to-markdown", made, "--root", study)
    assert (code, err) == (0, "")
    assert out == f"wrote {study / 'nb' / '..' / 's_2.md'}\n"
    assert "New: " in (study / "s_2.md").read_text(encoding="utf-8")


def test_inside_root_compares_whole_folder_names(tmp_path):
    (tmp_path / "study").mkdir()
    (tmp_path / "study2").mkdir()
    inside_root = exporter.inside_root
    assert (
        inside_root(tmp_path / "study" / "a.md", tmp_path / "study")
        == (tmp_path / "study" / "a.md").resolve()
    )
    with pytest.raises(exporter.UnsafeTarget) as caught:
        inside_root(tmp_path / "study2" / "a.md", tmp_path / "study")
    assert caught.value.real == str((tmp_path / "study2" / "a.md").resolve())
    assert not caught.value.through_link


# -- D2: two writers at once, in real processes -----------------------------------------------

# Runs one command in a fresh interpreter, at a given moment; ``delay`` widens the window
# between the guard's read and its write (inside the guard's own check), so a missing lock
# shows every time, not now and then.
CHILD = """
import sys, time
from jupyter_coding.cli._notebooks import import_nbformat_quickly

import_nbformat_quickly()  # as the command does, before nbformat is imported
import jupyter_coding.notebooks.export as exporter
import jupyter_coding.cli.to_markdown
import nbformat
from jupyter_coding.cli import main

delay, start = float(sys.argv[1]), float(sys.argv[2])
if delay:
    check = exporter.may_overwrite

    def slow_check(*args, **kwargs):
        time.sleep(delay)
        return check(*args, **kwargs)

    exporter.may_overwrite = slow_check
while time.time() < start:
    time.sleep(0.001)
sys.exit(main(sys.argv[3:]))
"""


def start_together(commands: list[list[str]], delay: float, env: dict) -> list[tuple[int, str]]:
    start = time.time() + 1.0  # time enough for every interpreter to import
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(delay), str(start), *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    results = []
    for process in processes:
        _, err = process.communicate(timeout=120)
        results.append((process.returncode, err))
    return results


@pytest.mark.parametrize("delay", [0.3, 0.0, 0.0, 0.0])
def test_two_notebooks_of_one_file_saved_at_once_never_both_write(study, capsys, delay):
    markdown = study / "s_1.md"
    original = markdown.read_text(encoding="utf-8")
    first, second = study / "s_1.ipynb", study / "s_1_copy.ipynb"
    assert run(capsys, "to-notebook", markdown, "-o", second)[0] == 0
    edit(first, QUOTE, "First writer: for years our")
    edit(second, QUOTE, "Second writer: for years our")
    env = dict(os.environ)  # with the test's own write record
    results = start_together(
        [["to-markdown", str(first)], ["to-markdown", str(second)]], delay, env
    )
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    text = markdown.read_text(encoding="utf-8")
    winner = "First" if "First writer" in text else "Second"
    loser = "Second" if winner == "First" else "First"
    assert text == original.replace(QUOTE, f"{winner} writer: for years our", 1)
    alternate = study / f"s_1.md{ALTERNATE_SUFFIX}"
    assert f"{loser} writer" in alternate.read_text(encoding="utf-8")  # the other edit is kept
    refusal = next(err for code, err in results if code == 1)
    assert "the file changed since" in refusal and str(alternate) in refusal
    assert not list(study.glob(".*lock")) and not list(study.glob(".*.tmp"))


RECORD_CHILD = """
import sys, time
from pathlib import Path
import jupyter_coding.notebooks.export as exporter

record_path, target, start = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
write = exporter.atomic_write

def slow_write(*args, **kwargs):  # between reading the record and replacing it
    time.sleep(0.2)
    return write(*args, **kwargs)

exporter.atomic_write = slow_write
record = exporter.WriteRecord(record_path)
record.remember(target, "digest-" + target.name, target.with_suffix(".ipynb"))
while time.time() < start:
    time.sleep(0.001)
record.save()
"""


def test_the_write_record_keeps_every_entry_when_processes_save_at_once(tmp_path):
    record_path = tmp_path / "record.json"
    targets = [tmp_path / f"s_{n}.md" for n in range(8)]
    for target in targets:
        target.write_text("x", encoding="utf-8")
    start = time.time() + 1.0
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RECORD_CHILD, str(record_path), str(target), str(start)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for target in targets
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    record = WriteRecord(record_path)
    for target in targets:
        assert record.wrote(target, "digest-" + target.name, target.with_suffix(".ipynb"))
    assert len(json.loads(record_path.read_text(encoding="utf-8"))) == 8


HOLDER = """
import sys, time
from jupyter_coding.common.files import locked

with locked(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


def kill_when(script: str, path: Path, ready: str) -> None:
    """Run ``script`` on ``path`` in a fresh interpreter and kill -9 it once it prints ``ready``."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline() == ready + "\n"
    finally:
        process.send_signal(signal.SIGKILL)  # no finally clauses run, nothing cleans up
        process.wait(timeout=30)
        process.stdout.close()


def test_a_lock_left_by_a_killed_process_does_not_block(study, capsys):
    markdown = study / "s_1.md"
    kill_when(HOLDER, markdown, "locked")
    leftovers = list(study.glob(".s_1.md.*lock"))
    assert len(leftovers) == 1  # the lock file is still there, its holder gone
    edit(study / "s_1.ipynb", QUOTE, "For many years our")
    started = time.monotonic()
    assert run(capsys, "to-markdown", study / "s_1.ipynb")[0] == 0
    assert time.monotonic() - started < 10
    assert "For many years our" in markdown.read_text(encoding="utf-8")
    assert not leftovers[0].exists()


# -- D3: symbolic links are written through, inside the study only ----------------------------


def test_a_linked_markdown_file_is_written_through_the_link(tmp_path, capsys):
    study = tmp_path / "study"
    (study / "notes").mkdir(parents=True)
    real = study / "notes" / "s_1.md"
    shutil.copy(EXAMPLES / "s_1.md", real)
    link = study / "s_1.md"
    link.symlink_to(Path("notes") / "s_1.md")
    assert run(capsys, "to-notebook", link)[0] == 0
    edit(study / "s_1.ipynb", QUOTE, "For many years our")
    code, out, err = run(capsys, "to-markdown", study / "s_1.ipynb")
    assert (code, err) == (0, "")
    assert out == f"wrote {link}\n"
    assert link.is_symlink() and os.readlink(link) == os.path.join("notes", "s_1.md")
    assert "For many years our" in real.read_text(encoding="utf-8")
    assert sorted(p.name for p in (study / "notes").iterdir()) == ["s_1.md"]  # no temporaries
    # the guard reads through the link too: a second edit is written again
    edit(study / "s_1.ipynb", "For many years our", "For all those years our")
    assert run(capsys, "to-markdown", study / "s_1.ipynb")[0] == 0
    assert "For all those years our" in real.read_text(encoding="utf-8")


def test_a_link_pointing_out_of_the_study_is_refused(tmp_path, capsys):
    study, elsewhere = tmp_path / "study", tmp_path / "elsewhere"
    study.mkdir()
    elsewhere.mkdir()
    shutil.copy(EXAMPLES / "s_1.md", elsewhere)
    link = study / "s_1.md"
    link.symlink_to(elsewhere / "s_1.md")
    assert run(capsys, "to-notebook", link)[0] == 0
    notebook = study / "s_1.ipynb"
    edit(notebook, QUOTE, "For many years our")
    before = listing(elsewhere)
    code, _, err = run(capsys, "to-markdown", notebook)
    assert code == 1
    assert f"which leads through a link to {elsewhere / 's_1.md'}, outside" in err
    assert err.count("\n") == 1
    assert listing(elsewhere) == before and link.is_symlink()
    assert sorted(p.name for p in study.iterdir()) == ["s_1.ipynb", "s_1.md"]
    # the researcher can allow it: the write goes through the link, which stays
    assert run(capsys, "to-markdown", notebook, "--root", tmp_path)[0] == 0
    assert "For many years our" in (elsewhere / "s_1.md").read_text(encoding="utf-8")
    assert link.is_symlink()


# -- D4: an earlier .from-notebook may hold merge work: never overwritten ---------------------


def test_a_second_refusal_writes_a_new_numbered_file(study, capsys):
    markdown, notebook = study / "s_1.md", study / "s_1.ipynb"
    markdown.write_bytes(markdown.read_bytes() + b"\n> typed in an editor\n")
    edit(notebook, QUOTE, "First try: for years our")
    code, _, err = run(capsys, "to-markdown", notebook)
    first = study / f"s_1.md{ALTERNATE_SUFFIX}"
    assert code == 1 and f"was written to {first} instead" in err
    merge_work = first.read_bytes() + b"\n> the researcher's merge, half done\n"
    first.write_bytes(merge_work)
    edit(notebook, "First try", "Second try")
    code, _, err = run(capsys, "to-markdown", notebook)
    second = study / f"s_1.md{ALTERNATE_SUFFIX}.1"
    assert code == 1 and f"was written to {second} instead" in err
    assert first.read_bytes() == merge_work
    assert "Second try" in second.read_text(encoding="utf-8")
    # the same text again: it is in .1 already, and no .2 is made
    code, _, err = run(capsys, "to-markdown", notebook)
    assert code == 1 and f"the notebook's text is in {second} already" in err
    # a link planted as the next name is not written through
    planted = study / f"s_1.md{ALTERNATE_SUFFIX}.2"
    planted.symlink_to(study.parent / "planted-target")
    edit(notebook, "Second try", "Third try")
    code, _, err = run(capsys, "to-markdown", notebook)
    third = study / f"s_1.md{ALTERNATE_SUFFIX}.3"
    assert code == 1 and str(third) in err
    assert not (study.parent / "planted-target").exists()
    assert first.read_bytes() == merge_work


# -- temporary files of a killed write, read-only files -----------------------------------------

KILLED_WRITER = """
import os, sys, time
from jupyter_coding.common import files

def stuck(*args):
    print("written", flush=True)
    time.sleep(120)

files.os.replace = stuck
files.atomic_write(sys.argv[1], b"x" * 1_000_000)
"""


def test_temporary_files_of_a_killed_write_are_cleaned_up(study, capsys):
    kill_when(KILLED_WRITER, study / "s_1.md", "written")
    (left,) = study.glob(".s_1.md.*.tmp")
    assert left.stat().st_size == 1_000_000
    an_hour_ago = time.time() - 3600
    os.utime(left, (an_hour_ago, an_hour_ago))
    recent = study / ".s_1.md.abcd1234.tmp"  # a write in progress, maybe: kept
    recent.write_bytes(b"in progress")
    foreign = [study / ".s_1.md.notours.tmp", study / ".s_1.md.abcd1234.tmp.keep"]
    foreign += [study / "notes.tmp", study / ".s_2.md.abcd1234.tmp"]
    for path in foreign:
        path.write_bytes(b"not ours")
        os.utime(path, (an_hour_ago, an_hour_ago))
    edit(study / "s_1.ipynb", QUOTE, "For many years our")
    assert run(capsys, "to-markdown", study / "s_1.ipynb")[0] == 0
    assert not left.exists()
    assert recent.exists() and all(path.exists() for path in foreign)


def test_a_read_only_markdown_file_is_not_overwritten(study, capsys):
    markdown = study / "s_1.md"
    before = markdown.read_bytes()
    markdown.chmod(0o444)
    edit(study / "s_1.ipynb", QUOTE, "For many years our")
    for force in ([], ["--force"]):
        code, _, err = run(capsys, "to-markdown", *force, study / "s_1.ipynb")
        assert code == 1
        assert err == (
            f"jupyter-coding to-markdown: {markdown}: the file is read-only, so it was not "
            "overwritten (make it writable to write it)\n"
        )
        assert markdown.read_bytes() == before
        assert markdown.stat().st_mode & 0o777 == 0o444


def test_rename_refuses_a_read_only_file_before_writing_any(study, capsys):
    markdown = study / "s_1.md"
    others = {path: path.read_bytes() for path in study.glob("*.md")}
    markdown.chmod(0o444)
    code, _, err = run(capsys, "rename", "reviewer_rotation", "rotating_reviewers", study)
    assert code == 1
    assert "the file is read-only, so it was not overwritten" in err
    assert err.count("\n") == 1
    assert {path: path.read_bytes() for path in study.glob("*.md")} == others


def test_new_never_writes_over_a_file_made_meanwhile(study, capsys, monkeypatch):
    import jupyter_coding.cli.new as new_command

    render = new_command.render_new_source
    theirs = b"# s \n4\n## made by another process meanwhile\n"

    def render_while_another_process_writes(*args, **kwargs):
        (study / "s_4.md").write_bytes(theirs)  # after the check that s_4.md is free
        return render(*args, **kwargs)

    monkeypatch.setattr(new_command, "render_new_source", render_while_another_process_writes)
    code, _, err = run(capsys, "new", study, "--id", "s4", "--url", "u", "--title", "t")
    assert code == 1
    assert err == f"jupyter-coding new: {study / 's_4.md'} exists already; pick another id\n"
    assert (study / "s_4.md").read_bytes() == theirs
    assert not (study / "s_4.ipynb").exists()
