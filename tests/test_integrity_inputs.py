"""Inputs that must not hurt (issue 10): archives, ``-o`` paths, folders without
field notes, line ends, fences left open and module names.

Every test here failed before issue 10 was fixed (S3, the regular expressions,
is in ``test_integrity_inputs_regex.py``).
"""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.fieldnotes import CodeBlock, FieldNotesError, parse, read_text
from jupyter_coding.fieldnotes.lines import split_lines
from jupyter_coding.interop import refi_qda_import as refi_qda
from jupyter_coding.interop.codeable_models import render_model
from jupyter_coding.interop.refi_qda import write_qdc
from jupyter_coding.interop.refi_qda_import import read_codebook, read_project
from jupyter_coding.notebooks import convert as notebook
from jupyter_coding.notebooks.verify import verify_text
from jupyter_coding.study.checks import check_notes
from jupyter_coding.study.codebook import Codebook

from .conftest import CORPUS, EXAMPLES, SEED, real_files
from .study_fixtures import source_text, trace, write


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The message of a one-line error (no traceback)."""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


# -- S2: archives that unpack to too much ---------------------------------------------

PROJECT_START = b'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0">'


def qdpx(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bomb(size: int = 16 * 2**20) -> bytes:
    """A project.qde of ``size`` bytes, nearly all spaces: a thousand times smaller packed."""
    return qdpx({"project.qde": PROJECT_START + b" " * size + b"</Project>"})


def lying(archive: bytes, compressed: bool = False, unpacked: int | None = None) -> bytes:
    """The archive with its directory lying: each member packed as big as it unpacks
    (``compressed``), or unpacking to ``unpacked`` bytes."""
    data = bytearray(archive)
    at = data.find(b"PK\x01\x02")  # each entry of the central directory
    while at >= 0:
        (size,) = struct.unpack_from("<I", data, at + 24)
        if compressed:
            struct.pack_into("<I", data, at + 20, size)
        if unpacked is not None:
            struct.pack_into("<I", data, at + 24, unpacked)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def test_import_of_a_zip_bomb_stops_at_the_ratio_in_one_line(tmp_path, capsys):
    path = tmp_path / "bomb.qdpx"
    path.write_bytes(bomb())
    assert path.stat().st_size < 64 * 1024
    tracemalloc.start()
    try:
        code, _, err = run(capsys, "import", "qdc", path, EXAMPLES)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 1
    message = one_line(err)
    assert message.startswith(f"jupyter-coding import: {path}: project.qde in the archive would ")
    assert f"more than {refi_qda.MAX_RATIO} times" in message and "zip bomb" in message
    assert peak < 8 * 2**20  # the 16 MiB were never unpacked


def test_a_directory_that_lies_about_a_size_is_caught(tmp_path, capsys):
    # said: packed as big as it unpacks (no ratio to see); the size it says is read
    liar = tmp_path / "liar.qdpx"
    liar.write_bytes(lying(bomb(), compressed=True))
    info = zipfile.ZipFile(liar).getinfo("project.qde")
    assert info.compress_size == info.file_size
    code, _, err = run(capsys, "import", "qdc", liar, EXAMPLES)
    assert code == 1 and "would unpack to more than 100 times the archive's" in one_line(err)
    # said: 512 KiB unpacked; no more is unpacked, and the checksum shows the lie
    liar.write_bytes(lying(bomb(), unpacked=2**19))
    code, _, err = run(capsys, "import", "qdc", liar, EXAMPLES)
    assert code == 1 and "project.qde in the archive cannot be read: Bad CRC-32" in one_line(err)


def test_the_limits_hold_while_unpacking_whatever_the_directory_says():
    """The bytes are counted as they come, not taken from the directory."""

    class Archive:  # a reader that gives more than the directory says
        def open(self, info):
            return io.BytesIO(b" " * (16 * 2**20))

    said = zipfile.ZipInfo("project.qde")
    said.file_size = said.compress_size = 1000
    unpacked = refi_qda._Unpacked(archive_size=20_000)
    chunks: list[bytes] = []
    with pytest.raises(FieldNotesError, match="unpacks to more than 100 times"):
        unpacked.read(Archive(), said, chunks.append)
    assert sum(map(len, chunks)) <= 100 * 20_000


def test_an_archive_over_the_size_limit_says_so(monkeypatch):
    monkeypatch.setattr(refi_qda, "MAX_UNPACKED", 2**20)
    text = "".join(f"<Note guid='{n:08x}'/>" for n in range(200_000)).encode()  # packs ~5:1
    archive = qdpx({"project.qde": PROJECT_START + text + b"</Project>"})
    with pytest.raises(FieldNotesError, match=r"would unpack to more than 1 MiB \(the most read"):
        read_codebook(archive)
    # sources count against the same limit, all members together
    monkeypatch.setattr(refi_qda, "MAX_UNPACKED", 3 * 2**20)
    sources = {f"sources/{n}.txt": os.urandom(2**20) for n in range(4)}  # 1 MiB each
    archive = qdpx({"project.qde": PROJECT_START + b"</Project>", **sources})
    with pytest.raises(FieldNotesError, match=r"sources/.* more than 3 MiB"):
        read_project(archive)


def test_a_damaged_archive_member_is_one_line():
    archive = bytearray(qdpx({"project.qde": PROJECT_START + b"<x/>" * 5000 + b"</Project>"}))
    start = archive.find(b"project.qde") + len("project.qde")
    archive[start + 10 : start + 40] = b"\xff" * 30  # the deflate stream is broken
    with pytest.raises(FieldNotesError, match=r"project\.qde in the archive cannot be read"):
        read_codebook(bytes(archive))


def test_real_projects_read_within_the_limits(tmp_path, capsys):
    exported = tmp_path / "study.qdpx"
    assert run(capsys, "export", "qdpx", EXAMPLES, "-o", exported)[0] == 0
    project = read_project(exported.read_bytes())
    assert len(project.sources) == 4 and project.codes
    assert read_codebook(exported.read_bytes()) == project.codes
    code, out, _ = run(capsys, "import", "qdc", exported, EXAMPLES)
    assert code == 0 and "the same as in the field notes" in out


# -- -o into a missing folder, or onto a folder ----------------------------------------

OUTPUT_COMMANDS = {
    "export qdc": ["export", "qdc", EXAMPLES],
    "export qdpx": ["export", "qdpx", EXAMPLES],
    "export codeable-models": ["export", "codeable-models", EXAMPLES],
    "codebook": ["codebook", EXAMPLES],
    "report": ["report", EXAMPLES],
}


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_output_into_a_missing_folder_is_one_line(command, tmp_path, capsys):
    target = tmp_path / "missing" / "out.file"
    code, _, err = run(capsys, *OUTPUT_COMMANDS[command], "-o", target)
    assert code == 2
    assert one_line(err).endswith(f"{target}: the folder {target.parent} does not exist")
    assert not target.parent.exists()


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_output_onto_a_folder_is_one_line(command, tmp_path, capsys):
    code, _, err = run(capsys, *OUTPUT_COMMANDS[command], "-o", tmp_path)
    assert code == 2
    assert one_line(err).endswith(f"{tmp_path}: is a folder; name the file to write")
    assert list(tmp_path.iterdir()) == []


def test_output_that_cannot_be_written_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, _, err = run(capsys, "codebook", EXAMPLES, "-o", blocker / "codebook.md")
    assert code == 2 and one_line(err).endswith(f"{blocker} is not a folder")


# -- a folder with no field-notes files ------------------------------------------------

STUDY_COMMANDS = {
    "stats": ["stats", "{path}"],
    "verify": ["verify", "{path}"],
    "check": ["check", "{path}"],
    "codebook": ["codebook", "{path}"],
    "report": ["report", "{path}", "-o", "{out}/report.html"],
    "export qdc": ["export", "qdc", "{path}", "-o", "{out}/c.qdc"],
    "export qdpx": ["export", "qdpx", "{path}", "-o", "{out}/p.qdpx"],
    "export codeable-models": ["export", "codeable-models", "{path}", "-o", "{out}/m.py"],
    "import qdc": ["import", "qdc", "{out}/c.qdc", "{path}"],
    "rename": ["rename", "k8s", "kubernetes", "{path}"],
    "merge": ["merge", "a", "b", "a", "{path}"],
}


@pytest.mark.parametrize("command", sorted(STUDY_COMMANDS))
def test_a_folder_without_field_notes_is_an_error(command, tmp_path, capsys):
    typo = tmp_path / "stdy"
    typo.mkdir()
    (typo / "README.md").write_text("# notes\n", encoding="utf-8")  # README files are skipped
    (typo / "s_1.txt").write_text("# s \n1\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "c.qdc").write_bytes(write_qdc(Codebook.from_notes([parse(read_text(SEED))])))
    argv = [arg.format(path=typo, out=out) for arg in STUDY_COMMANDS[command]]
    code, stdout, err = run(capsys, *argv)
    assert code == 1
    assert one_line(err).endswith(f"{typo}: no field-notes files")
    assert stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["c.qdc"]  # nothing written


def test_each_folder_named_must_hold_field_notes(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "stats", EXAMPLES, empty)
    assert code == 1 and one_line(err).endswith(f"{empty}: no field-notes files")
    assert run(capsys, "stats", EXAMPLES, SEED)[0] == 0  # a file named is read whatever its name


# -- line ends -----------------------------------------------------------------------------


def test_a_file_with_cr_line_ends_is_reported(tmp_path, capsys):
    study = tmp_path / "study"
    text = (EXAMPLES / "s_1.md").read_text(encoding="utf-8")
    cr = write(study, "s_1.md", text.replace("\n", "\r"))
    write(study, "s_2.md", (EXAMPLES / "s_2.md").read_text(encoding="utf-8"))
    lines = text.count("\n")
    problem = (
        f"{lines} lines end in \\r alone (old Mac line ends), so the file reads as one line "
        "and nothing in it is counted; save it with \\n line ends"
    )
    for argv in (
        ["stats", study],
        ["verify", study],
        ["codebook", study],
        ["export", "qdc", study, "-o", tmp_path / "c.qdc"],
    ):
        _, _, err = run(capsys, *argv)
        assert [line for line in err.splitlines() if "warning" in line] == [
            f"{cr}:1: warning: {problem}"
        ], argv
    code, out, _ = run(capsys, "check", study, "--select", "JC403")
    assert code == 1 and out == f"{cr}:1:1: JC403 {problem}\n"
    code, _, err = run(capsys, "rename", "review_latency", "review_delay", study, "--dry-run")
    assert f"{cr}:1: warning: not changed: {problem}" in err


def test_crlf_files_and_stray_carriage_returns_are_not_reported(tmp_path, capsys):
    study = tmp_path / "study"
    text = (EXAMPLES / "s_1.md").read_text(encoding="utf-8")
    write(study, "s_1.md", text.replace("\n", "\r\n"))
    write(study, "s_2.md", text.replace("> ", "> a stray \r in a quote ", 1))
    code, _, err = run(capsys, "stats", study)
    assert code == 0 and "warning" not in err
    assert run(capsys, "check", study, "--select", "JC403")[0] == 0


def crlf_study(folder: Path) -> Path:
    """A small study in which two codes can merge, with repeats in one list."""
    body = trace(
        "We rotate reviewers and rotate them fairly.",
        memo="Familiar options: reviewer_rotation, fair_rotation",
        added='reviewer_rotation = CClass(practice, "Rotate Reviewers")\n'
        'fair_rotation = CClass(practice, "Rotate Reviewers Fairly")',
        attached=["reviewer_rotation", "fair_rotation", "review_latency"],
    )
    write(folder, "s_1.md", source_text(1, body))
    body = trace(
        "Rotation keeps the latency down.",
        memo="Familiar option: fair_rotation",
        added="add_force_relations({fair_rotation: {review_latency: positive}})",
        attached=["fair_rotation"],
        target="s2",
    )
    write(folder, "s_2.md", source_text(2, body))
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ["merge", "reviewer_rotation", "fair_rotation", "reviewer_rotation"],
        ["rename", "fair_rotation", "rotation_by_turns"],
    ],
)
def test_rename_and_merge_work_on_crlf_files_and_keep_their_line_ends(command, tmp_path, capsys):
    lf, crlf = crlf_study(tmp_path / "lf"), crlf_study(tmp_path / "crlf")
    for path in crlf.iterdir():
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert run(capsys, *command, lf)[0] == 0
    code, _, err = run(capsys, *command, crlf)
    assert code == 0, err
    for name in ("s_1.md", "s_2.md"):
        after = (crlf / name).read_bytes()
        assert after == (lf / name).read_bytes().replace(b"\n", b"\r\n")
        assert after.count(b"\n") == after.count(b"\r\n")
    merged = (crlf / "s_1.md").read_bytes().decode("utf-8")
    if command[0] == "merge":
        assert "fair_rotation" not in merged
        assert merged.count("reviewer_rotation,\r\n") == 1  # the repeat in the list went


# -- fences left open --------------------------------------------------------------------------

PROSE_QUOTE = "> So we tried it and it worked, and the team kept it.\n"


def open_fence_file(after: str, closed_later: bool = True) -> str:
    """s1 with an ``add codes`` fence never closed, ``after`` it, then a closed trace."""
    body = (
        "> We rotate reviewers.\n\n**OPEN CODING TRACE:**\n\nFamiliar option: reviewer_rotation\n\n"
        "**AXIAL CODING TRACE:**\n\nadd codes to s1: \n``` python \n    '''\n"
        "        reviewer_rotation\n    '''\n\n" + after
    )
    if closed_later:
        body += "\n" + trace(
            "Latency went down.",
            memo="Familiar option: review_latency",
            attached=["review_latency"],
        )
    return source_text(1, body)


STOPS = {
    "a quote": PROSE_QUOTE,
    "a trace marker": "**OPEN CODING TRACE:**\n\nSo we tried it and it worked\n",
    "an image": "![A figure of the review queue](https://example.org/q.png)\n",
    "prose after a blank line": "So we tried it and it worked, and the team kept it.\n",
    "the label and fence of the next block": (
        "add codes to s1:\n``` python\n    '''\n        fair_rotation\n    '''\n```\n"
    ),
}


@pytest.mark.parametrize("stop", sorted(STOPS))
def test_a_fence_left_open_ends_where_python_cannot_go(stop):
    text = open_fence_file(STOPS[stop])
    notes = parse(text, "s_1.md")
    assert notes.to_text() == text
    first = notes.axial_traces[0].blocks[0]
    assert first.fence_close is None
    assert first.code.strip() == "'''\n        reviewer_rotation\n    '''"
    assert [use.identifier for use in first.attached] == ["reviewer_rotation"]
    # the prose after it is not code; the trace after it is read as a trace
    codes = set(notes.codes_mentioned)
    assert codes <= {"reviewer_rotation", "review_latency", "fair_rotation"}, codes
    assert "review_latency" in codes
    assert len(notes.open_traces) == (3 if stop == "a trace marker" else 2)
    for verdict in (
        verify_text(text, "s_1.md"),
        verify_text(text, "s_1.md", notebook.round_trip, "the notebook round trip"),
    ):
        assert verdict.exact, verdict.message()


def test_a_fence_left_open_is_a_check_finding():
    text = open_fence_file(PROSE_QUOTE)
    findings = [f for f in check_notes(parse(text, "s_1.md")) if f.rule == "JC402"]
    opener = split_lines(text).index("``` python \n") + 1
    quote = split_lines(text).index(PROSE_QUOTE) + 1
    assert [(f.line, f.name, f.message) for f in findings] == [
        (
            opener,
            "unclosed-fence",
            f"the fence '``` python' is never closed: its code is read up to the quote at "
            f"line {quote}; close it with a line of ```",
        )
    ]
    closed = open_fence_file("```\n\n" + PROSE_QUOTE)
    assert not [f for f in check_notes(parse(closed, "s_1.md")) if f.rule == "JC402"]


def test_an_open_fence_at_the_end_of_s_9_is_still_its_add_codes_block():
    notes = parse(read_text(CORPUS / "s_9.md"), "s_9.md")
    last = notes.axial_traces[-1].blocks[-1]
    assert (last.role, last.target, last.fence_close) == ("add_codes", "s9", None)
    assert [use.identifier for use in last.attached] == ["quality_monitoring", "orchestration"]
    assert last.code_line + len(last.code_lines) - 1 == len(split_lines(notes.to_text()))
    findings = [f for f in check_notes(notes) if f.rule == "JC402"]
    assert [(f.line, f.message.split(": ")[1]) for f in findings] == [
        (150, "its code is read up to the end of the file; close it with a line of ```")
    ]


def test_the_qdc_of_a_file_with_a_fence_left_open_holds_no_prose(tmp_path, capsys):
    text = (CORPUS / "s_43.md").read_text(encoding="utf-8")
    lines = split_lines(text)
    closer = next(i for i, line in enumerate(lines) if i > 70 and line.rstrip() == "```")
    write(tmp_path, "s_43.md", "".join(lines[:closer] + lines[closer + 1 :]))
    exported = tmp_path / "c.qdc"
    assert run(capsys, "export", "qdc", tmp_path, "-o", exported)[0] == 0
    names = {code.name for code in read_codebook(exported.read_bytes())}
    expected = {str(i) for i in Codebook.from_notes([parse(text)]).codes}
    assert names == expected, names - expected


def test_deleting_any_closing_fence_of_the_corpus_makes_no_codes_of_prose():
    """Every closer of every real file, taken out one at a time (the issue's mutation)."""
    checked = 0
    for path in real_files():
        text = read_text(path)
        before = set(parse(text).codes_mentioned)
        lines = split_lines(text)
        for index in (i for i, line in enumerate(lines) if line.rstrip() == "```"):
            mutated = "".join(lines[:index] + lines[index + 1 :])
            notes = parse(mutated, str(path))
            assert notes.to_text() == mutated
            assert set(notes.codes_mentioned) <= before, (path.name, index + 1)
            if checked % 7 == 0:  # the notebook round trip on a sample, for time
                verdict = verify_text(mutated, str(path), notebook.round_trip, "the notebook")
                assert verdict.exact, verdict.message()
            checked += 1
    assert checked > 350


def test_a_fence_of_another_language_keeps_what_it_quotes():
    body = "``` markdown\n> a quote inside a markdown example\n**OPEN CODING TRACE:**\n```\n\n"
    notes = parse(source_text(1, body + trace("After it.", memo="Familiar option: a")))
    blocks = [b for b in notes.blocks if isinstance(b, CodeBlock)]
    assert [(b.info, b.closed, len(b.lines)) for b in blocks] == [("markdown", True, 4)]
    assert len(notes.open_traces) == 1


# -- module names pasted into the generated model ------------------------------------------


@pytest.mark.parametrize(
    "option, value",
    [
        ("--codes-module", "codes; import os"),
        ("--codes-module", "codes\nimport os"),
        ("--codes-module", "codes model"),
        ("--codes-module", ".codes"),
        ("--codes-module", "import"),
        ("--metamodel-module", "metamodels.GT_coding import source; import os #"),
        ("--metamodel-module", "a..b"),
    ],
)
def test_module_names_must_be_dotted_names(option, value, tmp_path, capsys):
    target = tmp_path / "model.py"
    code, _, err = run(capsys, "export", "codeable-models", EXAMPLES, "-o", target, option, value)
    assert code == 2
    assert one_line(err).startswith(f"jupyter-coding export: {option} {value!r}: not a dotted")
    assert not target.exists()
    with pytest.raises(ValueError, match="not a dotted module name"):
        render_model([], **{option[2:].replace("-", "_"): value})


def test_dotted_module_names_are_imported(tmp_path, capsys):
    # the codes module is found beside the output, as Python would import it
    write(tmp_path / "study", "codes_model.py", 'review_latency = CClass(force, "Latency")\n')
    target = tmp_path / "model.py"
    argv = ["--codes-module", "study.codes_model", "--metamodel-module", "metamodels.GT_coding"]
    code, _, err = run(capsys, "export", "codeable-models", EXAMPLES, "-o", target, *argv)
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert "from study.codes_model import *  # noqa" in text
    assert "from metamodels.GT_coding import " in text
