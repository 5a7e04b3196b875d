"""A finding about the research content: a rule's verdict at a place in a file."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SEVERITIES", "Finding", "Fix"]

# from the worst down; "info" findings are off unless selected and do not fail a run
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Fix:
    """The one repair a finding has, as edits of one file (see :mod:`jupyter_coding.study.fixes`).

    ``lines`` replace whole lines, ``(line, text before, text after)`` without their
    line ends (the file must still hold ``text before`` there); ``renames`` rename
    codes in the file's coding traces, as ``jupyter-coding rename`` does. ``digest``
    is the SHA-256 of the file's text when it was checked: a file that changed
    since is not touched.
    """

    path: str
    digest: str
    description: str
    lines: tuple[tuple[int, str, str], ...] = ()
    renames: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, order=True)
class Finding:
    """``path:line:col: RULE message``, sortable by place."""

    path: str
    line: int
    col: int
    rule: str  # stable id, e.g. "JC101"
    name: str  # short rule name, e.g. "undefined-code"
    message: str
    severity: str = "warning"  # "error" | "warning" | "info"
    fix: Fix | None = field(default=None, compare=False)

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.rule} {self.message}"

    def as_dict(self) -> dict:
        """The finding as JSON data; ``fix`` is what the fix does, or None."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "rule": self.rule,
            "name": self.name,
            "message": self.message,
            "severity": self.severity,
            "fix": self.fix.description if self.fix is not None else None,
        }
