"""Dutch texts of the demo catalogue (Flanders, Brainport Eindhoven). Format: see texts_de."""

from __future__ import annotations

LOWER = True
NAME = "{kind} {topic}"
KINDS = {
    "research-lab": "Onderzoekslab",
    "core-facility": "Gedeelde kernfaciliteit",
    "pilot-line": "Pilotlijn",
    "testbed": "Testomgeving",
    "demonstrator": "Demonstrator",
    "cleanroom": "Cleanroom",
    "living-lab": "Living lab",
    "technology-centre": "Kenniscentrum",
    "computing-data": "Reken- en datacentrum",
    "collection-biobank": "Biobank",
    "field-station": "Veldstation",
    "mobile-platform": "Mobiel lab",
    "other": "Innovatieplatform",
}
TOPICS = {
    "photonics": "voor fotonica | fotonische chips; optische sensoren; glasvezel",
    "laser": "voor laserbewerking | lasersnijden; laserlassen; composieten",
    "composites": "voor composieten | koolstofvezel; lichtgewichtconstructies; thermoplasten",
    "additive": "voor additieve productie | 3D-printen; metaalprinten; poederbedfusie",
    "microfab": "voor microfabricage | cleanroom; lithografie; MEMS",
    "nanomaterials": "voor nanomaterialen | nanodeeltjes; functionele coatings; grafeen",
    "characterisation": "voor materiaalkarakterisering | elektronenmicroscopie; röntgendiffractie; schadeanalyse",
    "bioprocess": "voor bioprocessen | bioreactor; fermentatie; opschaling",
    "analytical": "voor analytische chemie | massaspectrometrie; chromatografie; voedselveiligheid",
    "biosamples": "voor biologische monsters | biobank; cryopreservatie; monsterlogistiek",
    "emc": "voor EMC | EMC-testen; elektromagnetische compatibiliteit; CE-markering",
    "battery": "voor batterijen | batterijtesten; lithium-ioncellen; energieopslag",
    "edge-ai": "voor edge-AI | kunstmatige intelligentie; edge computing; computervisie",
    "environmental": "voor omgevingstesten | trillingstesten; klimaattesten; schoktesten",
    "connected": "voor verbonden systemen | cyberbeveiliging; 5G; internet der dingen",
    "robotics": "voor robotica | cobots; automatisering; mens-robotsamenwerking",
    "agrifood": "voor agrovoeding | precisielandbouw; voedselverwerking; veldproeven",
    "energy": "voor slimme energie | slimme netten; warmtepompen; waterstof",
    "health-data": "voor gezondheidsdata | gezondheidsgegevens; federatief leren; medische beeldvorming",
}
TAGLINES = (
    "{Kw0}, {kw1} en {kw2} voor bedrijven en start-ups",
    "Infrastructuur en expertise in {city}: {kw0} en {kw1}",
)
INTRO = "{name} in {city} staat open voor bedrijven, start-ups en onderzoekers."
LINES = {
    "kets": "Technologieën: {kets}.",
    "services": "Diensten: {services}.",
    "equipment": "Uitrusting: {equipment}.",
    "trl": "Technologische maturiteit: TRL {trl_min} tot {trl_max}.",
    "keywords": "Trefwoorden: {keywords}.",
}
