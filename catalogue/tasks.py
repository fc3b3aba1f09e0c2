from __future__ import annotations

from celery import shared_task

from catalogue.services import search_words_rebuild


@shared_task(name="catalogue.rebuild_search_words", soft_time_limit=600, time_limit=660)
def rebuild_search_words_task() -> int:
    return search_words_rebuild()
