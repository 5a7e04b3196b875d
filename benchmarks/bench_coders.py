"""How long ``agree`` and ``merge-coders`` take on the corpus and on a 10x corpus.

Coder A is the study as it is; coder B the same with the first trace of every
file changed (one code renamed), so every file has a disagreement to find, report
and mark. Both versions are folders on disk and also branches of a git repository
(``agree main:study/ coder-b:study/``), to show what reading from git costs.

    python benchmarks/bench_coders.py          # prints seconds per command and size
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import CORPUS, synthesise

# the first item of the first ``add codes to`` list of a file
FIRST_ITEM = re.compile(r"(add codes? to \w*:?[ \t]*\n``` ?python[ \t]*\n[ \t]*'''\n[ \t]*)(\w+)")


def coder_b(text: str) -> str:
    return FIRST_ITEM.sub(lambda m: m.group(1) + m.group(2) + "_b", text, count=1)


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "jupyter_coding.cli", *argv], cwd=cwd, capture_output=True
    )
    return time.perf_counter() - start


def main(copies_list: list[int]) -> None:
    print(f"{'files':>6} {'agree dirs':>11} {'agree git':>10} {'agree html':>11} {'merge':>7}")
    for copies in copies_list:
        with tempfile.TemporaryDirectory() as folder:
            repo = Path(folder)
            study = repo / "study"
            if copies == 1:
                study.mkdir()
                for path in sorted(CORPUS.glob("*.md")):
                    (study / path.name).write_bytes(path.read_bytes())
            else:
                synthesise(study, copies)
            other = repo / "study_b"
            other.mkdir()
            for path in sorted(study.glob("*.md")):
                (other / path.name).write_text(coder_b(path.read_text("utf-8")), "utf-8")
            git(repo, "init", "-q", "-b", "main")
            git(repo, "add", "study")
            git(repo, "commit", "-q", "-m", "a")
            git(repo, "checkout", "-q", "-b", "coder-b")
            for path in sorted(other.glob("*.md")):
                (study / path.name).write_bytes(path.read_bytes())
            git(repo, "commit", "-q", "-am", "b")
            git(repo, "checkout", "-q", "main")
            files = len(list(study.glob("*.md")))
            dirs = timed(["agree", "study", "study_b"], repo)
            revisions = timed(["agree", "main:study/", "coder-b:study/"], repo)
            page = timed(["agree", "study", "study_b", "-o", "agreement.html"], repo)
            merge = timed(["merge-coders", "study", "study_b", "-o", "merged"], repo)
            print(f"{files:>6} {dirs:>10.2f}s {revisions:>9.2f}s {page:>10.2f}s {merge:>6.2f}s")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1, 10])
