"""Deterministic, streaming generator of demo facility specs.

`generate(n, seed=..., index=...)` yields `FacilitySpec`s: the same seed gives the same
specs, and the first k specs do not depend on n (so 240 is a prefix of 100,000). Topic
and facility-type pairs are dealt from a shuffled deck, so every pair (hence every KET
and facility type) appears once per deck; services beyond a topic's own come from a
second deck of all service types.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from types import ModuleType
from typing import NamedTuple

from django.utils.text import slugify

from catalogue.demo import (
    texts,
    texts_cs,
    texts_de,
    texts_en,
    texts_en2,
    texts_et,
    texts_it,
    texts_lv,
    texts_nl,
    texts_sv,
)
from core.selectors import TermIndex

LOCAL: dict[str, ModuleType] = {
    "nl": texts_nl,
    "cs": texts_cs,
    "et": texts_et,
    "de": texts_de,
    "it": texts_it,
    "lv": texts_lv,
    "sv": texts_sv,
}


@dataclass(frozen=True)
class HostSpec:
    slug: str
    name: str
    acronym: str
    type: str
    helix: str
    region: str
    country: str
    website: str


@dataclass(frozen=True)
class EquipmentSpec:
    name: str
    description: str
    manufacturer: str
    model_name: str
    category: str
    techniques: str
    status: str
    bookable: bool
    training_required: bool


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    service_type: str
    description: str
    trl_min: int
    trl_max: int
    turnaround: str
    pricing: str
    deliverables: str
    equipment: tuple[int, ...]  # positions in the facility's equipment


@dataclass(frozen=True)
class FacilitySpec:
    number: int  # 1-based position in the generated sequence
    slug: str
    region: str
    host: HostSpec
    topic: str
    name_en: str
    acronym: str
    tagline_en: str
    description_en: str
    language: str  # the region language of name/tagline/description_local, or ""
    name_local: str
    tagline_local: str
    description_local: str
    facility_type: str
    structure: str
    lifecycle: str
    technologies: tuple[str, ...]
    scientific_domains: tuple[str, ...]
    application_sectors: tuple[str, ...]
    keywords: tuple[str, ...]
    trl_min: int
    trl_max: int
    access_types: tuple[str, ...]
    access_modes: tuple[str, ...]
    target_users: tuple[str, ...]
    order_type: str
    pricing: str
    price_indication: str
    lead_time: str
    support_level: str
    training_offered: bool
    certifications: str
    contact_name: str
    contact_email: str
    website: str
    city: str
    address: str
    postcode: str
    latitude: Decimal
    longitude: Decimal
    state: str
    published_at: datetime | None
    last_verified_at: datetime
    source: str
    external_id: str
    equipment: tuple[EquipmentSpec, ...]
    services: tuple[ServiceSpec, ...]


# --- the topic bank, parsed once -----------------------------------------------------------


class EquipmentText(NamedTuple):
    name: str
    category: str
    techniques: str
    description: str


class ServiceText(NamedTuple):
    name: str
    service_type: str
    description: str
    deliverables: str


class Topic(NamedTuple):
    key: str
    name: str
    lower: str
    pitch: str
    kets: tuple[str, ...]
    types: tuple[str, ...]
    domains: tuple[str, ...]
    nace: tuple[str, ...]
    keywords: tuple[str, ...]
    equipment: tuple[EquipmentText, ...]
    services: tuple[ServiceText, ...]


def _split(text: str, sep: str = "|") -> list[str]:
    return [part.strip() for part in text.split(sep)]


def _parse_topics() -> dict[str, Topic]:
    topics = {}
    for key, raw in {**texts_en.TOPICS, **texts_en2.TOPICS}.items():
        name, lower, pitch = _split(str(raw["head"]))
        kets, types, domains, nace = (tuple(part.split()) for part in str(raw["codes"]).split("/"))
        topics[key] = Topic(
            key=key,
            name=name,
            lower=lower,
            pitch=pitch,
            kets=kets,
            types=types,
            domains=domains,
            nace=nace,
            keywords=tuple(_split(str(raw["kw"]), ";")),
            equipment=tuple(EquipmentText(*_split(line)) for line in raw["eq"]),
            services=tuple(ServiceText(*_split(line)) for line in raw["srv"]),
        )
    return topics


TOPICS = _parse_topics()
COMBOS: tuple[tuple[str, str], ...] = tuple((t.key, ftype) for t in TOPICS.values() for ftype in t.types)
GENERIC_EQUIPMENT = tuple(EquipmentText(*_split(line)) for line in texts.GENERIC_EQUIPMENT)
SMALL_WORDS = {"of", "for", "and", "the", "with"}


# --- small text helpers --------------------------------------------------------------------


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """'Fibre laser cell' -> 'fibre laser cell'; acronyms ('ISO 6 cleanroom', 'EMC') stay."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def join_en(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@lru_cache(maxsize=4096)
def acronym(name: str) -> str:
    letters = []
    for word in re.split(r"[\s\-–]+", name):
        if not word or word.lower() in SMALL_WORDS or not word[0].isalnum():
            continue
        letters.append(word if len(word) > 1 and word.isupper() else word[0].upper())
    return "".join(letters)[:40]


