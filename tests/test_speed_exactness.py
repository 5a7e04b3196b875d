"""What the speed work must not change: what verify prints, in parallel; --help."""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sys

import pytest

from jupyter_coding import verify
from jupyter_coding.cli import main

from .conftest import CORPUS, EXAMPLES, corpus_files


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def study(tmp_path):
    """The corpus three times over (207 files), in sub-folders, with the examples."""
    for copy in range(3):
        folder = tmp_path / f"copy{copy}"
        folder.mkdir()
        for path in corpus_files():
            shutil.copy(path, folder)
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return tmp_path


def verify_serially_and_in_parallel(capsys, monkeypatch, *argv):
    monkeypatch.setattr(verify, "PARALLEL_FROM", 10**9)
    serial = run(capsys, "verify", *argv)
    monkeypatch.setattr(verify, "PARALLEL_FROM", 1)
    monkeypatch.setattr(verify, "CHUNK", 7)  # many chunks, so order matters
    parallel = run(capsys, "verify", *argv)
    return serial, parallel


def test_parallel_verify_prints_what_serial_verify_prints(capsys, monkeypatch, study):
    serial, parallel = verify_serially_and_in_parallel(capsys, monkeypatch, study, CORPUS)
    assert serial == parallel
    assert serial[0] == 0 and serial[1].endswith("280 files, 280 exact\n")


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="workers must inherit the patch"
)
def test_parallel_verify_reports_differences_in_file_order(capsys, monkeypatch, study):
    import jupyter_coding.notebook as notebook_module

    real = notebook_module.to_markdown

    def lossy(notebook, path=None):  # loses the last byte of some files
        text = real(notebook, path)
        return text[:-1] if path and ("s_1" in path or "p_2" in path) else text

    monkeypatch.setattr(notebook_module, "to_markdown", lossy)
    serial, parallel = verify_serially_and_in_parallel(capsys, monkeypatch, study)
    assert serial == parallel
    code, out, _ = serial
    assert code == 1
    lines = out.splitlines()
    assert len(lines) > 20 and all("notebook round trip" in line for line in lines[:-1])
    assert lines[-1].endswith("files, " + str(211 - len(lines[:-1])) + " exact")


def test_parallel_verify_stops_at_an_unreadable_file_in_its_turn(capsys, monkeypatch, study):
    bad = study / "copy1" / "s_9.md"
    bad.write_bytes(b"# s\n9\n\xff\n")
    serial, parallel = verify_serially_and_in_parallel(capsys, monkeypatch, study)
    assert serial == parallel
    code, out, err = serial
    assert code == 1 and out == ""
    assert err.startswith(f"jupyter-coding verify: {bad}:3: not valid UTF-8")


# -- --help without importing the commands ---------------------------------------------------


def test_help_from_the_sources_is_the_help_of_the_imported_commands():
    from jupyter_coding.cli import COMMANDS, _registration, build_parser

    assert all(_registration(name) is not None for name in COMMANDS)
    assert build_parser(summaries=True).format_help() == build_parser().format_help()


def test_help_and_version_import_no_command_module():
    script = (
        "import sys\n"
        "from jupyter_coding.cli import main\n"
        "for argv in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "loaded = [m for m in sys.modules if m.startswith('jupyter_coding.') and m not in\n"
        "          ('jupyter_coding.cli', 'jupyter_coding.commands')]\n"
        "print(loaded, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stderr.strip() == "[]"
