"""The catalogue's writes (catalogue.services): validation, workflow, derived columns.

The search vector is never stale (ARCHITECTURE §6): one test per write path that
changes text copied onto the facility, each asserting what an SME's search finds
right after the write.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalogue import cache as catalogue_cache
from catalogue import selectors, services
from catalogue.models import Facility
from catalogue.selectors import SearchParams
from core.models import Term
from core.services import organisation_save, term_save
from tests.factories import EquipmentFactory, FacilityFactory, OrganisationFactory, ServiceFactory


def found(q: str) -> list[str]:
    """Slugs the public search returns for `q`."""
    hits = selectors.facility_search_queryset(user=None, params=SearchParams(q=q))
    return list(hits.values_list("slug", flat=True))


@pytest.fixture
def lab(flanders):
    return FacilityFactory(
        published=True,
        slug="vibration-lab",
        name="Vibration Lab",
        region=flanders,
        technologies=["advanced-manufacturing"],
        facility_type="research-lab",
    )


# --- the search vector after each write path --------------------------------------------------


def test_facility_save_makes_a_new_name_searchable(lab):
    lab.name = "Cryogenic Test Hall"
    services.facility_save(facility=lab)
    assert found("cryogenic") == ["vibration-lab"]
    assert found("vibration") == []


def test_facility_save_makes_a_translated_description_searchable(lab):
    lab.description_de = "Schwingungsprüfung von Fahrzeugkomponenten"
    services.facility_save(facility=lab)
    assert found("Schwingungsprüfungen") == ["vibration-lab"]


def test_equipment_save_makes_the_equipment_searchable(lab):
    EquipmentFactory(facility=lab, name="Electrodynamic shaker", manufacturer="Brüel & Kjær")
    assert found("electrodynamic shaker") == ["vibration-lab"]
    assert found("Bruel Kjaer") == ["vibration-lab"]


def test_equipment_delete_removes_it_from_search(lab):
    equipment = EquipmentFactory(facility=lab, name="Electrodynamic shaker")
    services.equipment_delete(equipment=equipment)
    assert found("electrodynamic") == []


def test_service_save_makes_its_name_and_type_searchable(lab):
    ServiceFactory(facility=lab, name="Modal analysis", service_type="calibration")
    lab.refresh_from_db()
    assert found("modal analysis") == ["vibration-lab"]
    # The type's label in another language (German "Kalibrierung") finds it too.
    assert found("Kalibrierung") == ["vibration-lab"]
    assert lab.service_types == ["calibration"]


def test_service_delete_removes_it_from_search_and_types(lab):
    service = ServiceFactory(facility=lab, name="Modal analysis", service_type="calibration")
    services.service_delete(service=service)
    lab.refresh_from_db()
    assert found("modal analysis") == []
    assert lab.service_types == []


def test_moving_equipment_to_another_facility_refreshes_both(lab, flanders):
    other = FacilityFactory(published=True, slug="other-lab", region=flanders)
    equipment = EquipmentFactory(facility=lab, name="Electrodynamic shaker")
    equipment.facility = other
    services.equipment_save(equipment=equipment)
    assert found("electrodynamic") == ["other-lab"]


def test_moving_a_service_to_another_facility_refreshes_both(lab, flanders):
    other = FacilityFactory(published=True, slug="other-lab", region=flanders)
    service = ServiceFactory(facility=lab, name="Modal analysis", service_type="calibration")
    service.facility = other
    services.service_save(service=service)
    lab.refresh_from_db()
    assert found("modal analysis") == ["other-lab"]
    assert lab.service_types == []


def test_organisation_rename_reaches_the_hosted_facilities(lab, django_capture_on_commit_callbacks):
    host = lab.host
    host.name = "Sirris Collective Centre"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        organisation_save(organisation=host, changed_fields=["name"])
    assert len(_refreshes(callbacks)) == 1
    assert found("Sirris") == ["vibration-lab"]


def test_organisation_change_without_rename_does_not_refresh(lab, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        organisation_save(organisation=lab.host, changed_fields=["website"])
    assert _refreshes(callbacks) == []


def _refreshes(callbacks):
    """The scheduled index refreshes, without the search-cache version bumps (catalogue/cache.py)."""
    return [c for c in callbacks if c is not catalogue_cache._bump]


@pytest.mark.parametrize(
    ("vocabulary", "code", "setup"),
    [
        (Term.Vocabulary.KET, "advanced-manufacturing", None),
        (Term.Vocabulary.FACILITY_TYPE, "research-lab", None),
        (Term.Vocabulary.SERVICE_TYPE, "calibration", "service"),
        (Term.Vocabulary.EQUIPMENT_CATEGORY, "robotics", "equipment"),
    ],
)
def test_term_relabel_reaches_the_facilities_using_it(
    lab, django_capture_on_commit_callbacks, vocabulary, code, setup
):
    if setup == "service":
        ServiceFactory(facility=lab, service_type=code)
    elif setup == "equipment":
        EquipmentFactory(facility=lab, category=code)
    term = Term.objects.get(vocabulary=vocabulary, code=code)
    term.synonyms_en = f"{term.synonyms_en}, quuxification"
    with django_capture_on_commit_callbacks(execute=True):
        term_save(term=term, changed_fields=["synonyms_en"])
    assert found("quuxification") == ["vibration-lab"]


def test_region_rename_reaches_the_facilities_of_the_region(
    client_for, project_coordinator, lab, django_capture_on_commit_callbacks
):
    # The project coordinator may rename a region in the admin; its name is copied
    # onto every facility of the region (search_text_b) like a host's name.
    region = lab.region
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(project_coordinator).post(
            f"/admin/core/region/{region.pk}/change/",
            {
                "code": region.code,
                "name": "Vlaanderen",
                "country": region.country,
                "nuts_code": region.nuts_code,
                "nuts_level": region.nuts_level,
                "partner_name": region.partner_name,
                "latitude": region.latitude,
                "longitude": region.longitude,
                "languages": ",".join(region.languages),
                "inclusion_criteria": region.inclusion_criteria,
                "is_lead_partner": "on" if region.is_lead_partner else "",
                "_save": "Save",
            },
        )
    assert response.status_code == 302
    assert found("Vlaanderen") == ["vibration-lab"]


def test_rebuild_search_repairs_stale_copies(lab):
    EquipmentFactory(facility=lab, name="Electrodynamic shaker")
    Facility.objects.update(search_text_b="", search_text_c="")
    assert found("electrodynamic") == []
    assert services.facility_rebuild_search() == Facility.objects.count()
    assert found("electrodynamic") == ["vibration-lab"]


def test_search_words_rebuild_takes_published_words_only(lab, flanders):
    FacilityFactory(region=flanders, name="Secretive Draft", description_en="zeppelinhangar")
    services.search_words_rebuild()
    assert selectors.suggest_correction("vibraton") == "vibration"
    assert selectors.suggest_correction("zeppelinhangr") is None


# --- derived columns ---------------------------------------------------------------------------


def test_completeness_of_a_bare_record_lists_what_is_missing(flanders):
    facility = FacilityFactory(region=flanders, contact_email="")
    result = services.facility_completeness(facility, service_count=0)
    assert result.score == 0
    assert len(result.missing) == 5
    assert facility.completeness == 0


def test_completeness_of_a_full_record_is_100(flanders):
    facility = FacilityFactory(
        region=flanders,
        description_en="A lab.",
        access_modes=["fee-based"],
        pricing="commercial-rate",
        trl_min=3,
        trl_max=6,
    )
    ServiceFactory(facility=facility)
    facility.refresh_from_db()
    assert facility.completeness == 100
    assert services.facility_completeness(facility, service_count=1).missing == []


def test_completeness_counts_each_fifth(flanders):
    facility = FacilityFactory(region=flanders, description_en="A lab.", trl_min=2, trl_max=4)
    result = services.facility_completeness(facility, service_count=0)
    assert result.score == 60
    assert len(result.missing) == 2


def test_service_types_are_derived_from_the_services(lab):
    ServiceFactory(facility=lab, service_type="training")
    ServiceFactory(facility=lab, service_type="calibration")
    ServiceFactory(facility=lab, service_type="training")
    lab.refresh_from_db()
    assert lab.service_types == ["calibration", "training"]


# --- validation ----------------------------------------------------------------------------------


def test_trl_min_above_max_is_refused(flanders):
    with pytest.raises(ValidationError) as excinfo:
        FacilityFactory(region=flanders, trl_min=7, trl_max=3)
    assert "TRL" in " ".join(excinfo.value.messages)
    assert not Facility.objects.exists()


def test_trl_out_of_range_is_refused(flanders):
    with pytest.raises(ValidationError) as excinfo:
        FacilityFactory(region=flanders, trl_min=0, trl_max=10)
    assert set(excinfo.value.message_dict) >= {"trl_min", "trl_max"}


def test_the_database_refuses_an_inverted_trl_range_too(lab):
    with pytest.raises(IntegrityError), transaction.atomic():
        Facility.objects.filter(pk=lab.pk).update(trl_min=8, trl_max=2)


def test_published_facility_without_contact_email_is_refused(flanders):
    with pytest.raises(ValidationError) as excinfo:
        FacilityFactory(region=flanders, published=True, contact_email="")
    assert "contact email" in " ".join(excinfo.value.messages)


def test_unknown_code_is_named_with_a_suggestion(flanders):
    with pytest.raises(ValidationError) as excinfo:
        FacilityFactory(region=flanders, technologies=["fotonica"])
    message = " ".join(excinfo.value.message_dict["technologies"])
    assert "'fotonica'" in message
    # TermIndex.closest matches the Italian label "Fotonica" and answers with the code.
    assert "Did you mean 'photonics'?" in message


def test_unknown_code_without_a_near_term_gets_no_suggestion(flanders):
    with pytest.raises(ValidationError) as excinfo:
        FacilityFactory(region=flanders, facility_type="submarine")
    message = " ".join(excinfo.value.message_dict["facility_type"])
    assert "'submarine'" in message
    assert "Did you mean" not in message


def test_a_label_given_for_a_code_is_answered_with_the_code(flanders):
    # An integrator sends the label; "Did you mean 'Photonics'?" would send them in a
    # circle: the suggestion must be the code the field stores.
    with pytest.raises(ValidationError) as excinfo:
        FacilityFactory(region=flanders, technologies=["Photonics"])
    assert "'photonics'" in " ".join(excinfo.value.message_dict["technologies"])


def test_unknown_equipment_category_is_refused(lab):
    with pytest.raises(ValidationError) as excinfo:
        EquipmentFactory(facility=lab, category="telescopes")
    assert "'telescopes'" in " ".join(excinfo.value.message_dict["category"])


def test_unknown_service_type_is_refused(lab):
    with pytest.raises(ValidationError) as excinfo:
        ServiceFactory(facility=lab, service_type="massage")
    assert "'massage'" in " ".join(excinfo.value.message_dict["service_type"])


def test_a_service_cannot_use_another_facilitys_equipment(lab, flanders):
    foreign = EquipmentFactory(facility=FacilityFactory(region=flanders))
    service = ServiceFactory.build(facility=lab, service_type="training")
    with pytest.raises(ValidationError):
        services.service_save(service=service, equipment=[foreign])
    assert not lab.services.exists()


# --- workflow ------------------------------------------------------------------------------------


def test_a_facility_goes_from_draft_to_archived(flanders):
    facility = FacilityFactory(region=flanders)
    services.facility_submit(facility=facility)
    assert facility.state == Facility.State.SUBMITTED
    services.facility_publish(facility=facility)
    assert (facility.state, facility.published_at is not None) == (Facility.State.PUBLISHED, True)
    services.facility_archive(facility=facility)
    assert Facility.objects.get(pk=facility.pk).state == Facility.State.ARCHIVED


def test_an_archived_facility_can_be_published_again(flanders):
    facility = FacilityFactory(region=flanders, state=Facility.State.ARCHIVED)
    services.facility_publish(facility=facility)
    assert Facility.objects.get(pk=facility.pk).state == Facility.State.PUBLISHED


def test_a_published_facility_cannot_go_back_to_submitted(lab):
    with pytest.raises(ValidationError) as excinfo:
        services.facility_submit(facility=lab)
    assert "cannot become" in " ".join(excinfo.value.messages)
    assert Facility.objects.get(pk=lab.pk).state == Facility.State.PUBLISHED


def test_publishing_keeps_the_first_publication_date(lab):
    first = lab.published_at
    services.facility_archive(facility=lab)
    services.facility_publish(facility=lab)
    assert Facility.objects.get(pk=lab.pk).published_at == first


def test_verify_sets_the_verification_date_only(lab):
    before = Facility.objects.get(pk=lab.pk).updated_at
    services.facility_verify(facility=lab)
    stored = Facility.objects.get(pk=lab.pk)
    assert stored.last_verified_at == lab.last_verified_at
    assert stored.updated_at == before


# --- history -------------------------------------------------------------------------------------


def test_every_save_leaves_a_history_record(lab):
    lab.name = "Renamed Lab"
    services.facility_save(facility=lab)
    assert lab.history.count() == 2
    assert lab.history.first().name == "Renamed Lab"


def test_equipment_and_service_saves_leave_history(lab):
    equipment = EquipmentFactory(facility=lab)
    service = ServiceFactory(facility=lab)
    assert equipment.history.count() == 1
    assert service.history.count() == 1


def test_history_does_not_copy_the_search_columns(lab):
    fields = {f.name for f in lab.history.model._meta.get_fields()}
    assert "name_de" in fields
    assert not fields & {"search_vector", "search_text_b", "search_names"}


def test_host_of_another_region_is_allowed(lab, skane):
    # A facility may name a partner of another region as its host (core/admin.py).
    lab.host = OrganisationFactory(region=skane, name="Lunds universitet")
    services.facility_save(facility=lab)
    assert found("Lunds universitet") == ["vibration-lab"]