def host_pool(region: str) -> tuple[HostSpec, ...]:
    """The region's six fictional host organisations (no randomness: stable slugs)."""
    rt = texts.REGIONS[region]
    r = texts.REGION_CODES.index(region)
    hosts = []
    for template, type_, helix, offset in texts.HOSTS:
        name = template.format(
            city=rt.cities[0].name,
            last_city=rt.cities[-1].name,
            region=texts.REGION_NAMES[region],
            field=texts.HOST_FIELDS[(r + offset) % len(texts.HOST_FIELDS)],
        )
        slug = slugify(name)
        hosts.append(
            HostSpec(
                slug=slug,
                name=name,
                acronym=acronym(name),
                type=type_,
                helix=helix,
                region=region,
                country=rt.country,
                website=f"https://example.org/{slug}",
            )
        )
    return tuple(hosts)


def midnight_utc() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


class _Generator:
    def __init__(self, *, seed: int, index: TermIndex, now: datetime) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.seed = seed
        self.index = index
        self.now = now
        self.hosts = {code: host_pool(code) for code in texts.REGION_CODES}
        self.all_kets = sorted({k for t in TOPICS.values() for k in t.kets})
        self._combos: list[tuple[str, str]] = []
        self._service_types: list[str] = []
        self._labels: dict[tuple[str, str, str], str] = {}
        # The fixed weight tables, with their cumulative weights computed once.
        self._prepared = {
            id(table): (table, list(table), list(accumulate(table.values())))
            for table in (
                texts.ACCESS_MODES,
                texts.PRICING,
                texts.LIFECYCLE,
                texts.ORDER_TYPES,
                texts.SUPPORT,
                texts.EQUIPMENT_STATUS,
                texts.STRUCTURES,
                texts.STRUCTURES_COMPUTING,
            )
        }

    # decks and weighted picks

    def _combo(self) -> tuple[str, str]:
        if not self._combos:
            self._combos = list(COMBOS)
            self.rng.shuffle(self._combos)
        return self._combos.pop()

    def _service_type(self) -> str:
        if not self._service_types:
            self._service_types = list(texts.GENERIC_SERVICES)
            self.rng.shuffle(self._service_types)
        return self._service_types.pop()

    def _pick(self, weights: dict[str, int]) -> str:
        prepared = self._prepared.get(id(weights))
        if prepared is not None and prepared[0] is weights:
            return self.rng.choices(prepared[1], cum_weights=prepared[2])[0]
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _sample(self, weights: dict[str, int], k: int) -> list[str]:
        pool = dict(weights)
        picked = []
        for _ in range(min(k, len(pool))):
            code = self._pick(pool)
            picked.append(code)
            del pool[code]
        return picked

    def _label(self, vocabulary: str, code: str, language: str, lower: bool) -> str:
        key = (vocabulary, code, language)
        if key not in self._labels:
            term = self.index.get(vocabulary, code)
            label = (getattr(term, f"label_{language}", "") or getattr(term, "label_en", "")) if term else ""
            self._labels[key] = label or code
        label = self._labels[key]
        return lower_first(label) if lower else label

    # one facility

    def spec(self, i: int) -> FacilitySpec:
        rng = self.rng
        region = texts.REGION_CODES[i % len(texts.REGION_CODES)]
        rt = texts.REGIONS[region]
        topic_key, ftype = self._combo()
        topic = TOPICS[topic_key]
        kinds, (trl_lo, trl_hi), type_sentence = texts.FACILITY_TYPES[ftype]

        kind = rng.choice(kinds)
        position = rng.randrange(len(texts.ADJECTIVES))
        # No "Shared ... Shared Facility": skip an adjective the topic or kind already says.
        while texts.ADJECTIVES[position].lower() in f"{topic.name} {kind}".lower():
            position = (position + 1) % len(texts.ADJECTIVES)
        name = f"{texts.ADJECTIVES[position]} {topic.name} {kind}"
        slug = f"{slugify(name)}-{i + 1}"
        city = rng.choice(rt.cities)
        host = rng.choice(self.hosts[region])

        technologies = [topic.kets[0]]
        if len(topic.kets) > 1 and rng.random() < 0.7:
            technologies.append(topic.kets[1])
        if rng.random() < 0.15:
            technologies.append(rng.choice([k for k in self.all_kets if k not in technologies]))
        domains = list(topic.domains[: rng.randint(1, len(topic.domains))])
        sectors = rng.sample(topic.nace, rng.randint(1, len(topic.nace)))
        if rng.random() < 0.3 and "m" not in sectors:
            sectors.append("m")
        trl_min = rng.randint(trl_lo, trl_hi - 1)
        trl_max = rng.randint(trl_min + 1, trl_hi)

        access_weights = dict(texts.ACCESS_TYPES)
        if ftype == "computing-data":
            access_weights.update(virtual=10, remote=6, physical=2)
        if topic_key in texts.MAIL_IN_TOPICS:
            access_weights["mail-in"] = 8
        access_types = self._sample(access_weights, rng.choice((1, 1, 2)))
        access_modes = self._sample(texts.ACCESS_MODES, rng.choice((1, 1, 2)))
        target_users = (["smes"] if rng.random() < 0.92 else []) + self._sample(
            texts.OTHER_USERS, rng.randint(1, 3)
        )
        pricing = self._pick(texts.PRICING)
        certifications = rng.sample(texts.CERTIFICATIONS, rng.choice((0, 1, 1, 2)))
        if ftype == "cleanroom":  # cleanrooms state their class
            certifications.append(f"ISO 14644-1 class {rng.choice((5, 6, 7))}")
        elif topic_key == "microfab":
            certifications.append("ISO 14644-1")
        if ftype == "mobile-platform":
            structure = "mobile"
        elif ftype == "computing-data":
            structure = self._pick(texts.STRUCTURES_COMPUTING)
        else:
            structure = self._pick(texts.STRUCTURES)

        equipment = self._equipment(topic, rng.randint(2, 6))
        services = self._services(topic, len(equipment), trl_min, trl_max)
        keywords_en = rng.sample(topic.keywords, rng.randint(3, 4))
        phrase, local_keywords = _split(LOCAL[rt.language].TOPICS[topic_key])
        keywords = _unique([*keywords_en, *_split(local_keywords, ";")])

        lead_time = rng.choice(texts.LEAD_TIMES)
        training_offered = rng.random() < 0.6
        sentences = [
            type_sentence.format(name=name, city=city.name, topic=topic.lower),
            texts.KET_SENTENCES[technologies[0]],
            f"Key equipment includes {join_en([lower_first(e.name) for e in equipment])}.",
            f"SMEs can ask for {join_en([lower_first(s.name) for s in services])}, typically within {lead_time}.",
        ]
        if rng.random() < 0.5:
            training = "; training is offered" if training_offered else ""
            sentences.append(
                f"Access is {texts.ACCESS_PHRASES[access_modes[0]]} and covers TRL {trl_min}–{trl_max}{training}."
            )
        tagline = rng.choice(texts_en.TAGLINES).format(
            Pitch=cap(topic.pitch),
            pitch=topic.pitch,
            Topic=topic.name,
            Kw0=cap(keywords_en[0]),
            kw1=keywords_en[1],
            kw2=keywords_en[2],
            region=texts.REGION_NAMES[region],
        )
        language, name_local, tagline_local, description_local = "", "", "", ""
        if i % 3 == 0:
            language = rt.language
            name_local, tagline_local, description_local = self._local(
                language,
                ftype,
                phrase,
                _split(local_keywords, ";"),
                city.name,
                technologies,
                equipment,
                services,
                trl_min,
                trl_max,
            )

        state = "published"
        roll = rng.random()
        if roll >= 0.95:
            state = "submitted"
        elif roll >= 0.9:
            state = "draft"
        days = rng.randint(0, 364) if rng.random() < 0.8 else rng.randint(366, 729)
        verified = self.now - timedelta(days=days, seconds=rng.randint(0, 86_399))
        published_at = verified - timedelta(days=rng.randint(0, 400)) if state == "published" else None
        person = rng.choice(rt.people)
        first, last = person.split(" ", 1)
        lat = city.lat + rng.uniform(-0.03, 0.03)
        lng = city.lng + rng.uniform(-0.045, 0.045)

        return FacilitySpec(
            number=i + 1,
            slug=slug,
            region=region,
            host=host,
            topic=topic_key,
            name_en=name,
            acronym=acronym(name),
            tagline_en=tagline,
            description_en=" ".join(sentences),
            language=language,
            name_local=name_local,
            tagline_local=tagline_local,
            description_local=description_local,
            facility_type=ftype,
            structure=structure,
            lifecycle=self._pick(texts.LIFECYCLE),
            technologies=tuple(technologies),
            scientific_domains=tuple(domains),
            application_sectors=tuple(sorted(sectors)),
            keywords=tuple(keywords),
            trl_min=trl_min,
            trl_max=trl_max,
            access_types=tuple(access_types),
            access_modes=tuple(access_modes),
            target_users=tuple(target_users),
            order_type=self._pick(texts.ORDER_TYPES),
            pricing=pricing,
            price_indication=texts.PRICE_INDICATIONS[pricing],
            lead_time=lead_time,
            support_level=self._pick(texts.SUPPORT),
            training_offered=training_offered,
            certifications=", ".join(certifications),
            contact_name=person,
            contact_email=f"{slugify(first)}.{slugify(last)}@example.org",
            website=f"https://example.org/{region}/{slug}",
            city=city.name,
            address=f"{rng.choice(city.streets)} {rng.randint(1, 180)}",
            postcode=city.postcode,
            latitude=Decimal(f"{lat:.5f}"),
            longitude=Decimal(f"{lng:.5f}"),
            state=state,
            published_at=published_at,
            last_verified_at=verified,
            source="demo",
            external_id=f"demo-{self.seed}-{i + 1:06d}",
            equipment=tuple(equipment),
            services=tuple(services),
        )

    def _equipment(self, topic: Topic, count: int) -> list[EquipmentSpec]:
        rng = self.rng
        items = [topic.equipment[0], *rng.sample(topic.equipment[1:], min(count, len(topic.equipment)) - 1)]
        if len(items) < count:
            items += rng.sample(GENERIC_EQUIPMENT, count - len(items))
        specs = []
        for item in items:
            manufacturer = rng.choice(texts.MANUFACTURERS)
            specs.append(
                EquipmentSpec(
                    name=item.name,
                    description=item.description,
                    manufacturer=manufacturer,
                    model_name=f"{acronym(manufacturer)}-{rng.randint(100, 990)}",
                    category=item.category,
                    techniques=item.techniques,
                    status=self._pick(texts.EQUIPMENT_STATUS),
                    bookable=rng.random() < 0.6,
                    training_required=rng.random() < 0.5,
                )
            )
        return specs

    def _services(self, topic: Topic, equipment_count: int, trl_min: int, trl_max: int) -> list[ServiceSpec]:
        rng = self.rng
        count = rng.randint(1, 4)
        chosen = [topic.services[0]]
        if count > 1 and rng.random() < 0.5:
            chosen.append(topic.services[1])
        first_equipment = lower_first(topic.equipment[0].name)
        while len(chosen) < count:
            service_type = self._service_type()
            if any(s.service_type == service_type for s in chosen):
                continue
            name, description, deliverables = _split(texts.GENERIC_SERVICES[service_type])
            slots = {"Topic": cap(topic.lower), "topic": topic.lower, "equipment": first_equipment}
            chosen.append(
                ServiceText(
                    name.format(**slots),
                    service_type,
                    description.format(**slots),
                    deliverables.format(**slots),
                )
            )
        specs = []
        for position, item in enumerate(chosen):
            low = rng.randint(trl_min, trl_max)
            used = set(rng.sample(range(equipment_count), rng.randint(1, min(2, equipment_count))))
            if position == 0:
                used.add(0)  # the topic's own service uses its core equipment
            specs.append(
                ServiceSpec(
                    name=item.name,
                    service_type=item.service_type,
                    description=item.description,
                    trl_min=low,
                    trl_max=rng.randint(low, trl_max),
                    turnaround=rng.choice(texts.TURNAROUNDS),
                    pricing=rng.choice(texts.SERVICE_PRICES),
                    deliverables=item.deliverables.replace("; ", ", "),
                    equipment=tuple(sorted(used)),
                )
            )
        return specs

    def _local(
        self,
        language: str,
        ftype: str,
        phrase: str,
        keywords: list[str],
        city: str,
        technologies: list[str],
        equipment: list[EquipmentSpec],
        services: list[ServiceSpec],
        trl_min: int,
        trl_max: int,
    ) -> tuple[str, str, str]:
        """Name, tagline and description in the region's language, from its templates."""
        mod = LOCAL[language]
        lower = mod.LOWER
        name = cap(mod.NAME.format(kind=mod.KINDS[ftype], topic=phrase))
        tagline = self.rng.choice(mod.TAGLINES).format(
            Kw0=cap(keywords[0]), kw0=keywords[0], kw1=keywords[1], kw2=keywords[2], city=city
        )
        categories = _unique([e.category for e in equipment if e.category != "other"])
        values = {
            "kets": ", ".join(self._label("ket", k, language, lower) for k in technologies),
            "services": ", ".join(
                self._label("service-type", t, language, lower)
                for t in _unique([s.service_type for s in services])
            ),
            "equipment": ", ".join(self._label("equipment-category", c, language, lower) for c in categories),
            "keywords": ", ".join(keywords),
            "trl_min": str(trl_min),
            "trl_max": str(trl_max),
        }
        optional = self.rng.sample(["kets", "trl", "keywords"], self.rng.randint(1, 2))
        lines = [mod.INTRO.format(name=name, city=city)]
        for key in ("kets", "services", "equipment", "trl", "keywords"):
            if key in ("services", "equipment") or key in optional:
                if key == "equipment" and not categories:
                    continue
                lines.append(mod.LINES[key].format(**values))
        return name, tagline, " ".join(lines)


def _unique(items: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            result.append(item)
    return result


def generate(
    n: int, *, seed: int = 2026, index: TermIndex, now: datetime | None = None
) -> Iterator[FacilitySpec]:
    """`n` facility specs, spread evenly over the eight regions; deterministic per seed.

    `now` anchors the verification dates (default: today, midnight UTC), so the same
    seed gives the same specs all day long.
    """
    generator = _Generator(seed=seed, index=index, now=now or midnight_utc())
    for i in range(n):
        yield generator.spec(i)
