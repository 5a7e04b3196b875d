"""JC5xx: the work of several coders (disagreements a merge marked for discussion)."""

from __future__ import annotations

from collections.abc import Iterator

from jupyter_coding.fieldnotes import (
    AxialTrace,
    OpenTrace,
)
from jupyter_coding.fieldnotes.reading import (
    coding_traces,
)
from jupyter_coding.study.checks.facts import FileContext
from jupyter_coding.study.checks.registry import example, new_finding, rule, seed_trace, source_file
from jupyter_coding.study.findings import Finding


@rule(
    "JC501",
    "coder-disagreement",
    "file",
    examples=(
        example(
            source_file(
                "s1",
                seed_trace("q", "Familiar option: ci_cd", attached=("ci_cd",))
                + "**CODERS DISAGREE:** ann above, bo below: discuss\n"
                + seed_trace("q", "Familiar option: trunk", attached=("trunk",)),
            )
        ),
    ),
)
def _coder_disagreement(file: FileContext) -> Iterator[Finding]:
    """Two coders coded the same quotes differently: a merge marked it for discussion.

    A ``**CODERS DISAGREE:**`` marker a merge of two coders left; the finding names the
    quotes, what each coder applies, and where.
    """
    from jupyter_coding.fieldnotes import Disagreement  # written by jupyter_coding.study.coders

    blocks = file.notes.blocks
    trace_of = {id(part): trace for trace in coding_traces(file.notes) for part in trace.parts}

    def traces_from(index: int, step: int) -> list:
        found: list = []
        while 0 <= index < len(blocks) and isinstance(blocks[index], (OpenTrace, AxialTrace)):
            trace = trace_of.get(id(blocks[index]))
            if trace is not None and trace not in found:
                found.append(trace)
            index += step
        return found[::step]

    for index, marker in enumerate(blocks):
        if not isinstance(marker, Disagreement):
            continue
        sides = [
            (marker.above or "the coder above", traces_from(index - 1, -1)),
            (marker.below or "the coder below", traces_from(index + 1, 1)),
        ]
        quotes = sorted({q.line for _, traces in sides for t in traces for q in t.quotes})
        what = [
            f"{name} applies "
            + (", ".join(dict.fromkeys(c for t in traces for c in t.applies)) or "nothing")
            + (f" (line {traces[0].line})" if traces else " (no trace)")
            for name, traces in sides
        ]
        where = ", ".join(map(str, quotes)) or "none"
        yield new_finding(
            "JC501",
            file.path,
            marker.line,
            1,
            f"open disagreement on the quote{'s' * (len(quotes) != 1)} at line"
            f"{'s' * (len(quotes) != 1)} {where}: {'; '.join(what)}; discuss, keep one "
            "coding (or merge the two) and delete the marker",
        )
