"""Latvian texts of the demo catalogue (Vidzeme). Format: see texts_de.

Names put the topic in the genitive before the kind ("Fotonikas laboratorija").
"""

from __future__ import annotations

LOWER = True
NAME = "{topic} {kind}"
KINDS = {
    "research-lab": "pētniecības laboratorija",
    "core-facility": "koplietošanas iekārtu centrs",
    "pilot-line": "pilotlīnija",
    "testbed": "testēšanas platforma",
    "demonstrator": "demonstrācijas centrs",
    "cleanroom": "tīrtelpa",
    "living-lab": "dzīvā laboratorija",
    "technology-centre": "kompetences centrs",
    "computing-data": "skaitļošanas un datu centrs",
    "collection-biobank": "biobanka",
    "field-station": "lauka izmēģinājumu stacija",
    "mobile-platform": "mobilā laboratorija",
    "other": "inovāciju platforma",
}
TOPICS = {
    "photonics": "fotonikas | fotoniskās mikroshēmas; optiskie sensori; optiskās šķiedras",
    "laser": "lāzerapstrādes | lāzergriešana; lāzermetināšana; kompozīti",
    "composites": "kompozītmateriālu | oglekļa šķiedra; vieglās konstrukcijas; termoplasti",
    "additive": "aditīvās ražošanas | 3D druka; metāla 3D druka; pulvera slāņa kausēšana",
    "microfab": "mikroražošanas | tīrtelpa; litogrāfija; MEMS",
    "nanomaterials": "nanomateriālu | nanodaļiņas; funkcionālie pārklājumi; grafēns",
    "characterisation": "materiālu raksturošanas | elektronu mikroskopija; rentgenstaru difrakcija; bojājumu analīze",
    "bioprocess": "bioprocesu | bioreaktors; fermentācija; mērogošana",
    "analytical": "analītiskās ķīmijas | masas spektrometrija; hromatogrāfija; pārtikas nekaitīgums",
    "biosamples": "bioloģisko paraugu | biobanka; kriokonservēšana; paraugu pārvaldība",
    "emc": "EMS | EMS testēšana; elektromagnētiskā saderība; CE marķējums",
    "battery": "akumulatoru tehnoloģiju | akumulatoru testēšana; litija jonu šūnas; enerģijas uzkrāšana",
    "edge-ai": "malas mākslīgā intelekta | mākslīgais intelekts; malas skaitļošana; datorredze",
    "environmental": "vides testēšanas | vibrāciju testēšana; klimata testi; triecientesti",
    "connected": "savienoto sistēmu | kiberdrošība; 5G; lietu internets",
    "robotics": "robotikas | kolaboratīvie roboti; automatizācija; cilvēka un robota sadarbība",
    "agrifood": "lauksaimniecības un pārtikas | precīzā lauksaimniecība; pārtikas pārstrāde; lauka izmēģinājumi",
    "energy": "viedās enerģētikas | viedie tīkli; siltumsūkņi; ūdeņradis",
    "health-data": "veselības datu | veselības dati; federatīvā mācīšanās; medicīniskā attēlveidošana",
}
TAGLINES = (
    "{Kw0}, {kw1} un {kw2} maziem un vidējiem uzņēmumiem",
    "Infrastruktūra un zināšanas uzņēmumiem: {kw0} un {kw1}",
)
INTRO = (
    "{name} ({city}) piedāvā savu infrastruktūru maziem un vidējiem uzņēmumiem, jaunuzņēmumiem un pētniekiem."
)
LINES = {
    "kets": "Tehnoloģijas: {kets}.",
    "services": "Pakalpojumi: {services}.",
    "equipment": "Aprīkojums: {equipment}.",
    "trl": "Tehnoloģiju gatavības līmenis: TRL {trl_min}–{trl_max}.",
    "keywords": "Atslēgvārdi: {keywords}.",
}
