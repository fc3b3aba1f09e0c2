"""Demo enquiries: fictional SMEs asking the demo facilities, so the inbox and the figures have content.

`enquiry_specs(facilities, seed=...)` plans 3 to 6 enquiries per region, spread over the
last six months: answered within hours or after a week, overdue, declined, withdrawn,
closed without a reply from the SME, reopened, a few to several facilities at once. The
same seed and the same facilities give the same plan.

`load_enquiries` writes them through the enquiry services (`enquiry_submit`,
`thread_reply`, `thread_transition`, `thread_set_outcome`, ...), answered by each
region's first demo editor, so every row is what the portal itself would have written.
The services stamp everything "now"; time_machine is a test dependency and absent at
runtime, so afterwards the timestamps (arrival, messages, first response, closing, last
activity) are moved into the past with queryset `update()`s. That is acceptable for demo
data only: nothing else in the portal rewrites history.

Idempotent: each planned enquiry has a fixed `public_id` (a UUID derived from the seed and
its key), so a second run finds it and creates nothing. The public id is not what keeps
the private link secret (the token is: an HMAC under SECRET_KEY with a random nonce).

Mail: the services queue confirmations, notices and replies in the outbox. Demo
addresses are example domains, but a portal with SMTP configured would still try them
and the console backend would print dozens of mails, so the mails the seeding queued are
deleted in the same transaction, before anything can send them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import random
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalogue.enquiries.services import (
    FINISHED_STATES,
    EnquiryRequest,
    Requester,
    enquiry_requester_reply,
    enquiry_submit,
    enquiry_withdraw,
    thread_reply,
    thread_set_outcome,
    thread_transition,
)
from catalogue.models import Enquiry, EnquiryMessage, EnquiryThread, Facility
from core.models import Membership, OutboxEmail

State = EnquiryThread.State
Outcome = EnquiryThread.Outcome
_NAMESPACE = uuid.UUID("5f0c1a52-7d3e-4b8e-9a51-0c2b7e6f4d10")
CONSENT_TEXT = (
    "I agree that InnoInfra shares my enquiry and contact details with the facilities I chose, "
    "and keeps them for 24 months after the last message. (Demo data: no real person.)"
)


# --- The plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing that happens to a thread, `hours` after the enquiry arrived."""

    hours: float
    kind: str  # reply | state | sme | outcome | withdraw
    text: str = ""
    value: str = ""  # the state or outcome


@dataclass(frozen=True)
class EnquirySpec:
    key: str
    seed: int
    requester: Requester
    request: EnquiryRequest
    language: str
    facility_slugs: tuple[str, ...]
    days_ago: float
    wished_in_days: int | None  # the wished start, counted from the arrival
    stories: tuple[tuple[Step, ...], ...]  # one per facility, in the same order

    @property
    def public_id(self) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{self.seed}:{self.key}")

    @property
    def region_code(self) -> str:
        return self.key.rsplit("-", 1)[0]


@dataclass(frozen=True)
class Sme:
    name: str
    organisation: str
    organisation_type: str
    country: str
    language: str
    product: str


SMES = (
    Sme("Lena Vogt", "Lumivolt Akkutechnik GmbH", "sme", "DE", "de", "battery packs for cargo bikes"),
    Sme("Matteo Ferri", "Ferrolux Meccanica Srl", "sme", "IT", "it", "lightweight aluminium castings"),
    Sme("Sanne de Wit", "Tulpwerk Robotics BV", "start-up", "NL", "nl", "a harvesting robot for greenhouses"),
    Sme("Erik Holm", "Holmfjord Sensorteknik AB", "sme", "SE", "sv", "humidity sensors for timber buildings"),
    Sme("Tereza Malá", "Vltavia Biotech s.r.o.", "start-up", "CZ", "cs", "enzymes for food processing"),
    Sme("Kristjan Tamm", "Peipsi Dronelabs OÜ", "start-up", "EE", "et", "inspection drones"),
    Sme("Ilze Ozola", "Gaujas Koks SIA", "sme", "LV", "lv", "bio-based wood coatings"),
    Sme("Bram Verhulst", "Scheldt Coatings NV", "sme", "BE", "nl", "anti-corrosion coatings"),
    Sme("Claire Dubois", "Atelier Quartzine SAS", "sme", "FR", "en", "optical components for lidar"),
    Sme("Nuria Soler", "Sólida Impresión 3D SL", "sme", "ES", "en", "3D-printed orthopaedic insoles"),
    Sme("Jakob Gruber", "Alpenflux Energie GmbH", "sme", "AT", "de", "heat exchangers for small hydropower"),
    Sme("Freja Nielsen", "Nordkyst Marine ApS", "start-up", "DK", "en", "sensors for fish farms"),
    Sme("Tomasz Wrona", "Wisłatech Sp. z o.o.", "sme", "PL", "en", "printed circuit boards for e-bikes"),
    Sme("Aino Virtanen", "Kuura Materials Oy", "start-up", "FI", "en", "recycled carbon fibre"),
    Sme("Pieter-Jan Claes", "Brugse Foodlab BV", "sme", "BE", "nl", "plant-based cheese"),
    Sme("Giulia Rinaldi", "Appennino Medtech Srl", "start-up", "IT", "it", "a wearable ECG patch"),
)

