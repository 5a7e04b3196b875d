"""What the parser understands, checked on the real corpus and the seed."""

from __future__ import annotations

from collections import Counter

import pytest

from jupyter_coding.fieldnotes import (
    AxialTrace,
    CodingLine,
    Header,
    OpenTrace,
    Quote,
    Raw,
    SourceDefinition,
    parse,
    read,
)

from .conftest import CORPUS, corpus_files


@pytest.fixture(scope="module")
def corpus():
    return {path.name: read(path) for path in corpus_files()}


@pytest.fixture(scope="module")
def coded(corpus):
    """The 68 real sources (the empty template s_.md left out)."""
    return {name: notes for name, notes in corpus.items() if not notes.is_template}


def test_seed_structure(seed_path):
    notes = read(seed_path)
    assert notes.source_id == "s43"
    assert len(notes.quotes) == 17
    assert len([t for t in notes.open_traces if not t.template]) == 12
    assert len([t for t in notes.axial_traces if not t.template]) == 12
    assert len(notes.images) == 3
    assert [t.line for t in notes.open_traces if t.template] == [308]
    assert notes.to_text().endswith("```")  # no final newline


def test_seed_header_and_source_values(seed_path):
    notes = read(seed_path)
    header = notes.header
    assert isinstance(header, Header)
    assert header.lines[0] == "# s \n" and header.number == "43"
    assert [f.name for f in header.fields] == [
        "url",
        "tiny url",
        "archive url",
        "title",
        "source code",
        "example",
        "source type",
        "author type",
        "references",
    ]
    assert header.value("source type") == "Practitioner Audience Article"
    assert header.value("references") == ""
    source = notes.source
    assert isinstance(source, SourceDefinition)
    assert (source.var, source.name, source.variant) == ("s43", "s43", "B")
    # the seed's known slip: type and author type swapped, tiny url dropped
    assert source.values["type"] == "Practitioner"
    assert source.values["author type"] == "Practitioner Audience Article"
    assert "tiny url" not in source.values
    assert source.values["example"] is True and source.values["source code"] is False
    assert source.value_line("type") == 28


def test_seed_traces_as_data(seed_path):
    notes = read(seed_path)
    pairs = [(o, a) for o, a in notes.traces() if not (o and o.template)]
    assert len(pairs) == 12
    infrastructure = next(o for o, _ in pairs if o.line == 185)
    assert infrastructure.code_lists[0].prefix == "Familiar option"
    assert infrastructure.memo_codes == ["sql_layer", "data_catalogue"]
    axial = dict(pairs)[infrastructure]
    assert axial.attached == ["k8s"]
    block = axial.blocks[0]
    assert (block.role, block.target, block.label) == ("add_codes", "s43", "add codes to s43:")
    assert block.fence_open == "``` python \n" and block.fence_close == "```\n"
    cqrs = next(a for o, a in pairs if o.line == 234)
    assert cqrs.attached == ["cqrs", "data_marketplace"]


def test_corpus_totals_match_format_md(coded):
    """The measured totals of FORMAT.md §5.1 (templates left out)."""
    count = Counter()
    for notes in coded.values():
        count["quotes"] += len(notes.quotes)
        count["open"] += sum(not t.template for t in notes.open_traces)
        count["axial"] += sum(not t.template for t in notes.axial_traces)
        count["images"] += len(notes.images)
        count["attached"] += len(notes.attached)
        count["speaker_lines"] += sum(
            1
            for q in notes.quotes
            for line, _ in q.speaker_lines
            if notes.to_text().split("\n")[line - 1].lstrip().startswith(">")
        )
        count.update("def:" + d.metaclass for d in notes.definitions)
        count.update("rel:" + r.kind for r in notes.relations)
    assert count["quotes"] == 2522
    assert (count["open"], count["axial"]) == (277, 268)
    assert count["images"] == 198
    assert count["attached"] == 403
    assert count["speaker_lines"] == 671
    assert {k: v for k, v in count.items() if k.startswith("def:")} == {
        "def:force": 92,
        "def:pattern": 47,
        "def:practice": 41,
        "def:decision": 13,
    }
    assert {k: v for k, v in count.items() if k.startswith("rel:")} == {
        "rel:force": 194,
        "rel:decision_option": 67,
        "rel:link": 2,
        "rel:decision_link": 1,
    }
    defined = {d.identifier for n in coded.values() for d in n.definitions}
    assert len(defined) == 182


def test_every_file_has_header_and_source(corpus):
    for name, notes in corpus.items():
        assert isinstance(notes.blocks[0], Header), name
        assert notes.source is not None, name
        number = name[2:-3]
        assert notes.header.number == number, name
        if number:
            assert notes.source.name == notes.source_id == name[0] + number


