"""``jupyter-coding stats``: what a study's field notes contain, per file and in total."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from jupyter_coding.common.words import count
from jupyter_coding.fieldnotes import FieldNotes
from jupyter_coding.fieldnotes.reading import coding_traces

__all__ = ["FileStats", "file_stats", "format_table", "total_stats"]

METACLASS_ORDER = ("practice", "force", "pattern", "decision")


@dataclass
class FileStats:
    """Counts for one file (templates, such as the empty ``s_.md``, left out of coding counts).

    ``applied`` counts what the codebook counts as uses: per trace, the codes it
    applies to its source (:mod:`jupyter_coding.fieldnotes.reading`).
    """

    path: str
    source: str | None
    sources: int = 0
    quotes: int = 0
    speaker_lines: int = 0
    open_traces: int = 0
    axial_traces: int = 0
    templates: int = 0
    images: int = 0
    definitions: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    attached: int = 0  # items of ``add codes to`` lists, as written
    applied: int = 0  # codes applied to the source, one per trace (the one reading)
    identifiers: set[str] = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "source": self.source,
            "sources": self.sources,
            "quotes": self.quotes,
            "speaker_lines": self.speaker_lines,
            "open_traces": self.open_traces,
            "axial_traces": self.axial_traces,
            "templates": self.templates,
            "images": self.images,
            "definitions": dict(sorted(self.definitions.items())),
            "definitions_total": sum(self.definitions.values()),
            "relations": dict(sorted(self.relations.items())),
            "relations_total": sum(self.relations.values()),
            "attached": self.attached,
            "applied": self.applied,
            "distinct_identifiers": len(self.identifiers),
        }


def file_stats(notes: FieldNotes) -> FileStats:
    """Count one file's sources, quotes, traces, definitions, relations and codes."""
    stats = FileStats(notes.path or "<text>", notes.source_id)
    if notes.is_template:
        stats.templates = 1
        return stats
    stats.sources = 1 if (notes.header is not None or notes.source is not None) else 0
    for quote in notes.quotes:
        stats.quotes += 1
        stats.speaker_lines += len(quote.speaker_lines)
    for trace in notes.open_traces:
        if trace.template:
            stats.templates += 1
        else:
            stats.open_traces += 1
    stats.axial_traces = sum(1 for trace in notes.axial_traces if not trace.template)
    stats.images = len(notes.images)
    stats.definitions.update(d.metaclass or "?" for d in notes.definitions)
    stats.relations.update(r.kind for r in notes.relations)
    stats.attached = len(notes.attached)
    stats.applied = sum(len(trace.applies) for trace in coding_traces(notes))
    stats.identifiers = set(notes.codes_mentioned)
    return stats


def total_stats(per_file: list[FileStats]) -> FileStats:
    """Sum of the files; distinct identifiers are counted over the whole study."""
    total = FileStats("total", None)
    for stats in per_file:
        total.sources += stats.sources
        total.quotes += stats.quotes
        total.speaker_lines += stats.speaker_lines
        total.open_traces += stats.open_traces
        total.axial_traces += stats.axial_traces
        total.templates += stats.templates
        total.images += stats.images
        total.definitions.update(stats.definitions)
        total.relations.update(stats.relations)
        total.attached += stats.attached
        total.applied += stats.applied
        total.identifiers |= stats.identifiers
    return total


def _definitions_of(metaclass: str):
    return lambda s: s.definitions.get(metaclass, 0)


COLUMNS = (
    ("file", lambda s: s.path),
    ("quotes", lambda s: s.quotes),
    ("open", lambda s: s.open_traces),
    ("axial", lambda s: s.axial_traces),
    ("defs", lambda s: sum(s.definitions.values())),
    *((m[:5], _definitions_of(m)) for m in METACLASS_ORDER),
    ("rels", lambda s: sum(s.relations.values())),
    ("applied", lambda s: s.applied),
    ("codes", lambda s: len(s.identifiers)),
)


def format_table(per_file: list[FileStats], total: FileStats) -> str:
    """A plain-text table, one row per file and a total row."""
    rows = [[name for name, _ in COLUMNS]]
    rows += [[str(get(s)) for _, get in COLUMNS] for s in [*per_file, total]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=False)
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0 or number == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    relations = ", ".join(f"{k} {v}" for k, v in sorted(total.relations.items()))
    lines.append(
        f"{count(total.sources, 'source')}, {count(total.quotes, 'quote')}, "
        f"{total.open_traces} open and {count(total.axial_traces, 'axial trace')}, "
        f"{count(sum(total.definitions.values()), 'definition')}, "
        f"{count(sum(total.relations.values()), 'relation')} ({relations or 'none'}), "
        f"{count(total.applied, 'code')} applied ({count(total.attached, 'add-codes item')}), "
        f"{count(len(total.identifiers), 'distinct identifier')}"
        + (f", {count(total.templates, 'template trace')} left out" if total.templates else "")
    )
    return "\n".join(lines)
