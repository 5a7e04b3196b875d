"""``check --fix``: a dry-run diff first, atomic writes only with ``--write``, never over
a file that changed since it was checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.fieldnotes import parse, read_text
from jupyter_coding.study.checks import CheckConfig, check_paths
from jupyter_coding.study.findings import Finding, Fix
from jupyter_coding.study.fixes import plan_fixes, text_digest
from jupyter_coding.study.refactor import RefactorError

from .checks_fixtures import DEFINES_BLAMELESS_REVIEW, labels_source, labels_study, labels_trace
from .conftest import CORPUS
from .study_fixtures import source_text, trace, write


def broken_study(folder: Path) -> Path:
    """Five findings with one repair each, one without, in the seed's dialect."""
    definition = 'ci_cd_process = CClass(practice, "CI/CD process")'
    write(
        folder,
        "s_1.md",
        source_text(1, trace("q", "New option: ci_cd_process", definition, ["ci_cd_process"])),
    )
    body = trace("q", "Familiar option: ci_cd_proces", None, ["ci_cd_proces"], target="s9")
    body += "![Figure](https://example.org/figure.png\n"  # the file ends without a newline
    text = source_text(2, body, cclass_author="Practitioner Audience Article")
    text = text.replace("https://example.org/t/2", "hhttps://example.org/t/2")
    write(folder, "s_2.md", text.rstrip("\n"))
    return folder


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_dry_run_prints_the_diff_and_writes_nothing(tmp_path, capsys):
    study = broken_study(tmp_path)
    before = {path.name: path.read_bytes() for path in study.glob("*.md")}
    code, out, err = run(capsys, "check", str(study), "--fix")
    assert code == 1
    assert {path.name: path.read_bytes() for path in study.glob("*.md")} == before
    changed = [
        line for line in out.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == [
        "-hhttps://example.org/t/2",
        "+https://example.org/t/2",
        '-    "tiny url": "hhttps://example.org/t/2",',
        '-    "author type": "Practitioner Audience Article",',
        '+    "tiny url": "https://example.org/t/2",',
        '+    "author type": "Practitioner",',
        "-Familiar option: ci_cd_proces",
        "+Familiar option: ci_cd_process",
        "-add codes to s9: ",
        "+add codes to s2: ",
        "-        ci_cd_proces",
        "+        ci_cd_process",
        "-![Figure](https://example.org/figure.png",
        "+![Figure](https://example.org/figure.png)",
    ]
    assert out.endswith("\\ No newline at end of file\n")
    assert "nothing written (write them with --fix --write)" in err


def test_fix_write_repairs_and_checks_again(tmp_path, capsys):
    study = broken_study(tmp_path)
    code, out, err = run(capsys, "check", str(study), "--fix", "--write")
    assert "written to 1 file" in err
    text = read_text(study / "s_2.md")
    assert not text.endswith("\n")  # the missing final newline stays missing
    assert "hhttps" not in text and "ci_cd_proces\n" not in text and "to s2: " in text
    assert text.endswith("![Figure](https://example.org/figure.png)")
    assert parse(text).to_text() == text
    left = check_paths([study], CheckConfig())
    assert [f for f in left if f.fix is not None] == []
    assert code == (1 if left else 0)
    # a second run has nothing left to fix
    code, out, err = run(capsys, "check", str(study), "--fix")
    assert out == "" and err.startswith("0 fixes in 0 files")


def test_write_needs_fix(tmp_path, capsys):
    code, _, err = run(capsys, "check", str(broken_study(tmp_path)), "--write")
    assert code == 2 and "--write writes fixes: give it with --fix" in err


def test_a_file_changed_since_it_was_checked_is_left_alone(tmp_path):
    study = broken_study(tmp_path)
    findings = check_paths([study], CheckConfig())
    path = study / "s_2.md"
    path.write_bytes(path.read_bytes() + b"\n> A quote added meanwhile.\n")
    after = path.read_bytes()
    plan = plan_fixes(findings)
    assert plan.changes == [] and plan.applied == []
    assert {why for _, why in plan.skipped} == {
        "the file changed since it was checked; check it again"
    }
    assert path.read_bytes() == after


def test_a_file_changed_between_the_diff_and_the_write_is_refused(tmp_path):
    study = broken_study(tmp_path)
    plan = plan_fixes(check_paths([study], CheckConfig()))
    assert plan.changes
    path = study / "s_2.md"
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(RefactorError, match="changed since it was read"):
        plan.write()
    assert path.read_bytes().endswith(b"figure.png\n")


def test_fixes_that_disagree_are_both_left_out(tmp_path):
    path = write(tmp_path, "s_1.md", source_text(1))
    text = read_text(path)
    digest = text_digest(text)
    line = text.split("\n").index("## title") + 2

    def finding(new: str) -> Finding:
        fix = Fix(str(path), digest, f"title {new}", ((line, "Source s1", new),))
        return Finding(str(path), line, 1, "JC301", "header-mismatch", new, "warning", fix)

    plan = plan_fixes([finding("A"), finding("B")])
    assert [why for _, why in plan.skipped] == [f"another fix changes line {line} otherwise"]
    assert plan.diff().count("+A") == 1
    stale = Fix(str(path), digest, "stale", ((line, "Not the title", "C"),))
    plan = plan_fixes([Finding(str(path), line, 1, "JC301", "x", "m", "warning", stale)])
    assert plan.skipped[0][1] == f"line {line} no longer reads 'Not the title'"


def test_fixes_in_the_labels_dialect(tmp_path, capsys):
    labels_study(
        tmp_path,
        {
            1: labels_source(1, DEFINES_BLAMELESS_REVIEW),
            2: labels_source(
                2,
                labels_trace("q", ["Blameless reviews"], ["blameless_reviews"]),
                cclass_title="Our first blameless postmortem",  # copied from s1
            ),
        },
    )
    code, _, _ = run(capsys, "check", str(tmp_path), "--fix", "--write")
    assert code == 0  # nothing left
    text = read_text(tmp_path / "s_2.md")
    assert '"title": "Tracking postmortem action items"' in text
    assert "    blameless_review\n" in text
    assert check_paths([tmp_path], CheckConfig()) == []


def test_fixing_the_corpus_is_safe_and_idempotent(tmp_path, capsys):
    study = tmp_path / "study"
    shutil.copytree(CORPUS, study)
    for path in study.glob("*.md"):
        path.chmod(0o644)  # the corpus is read-only; its copy is for writing
    findings = check_paths([study], CheckConfig())
    fixable = [f for f in findings if f.fix is not None]
    _, _, err = run(capsys, "check", str(study), "--fix", "--write")
    assert (
        f"{len({(f.fix.lines, f.fix.renames, f.fix.path) for f in fixable})} fixes written" in err
    )
    for path in study.glob("*.md"):
        text = read_text(path)
        assert parse(text).to_text() == text
        original = read_text(CORPUS / path.name)
        if path.name not in {Path(f.path).name for f in fixable}:
            assert text == original
    assert [f for f in check_paths([study], CheckConfig()) if f.fix is not None] == []
    _, out, _ = run(capsys, "check", str(study), "--fix")
    assert out == ""
