"""The search page, its facet lists and its result cards, built from pieces rendered
once (issue #6).

The 67 facet values of every search state are the same markup with other counts and
ticks: rendering them through the template cost ~2 ms of a search state's ~17 ms of CPU
at 10,000 facilities. So `partials/facets.html` is rendered once per language and set of
values, in three variants: every value selected, every value unselected with hits, and
every value unselected without hits. Each value's markup is cut out of each variant, and
a search state's lists are assembled from the cut pieces, its counts put in their slot.
The markup, and every condition on a value, stay in the template.

A result card is the same in every search it shows up in but for its snippet (the
description with the words marked): each is made once per catalogue version and
language with the snippet cut out (`search_cards`), so a search state reads and makes
only the cards no earlier search of this version showed (two in five in the
benchmark's mix were shown before). Cards and the anonymous search page are made by
filling *shapes*: the template rendered once with slots for the values (`card`,
`search_page`). A template rendered into a shape shows each slotted value as it is
(escaped, or `urlencode`d for the page's path) and tests it only for being empty;
anything else is refused when the shape is built, or caught by the tests that hold a
filled card or page equal to the template's own rendering.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.defaultfilters import urlencode as urlencode_filter
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from catalogue.cache import VersionMemory
from catalogue.selectors import CardData, FacetResult
from core.pagecache import release

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
# A value's slot in a card skeleton: letters and digits only, so that it passes through
# escaping and `{% url %}` (a slug) unchanged; the token keeps a real value from forging one.
_TOKEN = secrets.token_hex(6)
_SLOT = re.compile(f"z{_TOKEN}([a-z]+)( |%20)?z")
_CARD_FIELDS = ("slug", "name", "acronym", "host", "region", "city", "tagline", "trl")


def _slot(field: str) -> str:
    return f"z{_TOKEN}{field}z"


def _url_slot(field: str) -> str:
    """A slot for a value the template shows both escaped and `urlencode`d: the space
    becomes "%20" in the second, so the two are told apart ("<field>url")."""
    return f"z{_TOKEN}{field} z"


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


@dataclass(frozen=True)
class _Piece:
    """Markup with slots: `statics` around `fields` (one more static than fields)."""

    statics: tuple[str, ...]
    fields: tuple[str, ...]

    def fill(self, values: Mapping[str, str], badges: Sequence[str], separator: str) -> str:
        out = [self.statics[0]]
        for i, field in enumerate(self.fields):
            out.append(separator.join(badges) if field == "badges" else values[field])
            out.append(self.statics[i + 1])
        return "".join(out)


@dataclass(frozen=True)
class _CardShape:
    head: _Piece
    snippet_head: _Piece
    snippet_tail: _Piece
    tail: _Piece
    separator: str  # between two badges


_card_shapes: dict[tuple[str, tuple[bool, ...]], _CardShape] = {}


def card(facility: CardData, *, badges: list[str]) -> Card:
    """`partials/facility_card.html` as the search page shows it (heading 3, "Compare").

    The template is rendered once per language and shape (which of the optional parts
    the card has) with slots for the values; a card is its shape with the facility's
    values, escaped as the template escapes them, in the slots (~0.2 ms a card through
    the template, 1,800 cards a benchmark run, against ~0.02 ms filled in).
    """
    values = {
        "slug": facility.slug,
        "name": facility.name,
        "acronym": facility.acronym,
        "host": facility.host_name,
        "region": facility.region_name,
        "city": facility.city,
        "tagline": facility.tagline,
        "trl": facility.trl_label,
    }
    shape_bits = (
        bool(values["acronym"]),
        bool(values["city"]),
        bool(values["tagline"]),
        bool(values["trl"]),
        bool(badges),
    )
    key = (get_language() or settings.LANGUAGE_CODE, shape_bits)
    shape = _card_shapes.get(key)
    if shape is None:
        shape = _card_shapes[key] = _card_shape(shape_bits)
    escaped = {field: conditional_escape(value) for field, value in values.items()}
    labels = [conditional_escape(label) for label in badges]
    return Card(
        *(
            piece.fill(escaped, labels, shape.separator)
            for piece in (shape.head, shape.snippet_head, shape.snippet_tail, shape.tail)
        )
    )


def _card_shape(bits: tuple[bool, ...]) -> _CardShape:
    acronym, city, tagline, trl, badged = bits
    present = {"acronym": acronym, "city": city, "tagline": tagline, "trl": trl}
    stand_in = SimpleNamespace(
        **{field: _slot(field) if present.get(field, True) else "" for field in ("slug", "name", *present)},
        host=SimpleNamespace(name=_slot("host")),
        region=SimpleNamespace(name=_slot("region")),
    )
    stand_in.trl_label = stand_in.trl
    html = render_to_string(
        "catalogue/partials/facility_card.html",
        {
            "facility": stand_in,
            "badges": [_slot("badgea"), _slot("badgeb")] if badged else [],
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
    separators: list[str] = []
    head, snippet_head, snippet_tail, tail = (
        _piece(text, separators) for text in (parts[0], snippet[0], snippet[1], parts[2])
    )
    return _CardShape(
        head=head,
        snippet_head=snippet_head,
        snippet_tail=snippet_tail,
        tail=tail,
        separator=separators[0] if separators else "",
    )


def _piece(text: str, separators: list[str], *, known: tuple[str, ...] = _CARD_FIELDS) -> _Piece:
    """Cut `text` at its slots; the two badge slots become one ("badges"), and the markup
    between them the separator of any number of badges."""
    parts = _SLOT.split(text)
    # re.split gives each slot's two groups: its name, and " " or "%20" for a URL slot.
    statics = list(parts[0::3])
    fields = [
        name + ("url" if suffix == "%20" else "")
        for name, suffix in zip(parts[1::3], parts[2::3], strict=True)
    ]
    while "badgea" in fields:
        i = fields.index("badgea")
        if fields[i + 1 : i + 2] != ["badgeb"]:
            raise ValueError("partials/facility_card.html must list the badges in one loop")
        separators.append(statics[i + 1])
        fields[i : i + 2] = ["badges"]
        statics[i + 1 : i + 2] = []
    unknown = set(fields) - {*known, "badges"}
    if unknown or any(_TOKEN in static.lower() for static in statics):
        # A value changed on its way into the markup (a filter, say): no slot can hold it.
        raise ValueError(f"the template shows a value other than as it is: {unknown or text[:300]}")
    return _Piece(statics=tuple(statics), fields=tuple(fields))


# ~1.5 KB a card: 5,000 is ~8 MB a process, the cards of 250 pages.
search_cards = VersionMemory(size=5_000)


# --- the search page around its results -------------------------------------------------

_PAGE_FIELDS = ("q", "path", "pathurl", "results", "count")
_page_shapes: dict[tuple[object, ...], _Piece] = {}


class _PathStandIn:
    """The request as the page template sees it, but for the full path: a slot."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)

    def get_full_path(self) -> str:
        return _url_slot("path")


