"""German texts of the demo catalogue (Chemnitz).

Every language module has the same names: LOWER (lower-case the first letter of
vocabulary labels inside sentences), NAME (slots {kind}, {topic}), KINDS (facility type
-> noun), TOPICS (topic -> "phrase for the name | keyword; keyword; keyword"), TAGLINES
(slots {kw0}-{kw2}, capitalised {Kw0}, {city}), INTRO (slots {name}, {city}) and LINES
(one labelled sentence each, so that no noun has to agree with another).
"""

from __future__ import annotations

LOWER = False
NAME = "{kind} {topic}"
KINDS = {
    "research-lab": "Forschungslabor",
    "core-facility": "Gerätezentrum",
    "pilot-line": "Pilotlinie",
    "testbed": "Testfeld",
    "demonstrator": "Demonstrator",
    "cleanroom": "Reinraum",
    "living-lab": "Reallabor",
    "technology-centre": "Kompetenzzentrum",
    "computing-data": "Rechen- und Datenzentrum",
    "collection-biobank": "Biobank",
    "field-station": "Feldstation",
    "mobile-platform": "Mobiles Labor",
    "other": "Innovationsplattform",
}
TOPICS = {
    "photonics": "für Photonik | photonische Chips; optische Sensorik; Glasfasertechnik",
    "laser": "für Lasermaterialbearbeitung | Laserschneiden; Laserschweißen; Faserverbundwerkstoffe",
    "composites": "für Faserverbundwerkstoffe | Kohlenstofffaser; Leichtbau; Thermoplaste",
    "additive": "für additive Fertigung | 3D-Druck; Metall-3D-Druck; Laserstrahlschmelzen",
    "microfab": "für Mikrosystemtechnik | Reinraum; Lithografie; MEMS",
    "nanomaterials": "für Nanomaterialien | Nanopartikel; Funktionsschichten; Graphen",
    "characterisation": "für Werkstoffcharakterisierung | Elektronenmikroskopie; Röntgendiffraktometrie; Schadensanalyse",
    "bioprocess": "für Bioverfahrenstechnik | Bioreaktor; Fermentation; Maßstabsvergrößerung",
    "analytical": "für analytische Chemie | Massenspektrometrie; Chromatografie; Lebensmittelsicherheit",
    "biosamples": "für Bioproben | Biobank; Kryokonservierung; Probenlogistik",
    "emc": "für EMV | EMV-Prüfung; elektromagnetische Verträglichkeit; CE-Kennzeichnung",
    "battery": "für Batterietechnik | Batterieprüfung; Lithium-Ionen-Zellen; Energiespeicher",
    "edge-ai": "für Edge-KI | künstliche Intelligenz; Edge Computing; Bildverarbeitung",
    "environmental": "für Umweltsimulation | Schwingungsprüfung; Klimaprüfung; Schockprüfung",
    "connected": "für vernetzte Systeme | Cybersicherheit; 5G; Internet der Dinge",
    "robotics": "für Robotik | Cobots; Automatisierung; Mensch-Roboter-Kollaboration",
    "agrifood": "für Agrar- und Lebensmitteltechnik | Präzisionslandwirtschaft; Lebensmittelverarbeitung; Feldversuche",
    "energy": "für intelligente Energiesysteme | Smart Grid; Wärmepumpen; Wasserstoff",
    "health-data": "für Gesundheitsdaten | Gesundheitsdaten; föderiertes Lernen; medizinische Bildgebung",
}
TAGLINES = (
    "{Kw0}, {kw1} und {kw2} für KMU und Start-ups",
    "Infrastruktur und Know-how in {city}: {kw0} und {kw1}",
)
INTRO = "{name} in {city} steht KMU, Start-ups und Forschungsteams offen."
LINES = {
    "kets": "Technologien: {kets}.",
    "services": "Leistungen: {services}.",
    "equipment": "Ausstattung: {equipment}.",
    "trl": "Technologiereifegrad: TRL {trl_min} bis {trl_max}.",
    "keywords": "Schlagwörter: {keywords}.",
}
