from django.db import migrations


def grant(apps, schema_editor):
    from accounts.permissions_setup import grant_staff_permissions

    grant_staff_permissions(
        apps,
        ["events"],
        [
            "view_event",
            "add_event",
            "change_event",
            "view_session",
            "add_session",
            "change_session",
            "delete_session",
            "view_speaker",
            "add_speaker",
            "change_speaker",
            "delete_speaker",
            "view_registration",
            "change_registration",
            "view_mou",
            "add_mou",
            "change_mou",
            "view_mouparty",
            "add_mouparty",
            "change_mouparty",
            "delete_mouparty",
            "view_mounote",
            "add_mounote",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial"), ("accounts", "0003_staff_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
