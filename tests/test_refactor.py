"""Renaming and merging codes: only trace lines change, everything else byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.fieldnotes import parse, read
from jupyter_coding.fieldnotes.lines import split_lines
from jupyter_coding.study.checks import CheckConfig, check_paths
from jupyter_coding.study.refactor import (
    RefactorError,
    plan_merge,
    plan_rename,
    rewrite_notes,
    unified_diff,
)

from .conftest import CORPUS, SEED, corpus_files
from .study_fixtures import source_text, trace, write

ADDED = """\
two_stage_review = CClass(pattern, "two_stage_review, the label")  # two_stage_review
review_latency = CClass(force, "Review latency")
review = CClass(pattern, "Review")
add_force_relations({two_stage_review: {review_latency: positive}})
add_decision_option_link(review_decision, two_stage_review, "Triage first")
triage_link = \\
    two_stage_review.add_links(review, role_name="two_stage_review", stereotype_instances=uses)"""


def study(folder: Path) -> Path:
    first = trace(
        "We call it two_stage_review here.",
        "New options: two_stage_review, review_latency\nreview_latency, two_stage_review",
        ADDED,
        ["two_stage_review", "review"],
        "s1",
    )
    write(folder, "s_1.md", source_text(1, first, title="two_stage_review in practice"))
    second = trace(
        "Triage first.", "two_stage_review", attached=["two_stage_review"], target="s2"
    ) + trace(
        "More.", "Familiar options: review and two_stage_review", attached=["review"], target="s2"
    )
    write(folder, "s_2.md", source_text(2, second))
    write(
        folder,
        "s_3.md",
        source_text(
            3, trace("Unrelated.", "Familiar option: review", attached=["review"], target="s3")
        ),
    )
    return folder


def changed_lines(before: str, after: str) -> list[tuple[int, str, str]]:
    old, new = split_lines(before), split_lines(after)
    assert len(old) == len(new)
    return [(i, a, b) for i, (a, b) in enumerate(zip(old, new, strict=True), 1) if a != b]


def test_rename_changes_definitions_uses_relations_and_memo_lists_only(tmp_path):
    folder = study(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    refactoring = plan_rename([folder], "two_stage_review", "triage_review")
    assert [Path(c.path).name for c in refactoring.changes] == ["s_1.md", "s_2.md"]
    s1 = refactoring.changes[0]
    assert [(n, b.rstrip("\n")) for n, _, b in changed_lines(s1.before, s1.after)] == [
        (40, "New options: triage_review, review_latency"),
        (41, "review_latency, triage_review"),
        (
            47,
            '    triage_review = CClass(pattern, "two_stage_review, the label")'
            "  # two_stage_review",
        ),
        (50, "    add_force_relations({triage_review: {review_latency: positive}})"),
        (51, '    add_decision_option_link(review_decision, triage_review, "Triage first")'),
        (
            53,
            '        triage_review.add_links(review, role_name="two_stage_review", '
            "stereotype_instances=uses)",
        ),
        (59, "        triage_review,"),
    ]
    s2 = refactoring.changes[1]
    assert [(n, b.rstrip("\n")) for n, _, b in changed_lines(s2.before, s2.after)] == [
        (40, "triage_review"),  # a bare code on a memo line
        (47, "        triage_review"),
        (55, "Familiar options: review and triage_review"),
    ]
    refactoring.write()
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after["s_3.md"] == before["s_3.md"]
    assert after["s_1.md"].decode() == s1.after
    # the quote and the header still say two_stage_review
    notes = read(folder / "s_1.md")
    assert notes.header.value("title") == "two_stage_review in practice"
    assert notes.quotes[0].plain_text == "We call it two_stage_review here."
    assert "two_stage_review" not in notes.codes_mentioned


def test_whole_words_only(tmp_path):
    folder = study(tmp_path)
    refactoring = plan_rename([folder], "review", "code_review")
    text = {Path(c.path).name: c.after for c in refactoring.changes}
    assert "review_latency" in text["s_1.md"] and "code_review_latency" not in text["s_1.md"]
    assert "review_decision" in text["s_1.md"]
    assert "two_stage_review.add_links(code_review, " in text["s_1.md"]
    assert 'review = CClass(pattern, "Review")' in text["s_1.md"]
    assert "Familiar options: code_review and two_stage_review" in text["s_2.md"]
    assert "Familiar option: code_review" in text["s_3.md"]


def test_memo_prose_is_not_renamed():
    notes = parse(
        source_text(
            1,
            trace(
                "Q.",
                "Recognized codes: data quality, quality and more",
                "quality = CClass(force, 'Q')",
            ),
        )
    )
    text = rewrite_notes(notes, {"quality": "data_quality"})
    assert "Recognized codes: data quality, data_quality and more" in text


def test_dry_run_prints_a_unified_diff_and_writes_nothing(tmp_path, capsys):
    folder = study(tmp_path)
    before = (folder / "s_1.md").read_bytes()
    code = main(["rename", "two_stage_review", "triage_review", str(folder), "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 0 and (folder / "s_1.md").read_bytes() == before
    assert out.startswith(f"--- a/{folder / 's_1.md'}\n+++ b/{folder / 's_1.md'}\n@@ -37,")
    assert "-New options: two_stage_review, review_latency\n" in out
    assert "+New options: triage_review, review_latency\n" in out
    assert err.strip().endswith(
        "rename two_stage_review to triage_review: would change 10 lines in 2 files"
    )
    code = main(["rename", "two_stage_review", "triage_review", str(folder)])
    out, err = capsys.readouterr()
    assert code == 0 and out == ""
    assert "changed 10 lines in 2 files" in err
    assert (folder / "s_1.md").read_bytes() != before


def test_unified_diff_marks_a_missing_final_newline():
    diff = unified_diff("a\nb", "a\nc", "f.md")
    assert (
        diff == "--- a/f.md\n+++ b/f.md\n@@ -1,2 +1,2 @@\n a\n"
        "-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    )
    # unchanged blank lines in a long file are context, not changes
    long = "x\n\n" * 150
    diff = unified_diff(long + "old\n", long + "new\n", "f.md")
    assert diff.count("\n-") == 1 and diff.count("\n+") == 2  # "+++" and "+new"


def test_refusals(tmp_path, capsys):
    folder = study(tmp_path)
    with pytest.raises(
        RefactorError,
        match=r"review is already defined at .*s_1.md:49 as pattern \"Review\"; to make "
        r"two_stage_review and review one code: "
        r"jupyter-coding merge two_stage_review review review",
    ):
        plan_rename([folder], "two_stage_review", "review")
    with pytest.raises(RefactorError, match="no code nothing_like_it in the traces"):
        plan_rename([folder], "nothing_like_it", "x_code")
    with pytest.raises(RefactorError, match="'not valid' is not a code identifier"):
        plan_rename([folder], "review", "not valid")
    with pytest.raises(RefactorError, match="'positive' is part of the notation"):
        plan_rename([folder], "review", "positive")
    code = main(["rename", "review", "class", str(folder)])
    assert code == 1
    assert capsys.readouterr().err == (
        "jupyter-coding rename: the new name 'class' is not a code identifier "
        "(letters, digits, _)\n"
    )


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path):
    folder = study(tmp_path)
    refactoring = plan_rename([folder], "two_stage_review", "triage_review")
    (folder / "s_2.md").write_bytes((folder / "s_2.md").read_bytes() + b"\n> New quote.\n")
    edited = (folder / "s_2.md").read_bytes()
    untouched = (folder / "s_1.md").read_bytes()
    with pytest.raises(RefactorError, match=r"s_2\.md: the file changed since it was read"):
        refactoring.write()
    assert (folder / "s_2.md").read_bytes() == edited and (
        folder / "s_1.md"
    ).read_bytes() == untouched


def test_rename_to_a_code_used_but_never_defined(tmp_path):
    folder = study(tmp_path)
    write(
        folder,
        "s_4.md",
        source_text(4, trace("Q.", "Familiar option: triage", attached=["triage"], target="s4")),
    )
    refactoring = plan_rename([folder], "two_stage_review", "triage")
    assert refactoring.notes == [
        "triage was already used (never defined): those uses and two_stage_review are now one code"
    ]


# -- merge ------------------------------------------------------------------------


def test_merge_keeps_one_definition_and_drops_repeats(tmp_path):
    folder = study(tmp_path)
    refactoring = plan_merge([folder], ["two_stage_review", "review"], "review")
    s1 = next(c for c in refactoring.changes if c.path.endswith("s_1.md"))
    after = s1.after
    assert (
        "two_stage_review = CClass" not in after and 'review = CClass(pattern, "Review")' in after
    )
    assert "New options: review, review_latency\n" in after
    assert "review_latency, review\n" in after
    assert "        review.add_links(review, " in after
    # the add codes list held both: one is left
    assert "add codes to s1: \n``` python \n    '''\n        review\n    '''\n" in after
    s2 = next(c for c in refactoring.changes if c.path.endswith("s_2.md"))
    assert "Familiar options: review\n" in s2.after
    assert (
        refactoring.notes[0] == f'kept the definition at {folder / "s_1.md"}:49: pattern "Review"'
    )
    assert refactoring.notes[1].startswith(f"removed the definition at {folder / 's_1.md'}:47")
    assert f"{folder / 's_1.md'}:52: review is now related to itself" in refactoring.notes


def test_merge_refusals(tmp_path):
    folder = study(tmp_path)
    with pytest.raises(RefactorError, match="different metaclasses: review_latency is a force"):
        plan_merge([folder], ["review_latency", "review"], "review")
    write(
        folder,
        "s_4.md",
        source_text(
            4,
            trace(
                "Q.",
                None,
                'split_code = CClass(force,\n    "Split")\nother_code = CClass(force, "O")',
            ),
        ),
    )
    with pytest.raises(
        RefactorError, match=r"s_4.md:4\d: cannot remove the definition of split_code"
    ):
        plan_merge([folder], ["other_code", "split_code"], "other_code")
    with pytest.raises(RefactorError, match="name at least two different codes"):
        plan_merge([folder], ["review", "review"], "review")


# -- the real corpus ----------------------------------------------------------------


@pytest.mark.parametrize("path", [*corpus_files(), SEED], ids=lambda p: p.name)
def test_every_code_renamed_and_back_gives_the_file_back(path):
    notes = read(path)
    text = notes.to_text()
    for identifier in notes.codes_mentioned:
        renamed = rewrite_notes(notes, {identifier: "zz_renamed_code"})
        again = parse(renamed, str(path))
        assert identifier not in again.codes_mentioned
        assert all(identifier not in t.memo_codes for t in again.open_traces if not t.template)
        # only trace lines change: quotes, header and source definition stay
        for number, _, _ in changed_lines(text, renamed):
            block = next(b for b in again.blocks if b.line <= number <= b.end_line)
            assert block.kind in ("open", "axial"), (identifier, number)
        assert rewrite_notes(again, {"zz_renamed_code": identifier}) == text


def test_corpus_typo_fixed_by_rename_and_merge(tmp_path, capsys):
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy, copy_function=shutil.copyfile)  # the corpus is read-only
    originals = {p.name: p.read_bytes() for p in copy.glob("*.md")}
    assert main(["rename", "trustworty_decision", "trustworthy_decision", str(copy)]) == 0
    assert main(["merge", "ci_cd_proces", "ci_cd_process", "ci_cd_process", str(copy)]) == 0
    capsys.readouterr()
    changed = {p.name for p in copy.glob("*.md") if p.read_bytes() != originals[p.name]}
    renamed = {"s_1.md", "s_28.md", "s_3.md", "s_4.md", "s_5.md"}
    merged = {"s_19.md", "s_30.md", "s_35.md", "s_51.md", "s_6.md"}
    assert changed == renamed | merged
    for name in changed:
        for _, old, new in changed_lines(
            originals[name].decode(), (copy / name).read_text(encoding="utf-8")
        ):
            assert (
                old.replace("trustworty_decision", "trustworthy_decision")
                .replace("ci_cd_proces", "ci_cd_process")
                .replace("ci_cd_processs", "ci_cd_process")
                == new
            )
    findings = check_paths([copy], CheckConfig(select=("JC101", "JC104")))
    messages = " ".join(f.message for f in findings)
    assert "trustworty" not in messages and "ci_cd_proces " not in messages