MESSAGES = {
    Enquiry.Type.TESTING: (
        "We are a small company making {product}. Before our first production run we need independent "
        "tests of ten prototypes (durability and performance against the relevant EN standard). Could "
        "you tell us whether you can do this, how long it takes and roughly what it costs?",
        "Our customers ask for test reports on our {product}. Do you offer testing as a service, and can "
        "we send samples by post? We would need the results within six weeks.",
    ),
    Enquiry.Type.QUOTE: (
        "We develop {product} and would like a quote for two days of measurements with your equipment, "
        "with one of your technicians. We can bring our own samples.",
        "Could you send us a price indication for a small series of analyses on {product}? About twenty "
        "samples, results as a short report.",
    ),
    Enquiry.Type.ACCESS: (
        "Our team of three engineers works on {product}. We would like to use your facility ourselves "
        "for a week in the spring, after any safety training you require. Is that possible for a company?",
        "Is your equipment open to SMEs? We are building {product} and need about ten hours of machine "
        "time, assisted at first.",
    ),
    Enquiry.Type.INFORMATION: (
        "We are exploring whether your facility could help us with {product}. Could someone tell us what "
        "kind of projects you take on with small companies and how the first steps work?",
        "We found you in the InnoInfra catalogue. We make {product} and want to understand which of your "
        "services would fit an early prototype (TRL 4).",
    ),
    Enquiry.Type.COLLABORATION: (
        "We are preparing a funding application about {product} and are looking for a research partner "
        "with your equipment and experience. Would you be open to a short call?",
        "We would like to start a joint development project on {product}, possibly as a thesis "
        "project. Who would be the right person to talk to?",
    ),
}

FIRST_REPLIES = (
    "Dear {first}, thank you for your enquiry. This fits what we do. Could you send us the drawings "
    "or a short specification, and the quantities you have in mind?",
    "Hello {first}, thanks for reaching out. We have done similar work for other companies. I am "
    "sending you our service sheet; when would suit you for a 30-minute call?",
    "Dear {first}, yes, we can help. A first indication: about two weeks lead time. Which standard "
    "do your customers ask for?",
    "Hello {first}, thank you, and sorry for the late answer: the team was at a conference. We "
    "can look at this; could you tell us more about the samples?",
)
SME_FOLLOW_UPS = (
    "Thank you! I attach the specification. Ten samples, as soon as possible.",
    "Great, Tuesday or Thursday morning would work for us.",
    "Thanks for the quick answer. Our customers ask for the EN standard; a short report is enough.",
    "Sorry to come back to this: our plans changed, could we restart the discussion for a smaller test?",
)
QUOTE_NOTES = (
    "Quote sent by mail: two days with a technician, report included.",
    "Price indication sent; valid for three months.",
)
DECLINE_NOTES = (
    "Unfortunately this is outside what our equipment can do. We recommend asking a facility with a "
    "larger climate chamber; the InnoInfra catalogue lists several.",
    "We are fully booked until the autumn and cannot meet your deadline. Sorry!",
)
OUTCOME_NOTES: dict[str, str] = {
    Outcome.SERVICE_DELIVERED: "Tests done, report delivered.",
    Outcome.AGREEMENT: "Framework agreement signed for three test campaigns.",
    Outcome.REFERRED: "Referred to a partner facility in another region.",
    Outcome.NOT_FEASIBLE: "Sample size beyond our chamber.",
    Outcome.NO_REPLY: "No answer to our quote.",
}


