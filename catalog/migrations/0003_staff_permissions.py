from django.db import migrations

CERTIFYING_GROUP_NAME = "Hội đồng đánh giá OCOP"


def grant(apps, schema_editor):
    from accounts.permissions_setup import grant_staff_permissions

    grant_staff_permissions(
        apps,
        ["catalog"],
        [
            "view_product",
            "add_product",
            "change_product",
            "view_productphoto",
            "add_productphoto",
            "change_productphoto",
            "delete_productphoto",
            "view_producerprofile",
            "add_producerprofile",
            "change_producerprofile",
            "view_certificate",
            "view_ruleset",
            "view_productgroup",
            "view_productsubgroup",
            "view_evaluationcycle",
            "add_evaluationcycle",
            "change_evaluationcycle",
            "view_application",
            "change_application",
            "view_applicationdocument",
            "view_applicationevent",
            "view_score",
        ],
    )


def create_certifying_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=CERTIFYING_GROUP_NAME)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalog",
            codename__in=[
                "certify",
                "view_certificate",
                "add_certificate",
                "change_certificate",
                "view_score",
                "add_score",
                "change_score",
                "view_application",
                "view_applicationdocument",
                "view_applicationevent",
                "view_evaluationcycle",
            ],
        )
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_seed_classification"), ("accounts", "0003_staff_group")]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(create_certifying_group, migrations.RunPython.noop),
    ]
