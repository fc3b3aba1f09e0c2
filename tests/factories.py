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
