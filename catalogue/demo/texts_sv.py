"""Swedish texts of the demo catalogue (Skåne). Format: see texts_de."""

from __future__ import annotations

LOWER = True
NAME = "{kind} {topic}"
KINDS = {
    "research-lab": "Forskningslabb",
    "core-facility": "Gemensam instrumentplattform",
    "pilot-line": "Pilotlina",
    "testbed": "Testbädd",
    "demonstrator": "Demonstrator",
    "cleanroom": "Renrum",
    "living-lab": "Living lab",
    "technology-centre": "Kompetenscentrum",
    "computing-data": "Beräknings- och datacenter",
    "collection-biobank": "Biobank",
    "field-station": "Fältstation",
    "mobile-platform": "Mobilt labb",
    "other": "Innovationsplattform",
}
TOPICS = {
    "photonics": "för fotonik | fotoniska chip; optiska sensorer; fiberoptik",
    "laser": "för laserbearbetning | laserskärning; lasersvetsning; kompositer",
    "composites": "för kompositmaterial | kolfiber; lättviktskonstruktioner; termoplaster",
    "additive": "för additiv tillverkning | 3D-printing; metallprintning; pulverbäddsfusion",
    "microfab": "för mikrotillverkning | renrum; litografi; MEMS",
    "nanomaterials": "för nanomaterial | nanopartiklar; funktionella beläggningar; grafen",
    "characterisation": "för materialkarakterisering | elektronmikroskopi; röntgendiffraktion; haveriutredning",
    "bioprocess": "för bioprocesser | bioreaktor; fermentering; uppskalning",
    "analytical": "för analytisk kemi | masspektrometri; kromatografi; livsmedelssäkerhet",
    "biosamples": "för biologiska prover | biobank; kryokonservering; provhantering",
    "emc": "för EMC | EMC-provning; elektromagnetisk kompatibilitet; CE-märkning",
    "battery": "för batteriteknik | batteritestning; litiumjonceller; energilagring",
    "edge-ai": "för edge-AI | artificiell intelligens; edge computing; datorseende",
    "environmental": "för miljötålighetsprovning | vibrationsprovning; klimatprovning; stötprovning",
    "connected": "för uppkopplade system | cybersäkerhet; 5G; sakernas internet",
    "robotics": "för robotik | kollaborativa robotar; automation; samarbete mellan människa och robot",
    "agrifood": "för livsmedel och jordbruk | precisionsodling; livsmedelsförädling; fältförsök",
    "energy": "för smarta energisystem | smarta elnät; värmepumpar; vätgas",
    "health-data": "för hälsodata | hälsodata; federerad inlärning; medicinsk bilddiagnostik",
}
TAGLINES = (
    "{Kw0}, {kw1} och {kw2} för små och medelstora företag",
    "Infrastruktur och kompetens i {city}: {kw0} och {kw1}",
)
INTRO = (
    "{name} i {city} öppnar sin infrastruktur för små och medelstora företag, startups och forskargrupper."
)
LINES = {
    "kets": "Teknologier: {kets}.",
    "services": "Tjänster: {services}.",
    "equipment": "Utrustning: {equipment}.",
    "trl": "Teknisk mognadsgrad: TRL {trl_min}–{trl_max}.",
    "keywords": "Nyckelord: {keywords}.",
}
