from django.db import migrations


def grant(apps, schema_editor):
    from accounts.permissions_setup import grant_staff_permissions

    # Staff watch the task queue in the admin (failed jobs, retry) and the emails waiting to go out.
    grant_staff_permissions(
        apps,
        ["procrastinate", "core"],
        ["view_procrastinatejob", "view_procrastinateevent", "view_outgoingemail"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_former_district"),
        ("core", "0001_outgoing_email"),
        ("procrastinate", "0041_post_retry_failed_job"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
