"""Reports: the data functions exactly on a small study, spot values on the corpus,
the codebook command and the self-contained HTML report."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.study import reports
from jupyter_coding.study.codebook import Codebook

from .conftest import CORPUS
from .study_fixtures import source_text, trace, write

S1 = trace(
    "Reviews take long.",
    "New options: two_stage_review, review_latency",
    'two_stage_review = CClass(pattern, "Two-Stage Review")\n'
    'review_latency = CClass(force, "Review latency")\n'
    "add_force_relations({two_stage_review: {review_latency: positive}})",
    ["two_stage_review"],
    "s1",
)
S2 = trace(
    "A bot labels pull requests.",
    "Familiar options: two_stage_review, bot_review",
    attached=["two_stage_review", "bot_review"],
    target="s2",
) + trace(
    "Triagers filter first.",
    "New option: review_decision",
    'review_decision = CClass(decision, "How to review?")\n'
    'add_decision_option_link(review_decision, two_stage_review, "Triage first")',
    ["two_stage_review"],
    "s2",
)
S10 = trace(
    "Bots are slow.",
    "Familiar options: bot_review, review_latency",
    attached=["bot_review", "review_latency"],
    target="s10",
)
P1 = "> Interviewer\n\n" + trace(
    "We pair on every review.", "New option: pair_review", attached=["pair_review"], target="p1"
)


@pytest.fixture
def small_study(tmp_path) -> Path:
    write(tmp_path, "s_1.md", source_text(1, S1))
    write(tmp_path, "s_2.md", source_text(2, S2))
    write(tmp_path, "s_10.md", source_text(10, S10))
    write(tmp_path, "p_1.md", source_text(1, P1, kind="p"))
    return tmp_path


def test_trace_codes_and_co_occurrence(small_study):
    study = reports.read_study([small_study])
    assert [(t.source, t.codes) for t in study.traces] == [
        ("p1", ("pair_review",)),
        ("s1", ("two_stage_review", "review_latency")),
        ("s10", ("bot_review", "review_latency")),
        ("s2", ("two_stage_review", "bot_review")),
        ("s2", ("review_decision", "two_stage_review")),
    ]
    # the speaker line "> Interviewer" is not the evidence of the interview's trace
    assert study.traces[0].quote == "We pair on every review."
    assert reports.co_occurrence(study) == {
        ("bot_review", "review_latency"): 1,
        ("bot_review", "two_stage_review"): 1,
        ("review_decision", "two_stage_review"): 1,
        ("review_latency", "two_stage_review"): 1,
    }


def test_code_frequencies(small_study):
    frequencies = reports.code_frequencies(reports.read_study([small_study]))
    assert [(f.identifier, f.metaclass, f.uses, f.sources) for f in frequencies] == [
        ("two_stage_review", "pattern", 3, 2),  # applied by 3 traces; its 2 relations apart
        ("bot_review", None, 2, 2),
        ("review_latency", "force", 2, 2),
        ("pair_review", None, 1, 1),
        ("review_decision", "decision", 1, 1),
    ]


def test_relation_graph(small_study):
    graph = reports.relation_graph(reports.read_study([small_study]))
    assert [(n.identifier, n.metaclass, n.column) for n in graph.nodes] == [
        ("review_decision", "decision", 0),
        ("review_latency", "force", 2),
        ("two_stage_review", "pattern", 1),
    ]
    assert [(e.source, e.target, e.kind, e.value, e.count) for e in graph.edges] == [
        ("review_decision", "two_stage_review", "decision_option", "Triage first", 1),
        ("two_stage_review", "review_latency", "force", "positive", 1),
    ]
    assert json.loads(json.dumps(graph.as_dict()))["edges"][1]["value"] == "positive"


def test_undefined_codes_stand_where_their_relations_put_them():
    notes = source_text(
        1,
        trace(
            "Q.",
            None,
            "add_force_relations({mystery_option: {mystery_force: negative}})\n"
            'add_decision_option_link(mystery_decision, other_option, "x")',
        ),
    )
    from jupyter_coding.fieldnotes import parse

    graph = reports.relation_graph(reports.Study.from_notes([parse(notes, "s_1.md")]))
    assert {n.identifier: n.column for n in graph.nodes} == {
        "mystery_decision": 0,
        "mystery_force": 2,
        "mystery_option": 1,
        "other_option": 1,
    }


def test_saturation_in_coding_order_and_in_path_order(small_study):
    study = reports.read_study([small_study])
    points = reports.saturation(study)
    # s1, s2, s10 numerically, then p1 (not the file names' order p_1, s_1, s_10, s_2)
    assert [(p.source, p.new_codes, p.total) for p in points] == [
        ("s1", ("two_stage_review", "review_latency"), 2),
        ("s2", ("bot_review", "review_decision"), 4),  # in the order the traces apply them
        ("s10", (), 4),
        ("p1", ("pair_review",), 5),
    ]
    given = [small_study / name for name in ("p_1.md", "s_10.md", "s_2.md", "s_1.md")]
    by_path = reports.saturation(reports.read_study(given, order="paths"))
    assert [(p.source, p.new) for p in by_path] == [("p1", 1), ("s10", 2), ("s2", 2), ("s1", 0)]
    explicit = reports.saturation(study, order=["s10", "s1"])
    assert [(p.source, p.new_codes) for p in explicit] == [
        ("s10", ("bot_review", "review_latency")),
        ("s1", ("two_stage_review",)),
    ]
    with pytest.raises(ValueError, match="order must be one of study, paths"):
        reports.read_study([small_study], order="alphabetical")


def test_codebook_entries(small_study):
    entries = {e.identifier: e for e in reports.codebook_entries(reports.read_study([small_study]))}
    assert list(entries) == [
        "review_decision",
        "review_latency",
        "two_stage_review",
        "bot_review",
        "pair_review",
    ]
    entry = entries["two_stage_review"]
    assert (entry.metaclass, entry.label, entry.definitions, entry.sources, entry.uses) == (
        "pattern",
        "Two-Stage Review",
        1,
        2,
        3,
    )
    assert entry.defined_at == f"{small_study / 's_1.md'}:46"
    assert entry.relations == (
        "-> review_latency (force: positive)",
        "<- review_decision (decision_option: Triage first)",
    )
    assert (entry.evidence.source, entry.evidence.quote_line, entry.evidence.text) == (
        "s1",
        36,
        "Reviews take long.",
    )
    undefined = entries["bot_review"]
    assert (undefined.metaclass, undefined.defined_at, undefined.evidence.source) == (
        None,
        None,
        "s2",
    )
    assert entries["pair_review"].evidence.text == "We pair on every review."


def test_codebook_entries_from_a_bare_codebook(small_study):
    entries = {e.identifier: e for e in reports.codebook_entries(Codebook.load([small_study]))}
    assert entries["two_stage_review"].evidence.text == "Reviews take long."
    assert entries["bot_review"].evidence.source == "s2"


# -- the codebook command -----------------------------------------------------------


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_codebook_command_formats(capsys, small_study, tmp_path):
    code, out, _ = run(capsys, "codebook", small_study)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("| code | metaclass | label | defined at |")
    assert lines[2].startswith("| review_decision | decision | How to review? |")
    assert len(lines) == 2 + 5
    code, out, _ = run(capsys, "codebook", small_study, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["code"] for row in rows][:3] == [
        "review_decision",
        "review_latency",
        "two_stage_review",
    ]
    assert rows[2]["relations"] == (
        "-> review_latency (force: positive); <- review_decision (decision_option: Triage first)"
    )
    assert rows[2]["first evidence"] == "Reviews take long."
    code, out, _ = run(capsys, "codebook", small_study, "--format", "json")
    data = json.loads(out)
    assert data[2]["identifier"] == "two_stage_review" and data[2]["evidence"]["quote_line"] == 36
    target = tmp_path / "out" / "codebook.md"
    target.parent.mkdir()
    code, out, err = run(capsys, "codebook", small_study, "-o", target)
    assert code == 0 and out == "" and "5 codes written" in err
    assert target.read_text(encoding="utf-8").startswith("| code |")


def test_codebook_markdown_escapes_pipes_and_shortens_quotes():
    from jupyter_coding.cli.codebook import render_markdown
    from jupyter_coding.study.codebook import Evidence

    entry = reports.CodebookEntry(
        "a|b", None, None, None, 0, 1, 1, (), Evidence("f.md", "s1", 3, 5, "word " * 100)
    )
    row = render_markdown([entry]).splitlines()[2]
    assert row.startswith("| a\\|b |") and "…" in row and len(row) < 260


# -- the real corpus ------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_study():
    return reports.read_study([CORPUS])


def test_corpus_spot_values(corpus_study):
    frequencies = reports.code_frequencies(corpus_study)
    # uses: the traces that apply a code (relation ends apart), as the codebook counts them
    assert (frequencies[0].identifier, frequencies[0].uses) == ("rest_apis", 26)
    assert frequencies[0].uses == corpus_study.codebook["rest_apis"].use_count
    points = reports.saturation(corpus_study)
    assert len(points) == 68 and points[0].source == "s1" and points[57].source == "p1"
    # 227 codes applied somewhere: the 230 distinct identifiers less three only related
    assert (points[0].new, points[-1].total) == (19, 227)
    assert sum(p.new for p in points) == 227
    pairs = reports.co_occurrence(corpus_study)
    assert next(iter(pairs.items())) == (
        ("derived_data_as_data_product", "raw_data_as_data_product"),
        10,
    )
    graph = reports.relation_graph(corpus_study)
    assert sum(edge.count for edge in graph.edges) == 264  # FORMAT.md §5.1: 264 relations
    entries = {e.identifier: e for e in reports.codebook_entries(corpus_study)}
    assert len(entries) == len(corpus_study.codebook.codes)
    quality = entries["quality"]
    assert (quality.label, quality.definitions) == ("Data Quality", 2)  # s6 before s31
    assert quality.defined_at.endswith("s_6.md:164")


def test_corpus_html_report_is_one_self_contained_file(corpus_study, tmp_path, capsys):
    target = tmp_path / "report.html"
    code, _, err = run(capsys, "report", CORPUS, "-o", target, "--title", "Data as a product")
    assert code == 0 and "report written" in err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<title>Data as a product</title>" in text
    for section in ("frequencies", "co-occurrence", "relations", "saturation"):
        assert f'<section id="{section}">' in text
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', text)
    assert len(images) == 4
    for image in images:
        assert b"<svg" in base64.b64decode(image)[:400]
    # nothing is fetched from elsewhere: no external scripts, styles or images
    assert not re.search(r"<script|<link|src=\"(?!data:)", text)
    assert "immutable_change_audit_log" in text


def test_report_without_matplotlib(capsys, small_study, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, _, err = run(capsys, "report", small_study, "-o", tmp_path / "r.html")
    assert code == 1
    assert err == (
        "jupyter-coding report: figures need matplotlib: pip install 'jupyter_coding[report]'\n"
    )
    assert not (tmp_path / "r.html").exists()
