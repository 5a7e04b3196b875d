"""The picker's HTML: its matches, a code's detail, evidence and uses (no widgets here).

Pure functions of :mod:`.picker_logic`'s state, so they are tested without a front end.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from jupyter_coding.common.words import count
from jupyter_coding.kernel.widgets.picker_logic import (
    CodeDetail,
    Match,
    PickerState,
    site_name,
)
from jupyter_coding.study.palette import metaclass_colour

__all__ = ["Linker", "detail_html", "evidence_html", "matches_html", "uses_text"]

# an HTML widget's content would otherwise keep the width of its longest line and run
# under the column beside it; with this, long rows shorten (ellipsis) instead
PICKER_STYLE = (
    "<style>.jc-picker .widget-html-content{min-width:0;max-width:100%;"
    "white-space:normal;overflow:hidden}</style>"
)

# JupyterLab opens a link's notebook and scrolls to its #cell-id, but in a long notebook
# the cells above the target are measured only then, and the view drifts off the quote.
# After a click on one of these links, scroll the cell JupyterLab selected back into view
# until the layout settles.
SETTLE_SCRIPT = """<script>
(function () {
  const detail = document.currentScript && document.currentScript.previousElementSibling;
  if (!detail) { return; }
  detail.querySelectorAll("a.jc-link").forEach((link) => {
    link.addEventListener("click", () => {
      let rounds = 0;
      const timer = setInterval(() => {
        rounds += 1;
        const panel = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
        const cell = panel && panel.querySelector(".jp-Cell.jp-mod-selected:not(.jp-mod-active)");
        if (cell && !panel.contains(detail)) {
          const box = cell.getBoundingClientRect();
          const view = panel.getBoundingClientRect();
          if (box.top < view.top + 40 || box.top > view.bottom - 80) {
            cell.scrollIntoView({ block: "center" });
          }
        }
        if (rounds >= 40) { clearInterval(timer); }
      }, 150);
    });
  });
})();
</script>"""

# a link to a study file's line: (href, what it points at), or None
Linker = Callable[[str, int], "tuple[str, str] | None"]


def _escape(text: str | None) -> str:
    return html.escape(text or "")


def matches_html(state: PickerState) -> str:
    """The ranked matches, the highlighted one marked."""
    if not state.matches:
        what = html.escape(state.query.strip())
        return (
            f'<div class="jc-matches jc-empty">no code matches <code>{what}</code>: '
            "create it below</div>"
        )
    rows = [_match_row(m, n == state.highlight) for n, m in enumerate(state.matches)]
    more = state.total - len(state.matches)
    counted = count(state.total, "match", "matches")
    if more > 0:
        counted += f" ({more} more: type more to narrow)"
    return (
        f'{PICKER_STYLE}<div class="jc-matches" style="white-space:normal;min-width:0">'
        f'<div style="opacity:.7">{counted}</div>{"".join(rows)}</div>'
    )


def _match_row(match: Match, highlighted: bool) -> str:
    """One match: name and label shortened to the room there is, metaclass and uses kept."""
    colour = metaclass_colour(match.metaclass)
    background = "background:rgba(0,114,178,.15);" if highlighted else ""
    marker = "&#9656; " if highlighted else ""
    css_class = "jc-match jc-highlight" if highlighted else "jc-match"
    label = _escape(match.label) or "<i>undefined</i>"
    title = _escape(f"{match.identifier}: {match.label or 'undefined'}")
    return (
        f'<div class="{css_class}" data-code="{_escape(match.identifier)}" title="{title}" '
        f'style="{background}display:flex;gap:.6em;align-items:baseline;'
        f'border-left:6px solid {colour};padding:1px 6px;margin:1px 0">'
        '<span class="jc-name" style="flex:1 1 auto;min-width:0;overflow:hidden;'
        'text-overflow:ellipsis;white-space:nowrap">'
        f"{marker}<code>{_escape(match.identifier)}</code> "
        f'<span style="opacity:.8">{label}</span></span>'
        '<span class="jc-count" style="flex:none;white-space:nowrap">'
        f'<span style="color:{colour}">{_escape(match.metaclass or "")}</span> '
        f'<span style="opacity:.7">{count(match.use_count, "use")}</span></span></div>'
    )


def _linked(text: str, path: str, line: int, link: Linker | None) -> str:
    target = link(path, line) if link is not None and not path.startswith("<") else None
    if target is None:
        return _escape(text)
    href, title = target
    return (
        f'<a class="jc-link" href="{_escape(href)}" title="open {_escape(title)}">'
        f"{_escape(text)}</a>"
    )


def detail_html(detail: CodeDetail | None, shown: int = 3, link: Linker | None = None) -> str:
    """Definition, uses and the first ``shown`` evidence quotes of the highlighted code."""
    if detail is None:
        return '<div class="jc-detail"></div>'
    parts = [
        '<div class="jc-detail" style="white-space:normal;min-width:0;overflow-wrap:anywhere">'
        f"<b>{_escape(detail.identifier)}</b>"
    ]
    if detail.definitions:
        sites = detail.definition_sites or [("<", 0)] * len(detail.definitions)
        defined = []
        for (path, line), definition in zip(sites, detail.definitions, strict=False):
            what, _, _ = definition.rpartition(" (")
            defined.append(
                f"<code>{_escape(what)}</code> ({_linked(site_name(path, line), path, line, link)})"
            )
        parts.append("<div>defined as " + "; ".join(defined) + "</div>")
    else:
        parts.append("<div><i>defined nowhere in the study</i></div>")
    parts.append(f"<div>{_escape(uses_text(detail))}</div>")
    parts.append(evidence_html(detail, shown, link))
    parts.append("</div>")
    parts.append(SETTLE_SCRIPT)
    return "".join(parts)


def evidence_html(detail: CodeDetail, shown: int, link: Linker | None = None) -> str:
    """The quotes of other sources that apply the code, nearest and most varied first."""
    if not detail.evidence:
        return (
            '<div class="jc-no-evidence" style="opacity:.7">'
            "no quote of another source applies it yet</div>"
        )
    total, sources = len(detail.evidence), detail.evidence_sources
    heading = f"evidence: {count(total, 'quote')} in {count(sources, 'other source')}" + (
        ", nearest to this cell's quote first" if any(q.overlap for q in detail.evidence) else ""
    )
    if detail.files_read < detail.files_applying:
        heading += (
            f" (from {detail.files_read} of the {detail.files_applying} files that apply "
            "it, spread over the study)"
        )
    parts = [f'<div style="margin-top:4px"><b>{_escape(heading)}</b></div>']
    for quote in detail.evidence[:shown]:
        where = f"{quote.source + ' · ' if quote.source else ''}{quote.where}"
        parts.append(
            '<blockquote class="jc-evidence" style="margin:3px 0 3px 8px;padding-left:6px;'
            f'border-left:3px solid #ccc">{_escape(quote.text)} '
            f'<span class="jc-where" style="white-space:nowrap;opacity:.75">'
            f"({_linked(where, quote.path, quote.line, link)})</span></blockquote>"
        )
    if total > shown:
        parts.append(f'<div style="opacity:.7">{total - shown} more: press More evidence</div>')
    return "".join(parts)


USE_KINDS = (("attached", "attached"), ("reused", "reused"), ("defined", "defined"))


def uses_text(detail: CodeDetail) -> str:
    """``applied 24 times (13 attached, 10 reused, 1 defined) in s1, s3 …; 19 relations; ...``.

    The count is the codebook's (traces that apply the code); relation ends and memo
    mentions are said apart.
    """
    kinds = ", ".join(
        f"{detail.uses_by_kind[how]} {words}"
        for how, words in USE_KINDS
        if how in detail.uses_by_kind
    )
    text = f"applied {detail.use_count} time{'s' if detail.use_count != 1 else ''}"
    text += f" ({kinds})" if kinds else ""
    if detail.sources:
        text += " in " + ", ".join(detail.sources[:12]) + (" …" if len(detail.sources) > 12 else "")
    related = detail.uses_by_kind.get("related", 0)
    if related:
        text += f"; {related} relation end{'s' if related != 1 else ''}"
    memos = detail.uses_by_kind.get("memo", 0)
    if memos:
        text += f"; named in {memos} memo{'s' if memos != 1 else ''}"
    return text
