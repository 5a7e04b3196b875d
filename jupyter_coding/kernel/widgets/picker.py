"""The code picker as ipywidgets: search box, matches, details, picks and a new-code form.

All decisions are made by :class:`~.picker_logic.PickerState`; this module only
turns its state into widgets and widget events into calls on it.

A picker starts folded: one search box under the cell, so a long notebook stays
light. Typing in it opens the matches, the highlighted code's detail (definition,
uses, and the quotes other sources code with it, each a link to its notebook cell
or file), the picks and the new-code form. Opening one picker folds the others
(:class:`PickerGroup`). Keyboard use: type, Enter picks the highlighted (top) match
and clears the box for the next one; Tab leaves the box, and Ctrl+Enter (or
Shift+Enter) then runs the cell again, which writes the picks into its text (see
``%%code``).
"""

from __future__ import annotations

import html
import weakref
from collections.abc import Callable

from ipywidgets import HTML, Button, Combobox, HBox, Layout, Output, Text, VBox

from jupyter_coding.common.words import count
from jupyter_coding.kernel.display import chip
from jupyter_coding.kernel.widgets.picker_logic import (
    CodeDetail,
    Match,
    PickerState,
    label_from_identifier,
    site_name,
)
from jupyter_coding.study.palette import metaclass_colour

__all__ = ["CELL_HINT", "NEW_CELL_HINT", "CodePicker", "PickerGroup"]

CELL_HINT = "Tab, then Ctrl+Enter: the cell runs again with the picks written into it."
NEW_CELL_HINT = "Tab, then Ctrl+Enter: the cell runs again and adds a %%code cell below."
SEARCH_PLACEHOLDER = "pick a code: type part of its identifier or label"
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


class PickerGroup:
    """The pickers of one notebook: opening one folds the others (one open at a time)."""

    def __init__(self) -> None:
        self._pickers: list[weakref.ref[CodePicker]] = []

    def add(self, picker: CodePicker) -> None:
        self._pickers = [ref for ref in self._pickers if ref() is not None]
        self._pickers.append(weakref.ref(picker))

    def opened(self, picker: CodePicker) -> None:
        for ref in self._pickers:
            other = ref()
            if other is not None and other is not picker and other.expanded:
                other.fold()

    def pickers(self) -> list[CodePicker]:
        return [picker for ref in self._pickers if (picker := ref()) is not None]


def _icon_button(icon: str, tooltip: str, description: str = "") -> Button:
    width = "auto" if description else "2.6em"
    return Button(description=description, icon=icon, tooltip=tooltip, layout=Layout(width=width))


