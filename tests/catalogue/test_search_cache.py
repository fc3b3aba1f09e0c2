"""The cached results part of the search page (catalogue/cache.py, issue #6).

The cache is off in the rest of the suite (transactions roll back there without commit
hooks); here it is on, and commit hooks run, so every write path must show up in the
next search.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalogue import services
from catalogue.cache import catalogue_changed, catalogue_version
from catalogue.models import Facility
from core.models import Term
from core.services import organisation_save, term_save
from tests.factories import EquipmentFactory, FacilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(search_memory_on):
    return


def _results(html: str) -> str:
    """The results part of a page (the rest holds a per-visitor CSRF token)."""
    return html[html.index('<div id="results"') : html.index('<form id="compare-form"')]


def search(client, **params):
    response = client.get("/facilities/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_repeated_search_is_served_from_the_cache(client, lab):
    first = search(client, q="vibration")
    with CaptureQueriesContext(connection) as captured:
        second = search(client, q="vibration")
    assert _results(second) == _results(first)
    # Only the term-index signature and the regions of the filter set remain.
    assert len(captured.captured_queries) <= 2
    assert "Vibration lab" in second


def test_htmx_and_full_page_share_the_results_but_not_the_wrapper(client, lab):
    page = search(client, q="vibration")
    fragment = client.get("/facilities/", {"q": "vibration"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-swap-oob="innerHTML"' in fragment
    assert "Vibration lab" in fragment
    assert "<html" not in fragment
    assert 'hx-swap-oob="innerHTML"' not in page


def test_a_saved_facility_shows_in_the_next_search(client, lab, commit, flanders):
    assert "Shaker hall" not in search(client, q="vibration")
    commit(
        lambda: FacilityFactory(
            published=True, region=flanders, name="Shaker hall", description_en="Vibration testing."
        )
    )
    assert "Shaker hall" in search(client, q="vibration")


def test_an_edit_and_an_archive_show_in_the_next_search(client, lab, commit):
    search(client, q="vibration")
    lab.name = "Vibration and shock lab"
    commit(lambda: services.facility_save(facility=lab))
    assert "Vibration and shock lab" in search(client, q="vibration")
    commit(lambda: services.facility_archive(facility=lab))
    assert "Vibration and shock lab" not in search(client, q="vibration")


def test_equipment_host_and_vocabulary_changes_show_in_the_next_search(client, lab, commit):
    assert "Laser Doppler" not in search(client, q="doppler")
    commit(lambda: EquipmentFactory(facility=lab, name="Laser Doppler vibrometer"))
    assert "Vibration lab" in search(client, q="doppler")

    host = lab.host
    host.name = "Sirris Collective Centre"
    commit(lambda: organisation_save(organisation=host, changed_fields=["name"]))
    assert "Sirris Collective Centre" in search(client, q="vibration")

    term = Term.objects.get(vocabulary=Term.Vocabulary.KET, code="photonics")
    term.label_en = "Photonics and optics"
    commit(lambda: term_save(term=term, changed_fields=["label_en"]))
    assert "Photonics and optics" in search(client, q="vibration")


def test_a_rolled_back_write_leaves_the_version_alone(lab, django_capture_on_commit_callbacks):
    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _failed_write()
    assert callbacks == []
    assert catalogue_version() == before


def _failed_write() -> None:
    try:
        with transaction.atomic():
            catalogue_changed()
            raise RuntimeError("the import failed")
    except RuntimeError:
        pass


def test_bulk_writes_that_send_no_signals_bump_the_version(client, lab, commit):
    search(client, q="vibration")
    before = catalogue_version()
    # A bulk path (imports, the verify action) says so itself.
    commit(lambda: services.facility_verify(facility=lab))
    assert catalogue_version() > before
    Facility.objects.filter(pk=lab.pk).update(name="Renamed in bulk")
    commit(catalogue_changed)
    assert "Renamed in bulk" in search(client, q="vibration")


def test_each_language_and_each_state_has_its_own_entry(client, lab):
    english = search(client, q="vibration")
    client.cookies["django_language"] = "de"
    german = search(client, q="vibration")
    assert german != english
    assert search(client, q="vibration", sort="name") != german


def test_the_cache_off_computes_every_time(client, lab, settings):
    settings.SEARCH_CACHE_SECONDS = 0
    settings.SEARCH_ENGINE_MEMORY = False
    search(client, q="vibration")
    with CaptureQueriesContext(connection) as captured:
        search(client, q="vibration")
    assert len(captured.captured_queries) > 2


def test_the_public_api_list_is_cached_and_follows_writes(client, lab, commit, flanders):
    url = "/api/v1/facilities/?search=vibration&facets=all"
    first = client.get(url).json()
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url).json()
    assert second == first
    # Served from the cache before the FilterSet is built: no vocabulary, no regions, no search.
    assert captured.captured_queries == []
    commit(
        lambda: FacilityFactory(
            published=True, region=flanders, name="Shaker hall", description_en="Vibration testing."
        )
    )
    names = [item["name"] for item in client.get(url).json()["results"]]
    assert "Shaker hall" in names


def test_drafts_in_the_api_list_are_never_cached(client_for, editor, lab, commit, flanders):
    client = client_for(editor)
    url = "/api/v1/facilities/?include=drafts"
    client.get(url)
    commit(lambda: Facility.objects.filter(pk=lab.pk).update(name="Silently renamed"))  # no version bump
    names = [item["name"] for item in client.get(url).json()["results"]]
    assert "Silently renamed" in names


def test_the_public_api_list_etag_follows_the_catalogue_version(client, lab, commit):
    url = "/api/v1/facilities/?search=vibration&page=1"
    first = client.get(url)
    assert first["Last-Modified"].endswith("GMT")
    # No aggregate over the table: the version in the cache says whether anything changed.
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert not [q for q in captured.captured_queries if "catalogue_facility" in q["sql"]]
    lab.city = "Kortrijk"
    commit(lambda: services.facility_save(facility=lab))
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["results"][0]["city"] == "Kortrijk"


def suggestions(client, q: str) -> list[str]:
    return [s["name"] for s in client.get("/facilities/suggest/", {"q": q}).json()["suggestions"]]


def test_suggestions_are_cached_and_follow_writes(client, lab, commit, flanders):
    assert suggestions(client, "vibr") == ["Vibration lab"]
    with CaptureQueriesContext(connection) as captured:
        assert suggestions(client, "vibr") == ["Vibration lab"]
    assert len(captured.captured_queries) <= 1  # the term index's signature at most
    commit(lambda: FacilityFactory(published=True, region=flanders, name="Vibration hall"))
    assert sorted(suggestions(client, "vibr")) == ["Vibration hall", "Vibration lab"]
    commit(lambda: services.facility_archive(facility=lab))
    assert suggestions(client, "vibr") == ["Vibration hall"]


def test_the_search_engine_memory_follows_writes(client, lab, commit, flanders):
    """Hits and facet counts come from per-version memory (selectors.PublicSearch)."""
    assert "(1)" in _facet_label(search(client, q="vibration"), "photonics")
    commit(
        lambda: FacilityFactory(
            published=True,
            region=flanders,
            name="Optics hall",
            technologies=["photonics"],
            description_en="Vibration isolation tables.",
        )
    )
    page = search(client, q="vibration")
    assert "Optics hall" in page
    assert "(2)" in _facet_label(page, "photonics")
    lab.technologies = []
    commit(lambda: services.facility_save(facility=lab))
    assert "(1)" in _facet_label(search(client, q="vibration"), "photonics")


def _facet_label(html: str, code: str) -> str:
    """The label of one technology facet value: 'Photonics (n)'."""
    start = html.index(f'for="facet-ket-{code}"')
    return html[start : html.index("</label>", start)]


def test_a_pinned_version_is_read_once_for_the_whole_request():
    from catalogue.cache import _bump, version_pinned

    with version_pinned() as pinned:
        _bump()
        assert catalogue_version() == pinned
        with version_pinned() as inner:
            assert inner == pinned
    assert catalogue_version() > pinned


def test_a_search_page_reads_the_version_from_the_cache_once(client, lab, monkeypatch):
    from catalogue import cache as catalogue_cache

    reads = []
    original = catalogue_cache._read_version
    monkeypatch.setattr(catalogue_cache, "_read_version", lambda: reads.append(1) or original())
    search(client, q="vibration", region="flanders")
    assert len(reads) == 1


def test_a_refused_api_list_is_refused_again_not_served_from_the_cache(client, lab):
    url = "/api/v1/facilities/?ket=no-such-technology&page=1"
    assert client.get(url).status_code == 400
    again = client.get(url)
    assert again.status_code == 400
    assert "ket" in again.json()["errors"]


def test_the_vocabulary_is_checked_once_per_catalogue_version(lab, commit):
    from catalogue.selectors import vocabulary

    vocabulary()
    with CaptureQueriesContext(connection) as captured:
        vocabulary()
    assert captured.captured_queries == []
    term = Term.objects.get(vocabulary=Term.Vocabulary.KET, code="photonics")
    term.label_en = "Photonics and optics"
    commit(lambda: term_save(term=term, changed_fields=["label_en"]))
    assert vocabulary().get(Term.Vocabulary.KET, "photonics").label_en == "Photonics and optics"


def test_an_api_item_shown_before_is_not_read_again_and_names_the_host_asked(client, lab):
    first = client.get("/api/v1/facilities/?search=vibration&page=1").json()["results"]
    with CaptureQueriesContext(connection) as captured:
        second = client.get("/api/v1/facilities/?search=shaker&page=1").json()["results"]
    assert second == first
    assert not [q for q in captured.captured_queries if "core_organisation" in q["sql"]]
    other = client.get("/api/v1/facilities/?search=shaker&page=1", HTTP_HOST="localhost").json()["results"]
    assert other[0]["url"].startswith("http://localhost/")
    assert first[0]["url"].startswith("http://testserver/")


def test_a_term_added_without_moving_the_version_is_seen_within_the_bound(lab, monkeypatch):
    from catalogue.selectors import vocabulary
    from core import selectors as core_selectors

    assert vocabulary().get(Term.Vocabulary.KET, "quantum") is None
    # bulk_create sends no signal: the catalogue version stands still.
    Term.objects.bulk_create([Term(vocabulary=Term.Vocabulary.KET, code="quantum", label_en="Quantum")])
    assert vocabulary().get(Term.Vocabulary.KET, "quantum") is None
    monkeypatch.setattr(core_selectors, "VERSION_CHECK_SECONDS", 0)
    assert vocabulary().get(Term.Vocabulary.KET, "quantum") is not None


def test_kept_cards_and_items_are_forgotten_after_the_bound(monkeypatch):
    from catalogue import cache as catalogue_cache

    memory = catalogue_cache.VersionMemory(size=10)
    memory.put_many(version=7, scope="en", values={1: "card"})
    assert memory.get_many(version=7, scope="en", ids=[1]) == {1: "card"}
    monkeypatch.setattr(catalogue_cache, "PROCESS_MEMORY_SECONDS", 0)
    assert memory.get_many(version=7, scope="en", ids=[1]) == {}


def test_a_client_holding_the_list_gets_a_304_before_the_list_is_built(client, lab):
    from django.core.cache import cache

    from catalogue.cache import search_cache_key

    url = "/api/v1/facilities/?search=vibration&page=1"
    etag = client.get(url)["ETag"]
    key = search_cache_key(
        kind="api-facility-list", pairs=[("url", f"http://testserver{url}")], language="en"
    )
    cache.delete(key)  # as when another process answered, or the entry expired
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert cache.get(key) is None  # the list was not built for a client that has it


# --- one computation of a value at a time, across processes -------------------------------


def _key() -> str:
    import uuid

    return f"test-computed-once:{uuid.uuid4().hex}"


def test_a_value_being_computed_elsewhere_is_waited_for_not_computed_again(monkeypatch):
    from django.core.cache import cache

    from catalogue import cache as search_cache

    key = _key()
    calls: list[int] = []
    assert cache.add(f"{key}:computing", 1, timeout=30)  # another process is computing it
    waits: list[float] = []

    def the_other_finishes(seconds: float) -> None:  # while this one waits
        waits.append(seconds)
        cache.set(key, "theirs", timeout=60)

    monkeypatch.setattr(search_cache.time, "sleep", the_other_finishes)
    assert search_cache.computed_once(key, lambda: calls.append(1) or "mine", timeout=60) == "theirs"
    assert calls == []
    assert len(waits) == 1


def test_a_computation_that_went_without_a_value_is_done_again(monkeypatch):
    from django.core.cache import cache

    from catalogue import cache as search_cache

    key = _key()
    assert cache.add(f"{key}:computing", 1, timeout=30)

    def the_other_fails(seconds: float) -> None:  # no value, no lock
        cache.delete(f"{key}:computing")

    monkeypatch.setattr(search_cache.time, "sleep", the_other_fails)
    assert search_cache.computed_once(key, lambda: "mine", timeout=60) == "mine"
    assert cache.get(key) == "mine"
    assert cache.get(f"{key}:computing") is None  # its own lock, taken and let go


def test_a_failed_computation_leaves_no_lock_behind():
    from django.core.cache import cache

    from catalogue.cache import computed_once

    key = _key()

    def fail():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        computed_once(key, fail, timeout=60)
    assert cache.get(f"{key}:computing") is None
    assert computed_once(key, lambda: "second try", timeout=60) == "second try"
