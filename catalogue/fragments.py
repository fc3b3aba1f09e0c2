"""The search page's facet lists and result cards, built from pieces rendered once (issue #6).

The 67 facet values of every search state are the same markup with other counts and
ticks: rendering them through the template cost ~2 ms of a search state's ~17 ms of CPU
at 10,000 facilities. So `partials/facets.html` is rendered once per language and set of
values, in three variants: every value selected, every value unselected with hits, and
every value unselected without hits. Each value's markup is cut out of each variant, and
a search state's lists are assembled from the cut pieces, its counts put in their slot.
The markup, and every condition on a value, stay in the template.

A result card is the same in every search it shows up in but for its snippet (the
description with the words marked): each is rendered once per catalogue version and
language with the snippet cut out (`search_cards`), so a search state renders, and reads
the rows of, only the cards no earlier search of this version showed (two in five in
the benchmark's mix were shown before).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from catalogue.cache import VersionMemory
from catalogue.selectors import FacetResult

# Markers hold a "<", which escaped text never does: a label cannot forge one.
_CUT = mark_safe("<!--facet-value-->")
_COUNT = mark_safe("<!--facet-count-->")
_KEPT = 16  # languages x vocabulary versions a process keeps


@dataclass(frozen=True)
class _Value:
    """One value's markup in one state: before and after its count (no count: `after` is "")."""

    before: str
    after: str
    counted: bool


@dataclass(frozen=True)
class _Skeleton:
    statics: tuple[str, ...]  # the markup between values: one more than there are values
    selected: tuple[_Value, ...]
    with_hits: tuple[_Value, ...]
    without_hits: tuple[_Value, ...]


_skeletons: OrderedDict[tuple[object, ...], _Skeleton] = OrderedDict()
_lock = threading.Lock()


def facets_html(facets: list[FacetResult], *, language: str) -> SafeString:
    """The facet lists of one search state, as `partials/facets.html` renders them."""
    key = (language, *((f.facet.param, v.value, str(v.label)) for f in facets for v in f.values))
    skeleton = _skeletons.get(key)
    if skeleton is None:
        skeleton = _build(facets)
        with _lock:
            _skeletons[key] = skeleton
            while len(_skeletons) > _KEPT:
                _skeletons.popitem(last=False)
    out = [skeleton.statics[0]]
    i = 0
    for facet in facets:
        for value in facet.values:
            if value.selected:
                piece = skeleton.selected[i]
            elif value.count:
                piece = skeleton.with_hits[i]
            else:
                piece = skeleton.without_hits[i]
            out.append(piece.before)
            if piece.counted:
                out.append(str(value.count))
                out.append(piece.after)
            i += 1
            out.append(skeleton.statics[i])
    return mark_safe("".join(out))  # noqa: S308  (pieces of our autoescaped template and ints)


def _build(facets: list[FacetResult]) -> _Skeleton:
    def render(*, selected: bool, count: object) -> tuple[list[str], list[_Value]]:
        variant = [
            replace(f, values=[replace(v, selected=selected, count=count) for v in f.values])  # type: ignore[arg-type]
            for f in facets
        ]
        pieces = render_to_string("catalogue/partials/facets.html", {"facets": variant, "cut": _CUT}).split(
            _CUT
        )
        # statics at even positions, values at odd ones (each value is wrapped in two cuts)
        values = []
        for piece in pieces[1::2]:
            before, found, after = piece.partition(_COUNT)
            values.append(_Value(before=before, after=after, counted=bool(found)))
        return pieces[0::2], values

    statics, selected = render(selected=True, count=_COUNT)
    _statics, with_hits = render(selected=False, count=_COUNT)
    _statics, without_hits = render(selected=False, count=0)
    n = sum(len(f.values) for f in facets)
    if not (len(statics) == n + 1 and len(selected) == len(with_hits) == len(without_hits) == n):
        raise ValueError("partials/facets.html must wrap each value in two cuts ({{ cut }})")
    return _Skeleton(
        statics=tuple(statics),
        selected=tuple(selected),
        with_hits=tuple(with_hits),
        without_hits=tuple(without_hits),
    )


# --- result cards ---------------------------------------------------------------------

_SNIPPET_CUT = mark_safe("<!--card-snippet-->")
_SNIPPET = mark_safe("<!--card-snippet-text-->")


@dataclass(frozen=True)
class Card:
    """One facility's card on the search page, around its snippet."""

    head: str
    snippet_head: str
    snippet_tail: str
    tail: str

    def html(self, snippet: str | None) -> SafeString:
        """The card with `snippet` (safe HTML), or with none when it is empty."""
        if snippet:
            return mark_safe(self.head + self.snippet_head + snippet + self.snippet_tail + self.tail)  # noqa: S308  (escaped pieces, safe snippet)
        return mark_safe(self.head + self.tail)  # noqa: S308  (pieces of our autoescaped template)


def card(facility: Any, *, badges: list[str]) -> Card:
    """`partials/facility_card.html` as the search page shows it (heading 3, "Compare")."""
    html = render_to_string(
        "catalogue/partials/facility_card.html",
        {
            "facility": facility,
            "badges": badges,
            "snippet": _SNIPPET,
            "snippet_cut": _SNIPPET_CUT,
            "heading_level": 3,
            "compare": True,
        },
    )
    parts = html.split(_SNIPPET_CUT)
    snippet = parts[1].split(_SNIPPET) if len(parts) == 3 else []
    if len(snippet) != 2:
        raise ValueError("partials/facility_card.html must wrap its snippet in two cuts ({{ snippet_cut }})")
    return Card(head=parts[0], snippet_head=snippet[0], snippet_tail=snippet[1], tail=parts[2])


# ~1.5 KB a card: 5,000 is ~8 MB a process, the cards of 250 pages.
search_cards = VersionMemory(size=5_000)
