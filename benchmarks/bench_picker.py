"""Per-keystroke filtering in the code picker's logic, over 10,000 codes.

Run by hand: ``python benchmarks/bench_picker.py``. Target: under 10 ms per
keystroke (the query typed one letter at a time, as in the search box), worst
case included; also the first keystroke on a fresh index and the index build.
"""

from __future__ import annotations

import statistics
import time

from jupyter_coding.corpus import Codebook, Definition, FileCodes, Use
from jupyter_coding.widgets.picker_logic import CodeIndex, PickerState

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


if __name__ == "__main__":
    main()
