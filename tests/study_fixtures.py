"""Small field-notes files written on the fly, for tests of study-wide analyses.

``source_text(3, body)`` is a complete file for source s3 in the corpus's layout;
``trace(...)`` writes an open + axial trace the way the seed does.
"""

from __future__ import annotations

from pathlib import Path

# the header and source definition of the corpus, trailing spaces included
HEADER = "\n".join(
    [
        "{kind_line}",
        "{n}",
        "## url",
        "https://example.org/{n}",
        "## tiny url",
        "https://example.org/t/{n}",
        "## archive url",
        "https://example.org/a/{n}",
        "## title",
        "{title}",
        "## source code",
        "no",
        "## example",
        "yes",
        "## source type ",
        "{source_type}",
        "## author type",
        "{author_type}",
        "## references",
        "",
        "**AXIAL CODING TRACE**: source and references",
        "``` python",
        '{name} = CClass(source, "{name}", values={{',
        '    "title": "{title}",',
        '    "url": "https://example.org/{n}",',
        '    "archive url": "https://example.org/a/{n}",',
        '    "tiny url": "https://example.org/t/{n}",',
        '    "author type": "{cclass_author}",',
        '    "type": "{cclass_type}",',
        '    "example": True,',
        '    "source code": False}})',
        "``` ",
        "",
        "# coding",
        "",
        "",
    ]
)


def source_text(
    number: int,
    body: str = "",
    *,
    title: str | None = None,
    source_type: str = "Practitioner Audience Article",
    author_type: str = "Practitioner",
    cclass_type: str | None = None,
    cclass_author: str | None = None,
    name: str | None = None,
    kind: str = "s",
) -> str:
    """A whole field-notes file for source ``s<number>`` (or ``p<number>``), then ``body``.

    Each source gets a title of its own (``Source s3``), as real sources have, unless
    ``title`` is given.
    """
    return (
        HEADER.format(
            n=number,
            title=title if title is not None else f"Source {kind}{number}",
            source_type=source_type,
            author_type=author_type,
            cclass_type=cclass_type if cclass_type is not None else source_type,
            cclass_author=cclass_author if cclass_author is not None else author_type,
            name=name or f"{kind}{number}",
            kind_line="# s " if kind == "s" else f"# {kind}",
        )
        + body
    )


def trace(
    quote: str,
    memo: str | None = None,
    added: str | None = None,
    attached: list[str] | None = None,
    target: str = "s1",
) -> str:
    """A quote, then an open trace (``memo``) and an axial trace, in the seed's layout."""
    text = f"> {quote}\n\n**OPEN CODING TRACE:**\n\n"
    if memo is not None:
        text += f"{memo}\n\n"
    if added is None and attached is None:
        return text
    text += "**AXIAL CODING TRACE:**\n\n"
    if added is not None:
        code = "".join(f"    {line}\n" for line in added.strip("\n").split("\n"))
        text += f"added:\n``` python \n{code}```\n\n"
    if attached is not None:
        items = ",\n".join(f"        {code}" for code in attached)
        text += f"add codes to {target}: \n``` python \n    '''\n{items}\n    '''\n```\n\n"
    return text


def write(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` as UTF-8 bytes (no newline translation) to ``folder/name``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path
