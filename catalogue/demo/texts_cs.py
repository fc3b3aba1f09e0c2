"""Czech texts of the demo catalogue (South Moravia). Format: see texts_de.

Topic phrases are in the genitive ("Laboratoř fotoniky"); lists follow a label and a
colon, so no case has to agree.
"""

from __future__ import annotations

LOWER = True
NAME = "{kind} {topic}"
KINDS = {
    "research-lab": "Výzkumná laboratoř",
    "core-facility": "Centrum sdílených přístrojů",
    "pilot-line": "Pilotní linka",
    "testbed": "Testovací pracoviště",
    "demonstrator": "Demonstrátor",
    "cleanroom": "Čistá místnost",
    "living-lab": "Živá laboratoř",
    "technology-centre": "Kompetenční centrum",
    "computing-data": "Výpočetní a datové centrum",
    "collection-biobank": "Biobanka",
    "field-station": "Terénní stanice",
    "mobile-platform": "Mobilní laboratoř",
    "other": "Inovační platforma",
}
TOPICS = {
    "photonics": "fotoniky | fotonické čipy; optické senzory; optická vlákna",
    "laser": "laserového obrábění | řezání laserem; laserové svařování; kompozity",
    "composites": "kompozitních materiálů | uhlíková vlákna; lehké konstrukce; termoplasty",
    "additive": "aditivní výroby | 3D tisk; 3D tisk kovů; laserové spékání",
    "microfab": "mikrovýroby | čisté prostory; litografie; MEMS",
    "nanomaterials": "nanomateriálů | nanočástice; funkční povlaky; grafen",
    "characterisation": "charakterizace materiálů | elektronová mikroskopie; rentgenová difrakce; analýza poruch",
    "bioprocess": "bioprocesního inženýrství | bioreaktor; fermentace; převod do poloprovozu",
    "analytical": "analytické chemie | hmotnostní spektrometrie; chromatografie; bezpečnost potravin",
    "biosamples": "biologických vzorků | biobanka; kryokonzervace; správa vzorků",
    "emc": "EMC | testování EMC; elektromagnetická kompatibilita; označení CE",
    "battery": "bateriových technologií | testování baterií; lithium-iontové články; ukládání energie",
    "edge-ai": "umělé inteligence na okraji sítě | umělá inteligence; edge computing; počítačové vidění",
    "environmental": "zkoušek odolnosti | vibrační zkoušky; klimatické zkoušky; rázové zkoušky",
    "connected": "propojených systémů | kybernetická bezpečnost; 5G; internet věcí",
    "robotics": "robotiky | kolaborativní roboty; automatizace; spolupráce člověka a robota",
    "agrifood": "zemědělství a potravinářství | precizní zemědělství; zpracování potravin; polní pokusy",
    "energy": "chytré energetiky | chytré sítě; tepelná čerpadla; vodík",
    "health-data": "zdravotnických dat | zdravotní data; federované učení; lékařské zobrazování",
}
TAGLINES = (
    "{Kw0}, {kw1} a {kw2} pro malé a střední podniky",
    "Přístup k infrastruktuře a odborníkům: {kw0} a {kw1}",
)
INTRO = "{name} ve městě {city} otevírá svou infrastrukturu malým a středním podnikům, start-upům i výzkumným týmům."
LINES = {
    "kets": "Technologie: {kets}.",
    "services": "Služby: {services}.",
    "equipment": "Vybavení: {equipment}.",
    "trl": "Úroveň technologické připravenosti: TRL {trl_min} až {trl_max}.",
    "keywords": "Klíčová slova: {keywords}.",
}
