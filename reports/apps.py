from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Pages that combine figures from several apps (event reports, statistics); it imports them all."""

    name = "reports"
    verbose_name = _("Reports")
