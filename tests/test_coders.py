"""Merging two coders' versions quote by quote: the merge, its marker, the commands, git.

Coder A is the corpus (or the second-dialect example study); coder B edits its
traces. The property tests let hypothesis choose, trace by trace, what each coder
keeps, removes, changes or adds, and check that the merge loses nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_coding.cli import main
from jupyter_coding.fieldnotes import AxialTrace, Disagreement, OpenTrace, Quote, parse
from jupyter_coding.fieldnotes.reading import coding_traces
from jupyter_coding.notebooks.convert import round_trip
from jupyter_coding.study.checks import check_notes, check_paths
from jupyter_coding.study.coders import disagreement_marker, merge_texts

from .coder_versions import add_trace, commit, edit_trace, git, new_repository, remove_trace
from .coder_versions import trace_text as new_trace
from .conftest import CORPUS, ROOT

S43 = (CORPUS / "s_43.md").read_text(encoding="utf-8")
NAMES = ("coder-a", "coder-b")


def trace_blocks(text: str) -> list[str]:
    """The own lines of every open and axial trace, as written."""
    return [b.text for b in parse(text).blocks if isinstance(b, (OpenTrace, AxialTrace))]


def quote_texts(text: str) -> list[str]:
    return [b.text for b in parse(text).blocks if isinstance(b, Quote)]


def quote_line(text: str, start: str) -> int:
    return next(q.line for q in parse(text).quotes if q.plain_text.startswith(start))


def markers(text: str) -> list[Disagreement]:
    return [b for b in parse(text).blocks if isinstance(b, Disagreement)]


def applies(text: str) -> dict[int, list[str]]:
    """Quote line -> the codes applied to it, per the one reading."""
    found: dict[int, list[str]] = {}
    for trace in coding_traces(parse(text)):
        for quote in trace.quotes:
            found.setdefault(quote.line, []).extend(trace.applies)
    return found


# -- the marker in the document model ---------------------------------------------------------

MARKED = """> The quote both coded.
Its second line.

**OPEN CODING TRACE:**

Familiar option: x

**AXIAL CODING TRACE:**

add codes to s1:
``` python
    '''
        x
    '''
```
**CODERS DISAGREE:** ann above, bo below: discuss
**OPEN CODING TRACE:**

