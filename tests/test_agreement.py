"""Agreement between coders: the statistics, ``agree`` on real field notes in git, the magic.

The statistics (jupyter_coding.study.agreement) are checked three ways: against figures
worked out by hand below, against Krippendorff's published example, and against nltk
and the ``krippendorff`` package (the ``agreement`` extra) on data built from the
corpus. The study comparison is run on two coders' versions of three corpus files in
a real git repository: coder A is the corpus, coder B the corpus with traces changed,
removed and added by the test.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from IPython.core.error import UsageError
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import masi_distance as nltk_masi

from jupyter_coding.cli import main
from jupyter_coding.fieldnotes import FieldNotesError, read
from jupyter_coding.fieldnotes.reading import coding_traces
from jupyter_coding.notebooks.convert import notebook_json, to_notebook
from jupyter_coding.study.agreement import (
    cohen_kappa,
    krippendorff_alpha,
    masi_distance,
    nominal_distance,
    percent_agreement,
)
from jupyter_coding.study.agreement_report import as_dict, html_page, shorten, text_report
from jupyter_coding.study.compare_coders import compare_versions
from jupyter_coding.study.gitstudy import read_version, read_versions

from .coder_versions import add_trace, commit, edit_trace, git, new_repository, remove_trace
from .coder_versions import trace_text as new_trace
from .conftest import CORPUS, ROOT

LABELS_STUDY = ROOT / "examples" / "labels_study"

# -- the statistics, by hand ---------------------------------------------------------------------

# ten quotes, two coders, a code applied (1) or not (0): 4 both, 2 only A, 1 only B, 3 neither
TEN = [(1, 1)] * 4 + [(1, 0)] * 2 + [(0, 1)] + [(0, 0)] * 3


def test_percent_agreement_and_kappa_by_hand():
    # observed 7/10; chance: A applies 6/10, B 5/10 -> 0.6*0.5 + 0.4*0.5 = 0.5
    assert percent_agreement(TEN) == pytest.approx(0.7)
    assert cohen_kappa(TEN) == pytest.approx((0.7 - 0.5) / (1 - 0.5))  # 0.4


def test_nominal_alpha_by_hand():
    # coincidences: o11 = 8, o00 = 6, o10 = o01 = 3; n1 = 11, n0 = 9, n = 20
    # alpha = 1 - (n - 1) * (o10 + o01) / (2 * n1 * n0) = 1 - 19 * 6 / 198 = 14/33
    assert krippendorff_alpha(TEN) == pytest.approx(14 / 33)


def test_masi_by_hand():
    assert masi_distance({1, 2}, {1, 2, 3, 4}) == pytest.approx(1 - 2 / 4 * 2 / 3)
    assert masi_distance({"a"}, {"b"}) == 1
    assert masi_distance({"a", "b"}, {"b", "c"}) == pytest.approx(1 - 1 / 3 * 1 / 3)
    assert masi_distance({"a"}, {"a"}) == 0 == masi_distance(set(), set())


def test_masi_alpha_by_hand():
    a, ab, b, c = frozenset("a"), frozenset("ab"), frozenset("b"), frozenset("c")
    units = [(a, a), (ab, a), (b, c)]
    # observed: unit 2 gives 2 * 2/3, unit 3 gives 2 * 1: 10/3 (n = 6 values)
    # expected: 2 * (3*1*2/3 + 3*1 + 3*1 + 1*1*2/3 + 1*1 + 1*1) = 64/3
    assert krippendorff_alpha(units, masi_distance) == pytest.approx(1 - 5 * (10 / 3) / (64 / 3))


def test_alpha_with_missing_values_is_krippendorffs_published_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal data of
    # four observers on twelve units, some missing: alpha = 0.743
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[o[u] for o in observers if o[u] is not None] for u in range(12)]
    assert round(krippendorff_alpha(units), 3) == 0.743


def test_undefined_figures_are_none_not_made_up():
    assert cohen_kappa([("x", "x")] * 5) is None  # chance agreement is already 1
    assert cohen_kappa([]) is None
    assert krippendorff_alpha([("x", "x")] * 5) is None  # nothing varies
    assert krippendorff_alpha([("x",), ("y",)]) is None  # nothing pairable
    assert percent_agreement([("x",)]) is None
    assert nominal_distance("a", "a") == 0 and nominal_distance("a", "b") == 1


# -- two coders of real field notes, in git --------------------------------------------------------

FILES = ("s_35.md", "s_37.md", "s_43.md")


def coder_a() -> dict[str, str]:
    return {f"study/{name}": (CORPUS / name).read_text(encoding="utf-8") for name in FILES}


def coder_b() -> dict[str, str]:
    """The corpus coded again by a second coder, who changed, removed and added traces."""
    files = coder_a()
    # s_43: the trace at line 63 (six quotes) applies k8s instead of unified_batch_stream,
    # and the trace at line 84 is gone: its quote joins the run the data_marts trace codes
    s43 = edit_trace(files["study/s_43.md"], 63, "unified_batch_stream", "k8s")
    s43 = remove_trace(s43, 84)
    # s_35: the trace at line 90 (three quotes) applies versioning too
    s35 = edit_trace(
        files["study/s_35.md"],
        90,
        "        immutable_change_audit_log\n",
        "        immutable_change_audit_log,\n        versioning\n",
    )
    # s_37: pub_sub written pubsub (memo and list, six quotes), a label reworded, and a
    # new trace with a new code on a quote the corpus leaves uncoded (line 118)
    s37 = edit_trace(files["study/s_37.md"], 61, "pub_sub", "pubsub")
    s37 = edit_trace(s37, 61, "pub_sub", "pubsub")
    s37 = edit_trace(s37, 61, '"Grouping Related Data Resources"', '"Grouping Data Resources"')
    definition = 'data_resource_template = CClass(pattern, "Data Resource Template")'
    s37 = add_trace(s37, 118, new_trace("s37", ["data_resource_template"], (definition,)))
    return {"study/s_35.md": s35, "study/s_37.md": s37, "study/s_43.md": s43}


@pytest.fixture
def repository(tmp_path, monkeypatch) -> Path:
    """main: coder A's study; branch coder-b: coder B's; the work tree on main."""
    repo = new_repository(tmp_path / "repo", coder_a())
    git(repo, "checkout", "-q", "-b", "coder-b")
    commit(repo, coder_b(), "coder B codes blind")
    git(repo, "checkout", "-q", "main")
    monkeypatch.chdir(repo)
    return repo


def kappa_2x2(both: int, only_a: int, only_b: int, neither: int) -> float:
    """Cohen's kappa from the four counts of a code applied or not."""
    n = both + only_a + only_b + neither
    observed = (both + neither) / n
    chance = ((both + only_a) * (both + only_b) + (only_b + neither) * (only_a + neither)) / n**2
    return (observed - chance) / (1 - chance)


