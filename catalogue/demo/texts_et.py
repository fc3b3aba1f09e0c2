"""Estonian texts of the demo catalogue (Tartu). Format: see texts_de.

Names put the topic in the genitive before the kind ("Fotoonika uurimislabor").
"""

from __future__ import annotations

LOWER = True
NAME = "{topic} {kind}"
KINDS = {
    "research-lab": "uurimislabor",
    "core-facility": "aparatuurikeskus",
    "pilot-line": "pilootliin",
    "testbed": "testkeskkond",
    "demonstrator": "demonstraator",
    "cleanroom": "puhasruum",
    "living-lab": "elav labor",
    "technology-centre": "kompetentsikeskus",
    "computing-data": "arvutus- ja andmekeskus",
    "collection-biobank": "biopank",
    "field-station": "välijaam",
    "mobile-platform": "mobiilne labor",
    "other": "innovatsiooniplatvorm",
}
TOPICS = {
    "photonics": "fotoonika | fotoonikakiibid; optilised andurid; valguskaablid",
    "laser": "lasertöötluse | laserlõikus; laserkeevitus; komposiidid",
    "composites": "komposiitmaterjalide | süsinikkiud; kergkonstruktsioonid; termoplastid",
    "additive": "kihtlisandustootmise | 3D-printimine; metalli 3D-printimine; pulberkihtsulatus",
    "microfab": "mikrotootmise | puhasruum; litograafia; MEMS",
    "nanomaterials": "nanomaterjalide | nanoosakesed; funktsionaalsed pinded; grafeen",
    "characterisation": "materjalide karakteriseerimise | elektronmikroskoopia; röntgendifraktsioon; rikkeanalüüs",
    "bioprocess": "bioprotsesside | bioreaktor; fermentatsioon; mastaapimine",
    "analytical": "analüütilise keemia | massispektromeetria; kromatograafia; toiduohutus",
    "biosamples": "bioproovide | biopank; krüosäilitus; proovide haldus",
    "emc": "EMÜ | EMÜ testimine; elektromagnetiline ühilduvus; CE-märgis",
    "battery": "akutehnoloogia | akude testimine; liitiumioonelemendid; energiasalvestus",
    "edge-ai": "servatehisintellekti | tehisintellekt; servaarvutus; masinnägemine",
    "environmental": "keskkonnakatsetuste | vibratsioonikatsed; kliimakatsed; löögikatsed",
    "connected": "ühendatud süsteemide | küberturvalisus; 5G; asjade internet",
    "robotics": "robootika | koostöörobotid; automatiseerimine; inimese ja roboti koostöö",
    "agrifood": "põllumajanduse ja toidutööstuse | täppispõllumajandus; toiduainete töötlemine; põldkatsed",
    "energy": "nutika energeetika | nutivõrk; soojuspumbad; vesinik",
    "health-data": "terviseandmete | terviseandmed; föderatiivne õpe; meditsiiniline pildindus",
}
TAGLINES = (
    "{Kw0}, {kw1} ja {kw2} väikestele ja keskmise suurusega ettevõtetele",
    "Taristu ja oskusteave ettevõtetele: {kw0} ja {kw1}",
)
INTRO = "{name} asub {city} linnas ning on avatud väikestele ja keskmise suurusega ettevõtetele, idufirmadele ja teadlastele."
LINES = {
    "kets": "Tehnoloogiad: {kets}.",
    "services": "Teenused: {services}.",
    "equipment": "Seadmed: {equipment}.",
    "trl": "Tehnoloogiline valmidus: TRL {trl_min}–{trl_max}.",
    "keywords": "Märksõnad: {keywords}.",
}
