"""Per-keystroke filtering in the code picker's logic, over 10,000 codes.

Run by hand: ``python benchmarks/bench_picker.py``. Target: under 10 ms per
keystroke (the query typed one letter at a time, as in the search box), worst
case included; also the first keystroke on a fresh index and the index build.

Then the evidence of the highlighted code, read on demand (``Codebook.evidence``,
ranked by ``rank_evidence``) on the corpus and on a 100x copy (6,800 files): the
first time (files parsed) and again (from the bounded cache), with the peak memory
of the cache next to what keeping every quote of every code would hold.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from jupyter_coding.kernel.widgets.picker_logic import CodeIndex, PickerState
from jupyter_coding.study.codebook import Codebook, Definition, FileCodes, Use

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import CORPUS, synthesise

WORDS = ["data", "product", "catalogue", "mesh", "domain", "stream", "quality", "owner"]
# what researchers type: prefixes, words inside identifiers, labels, typos, no match
QUERIES = [
    "data_catalogue",
    "catalog",
    "quality owner",
    "mesh_do",
    "dtcatlg",
    "stream_product_12",
    "Owner Mesh",
    "zzzz",
]


def synthetic_codebook(code_count: int = 10_000) -> Codebook:
    """``code_count`` defined codes with labels, metaclasses and varied use counts."""
    items = FileCodes("synthetic.md", "s1")
    for number in range(code_count):
        first, second = WORDS[number % 8], WORDS[(number // 8) % 8]
        name = f"{first}_{second}_{number}"
        label = f"{first.capitalize()} {second.capitalize()} {number}"
        metaclass = ("practice", "force", "pattern", "decision")[number % 4]
        items.definitions.append(Definition(name, metaclass, label, "synthetic.md", 1, "s1"))
        items.uses += [Use(name, "attached", "synthetic.md", 1, "s1")] * (number % 7)
    return Codebook.from_file_codes([items])


def keystroke_times(state: PickerState, rounds: int = 3) -> list[float]:
    """Seconds per keystroke: each query typed letter by letter, then cleared."""
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                state.query = query[:end]
                times.append(time.perf_counter() - started)
            state.query = ""
    return times


def main() -> None:
    codebook = synthetic_codebook()
    len(codebook.codes)  # the codebook's own merge is not the picker's cost
    started = time.perf_counter()
    index = CodeIndex.from_codebook(codebook)
    build = time.perf_counter() - started
    state = PickerState(codebook, index=index)
    times = keystroke_times(state)
    cold = []
    for query in QUERIES:  # a pasted query: nothing to narrow from
        state.query = ""
        started = time.perf_counter()
        state.query = query
        cold.append(time.perf_counter() - started)
    print(f"codes: {len(index):,}; keystrokes timed: {len(times)}")
    print(f"index build:                    {build * 1000:7.2f} ms")
    print(f"per keystroke, median:          {statistics.median(times) * 1000:7.2f} ms")
    print(f"per keystroke, worst:           {max(times) * 1000:7.2f} ms  (target < 10 ms)")
    print(f"whole query at once, worst:     {max(cold) * 1000:7.2f} ms")


def evidence_figures(folder: Path, label: str) -> None:
    """The picker's detail of the 5 most used codes: first (files parsed), again (cached);
    then, in a second pass under tracemalloc (which slows everything), the memory."""
    own = ["The necessary pipelines to build the domain datasets run on Kubernetes."]

    def details(codebook: Codebook) -> tuple[list[float], int]:
        state = PickerState(codebook, own_quotes=own)
        times, quotes = [], 0
        for code in codebook.ranked()[:5]:
            started = time.perf_counter()
            detail = state.detail(code.identifier)
            times.append(time.perf_counter() - started)
            quotes = max(quotes, len(detail.evidence))
        return times, quotes

    codebook = Codebook.load([folder])
    first, quotes = details(codebook)
    again, _ = details(codebook)  # a fresh picker: the codebook's file cache is warm
    tracemalloc.start()
    measured = Codebook.load([folder])
    tracemalloc.reset_peak()
    loaded, _ = tracemalloc.get_traced_memory()
    details(measured)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label}: {len(codebook.files()):,} files; detail of the 5 most used codes "
        f"(up to {quotes:,} quotes ranked): first {max(first) * 1000:5.0f} ms worst, "
        f"again {max(again) * 1000:5.1f} ms worst; memory kept after "
        f"{(held - loaded) / 2**20:5.1f} MiB (peak {(peak - loaded) / 2**20:5.1f} MiB)"
    )


if __name__ == "__main__":
    main()
    evidence_figures(CORPUS, "corpus")
    with tempfile.TemporaryDirectory() as folder:
        synthesise(Path(folder), 100)
        evidence_figures(Path(folder), "100x corpus")
