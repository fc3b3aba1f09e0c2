"""Loading the controlled vocabularies from fixtures/vocabularies.json, idempotently.

Used by a data migration (so every database, the test one included, has them) and by
the `load_reference_data` command (so later edits of the file reach existing databases).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

VOCABULARIES_FILE = Path(settings.BASE_DIR) / "fixtures" / "vocabularies.json"


def load_vocabularies(term_model: Any, path: Path = VOCABULARIES_FILE) -> tuple[int, int]:
    """Create or update every term of the file; returns (created, updated)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    languages = [code for code, _name in settings.LANGUAGES]
    created = updated = 0
    pending_parents: list[tuple[Any, str]] = []
    for vocabulary, entries in data["vocabularies"].items():
        for position, entry in enumerate(entries):
            defaults: dict[str, Any] = {
                "order": entry.get("order", position),
                "crosswalk": entry.get("crosswalk", {}),
                "label": entry["labels"]["en"],
                "description": entry.get("description", {}).get("en", ""),
            }
            keywords = entry.get("keywords", {})
            for lang in languages:
                defaults[f"label_{lang}"] = entry["labels"].get(lang, "")
                defaults[f"description_{lang}"] = entry.get("description", {}).get(lang, "")
                defaults[f"synonyms_{lang}"] = ", ".join(keywords.get(lang, []))
            term, was_created = term_model.objects.update_or_create(
                vocabulary=vocabulary, code=entry["code"], defaults=defaults
            )
            created += was_created
            updated += not was_created
            if entry.get("parent"):
                pending_parents.append((term, entry["parent"]))
    for term, parent_code in pending_parents:
        term.parent = term_model.objects.get(vocabulary=term.vocabulary, code=parent_code)
        term.save(update_fields=["parent"])
    return created, updated
