"""Italian texts of the demo catalogue (Emilia-Romagna). Format: see texts_de."""

from __future__ import annotations

LOWER = True
NAME = "{kind} {topic}"
KINDS = {
    "research-lab": "Laboratorio di ricerca",
    "core-facility": "Piattaforma strumentale condivisa",
    "pilot-line": "Linea pilota",
    "testbed": "Infrastruttura di prova",
    "demonstrator": "Dimostratore",
    "cleanroom": "Camera bianca",
    "living-lab": "Living lab",
    "technology-centre": "Centro di competenza",
    "computing-data": "Centro di calcolo e dati",
    "collection-biobank": "Biobanca",
    "field-station": "Stazione sperimentale di campo",
    "mobile-platform": "Laboratorio mobile",
    "other": "Piattaforma di innovazione",
}
TOPICS = {
    "photonics": "per la fotonica | chip fotonici; sensori ottici; fibre ottiche",
    "laser": "per la lavorazione laser | taglio laser; saldatura laser; compositi",
    "composites": "per i materiali compositi | fibra di carbonio; strutture leggere; termoplastici",
    "additive": "per la manifattura additiva | stampa 3D; stampa 3D di metalli; fusione a letto di polvere",
    "microfab": "per la microfabbricazione | camera bianca; litografia; MEMS",
    "nanomaterials": "per i nanomateriali | nanoparticelle; rivestimenti funzionali; grafene",
    "characterisation": "per la caratterizzazione dei materiali | microscopia elettronica; diffrazione di raggi X; analisi dei guasti",
    "bioprocess": "per i bioprocessi | bioreattore; fermentazione; scale-up",
    "analytical": "per la chimica analitica | spettrometria di massa; cromatografia; sicurezza alimentare",
    "biosamples": "per i campioni biologici | biobanca; crioconservazione; gestione dei campioni",
    "emc": "per la compatibilità elettromagnetica | prove EMC; compatibilità elettromagnetica; marcatura CE",
    "battery": "per le batterie | test delle batterie; celle agli ioni di litio; accumulo di energia",
    "edge-ai": "per l'intelligenza artificiale edge | intelligenza artificiale; edge computing; visione artificiale",
    "environmental": "per le prove ambientali | prove di vibrazione; prove climatiche; prove d'urto",
    "connected": "per i sistemi connessi | sicurezza informatica; 5G; internet delle cose",
    "robotics": "per la robotica | robot collaborativi; automazione; collaborazione uomo-robot",
    "agrifood": "per l'agroalimentare | agricoltura di precisione; trasformazione alimentare; prove in campo",
    "energy": "per l'energia intelligente | reti intelligenti; pompe di calore; idrogeno",
    "health-data": "per i dati sanitari | dati sanitari; apprendimento federato; diagnostica per immagini",
}
TAGLINES = (
    "{Kw0}, {kw1} e {kw2} per PMI e start-up",
    "Infrastrutture e competenze a {city}: {kw0} e {kw1}",
)
INTRO = "{name} a {city} apre le proprie infrastrutture a PMI, start-up e gruppi di ricerca."
LINES = {
    "kets": "Tecnologie: {kets}.",
    "services": "Servizi: {services}.",
    "equipment": "Attrezzature: {equipment}.",
    "trl": "Livello di maturità tecnologica: da TRL {trl_min} a TRL {trl_max}.",
    "keywords": "Parole chiave: {keywords}.",
}