def test_agree_reads_both_coders_from_git_and_counts_the_quotes(repository):
    versions = read_versions(["main:study/", "coder-b:study/"])
    assert [v.name for v in versions] == ["main", "coder-b"]
    assert sorted(versions[1].files) == list(FILES)
    assert versions[1].location("s_43.md") == "coder-b:study/s_43.md"
    comparison = compare_versions(versions)
    # coded in the corpus: s_43 16 quotes, s_35 19, s_37 10; coder B adds one: 46
    # uncoded by both: s_43 1, s_35 2, s_37 10 (11 less the one coder B coded)
    assert comparison.overall.quotes == len(comparison.units) == 46
    assert comparison.uncoded == 13
    assert [(c.quotes, c.coded) for c in comparison.coders] == [(59, 45), (59, 46)]
    # 6 + 1 quotes in s_43, 3 in s_35, 6 + 1 in s_37 are coded differently
    assert len(comparison.disagreements) == 17
    assert comparison.overall.percent_agreement == pytest.approx(100 * 29 / 46)
    # kappa over code sets as categories: chance is the sum over the trace sets both
    # coders use of the product of their counts, data_marts 2*3, the other s_43 sets
    # 2*2 + 1 + 1 + 1 + 1 + 1, s_35's 7*7 + 9*9, s_37's 4*4: 161 of 46**2
    assert comparison.overall.cohen_kappa == pytest.approx((29 * 46 - 161) / (46**2 - 161))
    assert round(comparison.overall.alpha, 4) == 0.5958
    assert round(comparison.overall.alpha_masi, 4) == 0.6674


