"""The facet lists built from pre-rendered pieces equal the template's own rendering."""

from __future__ import annotations

import random

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from catalogue import fragments, selectors
from catalogue.cache import VersionMemory
from core.models import Term
from core.selectors import term_index
from core.services import term_save
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def _card_data(facility) -> selectors.CardData:
    """A card's data read through the model (its translation descriptors), as the page
    read it before `facility_cards`: what that one query must equal."""
    return selectors.CardData(
        pk=facility.pk,
        slug=facility.slug,
        name=facility.name,
        acronym=facility.acronym,
        city=facility.city,
        tagline=facility.tagline,
        technologies=facility.technologies,
        host_name=facility.host.name,
        region_name=facility.region.name,
        trl_label=facility.trl_label,
    )


def _template(settings, tmp_path, name: str, text: str) -> None:
    """Pages rendered from `text` instead of the project's template `name` (the shapes
    are forgotten with the setting, catalogue.fragments._forget_shapes)."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]


@pytest.fixture
def catalogue(flanders, skane):
    rng = random.Random(3)
    for i in range(30):
        FacilityFactory(
            published=True,
            region=rng.choice([flanders, skane]),
            technologies=rng.sample(["photonics", "nanotechnology", "advanced-materials"], rng.randint(0, 2)),
            access_modes=rng.sample(["free", "fee-based"], rng.randint(0, 2)),
            trl_min=rng.randint(1, 4),
            trl_max=rng.randint(5, 9),
            description_en=f"Testing lab {i}",
        )


def _states(rng: random.Random):
    for _ in range(12):
        filters = {}
        for param, values in (
            ("region", ["flanders", "skane", "tartu"]),
            ("ket", ["photonics", "nanotechnology"]),
            ("access", ["free", "fee-based"]),
            ("trl", ["2", "7"]),
        ):
            if rng.random() < 0.4:
                filters[param] = rng.sample(values, rng.randint(1, 2))
        yield selectors.SearchParams(q=rng.choice(["", "testing", "nothing-matches-this"]), filters=filters)


@pytest.mark.parametrize("language", ["en", "de"])
def test_assembled_facet_lists_equal_the_templates_rendering(catalogue, language):
    with translation.override(language):
        index = term_index()
        for params in _states(random.Random(language)):
            facets = selectors.public_search(params).facets(index)
            expected = render_to_string("catalogue/partials/facets.html", {"facets": facets, "cut": ""})
            assert fragments.facets_html(facets, language=language) == expected


def test_a_renamed_value_is_rendered_with_its_new_label(catalogue):
    facets = selectors.public_search(selectors.SearchParams()).facets(term_index())
    assert "Photonics and optics" not in fragments.facets_html(facets, language="en")
    term = Term.objects.get(vocabulary=Term.Vocabulary.KET, code="photonics")
    term.label_en = "Photonics and optics"
    term_save(term=term, changed_fields=["label_en"])
    facets = selectors.public_search(selectors.SearchParams()).facets(term_index())
    assert "Photonics and optics" in fragments.facets_html(facets, language="en")


def test_a_template_without_its_cuts_is_refused(catalogue, settings, tmp_path):
    _template(
        settings, tmp_path, "catalogue/partials/facets.html", "{% for f in facets %}{{ f }}{% endfor %}"
    )
    facets = selectors.public_search(selectors.SearchParams()).facets(term_index())
    with pytest.raises(ValueError, match="cut"):
        fragments.facets_html(facets, language="en")


# --- result cards kept per catalogue version ----------------------------------------------


@pytest.fixture
def shaker(commit, flanders, search_memory_on):
    return commit(
        lambda: FacilityFactory(
            published=True,
            region=flanders,
            name="Shaker hall",
            technologies=["photonics"],
            description_en="Vibration testing on shaker tables; acoustic chambers.",
        )
    )


def _cards_part(client, q: str) -> str:
    html = client.get("/facilities/", {"q": q}).content.decode()
    return html[html.index('<ul class="result-list">') : html.index('<div class="compare-bar">')]


def test_a_card_shown_before_is_reused_with_the_snippet_of_the_new_words(client, shaker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = _cards_part(client, "vibration")
    with CaptureQueriesContext(connection) as captured:
        second = _cards_part(client, "acoustic")
    # The card's row (with its host, joined) is not read again.
    assert not [q for q in captured.captured_queries if "core_organisation" in q["sql"]]
    assert "<mark>Vibration</mark>" in first
    assert "<mark>acoustic</mark>" in second
    assert "<mark>Vibration</mark>" not in second


def test_a_card_from_memory_equals_one_rendered_anew(client, shaker):
    from catalogue.cache import _bump

    _cards_part(client, "vibration")
    from_memory = _cards_part(client, "acoustic")
    # A new catalogue version: nothing kept for the old one (cards, pages, hits) is used.
    # (Not cache.clear(): on Redis that is FLUSHDB, the other test processes' keys too.)
    _bump()
    assert _cards_part(client, "acoustic") == from_memory


def test_a_card_without_words_has_no_snippet(client, shaker):
    html = client.get("/facilities/").content.decode()
    assert "Shaker hall" in html
    assert 'class="snippet"' not in html


def test_cards_of_an_older_version_are_never_shown(shaker):
    card = fragments.card(_card_data(shaker), badges=[])
    memory = VersionMemory(size=10)
    memory.put_many(version=2, scope="en", values={shaker.pk: card})
    memory.put_many(version=1, scope="en", values={shaker.pk + 1: card})
    assert memory.get_many(version=1, scope="en", ids=[shaker.pk, shaker.pk + 1]) == {}
    assert memory.get_many(version=2, scope="en", ids=[shaker.pk, shaker.pk + 1]) == {shaker.pk: card}
    memory.put_many(version=3, scope="en", values={})
    assert memory.get_many(version=3, scope="en", ids=[shaker.pk]) == {}


def test_the_memory_keeps_at_most_its_size(shaker):
    card = fragments.card(_card_data(shaker), badges=[])
    memory = VersionMemory(size=2)
    memory.put_many(version=1, scope="en", values={1: card, 2: card})
    memory.get_many(version=1, scope="en", ids=[1])
    memory.put_many(version=1, scope="en", values={3: card})
    assert set(memory.get_many(version=1, scope="en", ids=[1, 2, 3])) == {1, 3}


# --- result cards filled into their shape ---------------------------------------------------


def _card_by_template(facility, badges):
    return render_to_string(
        "catalogue/partials/facility_card.html",
        {"facility": facility, "badges": badges, "snippet": "", "heading_level": 3, "compare": True},
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_filled_card_equals_the_templates_rendering(flanders, language):
    rng = random.Random(language)
    with translation.override(language):
        for i in range(40):
            facility = FacilityFactory(
                published=True,
                region=flanders,
                name=rng.choice(["Shaker hall", 'Lab <b>"Ø&Å"</b>', "Tom's & Jerry's"]) + f" {i}",
                acronym=rng.choice(["", "SH", "<&>"]),
                city=rng.choice(["", "Gent", "Sint-Niklaas & Co"]),
                tagline_en=rng.choice(["", "Vibration <testing> & more"]),
                trl_min=rng.choice([None, 3]),
                trl_max=rng.choice([None, 3, 7]),
            )
            badges = rng.sample(["Photonics", "Nano & <micro>", "Materials"], rng.randint(0, 3))
            [data] = selectors.facility_cards([facility.pk])  # as the search page reads it
            assert data == _card_data(facility)
            card = fragments.card(data, badges=badges)
            assert card.html(None) == _card_by_template(facility, badges)
            with_snippet = card.html(mark_safe("<mark>x</mark>"))
            assert with_snippet == render_to_string(
                "catalogue/partials/facility_card.html",
                {
                    "facility": facility,
                    "badges": badges,
                    "snippet": mark_safe("<mark>x</mark>"),
                    "heading_level": 3,
                    "compare": True,
                },
            )


def test_a_card_template_that_changes_a_value_is_refused(flanders, settings, tmp_path):
    _template(
        settings,
        tmp_path,
        "catalogue/partials/facility_card.html",
        "<h3>{{ facility.name|upper }}</h3>{{ snippet_cut }}{{ snippet }}{{ snippet_cut }}",
    )
    with pytest.raises(ValueError, match="other than as it is"):
        fragments.card(_card_data(FacilityFactory(region=flanders)), badges=[])


# --- the search page filled into its shape ---------------------------------------------------


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)


@pytest.mark.parametrize("language", ["en", "cs"])
def test_a_filled_search_page_equals_the_templates_rendering(client, catalogue, monkeypatch, language):
    from catalogue import views

    urls = [
        "/facilities/",
        "/facilities/?q=testing",
        "/facilities/?q=testing&sort=name&view=map",
        "/facilities/?q=%3Cscript%3E%22%27%26+lab&region=flanders",
        "/facilities/?q=nothing-matches-this",
        "/facilities/?ket=photonics&trl=7&sort=verified&page=2",
        "/facilities/?q=Testing+lab+1&x=%E2%9C%93%20%2F%3F",
    ]
    client.cookies["django_language"] = language
    filled = [client.get(url).content.decode() for url in urls]
    monkeypatch.setattr(
        views,
        "search_page",
        lambda request, *, context, results_html, count_html: render_to_string(
            "catalogue/search.html", context, request=request
        ),
    )
    rendered = [client.get(url).content.decode() for url in urls]
    for url, fast, slow in zip(urls, filled, rendered, strict=True):
        assert f'lang="{language}"' in fast
        assert _without_tokens(fast) == _without_tokens(slow), url


def test_a_changed_setting_reaches_the_filled_search_page(client, catalogue, settings):
    settings.DEMO_MODE = False
    assert "Sample data" not in client.get("/facilities/").content.decode()
    settings.DEMO_MODE = True
    assert "Sample data" in client.get("/facilities/").content.decode()


def test_labels_are_those_of_the_active_language_and_deprecated_terms_offer_no_facet(db):
    term = Term.objects.get(vocabulary=Term.Vocabulary.KET, code="photonics")
    term.label_de = "Photonik (de)"
    term_save(term=term, changed_fields=["label_de"])
    index = term_index()
    with translation.override("en"):
        assert index.labels(Term.Vocabulary.KET)["photonics"] == term.label_en
    with translation.override("de"):
        assert index.labels(Term.Vocabulary.KET)["photonics"] == "Photonik (de)"
        assert ("photonics", "Photonik (de)") in index.facet_values(Term.Vocabulary.KET)
    term.deprecated = True
    term_save(term=term, changed_fields=["deprecated"])
    index = term_index()
    assert "photonics" in index.labels(Term.Vocabulary.KET)  # still read on old records
    assert "photonics" not in dict(index.facet_values(Term.Vocabulary.KET))
