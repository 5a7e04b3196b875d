"""The command line: stats and verify, on the real corpus and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jupyter_coding.cli import main

from .conftest import CORPUS, EXAMPLES, SEED


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_totals_on_corpus(capsys):
    code, out, _ = run(capsys, "stats", str(CORPUS), "--format", "json")
    assert code == 0
    total = json.loads(out)["total"]
    assert total["sources"] == 68  # the template s_.md is not a source
    assert total["quotes"] == 2522
    assert total["open_traces"] == 277 and total["axial_traces"] == 268
    assert total["definitions"] == {"decision": 13, "force": 92, "pattern": 47, "practice": 41}
    assert total["relations"] == {
        "decision_link": 1,
        "decision_option": 67,
        "force": 194,
        "link": 2,
    }
    assert total["attached"] == 403
    assert total["distinct_identifiers"] == 230
    assert total["templates"] == 3


def test_stats_text_table(capsys):
    code, out, _ = run(capsys, "stats", str(SEED))
    assert code == 0
    assert "1 source, 17 quotes, 12 open and 12 axial traces" in out
    assert "14 codes applied (14 add-codes items), 12 distinct identifiers" in out


def test_verify_corpus_and_seed(capsys):
    code, out, _ = run(capsys, "verify", str(CORPUS), str(SEED))
    assert code == 0
    assert out.strip().endswith("70 files, 70 exact")


def test_verify_examples(capsys):
    code, out, _ = run(capsys, "verify", str(EXAMPLES))
    assert code == 0 and out.strip() == "4 files, 4 exact"


def test_missing_path_is_one_line_error(capsys, tmp_path):
    code, _out, err = run(capsys, "stats", str(tmp_path / "nope.md"))
    assert code == 1
    assert err == f"jupyter-coding stats: {tmp_path / 'nope.md'}: no such file or folder\n"


def test_bad_utf8_names_file_and_offset(capsys, tmp_path):
    bad = tmp_path / "s_1.md"
    bad.write_bytes(b"# s \n1\n\xff\n")
    code, _, err = run(capsys, "verify", str(bad))
    assert code == 1
    assert err.startswith(f"jupyter-coding verify: {bad}:3: not valid UTF-8 at byte offset 7")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_console_script_and_jupyter_subcommand():
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_coding.cli", "verify", str(SEED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "1 file, 1 exact" in result.stdout
    usage = subprocess.run(
        [sys.executable, "-m", "jupyter_coding.cli", "nonsense"], capture_output=True, text=True
    )
    assert usage.returncode == 2


def test_help_lists_every_command_and_a_command_loads_alone(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in ("stats", "verify", "to-notebook", "to-markdown", "check", "export", "import"):
        assert name in out
    sys.modules.pop("jupyter_coding.cli.report", None)
    assert main(["stats", str(SEED)]) == 0
    assert "jupyter_coding.cli.report" not in sys.modules  # start-up imports only stats
