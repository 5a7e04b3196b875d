"""Edits change only their part; what they write is in the seed's layout."""

from __future__ import annotations

import difflib

import pytest

from jupyter_coding.fieldnotes import FieldNotesError, parse, read
from jupyter_coding.fieldnotes.canonical import Trace
from jupyter_coding.fieldnotes.edit import (
    delete_trace,
    insert_trace,
    replace_block_text,
    set_attached_codes,
    set_header_value,
    set_memo_codes,
)

from .conftest import read_exact


def diff(before: str, after: str) -> list[str]:
    """Changed lines only, as ``-old`` / ``+new``."""
    return [
        line
        for line in difflib.unified_diff(before.split("\n"), after.split("\n"), n=0, lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.fixture
def seed(seed_path):
    return read(seed_path)


def test_insert_trace_after_quote_in_seed_layout(seed):
    before = seed.to_text()
    quote = seed.quotes[1]
    trace = Trace(
        code_lists=[("Familiar option", ["k8s", "data_catalogue"])],
        definitions=[("platform_team", "force", "Platform Team")],
        relations=[("force", "k8s", "platform_team", "positive")],
        attached=["k8s", "data_catalogue"],
        target="s43",
    )
    after = insert_trace(seed, quote, trace).to_text()
    assert diff(before, after) == [
        "+**OPEN CODING TRACE:**",
        "+",
        "+Familiar option: k8s, data_catalogue",
        "+",
        "+**AXIAL CODING TRACE:**",
        "+",
        "+added:",
        "+``` python ",
        '+    platform_team = CClass(force, "Platform Team")',
        "+    add_force_relations({k8s: {platform_team: positive}})",
        "+```",
        "+",
        "+add codes to s43: ",
        "+``` python ",
        "+    '''",
        "+        k8s,",
        "+        data_catalogue",
        "+    '''",
        "+```",
        "+",
    ]
    # the new text sits right after the quote and before the next one
    assert after.index("Familiar option: k8s") > after.index(quote.text)
    assert after.index("Familiar option: k8s") < after.index("> Before we start")


def test_inserted_trace_matches_seed_bytes(seed):
    """A trace written by the tool is byte-identical to the researcher's own."""
    original_open, original_axial = next(iter(seed.traces()))
    quote = seed.quotes[2]
    trace = Trace(
        code_lists=[("Familiar option", ["single_subscription_separate_workspace_per_domain"])],
        attached=["single_subscription_separate_workspace_per_domain"],
        target="s43",
    )
    after = insert_trace(seed, quote, trace)
    new_open, new_axial = next((o, a) for o, a in after.traces() if o.line > quote.line)
    assert new_open.text == original_open.text
    assert new_axial.text == original_axial.text


def test_insert_at_end_without_final_newline():
    notes = parse("# s \n1\n## url\nx\n\n# coding\n\n> last quote")
    after = insert_trace(notes, notes.quotes[-1], Trace(code_lists=[("New option", ["a"])]))
    assert after.to_text() == (
        "# s \n1\n## url\nx\n\n# coding\n\n> last quote\n\n**OPEN CODING TRACE:**\n\nNew option: a"
    )


def test_change_attached_codes_rewrites_only_the_list(seed):
    before = seed.to_text()
    axial = next(a for a in seed.axial_traces if a.attached == ["k8s"])
    after = set_attached_codes(seed, axial, ["k8s", "infrastructure_as_code"]).to_text()
    assert diff(before, after) == [
        "-        k8s",
        "+        k8s,",
        "+        infrastructure_as_code",
    ]


def test_change_memo_codes(seed):
    before = seed.to_text()
    trace = next(t for t in seed.open_traces if t.line == 185)
    after = set_memo_codes(seed, trace, ["k8s"]).to_text()
    assert diff(before, after) == [
        "-Familiar option: sql_layer, data_catalogue",
        "+Familiar option: k8s",
    ]


def test_delete_trace(seed):
    before = seed.to_text()
    first_open = seed.open_traces[0]
    after = delete_trace(seed, first_open).to_text()
    removed = diff(before, after)
    assert all(line.startswith("-") for line in removed)
    assert len(removed) == 13
    assert removed[0] == "-**OPEN CODING TRACE:**" and removed[-1] == "-"
    assert len(parse(after).open_traces) == len(seed.open_traces) - 1


def test_change_header_value_updates_source_definition(seed):
    before = seed.to_text()
    after = set_header_value(seed, "title", "Data as a product at Adevinta").to_text()
    assert diff(before, after) == [
        "-Treating data as a product at Adevinta",
        "+Data as a product at Adevinta",
        '-    "title": "Treating data as a product at Adevinta",',
        '+    "title": "Data as a product at Adevinta",',
    ]
    after = set_header_value(seed, "source code", "yes").to_text()
    assert diff(before, after) == [
        "-no",
        "+yes",
        '-    "source code": False})',
        '+    "source code": True})',
    ]


def test_change_header_value_alone(seed):
    before = seed.to_text()
    after = set_header_value(seed, "title", "New", update_source=False).to_text()
    assert diff(before, after) == ["-Treating data as a product at Adevinta", "+New"]


def test_header_errors(seed):
    with pytest.raises(FieldNotesError, match="no header field 'titel'"):
        set_header_value(seed, "titel", "x")
    with pytest.raises(FieldNotesError, match="must be one line"):
        set_header_value(seed, "title", "a\nb")


def test_replace_block_keeps_everything_else(seed_path):
    notes = read(seed_path)
    quote = notes.quotes[0]
    after = replace_block_text(notes, quote, "> Treating data as a product at Adevinta!\n")
    assert diff(read_exact(seed_path), after.to_text()) == [
        "-> Treating data as a product at Adevinta",
        "+> Treating data as a product at Adevinta!",
    ]


def test_edits_on_every_corpus_file_change_only_their_part(corpus_dir):
    """Rewriting each trace's codes with the codes it already has changes no byte."""
    for path in sorted(corpus_dir.glob("*.md")):
        notes = read(path)
        text = notes.to_text()
        for axial in notes.axial_traces:
            blocks = [b for b in axial.blocks if b.role == "add_codes"]
            if axial.template or not blocks:
                continue
            edited = set_attached_codes(notes, axial, ["x_code"]).to_text()
            changed = diff(text, edited)
            assert "+        x_code" in changed, (path.name, axial.line)
            assert all(line.startswith(("-", "+")) for line in changed)
            # every removed line is from that add-codes block
            start = blocks[0].line
            end = blocks[0].code_line + len(blocks[0].code_lines)
            old_lines = text.split("\n")
            removed = [line[1:] for line in changed if line.startswith("-")]
            assert set(removed) <= set(old_lines[start - 1 : end + 1]), (path.name, axial.line)


def test_attached_codes_in_a_list_with_definitions_keep_them(corpus_dir):
    """s_15: an add-codes ''' list that also defines a force and relates codes."""
    notes = read(corpus_dir / "s_15.md")
    axial = next(a for a in notes.axial_traces if a.line == 295)
    codes = [code for code in axial.attached if code != "cache"] + ["new_code"]
    after = set_attached_codes(notes, axial, codes).to_text()
    assert diff(notes.to_text(), after) == ["-        cache,", "+        new_code"]


def test_attached_codes_can_be_set_in_every_corpus_trace(corpus_dir):
    for path in sorted(corpus_dir.glob("*.md")):
        notes = read(path)
        for index, axial in enumerate(notes.axial_traces):
            if axial.template or not any(b.role == "add_codes" for b in axial.blocks):
                continue
            first = next(b for b in axial.blocks if b.role == "add_codes")
            wanted = [*(u.identifier for u in first.attached[1:]), "zz_new"]
            edited = set_attached_codes(notes, axial, wanted).axial_traces[index]
            edited_first = next(b for b in edited.blocks if b.role == "add_codes")
            assert {u.identifier for u in edited_first.attached} == set(wanted), path.name
            assert len(edited.definitions) == len(axial.definitions), (path.name, axial.line)
            assert len(edited.relations) == len(axial.relations), (path.name, axial.line)
