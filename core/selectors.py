"""Reads of the shared kernel shared by pages, admin and API."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import Error as DatabaseError_
from django.db import connections
from django.db.models import Count, Max, QuerySet

from core.models import ApiToken, Membership, Region, Term


def region_list() -> QuerySet[Region]:
    return Region.objects.order_by("name")


def region_get(*, code: str) -> Region:
    return Region.objects.get(code=code)


def membership_list_for_user(*, user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("region").order_by("region__name", "role")


def api_token_list(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created")


def term_list(*, vocabulary: str, include_deprecated: bool = False) -> QuerySet[Term]:
    qs = Term.objects.filter(vocabulary=vocabulary)
    if not include_deprecated:
        qs = qs.filter(deprecated=False)
    return qs.order_by("order", "code")


def health_status() -> dict[str, str]:
    """The state of each dependency: "ok", "down: <reason>" or "not configured"."""
    status: dict[str, str] = {}
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        status["database"] = "ok"
    except DatabaseError_ as exc:
        status["database"] = f"down: {exc.__class__.__name__}"
        connections["default"].close_if_unusable_or_obsolete()
    if settings.REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
            client.ping()
            status["broker"] = "ok"
        except redis.RedisError as exc:
            status["broker"] = f"down: {exc.__class__.__name__}"
    else:
        status["broker"] = "not configured (tasks run in-process)"
    return status


# Words whose English equivalents an index remembers (it lives until a term changes).
EQUIVALENTS_KEPT = 20_000


class TermIndex:
    """All vocabulary terms in memory (a few hundred rows): code and label look-ups.

    Imports and services resolve thousands of cells against it without a query each.
    """

    def __init__(self, terms: list[Term]) -> None:
        self._foreign_tokens: dict[str, list[Term]] | None = None
        self._equivalents: dict[str, list[str]] = {}
        self._english_tokens: set[str] = set()
        self._tokens_by_start: dict[str, list[str]] = {}  # foreign tokens by their first three letters
        self._by_code: dict[str, dict[str, Term]] = {}
        self._by_label: dict[str, dict[str, Term]] = {}
        self._labels: dict[tuple[str, str], dict[str, str]] = {}
        self._facet_values: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for term in terms:
            self._by_code.setdefault(term.vocabulary, {})[term.code] = term
            labels = self._by_label.setdefault(term.vocabulary, {})
            for code, _name in settings.LANGUAGES:
                label = getattr(term, f"label_{code}", "") or ""
                if label:
                    labels.setdefault(_fold(label), term)

    def get(self, vocabulary: str, code: str) -> Term | None:
        return self._by_code.get(vocabulary, {}).get(code)

    def codes(self, vocabulary: str) -> list[str]:
        return list(self._by_code.get(vocabulary, {}))

    def terms(self, vocabulary: str) -> list[Term]:
        return list(self._by_code.get(vocabulary, {}).values())

    def labels(self, vocabulary: str) -> dict[str, str]:
        """Code -> label in the active language, every term, as `terms` orders them.

        Kept per language on the index (which is per vocabulary version): a search page
        read ~160 labels through the translation descriptors, 10% of its CPU.
        """
        from modeltranslation.utils import get_language as translated_language

        key = (vocabulary, translated_language())
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = {t.code: str(t.label) for t in self.terms(vocabulary)}
        return found

    def facet_values(self, vocabulary: str) -> list[tuple[str, str]]:
        """(code, label) of the terms a facet offers: not deprecated, in the vocabulary's order."""
        from modeltranslation.utils import get_language as translated_language

        key = (vocabulary, translated_language())
        found = self._facet_values.get(key)
        if found is None:
            labels = self.labels(vocabulary)
            terms = sorted(self.terms(vocabulary), key=lambda t: (t.order, t.code))
            found = self._facet_values[key] = [(t.code, labels[t.code]) for t in terms if not t.deprecated]
        return found

    def unknown(self, vocabulary: str, codes: list[str] | str) -> list[str]:
        values = [codes] if isinstance(codes, str) else codes
        known = self._by_code.get(vocabulary, {})
        return [code for code in values if code and code not in known]

    def resolve(self, vocabulary: str, value: str) -> Term | None:
        """A code, or a label in any portal language (case and accents ignored)."""
        value = value.strip()
        return self.get(vocabulary, value) or self._by_label.get(vocabulary, {}).get(_fold(value))

    def closest(self, vocabulary: str, value: str) -> str | None:
        """The code whose label (any language) or code is most like `value`, for "did you mean"."""
        import difflib

        labels = self._by_label.get(vocabulary, {})
        match = difflib.get_close_matches(_fold(value), list(labels), n=1, cutoff=0.6)
        if match:
            return labels[match[0]].code
        codes = difflib.get_close_matches(
            value.lower(), list(self._by_code.get(vocabulary, {})), n=1, cutoff=0.6
        )
        return codes[0] if codes else None

    def search_text(self, vocabulary: str, codes: list[str] | str) -> str:
        """The English label and synonyms of these codes, for the search index.

        Only English goes onto each row: the other seven languages' labels made the
        stored vector ~10 KB a row. A query word in another language is mapped to the
        English label at query time instead (`english_equivalents`).
        """
        values = [codes] if isinstance(codes, str) else codes
        parts: list[str] = []
        for code in values:
            term = self.get(vocabulary, code)
            if term is None:
                continue
            parts.append(getattr(term, "label_en", "") or term.label)
            parts.append(getattr(term, "synonyms_en", "") or "")
        return " ".join(p for p in parts if p)

    def english_equivalents(self, word: str) -> list[str]:
        """English labels of the terms whose label or synonyms in another language hold `word`."""
        known = self._equivalents.get(word)
        if known is not None:
            return list(known)
        found = self._english_equivalents(word)
        if len(self._equivalents) < EQUIVALENTS_KEPT:
            # Every search request asks for each of its words: the scan below is ~0.6 ms.
            self._equivalents[word] = found
        return list(found)

    def _english_equivalents(self, word: str) -> list[str]:
        if self._foreign_tokens is None:
            self._foreign_tokens = self._build_foreign_tokens()
        folded = _fold(word)
        if len(folded) < 3 or folded in self._english_tokens:
            return []  # already matchable in English on the row
        found: dict[int, str] = {}
        # A token that matches shares the word's first three letters (it equals the word,
        # or one starts with the other and both have three or more): only those are tried.
        for token in self._tokens_by_start.get(folded[:3], ()):
            terms = self._foreign_tokens[token]
            if token == folded or (
                len(folded) >= 6
                and abs(len(token) - len(folded)) <= 3
                and (token.startswith(folded) or folded.startswith(token))
            ):
                for term in terms:
                    found[term.pk] = getattr(term, "label_en", "") or term.label
        return sorted(set(found.values()))

    def _build_foreign_tokens(self) -> dict[str, list[Term]]:
        import re

        tokens: dict[str, list[Term]] = {}
        english: set[str] = set()
        for by_code in self._by_code.values():
            for term in by_code.values():
                english_text = (
                    f"{getattr(term, 'label_en', '') or ''} {getattr(term, 'synonyms_en', '') or ''}"
                )
                english.update(re.findall(r"\w{3,}", _fold(english_text)))
                for lang, _name in settings.LANGUAGES:
                    if lang == "en":
                        continue
                    text = f"{getattr(term, f'label_{lang}', '') or ''} {getattr(term, f'synonyms_{lang}', '') or ''}"
                    for token in set(re.findall(r"\w{3,}", _fold(text))):
                        tokens.setdefault(token, []).append(term)
        self._english_tokens = english
        by_start: dict[str, list[str]] = {}
        for token in tokens:
            by_start.setdefault(token[:3], []).append(token)
        self._tokens_by_start = by_start
        return tokens


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