class _Story:
    """Timelines of one thread; `hours` accumulate from the enquiry's arrival."""

    def __init__(self, rng: random.Random, first: str) -> None:
        self.rng = rng
        self.first = first
        self.hours = 0.0
        self.steps: list[Step] = []

    def after(self, low: float, high: float) -> float:
        self.hours += self.rng.uniform(low, high)
        return self.hours

    def reply(self, low: float, high: float) -> None:
        text = self.rng.choice(FIRST_REPLIES).format(first=self.first)
        self.steps.append(Step(self.after(low, high), "reply", text))

    def sme(self, low: float, high: float) -> None:
        self.steps.append(Step(self.after(low, high), "sme", self.rng.choice(SME_FOLLOW_UPS)))

    def state(self, low: float, high: float, state: str, note: str = "") -> None:
        self.steps.append(Step(self.after(low, high), "state", note, state))

    def outcome(self, outcome: str) -> None:
        self.steps.append(Step(self.hours, "outcome", OUTCOME_NOTES.get(outcome, ""), outcome))

    # Each fate: (the steps, the longest it can take in hours). The plans pick arrival
    # dates far enough back for every step to lie in the past.
    def fate(self, name: str) -> tuple[Step, ...]:
        rng = self.rng
        if name == "acknowledged":
            self.state(2, 30, State.ACKNOWLEDGED)
        elif name == "ongoing":
            self.reply(3, 40)
            self.sme(20, 60)
            self.state(24, 72, State.QUOTE_SENT, rng.choice(QUOTE_NOTES))
        elif name == "accepted":
            self.reply(1, 20)
            self.sme(24, 48)
            self.state(48, 96, State.QUOTE_SENT, rng.choice(QUOTE_NOTES))
            self.state(72, 168, State.ACCEPTED)
            self.state(336, 720, State.CLOSED)
            self.outcome(rng.choice((Outcome.SERVICE_DELIVERED, Outcome.AGREEMENT)))
        elif name == "slow-declined":
            self.reply(144, 336)
            self.state(24, 72, State.DECLINED, rng.choice(DECLINE_NOTES))
            self.outcome(rng.choice((Outcome.NOT_FEASIBLE, Outcome.REFERRED)))
        elif name == "silent-sme":
            self.reply(2, 48)
            self.state(504, 672, State.CLOSED)
            self.outcome(Outcome.NO_REPLY)
        elif name == "reopened":
            self.reply(4, 30)
            self.state(120, 240, State.CLOSED)
            self.outcome(Outcome.SERVICE_DELIVERED)
            self.sme(72, 240)
        elif name == "withdrawn":
            self.steps.append(Step(self.after(24, 144), "withdraw"))
        elif name not in ("unanswered-fresh", "unanswered-overdue"):
            raise ValueError(f"Unknown demo fate: {name}")
        return tuple(self.steps)


# name: (weight, fewest and most days ago, longest duration in hours)
FATES: dict[str, tuple[float, float, float, float]] = {
    "unanswered-fresh": (1.5, 0.1, 2.4, 0),  # new, not overdue yet
    "unanswered-overdue": (2.0, 9, 40, 0),  # > 5 working days without an answer
    "acknowledged": (1.0, 1.5, 20, 30),
    "ongoing": (2.0, 8, 45, 172),
    "accepted": (2.5, 46, 180, 1052),
    "slow-declined": (1.5, 18, 180, 408),
    "silent-sme": (1.5, 31, 180, 720),
    "reopened": (1.0, 22, 120, 510),
    "withdrawn": (1.0, 7, 180, 144),
}


def _pick_fate(rng: random.Random, names: Sequence[str]) -> str:
    return rng.choices(list(names), weights=[FATES[n][0] for n in names])[0]