class CodePicker(VBox):
    """A picker bound to a :class:`PickerState` (one cell's picks)."""

    def __init__(
        self,
        state: PickerState,
        hint: str = CELL_HINT,
        on_change: Callable[[PickerState], None] | None = None,
        link: Linker | None = None,
        group: PickerGroup | None = None,
    ) -> None:
        self.state = state
        self.hint = hint
        self.on_change = on_change
        self.link = link
        self.group = group
        self.expanded = False
        self.detail_html = ""
        self._confirm: tuple[str, str] | None = None  # near-duplicate awaiting a second Create
        self.search = Text(
            value=state.query,
            placeholder=SEARCH_PLACEHOLDER,
            continuous_update=True,
            layout=Layout(width="26em", max_width="100%"),
        )
        self.search.add_class("jc-search")
        self.status = HTML(layout=Layout(min_width="0"))
        self.pick_button = _icon_button("check", "pick the highlighted code (Enter)", "Pick")
        self.up_button = _icon_button("arrow-up", "highlight the match above")
        self.down_button = _icon_button("arrow-down", "highlight the match below")
        self.undo_button = _icon_button("undo", "take the last pick back", "Undo pick")
        self.more_button = _icon_button("quote-left", "show more quotes", "More evidence")
        self.fold_button = _icon_button("chevron-up", "fold the picker (the picks stay)")
        # side by side where both have room, else the detail under the matches: a column
        # narrower than this would cut every identifier short
        self.matches_view = HTML(
            layout=Layout(flex="1 1 26em", min_width="min(22em, 100%)", max_width="36em")
        )
        self.matches_view.add_class("jc-matches-view")
        self.detail_view = Output(layout=Layout(flex="1 1 26em", min_width="min(24em, 100%)"))
        self.detail_view.add_class("jc-detail-view")
        self.picked_view = HTML(layout=Layout(flex="1 1 auto", min_width="0"))
        self.new_identifier = Text(
            placeholder="new_code_identifier",
            continuous_update=True,
            layout=Layout(width="14em", max_width="100%"),
        )
        self.new_metaclass = Combobox(
            options=tuple(state.metaclasses),
            placeholder="metaclass: " + ", ".join(state.metaclasses),
            continuous_update=True,
            layout=Layout(width="12em", max_width="100%"),
        )
        self.new_label = Text(
            placeholder="Label (default: from the identifier)",
            layout=Layout(width="16em", max_width="100%"),
        )
        self.create_button = _icon_button("plus", "create the code and pick it", "New code")
        self.message = HTML()

        self.search.observe(self._on_query, "value")
        self.search.on_msg(self._on_search_message)
        self.pick_button.on_click(lambda _: self.pick())
        self.up_button.on_click(lambda _: self.move(-1))
        self.down_button.on_click(lambda _: self.move(1))
        self.undo_button.on_click(lambda _: self.undo())
        self.more_button.on_click(lambda _: self.more_evidence())
        self.fold_button.on_click(lambda _: self.fold())
        self.create_button.on_click(lambda _: self.create())
        for field in (self.new_identifier, self.new_label):
            field.on_msg(self._on_form_message)
        self.new_identifier.observe(self._on_new_identifier, "value")

        wrap = Layout(flex_flow="row wrap", align_items="flex-start", width="100%")
        self.body = VBox(
            [
                HBox(
                    [
                        self.pick_button,
                        self.up_button,
                        self.down_button,
                        self.more_button,
                        self.undo_button,
                        self.fold_button,
                    ],
                    layout=Layout(flex_flow="row wrap"),
                ),
                HBox([self.matches_view, self.detail_view], layout=wrap),
                HBox([self.picked_view], layout=wrap),
                HBox(
                    [self.new_identifier, self.new_metaclass, self.new_label, self.create_button],
                    layout=Layout(flex_flow="row wrap"),
                ),
                self.message,
            ],
            layout=Layout(display="none", width="100%"),
        )
        self.body.add_class("jc-picker-body")
        super().__init__(
            children=[
                HBox(
                    [self.search, self.status],
                    layout=Layout(flex_flow="row wrap", align_items="center", width="100%"),
                ),
                self.body,
            ],
            layout=Layout(width="100%", max_width="100%"),
        )
        self.add_class("jc-picker")
        if group is not None:
            group.add(self)
        self.refresh()
        if state.query.strip() or state.picks:
            self.expand()

    def close_all(self) -> None:
        """Close the picker and every widget in it (a widget lives until closed)."""
        pending = [self]
        while pending:
            widget = pending.pop()
            pending.extend(getattr(widget, "children", ()))
            widget.close()

    # -- folding -------------------------------------------------------
    def expand(self) -> None:
        """Show the matches, detail, picks and form (and fold the group's other pickers)."""
        if not self.expanded:
            self.expanded = True
            self.body.layout.display = "flex"
            self.refresh()
        if self.group is not None:
            self.group.opened(self)

    def fold(self) -> None:
        """Show the search box alone; the picks stay."""
        self.expanded = False
        self.body.layout.display = "none"
        self.refresh_status()

    # -- events --------------------------------------------------------
    def _on_query(self, change) -> None:
        self.state.query = change["new"]
        if change["new"].strip():
            self.expand()
        self.refresh_matches()

    def _on_search_message(self, _widget, content, _buffers) -> None:
        if content.get("event") == "submit":  # Enter in the search box
            self.submit()

    def _on_form_message(self, _widget, content, _buffers) -> None:
        if content.get("event") == "submit":  # Enter in the new-code form
            self.create()

    def _on_new_identifier(self, change) -> None:
        self._confirm = None
        check = self.state.check_new_code(change["new"], self.new_metaclass.value or "practice")
        shown = [e for e in check.errors if "metaclass" not in e]
        if change["new"].strip() and (shown or check.similar):
            self.message.value = self._check_html(shown, check.similar, confirm=False)
        else:
            self.message.value = ""

    # -- actions (what the buttons and keys do) -------------------------
    def submit(self) -> None:
        """Enter in the search box: pick the highlighted match, or start a new code."""
        self.expand()
        if not self.state.query.strip():
            self._say("type part of a code's identifier or label first")
            return
        if not self.state.matches:
            identifier = "_".join(self.state.query.strip().lower().split())
            self.new_identifier.value = identifier
            self.new_label.value = label_from_identifier(identifier)
            self._say(
                f"no code matches: fill in the metaclass below and press New code to create "
                f"<code>{html.escape(identifier)}</code>"
            )
            return
        self.pick()

    def pick(self, identifier: str | None = None) -> str | None:
        """Pick a code (default: the highlighted match); the search box is cleared."""
        picked = self.state.pick(identifier)
        if picked is None:
            self._say("nothing to pick: type part of a code's identifier or label")
            return None
        if picked in self.state.in_trace:
            self._say(f"<code>{html.escape(picked)}</code> is already in this trace")
        else:
            self._say(f"picked <code>{html.escape(picked)}</code>. {self.hint}")
        self.search.value = ""  # ready for the next code; refreshes through _on_query
        self.refresh_picks()
        self._changed()
        return picked

    def move(self, step: int) -> None:
        self.state.move(step)
        self.refresh_matches()

    def more_evidence(self) -> None:
        self.state.more_evidence()
        self.refresh_detail()

    def undo(self) -> None:
        taken = self.state.unpick()
        self._say(f"took back <code>{html.escape(taken)}</code>" if taken else "no picks to undo")
        self.refresh_picks()
        self._changed()

    def create(self) -> None:
        """The new-code form: check, and create and pick the code when allowed."""
        identifier = self.new_identifier.value.strip()
        metaclass = (self.new_metaclass.value or "").strip()
        label = self.new_label.value.strip()
        confirmed = self._confirm == (identifier, metaclass)
        check = self.state.create(identifier, metaclass, label, allow_similar=confirmed)
        if check.errors or (check.similar and not confirmed):
            self._confirm = (identifier, metaclass) if not check.errors else None
            self.message.value = self._check_html(check.errors, check.similar)
            return
        self._confirm = None
        for field in (self.new_identifier, self.new_metaclass, self.new_label, self.search):
            field.value = ""
        self._say(f"new code <code>{html.escape(identifier)}</code> picked. {self.hint}")
        self.refresh_picks()
        self._changed()

    # -- rendering -----------------------------------------------------
    def refresh(self) -> None:
        self.refresh_matches()
        self.refresh_picks()

    def refresh_matches(self) -> None:
        if not self.expanded:
            return  # drawn when opened: a folded picker costs no rendering
        self.matches_view.value = matches_html(self.state)
        self.refresh_detail()

    def refresh_detail(self) -> None:
        page = detail_html(self.state.detail(), self.state.evidence_shown, self.link)
        if page == self.detail_html:
            return
        self.detail_html = page
        # an output (not an HTML widget), so that JupyterLab opens its links in the app
        self.detail_view.outputs = (
            {"output_type": "display_data", "data": {"text/html": page}, "metadata": {}},
        )
        detail = self.state.detail()
        more = detail is not None and len(detail.evidence) > self.state.evidence_shown
        self.more_button.disabled = not more

    def refresh_picks(self) -> None:
        state = self.state
        self.refresh_status()
        if not state.picks:
            self.picked_view.value = '<div class="jc-picked"><i>no codes picked yet</i></div>'
            return
        created = {code.identifier: code for code in state.new_codes}
        chips = []
        for identifier in state.picks:
            code = state.codebook.get(identifier)
            if identifier in created:
                new = created[identifier]
                chips.append(chip(identifier, new.metaclass, f"new: {new.label}"))
            else:
                chips.append(chip(identifier, code.metaclass if code else None, None))
        preview = html.escape(state.apply(), quote=False)
        self.picked_view.value = (
            f'<div class="jc-picked"><b>picked</b> {"".join(chips)}'
            "<details><summary>the cell will read</summary>"
            f'<pre style="max-height:12em;overflow:auto;white-space:pre-wrap">{preview}</pre>'
            "</details></div>"
        )

    def refresh_status(self) -> None:
        """The line beside the search box: what is pending, or how to go on."""
        picks = len(self.state.picks)
        if picks:
            text = f"{count(picks, 'code')} picked. {self.hint}"
        elif self.expanded:
            text = "Enter picks the highlighted code"
        else:
            text = ""
        self.status.value = (
            f'<span class="jc-status" style="opacity:.75">{html.escape(text)}</span>'
        )

    def _check_html(self, errors: list[str], similar: list[str], confirm: bool = True) -> str:
        parts = [f'<div class="jc-error" style="color:#a33">{html.escape(e)}</div>' for e in errors]
        if similar:
            names = ", ".join(f"<code>{html.escape(n)}</code>" for n in similar)
            anyway = ", or press New code again to create it anyway" if confirm else ""
            parts.append(
                f'<div class="jc-similar" style="color:#a60">near-duplicate of {names}: pick '
                f"that code instead{anyway}</div>"
            )
        return "".join(parts)

    def _say(self, text: str) -> None:
        self.message.value = f'<div class="jc-message">{text}</div>'

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.state)
