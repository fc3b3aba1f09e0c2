"""The facet lists built from pre-rendered pieces equal the template's own rendering."""

from __future__ import annotations

import random

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from catalogue import fragments, selectors
from core.models import Term
from core.selectors import term_index
from core.services import term_save
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


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
    (tmp_path / "catalogue" / "partials").mkdir(parents=True)
    (tmp_path / "catalogue" / "partials" / "facets.html").write_text(
        "{% for f in facets %}{{ f }}{% endfor %}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    fragments._skeletons.clear()
    facets = selectors.public_search(selectors.SearchParams()).facets(term_index())
    with pytest.raises(ValueError, match="cut"):
        fragments.facets_html(facets, language="en")