def enquiry_specs(facilities: dict[str, list[str]], *, seed: int = 2026) -> list[EnquirySpec]:
    """3 to 6 enquiries per region with published facilities (slugs by region code), deterministic."""
    rng = random.Random(f"enquiries:{seed}")  # noqa: S311 - demo data, not security
    regions = sorted(code for code, slugs in facilities.items() if slugs)
    everyone = [(code, slug) for code in regions for slug in sorted(facilities[code])]
    smes = list(SMES)
    rng.shuffle(smes)
    specs: list[EnquirySpec] = []
    for code in regions:
        for number in range(1, rng.randint(3, 6) + 1):
            featured = not specs  # the one the command prints a link to: open, answered, two facilities
            fate = "ongoing" if featured else _pick_fate(rng, list(FATES))
            _weight, fewest, most, _longest = FATES[fate]
            days_ago = round(rng.uniform(fewest, most), 3)
            slugs = [rng.choice(sorted(facilities[code]))]
            if fate != "withdrawn" and len(everyone) > 1 and (featured or rng.random() < 0.2):
                others = [slug for _code, slug in everyone if slug not in slugs]
                slugs += rng.sample(others, min(len(others), 1 if featured else rng.randint(1, 2)))
            sme = smes[len(specs) % len(smes)]
            first = sme.name.split()[0]
            stories = [_Story(rng, first).fate(fate)]
            for _slug in slugs[1:]:
                # Another facility asked at the same time: any fate that fits in the time since.
                fitting = [
                    n
                    for n, (_w, _f, _m, longest) in FATES.items()
                    if longest < days_ago * 24 and n != "withdrawn"
                ]
                stories.append(_Story(rng, first).fate(_pick_fate(rng, fitting)))
            kind = rng.choice(list(MESSAGES))
            specs.append(
                EnquirySpec(
                    key=f"{code}-{number}",
                    seed=seed,
                    requester=Requester(
                        name=sme.name,
                        email=_email(sme.name),
                        organisation=sme.organisation,
                        organisation_type=sme.organisation_type,
                        country=sme.country,
                    ),
                    request=EnquiryRequest(
                        type=kind,
                        message=rng.choice(MESSAGES[kind]).format(product=sme.product),
                        wished_start=None,  # set on loading, relative to the arrival
                        budget_band=rng.choice(Enquiry.BudgetBand.values),
                    ),
                    language=sme.language,
                    facility_slugs=tuple(slugs),
                    days_ago=days_ago,
                    wished_in_days=None if rng.random() < 0.4 else rng.choice((30, 60, 90, 120)),
                    stories=tuple(stories),
                )
            )
    return specs


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ascii_name.lower().replace(" ", ".") + "@example.com"


# --- Writing ------------------------------------------------------------------------------------


@dataclass
class EnquiryLoadResult:
    created: int = 0
    present: int = 0
    skipped: int = 0  # a facility no longer published, or no demo editor to answer


def published_demo_facilities() -> dict[str, list[str]]:
    """Slugs of the published demo facilities, by region code."""
    result: dict[str, list[str]] = {}
    for code, slug in (
        Facility.objects.filter(source="demo", state=Facility.State.PUBLISHED)
        .order_by("region__code", "slug")
        .values_list("region__code", "slug")
    ):
        result.setdefault(code, []).append(slug)
    return result


def _responders() -> dict[int, User]:
    """Who answers each region's demo enquiries: its first editor (else coordinator) by username."""
    responders: dict[int, User] = {}
    for role in (Membership.Role.EDITOR, Membership.Role.COORDINATOR):
        for membership in (
            Membership.objects.filter(role=role, region__isnull=False, user__is_active=True)
            .select_related("user")
            .order_by("user__username")
        ):
            assert membership.region_id is not None
            responders.setdefault(membership.region_id, membership.user)
    return responders


def load_enquiries(specs: Iterable[EnquirySpec], *, now: datetime | None = None) -> EnquiryLoadResult:
    """Create the planned enquiries that do not exist yet; delete the mails that queued."""
    specs = list(specs)
    now = now or timezone.now()
    result = EnquiryLoadResult()
    with _quiet_task_log(), transaction.atomic():
        existing = set(
            Enquiry.objects.filter(public_id__in=[s.public_id for s in specs]).values_list(
                "public_id", flat=True
            )
        )
        todo = [s for s in specs if s.public_id not in existing]
        result.present = len(specs) - len(todo)
        if not todo:
            return result
        slugs = {slug for s in todo for slug in s.facility_slugs}
        facilities = {
            f.slug: f
            for f in Facility.objects.filter(slug__in=slugs, state=Facility.State.PUBLISHED).select_related(
                "region"
            )
        }
        responders = _responders()
        last_mail = OutboxEmail.objects.aggregate(last=Max("pk"))["last"] or 0
        for spec in todo:
            chosen = [facilities.get(slug) for slug in spec.facility_slugs]
            if any(f is None or f.region_id not in responders for f in chosen):
                result.skipped += 1
                continue
            _create(spec, facilities=[f for f in chosen if f is not None], responders=responders, now=now)
            result.created += 1
        recipients = {s.requester.email for s in todo} | set(
            Membership.objects.exclude(user__email="").values_list("user__email", flat=True)
        )
        OutboxEmail.objects.filter(pk__gt=last_mail, to__overlap=sorted(recipients)).delete()
    return result


