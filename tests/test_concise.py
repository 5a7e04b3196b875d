"""The concise %%code form, written as the seed's canonical trace."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jupyter_coding.fieldnotes import parse, read
from jupyter_coding.fieldnotes.canonical import Trace, render_trace
from jupyter_coding.fieldnotes.concise import ConciseSyntaxError, is_concise, read_concise


def test_issue_example_renders_canonically():
    trace = read_concise(
        "memo: Infrastructure runs on Kubernetes, managed by a platform team.\n"
        "familiar: k8s, infrastructure_as_code\n"
        'new: platform_team = CClass(force, "Platform Team")\n'
        "relate: k8s -> platform_team: positive\n",
        target="s43",
    )
    open_text, axial_text = render_trace(trace)
    assert open_text == (
        "**OPEN CODING TRACE:**\n\n"
        "Infrastructure runs on Kubernetes, managed by a platform team.\n\n"
        "Familiar option: k8s, infrastructure_as_code\n\n"
        "New force: platform_team\n"
    )
    assert axial_text == (
        "**AXIAL CODING TRACE:**\n\n"
        "added:\n``` python \n"
        '    platform_team = CClass(force, "Platform Team")\n'
        "    add_force_relations({k8s: {platform_team: positive}})\n"
        "```\n\n"
        "add codes to s43: \n``` python \n    '''\n"
        "        k8s,\n        infrastructure_as_code,\n        platform_team\n"
        "    '''\n```\n"
    )


def test_seed_trace_in_concise_form_is_byte_identical(seed_path):
    notes = read(seed_path)
    open_trace, axial = next(iter(notes.traces()))
    open_text, axial_text = render_trace(
        read_concise("familiar: single_subscription_separate_workspace_per_domain", "s43")
    )
    assert open_text == open_trace.text and axial_text == axial.text


def test_all_keywords():
    trace = read_concise(
        "# a comment\n\n"
        'define: d = CClass(decision, "Which?")\n'
        'option: d -> k8s: "Use Kubernetes"\n'
        "link: a -> b: uses\n"
        "reuse: x, y\n"
        "attach: z\n"
        "target: s9\n"
        "relate: a -> b\n"
    )
    assert trace.definitions == [("d", "decision", "Which?")]
    assert trace.relations == [
        ("decision_option", "d", "k8s", "Use Kubernetes"),
        ("link", "a", "b", "uses"),
        ("force", "a", "b", "positive"),
    ]
    assert (trace.reused, trace.attached, trace.target) == (["x", "y"], ["z"], "s9")
    assert trace.code_lists == []
    # and the rendered text reads back as the same facts
    open_text, axial_text = render_trace(trace)
    notes = parse(open_text + "\n" + axial_text)
    assert [(r.kind, r.source, r.target, r.value) for r in notes.relations] == [
        ("force", "a", "b", "positive"),
        ("decision_option", "d", "k8s", "Use Kubernetes"),
        ("link", "a", "b", "uses"),
    ]
    assert notes.codes_attached == ["z"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("familar: a", "<text>:1: expected 'keyword: value'"),
        ("familiar: a b", "'a b' is not a code identifier"),
        ("new: x = CClass(force)", 'expected identifier = CClass(metaclass, "Label")'),
        ("relate: a => b", "relate: expected practice -> force: positive"),
        ("memo: ok\nrelate: a -> b: great", "<text>:2: relate: 'great' is not one of"),
    ],
)
def test_errors_name_the_line(text, message):
    with pytest.raises(ConciseSyntaxError) as caught:
        read_concise(text)
    assert message in str(caught.value)


def test_detection():
    assert is_concise("\n# note\nfamiliar: a\n")
    assert not is_concise("**OPEN CODING TRACE:**\n\nFamiliar option: a\n")
    assert not is_concise("Familiar option: a")  # memo text, not a keyword
    assert not is_concise("")


identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)


@given(st.lists(identifiers, min_size=1, max_size=6, unique=True), identifiers)
def test_rendered_concise_reads_back(codes, target):
    trace = read_concise("familiar: " + ", ".join(codes), target=target)
    open_text, axial_text = render_trace(trace)
    notes = parse(open_text + "\n" + axial_text)
    ((open_trace, axial),) = list(notes.traces())
    assert open_trace.memo_codes == codes
    assert axial.attached == codes
    assert axial.blocks[0].target == target
    assert isinstance(trace, Trace)
