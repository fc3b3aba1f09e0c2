"""Shared text banks of the demo catalogue: places, hosts, people and English templates.

Everything here is fictional: organisations are called "Demo", "Sample", "Example" or
"Fictional", manufacturers are invented, mail goes to example.org. Compact on purpose:
lists of slots and templates, combined by `generator.py`.
"""

from __future__ import annotations

from typing import NamedTuple


class City(NamedTuple):
    name: str
    lat: float
    lng: float
    postcode: str
    streets: tuple[str, ...]


class RegionText(NamedTuple):
    language: str  # the region's own language (besides English)
    country: str
    cities: tuple[City, ...]
    people: tuple[str, ...]


REGIONS: dict[str, RegionText] = {
    "flanders": RegionText(
        "nl",
        "BE",
        (
            City(
                "Ghent",
                51.0543,
                3.7174,
                "9052",
                ("Technologiepark", "Ottergemsesteenweg", "Sint-Pietersnieuwstraat"),
            ),
            City("Leuven", 50.8798, 4.7005, "3001", ("Kapeldreef", "Celestijnenlaan", "Romeinse Straat")),
            City("Antwerp", 51.2194, 4.4025, "2020", ("Noorderlaan", "Groenenborgerlaan", "Kielsevest")),
        ),
        ("Lies Claes", "Pieter Janssens", "Annelies Peeters", "Jens Maes", "Sofie Willems", "Wouter De Smet"),
    ),
    "south-moravia": RegionText(
        "cs",
        "CZ",
        (City("Brno", 49.1951, 16.6068, "612 00", ("Purkyňova", "Technická", "Údolní", "Kounicova")),),
        (
            "Jana Dvořáková",
            "Petr Novák",
            "Lucie Horáková",
            "Tomáš Černý",
            "Kateřina Procházková",
            "Jiří Svoboda",
        ),
    ),
    "tartu": RegionText(
        "et",
        "EE",
        (City("Tartu", 58.3780, 26.7290, "50411", ("Teaduspargi", "Riia", "Ülikooli", "Nooruse")),),
        ("Kadri Tamm", "Märt Saar", "Liis Kask", "Tõnu Sepp", "Triin Õunapuu", "Andres Pärn"),
    ),
    "chemnitz": RegionText(
        "de",
        "DE",
        (
            City(
                "Chemnitz",
                50.8333,
                12.9250,
                "09126",
                ("Reichenhainer Straße", "Technologie-Campus", "Straße der Nationen", "Annaberger Straße"),
            ),
        ),
        ("Anja Schäfer", "Jörg Müller", "Katrin Günther", "Matthias Köhler", "Sabine Krüger", "Uwe Hoffmann"),
    ),
    "emilia-romagna": RegionText(
        "it",
        "IT",
        (
            City(
                "Bologna",
                44.4949,
                11.3426,
                "40129",
                ("Via Piero Gobetti", "Viale del Risorgimento", "Via Stalingrado"),
            ),
            City("Modena", 44.6471, 10.9252, "41125", ("Via Pietro Vivarelli", "Via Giuseppe Campi")),
            City("Parma", 44.8015, 10.3279, "43124", ("Parco Area delle Scienze", "Via Emilia Est")),
        ),
        ("Giulia Bianchi", "Marco Rossi", "Chiara Ferrari", "Luca Galli", "Francesca Conti", "Nicolò Ricci"),
    ),
    "vidzeme": RegionText(
        "lv",
        "LV",
        (
            City("Valmiera", 57.5411, 25.4275, "LV-4201", ("Cēsu iela", "Vienības laukums", "Terbatas iela")),
            City("Cēsis", 57.3119, 25.2706, "LV-4101", ("Raunas iela", "Piebalgas iela", "Valmieras iela")),
        ),
        ("Līga Ozola", "Jānis Bērziņš", "Ilze Kalniņa", "Māris Liepiņš", "Inese Krūmiņa", "Edgars Zariņš"),
    ),
    "brainport": RegionText(
        "nl",
        "NL",
        (
            City(
                "Eindhoven",
                51.4416,
                5.4697,
                "5656",
                ("High Tech Campus", "De Lismortel", "De Zaale", "Torenallee"),
            ),
        ),
        ("Femke de Vries", "Bram van Dijk", "Sanne Jansen", "Joris Bakker", "Lotte Visser", "Ruud Smits"),
    ),
    "skane": RegionText(
        "sv",
        "SE",
        (
            City("Lund", 55.7047, 13.1910, "223 63", ("Scheelevägen", "Ole Römers väg", "Sölvegatan")),
            City(
                "Malmö",
                55.6050,
                13.0038,
                "211 19",
                ("Nordenskiöldsgatan", "Östra Varvsgatan", "Stadiongatan"),
            ),
        ),
        ("Elin Lindqvist", "Johan Åberg", "Sara Nyström", "Anders Öberg", "Maja Holmström", "Erik Sjögren"),
    ),
}
REGION_CODES = tuple(REGIONS)