def test_quirks(corpus):
    # `# coding` missing in two files
    assert {n for n, notes in corpus.items() if notes.coding_line is None} == {"s_42.md", "s_56.md"}
    # the body of s_15 starts with an empty open trace
    s15 = corpus["s_15.md"]
    first = s15.blocks[s15.blocks.index(s15.coding_line) + 1]
    assert isinstance(first, OpenTrace) and first.memo == ""
    # axial content under an open marker (s_42): its add-codes block still attaches codes
    s42 = corpus["s_42.md"]
    assert s42.open_traces[-1].blocks[0].role == "add_codes"
    assert "discoverability" in s42.codes_attached
    # a fence never closed at the end of s_9
    s9 = corpus["s_9.md"]
    assert s9.axial_traces[-1].blocks[-1].fence_close is None
    # the one unquoted paragraph
    raw = [(n, b.line) for n, notes in corpus.items() for b in notes.blocks if isinstance(b, Raw)]
    assert raw == [("p_5.md", 209)]
    # marker variants
    s2_open = {t.line: t.marker for t in corpus["s_2.md"].open_traces}
    assert s2_open[160] == "**OPEN CODING:**\n"
    assert {t.line: t.marker for t in corpus["s_4.md"].axial_traces}[115] == "**AXIAL CODING:**\n"
    p4 = corpus["p_4.md"]
    assert any(t.marker.startswith("> **OPEN CODING TRACE:**") for t in p4.open_traces)
    # identifiers with spaces are read as one code
    assert {"input ports", "output ports"} <= {u.identifier for u in p4.reused}
    # `very positive` with a space, and the malformed add_force_relations{(
    assert ("virtualisation", "data_integration_speed", "very positive") in {
        (r.source, r.target, r.value) for r in corpus["s_15.md"].relations
    }
    assert ("rest_apis", "addressible") in {
        (r.source, r.target) for r in corpus["s_5.md"].relations
    }
    # CClas( typo: still a definition, flagged malformed
    s20 = {d.identifier: d for d in corpus["s_20.md"].definitions}
    assert s20["conflicting_definitions"].malformed
    # the template is recognised, not counted as coding
    assert all(t.template for t in corpus["s_.md"].open_traces)
    assert corpus["s_39.md"].axial_traces[-1].template


def test_interview_speakers(corpus):
    p1 = corpus["p_1.md"]
    speakers = Counter(q.speaker for q in p1.quotes if q.speaker)
    assert set(speakers) == {"Interviewer", "Expert B"}
    assert p1.quotes[0].is_speaker_only or p1.quotes[1].is_speaker_only


def test_block_kinds_in_order(seed_path):
    notes = read(seed_path)
    kinds = [type(b) for b in notes.blocks[:5]]
    assert kinds == [Header, SourceDefinition, CodingLine, Quote, Quote]
    assert isinstance(notes.blocks[-1], AxialTrace)


def test_headerless_text_is_kept_as_blocks():
    notes = parse("\n\nsome text\n> a quote\n")
    assert notes.header is None
    assert [b.kind for b in notes.blocks] == ["blank", "raw", "quote"]


def test_add_codes_target_and_roles(corpus):
    labels = Counter(
        (b.role, b.target == corpus_name[:-3].replace("_", ""))
        for corpus_name, notes in corpus.items()
        if not notes.is_template
        for b in notes.python_blocks()
        if b.role == "add_codes"
    )
    # 10 labels in 3 files name another source (FORMAT.md §8.6), one more inside s_42's open trace
    assert labels[("add_codes", False)] == 10
    assert CORPUS.is_dir()


@pytest.mark.parametrize(
    "code",
    [
        "add_links(" + "[" * 5000 + "]" * 5000 + ")",
        "add_force_relations({" + "a: {" * 3000,
        "x = CClass(" + "(" * 5000,
        "'''" * 1001,
        "s = CClass(source, 's', values={" + "{" * 5000,
    ],
    ids=["deep-list", "deep-dict", "deep-call", "many-quotes", "deep-values"],
)
def test_hostile_python_is_read_without_crashing(code):
    text = "# s \n1\n## url\nx\n**AXIAL CODING TRACE**: source and references\n```python\n"
    text += (
        's1 = CClass(source, "s1", values={"title": '
        + code
        + "\n```\n\n# coding\n\n**AXIAL CODING TRACE:**\nadded:\n```python\n"
        + code
    )
    notes = parse(text)
    assert notes.to_text() == text
    assert notes.source is not None and isinstance(notes.source.values, dict)
    notes.definitions, notes.relations, notes.reused  # noqa: B018 - reading must not raise