def test_agree_per_code_figures_are_the_hand_computed_ones(repository):
    comparison = compare_versions(read_versions(["main:study/", "coder-b:study/"]))
    rows = {row.code: row for row in comparison.codes}
    k8s = rows["k8s"]  # corpus: 8 quotes (s_43:145, s_35's first trace); coder B 6 more
    assert (k8s.applied, k8s.by_all, k8s.disputed) == ({"main": 8, "coder-b": 14}, 8, 6)
    assert k8s.figures.cohen_kappa == pytest.approx(kappa_2x2(8, 0, 6, 32))  # 512/788
    assert k8s.figures.percent_agreement == pytest.approx(100 * 40 / 46)
    versioning = rows["versioning"]
    assert versioning.applied == {"main": 9, "coder-b": 12}
    assert versioning.figures.cohen_kappa == pytest.approx(kappa_2x2(9, 0, 3, 34))  # 0.816
    # the quote whose trace coder B removed now belongs to the data_marts trace's run
    assert rows["data_marts"].applied == {"main": 2, "coder-b": 3}
    assert rows["data_marts"].figures.cohen_kappa == pytest.approx(kappa_2x2(2, 0, 1, 43))
    unified = rows["unified_batch_stream"]
    assert unified.applied == {"main": 6, "coder-b": 0}
    assert unified.figures.cohen_kappa == 0  # coder B never applies it: no better than chance
    # nominal alpha: n = 92 values, 6 "applied"; 1 - 91 * 12 / (2 * 6 * 86)
    assert unified.figures.alpha == pytest.approx(1 - 91 * 12 / (2 * 6 * 86))
    agreed = rows["quality_monitoring"]
    assert agreed.disputed == 0 and agreed.figures.cohen_kappa == 1
    assert all(row.figures.quotes == 46 for row in comparison.codes)
    # the most disputed codes first
    assert [row.code for row in comparison.codes[:5]] == [
        "k8s",
        "pub_sub",
        "pubsub",
        "unified_batch_stream",
        "versioning",
    ]


def test_agree_lists_the_disagreements_most_frequent_first(repository):
    comparison = compare_versions(read_versions(["main:study/", "coder-b:study/"]))
    rows = comparison.disagreements
    places = [(row.unit.file, row.unit.codings["main"].quote_line, row.frequency) for row in rows]
    assert places == [
        *[("s_43.md", line, 6) for line in (36, 38, 42, 48, 55, 57)],
        *[("s_37.md", line, 6) for line in (36, 38, 40, 42, 49, 56)],
        *[("s_35.md", line, 3) for line in (83, 85, 87)],
        ("s_43.md", 80, 1),  # data_marts (coder B only) sorts before data_resource_template
        ("s_37.md", 118, 1),
    ]
    first = rows[0]
    assert first.disputed == (("unified_batch_stream", ("main",)), ("k8s", ("coder-b",)))
    main, other = first.unit.codings["main"], first.unit.codings["coder-b"]
    assert (main.location, main.trace_lines) == ("main:study/s_43.md", (63,))
    assert main.codes[-1] == "unified_batch_stream" and other.codes[-1] == "k8s"
    added = rows[-1]
    assert added.unit.codings["main"].codes == ()
    assert added.unit.codings["coder-b"].codes == ("data_resource_template",)
    assert added.unit.codings["coder-b"].trace_lines == (123,)
    removed = rows[-2]  # coder B's data_marts trace (line 94 after the removal) codes it
    assert removed.unit.codings["coder-b"].codes == ("data_marts",)
    assert removed.unit.codings["coder-b"].trace_lines == (94,)


