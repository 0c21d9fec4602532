"""Used by the data migrations that grant each app's model permissions to the
staff roles. Kept small and stable: migrations import it, so its meaning must
never change (a change needs a new function)."""

from django.contrib.auth.management import create_permissions


def grant_role_permissions(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    """Give each role (group name) the listed permission codenames of ``app_label``."""
    app_config = apps.get_app_config(app_label)
    # Permissions are normally created after all migrations; make them now.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


def revoke_role_permissions(apps, app_label: str, roles: list[str]) -> None:
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=roles):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label))