@contextlib.contextmanager
def _quiet_task_log() -> Iterator[None]:
    """Without Redis, Celery runs each queued mail's send task at commit: it finds its row deleted
    and logs a "succeeded: False" line. A hundred of those say nothing; warnings still show."""
    logger = logging.getLogger("celery.app.trace")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _snapshot(enquiry: Enquiry) -> dict[int, tuple[str, bool]]:
    return {
        pk: (state, responded is not None)
        for pk, state, responded in EnquiryThread.objects.filter(enquiry=enquiry).values_list(
            "pk", "state", "first_response_at"
        )
    }


def _create(
    spec: EnquirySpec, *, facilities: list[Facility], responders: dict[int, User], now: datetime
) -> Enquiry:
    arrived = now - timedelta(days=spec.days_ago)
    wished = None if spec.wished_in_days is None else (arrived + timedelta(days=spec.wished_in_days)).date()
    enquiry = enquiry_submit(
        requester=spec.requester,
        request=dataclasses.replace(spec.request, wished_start=wished),
        facilities=facilities,
        consent_text=CONSENT_TEXT,
        language=spec.language,
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(public_id=spec.public_id)
    threads = {t.facility_id: t for t in EnquiryThread.objects.filter(enquiry=enquiry)}
    events = sorted(
        (step.hours, position, order, facility)
        for position, (facility, story) in enumerate(zip(facilities, spec.stories, strict=True))
        for order, step in enumerate(story)
    )
    message_times: dict[int, datetime] = {}
    first_response: dict[int, datetime] = {}
    closed: dict[int, datetime | None] = {}
    withdrawn_at: datetime | None = None
    last_event = arrived
    before = _snapshot(enquiry)
    for hours, position, order, facility in events:
        step = spec.stories[position][order]
        moment = arrived + timedelta(hours=hours)
        thread = threads[facility.pk]
        last_message = (
            EnquiryMessage.objects.filter(thread__enquiry=enquiry).aggregate(last=Max("pk"))["last"] or 0
        )
        responder = responders[facility.region_id]
        if step.kind == "reply":
            thread_reply(thread=thread, user=responder, body=step.text)
        elif step.kind == "state":
            thread_transition(thread=thread, user=responder, state=step.value, note=step.text)
        elif step.kind == "sme":
            enquiry_requester_reply(enquiry=enquiry, thread=thread, body=step.text)
        elif step.kind == "outcome":
            thread_set_outcome(thread=thread, outcome=step.value, note=step.text)
        elif step.kind == "withdraw":
            enquiry_withdraw(enquiry=enquiry)
            withdrawn_at = moment
        for pk in EnquiryMessage.objects.filter(thread__enquiry=enquiry, pk__gt=last_message).values_list(
            "pk", flat=True
        ):
            message_times[pk] = moment
        after = _snapshot(enquiry)
        for pk, (state, responded) in after.items():
            if responded and not before[pk][1]:
                first_response[pk] = moment
            if state != before[pk][0]:
                closed[pk] = moment if state in FINISHED_STATES else None
        before = after
        last_event = max(last_event, moment)

    # Move the story into the past (see the module docstring: demo data only).
    for moment in sorted(set(message_times.values())):
        EnquiryMessage.objects.filter(pk__in=[pk for pk, m in message_times.items() if m == moment]).update(
            created_at=moment
        )
    for thread in threads.values():
        thread_messages = [
            message_times[pk]
            for pk in EnquiryMessage.objects.filter(thread=thread).values_list("pk", flat=True)
            if pk in message_times
        ]
        last_message_at = max(thread_messages, default=arrived)
        EnquiryThread.objects.filter(pk=thread.pk).update(
            created_at=arrived,
            updated_at=last_message_at,
            first_response_at=first_response.get(thread.pk),
            last_message_at=last_message_at,
            closed_at=closed.get(thread.pk),
        )
    Enquiry.objects.filter(pk=enquiry.pk).update(
        created_at=arrived,
        updated_at=last_event,
        consent_at=arrived,
        last_activity_at=last_event,
        withdrawn_at=withdrawn_at,
    )
    return enquiry


def showcase_enquiry(specs: Sequence[EnquirySpec]) -> Enquiry | None:
    """The first planned enquiry still open and not anonymised: the one to follow as the SME."""
    live = {
        e.public_id: e
        for e in Enquiry.objects.filter(
            public_id__in=[s.public_id for s in specs],
            anonymised_at__isnull=True,
            withdrawn_at__isnull=True,
            threads__state__in=EnquiryThread.OPEN_STATES,
        ).distinct()
    }
    for spec in specs:
        if spec.public_id in live:
            return live[spec.public_id]
    return None
