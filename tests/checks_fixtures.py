"""Small studies for the checks, in the two dialects of the format family (FORMAT.md §12).

The *seed* dialect is :mod:`tests.study_fixtures` (``add codes to sN`` lists, memos of
``Familiar option:`` lines). The *labels* dialect written here is that of
``examples/labels_study``: the source block under ``**AXIAL CODING TRACE:**``, memos of
short labels one a line, codes attached only through ``added:`` blocks.
"""

from __future__ import annotations

from pathlib import Path

from .study_fixtures import write

LABELS_HEADER = """\
{kind_line}
{n}
## url
{url}
## tiny url
{tiny}
## archive url
{archive}
## title
{title}
## source code
no
## example
yes
## source type{space}
Practitioner Audience Article
## author type
Practitioner
## references

**AXIAL CODING TRACE:**
``` python
{name} = CClass(source, "{name}", values={{
    "title": "{cclass_title}",
    "url": "{cclass_url}",
    "archive url": "{cclass_archive}",
    "tiny url": "{cclass_tiny}",
    "author type": "Practitioner",
    "type": "Practitioner Audience Article",
    "example": True,
    "source code": False}})
```

# coding

"""

SLUGS = {
    1: "our-first-blameless-postmortem",
    2: "tracking-postmortem-action-items",
    3: "postmortems-as-a-learning-tool",
    4: "a-postmortem-template-people-fill-in",
    5: "paging-fewer-people-at-night",
    6: "runbooks-that-age-well",
}
TITLES = {
    1: "Our first blameless postmortem",
    2: "Tracking postmortem action items",
    3: "Postmortems as a learning tool",
    4: "A postmortem template that people actually fill in",
    5: "Paging fewer people at night",
    6: "Runbooks that age well",
}


def labels_source(
    number: int,
    body: str = "",
    *,
    kind: str = "s",
    header_number: int | None = None,
    **values: str,
) -> str:
    """A source of the labels dialect: the header and CClass agree unless told otherwise.

    ``values`` sets ``url``, ``tiny``, ``archive``, ``title`` on both sides, or on one
    side with a ``cclass_`` prefix (``cclass_title="..."``).
    """
    sid = f"{kind}{number}"
    defaults = {
        "url": f"https://example.org/blog/{SLUGS.get(number, f'post-{number}')}",
        "tiny": f"https://example.org/t/postmortems-{sid}",
        "archive": f"https://example.org/archive/postmortems-{sid}",
        "title": TITLES.get(number, f"Post number {number}"),
    }
    both = {key: values.get(key, default) for key, default in defaults.items()}
    cclass = {f"cclass_{key}": values.get(f"cclass_{key}", both[key]) for key in defaults}
    return (
        LABELS_HEADER.format(
            kind_line="# s " if kind == "s" else f"# {kind}",
            space=" ",  # the heading's trailing space, as every real file has it
            n=header_number if header_number is not None else number,
            name=sid,
            **both,
            **cclass,
        )
        + body
    )


def labels_trace(quote: str, labels: list[str], added: list[str] | None) -> str:
    """A quote, a memo of labels one a line, and an ``added:`` block (``None``: no axial)."""
    text = f"> {quote}\n\n**OPEN CODING TRACE:**\n\n" + "".join(f"{label}\n" for label in labels)
    if added is None:
        return text + "\n"
    code = "".join(f"    {line}\n" for line in added)
    return text + f"\n**AXIAL CODING TRACE:**\nadded:\n``` python\n{code}```\n\n"


def labels_study(folder: Path, sources: dict[int, str]) -> Path:
    """Write ``s_N.md`` for each number -> text."""
    for number, text in sources.items():
        write(folder, f"s_{number}.md", text)
    return folder


# a trace that defines the code the other sources of a labels study reuse
DEFINES_BLAMELESS_REVIEW = labels_trace(
    "We talk about the system, never about who pressed the button.",
    ["Blameless Review"],
    ['blameless_review = CClass(practice, "Blameless Review")'],
)
