"""factory_boy factories shared by every test module (STYLE "Tests")."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from core.models import Membership, Organisation, Region, Term

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def region(code: str) -> Region:
    """The seeded regions come from a data migration; tests look them up."""
    return Region.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Research Centre {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    type = Organisation.Type.RTO
    helix = Organisation.Helix.ACADEMIA
    region = factory.LazyFunction(lambda: region("flanders"))
    country = factory.LazyAttribute(lambda o: o.region.country)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    region = factory.LazyFunction(lambda: region("flanders"))
    role = Membership.Role.EDITOR


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("vocabulary", "code")

    vocabulary = Term.Vocabulary.KET
    code = factory.Sequence(lambda n: f"term-{n}")
    label = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())


# --- catalogue ------------------------------------------------------------------------
# Facilities, equipment and services are built through the catalogue services, so the
# columns they derive (service types, completeness, the copied search text behind the
# search vector) are what the portal itself would have written.

from django.utils import timezone  # noqa: E402

from catalogue import services as catalogue_services  # noqa: E402
from catalogue.models import Equipment, Facility, Service  # noqa: E402


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    name = factory.Sequence(lambda n: f"Test Facility {n}")
    slug = factory.Sequence(lambda n: f"facility-{n}")
    region = factory.LazyFunction(lambda: region("flanders"))
    host = factory.SubFactory(OrganisationFactory, region=factory.SelfAttribute("..region"))
    contact_email = "lab@example.org"
    state = Facility.State.DRAFT

    class Params:
        published = factory.Trait(
            state=Facility.State.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            last_verified_at=factory.LazyFunction(timezone.now),
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return catalogue_services.facility_save(facility=model_class(*args, **kwargs))


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    facility = factory.SubFactory(FacilityFactory)
    name = factory.Sequence(lambda n: f"Instrument {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return catalogue_services.equipment_save(equipment=model_class(*args, **kwargs))


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    facility = factory.SubFactory(FacilityFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    service_type = "testing-validation"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return catalogue_services.service_save(service=model_class(*args, **kwargs))