def search_page(
    request: HttpRequest,
    *,
    context: dict[str, Any],
    results_html: str,
    count_html: str,
) -> str:
    """`catalogue/search.html` for an anonymous visitor (the shared page, its CSRF token a
    slot), from a shape rendered once per language, release, sort, view and whether
    there are words (1.2 ms of CPU a page through the template at 10,000 facilities).

    The values that differ between pages of a shape are slots: the words, the page's
    path (escaped in the language form, `urlencode`d in the sign-in link), the results
    part and the hit count. Everything else the template shows must be the same for every
    anonymous visitor of a shape (`core.pagecache.shareable`).
    """
    params = context["params"]
    key = (get_language(), release(), params.sort, context["view"], bool(params.q))
    shape = _page_shapes.get(key)
    if shape is None:
        stand_in = {
            **context,
            "params": SimpleNamespace(q=_slot("q") if params.q else "", sort=params.sort),
            "results_html": mark_safe(_slot("results")),  # noqa: S308  (a slot: letters and digits)
            "count_html": mark_safe(_slot("count")),  # noqa: S308  (a slot: letters and digits)
        }
        html = render_to_string("catalogue/search.html", stand_in, request=_PathStandIn(request))  # type: ignore[arg-type]
        shape = _page_shapes[key] = _piece(html, [], known=_PAGE_FIELDS)
    path = request.get_full_path()
    values = {
        "q": conditional_escape(params.q),
        "path": conditional_escape(path),
        "pathurl": conditional_escape(urlencode_filter(path)),
        "results": results_html,
        "count": count_html,
    }
    return shape.fill(values, [], "")


@receiver(setting_changed)
def _forget_shapes(**kwargs: Any) -> None:
    """Shapes hold what settings put in a page (the demo banner, static URLs): a test
    that changes a setting gets pages rendered anew."""
    with _lock:
        _skeletons.clear()
    _card_shapes.clear()
    _page_shapes.clear()