def test_agree_compares_the_codebooks(repository):
    book = compare_versions(read_versions(["main:study/", "coder-b:study/"])).codebook
    only = {(m.code, m.present) for m in book.missing}
    assert only == {
        ("pub_sub", ("main",)),
        ("raw_data_as_data_product", ("main",)),
        ("unified_batch_stream", ("main",)),
        ("data_resource_template", ("coder-b",)),
        ("pubsub", ("coder-b",)),
    }
    assert [(d.code, d.what, d.values) for d in book.differences] == [
        (
            "grouping_related_data_resources",
            "label",
            (("main", "Grouping Related Data Resources"), ("coder-b", "Grouping Data Resources")),
        )
    ]
    assert [(c.first, c.second, c.reason) for c in book.correspondences] == [
        (("main", "pub_sub"), ("coder-b", "pubsub"), "identifiers 1 letter apart")
    ]


def test_our_figures_equal_nltk_and_krippendorff_on_the_corpus(repository):
    comparison = compare_versions(read_versions(["main:study/", "coder-b:study/"]))
    units = comparison.units
    sets = [(u.codings["main"].code_set, u.codings["coder-b"].code_set) for u in units]
    as_sets = AnnotationTask(
        [(coder, i, pair[coder]) for i, pair in enumerate(sets) for coder in (0, 1)]
    )
    with_masi = AnnotationTask(
        [(coder, i, pair[coder]) for i, pair in enumerate(sets) for coder in (0, 1)],
        # nltk divides by zero for two empty sets (a quote one coder left uncoded, paired
        # with itself in the expected disagreement); equal sets are at distance 0 anyway
        distance=lambda a, b: 0.0 if a == b else nltk_masi(a, b),
    )
    overall = comparison.overall
    assert overall.cohen_kappa == pytest.approx(as_sets.kappa())
    assert overall.alpha == pytest.approx(as_sets.alpha())
    assert overall.alpha_masi == pytest.approx(with_masi.alpha())
    assert overall.percent_agreement == pytest.approx(100 * as_sets.avg_Ao())
    compared = 0
    for row in comparison.codes:
        values = [[code_applied(u, name, row.code) for u in units] for name in ("main", "coder-b")]
        task = AnnotationTask(
            [(coder, i, values[coder][i]) for i in range(len(units)) for coder in (0, 1)]
        )
        if row.figures.cohen_kappa is not None:
            assert row.figures.cohen_kappa == pytest.approx(task.kappa()), row.code
        if row.figures.alpha is not None:
            assert row.figures.alpha == pytest.approx(task.alpha()), row.code
            library = krippendorff.alpha(
                reliability_data=np.array(values, dtype=float), level_of_measurement="nominal"
            )
            assert row.figures.alpha == pytest.approx(library), row.code
            compared += 1
    assert compared == len(comparison.codes) > 20


def code_applied(unit, coder: str, code: str) -> int:
    return int(code in unit.codings[coder].codes)