Familiar option: y
"""


def test_the_parser_reads_the_marker_and_the_traces_below_code_the_same_quotes():
    notes = parse(MARKED)
    assert [b.kind for b in notes.blocks] == ["quote", "open", "axial", "disagreement", "open"]
    marker = notes.blocks[3]
    assert (marker.above, marker.below, marker.line) == ("ann", "bo", 16)
    assert notes.to_text() == MARKED
    traces = coding_traces(notes)
    assert [([q.line for q in t.quotes], t.line) for t in traces] == [([1], 4), ([1], 17)]
    assert round_trip(MARKED) == MARKED  # through the notebook too


def test_a_marker_stops_a_quote_and_only_a_marker_line_is_one():
    text = "> a quote\n**CODERS DISAGREE:** a above, b below\n\n**coders disagree** no\n"
    blocks = parse(text).blocks
    assert [b.kind for b in blocks] == ["quote", "disagreement", "raw"]
    assert blocks[1].lines == ["**CODERS DISAGREE:** a above, b below\n"]
    unnamed = parse("**Coders disagree**: discuss\n").blocks[0]
    assert (unnamed.kind, unnamed.above, unnamed.below) == ("disagreement", "", "")


def test_a_marker_ends_a_python_fence_never_closed():
    # a coder's block left open must not swallow the marker and the other coder's trace
    text = MARKED.replace("    '''\n```\n**CODERS", "    '''\n**CODERS")
    assert text != MARKED
    notes = parse(text)
    assert [b.kind for b in notes.blocks] == ["quote", "open", "axial", "disagreement", "open"]
    assert notes.blocks[2].blocks[0].fence_close is None
    assert notes.to_text() == text


def test_without_markers_the_reading_is_unchanged():
    # a trace after a trace codes nothing, as before; only a marker hands the quotes on
    text = MARKED.replace("**CODERS DISAGREE:** ann above, bo below: discuss\n", "\n")
    assert [([q.line for q in t.quotes]) for t in coding_traces(parse(text))] == [[1], []]


# -- merging two coders ----------------------------------------------------------------------


def coded_twice() -> tuple[str, str]:
    """s_43 as coder A (the corpus) and coder B: the first trace changed, one removed, one added."""
    theirs = edit_trace(S43, 63, "unified_batch_stream", "k8s")
    theirs = remove_trace(theirs, 84)
    final = quote_line(theirs, "Final words")
    return S43, add_trace(theirs, final, new_trace("s43", ["final_words"]))


def test_merge_takes_what_one_coder_added_and_marks_where_both_differ():
    ours, theirs = coded_twice()
    result = merge_texts(ours, theirs, names=NAMES)
    assert (result.disagreements, result.conflicts, result.clean) == (1, 0, False)
    # B's new trace; A's trace that B removed (two-way: a removal is not seen as one)
    assert result.taken == {"coder-a": 1, "coder-b": 1}
    merged = result.text
    assert Counter(trace_blocks(ours)) <= Counter(trace_blocks(merged))
    assert Counter(trace_blocks(theirs)) <= Counter(trace_blocks(merged))
    assert quote_texts(merged) == quote_texts(ours)
    [marker] = markers(merged)
    assert (marker.above, marker.below) == NAMES
    assert marker.text == disagreement_marker(*NAMES)
    coded = applies(merged)
    # both coders' codes on each of the six quotes of the first trace
    assert coded[36] == [*applies(ours)[36], *applies(theirs)[36]]
    assert coded[quote_line(merged, "Raw events")] == ["raw_data_as_data_product"]
    assert coded[quote_line(merged, "Final words")] == ["final_words"]
    assert "<<<<<<<" not in merged
    # a merge of the merge with either side changes nothing more
    assert merge_texts(merged, merged).text == merged


def test_check_reports_each_open_disagreement(tmp_path):
    ours, theirs = coded_twice()
    merged = merge_texts(ours, theirs, names=NAMES).text
    path = tmp_path / "s_43.md"
    path.write_text(merged, encoding="utf-8")
    [finding] = [f for f in check_paths([path]) if f.rule == "JC501"]
    assert finding.format() == (
        f"{path}:78:1: JC501 open disagreement on the quotes at lines 36, 38, 42, 48, 55, 57: "
        "coder-a applies single_subscription_separate_workspace_per_domain, request_access, "
        "unified_batch_stream (line 63); coder-b applies "
        "single_subscription_separate_workspace_per_domain, request_access, k8s (line 80); "
        "discuss, keep one coding (or merge the two) and delete the marker"
    )
    assert finding.name == "coder-disagreement"
    # resolved: coder B's trace and the marker deleted, the finding is gone
    resolved = parse(merged)
    marker_at = next(i for i, b in enumerate(resolved.blocks) if isinstance(b, Disagreement))
    del resolved.blocks[marker_at : marker_at + 3]
    assert not [f for f in check_notes(parse(resolved.to_text())) if f.rule == "JC501"]
    assert Counter(trace_blocks(ours)) <= Counter(trace_blocks(resolved.to_text()))


def test_three_way_a_side_unchanged_takes_the_other_and_resolutions_stay():
    ours, theirs = coded_twice()
    merged = merge_texts(ours, theirs, names=NAMES).text
    # coder A resolves on their branch (keeps their trace); coder B goes on from the merge
    resolved = remove_trace(merged, 80).replace(disagreement_marker(*NAMES) + "\n", "")
    assert not markers(resolved)
    # coder B leaves the disagreement as the merge wrote it and codes one more quote
    later = add_trace(merged, quote_line(merged, "Final words"), new_trace("s43", ["final"]))
    again = merge_texts(resolved, later, base=merged, names=NAMES)
    assert again.clean and not markers(again.text)
    assert Counter(trace_blocks(resolved)) <= Counter(trace_blocks(again.text))
    assert applies(again.text)[quote_line(again.text, "Final words")] == ["final"]
    # one side removed a trace the other left as it was: the removal is taken
    removed = remove_trace(ours, 84)
    assert merge_texts(removed, ours, base=ours).text == removed


def test_three_way_removed_on_one_side_changed_on_the_other_is_a_disagreement():
    changed = edit_trace(S43, 84, "raw_data_as_data_product\n    '''", "raw_data\n    '''")
    removed = remove_trace(S43, 84)
    result = merge_texts(removed, changed, base=S43, names=NAMES)
    assert result.disagreements == 1
    merged = result.text
    assert Counter(trace_blocks(changed)) <= Counter(trace_blocks(merged))
    [finding] = [f for f in check_notes(parse(merged)) if f.rule == "JC501"]
    assert "coder-a applies nothing (no trace); coder-b applies raw_data (line" in finding.message


def test_a_skeleton_both_changed_is_kept_from_both_outside_python_blocks():
    ours = S43.replace("Treating data as a product at Adevinta\n## source", "Title A\n## source", 1)
    theirs = S43.replace(
        "Treating data as a product at Adevinta\n## source", "Title B\n## source", 1
    )
    assert ours != S43 != theirs
    result = merge_texts(ours, theirs, base=S43, names=NAMES)
    assert result.conflicts == 1 and result.disagreements == 0
    merged = result.text
    assert "<<<<<<< coder-a\n\n# s \n43\n" in merged and "Title A" in merged and "Title B" in merged
    assert ">>>>>>> coder-b\n" in merged
    for block in parse(merged).python_blocks():
        assert "<<<<<<<" not in block.code and "=======" not in block.code
    # one side's header change alone is simply taken
    assert merge_texts(ours, S43, base=S43).text == ours


def test_two_way_a_quote_only_one_coder_has_is_taken_with_its_trace():
    extra = "> A quote only coder B copied from the source.\n\n" + new_trace("s43", ["extra"])
    theirs = S43.replace("> Raw events\n", extra + "> Raw events\n", 1)
    result = merge_texts(S43, theirs, names=NAMES)
    assert result.clean and result.text == theirs


# -- the property: nothing is lost --------------------------------------------------------------

PROPERTY_FILES = [
    CORPUS / "s_43.md",
    CORPUS / "s_35.md",
    CORPUS / "p_5.md",  # an interview: speaker lines, lazy quotes
    CORPUS / "s_1.md",  # ends with an open trace, no axial
    ROOT / "examples" / "labels_study" / "s_2.md",  # labels as memos, added: only
]
TEXTS = {path.name: path.read_text(encoding="utf-8") for path in PROPERTY_FILES}
ACTIONS = ("keep", "keep", "remove", "change", "add")


def recodings(test):
    """A property over a file and what two coders do to its traces, slot by slot."""
    choices = st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=12)
    test = given(name=st.sampled_from(sorted(TEXTS)), ours=choices, theirs=choices)(test)
    return settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])(
        test
    )


def recode(text: str, choices: list[str], code: str) -> str:
    """A coder's version: per quote slot, keep / remove / change its traces or add one."""
    notes = parse(text)
    out: list[str] = []
    slot = 0
    blocks = notes.blocks
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if not isinstance(block, Quote):
            out.append(block.to_text())
            continue
        group = []
        while index < len(blocks) and isinstance(blocks[index], (OpenTrace, AxialTrace)):
            group.append(blocks[index])
            index += 1
        action = choices[slot % len(choices)]
        slot += 1
        out.append(block.to_text())
        if group and action in ("keep", "add"):
            out += [b.to_text() for b in group]
            continue
        if not group and action != "add" and action != "change":
            continue
        if not out[-1].endswith("\n"):
            out[-1] += "\n"
        if not out[-1].endswith("\n\n"):
            out[-1] += "\n"
        if action != "remove":
            out.append(new_trace(notes.source_id or "s", [f"{code}_{slot}"]))
    return "".join(out)


