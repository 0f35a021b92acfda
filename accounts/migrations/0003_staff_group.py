from django.db import migrations


def create_group(apps, schema_editor):
    from accounts.permissions_setup import grant_staff_permissions

    grant_staff_permissions(
        apps,
        ["accounts"],
        [
            "view_user",
            "change_user",
            "view_organisation",
            "add_organisation",
            "change_organisation",
            "verify_organisation",
            "act_on_behalf",
            "view_province",
            "view_ward",
            "view_legacyward",
            "view_actionrecord",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_load_admin_units"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
