from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from catalog.audit import history_on_behalf_fill

        pre_create_historical_record.connect(history_on_behalf_fill, dispatch_uid="catalog_history_on_behalf")

        # Not domain logic: every write that changes what visitors see makes the cached public pages stale.
        from catalog.cache import connect_signals
        from catalog.selectors import connect_reference_signals

        connect_signals()
        connect_reference_signals()

        # A producer's name and place are words of its products' search documents: a worker rebuilds them.
        from django.db.models.signals import post_save

        from accounts.models import Organisation
        from catalog.services.products import producer_saved

        post_save.connect(producer_saved, sender=Organisation, dispatch_uid="catalog-producer-reindex")
