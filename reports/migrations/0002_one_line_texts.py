"""Existing one-line texts (names, titles, numbers) lose their line breaks and other control characters.

From now on the fields refuse them (core.validators.SingleLineValidator); rows saved before keep none either, so
no email subject, CSV cell or list breaks on them. Each run of control characters becomes one space, as
core.text.single_line does. It lives in the top app because it reaches every app's tables.
"""

import re

from django.db import migrations, models

PORTAL_APPS = ("core", "accounts", "catalog", "events", "matchmaking", "reports")
# PostgreSQL's regular expressions: the characters core.text.CONTROL_CHARACTERS matches (text holds no NUL).
CONTROL = r"[\x01-\x1f\x7f-\x9f\u2028\u2029]"


CONTROL_RUNS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    return " ".join(CONTROL_RUNS.sub(" ", text).split())


def clean(apps, schema_editor):
    for app_label in PORTAL_APPS:
        for model in apps.get_app_config(app_label).get_models():
            fields = [
                field.name
                for field in model._meta.get_fields()
                if isinstance(field, models.CharField) and not field.choices and not field.primary_key
            ]
            for name in fields:
                rows = model._base_manager.filter(**{f"{name}__regex": CONTROL})
                for pk, value in rows.values_list("pk", name).iterator():
                    model._base_manager.filter(pk=pk).update(**{name: one_line(value)})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_staff_see_the_queue"),
        ("catalog", "0009_import_by_a_worker"),
        ("core", "0001_outgoing_email"),
        ("events", "0002_staff_permissions"),
        ("matchmaking", "0003_dashboard_period_indexes"),
        ("reports", "0001_data_export"),
    ]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
