"""Evidence for constant comparison: every quote of a code on demand, nearest and most varied
first, from other sources, with links to open them."""

from __future__ import annotations

import json
import re
import shutil
from contextlib import ExitStack
from pathlib import Path

import pytest

from jupyter_coding.cli import main as cli
from jupyter_coding.fieldnotes import read
from jupyter_coding.fieldnotes.reading import coding_traces
from jupyter_coding.kernel.testing import coding_shell, run_cell
from jupyter_coding.kernel.widgets.picker_html import detail_html
from jupyter_coding.kernel.widgets.picker_logic import quote_words, rank_evidence, word_overlap
from jupyter_coding.study import codebook as corpus
from jupyter_coding.study.codebook import EVIDENCE_PER_CODE, Codebook, Evidence

from .conftest import CORPUS, ROOT, corpus_files

LABELS = ROOT / "examples" / "labels_study"


def expected_evidence(folder: Path, identifier: str) -> list[tuple[str, int]]:
    """(file name, quote line) of every quote before a trace that applies ``identifier``."""
    found = []
    for path in sorted(folder.glob("*.md")):
        if path.name == "README.md":
            continue
        for trace in coding_traces(read(path)):
            if identifier in trace.applies:
                found += [(path.name, quote.line) for quote in trace.quotes]
    return sorted(found)


@pytest.fixture(scope="module")
def corpus_book() -> Codebook:
    corpus_files()
    return Codebook.load([CORPUS])


@pytest.mark.parametrize("identifier", ["data_catalogue", "k8s", "rest_apis"])
def test_all_the_quotes_of_a_code_on_demand(corpus_book, identifier):
    evidence = corpus_book.evidence(identifier)
    assert sorted((Path(e.path).name, e.quote_line) for e in evidence) == expected_evidence(
        CORPUS, identifier
    )
    assert len(corpus_book[identifier].evidence) <= EVIDENCE_PER_CODE  # what stays in memory
    assert all(e.text.strip() and e.source for e in evidence)


def test_the_second_dialect_on_demand():
    codebook = Codebook.load([LABELS])
    for identifier in codebook.codes:
        got = sorted((Path(e.path).name, e.quote_line) for e in codebook.evidence(identifier))
        assert got == expected_evidence(LABELS, identifier), identifier
    # s_4.md claims the id of s_3.md: its quotes are credited to s4, the file's own source
    sources = {Path(e.path).name: e.source for c in codebook.codes for e in codebook.evidence(c)}
    assert sources["s_4.md"] == "s4" and sources["s_3.md"] == "s3"


def test_memory_stays_bounded(monkeypatch):
    monkeypatch.setattr(corpus, "EVIDENCE_FILES_CACHED", 3)
    codebook = Codebook.load([CORPUS])
    evidence = codebook.evidence("data_catalogue")
    assert len({e.path for e in evidence}) > 3  # read from more files than are kept
    assert len(codebook._traces) <= 3
    assert sorted((Path(e.path).name, e.quote_line) for e in evidence) == expected_evidence(
        CORPUS, "data_catalogue"
    )


def quote(path: str, line: int, text: str, source: str | None = None) -> Evidence:
    return Evidence(path, source or Path(path).stem.replace("_", ""), line, line + 2, text)


def test_ranking_varied_then_nearest():
    own = ["Reviewers rotate weekly so the review load is shared across maintainers."]
    evidence = [
        quote("s_1.md", 10, "Our weekly review rotation shares the load across maintainers."),
        quote("s_1.md", 20, "Reviewers rotate weekly; the load is shared by maintainers."),
        quote("s_2.md", 5, "The build server is slow on Mondays."),
        quote("s_3.md", 7, "Maintainers share review load through a weekly rota."),
        quote("s_9.md", 3, "A quote of the cell's own file, which is no evidence here."),
    ]
    ranked = rank_evidence(evidence, own, exclude_path="s_9.md")
    names = [(Path(q.path).name, q.line) for q in ranked]
    # every source once before any source twice; within a round, most shared words first
    assert names[:3] == [("s_1.md", 20), ("s_3.md", 7), ("s_2.md", 5)]
    assert names[3:] == [("s_1.md", 10)]
    assert ranked[0].overlap > ranked[1].overlap > ranked[2].overlap == 0
    # without a quote of its own: coding order, still one per source first
    plain = rank_evidence(evidence, exclude_source="s9")
    assert [(Path(q.path).name, q.line) for q in plain] == [
        ("s_1.md", 10),
        ("s_2.md", 5),
        ("s_3.md", 7),
        ("s_1.md", 20),
    ]


def test_word_overlap_is_simple_and_symmetric():
    a, b = quote_words("The data catalogue lists datasets."), quote_words("datasets in a catalogue")
    assert a == {"data", "catalogue", "lists", "datasets"}
    assert word_overlap(a, b) == word_overlap(b, a) == 2 / 4
    assert word_overlap(a, frozenset()) == 0


