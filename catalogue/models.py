"""The catalogue's records: Facility (the RII), its Equipment and its Services.

Vocabulary values are stored as arrays of stable `core.Term` codes on the facility
itself. Facets filter and count on these columns with GIN indexes instead of joining
seven many-to-many tables (ARCHITECTURE §6, issue "Performance"); the services
validate every code against the vocabulary, so no unknown code is ever written.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BaseModel, Organisation, Region

LANGUAGE_CODES = [code for code, _label in settings.LANGUAGES]
TRL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(9)]


def _search_vector() -> SearchVector:
    """The facility's one stored tsvector (ARCHITECTURE §6).

    A: names and acronym; B: technologies, services, keywords, equipment, host (copied
    onto the row in `search_text_b` by the services); C: taglines, descriptions and the
    services' and equipment's descriptions (`search_text_c`). Each language column is
    read with its own language's configuration; copied text with English and simple.
    """
    parts: list[SearchVector] = []
    for code in LANGUAGE_CODES:
        parts.append(SearchVector(f"name_{code}", config=f"innoinfra_{code}", weight="A"))
    parts.append(SearchVector("name", config="innoinfra_simple", weight="A"))
    parts.append(SearchVector("acronym", config="innoinfra_simple", weight="A"))
    parts.append(SearchVector("search_text_b", config="innoinfra_en", weight="B"))
    parts.append(SearchVector("search_text_b", config="innoinfra_simple", weight="B"))
    for code in LANGUAGE_CODES:
        parts.append(SearchVector(f"tagline_{code}", config=f"innoinfra_{code}", weight="C"))
        parts.append(SearchVector(f"description_{code}", config=f"innoinfra_{code}", weight="C"))
    parts.append(SearchVector("search_text_c", config="innoinfra_en", weight="C"))
    vector = parts[0]
    for part in parts[1:]:
        vector = vector + part  # type: ignore[assignment]
    return vector


def trl_label(trl_min: int | None, trl_max: int | None) -> str:
    """A facility's readiness levels as pages show them: a range, or one level alone."""
    if trl_min and trl_max:
        return f"{trl_min}–{trl_max}" if trl_min != trl_max else str(trl_min)
    return ""