def test_three_coders_alpha_with_missing_quotes_equals_krippendorff(repository, tmp_path):
    # coder C coded only s_43 (a folder on disk), as coder B did
    third = tmp_path / "coder_c"
    third.mkdir()
    (third / "s_43.md").write_text(coder_b()["study/s_43.md"], encoding="utf-8")
    comparison = compare_versions(read_versions(["main:study/", "coder-b:study/", str(third)]))
    assert comparison.names == ["main", "coder-b", "coder_c"]
    assert comparison.overall.cohen_kappa is None  # kappa is for two coders
    assert [(a, b, f.quotes) for a, b, f in comparison.pairs] == [
        ("main", "coder-b", 46),
        ("main", "coder_c", 16),
        ("coder-b", "coder_c", 16),
    ]
    assert comparison.pairs[2][2].percent_agreement == 100
    codes = sorted({c for u in comparison.units for v in u.codings.values() for c in v.codes})
    for row in comparison.codes:
        matrix = np.full((3, len(comparison.units)), np.nan)
        for i, unit in enumerate(comparison.units):
            for c, name in enumerate(comparison.names):
                if name in unit.codings:
                    matrix[c, i] = row.code in unit.codings[name].codes
        if row.figures.alpha is not None:
            expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
            assert row.figures.alpha == pytest.approx(expected), row.code
    assert len(codes) == len(comparison.codes)


def test_the_second_dialect_study_against_a_recoded_copy(tmp_path):
    # labels as memos, codes attached through added: only (examples/labels_study)
    copy = tmp_path / "labels_b"
    shutil.copytree(LABELS_STUDY, copy)
    first = coding_traces(read(copy / "s_1.md"))[0]
    assert first.applies == ["blameless_review", "psychological_safety", "incident_timeline"]
    text = (copy / "s_1.md").read_text(encoding="utf-8")
    (copy / "s_1.md").write_text(remove_trace(text, first.line), encoding="utf-8")
    comparison = compare_versions(read_versions([str(LABELS_STUDY), str(copy)], ["a", "b"]))
    assert comparison.overall.quotes == 10 and comparison.overall.percent_agreement == 70
    # without their trace, the three quotes join the run of the next one
    assert [row.unit.codings["a"].quote_line for row in comparison.disagreements] == [36, 39, 42]
    row = comparison.disagreements[0]
    assert row.unit.codings["a"].location == f"{LABELS_STUDY}/s_1.md"
    assert row.unit.codings["b"].codes == ("postmortem_template",)
    assert row.unit.codings["b"].trace_lines == (48,)
    assert row.disputed == (
        ("blameless_review", ("a",)),
        ("psychological_safety", ("a",)),
        ("incident_timeline", ("a",)),
        ("postmortem_template", ("b",)),
    )


# -- the command -------------------------------------------------------------------------------


