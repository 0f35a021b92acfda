from django.db import migrations


def grant(apps, schema_editor):
    from accounts.permissions_setup import grant_staff_permissions

    grant_staff_permissions(
        apps,
        ["matchmaking"],
        [
            "view_buyerprofile",
            "view_sourcingrequest",
            "view_offer",
            "view_meetingrequest",
            "add_meetingrequest",
            "change_meetingrequest",
            "view_meetingslot",
            "add_meetingslot",
            "change_meetingslot",
            "delete_meetingslot",
            "view_meetingtable",
            "add_meetingtable",
            "change_meetingtable",
            "delete_meetingtable",
            "view_eventmeeting",
            "add_eventmeeting",
            "change_eventmeeting",
            "delete_eventmeeting",
            "view_meetingoutcome",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0001_initial"), ("accounts", "0003_staff_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