# Host organisations: six per region. {city}: the first city, {last_city}: the last one,
# {region}: the region code title-cased, {field}: a field chosen per region by rotation.
# (template, type, helix, field offset)
HOSTS: tuple[tuple[str, str, str, int], ...] = (
    ("Sample University of Technology of {city}", "university", "academia", 0),
    ("Demo Institute of Applied {field}", "rto", "academia", 0),
    ("Example Research Centre for {field}", "public-research", "academia", 3),
    ("Demo University of Applied Sciences {last_city}", "university", "academia", 0),
    ("Fictional {field} Innovation Hub {region}", "cluster", "industry", 5),
    ("Example {field} Engineering Ltd", "sme", "industry", 6),
)
HOST_FIELDS = (
    "Photonics",
    "Materials Science",
    "Life Sciences",
    "Digital Technologies",
    "Manufacturing",
    "Biotechnology",
    "Energy Systems",
    "Microelectronics",
)

MANUFACTURERS = (
    "Demotronic Instruments",
    "Samplex Systems",
    "Exemplar Analytical",
    "Fictiva Optics",
    "Mockwerk Prüftechnik",
    "Protoform Industries",
    "Simulacrum Labs",
    "Nordlys Demo Scientific",
    "Placeholder Precision",
    "Quasidemo Robotics",
)

ADJECTIVES = (
    "Applied",
    "Advanced",
    "Integrated",
    "Open",
    "Smart",
    "Precision",
    "Industrial",
    "Digital",
    "Sustainable",
    "Next-Generation",
    "Regional",
    "Shared",
    "Flexible",
    "Modular",
    "Green",
    "Interdisciplinary",
    "Experimental",
    "Collaborative",
    "Translational",
    "Rapid",
)

# Facility type -> (English kind nouns for names, TRL band lo-hi, description sentence).
# Sentence slots: {name}, {city}, {topic} (lower case).
FACILITY_TYPES: dict[str, tuple[tuple[str, ...], tuple[int, int], str]] = {
    "research-lab": (
        ("Lab", "Laboratory", "Research Lab"),
        (1, 5),
        "{name} is a research lab in {city} where scientists and companies work together on {topic}.",
    ),
    "core-facility": (
        ("Core Facility", "Shared Facility"),
        (2, 6),
        "{name} is a shared core facility in {city} that opens its {topic} instruments to companies and researchers alike.",
    ),
    "pilot-line": (
        ("Pilot Line", "Pilot Plant"),
        (4, 8),
        "{name} is a pilot line in {city} where companies scale {topic} processes from lab samples to pre-series.",
    ),
    "testbed": (
        ("Testbed", "Test Centre"),
        (4, 8),
        "{name} is a test and experimentation facility in {city} for validating {topic} solutions under realistic conditions.",
    ),
    "demonstrator": (
        ("Demonstrator", "Showroom"),
        (6, 9),
        "{name} is a demonstrator in {city} showing {topic} solutions working at near-industrial scale.",
    ),
    "cleanroom": (
        ("Cleanroom", "Clean Room Facility"),
        (2, 7),
        "{name} is a cleanroom in {city} offering controlled, particle-free conditions for {topic} work.",
    ),
    "living-lab": (
        ("Living Lab",),
        (5, 9),
        "{name} is a living lab in {city} where {topic} solutions are co-created and tested with real users.",
    ),
    "technology-centre": (
        ("Competence Centre", "Technology Centre"),
        (3, 8),
        "{name} is a technology and competence centre in {city} helping SMEs adopt {topic}.",
    ),
    "computing-data": (
        ("Data Centre", "Computing Hub"),
        (2, 7),
        "{name} is a computing and data infrastructure in {city} serving {topic} projects.",
    ),
    "collection-biobank": (
        ("Biobank", "Collection"),
        (1, 5),
        "{name} is a collection and biobank in {city} holding well-documented resources for {topic}.",
    ),
    "field-station": (
        ("Field Station", "Field Lab"),
        (4, 9),
        "{name} is a field station near {city} for outdoor {topic} trials.",
    ),
    "mobile-platform": (
        ("Mobile Lab", "Mobile Unit"),
        (3, 8),
        "{name} is a mobile platform based in {city} that brings {topic} equipment to the company's site.",
    ),
    "other": (("Hub", "Platform"), (3, 7), "{name} is an innovation platform in {city} focused on {topic}."),
}

