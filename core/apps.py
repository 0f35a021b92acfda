from django.apps import AppConfig, apps
from django.db import models

# The apps whose one-line texts refuse control characters (core.validators.SingleLineValidator).
PORTAL_APPS = ("core", "accounts", "catalog", "events", "matchmaking", "reports")


class CoreConfig(AppConfig):
    """The ground floor: helpers every app may use, importing none of them."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core.validators import single_line_validator

        # Every CharField of the portal's models is one line of text: its model validation (ModelForms, the
        # admin, the services' full_clean) refuses control characters, with the message beside the field. It is
        # added to the fields' default validators, which migrations do not record: a rule of the portal, not of
        # one field. Multi-line texts are TextFields.
        for app_label in PORTAL_APPS:
            for model in apps.get_app_config(app_label).get_models():
                for field in model._meta.get_fields():
                    if isinstance(field, models.CharField) and not field.choices:
                        field.default_validators = [*type(field).default_validators, single_line_validator]
                        field.__dict__.pop("validators", None)