@recodings
def test_two_way_merge_loses_no_quote_memo_or_code(name, ours, theirs):
    original = TEXTS[name]
    mine, other = recode(original, ours, "mine"), recode(original, theirs, "theirs")
    result = merge_texts(mine, other, names=NAMES)
    merged = result.text
    assert parse(merged).to_text() == merged
    # every trace of either side, byte for byte; every quote once, as coder A wrote it
    assert Counter(trace_blocks(mine)) <= Counter(trace_blocks(merged))
    assert Counter(trace_blocks(other)) <= Counter(trace_blocks(merged))
    assert quote_texts(merged) == quote_texts(mine)
    # no code either coder applied is lost (memos are in the traces' own lines)
    assert all_codes(mine) | all_codes(other) <= all_codes(merged)
    assert "<<<<<<<" not in merged and not result.conflicts
    assert len(markers(merged)) == result.disagreements
    if result.clean:
        assert len(markers(merged)) == len(markers(original))


def all_codes(text: str) -> set[str]:
    return {code for trace in coding_traces(parse(text)) for code in trace.applies}


@recodings
def test_three_way_merge_keeps_every_change_of_either_coder(name, ours, theirs):
    base = TEXTS[name]
    mine, other = recode(base, ours, "mine"), recode(base, theirs, "theirs")
    result = merge_texts(mine, other, base=base, names=NAMES)
    merged = Counter(trace_blocks(result.text))
    unchanged = Counter(trace_blocks(base))
    for side in (mine, other):
        new = Counter(trace_blocks(side)) - unchanged  # what this coder wrote
        assert new <= merged
    assert merged <= Counter(trace_blocks(mine)) | Counter(trace_blocks(other))
    assert quote_texts(result.text) == quote_texts(base)
    if other == base:
        assert result.text == mine and result.clean


