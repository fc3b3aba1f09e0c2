"""API shapes of enquiries (/api/v1/enquiries/): list, detail, the PATCH and a reply.

One resource is one facility's side of an enquiry (an `EnquiryThread`); what the SME
wrote comes along from its `Enquiry`. The requester's personal fields are null once the
enquiry is anonymised. Choices are documented as named enum components (`EnquiryState`,
...): the catalogue already has `state` and `type` fields with other choices, and
drf-spectacular's shared enum naming would otherwise warn about the clash.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue.enquiries.services import MAX_MESSAGE_LENGTH
from catalogue.models import Enquiry, EnquiryMessage, EnquiryThread
from core.serializers import StrictFieldsMixin

State = EnquiryThread.State
Outcome = EnquiryThread.Outcome
# "" is a thread without an outcome yet (and clears one in a PATCH).
OUTCOME_CHOICES = [("", _("None yet")), *Outcome.choices]


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as the enum component `component` (see the module docstring)."""

    def __init__(self, choices: Any, *, component: str, **kwargs: Any) -> None:
        self.component = component
        super().__init__(choices, **kwargs)


BLANK = '""'


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    target_class = NamedChoiceField

    def get_name(self) -> str:
        return str(self.target.component)

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        choices = self.target.choices
        return {
            "type": "string",
            "enum": [str(value) for value in choices],
            "description": "\n".join(f"* `{value or BLANK}`: {label}" for value, label in choices.items()),
        }


def _state_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(State.choices, component="EnquiryState", **kwargs)


def _outcome_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(OUTCOME_CHOICES, component="EnquiryOutcome", allow_blank=True, **kwargs)


# --- reading ----------------------------------------------------------------------------