class Facility(BaseModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Structure(models.TextChoices):
        SINGLE_SITED = "single-sited", _("Single-sited")
        DISTRIBUTED = "distributed", _("Distributed")
        MOBILE = "mobile", _("Mobile")
        VIRTUAL = "virtual", _("Virtual")

    class Lifecycle(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_CONSTRUCTION = "under-construction", _("Under construction")
        OPERATIONAL = "operational", _("Operational")
        UPGRADING = "upgrading", _("Being upgraded")
        DECOMMISSIONED = "decommissioned", _("Decommissioned")

    # What it is
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    original_language = models.CharField(
        _("original language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language the record was written in; shown when no translation exists."),
    )
    website = models.URLField(_("website"), blank=True)
    facility_type = models.CharField(_("facility type"), max_length=60, blank=True)
    structure = models.CharField(
        _("structure"), max_length=20, choices=Structure.choices, default=Structure.SINGLE_SITED
    )
    lifecycle = models.CharField(
        _("lifecycle status"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.OPERATIONAL
    )

    # Who and where
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("region")
    )
    host = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hosted_facilities",
        verbose_name=_("host organisation"),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)

    # What it offers: vocabulary codes (core.Term)
    technologies = ArrayField(
        models.CharField(max_length=60), verbose_name=_("technologies (KETs)"), default=list, blank=True
    )
    scientific_domains = ArrayField(
        models.CharField(max_length=60), verbose_name=_("scientific domains"), default=list, blank=True
    )
    application_sectors = ArrayField(
        models.CharField(max_length=60),
        verbose_name=_("application sectors (NACE)"),
        default=list,
        blank=True,
    )
    service_types = ArrayField(
        models.CharField(max_length=60),
        verbose_name=_("service types"),
        default=list,
        blank=True,
        help_text=_("Kept equal to the types of the facility's services."),
    )
    access_types = ArrayField(
        models.CharField(max_length=60), verbose_name=_("access types"), default=list, blank=True
    )
    access_modes = ArrayField(
        models.CharField(max_length=60), verbose_name=_("access modes"), default=list, blank=True
    )
    target_users = ArrayField(
        models.CharField(max_length=60), verbose_name=_("target users"), default=list, blank=True
    )
    keywords = ArrayField(
        models.CharField(max_length=80), verbose_name=_("keywords"), default=list, blank=True
    )
    trl_min = models.PositiveSmallIntegerField(
        _("lowest TRL"), null=True, blank=True, validators=TRL_VALIDATORS
    )
    trl_max = models.PositiveSmallIntegerField(
        _("highest TRL"), null=True, blank=True, validators=TRL_VALIDATORS
    )

    # Access terms
    order_type = models.CharField(_("order type"), max_length=60, blank=True)
    pricing = models.CharField(_("pricing model"), max_length=60, blank=True)
    price_indication = models.CharField(_("price indication"), max_length=200, blank=True)
    lead_time = models.CharField(_("typical lead time"), max_length=100, blank=True)
    support_level = models.CharField(_("support level"), max_length=60, blank=True)
    training_offered = models.BooleanField(_("training offered"), default=False)
    certifications = models.CharField(_("certifications"), max_length=255, blank=True)

    # Contact
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("public contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    # Curation
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(_("completeness %"), default=0)
    source = models.CharField(_("source"), max_length=60, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)

    # Search: text copied from related rows by the services, then one generated vector.
    search_text_b = models.TextField(editable=False, default="")
    search_text_c = models.TextField(editable=False, default="")
    search_vector = models.GeneratedField(
        expression=_search_vector(),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # Names and acronym, lower-cased and unaccented, for trigram typo tolerance.
    search_names = models.GeneratedField(
        expression=models.Func(
            Lower(Concat(F("name"), Value(" "), F("acronym"), output_field=models.TextField())),
            function="innoinfra_unaccent",
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.CheckConstraint(
                name="facility_trl_range",
                condition=(Q(trl_min__isnull=True) | Q(trl_max__isnull=True) | Q(trl_min__lte=F("trl_max"))),
                violation_error_message=_("The lowest TRL must not be above the highest."),
            ),
            models.CheckConstraint(
                name="facility_trl_bounds",
                condition=(Q(trl_min__isnull=True) | Q(trl_min__range=(1, 9)))
                & (Q(trl_max__isnull=True) | Q(trl_max__range=(1, 9))),
            ),
            models.CheckConstraint(
                name="facility_published_has_contact",
                condition=~Q(state="published") | ~Q(contact_email=""),
                violation_error_message=_("A published facility needs a public contact email."),
            ),
            models.UniqueConstraint(
                fields=["region", "source", "external_id"],
                condition=~Q(external_id=""),
                name="facility_unique_external_id",
                violation_error_message=_("Another facility of this region has this external id."),
            ),
        ]
        indexes = [
            # Full-text search (ARCHITECTURE §6).
            GinIndex(fields=["search_vector"], name="facility_search_vector"),
            # Typo tolerance on names and acronyms (pg_trgm).
            GinIndex(OpClass(F("search_names"), name="gin_trgm_ops"), name="facility_names_trgm"),
            # Facet filters: `&&` overlap on the vocabulary arrays.
            GinIndex(fields=["technologies"], name="facility_technologies"),
            GinIndex(fields=["service_types"], name="facility_service_types"),
            GinIndex(fields=["access_modes"], name="facility_access_modes"),
            GinIndex(fields=["target_users"], name="facility_target_users"),
            # Public lists: published rows by region and type; "my region" lists by state.
            models.Index(fields=["state", "region", "facility_type"], name="facility_state_region_type"),
            # "Recently verified" sort and the stale-entry reminders.
            models.Index(fields=["state", "last_verified_at"], name="facility_state_verified"),
            # The search engine's facet index reads these of every published row: an
            # index-only scan of this (~20 MB at 100,000) instead of the wide rows (700 MB)
            # took 24 ms instead of 370 (catalogue.selectors._build_facet_index).
            models.Index(
                fields=["state"],
                include=[
                    "id",
                    "region",
                    "trl_min",
                    "trl_max",
                    "facility_type",
                    "technologies",
                    "service_types",
                    "access_modes",
                    "target_users",
                ],
                name="facility_facet_columns",
            ),
            # The order of a search without words (every published facility): read in
            # order from this instead of sorting every published row, 245 ms at 100,000
            # facilities (catalogue.selectors._order).
            models.Index(
                F("completeness").desc(),
                F("last_verified_at").desc(nulls_last=True),
                F("id"),
                condition=Q(state="published"),
                name="facility_browse_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def trl_label(self) -> str:
        return trl_label(self.trl_min, self.trl_max)


class SearchDocument(models.Model):
    """What a word search of the public catalogue reads of each published facility: its
    search vector and its names (the tie-break of equal ranks, per language).

    A copy, kept by database triggers on the facility table (migration 0009), so that
    every write path keeps it, the bulk ones too: a row per published facility, gone when
    the facility is unpublished or deleted. Nothing writes it from Python. Why a copy: a
    facility row holds its descriptions in eight languages beside the vector, one row a
    page, so ranking a broad word read a page per hit; these rows are two a page, and
    the 29 searches of the benchmark's mix at 100,000 facilities took 1,443 instead of
    2,125 ms in the database (bench/). Vector and names stay in the row (`STORAGE MAIN`):
    names moved out of line made the sort fetch each from TOAST per comparison.
    """

    facility = models.OneToOneField(
        Facility,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the trigger deletes the row with its facility
        db_constraint=False,
        related_name="+",
    )
    vector = SearchVectorField()
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, null=True)  # noqa: DJ001  (copies of modeltranslation's nullable columns)
    name_nl = models.CharField(max_length=200, null=True)  # noqa: DJ001
    name_cs = models.CharField(max_length=200, null=True)  # noqa: DJ001
    name_et = models.CharField(max_length=200, null=True)  # noqa: DJ001
    name_de = models.CharField(max_length=200, null=True)  # noqa: DJ001
    name_it = models.CharField(max_length=200, null=True)  # noqa: DJ001
    name_lv = models.CharField(max_length=200, null=True)  # noqa: DJ001
    name_sv = models.CharField(max_length=200, null=True)  # noqa: DJ001

    class Meta:
        indexes = [GinIndex(fields=["vector"], name="searchdocument_vector")]

    def __str__(self) -> str:
        return self.name


class Equipment(BaseModel):
    class Status(models.TextChoices):
        OPERATIONAL = "operational", _("Operational")
        MAINTENANCE = "maintenance", _("In maintenance")
        OUT_OF_ORDER = "out-of-order", _("Out of order")
        DECOMMISSIONED = "decommissioned", _("Decommissioned")

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="equipment", verbose_name=_("facility")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    model_name = models.CharField(_("model"), max_length=120, blank=True)
    category = models.CharField(_("category"), max_length=60, blank=True)
    techniques = models.CharField(_("techniques"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPERATIONAL)
    bookable = models.BooleanField(_("bookable"), default=False)
    training_required = models.BooleanField(_("training required"), default=False)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["facility", "name"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")

    def __str__(self) -> str:
        return self.name

    @property
    def region_id(self) -> int:
        """Permissions follow the facility's region (core.scoping.region_id_of)."""
        return self.facility.region_id


class Service(BaseModel):
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="services", verbose_name=_("facility")
    )
    name = models.CharField(_("name"), max_length=200)
    service_type = models.CharField(_("service type"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    equipment = models.ManyToManyField(
        Equipment, blank=True, related_name="services", verbose_name=_("equipment used")
    )
    trl_min = models.PositiveSmallIntegerField(
        _("lowest TRL"), null=True, blank=True, validators=TRL_VALIDATORS
    )
    trl_max = models.PositiveSmallIntegerField(
        _("highest TRL"), null=True, blank=True, validators=TRL_VALIDATORS
    )
    turnaround = models.CharField(_("turnaround"), max_length=100, blank=True)
    pricing = models.CharField(_("pricing"), max_length=200, blank=True)
    deliverables = models.CharField(_("deliverables"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["facility", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                name="service_trl_range",
                condition=Q(trl_min__isnull=True) | Q(trl_max__isnull=True) | Q(trl_min__lte=F("trl_max")),
                violation_error_message=_("The lowest TRL must not be above the highest."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_id(self) -> int:
        return self.facility.region_id


class SearchWord(models.Model):
    """Words of the published catalogue, for "did you mean" corrections of typos.

    Rebuilt from the search text by `search_words_rebuild` (after imports, hourly by
    beat, and by `rebuild_search`); it only feeds suggestions, never the hits.
    """

    word = models.CharField(max_length=100, primary_key=True)
    frequency = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["word"]
        indexes = [
            # `word % token` look-ups of suggest_correction().
            GinIndex(OpClass(F("word"), name="gin_trgm_ops"), name="searchword_trgm"),
        ]

    def __str__(self) -> str:
        return self.word


def _import_upload_to(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.region.code}/{timezone.now():%Y/%m}/{filename}"


class ImportMapping(BaseModel):
    """A saved column mapping of one region: the file's column -> the portal's field."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="import_mappings", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict, help_text=_('{"file column": "portal field"}'))

    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="importmapping_unique_name")]

    def __str__(self) -> str:
        return self.name


class ImportJob(BaseModel):
    """The contract between the upload page, the worker and the progress bar (ARCHITECTURE §7)."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking (dry run)")
        CHECKED = "checked", _("Checked: ready to confirm")
        REJECTED = "rejected", _("Rejected: the file cannot be imported")
        QUEUED = "queued", _("Confirmed, waiting for a worker")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed: nothing was changed")
        CANCELLED = "cancelled", _("Cancelled")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("region")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="import_jobs",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to=_import_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    preset = models.CharField(_("column preset"), max_length=30, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    message = models.TextField(_("message"), blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    counts = models.JSONField(
        _("counts"), default=dict, blank=True, help_text=_("new, updated, unchanged, errors")
    )
    row_errors = models.JSONField(_("row errors"), default=list, blank=True)
    preview = models.JSONField(_("dry-run preview"), default=list, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [
            # The upload page lists a region's recent jobs; the clean-up job scans by status and age.
            models.Index(fields=["region", "-created_at"], name="importjob_region_recent"),
            models.Index(fields=["status", "created_at"], name="importjob_status_age"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_finished(self) -> bool:
        return self.status in {
            self.Status.DONE,
            self.Status.FAILED,
            self.Status.REJECTED,
            self.Status.CANCELLED,
        }


def _new_link_nonce() -> str:
    return secrets.token_hex(16)


class Enquiry(BaseModel):
    """An SME's request to one or several facilities (DOMAIN.md "Enquiry").

    What the SME wrote and who they are. Each facility asked gets its own
    `EnquiryThread`, answered by that facility's region: the state, the first response
    and the outcome live there. The SME reaches the enquiry through a private link whose
    token is derived from `public_id` and `link_nonce` (`catalogue.enquiries.links`), so
    the database holds nothing that opens it. After the retention period (or when the
    SME asks) `enquiry_anonymise` blanks the person and the words and keeps the figures.
    No simple_history here: history would keep what anonymisation removes.
    """

    class OrganisationType(models.TextChoices):
        SME = "sme", _("SME (fewer than 250 staff)")
        START_UP = "start-up", _("Start-up")
        LARGE = "large", _("Large enterprise")
        RESEARCH = "research", _("University or research organisation")
        PUBLIC = "public", _("Public authority")
        NON_PROFIT = "non-profit", _("Non-profit organisation")
        INDIVIDUAL = "individual", _("Individual")
        OTHER = "other", _("Other")

    class Type(models.TextChoices):
        INFORMATION = "information", _("Information")
        QUOTE = "quote", _("Quote")
        ACCESS = "access", _("Access to the facility or equipment")
        TESTING = "testing", _("Testing service")
        COLLABORATION = "collaboration", _("Collaboration")
        OTHER = "other", _("Other")

    class BudgetBand(models.TextChoices):
        UNKNOWN = "unknown", _("Not known yet")
        UNDER_5K = "under-5k", _("Under €5,000")
        FROM_5K = "5k-20k", _("€5,000 – €20,000")
        FROM_20K = "20k-100k", _("€20,000 – €100,000")
        OVER_100K = "over-100k", _("Over €100,000")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    link_nonce = models.CharField(
        _("link nonce"),
        max_length=32,
        default=_new_link_nonce,
        editable=False,
        help_text=_("Changing it revokes the private link."),
    )
    # The requester
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"), max_length=254)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("organisation type"), max_length=20, choices=OrganisationType.choices
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    language = models.CharField(_("language"), max_length=8, default="en")
    # The request
    type = models.CharField(_("enquiry type"), max_length=20, choices=Type.choices)
    message = models.TextField(_("message"))
    wished_start = models.DateField(_("wished start"), null=True, blank=True)
    budget_band = models.CharField(
        _("budget"), max_length=20, choices=BudgetBand.choices, default=BudgetBand.UNKNOWN
    )
    consent_at = models.DateTimeField(
        _("consent given"), help_text=_("When the SME agreed to share the enquiry with the facilities.")
    )
    consent_text = models.TextField(_("consent wording"), blank=True)
    # Privacy
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    deletion_requested_at = models.DateTimeField(_("deletion requested"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        indexes = [
            # The anonymisation job: live enquiries by age of their last activity.
            models.Index(
                fields=["last_activity_at"], name="enquiry_retention", condition=Q(anonymised_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {'(anonymised)' if self.anonymised_at else self.name}"

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None


class EnquiryThread(BaseModel):
    """One facility's side of an enquiry: its conversation, state and outcome."""

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_DISCUSSION = "in-discussion", _("In discussion")
        QUOTE_SENT = "quote-sent", _("Quote sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn by the requester")

    class Outcome(models.TextChoices):
        SERVICE_DELIVERED = "service-delivered", _("Service delivered or access given")
        AGREEMENT = "agreement", _("Agreement or contract signed")
        REFERRED = "referred", _("Referred to another facility")
        NOT_FEASIBLE = "not-feasible", _("Not feasible at this facility")
        NO_REPLY = "no-reply", _("No further reply from the requester")
        WITHDRAWN = "withdrawn", _("Withdrawn by the requester")
        OTHER = "other", _("Other")

    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.CASCADE, related_name="threads", verbose_name=_("enquiry")
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="enquiry_threads", verbose_name=_("facility")
    )
    # The facility's region when asked: the inbox, the permissions and the figures read it.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="enquiry_threads", verbose_name=_("region")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enquiry_threads",
        verbose_name=_("assigned to"),
    )
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enquiry thread")
        verbose_name_plural = _("enquiry threads")
        constraints = [
            models.UniqueConstraint(fields=["enquiry", "facility"], name="enquirythread_one_per_facility"),
            models.CheckConstraint(
                name="enquirythread_first_response_after_creation",
                condition=Q(first_response_at__isnull=True) | Q(first_response_at__gte=F("created_at")),
            ),
        ]
        indexes = [
            # The inbox: a region's threads by state, newest first; figures by month.
            models.Index(fields=["region", "state", "-created_at"], name="enquirythread_inbox"),
            # The reminder scan: threads still waiting for a first response.
            models.Index(
                fields=["created_at"],
                name="enquirythread_unanswered",
                condition=Q(first_response_at__isnull=True),
            ),
        ]

    OPEN_STATES = (
        State.NEW,
        State.ACKNOWLEDGED,
        State.IN_DISCUSSION,
        State.QUOTE_SENT,
        State.ACCEPTED,
    )

    def __str__(self) -> str:
        return f"#{self.pk} {self.facility}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def first_response_time(self) -> timedelta | None:
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.created_at


class EnquiryMessage(models.Model):
    """One message in a thread: the SME's, a regional partner's, or a note of what happened."""

    class Author(models.TextChoices):
        REQUESTER = "requester", _("Requester")
        STAFF = "staff", _("Facility team")
        SYSTEM = "system", _("Portal")

    thread = models.ForeignKey(
        EnquiryThread, on_delete=models.CASCADE, related_name="messages", verbose_name=_("thread")
    )
    author = models.CharField(_("from"), max_length=10, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("enquiry message")
        verbose_name_plural = _("enquiry messages")

    def __str__(self) -> str:
        return f"{self.get_author_display()} {self.created_at:%Y-%m-%d %H:%M}"
