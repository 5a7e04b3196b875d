"""A finding about the research content: a rule's verdict at a place in a file."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Finding"]


@dataclass(frozen=True, order=True)
class Finding:
    """``path:line:col: RULE message``, sortable by place."""

    path: str
    line: int
    col: int
    rule: str  # stable id, e.g. "JC101"
    name: str  # short rule name, e.g. "undefined-code"
    message: str
    severity: str = "warning"  # "warning" | "error"

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.rule} {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)
