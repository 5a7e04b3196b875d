"""Times of the notebook side: ``%load_ext``, loading the corpus codebook, completion.

Run by hand: ``python benchmarks/bench_magic.py``. Targets: corpus load under 200 ms,
a completion after ``%%code`` with 10,000 codes in the codebook under 20 ms,
``%load_ext jupyter_coding`` under 300 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "data_as_a_product"

LOAD_EXT = """
import time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
started = time.perf_counter()
shell.run_line_magic("load_ext", "jupyter_coding")
print(time.perf_counter() - started)
"""


def load_ext_seconds() -> float:
    """``%load_ext`` in a fresh interpreter (imports included), median of 5."""
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", LOAD_EXT], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def corpus_load_seconds() -> float:
    """A cold codebook of the 69 corpus files (modules already imported), median of 5."""
    from jupyter_coding.study.codebook import Codebook

    runs = []
    for _ in range(5):
        started = time.perf_counter()
        codebook = Codebook.load([CORPUS])
        len(codebook.codes)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def completion_seconds(code_count: int = 10_000) -> tuple[float, float]:
    """Median and worst of completions through IPython's completer, 10,000 codes."""
    from IPython.core.completer import provisionalcompleter
    from IPython.core.interactiveshell import InteractiveShell

    from jupyter_coding.study.codebook import Codebook, Definition, FileCodes, Use

    words = ["data", "product", "catalogue", "mesh", "domain", "stream", "quality", "owner"]
    items = FileCodes("synthetic.md", "s1")
    for number in range(code_count):
        name = f"{words[number % 8]}_{words[(number // 8) % 8]}_{number}"
        metaclass = ("practice", "force", "pattern", "decision")[number % 4]
        items.definitions.append(Definition(name, metaclass, name, "synthetic.md", 1, "s1"))
        items.uses += [Use(name, "attached", "synthetic.md", 1, "s1")] * (number % 7)
    codebook = Codebook.from_file_codes([items])
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_coding")
    magics = shell.magics_manager.registry["CodingMagics"]
    magics.codebook = lambda: codebook  # the synthetic study instead of a folder
    runs = []
    with provisionalcompleter():
        for prefix in ["", "d", "da", "data_", "qual", "stream_o", "owner_mesh_1", "zzz"] * 3:
            text = f"%%code\nfamiliar: k8s, {prefix}"
            started = time.perf_counter()
            list(shell.Completer.completions(text, len(text)))
            runs.append(time.perf_counter() - started)
    return statistics.median(runs[8:]), max(runs[8:])  # first round warms caches


def main() -> None:
    print(f"%load_ext jupyter_coding (fresh process): {load_ext_seconds() * 1000:7.1f} ms")
    print(f"corpus codebook load (69 files):          {corpus_load_seconds() * 1000:7.1f} ms")
    median, worst = completion_seconds()
    print(f"completion, 10,000 codes: median          {median * 1000:7.1f} ms")
    print(f"completion, 10,000 codes: worst           {worst * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
