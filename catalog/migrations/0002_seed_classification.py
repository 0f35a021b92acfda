from django.db import migrations


def seed(apps, schema_editor):
    from catalog.classification import seed_classification

    seed_classification(
        apps.get_model("catalog", "RuleSet"),
        apps.get_model("catalog", "ProductGroup"),
        apps.get_model("catalog", "ProductSubGroup"),
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