@pytest.fixture
def study_session(tmp_path):
    """The corpus with a notebook per file, and a shell that runs s_43.ipynb."""
    corpus_files()
    study = tmp_path / "corpus"
    study.mkdir()
    for path in CORPUS.glob("*.md"):
        shutil.copyfile(path, study / path.name)
    assert cli(["to-notebook", "-q", str(study / "s_43.md"), str(study / "s_37.md")]) == 0
    with ExitStack() as stack:
        shell = stack.enter_context(coding_shell())
        shell.user_ns["__session__"] = str(study / "s_43.ipynb")
        magics = shell.magics_manager.registry["CodingMagics"]
        # the defaults, whatever %config other tests ran on this (singleton) shell
        magics.study = magics.source_id = ""
        magics.show_picker, magics.unknown_codes = True, "warning"
        stack.callback(shell.user_ns.pop, "__session__", None)
        yield study, shell


def test_the_picker_shows_quotes_of_other_sources_nearest_first(study_session):
    study, shell = study_session
    cells = json.loads((study / "s_43.ipynb").read_text(encoding="utf-8"))["cells"]
    trace = next(c for c in cells if "Familiar option: k8s\n" in "".join(c["source"]))
    result, _, _ = run_cell(shell, "".join(trace["source"]), cell_id=trace["id"])
    assert result.success
    state = shell.magics_manager.registry["CodingMagics"].pickers[("code", trace["id"])]
    # the quote this cell codes, from its file (s_43.md: "Infrastructure ... Kubernetes")
    assert len(state.own_quotes) == 1 and "Kubernetes" in state.own_quotes[0]
    detail = state.detail("k8s")
    names = [Path(q.path).name for q in detail.evidence]
    assert "s_43.md" not in names  # other sources only
    assert len(detail.evidence) == len(expected_evidence(study, "k8s")) - sum(
        1 for name, _ in expected_evidence(study, "k8s") if name == "s_43.md"
    )
    first_round = detail.evidence[: detail.evidence_sources]
    assert len({q.path for q in first_round}) == len(first_round)
    assert [q.overlap for q in first_round] == sorted(
        (q.overlap for q in first_round), reverse=True
    )
    assert first_round[0].overlap > 0
    # links: to the notebook cell where there is a notebook (s_37), else to the file
    page = detail_html(state.detail("data_catalogue"), 50, state_link(shell))
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert any(re.fullmatch(r"s_37\.ipynb#cell-id=jc-\d+", h) for h in hrefs), hrefs
    assert any(re.fullmatch(r"s_\d+\.md", h) for h in hrefs), hrefs
    assert all(not h.startswith("/") for h in hrefs)  # relative to the notebook's folder
    cell_id = next(h for h in hrefs if h.startswith("s_37.ipynb")).split("=")[1]
    shown = next(
        c for c in json.loads((study / "s_37.ipynb").read_text())["cells"] if c["id"] == cell_id
    )
    quoted = next(q for q in state.detail("data_catalogue").evidence if q.path.endswith("s_37.md"))
    assert quoted.text[:40] in " ".join("".join(shown["source"]).lstrip("> ").split())


def state_link(shell):
    """The link function the magic gives its pickers."""
    from jupyter_coding.kernel.links import Linker

    notebook = shell.magics_manager.registry["CodingMagics"].context().notebook
    return Linker(notebook.parent).link_to


def test_more_evidence_pages_through_the_quotes(study_session):
    _, shell = study_session
    run_cell(shell, "%code_picker data_catalogue", cell_id="p1")
    picker_state = shell.magics_manager.registry["CodingMagics"].pickers[("picker", "p1")]
    from jupyter_coding.kernel.widgets.picker import CodePicker

    picker = CodePicker(picker_state)
    assert picker.expanded  # a query given: open at once
    assert picker.detail_html.count('class="jc-evidence"') == 3
    picker.more_button.click()
    assert picker.detail_html.count('class="jc-evidence"') == 6
    picker.down_button.click()  # another code: back to the first few
    assert picker.detail_html.count('class="jc-evidence"') <= 3


def test_words_most_quotes_share_do_not_make_a_quote_near():
    own = ["Data pipelines run on Kubernetes, managed by a platform team."]
    evidence = [
        quote("s_1.md", 1, "Data data data everywhere in the data lake."),
        quote("s_2.md", 1, "Data owners publish data."),
        quote("s_3.md", 1, "Our data runs in containers on Kubernetes clusters."),
        quote("s_4.md", 1, "Data contracts describe data."),
    ]
    ranked = rank_evidence(evidence, own)
    assert Path(ranked[0].path).name == "s_3.md" and ranked[0].overlap > 0
    assert [q.overlap for q in ranked[1:]] == [0, 0, 0]  # "data" alone: not near


def test_a_pervasive_code_reads_a_spread_of_its_files(corpus_book, monkeypatch):
    """A code thousands of files apply would take seconds: a few files, spread evenly."""
    from jupyter_coding.kernel.widgets import picker_logic
    from jupyter_coding.kernel.widgets.picker_logic import PickerState

    every = corpus_book.evidence("data_catalogue")
    files = list(dict.fromkeys(e.path for e in every))
    assert len(files) == 23
    some = corpus_book.evidence("data_catalogue", max_files=4)
    read = list(dict.fromkeys(e.path for e in some))
    assert len(read) == 4 and read[0] == files[0] and files.index(read[-1]) >= 15
    assert all(e in every for e in some)
    monkeypatch.setattr(picker_logic, "EVIDENCE_FILES_READ", 4)
    detail = PickerState(corpus_book).detail("data_catalogue")
    assert (detail.files_read, detail.files_applying) == (4, 23)
    assert "(from 4 of the 23 files that apply it, spread over the study)" in detail_html(detail)