# KET -> description sentence.
KET_SENTENCES: dict[str, str] = {
    "micro-and-nanoelectronics": "Its micro- and nanoelectronics work covers sensors, semiconductor devices and embedded electronics.",
    "nanotechnology": "Its nanotechnology expertise spans nanomaterials, thin films and nanoscale characterisation.",
    "industrial-biotechnology": "In industrial biotechnology it helps turn enzymes, microbes and biomass into biobased products.",
    "advanced-materials": "Its advanced materials team develops and tests lightweight, functional and sustainable materials.",
    "photonics": "In photonics it offers light-based sensing, optical components and laser technologies.",
    "advanced-manufacturing": "Its advanced manufacturing expertise helps SMEs make parts faster, more precisely and with less waste.",
    "artificial-intelligence": "Its artificial intelligence specialists turn industrial data into working models and products.",
    "security-connectivity": "Its security and connectivity experts make connected products reliable, secure and compliant.",
    "life-science-technologies": "In life-science technologies it supports diagnostics, health products and biobased solutions from sample to data.",
}

# Access mode -> how the English description words it.
ACCESS_PHRASES: dict[str, str] = {
    "free": "free of charge",
    "free-conditionally": "free for eligible SMEs under conditions",
    "fee-based": "fee-based",
    "excellence-based": "granted through open calls",
    "collaboration-based": "offered through joint projects",
    "other": "arranged case by case",
}

# Service type -> "name | description | deliverables"; slots {Topic}, {topic}, {equipment}.
GENERIC_SERVICES: dict[str, str] = {
    "equipment-access": "Access to {topic} equipment | Hands-on or assisted use of the {equipment} and related instruments, after a safety briefing. | instrument time; raw data",
    "measurement-analysis": "{Topic} measurements | Measurement, analysis and characterisation of samples with the {equipment}. | measurement report; raw data",
    "testing-validation": "{Topic} testing and validation | Tests of components and prototypes against standards or customer specifications. | test report",
    "certification-support": "Certification support | Pre-compliance checks and help preparing the technical file for CE marking and other certificates. | pre-compliance report; technical file review",
    "proof-of-concept": "{Topic} proof of concept | A short feasibility project that shows whether an idea works before investing. | feasibility report; samples",
    "prototyping": "{Topic} prototyping | Design and build of functional prototypes in short iterations. | prototype; design files",
    "pilot-production": "Pilot production and pre-series | Small series production to test processes, yield and market response. | pre-series parts; process report",
    "demonstration": "Live demonstrations | Demonstration of {topic} solutions on site or online, for companies considering an investment. | demonstration session; summary",
    "modelling-simulation": "Modelling and simulation | Numerical modelling and simulation to cut the number of physical iterations. | simulation report; models",
    "calibration": "Calibration service | Traceable calibration of instruments and sensors, with certificates. | calibration certificate",
    "training": "Training course in {topic} | Practical courses for company staff, from basics to operating the {equipment}. | course certificate; training material",
    "consultancy": "Technology consultancy | Expert advice on {topic}: technology choice, suppliers, roadmaps and funding. | advice report",
    "technology-transfer": "Technology transfer and IP support | Licensing, freedom-to-operate searches and support for spin-offs. | IP report; licence draft",
    "data-computing": "Data and computing services | Data analysis, storage and computing for {topic} projects. | analysis results; data set",
}