def test_agree_command_text(repository, capsys):
    assert main(["agree", "main:study/", "coder-b:study/"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Agreement of 2 coders: main (main:study/, 3 files), coder-b (coder-b:study/, 3 files)\n"
        "Unit: the quote paragraph. 46 quotes coded by at least one coder are compared; 13 "
        "quotes no coder coded are left out of every figure"
    )
    assert "  percent agreement        63.0%   (the same codes)" in out
    assert "  Cohen's kappa            0.600   (code sets as categories)" in out
    assert "  Krippendorff's alpha     0.667   (MASI distance)" in out
    assert (
        '  s_43.md  "Treating data as a product at Adevinta"\n'
        "    main: single_subscription_separate_workspace_per_domain, request_access, "
        "unified_batch_stream  at main:study/s_43.md:36 (trace 63)\n"
        "    coder-b: single_subscription_separate_workspace_per_domain, request_access, k8s  "
        "at coder-b:study/s_43.md:36 (trace 63)\n"
        "    disputed: unified_batch_stream (main only); k8s (coder-b only) [6x]\n"
    ) in out
    assert "    main: nothing  at main:study/s_37.md:118 (no trace)" in out
    assert "probably one code: main pub_sub ~ coder-b pubsub (identifiers 1 letter apart)" in out


def test_agree_command_json_and_html(repository, capsys, tmp_path):
    assert main(["agree", "main:study/", "coder-b:study/", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["compared_quotes"] == 46 and data["uncoded_quotes_left_out"] == 13
    assert data["overall"]["quotes"] == 46
    assert math.isclose(data["overall"]["percent_agreement"], 100 * 29 / 46)
    k8s = next(row for row in data["codes"] if row["code"] == "k8s")
    assert k8s["applied"] == {"main": 8, "coder-b": 14} and k8s["quotes"] == 46
    first = data["disagreements"][0]
    assert first["codings"]["coder-b"]["where"] == "coder-b:study/s_43.md:36"
    assert first["disputed"][0] == {"code": "unified_batch_stream", "applied_by": ["main"]}
    page = tmp_path / "agreement.html"
    assert main(["agree", "main:study/", "coder-b:study/", "-o", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<style>" in text
    assert "src=" not in text and "http" not in text.split("</style>")[0]  # self-contained
    assert "<h2>Disagreements (17)</h2>" in text
    assert "coder-b:study/s_43.md:36 (trace 63)" in text
    assert "left out of every figure" in text


def test_agree_command_errors_are_one_line(repository, capsys):
    assert main(["agree", "nobranch:study/", "coder-b:study/"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("jupyter-coding agree: nobranch:study/: neither a file or folder")
    assert error.count("\n") == 1 and "Traceback" not in error
    assert main(["agree", "main:study/"]) == 2
    assert "give two versions" in capsys.readouterr().err


def test_a_folder_and_a_revision_and_a_single_file(repository):
    # the work tree (main) against coder B's branch: the same comparison
    versions = read_versions(["study", "coder-b:study/s_43.md"])
    assert versions[0].prefix == "study/" and versions[0].root == Path("study")
    assert versions[1].files.keys() == {"s_43.md"} and versions[1].single_file
    comparison = compare_versions(versions)
    assert len(comparison.disagreements) == 7  # s_43's six and one
    # the work tree's coded quotes of s_35 (19) and s_37 (10) are in no other version
    assert comparison.unmatched == {"study": 29, "coder-b": 0}
    assert read_version("study/s_43.md").files.keys() == {"s_43.md"}
    with pytest.raises(FieldNotesError, match="neither a file or folder nor a git revision"):
        read_version("main:nowhere/")


def test_report_helpers():
    assert shorten("a  b\n c") == "a b c"
    long = "word " * 40
    assert shorten(long, 20) == "word word word word…"


def test_text_and_html_say_so_when_there_is_nothing_to_compare(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        shutil.copy(CORPUS / "s_43.md", tmp_path / name / "s_43.md")
    comparison = compare_versions(read_versions([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert comparison.overall.percent_agreement == 100 and not comparison.disagreements
    assert "the coders have the same codes, defined alike" in text_report(comparison)
    assert "<p>None.</p>" in html_page(comparison)
    assert as_dict(comparison)["disagreements"] == []


# -- the magic ---------------------------------------------------------------------------------


def test_coding_agreement_magic_links_to_the_cells(repository):
    from jupyter_coding.kernel.testing import coding_shell

    notebook = repository / "study" / "s_43.ipynb"
    notebook.write_text(
        notebook_json(to_notebook(read(repository / "study" / "s_43.md"))), encoding="utf-8"
    )
    with coding_shell(repository / "study") as shell:
        view = shell.run_line_magic("coding_agreement", "coder-b:study/")
        page = view._repr_html_()
        assert view.comparison.names == ["study", "coder-b"]
        assert len(view.comparison.disagreements) == 17
        # the work tree's quote at s_43.md:36 is the notebook cell jc-1's ... of s_43.ipynb
        assert '<a href="study/s_43.ipynb#cell-id=' in page
        assert "coder-b:study/s_43.md:36 (trace 63)</span>" in page  # a revision: no link
        assert repr(view).startswith("Agreement of 2 coders: study (")
        with pytest.raises(UsageError, match="neither a file or folder"):
            shell.run_line_magic("coding_agreement", "nobranch:study/ coder-b:study/")
    assert "coding_agreement" not in shell.magics_manager.magics["line"]