# The last index built in this process: the signature of the rows it was built from, the
# index, the version token it was last checked at, and when (one tuple, replaced whole, so
# that threads never pair one check's version with another check's index).
_cached_index: tuple[tuple[Any, ...], TermIndex, object, float] | None = None
# However still the version token stands, the signature is asked again after this long:
# a bound on a write path that changes terms without moving the token.
VERSION_CHECK_SECONDS = 600


def term_index(*, version: object = None) -> TermIndex:
    """The vocabulary in memory; rebuilt only when a term was added, changed or deleted.

    Building it (folding ~1,000 labels, the foreign-word map) cost ~30 ms a search
    request; checking the signature is one small aggregate. Terms are saved through
    `core.services.term_save` (auto `updated_at`), so an edit changes the signature.

    `version`, when given, is a token that moves after every committed change of a term
    (the catalogue version, for reads): while it stands still, the signature is not
    asked again (for `VERSION_CHECK_SECONDS` at most). Writers call without it, so a term
    changed earlier in their own transaction is seen.
    """
    global _cached_index
    state = _cached_index
    now = time.monotonic()
    if (
        version is not None
        and state is not None
        and state[2] == version
        and now - state[3] < VERSION_CHECK_SECONDS
    ):
        return state[1]
    signature = tuple(Term.objects.aggregate(n=Count("pk"), latest=Max("updated_at"), top=Max("pk")).values())
    if state is not None and state[0] == signature:
        index = state[1]
    else:
        index = TermIndex(list(Term.objects.all()))
        index.english_equivalents("")  # build the foreign-word map now, once
    _cached_index = (signature, index, version, now)
    return index
    signature = tuple(Term.objects.aggregate(n=Count("pk"), latest=Max("updated_at"), top=Max("pk")).values())
    if _cached_index is None or _cached_index[0] != signature:
        index = TermIndex(list(Term.objects.all()))
        index.english_equivalents("")  # build the foreign-word map now, once
        _cached_index = (signature, index)
    _checked_version = version
    return _cached_index[1]
