from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: helpers every app may use, importing none of them."""

    name = "core"
    verbose_name = "Core"