class EnquiryUserSerializer(serializers.Serializer[User]):
    """A member of staff: id and display name (no email address)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class EnquiryMessageSerializer(serializers.ModelSerializer[EnquiryMessage]):
    author = NamedChoiceField(EnquiryMessage.Author.choices, component="EnquiryMessageAuthor", read_only=True)
    author_user = EnquiryUserSerializer(
        read_only=True, allow_null=True, help_text="The member of staff who wrote it or changed the state."
    )

    class Meta:
        model = EnquiryMessage
        fields = ["id", "author", "author_user", "body", "created_at"]
        read_only_fields = fields


class EnquiryOtherFacilitySerializer(serializers.ModelSerializer[EnquiryThread]):
    """Another facility asked in the same enquiry, and how far it got."""

    slug = serializers.SlugField(source="facility.slug", read_only=True)
    name = serializers.CharField(source="facility.name", read_only=True)
    state = _state_field(read_only=True)

    class Meta:
        model = EnquiryThread
        fields = ["slug", "name", "state"]
        read_only_fields = fields


class EnquiryListSerializer(serializers.ModelSerializer[EnquiryThread]):
    enquiry = serializers.IntegerField(
        source="enquiry_id", read_only=True, help_text="Threads of one enquiry share this number."
    )
    facility = serializers.SlugField(source="facility.slug", read_only=True)
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    region = serializers.SlugField(source="region.code", read_only=True)
    state = _state_field(read_only=True)
    outcome = _outcome_field(read_only=True)
    assigned_to = EnquiryUserSerializer(read_only=True, allow_null=True)
    type = NamedChoiceField(
        Enquiry.Type.choices, component="EnquiryType", source="enquiry.type", read_only=True
    )
    organisation_type = NamedChoiceField(
        Enquiry.OrganisationType.choices,
        component="EnquiryOrganisationType",
        source="enquiry.organisation_type",
        read_only=True,
    )
    country = serializers.CharField(source="enquiry.country", read_only=True)
    budget_band = NamedChoiceField(
        Enquiry.BudgetBand.choices,
        component="EnquiryBudgetBand",
        source="enquiry.budget_band",
        read_only=True,
    )
    wished_start = serializers.DateField(source="enquiry.wished_start", read_only=True, allow_null=True)
    name = serializers.SerializerMethodField(help_text="The requester; null once anonymised.")
    organisation = serializers.SerializerMethodField(help_text="Null once anonymised.")
    anonymised = serializers.BooleanField(source="enquiry.is_anonymised", read_only=True)
    first_response_seconds = serializers.SerializerMethodField(
        help_text="Seconds from the enquiry to the first answer or change of state."
    )

    class Meta:
        model = EnquiryThread
        fields = [
            "id",
            "enquiry",
            "facility",
            "facility_name",
            "region",
            "state",
            "outcome",
            "assigned_to",
            "type",
            "organisation_type",
            "country",
            "budget_band",
            "wished_start",
            "name",
            "organisation",
            "anonymised",
            "created_at",
            "updated_at",
            "last_message_at",
            "first_response_at",
            "first_response_seconds",
            "closed_at",
        ]
        read_only_fields = fields

    @staticmethod
    def _personal(thread: EnquiryThread, field: str) -> str | None:
        enquiry = thread.enquiry
        return None if enquiry.is_anonymised else str(getattr(enquiry, field))

    def get_name(self, obj: EnquiryThread) -> str | None:
        return self._personal(obj, "name")

    def get_organisation(self, obj: EnquiryThread) -> str | None:
        return self._personal(obj, "organisation")

    def get_first_response_seconds(self, obj: EnquiryThread) -> int | None:
        elapsed = obj.first_response_time
        return None if elapsed is None else int(elapsed.total_seconds())


class EnquiryDetailSerializer(EnquiryListSerializer):
    """The list item, plus what the SME wrote, the conversation and the other facilities asked."""

    # The other facilities come from the context (`other_facilities`), read by the view.

    email = serializers.SerializerMethodField(help_text="Null once anonymised.")
    message = serializers.SerializerMethodField(help_text="The SME's enquiry; null once anonymised.")
    language = serializers.CharField(source="enquiry.language", read_only=True)
    consent_at = serializers.DateTimeField(source="enquiry.consent_at", read_only=True)
    withdrawn_at = serializers.DateTimeField(source="enquiry.withdrawn_at", read_only=True, allow_null=True)
    messages = EnquiryMessageSerializer(many=True, read_only=True)
    other_facilities = serializers.SerializerMethodField()

    class Meta(EnquiryListSerializer.Meta):
        fields = [
            *EnquiryListSerializer.Meta.fields,
            "email",
            "message",
            "language",
            "consent_at",
            "withdrawn_at",
            "outcome_note",
            "messages",
            "other_facilities",
        ]
        read_only_fields = fields

    def get_email(self, obj: EnquiryThread) -> str | None:
        return self._personal(obj, "email")

    def get_message(self, obj: EnquiryThread) -> str | None:
        return self._personal(obj, "message")

    @extend_schema_field(EnquiryOtherFacilitySerializer(many=True))
    def get_other_facilities(self, obj: EnquiryThread) -> list[dict[str, Any]]:
        others = self.context.get("other_facilities", [])
        return list(EnquiryOtherFacilitySerializer(others, many=True).data)


# --- writing ----------------------------------------------------------------------------


class EnquiryUpdateSerializer(StrictFieldsMixin, serializers.Serializer[EnquiryThread]):
    """Any of these; `note` goes to the SME with a change of state."""

    # The context names the thread (`thread`): the assignee must be able to answer it.

    state = _state_field(required=False)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_MESSAGE_LENGTH,
        help_text="Shown to the SME with the change of state (needs `state`).",
    )
    outcome = _outcome_field(required=False)
    outcome_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_MESSAGE_LENGTH,
        help_text="Internal: not shown to the SME.",
    )
    assigned_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,  # auth_user.id is a 32-bit integer
        help_text="The id of a user who answers this region's enquiries; null for nobody.",
    )

    def validate_assigned_to(self, value: int | None) -> User | None:
        if value is None:
            return None
        user = User.objects.filter(pk=value).first()
        # Whether this person may answer is `services.thread_assign`'s rule; an unknown id
        # gets the same message, so ids reveal no one.
        if user is None:
            raise serializers.ValidationError(_("This person cannot answer this region's enquiries."))
        return user


class EnquiryReplySerializer(StrictFieldsMixin, serializers.Serializer[EnquiryMessage]):
    """A reply to the SME, mailed at once."""

    body = serializers.CharField(max_length=MAX_MESSAGE_LENGTH, help_text="Mailed to the SME.")
    state = _state_field(
        required=False, help_text="Move the thread too (else a new one moves to in-discussion)."
    )
