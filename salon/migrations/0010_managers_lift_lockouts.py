"""Managers lift sign-in lockouts and reset a lost phone's second factor:
they may see and delete lockout records (django-axes) and staff members'
authenticator devices and recovery codes (django-otp), nothing more."""

from django.db import migrations

from salon.role_grants import grant_role_permissions, revoke_role_permissions

GRANTS = {
    "axes": ["view_accessattempt", "delete_accessattempt", "view_accessfailurelog"],
    "otp_totp": ["view_totpdevice", "delete_totpdevice"],
    "otp_static": ["view_staticdevice", "delete_staticdevice"],
}


def grant(apps, schema_editor):
    for app_label, codenames in GRANTS.items():
        grant_role_permissions(apps, app_label, {"Manager": codenames})


def revoke(apps, schema_editor):
    for app_label in GRANTS:
        revoke_role_permissions(apps, app_label, ["Manager"])


class Migration(migrations.Migration):
    dependencies = [
        ("salon", "0009_salon_clearance_valid_days"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
