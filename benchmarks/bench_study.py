"""check, codebook and report over the corpus and a 100x synthetic corpus: time and memory.

Run by hand: ``python benchmarks/bench_study.py [COPIES ...]`` (default ``1 100``).
Each command runs as ``jupyter-coding`` does, in a fresh Python process, so the
times include start-up and imports; the peak RSS is that process's own.

Targets: the 69-file corpus checked in under 1 s including start-up; the 100x
corpus (6,800 files, about 139 MB) checked, its codebook and report made, each
in under 60 s and under 1 GB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import CORPUS, synthesise


def run(argv: list[str]) -> tuple[float, float, float, int]:
    """(seconds, CPU seconds, peak RSS in MB, exit code) of one command in a fresh process.

    CPU seconds (user + system) say more than the wall clock on a busy machine.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_coding.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


def main(copies_list: list[int]) -> None:
    header = f"{'corpus':>7} {'files':>6} {'MB':>6}  {'command':<9} {'seconds':>8}"
    print(f"{header} {'CPU s':>7} {'peak RSS MB':>12}")
    for copies in copies_list:
        with tempfile.TemporaryDirectory() as tmp:
            folder = CORPUS if copies == 1 else Path(tmp) / "study"
            if copies != 1:
                synthesise(folder, copies)
            files = sorted(folder.glob("*.md"))
            megabytes = sum(path.stat().st_size for path in files) / 1e6
            commands = {
                "check": ["check", str(folder)],
                "codebook": ["codebook", str(folder), "--format", "csv", "-o", f"{tmp}/c.csv"],
                "report": ["report", str(folder), "-o", f"{tmp}/report.html"],
            }
            for name, argv in commands.items():
                repeats = 3 if copies == 1 else 1
                results = [run(argv) for _ in range(repeats)]
                seconds = min(r[0] for r in results)
                cpu = min(r[1] for r in results)
                peak = max(r[2] for r in results)
                code = results[0][3]
                expected = 1 if name == "check" else 0  # the corpus has findings
                flag = "" if code == expected else f"  (exit {code}!)"
                print(
                    f"{copies:>6}x {len(files):>6} {megabytes:>6.1f}  {name:<9} "
                    f"{seconds:>8.2f} {cpu:>7.2f} {peak:>12.0f}{flag}"
                )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1, 100])
