from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Region(BaseModel):
    """One of the partnership's regions; seeded by a data migration, rarely edited."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    nuts_code = models.CharField(_("NUTS code"), max_length=5)
    nuts_level = models.PositiveSmallIntegerField(_("NUTS level"))
    partner_name = models.CharField(_("partner organisation"), max_length=200)
    is_lead_partner = models.BooleanField(_("lead partner"), default=False)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    languages = ArrayField(models.CharField(max_length=5), verbose_name=_("languages"), default=list)
    inclusion_criteria = models.TextField(_("catalogue inclusion criteria"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(name="region_nuts_level_0_to_3", condition=Q(nuts_level__range=(0, 3))),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def primary_language(self) -> str:
        """The region's own language (after English, which every region also uses)."""
        others = [code for code in self.languages if code != "en"]
        return others[0] if others else "en"


class Organisation(BaseModel):
    class Type(models.TextChoices):
        UNIVERSITY = "university", _("University")
        RTO = "rto", _("Research and technology organisation")
        PUBLIC_RESEARCH = "public-research", _("Public research institute")
        HOSPITAL = "hospital", _("Hospital")
        SME = "sme", _("SME")
        LARGE_COMPANY = "large-company", _("Large company")
        START_UP = "start-up", _("Start-up")
        PUBLIC_AUTHORITY = "public-authority", _("Public authority")
        MANAGING_AUTHORITY = "managing-authority", _("Managing authority")
        RDA = "rda", _("Regional development agency")
        CLUSTER = "cluster", _("Cluster")
        OTHER = "other", _("Other")

    class Helix(models.TextChoices):
        ACADEMIA = "academia", _("Academia")
        INDUSTRY = "industry", _("Industry")
        GOVERNMENT = "government", _("Government")
        CIVIL_SOCIETY = "civil-society", _("Civil society")

    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    helix = models.CharField(_("helix"), max_length=20, choices=Helix.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("region")
    )
    country = models.CharField(_("country"), max_length=2)
    website = models.URLField(_("website"), blank=True)
    ror_id = models.CharField(_("ROR id"), max_length=9, blank=True)
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            # The admin changelist and autocomplete of one region's organisations.
            models.Index(fields=["region", "name"], name="organisation_region_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Membership(BaseModel):
    """A user's role in one region, or in all regions when `region` is empty."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Editor")
        COORDINATOR = "coordinator", _("Coordinator")
        VIEWER = "viewer", _("Viewer")
        PROJECT_COORDINATOR = "project-coordinator", _("Project coordinator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("region"),
        help_text=_("Empty means all regions (viewers and project coordinators only)."),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["region__name", "role", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region", "role"],
                name="membership_unique_user_region_role",
                nulls_distinct=False,
            ),
            # Editors and coordinators act for one region; a project coordinator for all.
            models.CheckConstraint(
                name="membership_region_matches_role",
                condition=(
                    Q(role__in=["editor", "coordinator"], region__isnull=False)
                    | Q(role="project-coordinator", region__isnull=True)
                    | Q(role="viewer")
                ),
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region else _("all regions")
        return f"{self.user} – {self.get_role_display()} – {where}"


class Term(BaseModel):
    """One entry of a controlled vocabulary; editors may extend vocabularies as rows."""

    class Vocabulary(models.TextChoices):
        KET = "ket", _("Key enabling technology")
        FACILITY_TYPE = "facility-type", _("Facility type")
        SERVICE_TYPE = "service-type", _("Service type")
        ACCESS_TYPE = "access-type", _("Access type")
        ACCESS_MODE = "access-mode", _("Access mode")
        ORDER_TYPE = "order-type", _("Order type")
        TARGET_USER = "target-user", _("Target users")
        PRICING = "pricing", _("Pricing")
        SUPPORT_LEVEL = "support-level", _("Support level")
        SCIENTIFIC_DOMAIN = "scientific-domain", _("Scientific domain")
        EQUIPMENT_CATEGORY = "equipment-category", _("Equipment category")
        TRL = "trl", _("Technology readiness level")
        NACE_SECTION = "nace-section", _("Application sector (NACE section)")

    vocabulary = models.CharField(_("vocabulary"), max_length=30, choices=Vocabulary.choices)
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    synonyms = models.TextField(
        _("synonyms"),
        blank=True,
        help_text=_("Comma-separated words people search with; they feed the search index."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    deprecated = models.BooleanField(
        _("deprecated"), default=False, help_text=_("Kept on old records, offered for no new one.")
    )
    crosswalk = models.JSONField(
        _("crosswalk codes"),
        default=dict,
        blank=True,
        help_text=_('Codes in other schemes, e.g. {"eosc": "...", "meril": "..."}.'),
    )

    class Meta:
        ordering = ["vocabulary", "order", "code"]
        verbose_name = _("vocabulary term")
        verbose_name_plural = _("vocabulary terms")
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="term_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label


class ApiToken(AbstractAuthToken):
    """A named API token (django-rest-knox stores only its hash; shown once at creation)."""

    name = models.CharField(_("name"), max_length=100)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"


class OutboxEmail(BaseModel):
    """A mail written in the same transaction as the change that causes it (ARCHITECTURE §7).

    A task sends it; if Redis or the mail server is down the row waits, and the beat job
    `send_outbox` retries it with backoff, so no mail is lost and no request fails.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up)")

    to = ArrayField(models.EmailField(), verbose_name=_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    reply_to = models.EmailField(_("reply to"), blank=True)
    topic = models.CharField(
        _("topic"),
        max_length=60,
        blank=True,
        db_index=True,
        help_text=_("The record the mail is about (e.g. enquiry:12), so erasing it erases its mails."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            # The retry scan: pending mails whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_due",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class ReminderLog(models.Model):
    """One row per reminder sent: the same reminder never fires twice for a subject and period."""

    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200, help_text=_("What the reminder is about."))
    period = models.CharField(_("period"), max_length=40, help_text=_("E.g. an ISO week: 2026-W48."))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "period"], name="reminder_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.period}"
