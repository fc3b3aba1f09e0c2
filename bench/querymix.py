"""The fixed request mix of the benchmarks (kept in the repo so runs compare).

About 60% selective queries (2-3 terms), 20% broad single terms, 10% facet-only
browsing, 10% typos; a third of all requests carry one or two facet filters. Plus
search-as-you-type prefixes. Deterministic: the same seed gives the same list.
"""

from __future__ import annotations

import random
from urllib.parse import urlencode

SELECTIVE = [
    "laser cutting composites",
    "EMC testing",
    "cleanroom ISO 6",
    "bioreactor pilot scale",
    "3D printing metal",
    "electron microscopy",
    "battery testing",
    "AI edge computing",
    "vibration testing",
    "mass spectrometry",
    "thin film deposition",
    "additive manufacturing titanium",
    "Reinraum Photonik",
    "stampa 3D metallo",
    "elektronová mikroskopie",
    "robot welding cell",
    "climate chamber testing",
    "X-ray tomography",
    "cell culture bioprocess",
    "digital twin manufacturing",
]
BROAD = ["testing", "laser", "pilot", "materials", "analysis", "prototyping", "laboratory", "sensor"]
TYPOS = [
    "bioreacter",
    "microscopey",
    "fotonics",
    "spectrometery",
    "clenroom",
    "additve manufacturing",
    "vibraton",
]
PREFIXES = ["las", "bior", "clean", "micros", "spect", "robo", "batt", "phot", "addit", "emc"]
FACETS = {
    "region": [
        "flanders",
        "south-moravia",
        "tartu",
        "chemnitz",
        "emilia-romagna",
        "vidzeme",
        "brainport",
        "skane",
    ],
    "ket": [
        "photonics",
        "advanced-materials",
        "industrial-biotechnology",
        "advanced-manufacturing",
        "nanotechnology",
    ],
    "access": ["fee-based", "free", "collaboration-based"],
    "trl": ["3", "5", "7"],
    "type": ["pilot-line", "testbed", "cleanroom", "research-lab"],
}


def _filters(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names = rng.sample(sorted(FACETS), count)
    return [(name, rng.choice(FACETS[name])) for name in names]


def search_queries(n: int = 400, *, seed: int = 11) -> list[str]:
    """Query strings (`q=...&region=...`) for the search page and the API."""
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(n):
        bucket = i % 10
        params: list[tuple[str, str]] = []
        if bucket < 6:
            params.append(("q", rng.choice(SELECTIVE)))
        elif bucket < 8:
            params.append(("q", rng.choice(BROAD)))
        elif bucket < 9:
            params.extend(_filters(rng, rng.choice([1, 2])))  # facet-only browsing
        else:
            params.append(("q", rng.choice(TYPOS)))
        if bucket < 9 and rng.random() < 1 / 3:
            params.extend(_filters(rng, rng.choice([1, 2])))
        out.append(urlencode(params))
    rng.shuffle(out)
    return out


def suggestion_queries(n: int = 400, *, seed: int = 12) -> list[str]:
    rng = random.Random(seed)
    return [urlencode({"q": rng.choice(PREFIXES)}) for _ in range(n)]


# Words in none of the lists above: warming the server with them measures nothing twice.
WARM_UP_WORDS = [
    "calibration",
    "foundry",
    "acoustics",
    "rheology",
    "welding",
    "metrology",
    "optics",
    "corrosion",
]


def warm_up_queries(n: int = 40) -> list[str]:
    """Searches for the warm-up (connections, templates, the term index), none in the mix."""
    return [urlencode({"q": WARM_UP_WORDS[i % len(WARM_UP_WORDS)]}) for i in range(n)]