# Padding equipment when a topic has fewer items than wanted: "name | category | techniques | description".
GENERIC_EQUIPMENT = (
    "Climatic test chamber | environmental-testing | temperature and humidity cycling | Conditions samples from −40 °C to 150 °C.",
    "Coordinate measuring machine | metrology | dimensional inspection, 3D scanning | Measures parts to micrometre accuracy.",
    "Simulation workstation cluster | computing-hpc | finite element analysis, CFD | Workstations with licensed simulation software.",
    "Thermal analyser (DSC/TGA) | thermal-analysis | differential scanning calorimetry, thermogravimetry | Measures melting, curing and decomposition.",
    "FTIR spectrometer | spectroscopy | infrared spectroscopy, material identification | Identifies polymers and contaminants.",
    "5-axis CNC machining centre | machining | milling, turning, machining of prototypes | Machines metal and polymer prototype parts.",
)

CERTIFICATIONS = ("ISO 9001", "ISO/IEC 17025", "ISO 14001", "ISO 13485", "ISO/IEC 27001", "ISO 45001")
LEAD_TIMES = ("3–5 working days", "1–2 weeks", "2–4 weeks", "4–6 weeks", "1–3 months")
TURNAROUNDS = ("48 hours", "1 week", "2 weeks", "3–4 weeks", "6–8 weeks", "on agreement")
SERVICE_PRICES = (
    "from €90 per hour",
    "from €350 per sample",
    "€1,500–€5,000 per project",
    "€600 per day",
    "on quotation",
)
PRICE_INDICATIONS: dict[str, str] = {
    "free": "Free of charge for SMEs",
    "cost-recovery": "Cost recovery: from €70 per instrument hour",
    "academic-rate": "Academic rate from €50 per hour; companies on request",
    "commercial-rate": "Commercial rate from €120 per hour",
    "sme-subsidised": "Up to 75% covered by regional innovation vouchers for SMEs",
    "on-quotation": "On quotation, typically €2,000–€15,000 per project",
}

REGION_NAMES: dict[str, str] = {
    "flanders": "Flanders",
    "south-moravia": "South Moravia",
    "tartu": "Tartu",
    "chemnitz": "Chemnitz",
    "emilia-romagna": "Emilia-Romagna",
    "vidzeme": "Vidzeme",
    "brainport": "Brainport Eindhoven",
    "skane": "Skåne",
}

# Weights of the vocabulary codes the generator picks.

ACCESS_TYPES = {"physical": 10, "remote": 3, "virtual": 2, "mail-in": 2, "other": 1}
ACCESS_MODES = {
    "fee-based": 10,
    "collaboration-based": 5,
    "free-conditionally": 4,
    "excellence-based": 3,
    "free": 2,
    "other": 1,
}
OTHER_USERS = {
    "start-ups": 6,
    "researchers": 5,
    "large-enterprises": 4,
    "research-organisations": 3,
    "students": 2,
    "public-authorities": 2,
    "other": 1,
}
ORDER_TYPES = {"request-required": 6, "open-registration": 3, "fully-open": 1, "other": 1}
PRICING = {
    "cost-recovery": 4,
    "commercial-rate": 3,
    "sme-subsidised": 3,
    "on-quotation": 3,
    "academic-rate": 2,
    "free": 1,
}
SUPPORT = {"assisted": 5, "full-service": 4, "self-service": 2}
STRUCTURES = {"single-sited": 8, "distributed": 2}
STRUCTURES_COMPUTING = {"virtual": 3, "single-sited": 2, "distributed": 2}
LIFECYCLE = {"operational": 80, "upgrading": 8, "under-construction": 5, "planned": 4, "decommissioned": 3}
EQUIPMENT_STATUS = {"operational": 85, "maintenance": 8, "out-of-order": 4, "decommissioned": 3}
MAIL_IN_TOPICS = {"analytical", "characterisation", "biosamples", "nanomaterials"}
