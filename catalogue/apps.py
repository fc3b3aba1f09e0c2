from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        # Connects the receivers that keep copied names in the search index current.
        from simple_history import register as register_history

        from catalogue import services  # noqa: F401
        from catalogue.cache import connect_signals
        from catalogue.models import Facility

        # History is registered once modeltranslation (first app, so ready first) has
        # added the language columns, so that history keeps every language's text.
        register_history(
            Facility,
            app="catalogue",
            excluded_fields=["search_text_b", "search_text_c", "search_vector", "search_names"],
        )
        connect_signals()
        from django.db.models.signals import post_migrate

        from catalogue.dbtuning import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="catalogue-tune-text-search")
