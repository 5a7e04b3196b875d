"""Parse and write back the corpus in one process: MB/s and peak memory.

Run by hand: ``python benchmarks/bench_parse.py``. For the real corpus (69 files)
and synthetic corpora 10x and 100x larger it prints the throughput of
``parse(text).to_text()`` on text already in memory (best of three runs), the
throughput including reading and decoding the files, and the peak RSS of the
process. Targets: at least 30 MB/s, linear growth, peak under 1 GB at 100x.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import CORPUS, synthesise

from jupyter_coding.fieldnotes import parse


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def round_trip_seconds(texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        if parse(text).to_text() != text:
            raise SystemExit("round trip failed")
    return time.perf_counter() - started


def with_io_seconds(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        if parse(data.decode("utf-8"), str(path)).to_text().encode("utf-8") != data:
            raise SystemExit(f"{path}: round trip failed")
    return time.perf_counter() - started


def main() -> None:
    files = sorted(CORPUS.glob("*.md"))
    print(
        f"{'corpus':>7} {'files':>6} {'MB':>7} {'in-memory MB/s':>15} "
        f"{'with I/O MB/s':>14} {'seconds':>8} {'peak RSS MB':>12}"
    )
    for copies in (1, 10, 100):
        with tempfile.TemporaryDirectory() as tmp:
            batch = files if copies == 1 else synthesise(Path(tmp), copies)
            texts = [path.read_bytes().decode("utf-8") for path in batch]
            megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
            del texts  # measure the parser's memory, not the benchmark's copy
            best = min(with_io_seconds(batch) for _ in range(3 if copies < 100 else 1))
            texts = [path.read_bytes().decode("utf-8") for path in batch]
            in_memory = min(round_trip_seconds(texts) for _ in range(3 if copies < 100 else 1))
            del texts
            print(
                f"{copies:>6}x {len(batch):>6} {megabytes:>7.1f} {megabytes / in_memory:>15.1f} "
                f"{megabytes / best:>14.1f} {best:>8.2f} {peak_rss_mb():>12.0f}"
            )


if __name__ == "__main__":
    main()