# -- the commands --------------------------------------------------------------------------------


def study_pair(tmp_path: Path) -> tuple[Path, Path]:
    ours, theirs = coded_twice()
    for name, text in (("a", ours), ("b", theirs)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "s_43.md").write_text(text, encoding="utf-8")
    (tmp_path / "b" / "s_35.md").write_text(
        (CORPUS / "s_35.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return tmp_path / "a", tmp_path / "b"


def test_merge_coders_command(tmp_path, capsys):
    a, b = study_pair(tmp_path)
    out = tmp_path / "merged"
    assert main(["merge-coders", str(a), str(b), "-o", str(out), "--names", "ann,bo"]) == 1
    printed = capsys.readouterr()
    assert printed.out.splitlines() == [
        f"{out}/s_35.md: only in bo, 3 traces from bo only",
        f"{out}/s_43.md: 1 trace from ann only, 1 trace from bo only, "
        "1 disagreement marked for discussion",
    ]
    assert "2 files merged: 1 disagreement marked, 0 conflicts" in printed.err
    merged = (out / "s_43.md").read_text(encoding="utf-8")
    assert markers(merged)[0].above == "ann"
    assert (out / "s_35.md").read_bytes() == (b / "s_35.md").read_bytes()
    # OUT now holds files that are neither A's nor B's: refused without --force
    assert main(["merge-coders", str(a), str(b), "-o", str(out)]) == 1
    assert "exists and is neither A's nor B's" in capsys.readouterr().err
    # merged into A itself: allowed, A's files were read
    assert main(["merge-coders", str(a), str(b), "-o", str(a)]) == 1
    assert (a / "s_43.md").read_text(encoding="utf-8").count("**CODERS DISAGREE:**") == 1


def test_merge_coders_of_two_files_and_of_git_revisions(tmp_path, monkeypatch, capsys):
    a, b = study_pair(tmp_path)
    target = tmp_path / "one.md"
    assert main(["merge-coders", str(a / "s_43.md"), str(b / "s_43.md"), "-o", str(target)]) == 1
    assert len(markers(target.read_text(encoding="utf-8"))) == 1
    ours, _ = coded_twice()
    repo = new_repository(tmp_path / "repo", {"study/s_43.md": ours})
    git(repo, "checkout", "-q", "-b", "coder-b")
    commit(repo, {"study/s_43.md": add_trace(ours, 236, new_trace("s43", ["final_words"]))}, "b")
    monkeypatch.chdir(repo)
    capsys.readouterr()
    assert main(["merge-coders", "main:study/", "coder-b:study/", "-o", "merged"]) == 0
    assert "s_43.md: 1 trace from coder-b only" in capsys.readouterr().out
    assert applies((repo / "merged" / "s_43.md").read_text(encoding="utf-8"))[236] == [
        "final_words"
    ]


def test_merge_driver_command_writes_into_ours(tmp_path):
    ours, theirs = coded_twice()
    paths = {}
    for name, text in (("base", S43), ("ours", ours), ("theirs", theirs)):
        paths[name] = tmp_path / name
        paths[name].write_text(text, encoding="utf-8")
    args = ["merge-driver", str(paths["base"]), str(paths["ours"]), str(paths["theirs"])]
    # theirs changed the first trace, removed one and added one; ours is the base: clean
    assert main([*args, "study/s_43.md"]) == 0
    assert paths["ours"].read_text(encoding="utf-8") == theirs
    # now both changed the first trace differently
    paths["ours"].write_text(edit_trace(S43, 63, "request_access", "self_service"), "utf-8")
    assert main([*args, "--ours-name", "ann", "--theirs-name", "bo"]) == 1
    assert markers(paths["ours"].read_text(encoding="utf-8"))[0].below == "bo"


def test_merge_driver_leaves_other_markdown_to_git(tmp_path):
    texts = {"base": "# Notes\n\na\n", "ours": "# Notes\n\nA\n", "theirs": "# Notes\n\nB\n"}
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    args = [str(tmp_path / name) for name in ("base", "ours", "theirs")]
    assert main(["merge-driver", *args]) == 1  # git merge-file's conflict
    assert "<<<<<<< ours\nA\n=======\nB\n>>>>>>> theirs\n" in (tmp_path / "ours").read_text()


# -- a real git merge with the driver configured ---------------------------------------------------


def configure_driver(repo: Path) -> None:
    (repo / ".gitattributes").write_text("*.md merge=jupyter-coding\n", encoding="utf-8")
    driver = f'"{sys.executable}" -m jupyter_coding.cli merge-driver %O %A %B %P'
    git(repo, "config", "merge.jupyter-coding.name", "field notes, quote by quote")
    git(repo, "config", "merge.jupyter-coding.driver", driver)
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-q", "-m", "merge field notes quote by quote")


def test_git_merge_with_the_driver_marks_disagreements_and_keeps_resolutions(tmp_path):
    repo = new_repository(tmp_path / "repo", {"study/s_43.md": S43})
    configure_driver(repo)
    git(repo, "checkout", "-q", "-b", "coder-b")
    theirs = edit_trace(S43, 63, "unified_batch_stream", "k8s")
    theirs = add_trace(theirs, 236, new_trace("s43", ["final_words"]))
    commit(repo, {"study/s_43.md": theirs}, "coder B codes blind")
    git(repo, "checkout", "-q", "-b", "coder-a", "main")
    ours = edit_trace(S43, 63, "unified_batch_stream", "data_mesh")
    ours = edit_trace(ours, 198, "        cqrs\n", "        cqrs,\n        data_marketplace\n")
    commit(repo, {"study/s_43.md": ours}, "coder A codes blind")

    done = git(repo, "merge", "--no-edit", "coder-b", check=False)
    assert done.returncode == 1 and "CONFLICT (content): Merge conflict in study/s_43.md" in (
        done.stdout
    )
    assert "1 disagreement between coder-a and coder-b marked for discussion" in done.stderr
    merged = (repo / "study" / "s_43.md").read_text(encoding="utf-8")
    assert "<<<<<<<" not in merged and "=======" not in merged
    [marker] = markers(merged)
    assert (marker.above, marker.below) == ("coder-a", "coder-b")
    coded = applies(merged)
    shared = ["single_subscription_separate_workspace_per_domain", "request_access"]
    assert coded[36] == [*shared, "data_mesh", *shared, "k8s"]  # both coders' traces
    assert coded[quote_line(merged, "Final words")] == ["final_words"]  # only B coded it
    assert coded[quote_line(merged, "We have a specific team")] == ["cqrs", "data_marketplace"]
    [finding] = [f for f in check_paths([repo / "study"]) if f.rule == "JC501"]
    assert finding.line == marker.line

    # the coders discuss, keep coder A's trace and delete the marker and coder B's trace
    notes = parse(merged)
    at = next(i for i, b in enumerate(notes.blocks) if isinstance(b, Disagreement))
    del notes.blocks[at : at + 3]
    commit(repo, {"study/s_43.md": notes.to_text()}, "discussed: data_mesh")
    # coder B goes on coding on their branch, then brings in the discussed version
    git(repo, "checkout", "-q", "coder-b")
    more = edit_trace(
        theirs,
        182,
        "        data_marketplace\n",
        "        data_marketplace,\n        self_service\n",
    )
    commit(repo, {"study/s_43.md": more}, "coder B codes on")
    git(repo, "checkout", "-q", "coder-a")
    done = git(repo, "merge", "--no-edit", "coder-b", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    final = (repo / "study" / "s_43.md").read_text(encoding="utf-8")
    assert not markers(final)
    coded = applies(final)
    assert "data_mesh" in coded[36] and "k8s" not in coded[36]  # the resolution stays
    assert coded[quote_line(final, "A real life example")] == ["data_marketplace", "self_service"]
    assert git(repo, "status", "--porcelain").stdout == ""


def test_git_merge_with_the_driver_is_clean_when_coders_coded_different_quotes(tmp_path):
    repo = new_repository(tmp_path / "repo", {"study/s_43.md": S43})
    configure_driver(repo)
    git(repo, "checkout", "-q", "-b", "coder-b")
    commit(repo, {"study/s_43.md": add_trace(S43, 236, new_trace("s43", ["final_words"]))}, "b")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"study/s_43.md": remove_trace(S43, 84)}, "a")
    done = git(repo, "merge", "--no-edit", "coder-b", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    coded = applies((repo / "study" / "s_43.md").read_text(encoding="utf-8"))
    merged = (repo / "study" / "s_43.md").read_text(encoding="utf-8")
    assert coded[quote_line(merged, "Final words")] == ["final_words"]  # coder B's
    # coder A removed the trace of the quote at line 80: the next trace codes it
    assert coded[quote_line(merged, "Raw events")] == ["data_marts"]


@pytest.mark.parametrize("path", [CORPUS / "s_43.md", CORPUS / "p_1.md"])
def test_merging_a_file_with_itself_or_with_its_base_gives_it_back(path):
    text = path.read_text(encoding="utf-8")
    assert merge_texts(text, text).text == text
    assert merge_texts(text, text, base=text).text == text
