"""Grant permissions to the "Sở Công Thương" staff group from a data migration.

Django creates permissions after all migrations run; a migration that needs them first creates
them for the apps it names, with the historical models.
"""

from django.contrib.auth.management import create_permissions

STAFF_GROUP_NAME = "Sở Công Thương"


def grant_staff_permissions(apps, app_labels: list[str], codenames: list[str]) -> None:
    for label in app_labels:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP_NAME)
    permissions = Permission.objects.filter(content_type__app_label__in=app_labels, codename__in=codenames)
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions not found: {sorted(missing)}")
    group.permissions.add(*permissions)
