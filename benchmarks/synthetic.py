"""A larger study for scale tests: the corpus copied with renumbered source ids.

FORMAT.md §10: each copy gets new numbers (``s_58.md`` …) with the header number,
the source's ``CClass`` name and the ``add codes to sN`` labels changed to match,
so the quirks of the real files keep their rates.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "data_as_a_product"


def renumber(text: str, kind: str, old: str, new: str) -> str:
    """Give a field-notes text the id ``kind+new`` instead of ``kind+old``."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[1].strip() == old:
        lines[1] = lines[1].replace(old, new, 1)
    text = "\n".join(lines)
    text = re.sub(
        rf'\b{kind}{old} = CClass\(source, "{kind}{old}"',
        f'{kind}{new} = CClass(source, "{kind}{new}"',
        text,
    )
    return re.sub(rf"(?i)(add codes? to ){kind}{old}\b", rf"\g<1>{kind}{new}", text)


def synthesise(target: Path, copies: int, corpus: Path = CORPUS) -> list[Path]:
    """Write ``copies`` renumbered copies of the corpus into ``target``."""
    files = sorted(p for p in corpus.glob("*.md") if re.fullmatch(r"[sp]_\d+\.md", p.name))
    highest = {
        kind: max(int(p.stem[2:]) for p in files if p.name[0] == kind) for kind in ("s", "p")
    }
    written = []
    target.mkdir(parents=True, exist_ok=True)
    for copy in range(copies):
        for path in files:
            kind, number = path.name[0], path.stem[2:]
            new = str(int(number) + copy * highest[kind])
            out = target / f"{kind}_{new}.md"
            text = path.read_bytes().decode("utf-8")
            out.write_bytes(renumber(text, kind, number, new).encode("utf-8"))
            written.append(out)
    return written


if __name__ == "__main__":
    count = synthesise(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 100)
    print(f"{len(count)} files written to {sys.argv[1]}")
